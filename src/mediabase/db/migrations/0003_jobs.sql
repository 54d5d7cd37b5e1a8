-- 0003_jobs: the processing-job queue (seed 002's jobs table made a real queue; docs/jobs.md).
--
-- jobs                  partitioned by month on created_at; a DEFAULT partition catches rows of
--                       months not created yet, so an enqueue never fails for lack of one.
-- job_idempotency_keys  (organization_id, key) -> the first job: seed 002's UNIQUE key cannot
--                       exist on a table partitioned by created_at, so the key has its own table.
-- job_type_limits       a per-type ceiling of running jobs, enforced by claim_jobs across workers.
--
-- Tenant functions (enqueue_job, cancel_job, retry_job) run as the caller: row-level security
-- keeps them in the transaction's tenant. Worker functions (claim_jobs, heartbeat_jobs,
-- job_progress, complete_job(s), fail_job, release_jobs) are SECURITY DEFINER: a worker serves
-- every tenant, and they only touch jobs leased to the worker name they are given (and, with
-- their last argument org, only that organization's: the HTTP worker endpoints pass it).

CREATE TABLE jobs (
    organization_id     uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                  uuid NOT NULL DEFAULT new_id(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    type                text NOT NULL
        CONSTRAINT jobs_type_format CHECK (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(type) <= 100),
    queue               text NOT NULL DEFAULT 'default'
        CONSTRAINT jobs_queue_format CHECK (queue ~ '^[a-z][a-z0-9_.-]{0,62}$'),
    -- lifecycle: who holds the row (the queue, one worker, nobody any more)
    status              text NOT NULL DEFAULT 'queued'
        CONSTRAINT jobs_status_valid CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
    -- how far the work got: seed 002's pipeline stages, plus the ingest pipeline's and a generic one
    stage               text NOT NULL DEFAULT 'pending'
        CONSTRAINT jobs_stage_valid CHECK (stage IN (
            'pending', 'script_expansion', 'continuity_validation', 'video_generation', 'upload',
            'finalization', 'completed', 'error',
            'running', 'chunking', 'embedding', 'indexing')),
    priority            smallint NOT NULL DEFAULT 0
        CONSTRAINT jobs_priority_range CHECK (priority BETWEEN -1000 AND 1000),
    run_after           timestamptz NOT NULL DEFAULT now(),
    progress            smallint NOT NULL DEFAULT 0
        CONSTRAINT jobs_progress_range CHECK (progress BETWEEN 0 AND 100),
    message             text CONSTRAINT jobs_message_length CHECK (length(message) <= 2000),
    input               jsonb NOT NULL DEFAULT '{}',
    context             jsonb,
    result              jsonb,
    error_code          text CONSTRAINT jobs_error_code_length CHECK (length(error_code) <= 50),
    error_message       text CONSTRAINT jobs_error_message_length CHECK (length(error_message) <= 10000),
    attempts            integer NOT NULL DEFAULT 0 CONSTRAINT jobs_attempts_nonnegative CHECK (attempts >= 0),
    retry_count         integer NOT NULL DEFAULT 0 CONSTRAINT jobs_retry_count_nonnegative CHECK (retry_count >= 0),
    max_retries         integer NOT NULL DEFAULT 3
        CONSTRAINT jobs_max_retries_range CHECK (max_retries BETWEEN 0 AND 1000),
    locked_by           text CONSTRAINT jobs_locked_by_length CHECK (length(locked_by) <= 200),
    lease_expires_at    timestamptz,
    heartbeat_at        timestamptz,
    cancel_requested_at timestamptz,
    idempotency_key     text,
    created_by          uuid,
    started_at          timestamptz,
    completed_at        timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id, created_at),
    CONSTRAINT jobs_lease_held CHECK ((status = 'processing') = (locked_by IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CONSTRAINT jobs_finished_at CHECK ((status IN ('completed', 'failed', 'cancelled')) = (completed_at IS NOT NULL))
) PARTITION BY RANGE (created_at);

-- What a worker claims next: only queued rows are in it, so finished rows cost nothing.
CREATE INDEX jobs_ready_idx ON jobs (priority DESC, run_after) WHERE status = 'queued';
-- Leases that run out (claim_jobs returns them to the queue) and held jobs by id.
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE status = 'processing';
CREATE INDEX jobs_processing_idx ON jobs (id) WHERE status = 'processing';
-- A tenant's jobs, newest first.
CREATE INDEX jobs_org_created_idx ON jobs (organization_id, created_at DESC);

CREATE TABLE jobs_default PARTITION OF jobs DEFAULT;
-- row-level security is checked on the parent only: the app role never reads a partition
REVOKE ALL ON jobs_default FROM mediabase_app;

SELECT make_tenant_table('jobs');

-- One NOTIFY per inserting statement (a batch of 20,000 wakes workers once), in the same
-- transaction: a worker is woken exactly when the jobs become visible.
CREATE FUNCTION mediabase.notify_jobs() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mediabase_jobs', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER jobs_notify AFTER INSERT ON jobs FOR EACH STATEMENT EXECUTE FUNCTION notify_jobs();

CREATE TABLE job_idempotency_keys (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    key             text NOT NULL CONSTRAINT job_idempotency_keys_key_length CHECK (length(key) BETWEEN 1 AND 200),
    job_id          uuid NOT NULL,
    job_created_at  timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    PRIMARY KEY (organization_id, key)
);
CREATE INDEX job_idempotency_keys_job_created_idx ON job_idempotency_keys (job_created_at);
CREATE INDEX job_idempotency_keys_expires_idx ON job_idempotency_keys (expires_at) WHERE expires_at IS NOT NULL;
SELECT make_tenant_table('job_idempotency_keys');

-- Global (no tenant): at most max_running jobs of a type run at once, over all workers.
CREATE TABLE job_type_limits (
    type        text PRIMARY KEY,
    max_running integer NOT NULL CONSTRAINT job_type_limits_max_running_positive CHECK (max_running > 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
REVOKE INSERT, UPDATE, DELETE ON job_type_limits FROM mediabase_app;

-- -- partitions ---------------------------------------------------------------------------

-- Seed 002's create_monthly_partition, made safe to call at any time: rows of that month that
-- already sit in the DEFAULT partition move into the new one (in this transaction), and the
-- partition is attached (SHARE UPDATE EXCLUSIVE on jobs: enqueues and claims go on).
CREATE FUNCTION mediabase.create_job_partition(month date) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp SET lock_timeout = '5s' AS $$
DECLARE
    lo   timestamptz := date_trunc('month', month::timestamp) AT TIME ZONE 'UTC';
    hi   timestamptz := (date_trunc('month', month::timestamp) + interval '1 month') AT TIME ZONE 'UTC';
    name text := 'jobs_' || to_char(month, 'YYYY_MM');
BEGIN
    IF to_regclass(format('mediabase.%I', name)) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE mediabase.%I (LIKE mediabase.jobs INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
                   ' WITH (fillfactor = 90)', name);
    -- lets ATTACH skip scanning the new table
    EXECUTE format('ALTER TABLE mediabase.%I ADD CONSTRAINT %I CHECK (created_at >= %L AND created_at < %L)',
                   name, name || '_bounds', lo, hi);
    IF EXISTS (SELECT 1 FROM jobs_default WHERE created_at >= lo AND created_at < hi) THEN
        LOCK TABLE jobs_default IN ACCESS EXCLUSIVE MODE;
        EXECUTE format('WITH moved AS (DELETE FROM mediabase.jobs_default WHERE created_at >= %L AND created_at < %L'
                       ' RETURNING *) INSERT INTO mediabase.%I SELECT * FROM moved', lo, hi, name);
    END IF;
    EXECUTE format('ALTER TABLE mediabase.jobs ATTACH PARTITION mediabase.%I FOR VALUES FROM (%L) TO (%L)',
                   name, lo, hi);
    EXECUTE format('ALTER TABLE mediabase.%I DROP CONSTRAINT %I', name, name || '_bounds');
    -- row-level security is checked on the parent only: the app role never reads a partition
    EXECUTE format('REVOKE ALL ON mediabase.%I FROM mediabase_app', name);
    RETURN true;
END
$$;

-- The monthly partitions, their bounds and row estimates (and the DEFAULT one, bounds NULL).
CREATE FUNCTION mediabase.job_partitions()
    RETURNS TABLE (name text, range_from timestamptz, range_to timestamptz, est_rows bigint, is_default boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT c.relname::text,
           CASE WHEN c.relname ~ '^jobs_\d{4}_\d{2}$'
                THEN to_date(substr(c.relname, 6), 'YYYY_MM')::timestamp AT TIME ZONE 'UTC' END,
           CASE WHEN c.relname ~ '^jobs_\d{4}_\d{2}$'
                THEN (to_date(substr(c.relname, 6), 'YYYY_MM') + interval '1 month') AT TIME ZONE 'UTC' END,
           greatest(c.reltuples, 0)::bigint,
           pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'mediabase.jobs'::regclass
     ORDER BY 2 NULLS FIRST
$$;

-- This month and the next months_ahead ones; several workers may call it at once.
CREATE FUNCTION mediabase.ensure_job_partitions(months_ahead integer DEFAULT 2) RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    m date;
BEGIN
    IF months_ahead < 0 OR months_ahead > 36 THEN
        RAISE EXCEPTION 'months_ahead must be between 0 and 36' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.job_partitions', 0));
    FOR m IN SELECT generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
                                    date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => months_ahead),
                                    interval '1 month')::date
    LOOP
        IF create_job_partition(m) THEN
            RETURN NEXT 'jobs_' || to_char(m, 'YYYY_MM');
        END IF;
    END LOOP;
END
$$;

-- Drops the months that ended more than keep_months ago, unless they still hold unfinished
-- jobs (those are reported with a notice and kept); deletes their idempotency keys and the
-- keys that expired.
CREATE FUNCTION mediabase.prune_job_partitions(keep_months integer DEFAULT 6) RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp SET lock_timeout = '5s' AS $$
DECLARE
    cutoff timestamptz := (date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => keep_months)) AT TIME ZONE 'UTC';
    p record;
    busy boolean;
BEGIN
    IF keep_months < 1 THEN
        RAISE EXCEPTION 'keep_months must be at least 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.job_partitions', 0));
    FOR p IN SELECT * FROM job_partitions() WHERE NOT is_default AND range_to <= cutoff LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM mediabase.%I WHERE status IN (''queued'', ''processing''))', p.name)
            INTO busy;
        IF busy THEN
            RAISE NOTICE 'kept %: it still holds queued or processing jobs', p.name;
            CONTINUE;
        END IF;
        DELETE FROM job_idempotency_keys WHERE job_created_at >= p.range_from AND job_created_at < p.range_to;
        EXECUTE format('ALTER TABLE mediabase.jobs DETACH PARTITION mediabase.%I', p.name);
        EXECUTE format('DROP TABLE mediabase.%I', p.name);
        RETURN NEXT p.name;
    END LOOP;
    DELETE FROM jobs_default WHERE created_at < cutoff AND status IN ('completed', 'failed', 'cancelled');
    DELETE FROM job_idempotency_keys k WHERE k.job_created_at < cutoff
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.organization_id = k.organization_id AND j.id = k.job_id);
    DELETE FROM job_idempotency_keys WHERE expires_at <= now();
