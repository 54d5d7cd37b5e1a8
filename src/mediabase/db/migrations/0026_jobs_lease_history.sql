-- 0026_jobs_lease_history: a job that completed after a lease ran out no longer looks failed
-- (issue 26, 7). The lease reaper (claim_jobs) and fail_job wrote the failure into error_code
-- and error_message, and nothing cleared them: a job re-claimed after its worker died and then
-- completed kept error_code = 'lease_expired', as if it had failed. Now:
--
-- jobs.failed_attempts  the history: one entry per attempt that ended without completing the
--                       job (its lease ran out, or its handler failed or stopped), oldest first,
--                       the last 20 kept: {"attempt", "worker", "error_code", "error_message",
--                       "ended_at"}. It lives and dies with its row: a month of jobs is dropped
--                       whole, so a table of attempts could not point at the jobs it describes.
-- error_code/_message   the last failure while the job is not completed (queued for a retry,
--                       failed, cancelled); complete_jobs clears them.
--
-- Jobs that completed before this migration keep their last error (history is not invented).
-- claim_jobs, complete_jobs and fail_job are replaced whole (same signatures and grants); only
-- the lines named above change.

ALTER TABLE jobs ADD COLUMN failed_attempts jsonb NOT NULL DEFAULT '[]'
    CONSTRAINT jobs_failed_attempts_shape CHECK (
        CASE WHEN jsonb_typeof(failed_attempts) = 'array'
             THEN jsonb_array_length(failed_attempts) <= 20
                  AND NOT jsonb_path_exists(failed_attempts,
                      '$[*] ? (@.type() != "object" || !exists(@.attempt) || !exists(@.error_code) || !exists(@.ended_at))')
             ELSE false END);

-- The history with one more failed attempt (the oldest entry goes past 20).
CREATE FUNCTION mediabase.job_attempt_failed(history jsonb, attempt integer, worker text, code text,
                                            message text) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = mediabase, pg_temp AS $$
    SELECT CASE WHEN jsonb_array_length(history) >= 20 THEN history - 0 ELSE history END
           || jsonb_build_array(jsonb_build_object(
                  'attempt', attempt, 'worker', worker, 'error_code', left(code, 50),
                  'error_message', left(message, 1000), 'ended_at', now()))
$$;
REVOKE ALL ON FUNCTION mediabase.job_attempt_failed(jsonb, integer, text, text, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION mediabase.claim_jobs(
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
    -- 1. leases that ran out: back to the queue (counted as a failed attempt, kept in the job's
    --    failed_attempts), or failed for good when the retries are used up, or cancelled when
    --    that was asked for
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
               failed_attempts = job_attempt_failed(j.failed_attempts, j.attempts, j.locked_by, 'lease_expired',
                   format('the lease of worker %s ran out at %s', j.locked_by, j.lease_expires_at)),
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

CREATE OR REPLACE FUNCTION mediabase.complete_jobs(worker text, ids uuid[], results jsonb[] DEFAULT NULL,
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
                          error_code = NULL, error_message = NULL, updated_at = now()
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

CREATE OR REPLACE FUNCTION mediabase.fail_job(
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
           failed_attempts = job_attempt_failed(j.failed_attempts, j.attempts, j.locked_by, code, fail_job.message),
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
