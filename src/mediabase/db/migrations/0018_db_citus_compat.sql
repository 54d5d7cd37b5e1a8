-- 0018_db_citus_compat: a schema Citus accepts (DESIGN.md decisions 5, 10 and 15;
-- docs/scale-out.md, "Distribution"). Behaviour on plain PostgreSQL stays what it was; what
-- changes is how some rules are written, because on Citus a tenant table is split into shards
-- on other servers and a rule runs where the shard is.
--
-- 1. Policies without subqueries. `organization_id = (SELECT current_org_id())` becomes
--    `organization_id = mediabase.current_org_id()` (an inlineable STABLE SQL function: 0001's
--    body is one current_setting(…, true) cast); Citus refuses subqueries in policies.
--    users_visible (a member sees the users of their organization, and themselves) asks
--    is_current_org_member(id), a STABLE SECURITY DEFINER function, instead of an EXISTS.
-- 2. No function that ties tables together by its body: ai_row_visible(org, layer) read
--    ai_layers from inside queries on other tables; on a worker that read would see the empty
--    coordinator shell of ai_layers, not its shard. Its condition is written out where it is
--    used (views, queries); the function goes. actor_name gets a string body (a SQL-standard
--    body records a dependency on users, which Citus refuses to propagate before the table).
-- 3. ON DELETE SET NULL (column) on a composite foreign key that includes organization_id is
--    refused by Citus (it does not read the column list and will not null the distribution
--    column). Each such key becomes NO ACTION with a BEFORE DELETE trigger on the referenced
--    table that clears the column in the referencing rows of the same tenant, as the owner
--    (what the key's action did). The one ON UPDATE CASCADE (segment words follow a segment's
--    seq) becomes NO ACTION: nothing changes a segment's seq.
-- 4. Reference tables (users, oauth_accounts, organizations: replicated to every node) keep no
--    triggers: a trigger would fire on every node's copy. updated_at is set by the statements
--    that update them; an organization's audit row is written by the statements that create or
--    change it (audit_organization()). A decision's embedding job is requested by the
--    statements that write decisions (request_decision_embed()), not by a trigger: the job
--    queue stays on the coordinator, out of reach of a trigger running on a worker's shard.
--
-- The other triggers touch only rows of the same organization (docs/scale-out.md lists them):
-- on Citus they run on the shard and read or write colocated shards of the same worker.

-- -- 1. policies ---------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION mediabase.make_tenant_table(tbl regclass) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format(
        'CREATE POLICY tenant_isolation ON %s USING (organization_id = mediabase.current_org_id())'
        ' WITH CHECK (organization_id = mediabase.current_org_id())', tbl);
END
$$;

DO $$
DECLARE
    p  record;
    re CONSTANT text := '\( SELECT (mediabase\.)?(current_org_id|current_user_id)\(\) AS (current_org_id|current_user_id)\)';
BEGIN
    FOR p IN SELECT format('%I.%I', schemaname, tablename) AS tbl, policyname, qual, with_check
               FROM pg_policies
              WHERE schemaname = 'mediabase' AND policyname <> 'users_visible' AND (qual ~ re OR with_check ~ re)
    LOOP
        EXECUTE format('ALTER POLICY %I ON %s USING (%s)%s', p.policyname, p.tbl,
                       regexp_replace(p.qual, re, 'mediabase.\2()', 'g'),
                       CASE WHEN p.with_check IS NULL THEN ''
                            ELSE ' WITH CHECK (' || regexp_replace(p.with_check, re, 'mediabase.\2()', 'g') || ')' END);
    END LOOP;
END
$$;

-- Is uid a member of the transaction's organization? PL/pgSQL, so the organization is a bound
-- value when the lookup is planned (on Citus: a query routed to one shard).
CREATE FUNCTION mediabase.is_current_org_member(uid uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    org uuid := current_org_id();
BEGIN
    RETURN org IS NOT NULL AND EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = org AND m.user_id = uid);
END
$$;
GRANT EXECUTE ON FUNCTION mediabase.is_current_org_member(uuid) TO mediabase_app;

DROP POLICY users_visible ON users;
CREATE POLICY users_visible ON users FOR SELECT
    USING (id = mediabase.current_user_id() OR mediabase.is_current_org_member(id));

-- -- 2. functions that tie tables together ------------------------------------------------------

-- the views that call it are re-created from db/views/ by the same `mediabase migrate`
DROP FUNCTION mediabase.ai_row_visible(uuid, uuid) CASCADE;

-- ts_config_for (0006) is a simple CASE; inlined into a statement with a bound language, Citus
-- 14 sends its arms to the shard as `WHEN NULL::boolean` (the statement fails with
-- "operator does not exist: text = boolean"). A SET clause keeps it from being inlined; with a
-- constant argument it is still folded to its value at planning.
ALTER FUNCTION mediabase.ts_config_for(text) SET search_path = pg_catalog;