END
$$;

-- -- tenant functions (run as the caller; RLS applies) ----------------------------------------

-- Enqueue one job in the current tenant (or org, which RLS requires to be the current tenant
-- for the app role). With an idempotency key, a second enqueue, concurrent or later, returns
-- the first job (created = false) for as long as the key is kept.
CREATE FUNCTION mediabase.enqueue_job(
    type            text,
    input           jsonb DEFAULT '{}',
    queue           text DEFAULT 'default',
    priority        integer DEFAULT 0,
    run_after       timestamptz DEFAULT NULL,
    max_retries     integer DEFAULT 3,
    idempotency_key text DEFAULT NULL,
    context         jsonb DEFAULT NULL,
    key_ttl         interval DEFAULT NULL,
    org             uuid DEFAULT NULL
) RETURNS TABLE (id uuid, created_at timestamptz, status text, created boolean)
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    v_org uuid := coalesce(org, current_org_id());
    v_id  uuid := new_id();
    v_at  timestamptz := now();
    k     record;
BEGIN
    IF v_org IS NULL THEN
        RAISE EXCEPTION 'no tenant: set mediabase.organization_id or pass org'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF enqueue_job.idempotency_key IS NOT NULL THEN
        -- The unique key decides: a concurrent second caller waits here for the first one's
        -- transaction, then sees its row. An expired key is taken over.
        INSERT INTO job_idempotency_keys AS ik (organization_id, key, job_id, job_created_at, expires_at)
        VALUES (v_org, enqueue_job.idempotency_key, v_id, v_at, v_at + key_ttl)
        ON CONFLICT (organization_id, key) DO UPDATE
            SET job_id = EXCLUDED.job_id, job_created_at = EXCLUDED.job_created_at,
                created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
            WHERE ik.expires_at <= now()
        RETURNING ik.job_id INTO k;
        IF NOT FOUND THEN
            RETURN QUERY
                SELECT j.id, j.created_at, j.status, false
                  FROM job_idempotency_keys ik JOIN jobs j
                    ON j.organization_id = ik.organization_id AND j.id = ik.job_id AND j.created_at = ik.job_created_at
                 WHERE ik.organization_id = v_org AND ik.key = enqueue_job.idempotency_key;
            IF FOUND THEN
                RETURN;
            END IF;
            -- the key points at a job that was pruned: it starts over
            UPDATE job_idempotency_keys ik SET job_id = v_id, job_created_at = v_at, created_at = v_at,
                   expires_at = v_at + key_ttl
             WHERE ik.organization_id = v_org AND ik.key = enqueue_job.idempotency_key;
        END IF;
    END IF;
    INSERT INTO jobs (organization_id, id, created_at, type, queue, priority, run_after, input, context,
                      max_retries, idempotency_key, created_by, updated_at)
    VALUES (v_org, v_id, v_at, enqueue_job.type, coalesce(enqueue_job.queue, 'default'),
            coalesce(enqueue_job.priority, 0), coalesce(enqueue_job.run_after, v_at),
            coalesce(enqueue_job.input, '{}'), enqueue_job.context, coalesce(enqueue_job.max_retries, 3),
            enqueue_job.idempotency_key, current_user_id(), v_at);
    RETURN QUERY SELECT v_id, v_at, 'queued'::text, true;
