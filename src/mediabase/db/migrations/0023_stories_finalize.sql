-- 0023_stories_finalize: finalization tells a lost race without waiting for the scene's row lock
-- (docs/stories.md, "Continuations"; bench/RESULTS.md, "Stories").
--
-- 0020's story_finalize_continuation locked the scene's row before comparing its bible version
-- with the one the continuation started from. When many continuations of one scene finalize at
-- once, the losers queued one by one behind the winner's lock only to learn that they had lost.
-- A bible version only grows, so a version that differs without the lock differs with it: the
-- function now compares first, unlocked, and takes the lock (and compares again) only when the
-- continuation may still win. Same signature, same answers, same errors.

CREATE OR REPLACE FUNCTION mediabase.story_finalize_continuation(
    job_id          uuid,
    base_version    integer,
    new_bible       jsonb,
    expanded_script text,
    video_key       text,
    duration_ms     integer,
    hls_key         text DEFAULT NULL,
    thumbnail_key   text DEFAULT NULL,
    resolution      text DEFAULT NULL,
    size_bytes      bigint DEFAULT NULL
) RETURNS TABLE (segment_id uuid, sequence integer, bible_version integer, created boolean)
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    org uuid := current_org_id();
    c   record;
    s   record;
    seg record;
BEGIN
    IF org IS NULL THEN
        RAISE EXCEPTION 'no tenant: set mediabase.organization_id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO c FROM story_continuations k
     WHERE k.organization_id = org AND k.job_id = story_finalize_continuation.job_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no continuation has job %', story_finalize_continuation.job_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'story_continuations_job_exists';
    END IF;
    IF c.state = 'finalized' THEN
        RETURN QUERY SELECT g.id, g.sequence, b.version, false
                       FROM story_segments g
                       LEFT JOIN story_bibles b ON b.organization_id = g.organization_id AND b.scene_id = g.scene_id
                                               AND b.created_by_segment_id = g.id
                      WHERE g.organization_id = org AND g.id = c.segment_id;
        RETURN;
    END IF;
    IF c.state = 'failed' THEN
        RAISE EXCEPTION 'the continuation failed for good; it is not finalized'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_continuations_state_transition';
    END IF;
    -- a scene's bible version only grows: one that moved on already will not come back, so the
    -- losers of a race learn it without queueing for the row lock the winner holds
    SELECT sc.bible_version INTO s FROM story_scenes sc WHERE sc.organization_id = org AND sc.id = c.scene_id;
    IF s.bible_version <> base_version THEN
        RAISE EXCEPTION 'another continuation finalized first: this one started from bible version %, the scene is at version %',
                        base_version, s.bible_version
            USING ERRCODE = 'serialization_failure', CONSTRAINT = 'story_continuations_bible_cas';
    END IF;
    SELECT sc.status, sc.bible_version INTO s FROM story_scenes sc
     WHERE sc.organization_id = org AND sc.id = c.scene_id FOR NO KEY UPDATE;
    IF s.status <> 'active' THEN
        RAISE EXCEPTION 'the scene is %: it takes no new segments', s.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_segments_scene_open';
    END IF;
    IF s.bible_version <> base_version THEN
        RAISE EXCEPTION 'another continuation finalized first: this one started from bible version %, the scene is at version %',
                        base_version, s.bible_version
            USING ERRCODE = 'serialization_failure', CONSTRAINT = 'story_continuations_bible_cas';
    END IF;
    INSERT INTO story_segments AS g (organization_id, scene_id, user_id, input_text, expanded_script, video_key,
                                     hls_key, thumbnail_key, duration_ms, resolution, size_bytes, bible_version, job_id)
    VALUES (org, c.scene_id, c.user_id, c.input_text, expanded_script, video_key, hls_key, thumbnail_key,
            duration_ms, resolution, size_bytes, base_version, c.job_id)
    RETURNING g.id, g.sequence INTO seg;
    INSERT INTO story_bibles (organization_id, scene_id, version, data, created_by, created_by_segment_id)
    VALUES (org, c.scene_id, base_version + 1, new_bible, c.user_id, seg.id);
    UPDATE story_continuations k
       SET state = 'finalized', segment_id = seg.id, base_bible_version = base_version, finished_at = now(), message = NULL
     WHERE k.organization_id = org AND k.job_id = c.job_id;
    RETURN QUERY SELECT seg.id, seg.sequence, base_version + 1, true;
END
$$;