CREATE OR REPLACE FUNCTION mediabase.actor_name(uid uuid) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT coalesce((SELECT coalesce(u.display_name, u.username) FROM users u WHERE u.id = uid), 'someone')
$$;

-- -- statement triggers: transition tables read on their own ------------------------------------
-- On Citus a statement that joins a trigger's transition table (new_rows, old_rows) with a
-- distributed table fails on the shard ("executor could not find named tuplestore"): Citus plans
-- the join and ships it without the tuplestore. These functions read the transition table alone
-- (plain PostgreSQL), then touch the other tables one organization and key at a time (a statement
-- routed to the colocated shard). Same rules, same results.

-- 0005: a segment may not end after its video.
CREATE OR REPLACE FUNCTION mediabase.check_segments_within_video() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    r   record;
    dur bigint;
BEGIN
    FOR r IN SELECT s.organization_id, s.video_id, max(s.end_ms) AS end_ms,
                    (array_agg(s.seq ORDER BY s.end_ms DESC, s.seq))[1] AS seq
               FROM new_rows s GROUP BY s.organization_id, s.video_id LOOP
        SELECT v.duration_ms INTO dur FROM mediabase.videos v WHERE v.organization_id = r.organization_id AND v.id = r.video_id;
        IF dur IS NOT NULL AND r.end_ms > dur THEN
            RAISE EXCEPTION 'segment % ends at % ms, after the end of its video (% ms)', r.seq, r.end_ms, dur
                USING ERRCODE = 'check_violation', CONSTRAINT = 'transcript_segments_within_video';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- 0006: every segment is indexed with its transcript's text-search configuration.
CREATE OR REPLACE FUNCTION mediabase.check_segment_ts_config() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    r    record;
    want regconfig;
BEGIN
    FOR r IN SELECT n.organization_id, n.transcript_id, array_agg(DISTINCT n.ts_config) AS configs
               FROM new_rows n GROUP BY n.organization_id, n.transcript_id LOOP
        SELECT mediabase.ts_config_for(t.language) INTO want
          FROM mediabase.transcripts t WHERE t.organization_id = r.organization_id AND t.id = r.transcript_id;
        IF want IS NOT NULL AND r.configs <> ARRAY[want] THEN
            UPDATE mediabase.transcript_segments s SET ts_config = want
             WHERE s.organization_id = r.organization_id AND s.transcript_id = r.transcript_id AND s.ts_config <> want;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- 0006: the configurations in use per organization (and the next COPY's default).
CREATE OR REPLACE FUNCTION mediabase.note_transcript_configs() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    configs regconfig[];
    r       record;
BEGIN
    SELECT array_agg(DISTINCT mediabase.ts_config_for(n.language)) INTO configs FROM new_rows n;
    PERFORM set_config('mediabase.ts_config',
                       CASE WHEN cardinality(configs) = 1 THEN configs[1]::oid::text ELSE '' END, true);
    FOR r IN SELECT DISTINCT n.organization_id, mediabase.ts_config_for(n.language) AS cfg FROM new_rows n LOOP
        INSERT INTO mediabase.search_configs (organization_id, ts_config) VALUES (r.organization_id, r.cfg)
        ON CONFLICT DO NOTHING;
    END LOOP;
    RETURN NULL;
END
$$;

-- 0006: a video's tags as one text, for its search vector.
CREATE OR REPLACE FUNCTION mediabase.sync_video_search_tags() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    r    record;
    keys jsonb;  -- the (organization, video) pairs the statement touched, each once
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(DISTINCT jsonb_build_array(organization_id, video_id)) INTO keys FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(DISTINCT jsonb_build_array(organization_id, video_id)) INTO keys FROM old_rows;
    ELSE
        SELECT jsonb_agg(DISTINCT jsonb_build_array(organization_id, video_id)) INTO keys
          FROM (SELECT organization_id, video_id FROM new_rows UNION ALL SELECT organization_id, video_id FROM old_rows) x;
    END IF;
    FOR r IN SELECT (k->>0)::uuid AS organization_id, (k->>1)::uuid AS video_id
               FROM jsonb_array_elements(coalesce(keys, '[]')) AS k LOOP
        UPDATE mediabase.videos v
           SET search_tags = coalesce((SELECT string_agg(lower(t.tag), ' ' ORDER BY lower(t.tag))
                                         FROM mediabase.video_tags t
                                        WHERE t.organization_id = r.organization_id AND t.video_id = r.video_id), '')
         WHERE v.organization_id = r.organization_id AND v.id = r.video_id;
    END LOOP;
    RETURN NULL;
END
$$;

-- 0007: one audit row per statement and transcript for bulk-written segments.
CREATE OR REPLACE FUNCTION mediabase.audit_segments() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    g record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        FOR g IN SELECT organization_id, transcript_id,
                        jsonb_build_object('transcript_id', transcript_id, 'video_id', video_id, 'segments', count(*),
                                           'first_seq', min(seq), 'last_seq', max(seq)) AS image
                   FROM old_rows GROUP BY organization_id, transcript_id, video_id LOOP
            INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, before)
            VALUES (g.organization_id, current_user_id(), 'transcript_segments', 'DELETE', g.transcript_id, g.image);
        END LOOP;
    ELSIF TG_OP = 'INSERT' THEN
        FOR g IN SELECT organization_id, transcript_id,
                        jsonb_build_object('transcript_id', transcript_id, 'video_id', video_id, 'segments', count(*),
                                           'first_seq', min(seq), 'last_seq', max(seq)) AS image
                   FROM new_rows GROUP BY organization_id, transcript_id, video_id LOOP
            INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, after)
            VALUES (g.organization_id, current_user_id(), 'transcript_segments', 'INSERT', g.transcript_id, g.image);
        END LOOP;
    ELSE
        FOR g IN SELECT organization_id, transcript_id,
                        jsonb_build_object('transcript_id', transcript_id, 'segments', count(*)) AS before_image,
                        jsonb_build_object('transcript_id', transcript_id, 'segments', count(*),
                                           'first_seq', min(seq), 'last_seq', max(seq)) AS image
                   FROM new_rows GROUP BY organization_id, transcript_id LOOP
            INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, before, after)
            VALUES (g.organization_id, current_user_id(), 'transcript_segments', 'UPDATE', g.transcript_id,
                    g.before_image, g.image);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

