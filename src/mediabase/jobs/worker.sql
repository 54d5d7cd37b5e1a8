-- The worker's own reads beside the queue's functions (queries.sql), each in a job's tenant.

-- name: org_slug
-- The slug its log lines name the organization by (looked up once per organization and worker).
SELECT slug FROM mediabase.organizations WHERE id = %(org)s;

-- name: unfinished_of_subject
-- The other jobs of a followed subject still to run or running ({key}: the follower's input key,
-- a literal). Reads the unfinished rows only (jobs_ready_idx, jobs_processing_idx: 0003).
SELECT count(*) AS n FROM (
    SELECT 1 FROM mediabase.jobs
     WHERE status = 'queued' AND organization_id = %(org)s AND id <> %(id)s AND input ->> {key} = %(subject)s
    UNION ALL
    SELECT 1 FROM mediabase.jobs
     WHERE status = 'processing' AND organization_id = %(org)s AND id <> %(id)s AND input ->> {key} = %(subject)s
) AS unfinished;
