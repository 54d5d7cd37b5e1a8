-- 0012_db_partitions: one partition manager for every monthly-partitioned table (DESIGN.md
-- decision 13; docs/operations.md, "Partitions").
--
-- partitioned_tables    the registry: one row per parent table and its policy. A domain that
--                       adds a monthly-partitioned table registers it with one INSERT.
-- create_partition      one month of one table: idempotent, safe to run at once from several
--                       sessions, moves that month's rows out of the DEFAULT partition.
-- ensure_partitions     this month, the next months_ahead ones and every month found in DEFAULT.
-- prune_partitions      detach and drop the months past a table's retention.
-- drop_partition        one month (the archive command drops each month after writing it out).
-- maintain_partitions   the one entry point: ensure and prune every registered table by its
--                       policy; the worker's upkeep and `mediabase partitions` call it.
-- partitions_of, partition_status, partitions_due   what exists, and what is due.
--
-- 0003's (jobs) and 0007's (audit log) functions keep their signatures as thin wrappers.
-- Partitions are named <parent>_YYYY_MM (seed 002's naming), bounded by UTC months.

CREATE TABLE partitioned_tables (
    -- the partitioned table: PARTITION BY RANGE on one timestamptz, timestamp or date column
    parent            regclass PRIMARY KEY,
    -- months kept after the current one (months that ended longer ago are dropped); NULL: forever
    keep_months       integer CONSTRAINT partitioned_tables_keep_months_positive CHECK (keep_months >= 1),
    -- no retention, not even one given to a single run (--prune-keep), goes below this
    min_keep_months   integer NOT NULL DEFAULT 1
        CONSTRAINT partitioned_tables_min_keep_months_positive CHECK (min_keep_months >= 1),
    -- a month is written to a file (mediabase partitions --archive-dir) before it is dropped;
    -- runs without an archive directory (the worker's upkeep) leave such months in place
    archive           boolean NOT NULL DEFAULT false,
    -- a month holding a row WHERE <keep_while> is not dropped (jobs: unfinished ones)
    keep_while        text CONSTRAINT partitioned_tables_keep_while_length CHECK (length(keep_while) <= 1000),
    -- storage parameters of every new partition, e.g. {fillfactor=90}
    partition_options text[] NOT NULL DEFAULT '{}',
    -- called as upkeep(cutoff timestamptz) after each prune of the table: what points into
    -- dropped months goes too (jobs: their idempotency keys)
    upkeep            regprocedure,
    registered_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT partitioned_tables_keep_above_min CHECK (keep_months IS NULL OR keep_months >= min_keep_months)
);
REVOKE ALL ON partitioned_tables FROM PUBLIC, mediabase_app;

-- The partition key of a table the manager can serve (NULL if it cannot).
CREATE FUNCTION mediabase.partition_key_column(parent regclass) RETURNS name
    LANGUAGE sql STABLE SET search_path = mediabase, pg_temp AS $$
    SELECT a.attname
      FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
     WHERE p.partrelid = parent AND p.partstrat = 'r' AND p.partnatts = 1
       AND a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)
$$;

-- A registration that could not work fails when it is made, not at the next upkeep.
CREATE FUNCTION mediabase.partitioned_tables_check() RETURNS trigger
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    opt text;
BEGIN
    IF partition_key_column(NEW.parent) IS NULL THEN
        RAISE EXCEPTION '% is not partitioned by range on one timestamptz, timestamp or date column', NEW.parent
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF length((SELECT relname FROM pg_class WHERE oid = NEW.parent)) > 55 THEN
        RAISE EXCEPTION 'the name of % is too long for its partitions'' names (55 characters at most)', NEW.parent
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH opt IN ARRAY NEW.partition_options LOOP
        IF opt !~ '^[a-z_][a-z0-9_.]*=[A-Za-z0-9_.]+$' THEN
            RAISE EXCEPTION 'partition option % is not name=value', opt USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
    IF NEW.keep_while IS NOT NULL THEN
        BEGIN
            EXECUTE format('SELECT 1 FROM %s WHERE (%s) LIMIT 0', NEW.parent, NEW.keep_while);
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'keep_while of %: %', NEW.parent, SQLERRM USING ERRCODE = 'invalid_parameter_value';
        END;
    END IF;
    IF NEW.upkeep IS NOT NULL
       AND NOT (SELECT p.pronargs = 1 AND p.proargtypes[0] = 'timestamptz'::regtype
                  FROM pg_proc p WHERE p.oid = NEW.upkeep) THEN
        RAISE EXCEPTION 'upkeep % must take one timestamptz (the cutoff)', NEW.upkeep
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER partitioned_tables_check BEFORE INSERT OR UPDATE ON partitioned_tables
    FOR EACH ROW EXECUTE FUNCTION partitioned_tables_check();

-- Creates parent's partition of the UTC month of `month`; false when it exists already. Rows of
-- that month waiting in the DEFAULT partition move into it. The partition is made as a plain
-- table with a CHECK of its bounds, filled, then attached (ATTACH takes SHARE UPDATE EXCLUSIVE
-- on the parent: reads and writes go on; the CHECK spares the scan of the new table).
--
-- Moving rows takes ACCESS EXCLUSIVE on the parent, not only on DEFAULT. A query plans over the
-- partitions the parent has when it plans, then locks them; its rows are read with a snapshot
-- taken after that. Locking only DEFAULT, a query planned before the attach would wait on
-- DEFAULT, then run after the commit without the new partition and see the moved rows nowhere.
-- The parent's lock makes every reader wait before it plans (or the move wait for the readers
-- already running), so a reader sees the rows in DEFAULT or in the new partition, never neither.
-- Without rows to move, no such lock is taken. A row of the month that reaches DEFAULT between
-- the look and the attach makes the attach fail (its scan of DEFAULT finds it): then the move
-- runs under the lock, and the attach again.
CREATE FUNCTION mediabase.create_partition(parent regclass, month date) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp SET lock_timeout = '5s'
    SET timezone = 'UTC' AS $$