-- 0009: the same for word timings.
CREATE OR REPLACE FUNCTION mediabase.audit_segment_words() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    g record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        FOR g IN SELECT organization_id, transcript_id,
                        jsonb_build_object('transcript_id', transcript_id, 'segments', count(*), 'first_seq', min(seq),
                                           'last_seq', max(seq)) AS image
                   FROM old_rows GROUP BY organization_id, transcript_id LOOP
            INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, before)
            VALUES (g.organization_id, current_user_id(), 'transcript_segment_words', 'DELETE', g.transcript_id, g.image);
        END LOOP;
    ELSE
        FOR g IN SELECT organization_id, transcript_id,
                        jsonb_build_object('transcript_id', transcript_id, 'segments', count(*), 'first_seq', min(seq),
                                           'last_seq', max(seq)) AS image
                   FROM new_rows GROUP BY organization_id, transcript_id LOOP
            INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, after)
            VALUES (g.organization_id, current_user_id(), 'transcript_segment_words', TG_OP, g.transcript_id, g.image);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

-- 0007: topic counters, one organization per statement (`org IS NULL OR …` cannot be routed to
-- a shard; a NULL org now means each organization in turn).
CREATE OR REPLACE FUNCTION mediabase.refresh_topics(org uuid, topic_ids uuid[] DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    n integer := 0;
    o uuid;
BEGIN
    IF org IS NULL THEN
        FOR o IN SELECT DISTINCT t.organization_id FROM ai_topics t LOOP
            n := n + refresh_topics(o, topic_ids);
        END LOOP;
        RETURN n;
    END IF;
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
         WHERE t.organization_id = org AND (topic_ids IS NULL OR t.id = ANY (topic_ids))
         GROUP BY t.organization_id, t.id
    )
    UPDATE ai_topics t
       SET mention_count = s.mentions, video_count = s.videos,
           first_mentioned_at = s.first_at, last_mentioned_at = s.last_at,
           trend_score = topic_trend_score(s.recent, s.previous), trend_computed_at = now()
      FROM stats s
     WHERE t.organization_id = org AND t.organization_id = s.organization_id AND t.id = s.id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- -- 3. foreign keys Citus accepts ------------------------------------------------------------------

DO $$
DECLARE
    fk      record;
    fn      text;
    setcols text;
    conds   text;
