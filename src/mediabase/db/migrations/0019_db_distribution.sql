-- 0019_db_distribution: every table declares how it is distributed on Citus (DESIGN.md decision
-- 15; docs/scale-out.md, "Distribution").
--
-- table_distribution   the registry: one row per table of the schema (partitions follow their
--                      parent) and its kind:
--                        distributed  split by organization_id into shards, every such table
--                                     colocated with the first one (one tenant's rows of every
--                                     table on the same worker)
--                        reference    replicated to every node (global tables: users, …)
--                        local        kept on the coordinator only, with the reason
-- declare_table        what a migration calls for each table it creates, right after CREATE
--                      TABLE: records the declaration and, on a Citus coordinator, distributes
--                      at once; on plain PostgreSQL it records only.
-- distribute_tables    does on Citus what is declared and not done yet, reference tables first,
--                      then distributed ones, each after the tables its foreign keys point at;
--                      `mediabase db distribute` calls it for a database migrated before Citus.
--
-- A test over the catalog (tests/integration/test_table_distribution.py) fails for any table of
-- schema mediabase without a declaration.

CREATE TABLE table_distribution (
    table_name  regclass PRIMARY KEY,
    kind        text NOT NULL CONSTRAINT table_distribution_kind_valid CHECK (kind IN ('distributed', 'reference', 'local')),
    reason      text CONSTRAINT table_distribution_reason_length CHECK (length(btrim(reason)) BETWEEN 1 AND 1000),
    declared_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT table_distribution_local_has_reason CHECK (kind <> 'local' OR reason IS NOT NULL)
);
REVOKE ALL ON table_distribution FROM PUBLIC, mediabase_app;
GRANT SELECT ON table_distribution TO mediabase_app;

CREATE FUNCTION mediabase.citus_installed() RETURNS boolean
    LANGUAGE sql STABLE AS $$ SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') $$;

-- What Citus has made of a table: 'distributed' (hash), 'reference', 'citus local' or 'local'.
CREATE FUNCTION mediabase.citus_kind(tbl regclass) RETURNS text
    LANGUAGE plpgsql STABLE SET search_path = mediabase, pg_temp AS $$
DECLARE
    method text;
    model  text;
BEGIN
    IF NOT citus_installed() THEN
        RETURN 'local';
    END IF;
    EXECUTE 'SELECT partmethod::text, repmodel::text FROM pg_catalog.pg_dist_partition WHERE logicalrelid = $1'
        INTO method, model USING tbl;
    RETURN CASE WHEN method IS NULL THEN 'local' WHEN method = 'h' THEN 'distributed'
                WHEN method = 'n' AND model = 't' THEN 'reference' ELSE 'citus local' END;
END
$$;

-- Does on Citus what is declared and not done yet; returns what it did. A local table keeps no
-- foreign key into a Citus table (Citus cannot check one): such keys are dropped, with a notice.
-- strict: fail when a declared table cannot be distributed yet (a foreign key into a table that
-- is not distributed or reference). On plain PostgreSQL it does nothing.
CREATE FUNCTION mediabase.distribute_tables(strict boolean DEFAULT false)
    RETURNS TABLE (table_name regclass, kind text, action text)
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    t      record;
    fk     record;
    anchor regclass;
    done   boolean;
BEGIN
    IF NOT citus_installed() THEN
        RETURN;
    END IF;
    -- triggers on distributed tables run on their shards and touch that tenant's rows only
    -- (docs/scale-out.md); reference tables are made before the tables that point at them
    PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    PERFORM set_config('citus.enable_local_reference_table_foreign_keys', 'off', true);
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    FOR fk IN
        SELECT c.conname, c.conrelid::regclass AS src, c.confrelid::regclass AS dst
          FROM pg_constraint c
          JOIN table_distribution s ON s.table_name = c.conrelid AND s.kind = 'local'
          JOIN table_distribution d ON d.table_name = c.confrelid AND d.kind <> 'local'
         WHERE c.contype = 'f'
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.src, fk.conname);
        RAISE NOTICE 'dropped foreign key % of coordinator-local table % into %', fk.conname, fk.src, fk.dst;
        table_name := fk.src; kind := 'local'; action := 'dropped foreign key ' || fk.conname;
        RETURN NEXT;
    END LOOP;
    SELECT d.table_name INTO anchor FROM table_distribution d
     WHERE d.kind = 'distributed' AND citus_kind(d.table_name) = 'distributed'
     ORDER BY d.declared_at, d.table_name::oid LIMIT 1;
    LOOP
        done := true;
        FOR t IN
            SELECT d.table_name AS tbl, d.kind, citus_kind(d.table_name) AS now_kind
              FROM table_distribution d JOIN pg_class c ON c.oid = d.table_name
             WHERE d.kind <> 'local'
             ORDER BY d.kind = 'distributed', d.declared_at, d.table_name::text
        LOOP
            IF t.now_kind = t.kind THEN
                CONTINUE;
            END IF;
            IF t.now_kind IN ('distributed', 'reference') THEN
                RAISE EXCEPTION '% is declared %, but Citus has it as a % table: undistribute_table() it first',
                    t.tbl, t.kind, t.now_kind USING ERRCODE = 'object_not_in_prerequisite_state';
            END IF;
            -- the tables its foreign keys point at come first
            CONTINUE WHEN EXISTS (SELECT FROM pg_constraint c
                                   WHERE c.contype = 'f' AND c.conrelid = t.tbl AND c.confrelid <> t.tbl
                                     AND citus_kind(c.confrelid) NOT IN ('distributed', 'reference'));
            IF t.kind = 'reference' THEN
                EXECUTE 'SELECT create_reference_table($1)' USING t.tbl;
            ELSIF anchor IS NULL THEN
                EXECUTE 'SELECT create_distributed_table($1, ''organization_id'', colocate_with => ''none'')' USING t.tbl;
                anchor := t.tbl;
            ELSE
                EXECUTE 'SELECT create_distributed_table($1, ''organization_id'', colocate_with => $2)'
                    USING t.tbl, anchor::text;
            END IF;
            table_name := t.tbl; kind := t.kind; action := 'created ' || t.kind || ' table';
            RETURN NEXT;
            done := false;
            EXIT;  -- look again: what waited for this table may go now
        END LOOP;
        EXIT WHEN done;
    END LOOP;
    IF strict THEN
        FOR t IN SELECT d.table_name AS tbl, d.kind FROM table_distribution d JOIN pg_class c ON c.oid = d.table_name
                  WHERE d.kind <> 'local' AND citus_kind(d.table_name) <> d.kind LOOP
            RAISE EXCEPTION '% is declared % but cannot be yet: a foreign key of it points at a table that is not '
                            'distributed or reference (declare that table first)', t.tbl, t.kind
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END LOOP;
    END IF;