DECLARE
    reg      partitioned_tables;
    nsp      name;
    rel      name;
    keycol   name := partition_key_column(parent);
    def      regclass;
    m        date := date_trunc('month', month)::date;
    lo       timestamptz := m::timestamp AT TIME ZONE 'UTC';
    hi       timestamptz := (m + interval '1 month') AT TIME ZONE 'UTC';
    part     text;
    cols     text;
    waiting  boolean;
    flag     text := current_setting('mediabase.audit_maintenance', true);
BEGIN
    SELECT * INTO reg FROM partitioned_tables p WHERE p.parent = create_partition.parent;
    IF NOT FOUND OR keycol IS NULL THEN
        RAISE EXCEPTION '% is not registered in mediabase.partitioned_tables', parent
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT n.nspname, c.relname, nullif(p.partdefid, 0)::regclass INTO nsp, rel, def
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_partitioned_table p ON p.partrelid = c.oid
     WHERE c.oid = parent;
    part := rel || '_' || to_char(m, 'YYYY_MM');
    -- two sessions creating the same month take turns; the second finds it there
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.partitions:' || parent::oid, 0));
    IF to_regclass(format('%I.%I', nsp, part)) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)%s',
                   nsp, part, parent,
                   CASE WHEN cardinality(reg.partition_options) > 0
                        THEN ' WITH (' || array_to_string(reg.partition_options, ', ') || ')' ELSE '' END);
    EXECUTE format('ALTER TABLE %I.%I ADD CONSTRAINT %I CHECK (%I >= %L AND %I < %L)',
                   nsp, part, part || '_bounds', keycol, lo, keycol, hi);
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
      FROM pg_attribute a WHERE a.attrelid = parent AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    FOR attempt IN 1..2 LOOP
        waiting := false;
        IF def IS NOT NULL THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= %L AND %I < %L)', def, keycol, lo, keycol, hi)
                INTO waiting;
        END IF;
        IF waiting THEN
            EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', parent);
            -- tables with append-only triggers (audit_log) let this move through
            PERFORM set_config('mediabase.audit_maintenance', 'on', true);
            EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING %s)'
                           ' INSERT INTO %I.%I (%s) SELECT %s FROM moved',
                           def, keycol, lo, keycol, hi, cols, nsp, part, cols, cols);
            PERFORM set_config('mediabase.audit_maintenance', coalesce(flag, ''), true);
        END IF;
        BEGIN
            EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                           parent, nsp, part, lo, hi);
            EXIT;
        EXCEPTION WHEN check_violation THEN
            IF attempt = 2 OR def IS NULL THEN
                RAISE;
            END IF;  -- a row of the month reached DEFAULT after the look above: move it now
        END;
    END LOOP;
    EXECUTE format('ALTER TABLE %I.%I DROP CONSTRAINT %I', nsp, part, part || '_bounds');
    -- row-level security is checked on the parent only: the app role never reads a partition
    EXECUTE format('REVOKE ALL ON %I.%I FROM PUBLIC, mediabase_app', nsp, part);
    RETURN true;
