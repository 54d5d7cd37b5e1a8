-- 0043_sessions_legal: sign-in sessions, single-use tokens, invitations, legal documents,
-- acceptances and consent history (issue 16; docs/identity.md "Sessions and tokens", docs/legal.md).
--
-- sessions            a signed-in user: 'mbs_<prefix>_<secret>', only sha256(secret) kept; the
--                     active organization; expiry, last seen, revocation; the client's address as
--                     a keyed HMAC (as security_events keep it), its user agent.
-- user_tokens         single-use e-mail verification and password-reset tokens ('mbv_…', 'mbr_…').
-- invitations         an invitation to an organization ('mbi_…'): e-mail, role, inviter, accepted once.
-- legal_documents     terms, privacy policy, …: (kind, version) unique, content and its sha256,
--                     the date it takes effect. Global.
-- legal_acceptances   a user accepted a document's version: append-only for the application.
-- user_consents       consent history per user and purpose: append-only rows granted/withdrawn;
--                     the current consent is the latest row.
--
-- Citus (docs/scale-out.md): what belongs to a user, not to an organization (sessions, tokens,
-- acceptances, consents) is a reference table like users and user_extensions: it is read with
-- the user's row before a tenant is known, on whichever node serves the request, and is written
-- seldom (sign-in, last seen at most every few minutes, acceptances) — a reference table pays
-- every write on every node, so nothing here is written per request. legal_documents are global
-- by nature (reference). invitations belong to the organization that invites (distributed by
-- organization_id, colocated with memberships, which accepting one creates in the same shard);
-- their token is found by its prefix across shards, as an API key's is.
-- Reference tables keep no trigger (0018): append-only is enforced by grants (the application
-- role may INSERT and SELECT, not UPDATE or DELETE), and the session's expiry sweep is upkeep.
--
-- Erasure (a later part of issue 16): every per-user table here references users ON DELETE
-- CASCADE and keeps no e-mail or name of its own except invitations.email (the invited
-- address, erased with the invitation) — erasing a user deletes their sessions, tokens,
-- acceptances and consents, or keeps acceptances/consents under a pseudonymous user id.