END
$$;

-- Declares tbl's distribution (kind: distributed by organization_id, reference, or local with
-- a reason) and, on a Citus coordinator, applies it at once (with whatever else waited for it).
CREATE FUNCTION mediabase.declare_table(tbl regclass, kind text, reason text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
BEGIN
    IF kind IS NULL OR kind NOT IN ('distributed', 'reference', 'local') THEN
        RAISE EXCEPTION 'declare_table(%): kind must be distributed, reference or local, not %', tbl, coalesce(kind, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF kind = 'local' AND nullif(btrim(reason), '') IS NULL THEN
        RAISE EXCEPTION 'declare_table(%): a coordinator-local table needs the reason why', tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (SELECT c.relispartition FROM pg_class c WHERE c.oid = tbl) THEN
        RAISE EXCEPTION 'declare_table(%): a partition follows its parent; declare the parent', tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF kind = 'distributed' AND NOT EXISTS (
        SELECT FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = 'organization_id'
           AND a.atttypid = 'uuid'::regtype AND NOT a.attisdropped) THEN
        RAISE EXCEPTION 'declare_table(%): a distributed table needs its organization_id uuid column', tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO table_distribution AS d (table_name, kind, reason) VALUES (tbl, kind, nullif(btrim(reason), ''))
    ON CONFLICT ON CONSTRAINT table_distribution_pkey
    DO UPDATE SET kind = excluded.kind, reason = excluded.reason, declared_at = d.declared_at;
    PERFORM distribute_tables();
END
$$;

REVOKE ALL ON FUNCTION mediabase.distribute_tables(boolean), mediabase.declare_table(regclass, text, text)
    FROM PUBLIC, mediabase_app;

-- -- every table of 0001-0018 ----------------------------------------------------------------------

-- coordinator-local first: their foreign keys into Citus tables go before those tables move
SELECT declare_table(t::regclass, 'local', r) FROM (VALUES
    ('schema_migrations', 'the migration ledger: migrations run on the coordinator, which keeps the schema'),
    ('schema_migration_repairs', 'the migration ledger: migrations run on the coordinator, which keeps the schema'),
    ('schema_views', 'the migration ledger: migrations run on the coordinator, which keeps the schema'),
    ('table_distribution', 'this registry: read on the coordinator when it distributes; names tables by OID'),
    ('partitioned_tables', 'the partition manager''s registry: names tables by OID (regclass, valid on the '
                           'coordinator only) and is read only by the manager, which runs its DDL there'),
    ('jobs', 'the job queue: a worker claims across tenants with FOR UPDATE SKIP LOCKED, which cannot run '
             'over shards; one table on one node keeps claims, leases and NOTIFY wake-ups as they are'),
    ('job_idempotency_keys', 'the job queue''s idempotency keys: read and written with the jobs they name'),
    ('job_type_limits', 'the job queue''s per-type ceilings: read by the claim, next to the jobs')
) AS l (t, r);

-- global tables: small, read everywhere, never pointing at tenant rows
SELECT declare_table(t::regclass, 'reference')
  FROM unnest(ARRAY['users', 'oauth_accounts', 'user_extensions', 'user_preferences', 'organizations']) AS t;

-- tenant tables: one colocation group, by organization_id, each after what it points at
SELECT declare_table(t::regclass, 'distributed')
  FROM unnest(ARRAY[
    'memberships', 'api_keys',
    'channels', 'series', 'collections', 'videos', 'video_tags', 'video_progress', 'people', 'speakers',
    'transcripts', 'transcript_segments', 'transcript_segment_words', 'search_configs', 'transcript_chunks',
    'search_index_state',
    'ai_layers', 'ai_summaries', 'comments', 'comment_reactions', 'video_moments', 'video_clips',
    'highlight_reels', 'highlight_reel_clips', 'quote_cards', 'share_links',
    'decisions', 'decision_participants', 'decision_tags', 'decision_tag_assignments', 'decision_links',
    'decision_subscriptions', 'decision_edits', 'decision_vectors',
    'ai_topics', 'ai_topic_mentions', 'ai_action_items', 'notifications', 'audit_log']) AS t;

-- nothing of 0001-0018 is left undeclared, and on Citus everything declared is in place
DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(c.relname, ', ' ORDER BY c.relname) INTO missing
      FROM pg_class c
     WHERE c.relnamespace = 'mediabase'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND NOT EXISTS (SELECT FROM table_distribution d WHERE d.table_name = c.oid);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'tables without a distribution: %', missing;
    END IF;
END
$$;
SELECT count(*) FROM distribute_tables(strict => true);