BEGIN
    FOR fk IN
        SELECT c.conname, c.conrelid, c.confrelid, c.conkey, c.confkey, c.confdelsetcols, c.confdeltype,
               c.confupdtype, pg_get_constraintdef(c.oid) AS def
          FROM pg_constraint c
         WHERE c.contype = 'f' AND c.connamespace = 'mediabase'::regnamespace
           AND (c.confdeltype IN ('n', 'd') OR c.confupdtype NOT IN ('a', 'r'))
           AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                          AND a.attname = 'organization_id')
           AND NOT EXISTS (SELECT FROM pg_class r WHERE r.oid = c.conrelid AND r.relispartition)
         ORDER BY c.conname
    LOOP
        IF fk.confdeltype = 'd' OR (fk.confdeltype = 'n' AND cardinality(fk.confdelsetcols) IS NULL) THEN
            RAISE EXCEPTION '%: ON DELETE SET NULL/DEFAULT of every column of a tenant key cannot be kept', fk.conname;
        END IF;
        IF fk.confdeltype = 'n' THEN
            SELECT string_agg(format('%I = NULL', a.attname), ', ') INTO setcols
              FROM pg_attribute a WHERE a.attrelid = fk.conrelid AND a.attnum = ANY (fk.confdelsetcols);
            SELECT string_agg(format('%I = OLD.%I', ra.attname, pa.attname), ' AND ' ORDER BY k.i) INTO conds
              FROM unnest(fk.conkey, fk.confkey) WITH ORDINALITY AS k (ref, pk, i)
              JOIN pg_attribute ra ON ra.attrelid = fk.conrelid AND ra.attnum = k.ref
              JOIN pg_attribute pa ON pa.attrelid = fk.confrelid AND pa.attnum = k.pk;
            fn := fk.conname || '_set_null';
            EXECUTE format(
                'CREATE FUNCTION mediabase.%I() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER'
                ' SET search_path = mediabase, pg_temp AS $body$ BEGIN UPDATE %s SET %s WHERE %s; RETURN OLD; END $body$',
                fn, fk.conrelid::regclass, setcols, conds);
            EXECUTE format('COMMENT ON FUNCTION mediabase.%I() IS %L', fn,
                           format('ON DELETE SET NULL (%s) of foreign key %s, kept by a trigger (0018)',
                                  setcols, fk.conname));
            EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %s FOR EACH ROW EXECUTE FUNCTION mediabase.%I()',
                           fn, fk.confrelid::regclass, fn);
        END IF;
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.conrelid::regclass, fk.conname);
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.conrelid::regclass, fk.conname,
                       regexp_replace(regexp_replace(fk.def, ' ON DELETE SET NULL \([^)]*\)', ''),
                                      ' ON UPDATE (CASCADE|SET NULL|SET DEFAULT)', ''));
    END LOOP;
END
$$;

-- -- 4. no triggers on reference tables, nor across to the job queue -------------------------------

DROP TRIGGER users_touch ON users;
DROP TRIGGER oauth_accounts_touch ON oauth_accounts;
DROP TRIGGER organizations_touch ON organizations;
DROP TRIGGER zz_audit ON organizations;

-- The audit row of a change to an organization (what audit_row() wrote for it): the statements
-- that insert or update organizations call it. The application role may audit its own
-- organization only.
CREATE FUNCTION mediabase.audit_organization(action text, before jsonb, after jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    org     uuid := (coalesce(after, before)->>'id')::uuid;
    changed text[];
BEGIN
    IF action NOT IN ('INSERT', 'UPDATE', 'DELETE') OR org IS NULL THEN
        RAISE EXCEPTION 'audit_organization: an action and the row''s images are needed'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT pg_has_role(session_user, 'mediabase_owner', 'MEMBER') AND org IS DISTINCT FROM current_org_id() THEN
        RAISE EXCEPTION 'audit_organization: not the organization of this transaction'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF action = 'UPDATE' THEN
        SELECT array_agg(k ORDER BY k) INTO changed
          FROM jsonb_each(after) AS e (k, v) WHERE v IS DISTINCT FROM before->k AND k <> 'updated_at';
        IF changed IS NULL THEN
            RETURN;
        END IF;
    END IF;
    INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, changed, before, after)
    VALUES (org, current_user_id(), 'organizations', action, org, changed, before, after);
END
$$;
REVOKE ALL ON FUNCTION mediabase.audit_organization(text, jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mediabase.audit_organization(text, jsonb, jsonb) TO mediabase_app;

-- A decision's words were added or changed: one `decision.embed` job for the transaction's
-- organization unless one is queued (0010's rule, asked by the statement instead of a trigger).
CREATE FUNCTION mediabase.request_decision_embed() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    IF current_org_id() IS NOT NULL THEN
        PERFORM enqueue_decision_embed(current_org_id());
    END IF;
END
$$;
REVOKE ALL ON FUNCTION mediabase.request_decision_embed() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mediabase.request_decision_embed() TO mediabase_app;

DROP TRIGGER decisions_enqueue_embed_ins ON decisions;
DROP TRIGGER decisions_enqueue_embed_upd ON decisions;
DROP FUNCTION mediabase.decisions_enqueue_embed();
