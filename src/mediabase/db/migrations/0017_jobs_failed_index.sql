-- 0017_jobs_failed_index: failed jobs found without reading the month's finished history.
--
-- /metrics and doctor count every tenant's failed jobs of the last 24 hours on each scrape
-- (jobs.queries 'queue_counts'). Failed rows had no index of their own, so that part read the
-- whole current partition: 97 ms with a million finished jobs in the month, 1.6 ms with this
-- partial index (measured on the embedded server; docs/operations.md, "Metrics"). Failed rows
-- are few, so the index is small and costs little on writes.

CREATE INDEX jobs_failed_idx ON jobs (created_at) WHERE status = 'failed';