END
$$;

-- The partitions of parent, their bounds (from the partition bound itself) and row estimates;
-- the DEFAULT one first, its bounds NULL.
CREATE FUNCTION mediabase.partitions_of(parent regclass)
    RETURNS TABLE (name text, range_from timestamptz, range_to timestamptz, est_rows bigint, is_default boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp
    SET timezone = 'UTC' SET datestyle = 'ISO, YMD' AS $$
    SELECT c.relname::text, b.m[1]::timestamptz, b.m[2]::timestamptz, greatest(c.reltuples, 0)::bigint,
           pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     CROSS JOIN LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                             '^FOR VALUES FROM \(''([^'']+)''\) TO \(''([^'']+)''\)$') AS m) b
     WHERE i.inhparent = parent
     ORDER BY 2 NULLS FIRST, 1
$$;

-- This month, the next months_ahead ones, and every month that has rows in DEFAULT (they move
-- to their own partition: DEFAULT stays empty, so attaching stays cheap, and old rows age out
-- with their month). Returns the partitions created.
CREATE FUNCTION mediabase.ensure_partitions(parent regclass, months_ahead integer DEFAULT 2) RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp SET timezone = 'UTC' AS $$
DECLARE
    keycol name := partition_key_column(parent);
    def    regclass := (SELECT nullif(p.partdefid, 0)::regclass FROM pg_partitioned_table p WHERE p.partrelid = parent);
    this   date := date_trunc('month', now())::date;
    months date[];
    m      date;
BEGIN
    IF months_ahead IS NULL OR months_ahead < 0 OR months_ahead > 36 THEN
        RAISE EXCEPTION 'months_ahead must be between 0 and 36' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.partitions:' || parent::oid, 0));
    SELECT array_agg(g::date) INTO months
      FROM generate_series(this, this + make_interval(months => months_ahead), interval '1 month') g;
    IF def IS NOT NULL AND keycol IS NOT NULL THEN
        EXECUTE format('SELECT $1 || coalesce(array_agg(DISTINCT date_trunc(''month'', %I)::date), ''{}'')'
                       ' FROM %s WHERE %I IS NOT NULL', keycol, def, keycol) INTO months USING months;
    END IF;
    FOR m IN SELECT DISTINCT u FROM unnest(months) u ORDER BY u LOOP
        IF create_partition(parent, m) THEN
            RETURN NEXT (SELECT c.relname || '_' || to_char(m, 'YYYY_MM') FROM pg_class c WHERE c.oid = parent);
        END IF;
    END LOOP;
END
$$;

