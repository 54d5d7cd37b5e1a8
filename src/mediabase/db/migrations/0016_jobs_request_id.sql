-- 0016_jobs_request_id: the request a job comes from (docs/operations.md, "Request ids").
--
-- The API sets the transaction-local mediabase.request_id with the tenant (the X-Request-ID it
-- answers with); a worker sets the id of the job it runs, so the jobs a job enqueues carry it
-- too. A column default, not an argument: every way a job is made (enqueue_job, the batch
-- INSERT, the statement triggers that enqueue) records it without a change. NULL when the
-- job was not enqueued by a request (the CLI, upkeep). Adding a column with a non-volatile
-- default rewrites no partition.

ALTER TABLE jobs ADD COLUMN request_id text
    DEFAULT nullif(current_setting('mediabase.request_id', true), '')
    CONSTRAINT jobs_request_id_length CHECK (length(request_id) <= 128);