END
$$;

-- Cancel a job of the current tenant: a queued one at once; a processing one cooperatively
-- (its worker sees the request at its next heartbeat or progress report). Returns the status.
CREATE FUNCTION mediabase.cancel_job(job_id uuid) RETURNS text
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    v_status text;
BEGIN
    UPDATE jobs SET status = 'cancelled', completed_at = now(), updated_at = now(),
                    message = coalesce(message, 'cancelled before it started')
     WHERE id = job_id AND status = 'queued'
    RETURNING status INTO v_status;
    IF FOUND THEN
        PERFORM pg_notify('mediabase_jobs_done', job_id::text);
        RETURN v_status;
    END IF;
    UPDATE jobs SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now()
     WHERE id = job_id AND status = 'processing'
    RETURNING status INTO v_status;
    IF FOUND THEN
        RETURN v_status;
    END IF;
    SELECT j.status INTO v_status FROM jobs j WHERE j.id = job_id;
    RETURN v_status;  -- finished already (unchanged), or NULL: no such job in this tenant
END
$$;

-- Put a failed or cancelled job of the current tenant back in the queue, with a fresh retry
-- budget. Returns the new status, or the unchanged one of a job that is not finished.
CREATE FUNCTION mediabase.retry_job(job_id uuid) RETURNS text
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    v_status text;
BEGIN
    UPDATE jobs SET status = 'queued', stage = 'pending', progress = 0, retry_count = 0,
                    run_after = now(), completed_at = NULL, cancel_requested_at = NULL,
                    message = 'requeued by hand', updated_at = now()
     WHERE id = job_id AND status IN ('failed', 'cancelled')
    RETURNING status INTO v_status;
    IF FOUND THEN
        PERFORM pg_notify('mediabase_jobs', '');
        RETURN v_status;
    END IF;
    SELECT j.status INTO v_status FROM jobs j WHERE j.id = job_id;
    RETURN v_status;
