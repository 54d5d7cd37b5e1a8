-- 0044_governance_retention: retention that acts (issue 16; docs/retention.md).
--
--   retention_policies   one row per purge policy that mediabase.governance.retention owns: its
--                        window in days and whether it runs. Seeded here with the defaults; the
--                        names are a closed list (a CHECK), so a policy the code does not know
--                        cannot be configured. The raw analytics tables keep their window in
--                        partitioned_tables.keep_months (0012), the sweepers of sessions and of
--                        the event outbox theirs in their own settings: they are not here.
--   retention_runs       one row per `mediabase retention run` and per worker pass that purged
--                        something: when, by whom (cli | worker), and per policy how many rows
--                        went. What went is auditable without the rows themselves.
--
-- Both are global (no organization: a purge runs across all of them, as the owner) and small:
-- reference tables on Citus. The application role has no access; operators use the CLI.

CREATE TABLE retention_policies (
    name        text PRIMARY KEY CONSTRAINT retention_policies_name_known CHECK (name IN (
                    'videos.trash', 'share_links.expired', 'notifications.read', 'notifications.unread',
                    'mail.sent', 'invitations.closed')),
    -- the window: rows older than this many days (by the policy's own clock column) go
    keep_days   integer NOT NULL CONSTRAINT retention_policies_keep_days_range CHECK (keep_days BETWEEN 1 AND 36500),
    enabled     boolean NOT NULL DEFAULT true,
    description text NOT NULL CONSTRAINT retention_policies_description_length
        CHECK (length(btrim(description)) BETWEEN 1 AND 500),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
SELECT declare_table('retention_policies', 'reference');
REVOKE ALL ON retention_policies FROM PUBLIC, mediabase_app;

INSERT INTO retention_policies (name, keep_days, description) VALUES
    ('videos.trash', 30,
     'soft-deleted videos past their retention_until, or (without one) deleted more than keep_days ago,'
     ' with their transcripts, segments, chunks, speakers, AI layers, comments and everything else of theirs'),
    ('share_links.expired', 30, 'share links that expired or were revoked more than keep_days ago'),
    ('notifications.read', 30, 'read notifications created more than keep_days ago'),
    ('notifications.unread', 180, 'unread notifications created more than keep_days ago'),
    ('mail.sent', 30,
     'sent or dead mail (addresses and bodies) finished more than keep_days ago; a digest''s mail stays with its digest'),
    ('invitations.closed', 90,
     'invitations (e-mail addresses) never accepted that expired or were revoked more than keep_days ago');

CREATE TABLE retention_runs (
    id          uuid PRIMARY KEY DEFAULT new_id(),
    run_by      text NOT NULL CONSTRAINT retention_runs_run_by_valid CHECK (run_by IN ('cli', 'worker')),
    -- the policies the run was asked for (all enabled ones, or the one named)
    policies    text[] NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    -- NULL while it runs, or when it died; counts holds what had gone by then
    finished_at timestamptz,
    -- {"videos.trash": {"videos": 2}, "share_links.expired": {"share_links": 5}, …}
    counts      jsonb NOT NULL DEFAULT '{}' CONSTRAINT retention_runs_counts_object CHECK (jsonb_typeof(counts) = 'object'),
    error       text CONSTRAINT retention_runs_error_length CHECK (length(error) BETWEEN 1 AND 2000),
    CONSTRAINT retention_runs_finished_after_start CHECK (finished_at >= started_at)
);
SELECT declare_table('retention_runs', 'reference');
REVOKE ALL ON retention_runs FROM PUBLIC, mediabase_app;
CREATE INDEX retention_runs_started_idx ON retention_runs (started_at DESC);

-- The purges' lookups across organizations, one index each (docs/retention.md "Queries"):
-- videos.trash uses videos_deleted_idx and videos_retention_idx (0004).
CREATE INDEX share_links_retention_idx ON share_links ((least(revoked_at, expires_at)))
    WHERE revoked_at IS NOT NULL OR expires_at IS NOT NULL;
CREATE INDEX notifications_retention_idx ON notifications (created_at, (read_at IS NULL));
CREATE INDEX mail_outbox_retention_idx ON mail_outbox (updated_at) WHERE status IN ('sent', 'dead');
CREATE INDEX invitations_retention_idx ON invitations ((least(revoked_at, expires_at))) WHERE accepted_at IS NULL;