CREATE TABLE sessions (
    id                     uuid PRIMARY KEY DEFAULT new_id(),
    user_id                uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    -- the organization the session acts in (membership is checked at every use, not here)
    active_organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    prefix                 text NOT NULL CONSTRAINT sessions_prefix_format CHECK (prefix ~ '^[a-z0-9]{12}$'),
    secret_sha256          bytea NOT NULL CONSTRAINT sessions_secret_length CHECK (length(secret_sha256) = 32),
    created_at             timestamptz NOT NULL DEFAULT now(),
    expires_at             timestamptz NOT NULL,
    last_seen_at           timestamptz NOT NULL DEFAULT now(),
    revoked_at             timestamptz,
    ip_hmac                bytea CONSTRAINT sessions_ip_hmac_length CHECK (length(ip_hmac) = 32),
    ip_key                 text CONSTRAINT sessions_ip_key_format CHECK (ip_key ~ '^[A-Za-z0-9_.-]{1,32}$'),
    user_agent             text CONSTRAINT sessions_user_agent_length CHECK (length(user_agent) <= 512),
    CONSTRAINT sessions_prefix_key UNIQUE (prefix),
    CONSTRAINT sessions_expiry_after_start CHECK (expires_at > created_at),
    CONSTRAINT sessions_key_named CHECK ((ip_hmac IS NULL) = (ip_key IS NULL))
);
SELECT declare_table('sessions', 'reference');
CREATE INDEX sessions_user_idx ON sessions (user_id, created_at);
CREATE INDEX sessions_active_organization_idx ON sessions (active_organization_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE user_tokens (
    id            uuid PRIMARY KEY DEFAULT new_id(),
    user_id       uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    purpose       text NOT NULL CONSTRAINT user_tokens_purpose_valid CHECK (purpose IN ('verify_email', 'reset_password')),
    prefix        text NOT NULL CONSTRAINT user_tokens_prefix_format CHECK (prefix ~ '^[a-z0-9]{12}$'),
    secret_sha256 bytea NOT NULL CONSTRAINT user_tokens_secret_length CHECK (length(secret_sha256) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    CONSTRAINT user_tokens_prefix_key UNIQUE (prefix),
    CONSTRAINT user_tokens_expiry_after_start CHECK (expires_at > created_at),
    CONSTRAINT user_tokens_used_in_time CHECK (used_at IS NULL OR used_at <= expires_at)
);
SELECT declare_table('user_tokens', 'reference');
CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, purpose, created_at);
CREATE INDEX user_tokens_expires_idx ON user_tokens (expires_at);

CREATE TABLE invitations (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    email           text NOT NULL
        CONSTRAINT invitations_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 320),
    role            text NOT NULL DEFAULT 'MEMBER' CONSTRAINT invitations_role_valid CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER')),
    prefix          text NOT NULL CONSTRAINT invitations_prefix_format CHECK (prefix ~ '^[a-z0-9]{12}$'),
    secret_sha256   bytea NOT NULL CONSTRAINT invitations_secret_length CHECK (length(secret_sha256) = 32),
    invited_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    accepted_at     timestamptz,
    accepted_by     uuid REFERENCES users ON DELETE SET NULL,
    revoked_at      timestamptz,
    PRIMARY KEY (organization_id, id),
    CONSTRAINT invitations_prefix_key UNIQUE (organization_id, prefix),
    CONSTRAINT invitations_expiry_after_start CHECK (expires_at > created_at),
    CONSTRAINT invitations_accepted_or_revoked CHECK (accepted_at IS NULL OR revoked_at IS NULL),
    CONSTRAINT invitations_acceptor_named CHECK (accepted_at IS NOT NULL OR accepted_by IS NULL)
);
SELECT declare_table('invitations', 'distributed');
CREATE INDEX invitations_prefix_idx ON invitations (prefix);
CREATE INDEX invitations_list_idx ON invitations (organization_id, created_at, id);
CREATE INDEX invitations_invited_by_idx ON invitations (invited_by) WHERE invited_by IS NOT NULL;
CREATE INDEX invitations_accepted_by_idx ON invitations (accepted_by) WHERE accepted_by IS NOT NULL;
SELECT make_tenant_table('invitations');
SELECT audit_table('invitations', '{secret_sha256}');

