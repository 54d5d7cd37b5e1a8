-- 0007_collab: what a team does with its videos, what AI extracts from them, and the audit log.
-- docs/collab.md explains every table, the topic trend rule, the audit design and share links.
--
--   AI layers        ai_layers (one run of one model over one video), ai_summaries; every
--                    AI-derived row carries (layer_id, layer_kind) and a composite foreign key
--                    to the layer, so a layer is superseded, rebuilt or deleted as a unit.
--   collaboration    comments, comment_reactions, video_moments, video_clips, highlight_reels,
--                    highlight_reel_clips (ordered join table), quote_cards, share_links
--   decisions        decisions, decision_participants, decision_tags, decision_tag_assignments,
--                    decision_links, decision_subscriptions, decision_edits (written by triggers)
--   insights         ai_topics (counters kept by triggers from ai_topic_mentions), ai_action_items
--   notifications    notifications (written by triggers: replies, mentions, tagged decisions,
--                    assigned action items)
--   audit            audit_log: append-only, partitioned by month, written by triggers on every
--                    tenant table (transcript_segments: one summary row per statement)
--
-- Conventions of 0002-0005 hold: organization_id leads every key, references between tenant
-- tables are composite, make_tenant_table() turns on row-level security.

-- -- shared trigger functions --------------------------------------------------------------

-- Positions (the columns named as trigger arguments) may not lie after the end of the row's
-- video when its duration is known.
CREATE FUNCTION mediabase.check_positions_within_video() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    r   jsonb := to_jsonb(NEW);
    dur bigint;
    col text;
BEGIN
    IF r->>'video_id' IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT v.duration_ms INTO dur FROM mediabase.videos v
     WHERE v.organization_id = NEW.organization_id AND v.id = (r->>'video_id')::uuid;
    IF dur IS NULL THEN
        RETURN NEW;
    END IF;
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF (r->>col)::bigint > dur THEN
            RAISE EXCEPTION '% % ms is after the end of the video (% ms)', col, r->>col, dur
                USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_within_video', COLUMN = col;
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;

-- A status may only move along the steps given as arguments: 'from>to', and '>to' for the
-- states a row may start in.
CREATE FUNCTION mediabase.check_status_transition() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    step text;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NEW;
    END IF;
    step := CASE WHEN TG_OP = 'INSERT' THEN '>' || NEW.status ELSE OLD.status || '>' || NEW.status END;
    IF NOT step = ANY (TG_ARGV) THEN
        RAISE EXCEPTION '%',
            CASE WHEN TG_OP = 'INSERT' THEN format('%s cannot start as %s', TG_TABLE_NAME, NEW.status)
                 ELSE format('%s cannot go from %s to %s', TG_TABLE_NAME, OLD.status, NEW.status) END
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_status_transition', COLUMN = 'status';
    END IF;
    RETURN NEW;
END
$$;

