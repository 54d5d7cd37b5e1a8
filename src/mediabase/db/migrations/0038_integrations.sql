-- 0038_integrations: accounts at external services (seed 001's integrations.ts), the events
-- their incoming webhooks deliver, and the map from their items to ours (docs/integrations.md).
--
--   integration_accounts        one per organization, provider and external account: scopes, status,
--                               a sync cursor (opaque to the database: the provider's adapter writes
--                               and reads it) and the account's secrets (access and refresh tokens, the
--                               provider's webhook signing secret) sealed with AES-256-GCM under
--                               MEDIABASE_INTEGRATIONS_KEY; secrets_key_id names the key every sealed
--                               column of the row is under (key rotation). The application role may
--                               write the sealed columns but never read them back (column grants at
--                               the end): they are read through the owner pool only (the webhook's
--                               signature check, the worker's processing, key rotation).
--   integration_events          a verified incoming-webhook delivery, stored once per organization,
--                               provider and delivery id (the provider's event id or, when it has
--                               none, the sha256 of the body); its processing is a job enqueued in
--                               the same transaction. Fields of the payload that are secrets (Zoom's
--                               download_token) are sealed apart in secrets_enc.
--   integration_external_items  (organization, provider, external id) -> the local object an item
--                               became (a recording -> a video, a transcript file -> a transcript), so
--                               a re-delivered or re-synced item is never imported twice. Kept when
--                               the account goes (account_id set null) and when the local object is
--                               deleted (a tombstone: the item is not brought back by the next sync).
--
-- Tenancy as everywhere (DESIGN.md 5). The webhook endpoint knows an account by its id only (the
-- URL the provider calls has no organization in it): integration_accounts_id_idx serves that one
-- lookup, which on Citus asks every shard (docs/integrations.md, "Scale-out").

-- A provider's scope names (OAuth scopes, e.g. 'recording:read'): at most 100, each printable
-- ASCII without spaces, none twice.
CREATE FUNCTION mediabase.integration_scopes_valid(scopes text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(cardinality(scopes) <= 100
                    AND (SELECT coalesce(bool_and(s ~ '^[!-~]{1,200}$'), true) AND count(DISTINCT s) = count(*)
                           FROM unnest(scopes) AS u (s)), false);

CREATE TABLE integration_accounts (
    organization_id        uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                     uuid NOT NULL DEFAULT new_id(),
    provider               text NOT NULL
        CONSTRAINT integration_accounts_provider_valid CHECK (provider IN ('zoom', 'google_drive', 'slack')),
    external_account_id    text NOT NULL
        CONSTRAINT integration_accounts_external_account_id_format
            CHECK (external_account_id ~ '^[!-~]{1,200}$'),
    display_name           text
        CONSTRAINT integration_accounts_display_name_length CHECK (length(btrim(display_name)) BETWEEN 1 AND 200),
    scopes                 text[] NOT NULL DEFAULT '{}'
        CONSTRAINT integration_accounts_scopes_valid CHECK (integration_scopes_valid(scopes)),
    status                 text NOT NULL DEFAULT 'active'
        CONSTRAINT integration_accounts_status_valid CHECK (status IN ('active', 'paused', 'error', 'revoked')),
    status_detail          text
        CONSTRAINT integration_accounts_status_detail_length CHECK (length(status_detail) <= 2000),
    sync_cursor            text
        CONSTRAINT integration_accounts_sync_cursor_length CHECK (length(sync_cursor) BETWEEN 1 AND 10000),
    sync_cursor_updated_at timestamptz,
    -- sealed secrets: 12-byte nonce || AES-256-GCM ciphertext and 16-byte tag (crypto.py)
    access_token_enc       bytea CONSTRAINT integration_accounts_access_token_enc_length
        CHECK (octet_length(access_token_enc) BETWEEN 29 AND 20000),
    refresh_token_enc      bytea CONSTRAINT integration_accounts_refresh_token_enc_length
        CHECK (octet_length(refresh_token_enc) BETWEEN 29 AND 20000),
    token_expires_at       timestamptz,
    webhook_secret_enc     bytea CONSTRAINT integration_accounts_webhook_secret_enc_length
        CHECK (octet_length(webhook_secret_enc) BETWEEN 29 AND 20000),
    secrets_key_id         text CONSTRAINT integration_accounts_secrets_key_id_format
        CHECK (secrets_key_id ~ '^[0-9a-f]{16}$'),
    -- which secrets there are, readable where the secrets are not
    has_access_token       boolean NOT NULL GENERATED ALWAYS AS (access_token_enc IS NOT NULL) STORED,
    has_refresh_token      boolean NOT NULL GENERATED ALWAYS AS (refresh_token_enc IS NOT NULL) STORED,
    has_webhook_secret     boolean NOT NULL GENERATED ALWAYS AS (webhook_secret_enc IS NOT NULL) STORED,
    connected_by           uuid,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    -- what the events and items point at: their provider is the account's
    CONSTRAINT integration_accounts_provider_key UNIQUE (organization_id, id, provider),
    CONSTRAINT integration_accounts_external_key UNIQUE (organization_id, provider, external_account_id),
    -- the member who connected it (the imports act as them); kept when they leave, as null
    CONSTRAINT integration_accounts_connected_by_fk FOREIGN KEY (organization_id, connected_by)
        REFERENCES memberships (organization_id, user_id),
    CONSTRAINT integration_accounts_cursor_time CHECK (sync_cursor IS NULL OR sync_cursor_updated_at IS NOT NULL),
    -- a key id exactly when something is sealed under it
    CONSTRAINT integration_accounts_key_id_iff_sealed
        CHECK ((secrets_key_id IS NOT NULL) = (num_nonnulls(access_token_enc, refresh_token_enc, webhook_secret_enc) > 0)),
    CONSTRAINT integration_accounts_expiry_needs_token CHECK (token_expires_at IS NULL OR access_token_enc IS NOT NULL)
);
SELECT declare_table('integration_accounts', 'distributed');
CREATE INDEX integration_accounts_id_idx ON integration_accounts (id);
CREATE INDEX integration_accounts_connected_by_idx ON integration_accounts (organization_id, connected_by)
    WHERE connected_by IS NOT NULL;
CREATE TRIGGER integration_accounts_touch BEFORE UPDATE ON integration_accounts
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER integration_accounts_immutable BEFORE UPDATE ON integration_accounts
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('provider', 'external_account_id', 'created_at');

CREATE TABLE integration_events (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    account_id      uuid NOT NULL,
    provider        text NOT NULL,
    delivery_id     text NOT NULL CONSTRAINT integration_events_delivery_id_format CHECK (delivery_id ~ '^[!-~]+$' AND length(delivery_id) <= 300),
    event_type      text NOT NULL CONSTRAINT integration_events_event_type_format CHECK (event_type ~ '^[!-~]{1,200}$'),
    payload         jsonb NOT NULL CONSTRAINT integration_events_payload_object CHECK (jsonb_typeof(payload) = 'object'),
    body_sha256     text NOT NULL CONSTRAINT integration_events_body_sha256_format CHECK (body_sha256 ~ '^[0-9a-f]{64}$'),
    -- the payload's secret fields, sealed like the account's (under secrets_key_id)
    secrets_enc     bytea CONSTRAINT integration_events_secrets_enc_length CHECK (octet_length(secrets_enc) BETWEEN 29 AND 20000),
    secrets_key_id  text CONSTRAINT integration_events_secrets_key_id_format CHECK (secrets_key_id ~ '^[0-9a-f]{16}$'),
    status          text NOT NULL DEFAULT 'received'
        CONSTRAINT integration_events_status_valid CHECK (status IN ('received', 'processed', 'ignored', 'failed')),
    result          jsonb CONSTRAINT integration_events_result_object CHECK (jsonb_typeof(result) = 'object'),
    error           text CONSTRAINT integration_events_error_length CHECK (length(error) BETWEEN 1 AND 4000),
    received_at     timestamptz NOT NULL DEFAULT now(),
    processed_at    timestamptz,
    PRIMARY KEY (organization_id, id),
    -- a delivery is stored once, whichever account of the provider it came through
    CONSTRAINT integration_events_delivery_key UNIQUE (organization_id, provider, delivery_id),
    CONSTRAINT integration_events_account_fk FOREIGN KEY (organization_id, account_id, provider)
        REFERENCES integration_accounts (organization_id, id, provider) ON DELETE CASCADE,
    CONSTRAINT integration_events_key_id_iff_sealed CHECK ((secrets_key_id IS NULL) = (secrets_enc IS NULL)),
    CONSTRAINT integration_events_processed_iff_done
        CHECK ((status = 'received') = (processed_at IS NULL)),
    CONSTRAINT integration_events_error_iff_failed CHECK ((status = 'failed') = (error IS NOT NULL))
);
SELECT declare_table('integration_events', 'distributed');
CREATE INDEX integration_events_account_idx ON integration_events (organization_id, account_id, provider, received_at DESC);
-- the processed and failed stay, without their secrets (a download token is of no use once done)
CREATE TRIGGER integration_events_immutable BEFORE UPDATE ON integration_events
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns(
        'account_id', 'provider', 'delivery_id', 'event_type', 'payload', 'body_sha256', 'received_at');

CREATE TABLE integration_external_items (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    provider        text NOT NULL
        CONSTRAINT integration_external_items_provider_valid CHECK (provider IN ('zoom', 'google_drive', 'slack')),
    external_id     text NOT NULL
        CONSTRAINT integration_external_items_external_id_format CHECK (external_id ~ '^[!-~]+$' AND length(external_id) <= 500),
    kind            text NOT NULL
        CONSTRAINT integration_external_items_kind_valid CHECK (kind IN ('recording', 'transcript')),
    -- the account that brought it; null once that account is removed (the item stays known)
    account_id      uuid,
    -- the local object: a recording is a video; a transcript file is a transcript of a video.
    -- Null once deleted here: the row stays as a tombstone, so a re-sync does not bring it back.
    video_id        uuid,
    transcript_id   uuid,
    imported_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT integration_external_items_external_key UNIQUE (organization_id, provider, external_id),
    CONSTRAINT integration_external_items_account_fk FOREIGN KEY (organization_id, account_id, provider)
        REFERENCES integration_accounts (organization_id, id, provider),
    CONSTRAINT integration_external_items_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id),
    CONSTRAINT integration_external_items_transcript_fk FOREIGN KEY (organization_id, transcript_id, video_id)
        REFERENCES transcripts (organization_id, id, video_id),
    -- a recording is a video; a transcript file a transcript (of the video its key names)
    CONSTRAINT integration_external_items_kind_target CHECK (kind = 'transcript' OR transcript_id IS NULL)
);
SELECT declare_table('integration_external_items', 'distributed');
CREATE INDEX integration_external_items_account_idx ON integration_external_items (organization_id, account_id, provider)
    WHERE account_id IS NOT NULL;
CREATE INDEX integration_external_items_video_idx ON integration_external_items (organization_id, video_id)
    WHERE video_id IS NOT NULL;
CREATE INDEX integration_external_items_transcript_idx
    ON integration_external_items (organization_id, transcript_id, video_id) WHERE transcript_id IS NOT NULL;
-- what an item became is written once; only a deletion here clears it (the foreign keys' SET NULL)
CREATE TRIGGER integration_external_items_immutable BEFORE UPDATE ON integration_external_items
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns(
        'provider', 'external_id', 'kind', 'account_id', 'video_id', 'transcript_id', 'imported_at');

-- -- ON DELETE SET NULL (column), kept by triggers ----------------------------------------------------
-- Citus refuses SET NULL on a key that includes organization_id: the foreign keys above are NO
-- ACTION and these BEFORE DELETE triggers clear the one column first (0018's pattern). Each
-- touches the deleted row's own organization only.

CREATE FUNCTION mediabase.integration_accounts_connected_by_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    UPDATE integration_accounts SET connected_by = NULL
     WHERE organization_id = OLD.organization_id AND connected_by = OLD.user_id;
    RETURN OLD;
END
$$;
CREATE TRIGGER integration_accounts_connected_by_fk_set_null BEFORE DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION integration_accounts_connected_by_fk_set_null();

CREATE FUNCTION mediabase.integration_external_items_account_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    UPDATE integration_external_items SET account_id = NULL
     WHERE organization_id = OLD.organization_id AND account_id = OLD.id AND provider = OLD.provider;
    RETURN OLD;
END
$$;
CREATE TRIGGER integration_external_items_account_fk_set_null BEFORE DELETE ON integration_accounts
    FOR EACH ROW EXECUTE FUNCTION integration_external_items_account_fk_set_null();

CREATE FUNCTION mediabase.integration_external_items_video_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    UPDATE integration_external_items SET video_id = NULL
     WHERE organization_id = OLD.organization_id AND video_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER integration_external_items_video_fk_set_null BEFORE DELETE ON videos
    FOR EACH ROW EXECUTE FUNCTION integration_external_items_video_fk_set_null();

CREATE FUNCTION mediabase.integration_external_items_transcript_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    UPDATE integration_external_items SET transcript_id = NULL
     WHERE organization_id = OLD.organization_id AND transcript_id = OLD.id;  -- video_id may be cleared already
    RETURN OLD;
END
$$;
CREATE TRIGGER integration_external_items_transcript_fk_set_null BEFORE DELETE ON transcripts
    FOR EACH ROW EXECUTE FUNCTION integration_external_items_transcript_fk_set_null();

-- -- tenancy, privileges, audit -------------------------------------------------------------------

SELECT make_tenant_table(format('mediabase.%I', t)::regclass)
  FROM unnest(ARRAY['integration_accounts', 'integration_events', 'integration_external_items']) AS t;

-- Columns the application role may not read: the sealed secrets. It may write them (an account
-- is connected through the API) and read everything else; the owner reads them (docs/integrations.md).
REVOKE SELECT, UPDATE, TRUNCATE ON integration_accounts FROM mediabase_app;
GRANT SELECT (organization_id, id, provider, external_account_id, display_name, scopes, status, status_detail,
              sync_cursor, sync_cursor_updated_at, token_expires_at, secrets_key_id, has_access_token,
              has_refresh_token, has_webhook_secret, connected_by, created_at, updated_at)
    ON integration_accounts TO mediabase_app;
GRANT UPDATE (display_name, scopes, status, status_detail, access_token_enc, refresh_token_enc, token_expires_at,
              webhook_secret_enc, secrets_key_id) ON integration_accounts TO mediabase_app;
REVOKE SELECT, UPDATE, DELETE, TRUNCATE ON integration_events FROM mediabase_app;
GRANT SELECT (organization_id, id, account_id, provider, delivery_id, event_type, payload, body_sha256, status,
              result, error, received_at, processed_at) ON integration_events TO mediabase_app;
-- the map is written by imports (the owner's ingest transaction) and never rewritten
REVOKE UPDATE, DELETE, TRUNCATE ON integration_external_items FROM mediabase_app;

SELECT audit_table('integration_accounts', '{access_token_enc,refresh_token_enc,webhook_secret_enc}',
                   '{sync_cursor,sync_cursor_updated_at}');
SELECT audit_table('integration_external_items');
-- integration_events is not audited: itself the log of the deliveries received (tests/integration/test_audit_log.py)