END
$$;

-- -- worker functions (SECURITY DEFINER: across tenants, only the worker's own leases) --------

-- Claim up to batch jobs for worker, leased for lease_seconds: first returns jobs whose lease
-- ran out to the queue (a dead worker's jobs come back without a janitor), then takes the
-- ready ones by priority and run_after with FOR UPDATE SKIP LOCKED, honouring job_type_limits
-- (types with a limit are claimed under a per-type transaction lock, counted after it).
-- The plan must not hang on statistics (a batch of fresh rows is not analyzed yet): sorting
-- is off, so the ready rows are read in index order and the scan stops after batch rows; the
-- locked rows are updated by their tid (they cannot move while locked).
CREATE FUNCTION mediabase.claim_jobs(
    worker        text,
    types         text[] DEFAULT NULL,
    batch         integer DEFAULT 10,
    lease_seconds integer DEFAULT 30,
    queues        text[] DEFAULT NULL,
    org           uuid DEFAULT NULL
) RETURNS SETOF mediabase.jobs
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp
    SET enable_sort = off SET enable_bitmapscan = off AS $$
DECLARE
    lease    interval := make_interval(secs => lease_seconds);
    limited  text[];
    full_    text[];
    caps     jsonb;
    n        bigint;
BEGIN
    IF worker IS NULL OR worker = '' THEN
        RAISE EXCEPTION 'worker name required' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF lease_seconds < 1 THEN
        RAISE EXCEPTION 'lease_seconds must be at least 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- 1. leases that ran out: back to the queue (counted as a failed attempt), or failed for
    --    good when the retries are used up, or cancelled when that was asked for
    WITH expired AS (
        SELECT tableoid, ctid FROM jobs
         WHERE status = 'processing' AND lease_expires_at < now()
         FOR UPDATE SKIP LOCKED
    ), done AS (
        UPDATE jobs j
           SET status = CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                             WHEN j.retry_count < j.max_retries THEN 'queued' ELSE 'failed' END,
               stage = CASE WHEN j.cancel_requested_at IS NULL AND j.retry_count < j.max_retries
                            THEN 'pending' WHEN j.cancel_requested_at IS NULL THEN 'error' ELSE j.stage END,
               retry_count = j.retry_count + (j.retry_count < j.max_retries)::int,
               run_after = now(),
               completed_at = CASE WHEN j.cancel_requested_at IS NULL AND j.retry_count < j.max_retries
                                   THEN NULL ELSE now() END,
               error_code = 'lease_expired',
               error_message = format('the lease of worker %s ran out at %s', j.locked_by, j.lease_expires_at),
               locked_by = NULL, lease_expires_at = NULL, updated_at = now()
          FROM expired e
         WHERE j.tableoid = e.tableoid AND j.ctid = e.ctid
        RETURNING j.id, j.status
    )
    SELECT count(*) INTO n FROM done d, LATERAL pg_notify('mediabase_jobs_done', d.id::text) x
     WHERE d.status <> 'queued';

    -- 2. per-type limits that concern this claim
    SELECT array_agg(l.type ORDER BY l.type) INTO limited
      FROM job_type_limits l WHERE types IS NULL OR l.type = ANY(types);

    IF limited IS NULL THEN
        RETURN QUERY
        WITH cand AS (
            SELECT tableoid, ctid FROM jobs
             WHERE status = 'queued' AND run_after <= now()
               AND (types IS NULL OR type = ANY(types)) AND (queues IS NULL OR queue = ANY(queues))
               AND (org IS NULL OR organization_id = org)
             ORDER BY priority DESC, run_after
             LIMIT batch
             FOR UPDATE SKIP LOCKED
        )
        UPDATE jobs j
           SET status = 'processing', locked_by = worker, lease_expires_at = now() + lease,
               heartbeat_at = now(), attempts = j.attempts + 1,
               started_at = coalesce(j.started_at, now()), updated_at = now()
          FROM cand c
         WHERE j.tableoid = c.tableoid AND j.ctid = c.ctid
        RETURNING j.*;
        RETURN;
    END IF;

    -- Claims of limited types take turns (one transaction lock per type, in name order, held
    -- to commit); the count below is a new statement, so it sees every earlier claim committed.
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.job_type:' || t, 0))
       FROM unnest(limited) AS t ORDER BY t;
    SELECT jsonb_object_agg(l.type, greatest(l.max_running - coalesce(r.n, 0), 0)),
           array_agg(l.type) FILTER (WHERE l.max_running - coalesce(r.n, 0) <= 0)
      INTO caps, full_
      FROM job_type_limits l
      LEFT JOIN (SELECT j.type, count(*) AS n FROM jobs j WHERE j.status = 'processing'
                  GROUP BY j.type) r ON r.type = l.type
     WHERE l.type = ANY(limited);

    RETURN QUERY
    WITH cand AS (
        SELECT tableoid, ctid, type, priority, run_after FROM jobs
         WHERE status = 'queued' AND run_after <= now()
           AND (types IS NULL OR type = ANY(types)) AND (queues IS NULL OR queue = ANY(queues))
           AND (org IS NULL OR organization_id = org)
           AND (full_ IS NULL OR type <> ALL(full_))
         ORDER BY priority DESC, run_after
         LIMIT batch
         FOR UPDATE SKIP LOCKED
    ), ranked AS (
        SELECT c.*, row_number() OVER (PARTITION BY c.type ORDER BY c.priority DESC, c.run_after) AS rn
          FROM cand c
    ), pick AS (
        SELECT r.tableoid, r.ctid FROM ranked r
         WHERE NOT caps ? r.type OR r.rn <= (caps ->> r.type)::int
    )
    UPDATE jobs j
       SET status = 'processing', locked_by = worker, lease_expires_at = now() + lease,
           heartbeat_at = now(), attempts = j.attempts + 1,
           started_at = coalesce(j.started_at, now()), updated_at = now()
      FROM pick c
     WHERE j.tableoid = c.tableoid AND j.ctid = c.ctid
    RETURNING j.*;
END
$$;

-- Extend the leases of the jobs worker still holds; returns them, and whether a cancel was
-- asked for. A job missing from the answer is no longer the worker's (its lease ran out).
CREATE FUNCTION mediabase.heartbeat_jobs(worker text, ids uuid[], lease_seconds integer DEFAULT 30,
                                         org uuid DEFAULT NULL)
    RETURNS TABLE (id uuid, cancel_requested boolean)
    LANGUAGE sql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    UPDATE jobs j SET lease_expires_at = now() + make_interval(secs => lease_seconds),
                      heartbeat_at = now()
     WHERE j.status = 'processing' AND j.id = ANY(ids) AND j.locked_by = worker
       AND (org IS NULL OR j.organization_id = org)
    RETURNING j.id, j.cancel_requested_at IS NOT NULL
$$;

-- Report progress (0..100), and optionally the stage and a message, of a held job. Returns
-- 'held', 'cancel_requested' (the handler should stop) or 'lost' (no longer the worker's).
CREATE FUNCTION mediabase.job_progress(
    job_id uuid, worker text, progress integer, stage text DEFAULT NULL, message text DEFAULT NULL,
    org uuid DEFAULT NULL
) RETURNS text
    LANGUAGE sql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    WITH u AS (
        UPDATE jobs j SET progress = job_progress.progress,
                          stage = coalesce(job_progress.stage, j.stage),
                          message = coalesce(job_progress.message, j.message),
                          heartbeat_at = now(), updated_at = now()
         WHERE j.status = 'processing' AND j.id = job_id AND j.locked_by = worker
           AND (org IS NULL OR j.organization_id = org)
        RETURNING j.cancel_requested_at IS NOT NULL AS cancel
    )
    SELECT coalesce((SELECT CASE WHEN cancel THEN 'cancel_requested' ELSE 'held' END FROM u), 'lost')
$$;

-- Complete held jobs with their results (one statement for a batch). Returns the ids that were
-- completed; a job whose lease was lost is not (another worker may hold it now).
CREATE FUNCTION mediabase.complete_jobs(worker text, ids uuid[], results jsonb[] DEFAULT NULL,
                                        org uuid DEFAULT NULL)
    RETURNS SETOF uuid
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    done uuid[];
BEGIN
    WITH r AS (
        SELECT * FROM unnest(ids, coalesce(results, array_fill(NULL::jsonb, ARRAY[cardinality(ids)])))
            AS r (id, result)
    ), u AS (
        UPDATE jobs j SET status = 'completed', stage = 'completed', progress = 100, result = r.result,
                          completed_at = now(), locked_by = NULL, lease_expires_at = NULL,
                          updated_at = now()
          FROM r
         WHERE j.status = 'processing' AND j.id = r.id AND j.locked_by = worker
           AND (org IS NULL OR j.organization_id = org)
        RETURNING j.id
    )
    SELECT array_agg(u.id) INTO done FROM u;
    IF done IS NOT NULL THEN
        -- waiters (wait_for, HTTP long-poll) listen on this channel; ids in chunks under 8000 bytes
        PERFORM pg_notify('mediabase_jobs_done', array_to_string(done[g:g + 199], ','))
           FROM generate_series(1, cardinality(done), 200) AS g;
        RETURN QUERY SELECT unnest(done);
    END IF;
END
$$;

CREATE FUNCTION mediabase.complete_job(job_id uuid, worker text, result jsonb DEFAULT NULL, org uuid DEFAULT NULL)
    RETURNS boolean
    LANGUAGE sql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM complete_jobs(worker, ARRAY[job_id], ARRAY[result], org))
$$;

-- Fail a held job. Retryable and retries left: back to the queue after an exponential backoff
-- with jitter (base * 2^retry_count, capped, times 0.5..1). Otherwise failed for good (kept for
-- inspection; retry_job requeues it). A job whose cancel was asked for ends cancelled.
-- Returns the new status, or NULL if the worker does not hold the job.
CREATE FUNCTION mediabase.fail_job(
    job_id uuid, worker text, code text, message text, retryable boolean DEFAULT true,
    backoff_base_seconds double precision DEFAULT 2, backoff_cap_seconds double precision DEFAULT 3600,
    org uuid DEFAULT NULL
) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    v_status text;
BEGIN
    UPDATE jobs j
       SET status = CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                         WHEN retryable AND j.retry_count < j.max_retries THEN 'queued' ELSE 'failed' END,
           stage = CASE WHEN j.cancel_requested_at IS NOT NULL THEN j.stage
                        WHEN retryable AND j.retry_count < j.max_retries THEN 'pending' ELSE 'error' END,
           run_after = CASE WHEN j.cancel_requested_at IS NULL AND retryable AND j.retry_count < j.max_retries
               THEN now() + make_interval(secs => least(backoff_cap_seconds,
                        backoff_base_seconds * power(2, j.retry_count)) * (0.5 + random() / 2))
               ELSE j.run_after END,
           retry_count = j.retry_count
               + (j.cancel_requested_at IS NULL AND retryable AND j.retry_count < j.max_retries)::int,
           completed_at = CASE WHEN j.cancel_requested_at IS NULL AND retryable AND j.retry_count < j.max_retries
                               THEN NULL ELSE now() END,
           error_code = left(code, 50), error_message = left(fail_job.message, 10000),
           locked_by = NULL, lease_expires_at = NULL, updated_at = now()
     WHERE j.status = 'processing' AND j.id = job_id AND j.locked_by = worker
       AND (org IS NULL OR j.organization_id = org)
    RETURNING j.status INTO v_status;
    IF v_status IN ('failed', 'cancelled') THEN
        PERFORM pg_notify('mediabase_jobs_done', job_id::text);
    END IF;
    RETURN v_status;
END
$$;

-- Give held jobs back untouched (a worker shutting down): queued again at once, no retry
-- counted; a job whose cancel was asked for ends cancelled. Returns how many.
CREATE FUNCTION mediabase.release_jobs(worker text, ids uuid[], org uuid DEFAULT NULL) RETURNS integer
    LANGUAGE sql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    WITH u AS (
        UPDATE jobs j
           SET status = CASE WHEN j.cancel_requested_at IS NULL THEN 'queued' ELSE 'cancelled' END,
               completed_at = CASE WHEN j.cancel_requested_at IS NULL THEN NULL ELSE now() END,
               run_after = now(), locked_by = NULL, lease_expires_at = NULL, updated_at = now(),
               message = 'released by worker ' || worker
         WHERE j.status = 'processing' AND j.id = ANY(ids) AND j.locked_by = worker
           AND (org IS NULL OR j.organization_id = org)
        RETURNING j.status
    )
    SELECT count(*)::int FROM u, LATERAL (SELECT pg_notify('mediabase_jobs', '')) n
$$;

-- Per type and status: how many jobs, and the age of the oldest ready one (the backlog).
-- Finished jobs are counted over the last `since` (by created_at, so old months are not read).
CREATE FUNCTION mediabase.job_stats(since interval DEFAULT '24 hours')
    RETURNS TABLE (type text, status text, n_jobs bigint, oldest_ready_age interval)
    LANGUAGE sql STABLE SET search_path = mediabase, pg_temp AS $$
    SELECT j.type, j.status, count(*),
           CASE WHEN j.status = 'queued' THEN now() - min(j.run_after) FILTER (WHERE j.run_after <= now()) END
      FROM jobs j
     WHERE j.status IN ('queued', 'processing') OR j.created_at >= now() - since
     GROUP BY j.type, j.status
     ORDER BY j.type, j.status
$$;

REVOKE ALL ON FUNCTION mediabase.create_job_partition(date), mediabase.ensure_job_partitions(integer),
    mediabase.prune_job_partitions(integer), mediabase.job_partitions() FROM PUBLIC, mediabase_app;
REVOKE ALL ON FUNCTION mediabase.claim_jobs(text, text[], integer, integer, text[], uuid),
    mediabase.heartbeat_jobs(text, uuid[], integer, uuid), mediabase.job_progress(uuid, text, integer, text, text, uuid),
    mediabase.complete_jobs(text, uuid[], jsonb[], uuid), mediabase.complete_job(uuid, text, jsonb, uuid),
    mediabase.fail_job(uuid, text, text, text, boolean, double precision, double precision, uuid),
    mediabase.release_jobs(text, uuid[], uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mediabase.claim_jobs(text, text[], integer, integer, text[], uuid),
    mediabase.heartbeat_jobs(text, uuid[], integer, uuid), mediabase.job_progress(uuid, text, integer, text, text, uuid),
    mediabase.complete_jobs(text, uuid[], jsonb[], uuid), mediabase.complete_job(uuid, text, jsonb, uuid),
    mediabase.fail_job(uuid, text, text, text, boolean, double precision, double precision, uuid),
    mediabase.release_jobs(text, uuid[], uuid), mediabase.enqueue_job(text, jsonb, text, integer, timestamptz,
        integer, text, jsonb, interval, uuid), mediabase.cancel_job(uuid), mediabase.retry_job(uuid),
    mediabase.job_stats(interval) TO mediabase_app;