-- Columns named as arguments never change after insert, except that a foreign key's
-- ON DELETE SET NULL (a nested trigger) may clear one (a deleted user's created_by).
CREATE FUNCTION mediabase.check_immutable_columns() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    o   jsonb := to_jsonb(OLD);
    n   jsonb := to_jsonb(NEW);
    col text;
BEGIN
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF o->col IS DISTINCT FROM n->col AND NOT (n->col = 'null'::jsonb AND pg_trigger_depth() > 1) THEN
            RAISE EXCEPTION '%.% cannot change', TG_TABLE_NAME, col
                USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_immutable', COLUMN = col;
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;

-- -- AI layers ---------------------------------------------------------------------------------

-- One run of one model (or one annotation source) over one video. At most one layer per video
-- and kind is 'ready' (the current one); making a layer ready supersedes the previous one.
CREATE TABLE ai_layers (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    video_id        uuid NOT NULL,
    kind            text NOT NULL CONSTRAINT ai_layers_kind_valid CHECK (kind IN (
                        'summary', 'topics', 'action_items', 'decisions', 'moments',
                        'chunks_embeddings', 'chapters', 'keywords', 'quotes')),
    model           text NOT NULL CONSTRAINT ai_layers_model_length CHECK (length(btrim(model)) BETWEEN 1 AND 200),
    model_version   text CONSTRAINT ai_layers_model_version_length CHECK (length(model_version) BETWEEN 1 AND 100),
    source          text NOT NULL DEFAULT 'model'
        CONSTRAINT ai_layers_source_length CHECK (length(btrim(source)) BETWEEN 1 AND 200),
    status          text NOT NULL DEFAULT 'pending'
        CONSTRAINT ai_layers_status_valid CHECK (status IN ('pending', 'running', 'ready', 'failed', 'superseded')),
    transcript_id   uuid,
    artifact_uri    text CONSTRAINT ai_layers_artifact_uri_format
        CHECK (artifact_uri ~ '^[a-z][a-z0-9+.-]*://' AND length(artifact_uri) <= 2048),
    parameters      jsonb NOT NULL DEFAULT '{}'
        CONSTRAINT ai_layers_parameters_object CHECK (jsonb_typeof(parameters) = 'object'),
    error           text CONSTRAINT ai_layers_error_length CHECK (length(error) <= 10000),
    superseded_by   uuid,
    job_id          uuid,  -- the job that builds it, when one does (jobs are pruned: no foreign key)
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    PRIMARY KEY (organization_id, id),
    -- the target of every derived row's foreign key: same video, right kind
    CONSTRAINT ai_layers_derived_key UNIQUE (organization_id, id, video_id, kind),
    CONSTRAINT ai_layers_kind_key UNIQUE (organization_id, id, kind),
    CONSTRAINT ai_layers_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT ai_layers_transcript_fk FOREIGN KEY (organization_id, transcript_id, video_id)
        REFERENCES transcripts (organization_id, id, video_id) ON DELETE SET NULL (transcript_id),
    -- deferred: activate_ai_layer (BEFORE INSERT) points the old layer at the new one's id
    CONSTRAINT ai_layers_superseded_by_fk FOREIGN KEY (organization_id, superseded_by)
        REFERENCES ai_layers (organization_id, id) ON DELETE SET NULL (superseded_by) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT ai_layers_superseded_by_not_self CHECK (superseded_by <> id),
    CONSTRAINT ai_layers_superseded_by_only_when_superseded CHECK (superseded_by IS NULL OR status = 'superseded'),
    CONSTRAINT ai_layers_error_only_when_failed CHECK (error IS NULL OR status = 'failed'),
    CONSTRAINT ai_layers_completed_when_ready CHECK (status NOT IN ('ready', 'superseded') OR completed_at IS NOT NULL)
);
CREATE UNIQUE INDEX ai_layers_one_ready ON ai_layers (organization_id, video_id, kind) WHERE status = 'ready';
CREATE INDEX ai_layers_video_idx ON ai_layers (organization_id, video_id, kind, created_at DESC);
SELECT make_tenant_table('ai_layers');

CREATE TRIGGER ai_layers_status_transition BEFORE INSERT OR UPDATE OF status ON ai_layers
    FOR EACH ROW EXECUTE FUNCTION check_status_transition(
        '>pending', '>running', '>ready',
        'pending>running', 'pending>ready', 'pending>failed',
        'running>ready', 'running>failed', 'running>pending',
        'failed>pending', 'ready>superseded', 'superseded>ready');
CREATE TRIGGER ai_layers_immutable BEFORE UPDATE ON ai_layers
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('video_id', 'kind', 'created_at', 'created_by');

-- Making a layer ready supersedes the current ready layer of its video and kind.
CREATE FUNCTION mediabase.activate_ai_layer() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'ready' AND (TG_OP = 'INSERT' OR OLD.status <> 'ready') THEN
        UPDATE mediabase.ai_layers SET status = 'superseded', superseded_by = NEW.id
         WHERE organization_id = NEW.organization_id AND video_id = NEW.video_id AND kind = NEW.kind
           AND status = 'ready' AND id <> NEW.id;
        NEW.superseded_by := NULL;
        NEW.completed_at := coalesce(NEW.completed_at, now());
        NEW.error := NULL;
    END IF;
    IF NEW.status = 'failed' AND (TG_OP = 'INSERT' OR OLD.status <> 'failed') THEN
        NEW.completed_at := coalesce(NEW.completed_at, now());
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER ai_layers_activate BEFORE INSERT OR UPDATE OF status ON ai_layers
    FOR EACH ROW EXECUTE FUNCTION activate_ai_layer();

-- Rows of a layer are shown while the layer is the current ('ready') one; rows without a
-- layer (made by people) always. One definition, used by services and read models.
CREATE FUNCTION mediabase.ai_row_visible(org uuid, layer uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN layer IS NULL OR EXISTS (SELECT FROM mediabase.ai_layers l
                                     WHERE l.organization_id = org AND l.id = layer AND l.status = 'ready');

-- A summary layer's text.
CREATE TABLE ai_summaries (
    organization_id uuid NOT NULL,
    layer_id        uuid NOT NULL,
    video_id        uuid NOT NULL,
    layer_kind      text NOT NULL DEFAULT 'summary' CONSTRAINT ai_summaries_layer_kind CHECK (layer_kind = 'summary'),
    summary         text NOT NULL CONSTRAINT ai_summaries_summary_length CHECK (length(btrim(summary)) BETWEEN 1 AND 50000),
    key_points      text[] NOT NULL DEFAULT '{}'
        CONSTRAINT ai_summaries_key_points_size CHECK (cardinality(key_points) <= 200),
    language        text CONSTRAINT ai_summaries_language_format CHECK (check_language(language)),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, layer_id),
    CONSTRAINT ai_summaries_layer_fk FOREIGN KEY (organization_id, layer_id, video_id, layer_kind)
        REFERENCES ai_layers (organization_id, id, video_id, kind) ON DELETE CASCADE
);
CREATE INDEX ai_summaries_video_idx ON ai_summaries (organization_id, video_id);
SELECT make_tenant_table('ai_summaries');

-- -- comments -----------------------------------------------------------------------------------

-- Threaded, anchored at a position of the video. A deleted comment keeps its row (its place in
-- the thread, its replies) but loses its words: body is NULL exactly when deleted_at is set.
CREATE TABLE comments (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    video_id        uuid NOT NULL,
    parent_id       uuid,
    author_id       uuid REFERENCES users ON DELETE SET NULL,
    body            text CONSTRAINT comments_body_length CHECK (length(btrim(body)) BETWEEN 1 AND 10000),
    position_ms     bigint CONSTRAINT comments_position_nonnegative CHECK (position_ms >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    edited_at       timestamptz,
    deleted_at      timestamptz,
    deleted_by      uuid REFERENCES users ON DELETE SET NULL,
    PRIMARY KEY (organization_id, id),
    CONSTRAINT comments_video_id_key UNIQUE (organization_id, video_id, id),
    CONSTRAINT comments_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    -- a reply belongs to the same video as its parent
    CONSTRAINT comments_parent_fk FOREIGN KEY (organization_id, video_id, parent_id)
        REFERENCES comments (organization_id, video_id, id) ON DELETE CASCADE,
    CONSTRAINT comments_not_own_parent CHECK (parent_id <> id),
    CONSTRAINT comments_body_unless_deleted CHECK ((deleted_at IS NULL) = (body IS NOT NULL)),
    CONSTRAINT comments_edited_after_created CHECK (edited_at >= created_at)
);
CREATE INDEX comments_video_idx ON comments (organization_id, video_id, created_at);
CREATE INDEX comments_parent_idx ON comments (organization_id, video_id, parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX comments_author_idx ON comments (organization_id, author_id);
CREATE TRIGGER comments_touch BEFORE UPDATE ON comments FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER comments_within_video BEFORE INSERT OR UPDATE OF position_ms ON comments
    FOR EACH ROW EXECUTE FUNCTION check_positions_within_video('position_ms');
CREATE TRIGGER comments_immutable BEFORE UPDATE ON comments
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('video_id', 'parent_id', 'author_id', 'created_at');
SELECT make_tenant_table('comments');

-- Replies go to live comments; a body change stamps edited_at; deletion erases the body and
-- is final; a deleted comment is not edited.
CREATE FUNCTION mediabase.comments_rules() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.deleted_at IS NOT NULL THEN
            RAISE EXCEPTION 'a comment cannot be created deleted'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'comments_deleted_final';
        END IF;
        IF NEW.parent_id IS NOT NULL AND EXISTS (
            SELECT FROM mediabase.comments p WHERE p.organization_id = NEW.organization_id
               AND p.video_id = NEW.video_id AND p.id = NEW.parent_id AND p.deleted_at IS NOT NULL) THEN
            RAISE EXCEPTION 'cannot reply to a deleted comment'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'comments_parent_live';
        END IF;
        NEW.edited_at := NULL;
        RETURN NEW;
    END IF;
    IF OLD.deleted_at IS NOT NULL THEN
        IF NEW.deleted_at IS DISTINCT FROM OLD.deleted_at OR NEW.body IS DISTINCT FROM OLD.body
           OR NEW.position_ms IS DISTINCT FROM OLD.position_ms THEN
            RAISE EXCEPTION 'a deleted comment stays deleted and cannot be edited'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'comments_deleted_final';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.deleted_at IS NOT NULL THEN
        NEW.body := NULL;
        NEW.deleted_by := coalesce(NEW.deleted_by, mediabase.current_user_id());
    ELSIF NEW.body IS DISTINCT FROM OLD.body OR NEW.position_ms IS DISTINCT FROM OLD.position_ms THEN
        NEW.edited_at := now();
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER comments_rules BEFORE INSERT OR UPDATE ON comments FOR EACH ROW EXECUTE FUNCTION comments_rules();

-- One reaction per user, comment and emoji.
CREATE TABLE comment_reactions (
    organization_id uuid NOT NULL,
    comment_id      uuid NOT NULL,
    user_id         uuid NOT NULL,
    emoji           text NOT NULL CONSTRAINT comment_reactions_emoji_format
        CHECK (length(emoji) BETWEEN 1 AND 32 AND emoji !~ '\s'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, comment_id, user_id, emoji),
    CONSTRAINT comment_reactions_comment_fk FOREIGN KEY (organization_id, comment_id)
        REFERENCES comments (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT comment_reactions_member_fk FOREIGN KEY (organization_id, user_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE CASCADE
);
SELECT make_tenant_table('comment_reactions');

CREATE FUNCTION mediabase.comment_reactions_live() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT FROM mediabase.comments c WHERE c.organization_id = NEW.organization_id
                  AND c.id = NEW.comment_id AND c.deleted_at IS NOT NULL) THEN
        RAISE EXCEPTION 'cannot react to a deleted comment'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'comment_reactions_comment_live';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER comment_reactions_live BEFORE INSERT ON comment_reactions
    FOR EACH ROW EXECUTE FUNCTION comment_reactions_live();

-- -- moments, clips, highlight reels, quote cards ------------------------------------------------

CREATE TABLE video_moments (
    organization_id    uuid NOT NULL,
    id                 uuid NOT NULL DEFAULT new_id(),
    video_id           uuid NOT NULL,
    layer_id           uuid,
    layer_kind         text NOT NULL DEFAULT 'moments' CONSTRAINT video_moments_layer_kind CHECK (layer_kind = 'moments'),
    title              text NOT NULL CONSTRAINT video_moments_title_length CHECK (length(btrim(title)) BETWEEN 1 AND 500),
    description        text CONSTRAINT video_moments_description_length CHECK (length(description) <= 5000),
    start_ms           bigint NOT NULL,
    end_ms             bigint NOT NULL,
    moment_type        text NOT NULL DEFAULT 'highlight' CONSTRAINT video_moments_type_valid CHECK (moment_type IN (
                           'highlight', 'decision', 'action_item', 'question', 'key_point', 'quote',
                           'topic_change', 'other')),
    confidence         smallint CONSTRAINT video_moments_confidence_range CHECK (confidence BETWEEN 0 AND 100),
    transcript_excerpt text CONSTRAINT video_moments_excerpt_length CHECK (length(transcript_excerpt) <= 5000),
    created_by         uuid REFERENCES users ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT video_moments_video_id_key UNIQUE (organization_id, video_id, id),
    CONSTRAINT video_moments_times_valid CHECK (0 <= start_ms AND start_ms <= end_ms),
    CONSTRAINT video_moments_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT video_moments_layer_fk FOREIGN KEY (organization_id, layer_id, video_id, layer_kind)
        REFERENCES ai_layers (organization_id, id, video_id, kind) ON DELETE CASCADE
);
CREATE INDEX video_moments_video_time_idx ON video_moments (organization_id, video_id, start_ms);
CREATE INDEX video_moments_layer_idx ON video_moments (organization_id, layer_id) WHERE layer_id IS NOT NULL;
CREATE TRIGGER video_moments_touch BEFORE UPDATE ON video_moments FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER video_moments_within_video BEFORE INSERT OR UPDATE OF start_ms, end_ms ON video_moments
    FOR EACH ROW EXECUTE FUNCTION check_positions_within_video('start_ms', 'end_ms');
SELECT make_tenant_table('video_moments');

-- Clips: pending -> processing -> ready | failed; failed and ready go back to pending (retry,
-- re-render). A ready clip has its rendered file.
CREATE TABLE video_clips (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    video_id        uuid NOT NULL,
    moment_id       uuid,
    title           text NOT NULL CONSTRAINT video_clips_title_length CHECK (length(btrim(title)) BETWEEN 1 AND 500),
    description     text CONSTRAINT video_clips_description_length CHECK (length(description) <= 5000),
    start_ms        bigint NOT NULL,
    end_ms          bigint NOT NULL,
    clip_type       text NOT NULL DEFAULT 'manual' CONSTRAINT video_clips_type_valid CHECK (clip_type IN ('manual', 'auto')),
    moment_type     text CONSTRAINT video_clips_moment_type_valid CHECK (moment_type IN (
                        'highlight', 'decision', 'action_item', 'question', 'key_point', 'quote',
                        'topic_change', 'other')),
    storage_key     text CONSTRAINT video_clips_storage_key_length CHECK (length(storage_key) BETWEEN 1 AND 1024),
    thumbnail_url   text CONSTRAINT video_clips_thumbnail_url_format CHECK (thumbnail_url ~ '^https?://'),
    status          text NOT NULL DEFAULT 'pending'
        CONSTRAINT video_clips_status_valid CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
    error           text CONSTRAINT video_clips_error_length CHECK (length(error) <= 10000),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT video_clips_times_valid CHECK (0 <= start_ms AND start_ms <= end_ms),
    CONSTRAINT video_clips_ready_has_file CHECK (status <> 'ready' OR storage_key IS NOT NULL),
    CONSTRAINT video_clips_error_only_when_failed CHECK (error IS NULL OR status = 'failed'),
    CONSTRAINT video_clips_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    -- a clip's moment is a moment of the same video
    CONSTRAINT video_clips_moment_fk FOREIGN KEY (organization_id, video_id, moment_id)
        REFERENCES video_moments (organization_id, video_id, id) ON DELETE SET NULL (moment_id)
);
CREATE INDEX video_clips_video_idx ON video_clips (organization_id, video_id, start_ms);
CREATE INDEX video_clips_status_idx ON video_clips (organization_id, status, created_at);
CREATE INDEX video_clips_moment_idx ON video_clips (organization_id, moment_id) WHERE moment_id IS NOT NULL;
CREATE TRIGGER video_clips_touch BEFORE UPDATE ON video_clips FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER video_clips_within_video BEFORE INSERT OR UPDATE OF start_ms, end_ms ON video_clips
    FOR EACH ROW EXECUTE FUNCTION check_positions_within_video('start_ms', 'end_ms');
CREATE TRIGGER video_clips_status_transition BEFORE INSERT OR UPDATE OF status ON video_clips
    FOR EACH ROW EXECUTE FUNCTION check_status_transition(
        '>pending', '>ready',
        'pending>processing', 'pending>failed', 'processing>ready', 'processing>failed', 'processing>pending',
        'failed>pending', 'ready>pending');
CREATE TRIGGER video_clips_immutable BEFORE UPDATE ON video_clips
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('video_id', 'created_by', 'created_at');
SELECT make_tenant_table('video_clips');

-- Reels: draft -> rendering -> ready | failed; ready and failed go back to draft. The clips
-- are the ordered rows of highlight_reel_clips; the duration is their sum (derived, not kept).
CREATE TABLE highlight_reels (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    title           text NOT NULL CONSTRAINT highlight_reels_title_length CHECK (length(btrim(title)) BETWEEN 1 AND 500),
    description     text CONSTRAINT highlight_reels_description_length CHECK (length(description) <= 5000),
    storage_key     text CONSTRAINT highlight_reels_storage_key_length CHECK (length(storage_key) BETWEEN 1 AND 1024),
    thumbnail_url   text CONSTRAINT highlight_reels_thumbnail_url_format CHECK (thumbnail_url ~ '^https?://'),
    status          text NOT NULL DEFAULT 'draft'
        CONSTRAINT highlight_reels_status_valid CHECK (status IN ('draft', 'rendering', 'ready', 'failed')),
    error           text CONSTRAINT highlight_reels_error_length CHECK (length(error) <= 10000),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT highlight_reels_ready_has_file CHECK (status <> 'ready' OR storage_key IS NOT NULL),
    CONSTRAINT highlight_reels_error_only_when_failed CHECK (error IS NULL OR status = 'failed')
);
CREATE INDEX highlight_reels_created_idx ON highlight_reels (organization_id, created_at DESC);
CREATE TRIGGER highlight_reels_touch BEFORE UPDATE ON highlight_reels FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER highlight_reels_status_transition BEFORE INSERT OR UPDATE OF status ON highlight_reels
    FOR EACH ROW EXECUTE FUNCTION check_status_transition(
        '>draft', 'draft>rendering', 'rendering>ready', 'rendering>failed', 'rendering>draft',
        'ready>draft', 'failed>draft');
CREATE TRIGGER highlight_reels_immutable BEFORE UPDATE ON highlight_reels
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('created_by', 'created_at');
SELECT make_tenant_table('highlight_reels');

CREATE TABLE highlight_reel_clips (
    organization_id uuid NOT NULL,
    reel_id         uuid NOT NULL,
    position        integer NOT NULL CONSTRAINT highlight_reel_clips_position_range CHECK (position BETWEEN 1 AND 10000),
    clip_id         uuid NOT NULL,
    added_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, reel_id, position),
    CONSTRAINT highlight_reel_clips_clip_once UNIQUE (organization_id, reel_id, clip_id),
    CONSTRAINT highlight_reel_clips_reel_fk FOREIGN KEY (organization_id, reel_id)
        REFERENCES highlight_reels (organization_id, id) ON DELETE CASCADE,
    -- the composite key is what keeps every clip in the reel's own organization
    CONSTRAINT highlight_reel_clips_clip_fk FOREIGN KEY (organization_id, clip_id)
        REFERENCES video_clips (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX highlight_reel_clips_clip_idx ON highlight_reel_clips (organization_id, clip_id);
SELECT make_tenant_table('highlight_reel_clips');

-- A reel's clips change only while it is a draft (or failed): what was rendered is what the
-- rows say. A clip deleted from under a reel (a cascade) sends a rendered reel back to draft.
CREATE FUNCTION mediabase.highlight_reel_clips_rules() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    r     record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    state text;
BEGIN
    SELECT status INTO state FROM mediabase.highlight_reels
     WHERE organization_id = r.organization_id AND id = r.reel_id;
    IF state IS NULL OR state IN ('draft', 'failed') THEN
        RETURN r;
    END IF;
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN  -- a clip was deleted (foreign key cascade)
        UPDATE mediabase.highlight_reels SET status = 'draft'
         WHERE organization_id = r.organization_id AND id = r.reel_id;
        RETURN r;
    END IF;
    RAISE EXCEPTION 'the clips of a % reel cannot change; set it back to draft first', state
        USING ERRCODE = 'check_violation', CONSTRAINT = 'highlight_reel_clips_reel_editable';
END
$$;
CREATE TRIGGER highlight_reel_clips_rules BEFORE INSERT OR UPDATE OR DELETE ON highlight_reel_clips
    FOR EACH ROW EXECUTE FUNCTION highlight_reel_clips_rules();

-- A reel is rendered only with at least one clip.
CREATE FUNCTION mediabase.highlight_reels_rules() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'rendering' AND NOT EXISTS (
        SELECT FROM mediabase.highlight_reel_clips c WHERE c.organization_id = NEW.organization_id AND c.reel_id = NEW.id) THEN
        RAISE EXCEPTION 'a reel without clips cannot be rendered'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'highlight_reels_has_clips';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER highlight_reels_rules BEFORE UPDATE OF status ON highlight_reels
    FOR EACH ROW EXECUTE FUNCTION highlight_reels_rules();

CREATE TABLE quote_cards (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    video_id        uuid NOT NULL,
    quote_text      text NOT NULL CONSTRAINT quote_cards_quote_length CHECK (length(btrim(quote_text)) BETWEEN 1 AND 2000),
    speaker         text CONSTRAINT quote_cards_speaker_length CHECK (length(speaker) BETWEEN 1 AND 200),
    speaker_id      uuid,
    start_ms        bigint NOT NULL,
    end_ms          bigint,
    template        jsonb NOT NULL DEFAULT '{}' CONSTRAINT quote_cards_template_object CHECK (jsonb_typeof(template) = 'object'),
    image_url       text CONSTRAINT quote_cards_image_url_format CHECK (image_url ~ '^https?://'),
    storage_key     text CONSTRAINT quote_cards_storage_key_length CHECK (length(storage_key) BETWEEN 1 AND 1024),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT quote_cards_times_valid CHECK (0 <= start_ms AND (end_ms IS NULL OR start_ms <= end_ms)),
    CONSTRAINT quote_cards_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT quote_cards_speaker_fk FOREIGN KEY (organization_id, video_id, speaker_id)
        REFERENCES speakers (organization_id, video_id, id) ON DELETE SET NULL (speaker_id)
);
CREATE INDEX quote_cards_video_idx ON quote_cards (organization_id, video_id, start_ms);
CREATE TRIGGER quote_cards_touch BEFORE UPDATE ON quote_cards FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER quote_cards_within_video BEFORE INSERT OR UPDATE OF start_ms, end_ms ON quote_cards
    FOR EACH ROW EXECUTE FUNCTION check_positions_within_video('start_ms', 'end_ms');
CREATE TRIGGER quote_cards_immutable BEFORE UPDATE ON quote_cards
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('video_id', 'created_by', 'created_at');
SELECT make_tenant_table('quote_cards');

-- -- share links --------------------------------------------------------------------------------

-- A link opens one video (and its current transcript) to someone without an account. Only
-- sha256(token) is kept (the token is 256 random bits: a fast hash is enough), the password
-- as an argon2 hash. Revocation is final; the token and the video never change.
CREATE TABLE share_links (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    video_id        uuid NOT NULL,
    token_sha256    bytea NOT NULL CONSTRAINT share_links_token_length CHECK (length(token_sha256) = 32),
    password_hash   text CONSTRAINT share_links_password_hash_format CHECK (password_hash LIKE '$argon2%'),
    has_password    boolean NOT NULL GENERATED ALWAYS AS (password_hash IS NOT NULL) STORED,
    expires_at      timestamptz,
    view_count      bigint NOT NULL DEFAULT 0 CONSTRAINT share_links_view_count_nonnegative CHECK (view_count >= 0),
    last_viewed_at  timestamptz,
    revoked_at      timestamptz,
    revoked_by      uuid REFERENCES users ON DELETE SET NULL,
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    -- looked up by token before the tenant is known; globally unique by construction
    CONSTRAINT share_links_token_key UNIQUE (organization_id, token_sha256),
    CONSTRAINT share_links_expires_after_created CHECK (expires_at > created_at),
    CONSTRAINT share_links_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX share_links_token_idx ON share_links (token_sha256);
CREATE INDEX share_links_video_idx ON share_links (organization_id, video_id, created_at DESC);
CREATE TRIGGER share_links_immutable BEFORE UPDATE ON share_links
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('video_id', 'token_sha256', 'created_by', 'created_at');
SELECT make_tenant_table('share_links');

CREATE FUNCTION mediabase.share_links_revocation_final() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
        RAISE EXCEPTION 'a revoked share link stays revoked'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'share_links_revocation_final';
    END IF;
    IF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL THEN
        NEW.revoked_by := coalesce(NEW.revoked_by, mediabase.current_user_id());
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER share_links_revocation_final BEFORE UPDATE ON share_links
    FOR EACH ROW EXECUTE FUNCTION share_links_revocation_final();

-- The app role never reads the token digest or the password hash (the lookup by token runs on
-- the system pool; the password is verified there).
REVOKE SELECT ON share_links FROM mediabase_app;
GRANT SELECT (organization_id, id, video_id, has_password, expires_at, view_count, last_viewed_at, revoked_at, revoked_by,
              created_by, created_at) ON share_links TO mediabase_app;

-- -- decision registry ----------------------------------------------------------------------------

-- A decision's status is derived: 'superseded' exactly when superseded_by is set, otherwise its
-- state (proposed or decided). The edit trail (decision_edits) is written by triggers.
CREATE TABLE decisions (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    summary         text NOT NULL CONSTRAINT decisions_summary_length CHECK (length(btrim(summary)) BETWEEN 1 AND 2000),
    context         text CONSTRAINT decisions_context_length CHECK (length(context) <= 20000),
    source          text NOT NULL DEFAULT 'manual'
        CONSTRAINT decisions_source_valid CHECK (source IN ('meeting', 'adhoc', 'manual')),
    video_id        uuid,
    position_ms     bigint CONSTRAINT decisions_position_nonnegative CHECK (position_ms >= 0),
    state           text NOT NULL DEFAULT 'decided' CONSTRAINT decisions_state_valid CHECK (state IN ('proposed', 'decided')),
    superseded_by   uuid,
    status          text NOT NULL GENERATED ALWAYS AS (
                        CASE WHEN superseded_by IS NOT NULL THEN 'superseded' ELSE state END) STORED,
    decided_at      timestamptz,
    layer_id        uuid,
    layer_kind      text NOT NULL DEFAULT 'decisions' CONSTRAINT decisions_layer_kind CHECK (layer_kind = 'decisions'),
    confidence      smallint CONSTRAINT decisions_confidence_range CHECK (confidence BETWEEN 0 AND 100),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    search_vector   tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('english'::regconfig, summary), 'A')
                        || setweight(to_tsvector('english'::regconfig, coalesce(context, '')), 'B')) STORED,
    PRIMARY KEY (organization_id, id),
    CONSTRAINT decisions_position_needs_video CHECK (position_ms IS NULL OR video_id IS NOT NULL),
    CONSTRAINT decisions_not_superseded_by_self CHECK (superseded_by <> id),
    CONSTRAINT decisions_decided_at_when_decided CHECK (state = 'proposed' OR decided_at IS NOT NULL),
    CONSTRAINT decisions_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE SET NULL (video_id),
    CONSTRAINT decisions_superseded_by_fk FOREIGN KEY (organization_id, superseded_by)
        REFERENCES decisions (organization_id, id) ON DELETE SET NULL (superseded_by),
    -- the layer's video is checked by decisions_rules (video_id may be cleared, the layer stays)
    CONSTRAINT decisions_layer_fk FOREIGN KEY (organization_id, layer_id, layer_kind)
        REFERENCES ai_layers (organization_id, id, kind) ON DELETE CASCADE
);
CREATE INDEX decisions_decided_idx ON decisions (organization_id, decided_at DESC NULLS LAST, id);
CREATE INDEX decisions_status_idx ON decisions (organization_id, status, decided_at DESC);
CREATE INDEX decisions_video_idx ON decisions (organization_id, video_id, position_ms) WHERE video_id IS NOT NULL;
CREATE INDEX decisions_superseded_by_idx ON decisions (organization_id, superseded_by) WHERE superseded_by IS NOT NULL;
CREATE INDEX decisions_layer_idx ON decisions (organization_id, layer_id) WHERE layer_id IS NOT NULL;
CREATE INDEX decisions_search_idx ON decisions USING gin (search_vector);
CREATE TRIGGER decisions_touch BEFORE UPDATE ON decisions FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER decisions_within_video BEFORE INSERT OR UPDATE OF position_ms, video_id ON decisions
    FOR EACH ROW EXECUTE FUNCTION check_positions_within_video('position_ms');
CREATE TRIGGER decisions_immutable BEFORE UPDATE ON decisions
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('created_by', 'created_at', 'layer_id');
SELECT make_tenant_table('decisions');

-- decided_at is stamped when a decision is decided; clearing the video clears the position;
-- an AI decision names its layer's video; supersession never forms a cycle.
CREATE FUNCTION mediabase.decisions_rules() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'decided' AND NEW.decided_at IS NULL AND (TG_OP = 'INSERT' OR OLD.state <> 'decided') THEN
        NEW.decided_at := now();
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.video_id IS NULL AND OLD.video_id IS NOT NULL THEN
        NEW.position_ms := NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.state IS DISTINCT FROM OLD.state AND NEW.superseded_by IS NOT NULL THEN
        RAISE EXCEPTION 'a superseded decision keeps its state; clear superseded_by first'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_state_while_superseded', COLUMN = 'status';
    END IF;
    IF NEW.layer_id IS NOT NULL AND NEW.video_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.video_id IS DISTINCT FROM OLD.video_id) AND NOT EXISTS (
        SELECT FROM mediabase.ai_layers l WHERE l.organization_id = NEW.organization_id AND l.id = NEW.layer_id
           AND l.video_id = NEW.video_id) THEN
        RAISE EXCEPTION 'an AI decision belongs to the video of its layer'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_layer_video', COLUMN = 'video_id';
    END IF;
    IF NEW.superseded_by IS NOT NULL AND NEW.superseded_by <> NEW.id
       AND (TG_OP = 'INSERT' OR NEW.superseded_by IS DISTINCT FROM OLD.superseded_by) AND EXISTS (
        WITH RECURSIVE chain (id) AS (
            SELECT NEW.superseded_by
            UNION
            SELECT d.superseded_by FROM mediabase.decisions d JOIN chain c ON d.id = c.id
             WHERE d.organization_id = NEW.organization_id AND d.superseded_by IS NOT NULL)
        SELECT FROM chain WHERE id = NEW.id) THEN
        RAISE EXCEPTION 'a decision cannot be superseded by a decision it supersedes'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_supersede_cycle', COLUMN = 'superseded_by';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER decisions_rules BEFORE INSERT OR UPDATE ON decisions FOR EACH ROW EXECUTE FUNCTION decisions_rules();

-- Participants: members of the organization or people (speakers' identities), one each.
CREATE TABLE decision_participants (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    decision_id     uuid NOT NULL,
    user_id         uuid,
    person_id       uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT decision_participants_one_identity CHECK (num_nonnulls(user_id, person_id) = 1),
    CONSTRAINT decision_participants_decision_fk FOREIGN KEY (organization_id, decision_id)
        REFERENCES decisions (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT decision_participants_member_fk FOREIGN KEY (organization_id, user_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE CASCADE,
    CONSTRAINT decision_participants_person_fk FOREIGN KEY (organization_id, person_id)
        REFERENCES people (organization_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX decision_participants_user_key ON decision_participants (organization_id, decision_id, user_id)
    WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX decision_participants_person_key ON decision_participants (organization_id, decision_id, person_id)
    WHERE person_id IS NOT NULL;
CREATE INDEX decision_participants_user_idx ON decision_participants (organization_id, user_id) WHERE user_id IS NOT NULL;
CREATE TRIGGER decision_participants_immutable BEFORE UPDATE ON decision_participants
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('decision_id', 'user_id', 'person_id');
SELECT make_tenant_table('decision_participants');

CREATE TABLE decision_tags (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    name            text NOT NULL CONSTRAINT decision_tags_name_format
        CHECK (length(btrim(name)) BETWEEN 1 AND 100 AND name = btrim(name)),
    color           text CONSTRAINT decision_tags_color_format CHECK (color ~ '^#[0-9a-f]{6}$'),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX decision_tags_name_key ON decision_tags (organization_id, lower(name));
SELECT make_tenant_table('decision_tags');

CREATE TABLE decision_tag_assignments (
    organization_id uuid NOT NULL,
    decision_id     uuid NOT NULL,
    tag_id          uuid NOT NULL,
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, decision_id, tag_id),
    CONSTRAINT decision_tag_assignments_decision_fk FOREIGN KEY (organization_id, decision_id)
        REFERENCES decisions (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT decision_tag_assignments_tag_fk FOREIGN KEY (organization_id, tag_id)
        REFERENCES decision_tags (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX decision_tag_assignments_tag_idx ON decision_tag_assignments (organization_id, tag_id);
SELECT make_tenant_table('decision_tag_assignments');

-- Links between decisions. A 'supersedes' link A -> B and B.superseded_by = A are one fact kept
-- on both sides by triggers; a decision is superseded by at most one other. Links are created
-- and deleted, never changed.
CREATE TABLE decision_links (
    organization_id    uuid NOT NULL,
    decision_id        uuid NOT NULL,
    target_decision_id uuid NOT NULL,
    link_type          text NOT NULL DEFAULT 'related'
        CONSTRAINT decision_links_type_valid CHECK (link_type IN ('related', 'supersedes', 'depends_on')),
    created_by         uuid REFERENCES users ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, decision_id, target_decision_id),
    CONSTRAINT decision_links_not_self CHECK (decision_id <> target_decision_id),
    CONSTRAINT decision_links_decision_fk FOREIGN KEY (organization_id, decision_id)
        REFERENCES decisions (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT decision_links_target_fk FOREIGN KEY (organization_id, target_decision_id)
        REFERENCES decisions (organization_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX decision_links_one_superseder ON decision_links (organization_id, target_decision_id)
    WHERE link_type = 'supersedes';
CREATE INDEX decision_links_target_idx ON decision_links (organization_id, target_decision_id);
CREATE TRIGGER decision_links_immutable BEFORE UPDATE ON decision_links
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('decision_id', 'target_decision_id', 'link_type');
SELECT make_tenant_table('decision_links');

-- link -> decision: a supersedes link marks its target superseded; removing it un-supersedes.
CREATE FUNCTION mediabase.decision_links_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.link_type = 'supersedes' THEN
        UPDATE mediabase.decisions SET superseded_by = NEW.decision_id
         WHERE organization_id = NEW.organization_id AND id = NEW.target_decision_id
           AND superseded_by IS DISTINCT FROM NEW.decision_id;
    ELSIF TG_OP = 'DELETE' AND OLD.link_type = 'supersedes' THEN
        UPDATE mediabase.decisions SET superseded_by = NULL
         WHERE organization_id = OLD.organization_id AND id = OLD.target_decision_id
           AND superseded_by = OLD.decision_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER decision_links_sync AFTER INSERT OR DELETE ON decision_links
    FOR EACH ROW EXECUTE FUNCTION decision_links_sync();

-- decision -> link: setting or clearing superseded_by keeps the supersedes link in step.
CREATE FUNCTION mediabase.decisions_sync_links() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.superseded_by IS NOT NULL
       AND OLD.superseded_by IS DISTINCT FROM NEW.superseded_by THEN
        DELETE FROM mediabase.decision_links
         WHERE organization_id = NEW.organization_id AND decision_id = OLD.superseded_by
           AND target_decision_id = NEW.id AND link_type = 'supersedes';
    END IF;
    IF NEW.superseded_by IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.superseded_by IS DISTINCT FROM NEW.superseded_by) THEN
        -- an older link between the two (related, depends_on) becomes the supersedes link
        DELETE FROM mediabase.decision_links
         WHERE organization_id = NEW.organization_id AND decision_id = NEW.superseded_by
           AND target_decision_id = NEW.id AND link_type <> 'supersedes';
        INSERT INTO mediabase.decision_links (organization_id, decision_id, target_decision_id, link_type, created_by)
        VALUES (NEW.organization_id, NEW.superseded_by, NEW.id, 'supersedes', mediabase.current_user_id())
        ON CONFLICT (organization_id, decision_id, target_decision_id) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER decisions_sync_links AFTER INSERT OR UPDATE OF superseded_by ON decisions
    FOR EACH ROW EXECUTE FUNCTION decisions_sync_links();

CREATE TABLE decision_subscriptions (
    organization_id uuid NOT NULL,
    user_id         uuid NOT NULL,
    tag_id          uuid NOT NULL,
    frequency       text NOT NULL DEFAULT 'instant'
        CONSTRAINT decision_subscriptions_frequency_valid CHECK (frequency IN ('instant', 'daily', 'weekly')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id, tag_id),
    CONSTRAINT decision_subscriptions_member_fk FOREIGN KEY (organization_id, user_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE CASCADE,
    CONSTRAINT decision_subscriptions_tag_fk FOREIGN KEY (organization_id, tag_id)
        REFERENCES decision_tags (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX decision_subscriptions_tag_idx ON decision_subscriptions (organization_id, tag_id);
SELECT make_tenant_table('decision_subscriptions');

-- The edit trail: one row per changed field, with old and new value and who changed it. Only
-- triggers write it (the app role may read it); a caller cannot forget it.
CREATE TABLE decision_edits (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    decision_id     uuid NOT NULL,
    user_id         uuid REFERENCES users ON DELETE SET NULL,
    field           text NOT NULL CONSTRAINT decision_edits_field_valid CHECK (field IN (
                        'summary', 'context', 'source', 'video_id', 'position_ms', 'status', 'decided_at',
                        'superseded_by', 'tags', 'participants', 'links')),
    old_value       text,
    new_value       text,
    edited_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT decision_edits_changed CHECK (old_value IS DISTINCT FROM new_value),
    CONSTRAINT decision_edits_decision_fk FOREIGN KEY (organization_id, decision_id)
        REFERENCES decisions (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX decision_edits_decision_idx ON decision_edits (organization_id, decision_id, edited_at, id);
SELECT make_tenant_table('decision_edits');
REVOKE INSERT, UPDATE, DELETE ON decision_edits FROM mediabase_app;

CREATE FUNCTION mediabase.decision_trail() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    o jsonb := to_jsonb(OLD);
    n jsonb := to_jsonb(NEW);
BEGIN
    INSERT INTO decision_edits (organization_id, decision_id, user_id, field, old_value, new_value)
    SELECT NEW.organization_id, NEW.id, current_user_id(), f, o->>f, n->>f
      FROM unnest(ARRAY['summary', 'context', 'source', 'video_id', 'position_ms', 'status', 'decided_at',
                        'superseded_by']) WITH ORDINALITY AS t (f, i)
     WHERE o->f IS DISTINCT FROM n->f
     ORDER BY i;
    RETURN NULL;
END
$$;
CREATE TRIGGER decisions_trail AFTER UPDATE ON decisions FOR EACH ROW EXECUTE FUNCTION decision_trail();

-- Tags, participants and links are fields of a decision too: adding one is (NULL -> value),
-- removing one (value -> NULL).
CREATE FUNCTION mediabase.decision_trail_members() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    r        record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    decision uuid;
    field    text;
    label    text;
BEGIN
    IF TG_TABLE_NAME = 'decision_tag_assignments' THEN
        decision := r.decision_id;
        field := 'tags';
        SELECT t.name INTO label FROM decision_tags t WHERE t.organization_id = r.organization_id AND t.id = r.tag_id;
        label := coalesce(label, r.tag_id::text);
    ELSIF TG_TABLE_NAME = 'decision_participants' THEN
        decision := r.decision_id;
        field := 'participants';
        IF r.user_id IS NOT NULL THEN
            SELECT u.username INTO label FROM users u WHERE u.id = r.user_id;
            label := 'user:' || coalesce(label, r.user_id::text);
        ELSE
            SELECT p.name INTO label FROM people p WHERE p.organization_id = r.organization_id AND p.id = r.person_id;
            label := 'person:' || coalesce(label, r.person_id::text);
        END IF;
    ELSE
        decision := r.decision_id;
        field := 'links';
        label := r.link_type || ' ' || r.target_decision_id;
    END IF;
    -- nothing when the decision is gone (a cascade) or was created in this transaction (its
    -- tags and participants are part of its creation, which the audit log records)
    IF NOT EXISTS (SELECT FROM decisions d WHERE d.organization_id = r.organization_id AND d.id = decision
                      AND d.created_at <> now()) THEN
        RETURN NULL;
    END IF;
    INSERT INTO decision_edits (organization_id, decision_id, user_id, field, old_value, new_value)
    VALUES (r.organization_id, decision, current_user_id(), field,
            CASE WHEN TG_OP = 'DELETE' THEN label END, CASE WHEN TG_OP = 'INSERT' THEN label END);
    RETURN NULL;
END
$$;
CREATE TRIGGER decision_tag_assignments_trail AFTER INSERT OR DELETE ON decision_tag_assignments
    FOR EACH ROW EXECUTE FUNCTION decision_trail_members();
CREATE TRIGGER decision_participants_trail AFTER INSERT OR DELETE ON decision_participants
    FOR EACH ROW EXECUTE FUNCTION decision_trail_members();
CREATE TRIGGER decision_links_trail AFTER INSERT OR DELETE ON decision_links
    FOR EACH ROW EXECUTE FUNCTION decision_trail_members();

-- -- AI topics and action items -------------------------------------------------------------------

-- The trend rule (docs/collab.md): recent = current mentions in the last 28 days, previous =
-- those in the 28 days before; score = round(100 * (recent - previous) / (recent + previous)),
-- -100 when neither window has any (the topic has faded), so always in [-100, 100].
CREATE FUNCTION mediabase.topic_trend_score(recent bigint, previous bigint) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN recent + previous = 0 THEN -100
                ELSE round(100.0 * (recent - previous) / (recent + previous))::smallint END;

-- Organization-wide topics, one per normalized name. The counters and the trend are derived
-- from ai_topic_mentions by refresh_topics() (a trigger calls it); the app role may not write them.
CREATE TABLE ai_topics (
    organization_id    uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                 uuid NOT NULL DEFAULT new_id(),
    name               text NOT NULL CONSTRAINT ai_topics_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    normalized_name    text NOT NULL GENERATED ALWAYS AS (lower(regexp_replace(btrim(name), '\s+', ' ', 'g'))) STORED,
    description        text CONSTRAINT ai_topics_description_length CHECK (length(description) <= 5000),
    keywords           text[] NOT NULL DEFAULT '{}' CONSTRAINT ai_topics_keywords_size CHECK (cardinality(keywords) <= 100),
    mention_count      integer NOT NULL DEFAULT 0 CONSTRAINT ai_topics_mention_count_nonnegative CHECK (mention_count >= 0),
    video_count        integer NOT NULL DEFAULT 0 CONSTRAINT ai_topics_video_count_range
        CHECK (video_count >= 0 AND video_count <= mention_count),
    first_mentioned_at timestamptz,
    last_mentioned_at  timestamptz,
    trend_score        smallint NOT NULL DEFAULT 0 CONSTRAINT ai_topics_trend_score_range CHECK (trend_score BETWEEN -100 AND 100),
    trend              text NOT NULL GENERATED ALWAYS AS (
                           CASE WHEN trend_score >= 25 THEN 'rising' WHEN trend_score <= -25 THEN 'declining'
                                ELSE 'stable' END) STORED,
    trend_computed_at  timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT ai_topics_normalized_name_key UNIQUE (organization_id, normalized_name),
    CONSTRAINT ai_topics_mentioned_when_counted CHECK ((mention_count = 0) = (first_mentioned_at IS NULL)
                                                       AND (mention_count = 0) = (last_mentioned_at IS NULL)),
    CONSTRAINT ai_topics_first_before_last CHECK (first_mentioned_at <= last_mentioned_at)
);
CREATE INDEX ai_topics_trend_idx ON ai_topics (organization_id, trend, trend_score DESC);
CREATE INDEX ai_topics_last_mentioned_idx ON ai_topics (organization_id, last_mentioned_at DESC NULLS LAST);
CREATE TRIGGER ai_topics_touch BEFORE UPDATE ON ai_topics FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
SELECT make_tenant_table('ai_topics');
REVOKE INSERT, UPDATE ON ai_topics FROM mediabase_app;
GRANT INSERT (organization_id, id, name, description, keywords) ON ai_topics TO mediabase_app;
GRANT UPDATE (name, description, keywords) ON ai_topics TO mediabase_app;

-- Where a topics layer found a topic in a video. mentioned_at is when it was said: the video's
-- recorded_at (or created_at) plus start_ms, unless given.
CREATE TABLE ai_topic_mentions (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    topic_id        uuid NOT NULL,
    video_id        uuid NOT NULL,
    layer_id        uuid NOT NULL,
    layer_kind      text NOT NULL DEFAULT 'topics' CONSTRAINT ai_topic_mentions_layer_kind CHECK (layer_kind = 'topics'),
    start_ms        bigint,
    end_ms          bigint,
    mentioned_at    timestamptz NOT NULL,
    relevance       smallint CONSTRAINT ai_topic_mentions_relevance_range CHECK (relevance BETWEEN 0 AND 100),
    excerpt         text CONSTRAINT ai_topic_mentions_excerpt_length CHECK (length(excerpt) <= 5000),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT ai_topic_mentions_times_valid CHECK (0 <= start_ms AND start_ms <= end_ms),
    CONSTRAINT ai_topic_mentions_end_needs_start CHECK (end_ms IS NULL OR start_ms IS NOT NULL),
    CONSTRAINT ai_topic_mentions_topic_fk FOREIGN KEY (organization_id, topic_id)
        REFERENCES ai_topics (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT ai_topic_mentions_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT ai_topic_mentions_layer_fk FOREIGN KEY (organization_id, layer_id, video_id, layer_kind)
        REFERENCES ai_layers (organization_id, id, video_id, kind) ON DELETE CASCADE
);
CREATE INDEX ai_topic_mentions_topic_idx ON ai_topic_mentions (organization_id, topic_id, mentioned_at);
CREATE INDEX ai_topic_mentions_layer_idx ON ai_topic_mentions (organization_id, layer_id);
CREATE INDEX ai_topic_mentions_video_idx ON ai_topic_mentions (organization_id, video_id, start_ms);
CREATE TRIGGER ai_topic_mentions_within_video BEFORE INSERT OR UPDATE OF start_ms, end_ms ON ai_topic_mentions
    FOR EACH ROW EXECUTE FUNCTION check_positions_within_video('start_ms', 'end_ms');
SELECT make_tenant_table('ai_topic_mentions');

CREATE FUNCTION mediabase.ai_topic_mentions_when() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.mentioned_at IS NULL THEN
        SELECT coalesce(v.recorded_at, v.created_at) + make_interval(secs => coalesce(NEW.start_ms, 0) / 1000.0::double precision)
          INTO NEW.mentioned_at
          FROM mediabase.videos v WHERE v.organization_id = NEW.organization_id AND v.id = NEW.video_id;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER ai_topic_mentions_when BEFORE INSERT ON ai_topic_mentions
    FOR EACH ROW EXECUTE FUNCTION ai_topic_mentions_when();

-- Recompute the counters and the trend of topics from their current mentions (those whose
-- layer is ready), as of now(). topic_ids NULL: every topic of org (org NULL: of every org).
CREATE FUNCTION mediabase.refresh_topics(org uuid, topic_ids uuid[] DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    WITH stats AS (
        SELECT t.organization_id, t.id,
               count(m.id) AS mentions,
               count(DISTINCT m.video_id) AS videos,
               min(m.mentioned_at) AS first_at,
               max(m.mentioned_at) AS last_at,
               count(m.id) FILTER (WHERE m.mentioned_at > now() - interval '28 days') AS recent,
               count(m.id) FILTER (WHERE m.mentioned_at > now() - interval '56 days'
                                     AND m.mentioned_at <= now() - interval '28 days') AS previous
          FROM ai_topics t
          LEFT JOIN (ai_topic_mentions m JOIN ai_layers l
                       ON l.organization_id = m.organization_id AND l.id = m.layer_id AND l.status = 'ready')
            ON m.organization_id = t.organization_id AND m.topic_id = t.id
         WHERE (org IS NULL OR t.organization_id = org) AND (topic_ids IS NULL OR t.id = ANY (topic_ids))
         GROUP BY t.organization_id, t.id
    )
    UPDATE ai_topics t
       SET mention_count = s.mentions, video_count = s.videos,
           first_mentioned_at = s.first_at, last_mentioned_at = s.last_at,
           trend_score = topic_trend_score(s.recent, s.previous), trend_computed_at = now()
      FROM stats s
     WHERE t.organization_id = s.organization_id AND t.id = s.id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- The same for the current tenant only: what the API and the CLI call (trends age with time).
CREATE FUNCTION mediabase.refresh_tenant_topics() RETURNS integer
    LANGUAGE sql SECURITY DEFINER SET search_path = mediabase, pg_temp
    RETURN CASE WHEN current_org_id() IS NULL THEN 0 ELSE refresh_topics(current_org_id()) END;

CREATE FUNCTION mediabase.ai_topic_mentions_refresh() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    g record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR g IN SELECT organization_id, array_agg(DISTINCT topic_id) AS ids FROM new_rows GROUP BY 1 LOOP
            PERFORM refresh_topics(g.organization_id, g.ids);
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR g IN SELECT organization_id, array_agg(DISTINCT topic_id) AS ids FROM old_rows GROUP BY 1 LOOP
            PERFORM refresh_topics(g.organization_id, g.ids);
        END LOOP;
    ELSE
        FOR g IN SELECT organization_id, array_agg(DISTINCT topic_id) AS ids
                   FROM (SELECT organization_id, topic_id FROM new_rows
                         UNION ALL SELECT organization_id, topic_id FROM old_rows) x GROUP BY 1 LOOP
            PERFORM refresh_topics(g.organization_id, g.ids);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ai_topic_mentions_refresh_ins AFTER INSERT ON ai_topic_mentions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ai_topic_mentions_refresh();
CREATE TRIGGER ai_topic_mentions_refresh_upd AFTER UPDATE ON ai_topic_mentions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ai_topic_mentions_refresh();
CREATE TRIGGER ai_topic_mentions_refresh_del AFTER DELETE ON ai_topic_mentions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ai_topic_mentions_refresh();

-- A topics layer that becomes (or stops being) current changes which mentions count.
CREATE FUNCTION mediabase.ai_layers_refresh_topics() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    ids uuid[];
BEGIN
    SELECT array_agg(DISTINCT topic_id) INTO ids FROM ai_topic_mentions
     WHERE organization_id = NEW.organization_id AND layer_id = NEW.id;
    IF ids IS NOT NULL THEN
        PERFORM refresh_topics(NEW.organization_id, ids);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ai_layers_refresh_topics AFTER UPDATE OF status ON ai_layers
    FOR EACH ROW WHEN (NEW.kind = 'topics' AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION ai_layers_refresh_topics();

-- Action items: status pending | in_progress | completed | cancelled; completed_at and
-- completed_by are set exactly while completed (a trigger stamps and clears them).
CREATE TABLE ai_action_items (
    organization_id  uuid NOT NULL,
    id               uuid NOT NULL DEFAULT new_id(),
    video_id         uuid NOT NULL,
    layer_id         uuid,
    layer_kind       text NOT NULL DEFAULT 'action_items'
        CONSTRAINT ai_action_items_layer_kind CHECK (layer_kind = 'action_items'),
    title            text NOT NULL CONSTRAINT ai_action_items_title_length CHECK (length(btrim(title)) BETWEEN 1 AND 500),
    description      text CONSTRAINT ai_action_items_description_length CHECK (length(description) <= 10000),
    assignee         text CONSTRAINT ai_action_items_assignee_length CHECK (length(btrim(assignee)) BETWEEN 1 AND 200),
    assignee_user_id uuid,
    status           text NOT NULL DEFAULT 'pending'
        CONSTRAINT ai_action_items_status_valid CHECK (status IN ('pending', 'in_progress', 'completed', 'cancelled')),
    priority         text NOT NULL DEFAULT 'medium'
        CONSTRAINT ai_action_items_priority_valid CHECK (priority IN ('high', 'medium', 'low')),
    due_date         date,
    completed_at     timestamptz,
    completed_by     uuid REFERENCES users ON DELETE SET NULL,
    start_ms         bigint,
    end_ms           bigint,
    confidence       smallint CONSTRAINT ai_action_items_confidence_range CHECK (confidence BETWEEN 0 AND 100),
    extracted_from   text CONSTRAINT ai_action_items_extracted_from_length CHECK (length(extracted_from) <= 5000),
    created_by       uuid REFERENCES users ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT ai_action_items_completed_consistent CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
    CONSTRAINT ai_action_items_completed_by_only_when_completed CHECK (status = 'completed' OR completed_by IS NULL),
    CONSTRAINT ai_action_items_times_valid CHECK (0 <= start_ms AND start_ms <= end_ms),
    CONSTRAINT ai_action_items_end_needs_start CHECK (end_ms IS NULL OR start_ms IS NOT NULL),
    CONSTRAINT ai_action_items_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT ai_action_items_layer_fk FOREIGN KEY (organization_id, layer_id, video_id, layer_kind)
        REFERENCES ai_layers (organization_id, id, video_id, kind) ON DELETE CASCADE,
    CONSTRAINT ai_action_items_assignee_fk FOREIGN KEY (organization_id, assignee_user_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE SET NULL (assignee_user_id)
);
CREATE INDEX ai_action_items_status_idx ON ai_action_items (organization_id, status, priority, due_date);
CREATE INDEX ai_action_items_video_idx ON ai_action_items (organization_id, video_id, start_ms);
CREATE INDEX ai_action_items_assignee_idx ON ai_action_items (organization_id, assignee_user_id, status)
    WHERE assignee_user_id IS NOT NULL;
CREATE INDEX ai_action_items_layer_idx ON ai_action_items (organization_id, layer_id) WHERE layer_id IS NOT NULL;
CREATE TRIGGER ai_action_items_touch BEFORE UPDATE ON ai_action_items FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER ai_action_items_within_video BEFORE INSERT OR UPDATE OF start_ms, end_ms ON ai_action_items
    FOR EACH ROW EXECUTE FUNCTION check_positions_within_video('start_ms', 'end_ms');
CREATE TRIGGER ai_action_items_immutable BEFORE UPDATE ON ai_action_items
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('video_id', 'layer_id', 'created_by', 'created_at');
SELECT make_tenant_table('ai_action_items');

CREATE FUNCTION mediabase.ai_action_items_completion() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'completed' AND (TG_OP = 'INSERT' OR OLD.status <> 'completed') THEN
        NEW.completed_at := coalesce(NEW.completed_at, now());
        NEW.completed_by := coalesce(NEW.completed_by, mediabase.current_user_id());
    ELSIF NEW.status <> 'completed' THEN
        NEW.completed_at := NULL;
        NEW.completed_by := NULL;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER ai_action_items_completion BEFORE INSERT OR UPDATE OF status ON ai_action_items
    FOR EACH ROW EXECUTE FUNCTION ai_action_items_completion();

-- -- notifications ------------------------------------------------------------------------------

-- Who needs to hear about something, written by triggers (replies, mentions, comments on one's
-- video, decisions under a subscribed tag, assigned action items). A member sees only their own.
CREATE TABLE notifications (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    user_id         uuid NOT NULL,
    kind            text NOT NULL CONSTRAINT notifications_kind_valid CHECK (kind IN (
                        'reply', 'mention', 'comment', 'decision', 'action_item')),
    actor_id        uuid REFERENCES users ON DELETE SET NULL,
    video_id        uuid,
    comment_id      uuid,
    decision_id     uuid,
    action_item_id  uuid,
    tag_id          uuid,
    title           text NOT NULL CONSTRAINT notifications_title_length CHECK (length(title) BETWEEN 1 AND 1000),
    delivery        text NOT NULL DEFAULT 'instant'
        CONSTRAINT notifications_delivery_valid CHECK (delivery IN ('instant', 'daily', 'weekly')),
    dedupe_key      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    read_at         timestamptz,
    PRIMARY KEY (organization_id, id),
    CONSTRAINT notifications_subject CHECK (CASE kind WHEN 'decision' THEN decision_id IS NOT NULL
                                                      WHEN 'action_item' THEN action_item_id IS NOT NULL
                                                      ELSE comment_id IS NOT NULL END),
    CONSTRAINT notifications_member_fk FOREIGN KEY (organization_id, user_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE CASCADE,
    CONSTRAINT notifications_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT notifications_comment_fk FOREIGN KEY (organization_id, comment_id)
        REFERENCES comments (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT notifications_decision_fk FOREIGN KEY (organization_id, decision_id)
        REFERENCES decisions (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT notifications_action_item_fk FOREIGN KEY (organization_id, action_item_id)
        REFERENCES ai_action_items (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT notifications_tag_fk FOREIGN KEY (organization_id, tag_id)
        REFERENCES decision_tags (organization_id, id) ON DELETE SET NULL (tag_id)
);
CREATE INDEX notifications_user_idx ON notifications (organization_id, user_id, created_at DESC);
CREATE INDEX notifications_unread_idx ON notifications (organization_id, user_id, created_at DESC) WHERE read_at IS NULL;
CREATE UNIQUE INDEX notifications_dedupe_key ON notifications (organization_id, user_id, dedupe_key)
    WHERE dedupe_key IS NOT NULL;
SELECT make_tenant_table('notifications');
CREATE POLICY own_rows ON notifications AS RESTRICTIVE
    USING (user_id = (SELECT current_user_id())) WITH CHECK (user_id = (SELECT current_user_id()));

CREATE FUNCTION mediabase.actor_name(uid uuid) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp
    RETURN coalesce((SELECT coalesce(u.display_name, u.username) FROM users u WHERE u.id = uid), 'someone');
REVOKE EXECUTE ON FUNCTION mediabase.actor_name(uuid) FROM PUBLIC, mediabase_app;

CREATE FUNCTION mediabase.notify_comment() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    who   text := actor_name(NEW.author_id);
    vtitle text;
BEGIN
    SELECT v.title INTO vtitle FROM videos v WHERE v.organization_id = NEW.organization_id AND v.id = NEW.video_id;
    -- the author of the comment replied to
    INSERT INTO notifications (organization_id, user_id, kind, actor_id, video_id, comment_id, title, dedupe_key)
    SELECT NEW.organization_id, p.author_id, 'reply', NEW.author_id, NEW.video_id, NEW.id,
           left(format('%s replied to your comment on "%s"', who, vtitle), 1000), 'comment:' || NEW.id
      FROM comments p JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = p.author_id
     WHERE NEW.parent_id IS NOT NULL AND p.organization_id = NEW.organization_id AND p.id = NEW.parent_id
       AND p.author_id IS DISTINCT FROM NEW.author_id
    ON CONFLICT DO NOTHING;
    -- members named as @username
    INSERT INTO notifications (organization_id, user_id, kind, actor_id, video_id, comment_id, title, dedupe_key)
    SELECT DISTINCT NEW.organization_id, u.id, 'mention', NEW.author_id, NEW.video_id, NEW.id,
           left(format('%s mentioned you on "%s"', who, vtitle), 1000), 'comment:' || NEW.id
      FROM regexp_matches(NEW.body, '(?:^|[^A-Za-z0-9_.@-])@([A-Za-z0-9][A-Za-z0-9_.-]{1,39})', 'g') AS mm (g)
      JOIN users u ON lower(u.username) = lower(mm.g[1])
      JOIN memberships m ON m.organization_id = NEW.organization_id AND m.user_id = u.id
     WHERE u.id IS DISTINCT FROM NEW.author_id
    ON CONFLICT DO NOTHING;
    -- the video's author hears of new threads on it
    INSERT INTO notifications (organization_id, user_id, kind, actor_id, video_id, comment_id, title, dedupe_key)
    SELECT NEW.organization_id, v.author_id, 'comment', NEW.author_id, NEW.video_id, NEW.id,
           left(format('%s commented on "%s"', who, vtitle), 1000), 'comment:' || NEW.id
      FROM videos v JOIN memberships m ON m.organization_id = v.organization_id AND m.user_id = v.author_id
     WHERE NEW.parent_id IS NULL AND v.organization_id = NEW.organization_id AND v.id = NEW.video_id
       AND v.author_id IS DISTINCT FROM NEW.author_id
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER comments_notify AFTER INSERT ON comments FOR EACH ROW EXECUTE FUNCTION notify_comment();

CREATE FUNCTION mediabase.notify_decision_tagged() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    INSERT INTO notifications (organization_id, user_id, kind, actor_id, video_id, decision_id, tag_id, title,
                               delivery, dedupe_key)
    SELECT NEW.organization_id, s.user_id, 'decision', current_user_id(), d.video_id, d.id, t.id,
           left(format('Decision under #%s: %s', t.name, d.summary), 1000), s.frequency, 'decision:' || d.id
      FROM decision_subscriptions s
      JOIN decision_tags t ON t.organization_id = s.organization_id AND t.id = s.tag_id
      JOIN decisions d ON d.organization_id = NEW.organization_id AND d.id = NEW.decision_id
     WHERE s.organization_id = NEW.organization_id AND s.tag_id = NEW.tag_id
       AND s.user_id IS DISTINCT FROM current_user_id()
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER decision_tag_assignments_notify AFTER INSERT ON decision_tag_assignments
    FOR EACH ROW EXECUTE FUNCTION notify_decision_tagged();

CREATE FUNCTION mediabase.notify_action_item_assigned() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    IF NEW.assignee_user_id IS NOT NULL AND NEW.assignee_user_id IS DISTINCT FROM current_user_id()
       AND (TG_OP = 'INSERT' OR NEW.assignee_user_id IS DISTINCT FROM OLD.assignee_user_id) THEN
        INSERT INTO notifications (organization_id, user_id, kind, actor_id, video_id, action_item_id, title)
        VALUES (NEW.organization_id, NEW.assignee_user_id, 'action_item', current_user_id(), NEW.video_id, NEW.id,
                left(format('%s assigned you: %s', actor_name(current_user_id()), NEW.title), 1000));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ai_action_items_notify AFTER INSERT OR UPDATE OF assignee_user_id ON ai_action_items
    FOR EACH ROW EXECUTE FUNCTION notify_action_item_assigned();

-- -- positions and video durations --------------------------------------------------------------

-- A video's duration may not shrink below what its comments, moments, clips, quote cards,
-- decisions, action items and topic mentions point at.
CREATE FUNCTION mediabase.check_video_duration_covers_collab() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    latest bigint;
BEGIN
    IF NEW.duration_ms IS NOT NULL AND NEW.duration_ms IS DISTINCT FROM OLD.duration_ms THEN
        SELECT max(x) INTO latest FROM (
            SELECT max(position_ms) FROM mediabase.comments WHERE organization_id = NEW.organization_id AND video_id = NEW.id
            UNION ALL SELECT max(end_ms) FROM mediabase.video_moments WHERE organization_id = NEW.organization_id AND video_id = NEW.id
            UNION ALL SELECT max(end_ms) FROM mediabase.video_clips WHERE organization_id = NEW.organization_id AND video_id = NEW.id
            UNION ALL SELECT max(greatest(start_ms, end_ms)) FROM mediabase.quote_cards WHERE organization_id = NEW.organization_id AND video_id = NEW.id
            UNION ALL SELECT max(position_ms) FROM mediabase.decisions WHERE organization_id = NEW.organization_id AND video_id = NEW.id
            UNION ALL SELECT max(greatest(start_ms, end_ms)) FROM mediabase.ai_action_items WHERE organization_id = NEW.organization_id AND video_id = NEW.id
            UNION ALL SELECT max(greatest(start_ms, end_ms)) FROM mediabase.ai_topic_mentions WHERE organization_id = NEW.organization_id AND video_id = NEW.id
        ) AS t (x);
        IF latest > NEW.duration_ms THEN
            RAISE EXCEPTION 'duration % ms is shorter than a position on the video (% ms)', NEW.duration_ms, latest
                USING ERRCODE = 'check_violation', CONSTRAINT = 'videos_duration_covers_positions';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER videos_duration_covers_collab BEFORE UPDATE OF duration_ms ON videos
    FOR EACH ROW EXECUTE FUNCTION check_video_duration_covers_collab();

-- -- audit log ------------------------------------------------------------------------------------

-- Every write to organization data, with who, when, what, before and after. Partitioned by
-- month on occurred_at; the DEFAULT partition catches months not created yet, so a write never
-- fails for lack of one (ensure_audit_partitions creates months ahead). The app role may read
-- its tenant's rows (row-level security) and nothing else; rows never change once written.
CREATE TABLE audit_log (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    txid            bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    actor_id        uuid,
    table_name      text NOT NULL,
    action          text NOT NULL CONSTRAINT audit_log_action_valid CHECK (action IN ('INSERT', 'UPDATE', 'DELETE')),
    row_id          uuid,
    changed         text[],
    before          jsonb,
    after           jsonb,
    PRIMARY KEY (organization_id, occurred_at, id),
    CONSTRAINT audit_log_images CHECK (CASE action WHEN 'INSERT' THEN before IS NULL AND after IS NOT NULL
                                                   WHEN 'DELETE' THEN before IS NOT NULL AND after IS NULL
                                                   ELSE before IS NOT NULL AND after IS NOT NULL END)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX audit_log_row_idx ON audit_log (organization_id, table_name, row_id, occurred_at);
CREATE INDEX audit_log_actor_idx ON audit_log (organization_id, actor_id, occurred_at);
CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;
SELECT make_tenant_table('audit_log');
REVOKE ALL ON audit_log FROM mediabase_app;
GRANT SELECT ON audit_log TO mediabase_app;
-- row-level security is checked on the parent only: the app role never reads a partition
REVOKE ALL ON audit_log_default FROM mediabase_app;

-- Rows never change; they go only with their month's partition (prune_audit_partitions) or,
-- while moving out of the DEFAULT partition, inside create_audit_partition.
CREATE FUNCTION mediabase.audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('mediabase.audit_maintenance', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The row trigger. Arguments: columns whose values are never copied (secrets; a change is
-- still named in `changed`), columns whose change alone is not worth a row (last_used_at,
-- view_count …), and columns left out altogether (generated search vectors).
CREATE FUNCTION mediabase.audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    redact  text[] := CASE WHEN TG_NARGS > 0 THEN TG_ARGV[0]::text[] ELSE '{}' END;
    quiet   text[] := CASE WHEN TG_NARGS > 1 THEN TG_ARGV[1]::text[] ELSE '{}' END;
    omit    text[] := CASE WHEN TG_NARGS > 2 THEN TG_ARGV[2]::text[] ELSE '{}' END;
    o       jsonb;
    n       jsonb;
    changed text[];
    r       jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        o := to_jsonb(OLD) - omit;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        n := to_jsonb(NEW) - omit;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(k ORDER BY k) INTO changed
          FROM jsonb_each(n) AS e (k, v) WHERE v IS DISTINCT FROM o->k AND k <> 'updated_at';
        IF changed IS NULL OR changed <@ quiet THEN
            RETURN NULL;
        END IF;
    END IF;
    r := coalesce(n, o);
    INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, changed, before, after)
    VALUES (CASE WHEN TG_TABLE_NAME = 'organizations' THEN (r->>'id')::uuid ELSE (r->>'organization_id')::uuid END,
            current_user_id(), TG_TABLE_NAME, TG_OP,
            CASE WHEN jsonb_typeof(r->'id') = 'string' THEN (r->>'id')::uuid END,
            changed, o - redact, n - redact);
    RETURN NULL;
END
$$;

-- transcript_segments are written in bulk (COPY of whole transcripts): one row per statement
-- and transcript summarises them (count, seq range) instead of one row per segment.
CREATE FUNCTION mediabase.audit_segments() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, before)
        SELECT organization_id, current_user_id(), 'transcript_segments', 'DELETE', transcript_id,
               jsonb_build_object('transcript_id', transcript_id, 'video_id', video_id, 'segments', count(*),
                                  'first_seq', min(seq), 'last_seq', max(seq))
          FROM old_rows GROUP BY organization_id, transcript_id, video_id;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, after)
        SELECT organization_id, current_user_id(), 'transcript_segments', 'INSERT', transcript_id,
               jsonb_build_object('transcript_id', transcript_id, 'video_id', video_id, 'segments', count(*),
                                  'first_seq', min(seq), 'last_seq', max(seq))
          FROM new_rows GROUP BY organization_id, transcript_id, video_id;
    ELSE
        INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, before, after)
        SELECT organization_id, current_user_id(), 'transcript_segments', 'UPDATE', transcript_id,
               jsonb_build_object('transcript_id', transcript_id, 'segments', count(*)),
               jsonb_build_object('transcript_id', transcript_id, 'segments', count(*),
                                  'first_seq', min(seq), 'last_seq', max(seq))
          FROM new_rows GROUP BY organization_id, transcript_id;
    END IF;
    RETURN NULL;
END
$$;

-- Attach the audit trigger to a tenant table (later migrations call it for their tables).
CREATE FUNCTION mediabase.audit_table(tbl regclass, redact text[] DEFAULT '{}', quiet text[] DEFAULT '{}',
                                      omit text[] DEFAULT '{search_vector,search_tags}')
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER zz_audit AFTER INSERT OR UPDATE OR DELETE ON %s'
                   ' FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row(%L, %L, %L)', tbl, redact, quiet, omit);
END
$$;

-- 0002, 0004, 0005 (0003's jobs are queue state: docs/collab.md lists what is not audited)
SELECT audit_table(t::regclass)
  FROM unnest(ARRAY['organizations', 'memberships', 'channels', 'series', 'collections', 'videos', 'video_tags',
                    'video_progress', 'people', 'speakers', 'transcripts']) AS t;
SELECT audit_table('api_keys', '{secret_sha256}', '{last_used_at}');
CREATE TRIGGER zz_audit_ins AFTER INSERT ON transcript_segments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_segments();
CREATE TRIGGER zz_audit_upd AFTER UPDATE ON transcript_segments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_segments();
CREATE TRIGGER zz_audit_del AFTER DELETE ON transcript_segments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_segments();
-- 0007
SELECT audit_table(t::regclass)
  FROM unnest(ARRAY['ai_layers', 'ai_summaries', 'comments', 'comment_reactions', 'video_moments', 'video_clips',
                    'highlight_reels', 'highlight_reel_clips', 'quote_cards', 'decisions', 'decision_participants',
                    'decision_tags', 'decision_tag_assignments', 'decision_links', 'decision_subscriptions',
                    'ai_topic_mentions', 'ai_action_items', 'notifications']) AS t;
SELECT audit_table('share_links', '{token_sha256,password_hash}', '{view_count,last_viewed_at}');
SELECT audit_table('ai_topics', '{}',
                   '{mention_count,video_count,first_mentioned_at,last_mentioned_at,trend_score,trend,trend_computed_at}');

-- -- audit partitions (the jobs table's pattern, 0003) -------------------------------------------

CREATE FUNCTION mediabase.create_audit_partition(month date) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp SET lock_timeout = '5s' AS $$
DECLARE
    lo   timestamptz := date_trunc('month', month::timestamp) AT TIME ZONE 'UTC';
    hi   timestamptz := (date_trunc('month', month::timestamp) + interval '1 month') AT TIME ZONE 'UTC';
    name text := 'audit_log_' || to_char(month, 'YYYY_MM');
BEGIN
    IF to_regclass(format('mediabase.%I', name)) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE mediabase.%I (LIKE mediabase.audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    EXECUTE format('ALTER TABLE mediabase.%I ADD CONSTRAINT %I CHECK (occurred_at >= %L AND occurred_at < %L)',
                   name, name || '_bounds', lo, hi);
    IF EXISTS (SELECT 1 FROM audit_log_default WHERE occurred_at >= lo AND occurred_at < hi) THEN
        LOCK TABLE audit_log_default IN ACCESS EXCLUSIVE MODE;
        PERFORM set_config('mediabase.audit_maintenance', 'on', true);
        EXECUTE format('WITH moved AS (DELETE FROM mediabase.audit_log_default WHERE occurred_at >= %L AND occurred_at < %L'
                       ' RETURNING *) INSERT INTO mediabase.%I SELECT * FROM moved', lo, hi, name);
        PERFORM set_config('mediabase.audit_maintenance', 'off', true);
    END IF;
    EXECUTE format('ALTER TABLE mediabase.audit_log ATTACH PARTITION mediabase.%I FOR VALUES FROM (%L) TO (%L)',
                   name, lo, hi);
    EXECUTE format('ALTER TABLE mediabase.%I DROP CONSTRAINT %I', name, name || '_bounds');
    EXECUTE format('REVOKE ALL ON mediabase.%I FROM mediabase_app', name);
    RETURN true;
END
$$;

CREATE FUNCTION mediabase.audit_partitions()
    RETURNS TABLE (name text, range_from timestamptz, range_to timestamptz, est_rows bigint, is_default boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT c.relname::text,
           CASE WHEN c.relname ~ '^audit_log_\d{4}_\d{2}$'
                THEN to_date(substr(c.relname, 11), 'YYYY_MM')::timestamp AT TIME ZONE 'UTC' END,
           CASE WHEN c.relname ~ '^audit_log_\d{4}_\d{2}$'
                THEN (to_date(substr(c.relname, 11), 'YYYY_MM') + interval '1 month') AT TIME ZONE 'UTC' END,
           greatest(c.reltuples, 0)::bigint,
           pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'mediabase.audit_log'::regclass
     ORDER BY 2 NULLS FIRST
$$;

-- This month and the next months_ahead ones (idempotent; callers may race).
CREATE FUNCTION mediabase.ensure_audit_partitions(months_ahead integer DEFAULT 2) RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    m date;
BEGIN
    IF months_ahead < 0 OR months_ahead > 36 THEN
        RAISE EXCEPTION 'months_ahead must be between 0 and 36' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.audit_partitions', 0));
    FOR m IN SELECT generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
                                    date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => months_ahead),
                                    interval '1 month')::date
    LOOP
        IF create_audit_partition(m) THEN
            RETURN NEXT 'audit_log_' || to_char(m, 'YYYY_MM');
        END IF;
    END LOOP;
END
$$;

-- Retention: drops the months that ended more than keep_months ago (at least 12).
CREATE FUNCTION mediabase.prune_audit_partitions(keep_months integer DEFAULT 24) RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp SET lock_timeout = '5s' AS $$
DECLARE
    cutoff timestamptz := (date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => keep_months)) AT TIME ZONE 'UTC';
    p record;
BEGIN
    IF keep_months < 12 THEN
        RAISE EXCEPTION 'keep_months must be at least 12' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.audit_partitions', 0));
    FOR p IN SELECT * FROM audit_partitions() WHERE NOT is_default AND range_to <= cutoff LOOP
        EXECUTE format('ALTER TABLE mediabase.audit_log DETACH PARTITION mediabase.%I', p.name);
        EXECUTE format('DROP TABLE mediabase.%I', p.name);
        RETURN NEXT p.name;
    END LOOP;
END
$$;

REVOKE EXECUTE ON FUNCTION mediabase.create_audit_partition(date), mediabase.ensure_audit_partitions(integer),
    mediabase.prune_audit_partitions(integer), mediabase.audit_table(regclass, text[], text[], text[]),
    mediabase.refresh_topics(uuid, uuid[]) FROM PUBLIC, mediabase_app;
