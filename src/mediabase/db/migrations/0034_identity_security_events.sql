-- 0034_identity_security_events: the security log (seed 004's "security logs"; docs/security.md).
--
-- security_events   who signed in with which key, who failed to, keys created and revoked,
--                   members added and removed, role changes, payouts: one row each, append-only,
--                   partitioned by month on occurred_at and kept 13 months (about 400 days) by the
--                   one partition manager (0012; `mediabase partitions policy security_events`).
--
-- What the audit log (0007) is not: the audit log keeps every row change of every tenant table,
-- forever; this log keeps the security-relevant acts, including those that change no row (a
-- sign-in, a failed one), with the client's (hashed) address and user agent, and goes with age.
--
-- Tenancy: a row belongs to the organization it concerns. A failed sign-in with a key that
-- names no key of any organization has none: it is kept under the nil organization
-- (00000000-0000-0000-0000-000000000000), which no organization can have (ids are v7 UUIDs from
-- new_id()), so no tenant ever reads it; operators do (`mediabase security events --unattributed`).
-- Only failed sign-ins may be tenantless (security_events_tenantless_kind). On Citus the nil
-- organization is one more distribution value.
--
-- Privacy: never a key's secret, never a password, never the client's address: ip_hmac is
-- HMAC-SHA-256 of it under a key the application holds (MEDIABASE_SECURITY_IP_KEY), ip_key names
-- that key (rotation), as story_scene_views do (0021). details is a small JSON object (4 KiB).
--
-- Actors and subjects are uuids without foreign keys: a log outlives the users, keys and payouts
-- it names, and an append-only row cannot be updated by ON DELETE SET NULL.

CREATE TABLE security_events (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    kind            text NOT NULL CONSTRAINT security_events_kind_valid CHECK (kind IN (
                        'login', 'login_failed', 'key_created', 'key_revoked', 'role_changed',
                        'member_added', 'member_removed', 'payout')),
    -- who acted (NULL: unknown, e.g. a failed sign-in, or the system) and with which API key
    actor_user_id   uuid,
    actor_key_id    uuid,
    -- what the event is about
    subject_type    text CONSTRAINT security_events_subject_type_valid
                        CHECK (subject_type IN ('api_key', 'user', 'payout', 'organization')),
    subject_id      uuid,
    ip_hmac         bytea CONSTRAINT security_events_ip_hmac_length CHECK (length(ip_hmac) = 32),
    ip_key          text CONSTRAINT security_events_ip_key_format CHECK (ip_key ~ '^[A-Za-z0-9_.-]{1,32}$'),
    user_agent      text CONSTRAINT security_events_user_agent_length CHECK (length(user_agent) <= 512),
    details         jsonb NOT NULL DEFAULT '{}'
                        CONSTRAINT security_events_details_shape
                        CHECK (jsonb_typeof(details) = 'object' AND octet_length(details::text) <= 4096),
    -- the request that did it (the API's X-Request-ID), as jobs record it (0016)
    request_id      text DEFAULT nullif(current_setting('mediabase.request_id', true), '')
                        CONSTRAINT security_events_request_id_length CHECK (length(request_id) <= 128),
    PRIMARY KEY (organization_id, occurred_at, id),
    CONSTRAINT security_events_subject_named CHECK ((subject_type IS NULL) = (subject_id IS NULL)),
    CONSTRAINT security_events_key_named CHECK ((ip_hmac IS NULL) = (ip_key IS NULL)),
    CONSTRAINT security_events_tenantless_kind
        CHECK (organization_id <> '00000000-0000-0000-0000-000000000000' OR kind = 'login_failed')
) PARTITION BY RANGE (occurred_at);
SELECT declare_table('security_events', 'distributed');
-- the list's filters, newest first (the primary key serves the unfiltered list)
CREATE INDEX security_events_kind_idx ON security_events (organization_id, kind, occurred_at, id);
CREATE INDEX security_events_actor_idx ON security_events (organization_id, actor_user_id, occurred_at, id)
    WHERE actor_user_id IS NOT NULL;
CREATE INDEX security_events_subject_idx ON security_events (organization_id, subject_id, occurred_at, id)
    WHERE subject_id IS NOT NULL;
CREATE TABLE security_events_default PARTITION OF security_events DEFAULT;
SELECT make_tenant_table('security_events');
-- the application writes and reads its own tenant's events (RLS), and never changes one
REVOKE ALL ON security_events FROM PUBLIC, mediabase_app;
GRANT SELECT, INSERT ON security_events TO mediabase_app;
-- row-level security is checked on the parent only: the app role never reads a partition
REVOKE ALL ON security_events_default FROM PUBLIC, mediabase_app;

-- Rows never change; they go only with their month's partition (retention) or, while moving out
-- of the DEFAULT partition, inside create_partition (which sets mediabase.audit_maintenance).
-- The owner is held to it too: a security log its owner could quietly edit would prove little.
CREATE FUNCTION mediabase.security_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('mediabase.audit_maintenance', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the security log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege', CONSTRAINT = 'security_events_append_only';
END
$$;
CREATE TRIGGER security_events_append_only BEFORE UPDATE OR DELETE ON security_events
    FOR EACH ROW EXECUTE FUNCTION security_events_append_only();
CREATE TRIGGER security_events_no_truncate BEFORE TRUNCATE ON security_events
    FOR EACH STATEMENT EXECUTE FUNCTION security_events_append_only();

-- Kept 13 months after the current one (about 400 days), never fewer than 3 whatever a run asks
-- (--prune-keep); change it with `mediabase partitions policy security_events --keep-months N`.
INSERT INTO partitioned_tables (parent, keep_months, min_keep_months, archive)
VALUES ('mediabase.security_events', 13, 3, false);