CREATE TABLE legal_documents (
    id             uuid PRIMARY KEY DEFAULT new_id(),
    kind           text NOT NULL CONSTRAINT legal_documents_kind_format CHECK (kind ~ '^[a-z][a-z0-9_-]{0,39}$'),
    version        text NOT NULL
        CONSTRAINT legal_documents_version_format CHECK (version ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
    title          text NOT NULL CONSTRAINT legal_documents_title_length CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    content        text NOT NULL CONSTRAINT legal_documents_content_length CHECK (length(content) BETWEEN 1 AND 1000000),
    -- the digest of exactly what was accepted: an acceptance names a version and its text
    content_sha256 bytea NOT NULL
        CONSTRAINT legal_documents_content_digest CHECK (content_sha256 = sha256(convert_to(content, 'UTF8'))),
    effective_at   timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT legal_documents_version_key UNIQUE (kind, version)
);
SELECT declare_table('legal_documents', 'reference');
-- the current version of a kind: the latest that has taken effect
CREATE INDEX legal_documents_current_idx ON legal_documents (kind, effective_at DESC, id DESC);

CREATE TABLE legal_acceptances (
    id          uuid PRIMARY KEY DEFAULT new_id(),
    user_id     uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    document_id uuid NOT NULL REFERENCES legal_documents,
    accepted_at timestamptz NOT NULL DEFAULT now(),
    ip_hmac     bytea CONSTRAINT legal_acceptances_ip_hmac_length CHECK (length(ip_hmac) = 32),
    ip_key      text CONSTRAINT legal_acceptances_ip_key_format CHECK (ip_key ~ '^[A-Za-z0-9_.-]{1,32}$'),
    user_agent  text CONSTRAINT legal_acceptances_user_agent_length CHECK (length(user_agent) <= 512),
    CONSTRAINT legal_acceptances_once UNIQUE (user_id, document_id),
    CONSTRAINT legal_acceptances_key_named CHECK ((ip_hmac IS NULL) = (ip_key IS NULL))
);
SELECT declare_table('legal_acceptances', 'reference');
CREATE INDEX legal_acceptances_document_idx ON legal_acceptances (document_id);

CREATE TABLE user_consents (
    id          uuid PRIMARY KEY DEFAULT new_id(),
    user_id     uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    purpose     text NOT NULL CONSTRAINT user_consents_purpose_format CHECK (purpose ~ '^[a-z][a-z0-9_]{0,39}$'),
    granted     boolean NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    source      text NOT NULL DEFAULT 'api' CONSTRAINT user_consents_source_valid CHECK (source IN ('api', 'cli', 'import')),
    ip_hmac     bytea CONSTRAINT user_consents_ip_hmac_length CHECK (length(ip_hmac) = 32),
    ip_key      text CONSTRAINT user_consents_ip_key_format CHECK (ip_key ~ '^[A-Za-z0-9_.-]{1,32}$'),
    user_agent  text CONSTRAINT user_consents_user_agent_length CHECK (length(user_agent) <= 512),
    CONSTRAINT user_consents_key_named CHECK ((ip_hmac IS NULL) = (ip_key IS NULL))
);
SELECT declare_table('user_consents', 'reference');
-- the current consent per purpose: the latest row
CREATE INDEX user_consents_latest_idx ON user_consents (user_id, purpose, recorded_at DESC, id DESC);

-- The security log knows the new acts.
ALTER TABLE security_events DROP CONSTRAINT security_events_kind_valid;
ALTER TABLE security_events ADD CONSTRAINT security_events_kind_valid CHECK (kind IN (
    'login', 'login_failed', 'key_created', 'key_revoked', 'role_changed', 'member_added', 'member_removed',
    'payout', 'session_created', 'session_revoked', 'password_changed', 'password_reset', 'email_verified',
    'invitation_created', 'invitation_accepted', 'invitation_revoked'));
ALTER TABLE security_events DROP CONSTRAINT security_events_subject_type_valid;
ALTER TABLE security_events ADD CONSTRAINT security_events_subject_type_valid
    CHECK (subject_type IN ('api_key', 'user', 'payout', 'organization', 'session', 'invitation'));

-- Row security and grants. Secrets (the digests) are never readable by the application role;
-- sign-in, token use, invitation lookups and every write of these reference tables run as the
-- owner (the system pool) for the caller's user, as API-key authentication does; the
-- application role reads its user's rows.
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON sessions USING (user_id = mediabase.current_user_id());
ALTER TABLE user_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON user_tokens USING (user_id = mediabase.current_user_id());
ALTER TABLE legal_acceptances ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON legal_acceptances USING (user_id = mediabase.current_user_id());
ALTER TABLE user_consents ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON user_consents USING (user_id = mediabase.current_user_id());

-- One table per statement, revoking from the default privileges (0001) what the application
-- may not do, as the other migrations do (Citus propagates each to the nodes' copies).
REVOKE SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON sessions FROM mediabase_app;
GRANT SELECT (id, user_id, active_organization_id, prefix, created_at, expires_at, last_seen_at, revoked_at,
              ip_key, user_agent) ON sessions TO mediabase_app;
REVOKE SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON user_tokens FROM mediabase_app;
GRANT SELECT (id, user_id, purpose, prefix, created_at, expires_at, used_at) ON user_tokens TO mediabase_app;
-- (INSERT stays a table grant: no column-level INSERT grants on a distributed table, docs/scale-out.md)
REVOKE SELECT, UPDATE, DELETE, TRUNCATE ON invitations FROM mediabase_app;
GRANT SELECT (organization_id, id, email, role, prefix, invited_by, created_at, expires_at, accepted_at,
              accepted_by, revoked_at) ON invitations TO mediabase_app;
GRANT UPDATE (revoked_at) ON invitations TO mediabase_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON legal_documents FROM mediabase_app;
-- acceptances and consents are written as the owner for the caller's user (identity/legal.py):
-- the application role only reads its own (on Citus its writes of a reference table's copies
-- on the workers are refused, tests/acceptance/test_citus_sessions.py)
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON legal_acceptances FROM mediabase_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON user_consents FROM mediabase_app;
