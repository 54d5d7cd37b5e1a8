-- 0014_jobs_repair_timestamps: instants every reader can hold (issue 11; docs/operations.md,
-- "Instants out of range").
--
-- timestamptz reaches from 4713 BC to 294276 AD; Python's datetime from year 1 to 9999, in the
-- session's time zone. POST /jobs with run_after '9999-12-31T23:00:00-12:00' (year 10000 in UTC)
-- was stored, and from then on every read of that organization's jobs (GET /jobs, the CLI's
-- 'jobs list') failed while loading the row. The API now refuses such instants (422); this
-- migration
--   1. repairs rows already stored: an instant a user sets, outside [0001-01-02, 9999-01-01)
--      UTC, is clamped to the nearest end of that range (a job scheduled for year 10000 is still
--      scheduled for the far future, but can be read, listed and cancelled);
--   2. adds a CHECK on each of those columns, so no write, from SQL either, stores one again.
-- The range keeps a day's margin at the start and a year's at the end: in any session time
-- zone (offsets are under a day) the instant stays within Python's years 1..9999.
-- Each UPDATE runs only when a row needs it, so a clean database fires no trigger.

DO $$
DECLARE
    lo CONSTANT timestamptz := '0001-01-02 00:00:00+00';
    hi CONSTANT timestamptz := '9999-01-01 00:00:00+00';
    top CONSTANT timestamptz := '9998-12-31 23:59:59+00';  -- the latest instant a repair writes
    target record;
    n bigint;
BEGIN
    FOR target IN
        SELECT * FROM (VALUES ('jobs', 'run_after'),
                              ('videos', 'recorded_at'),
                              ('videos', 'retention_until'),
                              ('decisions', 'decided_at'),
                              ('api_keys', 'expires_at'),
                              ('share_links', 'expires_at')) AS t (tbl, col)
    LOOP
        EXECUTE format('SELECT count(*) FROM mediabase.%I WHERE %I < $1 OR %I >= $2',
                       target.tbl, target.col, target.col)
            INTO n USING lo, hi;
        IF n > 0 THEN
            EXECUTE format('UPDATE mediabase.%I SET %I = CASE WHEN %I < $1 THEN $1 ELSE $3 END'
                           ' WHERE %I < $1 OR %I >= $2',
                           target.tbl, target.col, target.col, target.col, target.col)
                USING lo, hi, top;
            RAISE NOTICE 'clamped % %.% value(s) into [%, %)', n, target.tbl, target.col, lo, hi;
        END IF;
    END LOOP;
END
$$;

ALTER TABLE jobs ADD CONSTRAINT jobs_run_after_range
    CHECK (run_after >= '0001-01-02 00:00:00+00' AND run_after < '9999-01-01 00:00:00+00');
ALTER TABLE videos ADD CONSTRAINT videos_recorded_at_range
    CHECK (recorded_at >= '0001-01-02 00:00:00+00' AND recorded_at < '9999-01-01 00:00:00+00');
ALTER TABLE videos ADD CONSTRAINT videos_retention_until_range
    CHECK (retention_until >= '0001-01-02 00:00:00+00' AND retention_until < '9999-01-01 00:00:00+00');
ALTER TABLE decisions ADD CONSTRAINT decisions_decided_at_range
    CHECK (decided_at >= '0001-01-02 00:00:00+00' AND decided_at < '9999-01-01 00:00:00+00');
ALTER TABLE api_keys ADD CONSTRAINT api_keys_expires_at_range
    CHECK (expires_at >= '0001-01-02 00:00:00+00' AND expires_at < '9999-01-01 00:00:00+00');
ALTER TABLE share_links ADD CONSTRAINT share_links_expires_at_range
    CHECK (expires_at >= '0001-01-02 00:00:00+00' AND expires_at < '9999-01-01 00:00:00+00');
