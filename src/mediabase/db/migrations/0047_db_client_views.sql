-- 0047_db_client_views: what a direct SQL client may `SELECT *` from (issue 25; docs/clients.md).
--
-- A client role (`mediabase db role create`) has the privileges of mediabase_app. Ten tables grant
-- that role some of their columns only — their secrets stay with the services (password and token
-- hashes, encrypted provider tokens, webhook secrets, a session's address HMAC) — so `SELECT *` on
-- them is refused ("permission denied for table users"), and so is any ORM that lists every column
-- of the table. Each gets a view of exactly its readable columns, named <table>_readable:
--
--   users_readable, oauth_accounts_readable, api_keys_readable, sessions_readable,
--   user_tokens_readable, invitations_readable, share_links_readable, webhook_endpoints_readable,
--   integration_accounts_readable, integration_events_readable
--
-- Every other table the application reads grants all its columns already: `SELECT *` works there
-- (partitioned tables through their parent: the partitions are nobody's to read by name).
--
-- security_invoker: the caller's own privileges and row-level security apply to the table below,
-- as if it were read directly (a tenant sees its rows, a user their own where a policy says so).
-- The views are for reading: SELECT only (writes go to the tables, column by column, as granted).
-- A view names columns the app role may read; a later migration that grants or revokes a column
-- of one of these tables changes its view in the same file.

CREATE VIEW users_readable WITH (security_invoker = true) AS
SELECT id, email, username, display_name, avatar_url, bio, role, email_verified, is_active, created_at, updated_at,
       last_login_at
  FROM users;

CREATE VIEW oauth_accounts_readable WITH (security_invoker = true) AS
SELECT id, user_id, provider, provider_account_id, expires_at, scope, created_at, updated_at
  FROM oauth_accounts;

CREATE VIEW api_keys_readable WITH (security_invoker = true) AS
SELECT organization_id, id, user_id, name, prefix, created_at, expires_at, last_used_at, revoked_at, scope
  FROM api_keys;

CREATE VIEW sessions_readable WITH (security_invoker = true) AS
SELECT id, user_id, active_organization_id, prefix, created_at, expires_at, last_seen_at, revoked_at, ip_key,
       user_agent
  FROM sessions;

CREATE VIEW user_tokens_readable WITH (security_invoker = true) AS
SELECT id, user_id, purpose, prefix, created_at, expires_at, used_at
  FROM user_tokens;

CREATE VIEW invitations_readable WITH (security_invoker = true) AS
SELECT organization_id, id, email, role, prefix, invited_by, created_at, expires_at, accepted_at, accepted_by,
       revoked_at
  FROM invitations;

CREATE VIEW share_links_readable WITH (security_invoker = true) AS
SELECT organization_id, id, video_id, has_password, expires_at, view_count, last_viewed_at, revoked_at, revoked_by,
       created_by, created_at
  FROM share_links;

CREATE VIEW webhook_endpoints_readable WITH (security_invoker = true) AS
SELECT organization_id, id, url, description, previous_secret_expires_at, disabled_at, disabled_reason,
       consecutive_failures, created_by, created_at, updated_at
  FROM webhook_endpoints;

CREATE VIEW integration_accounts_readable WITH (security_invoker = true) AS
SELECT organization_id, id, provider, external_account_id, display_name, scopes, status, status_detail, sync_cursor,
       sync_cursor_updated_at, token_expires_at, secrets_key_id, has_access_token, has_refresh_token,
       has_webhook_secret, connected_by, created_at, updated_at
  FROM integration_accounts;

CREATE VIEW integration_events_readable WITH (security_invoker = true) AS
SELECT organization_id, id, account_id, provider, delivery_id, event_type, payload, body_sha256, status, result, error,
       received_at, processed_at
  FROM integration_events;

COMMENT ON VIEW users_readable IS 'users without password_hash and erased_at: what mediabase_app may read';
COMMENT ON VIEW oauth_accounts_readable IS 'oauth_accounts without the provider tokens';
COMMENT ON VIEW api_keys_readable IS 'api_keys without secret_sha256';
COMMENT ON VIEW sessions_readable IS 'sessions without secret_sha256 and ip_hmac';
COMMENT ON VIEW user_tokens_readable IS 'user_tokens without secret_sha256';
COMMENT ON VIEW invitations_readable IS 'invitations without secret_sha256';
COMMENT ON VIEW share_links_readable IS 'share_links without token_sha256 and password_hash';
COMMENT ON VIEW webhook_endpoints_readable IS 'webhook_endpoints without the signing secrets';
COMMENT ON VIEW integration_accounts_readable IS 'integration_accounts without the encrypted tokens and secret';
COMMENT ON VIEW integration_events_readable IS 'integration_events without the encrypted secrets';

REVOKE ALL ON users_readable, oauth_accounts_readable, api_keys_readable, sessions_readable, user_tokens_readable,
    invitations_readable, share_links_readable, webhook_endpoints_readable, integration_accounts_readable,
    integration_events_readable FROM PUBLIC, mediabase_app;
GRANT SELECT ON users_readable, oauth_accounts_readable, api_keys_readable, sessions_readable, user_tokens_readable,
    invitations_readable, share_links_readable, webhook_endpoints_readable, integration_accounts_readable,
    integration_events_readable TO mediabase_app;