-- parent's monthly partitions that ended at or before the cutoff of keep_months (months kept
-- after the current one), and why one must stay (kept_because NULL: it may go).
CREATE FUNCTION mediabase.months_past(parent regclass, keep_months integer)
    RETURNS TABLE (name text, range_from timestamptz, range_to timestamptz, kept_because text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp SET timezone = 'UTC' AS $$
DECLARE
    cutoff timestamptz := date_trunc('month', now()) - make_interval(months => keep_months);
    cond   text := (SELECT p.keep_while FROM partitioned_tables p WHERE p.parent = months_past.parent);
    nsp    name := (SELECT c.relnamespace::regnamespace::name FROM pg_class c WHERE c.oid = parent);
    p      record;
    busy   boolean;
BEGIN
    FOR p IN SELECT * FROM partitions_of(parent) x WHERE NOT x.is_default AND x.range_to <= cutoff LOOP
        busy := false;
        IF cond IS NOT NULL THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I WHERE %s)', nsp, p.name, cond) INTO busy;
        END IF;
        RETURN QUERY SELECT p.name, p.range_from, p.range_to,
                            CASE WHEN busy THEN format('it still holds rows where %s', cond) END;
    END LOOP;
END
$$;

-- Detaches and drops one month of parent; false (and kept) if it holds a row the table's
-- keep_while keeps, as seen after the detach, when no statement can write into it any more.
CREATE FUNCTION mediabase.drop_partition(parent regclass, partition text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp SET lock_timeout = '5s' AS $$
DECLARE
    nsp   name := (SELECT c.relnamespace::regnamespace::name FROM pg_class c WHERE c.oid = parent);
    cond  text := (SELECT p.keep_while FROM partitioned_tables p WHERE p.parent = drop_partition.parent);
    busy  boolean := false;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.partitions:' || parent::oid, 0));
    IF NOT EXISTS (SELECT 1 FROM partitions_of(parent) x WHERE x.name = partition AND NOT x.is_default) THEN
        RAISE EXCEPTION '% is not a monthly partition of %', partition, parent USING ERRCODE = 'undefined_table';
    END IF;
    BEGIN
        EXECUTE format('ALTER TABLE %s DETACH PARTITION %I.%I', parent, nsp, partition);
        IF cond IS NOT NULL THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I WHERE %s)', nsp, partition, cond) INTO busy;
        END IF;
        IF busy THEN
            RAISE EXCEPTION USING ERRCODE = 'MBKPT';  -- undoes the detach
        END IF;
    EXCEPTION WHEN SQLSTATE 'MBKPT' THEN
        RAISE NOTICE 'kept %: it still holds rows where %', partition, cond;
        RETURN false;
    END;
    EXECUTE format('DROP TABLE %I.%I', nsp, partition);
    RETURN true;
END
$$;

