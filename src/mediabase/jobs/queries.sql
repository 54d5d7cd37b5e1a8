-- The job queue's SQL. The work happens in the SQL functions of migration 0003 (callable from
-- any language); these blocks are how Python calls them.

-- name: enqueue
SELECT id, created_at, status, created
  FROM mediabase.enqueue_job(%(type)s, %(input)s, %(queue)s, %(priority)s, %(run_after)s,
                             %(max_retries)s, %(idempotency_key)s, %(context)s, %(key_ttl)s, %(org)s);

-- name: enqueue_many
-- A batch in one statement (one NOTIFY for all of it); no idempotency keys here. A column whose
-- value is the same for the whole batch comes as one value (its array NULL): less to parse.
INSERT INTO mediabase.jobs (organization_id, type, queue, priority, run_after, input, max_retries,
                            created_by)
SELECT %(org)s, coalesce(b.type, %(type)s), coalesce(b.queue, %(queue)s),
       coalesce(b.priority, %(priority)s), coalesce(b.run_after, %(run_after)s, now()),
       coalesce(b.input, %(input)s), coalesce(b.max_retries, %(max_retries)s),
       mediabase.current_user_id()
  FROM unnest(coalesce(%(types)b::text[], array_fill(NULL::text, ARRAY[%(n)s])),
              coalesce(%(queues)b::text[], array_fill(NULL::text, ARRAY[%(n)s])),
              coalesce(%(priorities)b::int[], array_fill(NULL::int, ARRAY[%(n)s])),
              coalesce(%(run_afters)b::timestamptz[], array_fill(NULL::timestamptz, ARRAY[%(n)s])),
              coalesce(%(inputs)b::jsonb[], array_fill(NULL::jsonb, ARRAY[%(n)s])),
              coalesce(%(max_retries_each)b::int[], array_fill(NULL::int, ARRAY[%(n)s])))
       AS b (type, queue, priority, run_after, input, max_retries)
RETURNING id;

-- name: get
SELECT * FROM mediabase.jobs WHERE organization_id = %(org)s AND id = %(id)s;

-- name: status
SELECT status FROM mediabase.jobs WHERE organization_id = %(org)s AND id = %(id)s;

-- name: list
SELECT * FROM mediabase.jobs
 WHERE organization_id = %(org)s
   AND (%(status)s::text IS NULL OR status = %(status)s)
   AND (%(type)s::text IS NULL OR type = %(type)s)
   AND (%(before)s::timestamptz IS NULL OR created_at < %(before)s)
 ORDER BY created_at DESC
 LIMIT %(limit)s;

-- name: list_all
-- Operators (the CLI, as the owner): every tenant.
SELECT * FROM mediabase.jobs
 WHERE (%(org)s::uuid IS NULL OR organization_id = %(org)s)
   AND (%(status)s::text IS NULL OR status = %(status)s)
   AND (%(type)s::text IS NULL OR type = %(type)s)
 ORDER BY created_at DESC
 LIMIT %(limit)s;

-- name: org_slugs
-- Operators only: the slugs of the tenants listed (organizations is a reference table on Citus, the
-- jobs a coordinator-local one: two statements rather than a join).
SELECT id, slug FROM mediabase.organizations WHERE id = ANY(%(ids)s::uuid[]);

-- name: find_org
-- Operators only: the tenant of a job given by id.
SELECT organization_id FROM mediabase.jobs WHERE id = %(id)s;

-- name: cancel
SELECT mediabase.cancel_job(%(id)s) AS status;

-- name: retry
SELECT mediabase.retry_job(%(id)s) AS status;

-- name: stats
SELECT type, status, n_jobs AS jobs, extract(epoch FROM oldest_ready_age)::float8 AS oldest_ready_seconds
  FROM mediabase.job_stats(%(since)s);

-- name: queue_counts
-- Operators (metrics and doctor, the owner's connection): every tenant's jobs per type that are
-- ready, scheduled (run_after still ahead), running, or failed and created since %(failed_since)s.
-- Each part reads only rows kept small by a partial index (jobs_ready_idx, jobs_processing_idx) or
-- by partition pruning on created_at and jobs_failed_idx (0017), never the finished history:
-- cheap enough for every scrape.
SELECT q.type, q.state, count(*) AS jobs,
       CASE WHEN q.state = 'ready' THEN extract(epoch FROM now() - min(q.run_after))::float8 END
           AS oldest_ready_seconds
  FROM (SELECT type, run_after, CASE WHEN run_after <= now() THEN 'ready' ELSE 'scheduled' END AS state
          FROM mediabase.jobs WHERE status = 'queued') q
 GROUP BY q.type, q.state
UNION ALL
SELECT type, 'running', count(*), NULL FROM mediabase.jobs WHERE status = 'processing' GROUP BY type
UNION ALL
SELECT type, 'failed', count(*), NULL FROM mediabase.jobs
 WHERE status = 'failed' AND created_at >= now() - %(failed_since)s::interval
 GROUP BY type
 ORDER BY 1, 2;

-- name: claim
SELECT * FROM mediabase.claim_jobs(%(worker)s, %(types)s, %(batch)s, %(lease_seconds)s, %(queues)s, %(org)s);

-- name: heartbeat
SELECT id, cancel_requested FROM mediabase.heartbeat_jobs(%(worker)s, %(ids)s, %(lease_seconds)s, %(org)s);

-- name: progress
SELECT mediabase.job_progress(%(id)s, %(worker)s, %(progress)s, %(stage)s, %(message)s, %(org)s) AS state;

-- name: complete_many
SELECT id FROM mediabase.complete_jobs(%(worker)s, %(ids)s::uuid[], %(results)s::jsonb[], %(org)s) AS id;

-- name: complete_one
SELECT mediabase.complete_job(%(id)s, %(worker)s, %(result)s, %(org)s) AS ok;

-- name: fail
SELECT mediabase.fail_job(%(id)s, %(worker)s, %(code)s, %(message)s, %(retryable)s, org => %(org)s) AS status;

-- name: release
SELECT mediabase.release_jobs(%(worker)s, %(ids)s, %(org)s) AS released;

-- name: ensure_partitions
SELECT p AS name FROM mediabase.ensure_job_partitions(%(months_ahead)s) AS p;

-- name: prune_partitions
SELECT p AS name FROM mediabase.prune_job_partitions(%(keep_months)s) AS p;

-- name: partitions
SELECT name, range_from, range_to, est_rows, is_default FROM mediabase.job_partitions();

-- name: set_limit
INSERT INTO mediabase.job_type_limits (type, max_running) VALUES (%(type)s, %(max_running)s)
ON CONFLICT (type) DO UPDATE SET max_running = EXCLUDED.max_running, updated_at = now();

-- name: drop_limit
DELETE FROM mediabase.job_type_limits WHERE type = %(type)s;

-- name: access
-- What the rules of who may touch a job read (docs/jobs.md "Who may do what"); both never change.
SELECT type, created_by FROM mediabase.jobs WHERE organization_id = %(org)s AND id = %(id)s;