-- Drops parent's months that ended more than keep_months ago (not below the table's
-- min_keep_months), unless keep_while keeps them or the table's policy archives first (only
-- the archive command drops those). Then runs the table's upkeep with the cutoff. One row per
-- month looked at: dropped, or kept and why.
CREATE FUNCTION mediabase.prune_partitions(parent regclass, keep_months integer)
    RETURNS TABLE (name text, action text, detail text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp SET timezone = 'UTC' AS $$
DECLARE
    reg partitioned_tables;
    p   record;
BEGIN
    SELECT * INTO reg FROM partitioned_tables t WHERE t.parent = prune_partitions.parent;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not registered in mediabase.partitioned_tables', parent
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF keep_months IS NULL OR keep_months < reg.min_keep_months THEN
        RAISE EXCEPTION 'keep_months must be at least % for %', reg.min_keep_months, parent
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.partitions:' || parent::oid, 0));
    FOR p IN SELECT * FROM months_past(parent, keep_months) LOOP
        IF p.kept_because IS NOT NULL THEN
            RAISE NOTICE 'kept %: %', p.name, p.kept_because;
            RETURN QUERY SELECT p.name, 'kept', p.kept_because;
        ELSIF reg.archive THEN
            RETURN QUERY SELECT p.name, 'kept', 'its policy archives a month before dropping it (--archive-dir)';
        ELSIF drop_partition(parent, p.name) THEN
            RETURN QUERY SELECT p.name, 'dropped', NULL::text;
        ELSE
            RETURN QUERY SELECT p.name, 'kept', format('it still holds rows where %s', reg.keep_while);
        END IF;
    END LOOP;
    IF reg.upkeep IS NOT NULL THEN
        EXECUTE format('SELECT %s($1)', reg.upkeep::oid::regproc)
            USING date_trunc('month', now()) - make_interval(months => keep_months);
    END IF;
END
$$;

-- The months each registered table's policy (or prune_keep, for the tables that have a
-- retention; never below their minimum) would drop now, and whether one must stay.
CREATE FUNCTION mediabase.partitions_due(prune_keep integer DEFAULT NULL)
    RETURNS TABLE (table_name text, partition_name text, range_from timestamptz, range_to timestamptz,
                   archive boolean, kept_because text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT t.parent::text, d.name, d.range_from, d.range_to, t.archive, d.kept_because
      FROM partitioned_tables t
     CROSS JOIN LATERAL months_past(t.parent, greatest(coalesce(prune_keep, t.keep_months), t.min_keep_months)) d
     WHERE t.keep_months IS NOT NULL AND to_regclass(t.parent::text) IS NOT NULL
     ORDER BY t.registered_at, t.parent::text, d.range_from
$$;

-- The one maintenance entry point: for every registered table, create this month and the next
-- months_ahead ones (NULL: none) and, when drop_due, drop the months past its retention
-- (prune_keep, if given, replaces the retention of the tables that have one; tables kept
-- forever stay so). One row per thing done or left: created, dropped, kept (and why), failed
-- (a table whose maintenance failed, e.g. on lock_timeout, is rolled back alone; the others go on).
CREATE FUNCTION mediabase.maintain_partitions(months_ahead integer DEFAULT 2, prune_keep integer DEFAULT NULL,
                                              drop_due boolean DEFAULT true)
    RETURNS TABLE (table_name text, partition_name text, action text, detail text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    t    partitioned_tables;
    keep integer;
    done jsonb;  -- [{p: partition, a: action, d: detail}], kept until the table's work committed
BEGIN
    IF prune_keep IS NOT NULL AND prune_keep < 1 THEN
        RAISE EXCEPTION 'prune_keep must be at least 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR t IN SELECT * FROM partitioned_tables ORDER BY registered_at, parent::text LOOP
        IF to_regclass(t.parent::text) IS NULL THEN
            RETURN QUERY SELECT t.parent::text, NULL::text, 'failed',
                'the registered table does not exist any more: delete its row from mediabase.partitioned_tables';
            CONTINUE;
        END IF;
        keep := CASE WHEN t.keep_months IS NOT NULL
                     THEN greatest(coalesce(prune_keep, t.keep_months), t.min_keep_months) END;
        BEGIN
            done := '[]';
            IF months_ahead IS NOT NULL THEN
                done := coalesce((SELECT jsonb_agg(jsonb_build_object('p', e.p, 'a', 'created') ORDER BY e.n)
                                    FROM ensure_partitions(t.parent, months_ahead) WITH ORDINALITY e (p, n)), '[]');
            END IF;
            IF drop_due AND keep IS NOT NULL THEN
                done := done || coalesce(
                    (SELECT jsonb_agg(jsonb_build_object('p', x.name, 'a', x.action, 'd', x.detail) ORDER BY x.n)
                       FROM prune_partitions(t.parent, keep) WITH ORDINALITY x (name, action, detail, n)), '[]');
            END IF;
        EXCEPTION WHEN OTHERS THEN
            done := jsonb_build_array(jsonb_build_object('a', 'failed', 'd', SQLERRM));
        END;
        RETURN QUERY SELECT t.parent::text, e.v->>'p', e.v->>'a', e.v->>'d'
                       FROM jsonb_array_elements(done) WITH ORDINALITY e (v, n) ORDER BY e.n;
    END LOOP;
END
$$;

-- Every registered table's partitions (partitions_of, with the table's name).
CREATE FUNCTION mediabase.partition_status()
    RETURNS TABLE (table_name text, name text, range_from timestamptz, range_to timestamptz, est_rows bigint,
                   is_default boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT t.parent::text, p.name, p.range_from, p.range_to, p.est_rows, p.is_default
      FROM partitioned_tables t CROSS JOIN LATERAL partitions_of(t.parent) p
     WHERE to_regclass(t.parent::text) IS NOT NULL
     ORDER BY t.registered_at, t.parent::text, p.range_from NULLS FIRST, p.name
$$;

-- -- jobs and the audit log, registered --------------------------------------------------------

-- After a prune of jobs: the idempotency keys of jobs that are gone (their month was dropped)
-- and the keys that expired.
CREATE FUNCTION mediabase.prune_job_keys(cutoff timestamptz) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    DELETE FROM job_idempotency_keys k
     WHERE k.job_created_at < cutoff
       AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.organization_id = k.organization_id AND j.id = k.job_id
                                              AND j.created_at = k.job_created_at);
    DELETE FROM job_idempotency_keys WHERE expires_at <= now();
$$;

-- jobs: six months (seed 002 §4.2; JobSettings.retention_months' default), months with queued
-- or processing jobs kept, partitions at fillfactor 90 (rows are updated in place as they run).
-- The audit log: kept forever (0007 drops months only when asked, never within 12 months).
INSERT INTO partitioned_tables (parent, keep_months, min_keep_months, archive, keep_while, partition_options, upkeep)
VALUES ('mediabase.jobs', 6, 1, false, $$status IN ('queued', 'processing')$$, '{fillfactor=90}',
        'mediabase.prune_job_keys(timestamptz)'),
       ('mediabase.audit_log', NULL, 12, false, NULL, '{}', NULL);

-- -- 0003's and 0007's functions, over the generic ones ----------------------------------------

CREATE OR REPLACE FUNCTION mediabase.create_job_partition(month date) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT create_partition('mediabase.jobs', month)
$$;

CREATE OR REPLACE FUNCTION mediabase.job_partitions()
    RETURNS TABLE (name text, range_from timestamptz, range_to timestamptz, est_rows bigint, is_default boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT * FROM partitions_of('mediabase.jobs')
$$;

CREATE OR REPLACE FUNCTION mediabase.ensure_job_partitions(months_ahead integer DEFAULT 2) RETURNS SETOF text
    LANGUAGE sql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT ensure_partitions('mediabase.jobs', months_ahead)
$$;

CREATE OR REPLACE FUNCTION mediabase.prune_job_partitions(keep_months integer DEFAULT 6) RETURNS SETOF text
    LANGUAGE sql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT p.name FROM prune_partitions('mediabase.jobs', keep_months) p WHERE p.action = 'dropped'
$$;

CREATE OR REPLACE FUNCTION mediabase.create_audit_partition(month date) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT create_partition('mediabase.audit_log', month)
$$;

CREATE OR REPLACE FUNCTION mediabase.audit_partitions()
    RETURNS TABLE (name text, range_from timestamptz, range_to timestamptz, est_rows bigint, is_default boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT * FROM partitions_of('mediabase.audit_log')
$$;

CREATE OR REPLACE FUNCTION mediabase.ensure_audit_partitions(months_ahead integer DEFAULT 2) RETURNS SETOF text
    LANGUAGE sql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT ensure_partitions('mediabase.audit_log', months_ahead)
$$;

CREATE OR REPLACE FUNCTION mediabase.prune_audit_partitions(keep_months integer DEFAULT 24) RETURNS SETOF text
    LANGUAGE sql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT p.name FROM prune_partitions('mediabase.audit_log', keep_months) p WHERE p.action = 'dropped'
$$;

-- audit_partitions() was left executable by the app role in 0007; it never needed it
REVOKE ALL ON FUNCTION mediabase.partition_key_column(regclass), mediabase.partitioned_tables_check(),
    mediabase.create_partition(regclass, date), mediabase.partitions_of(regclass),
    mediabase.ensure_partitions(regclass, integer), mediabase.months_past(regclass, integer),
    mediabase.drop_partition(regclass, text), mediabase.prune_partitions(regclass, integer),
    mediabase.partitions_due(integer), mediabase.maintain_partitions(integer, integer, boolean),
    mediabase.partition_status(), mediabase.prune_job_keys(timestamptz)
    FROM PUBLIC, mediabase_app;
