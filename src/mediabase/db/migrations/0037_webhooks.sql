-- 0037_webhooks: outgoing webhooks (docs/webhooks.md).
--
-- webhook_endpoints       an organization's receivers: a URL, the event types it wants, a signing
--                         secret the application role can use but never read, disabled_at and the
--                         count of consecutive failed attempts that disables it.
-- webhook_endpoint_types  the event types an endpoint subscribes to, one row each (a foreign key
--                         to the event_types catalog: no endpoint waits for a type that does not exist).
-- webhook_deliveries      one row per (endpoint, event): pending → delivered, or dead after its
--                         attempts ran out (or its endpoint was disabled). The event's id is the
--                         receiver's idempotency key (header webhook-id), the same on every attempt.
-- webhook_attempts        one row per HTTP attempt: status code, duration, error text. Never a
--                         secret, never the request's headers.
--
-- The dispatcher (mediabase.events) hands each committed event once to the webhooks subscriber,
-- which writes the deliveries and their webhook.deliver jobs in the dispatch transaction; the
-- worker makes the requests. Deliveries and attempts go with their event when the outbox prunes it.
--
-- Signing without holding the secret: pgcrypto is not part of the embedded server, so the HMAC is
-- computed in PL/pgSQL from the built-in sha256() (RFC 2104), by a SECURITY DEFINER function that
-- reads the secret as the owner and returns only the signature.

CREATE TABLE webhook_endpoints (
    organization_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id                   uuid NOT NULL DEFAULT new_id(),
    url                  text NOT NULL
        CONSTRAINT webhook_endpoints_url_format CHECK (url ~ '^https?://[^\s/?#@]+([/?][^\s#]*)?$' AND length(url) <= 2000),
    description          text NOT NULL DEFAULT ''
        CONSTRAINT webhook_endpoints_description_length CHECK (length(description) <= 500),
    -- Standard Webhooks: 'whsec_' and the base64 of 24 to 32 random bytes. Not readable by the app.
    secret               text NOT NULL
        CONSTRAINT webhook_endpoints_secret_format CHECK (secret ~ '^whsec_[A-Za-z0-9+/]{32,44}={0,2}$'),
    -- after a rotation the previous secret signs too (a second signature) until it expires
    previous_secret      text
        CONSTRAINT webhook_endpoints_previous_secret_format CHECK (previous_secret ~ '^whsec_[A-Za-z0-9+/]{32,44}={0,2}$'),
    previous_secret_expires_at timestamptz,
    disabled_at          timestamptz,
    disabled_reason      text CONSTRAINT webhook_endpoints_disabled_reason_length CHECK (length(disabled_reason) <= 500),
    consecutive_failures integer NOT NULL DEFAULT 0
        CONSTRAINT webhook_endpoints_consecutive_failures_range CHECK (consecutive_failures >= 0),
    created_by           uuid DEFAULT current_user_id(),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT webhook_endpoints_disabled_reason_given CHECK ((disabled_at IS NULL) = (disabled_reason IS NULL)),
    CONSTRAINT webhook_endpoints_previous_secret_expiry
        CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
);
SELECT declare_table('webhook_endpoints', 'distributed');
SELECT make_tenant_table('webhook_endpoints');
REVOKE ALL ON webhook_endpoints FROM PUBLIC, mediabase_app;
-- the secret columns: written at creation, never read back (rotation is webhook_rotate_secret)
GRANT SELECT (organization_id, id, url, description, previous_secret_expires_at, disabled_at, disabled_reason,
              consecutive_failures, created_by, created_at, updated_at) ON webhook_endpoints TO mediabase_app;
GRANT INSERT, DELETE ON webhook_endpoints TO mediabase_app;
GRANT UPDATE (url, description, disabled_at, disabled_reason, consecutive_failures, updated_at)
    ON webhook_endpoints TO mediabase_app;

CREATE TABLE webhook_endpoint_types (
    organization_id uuid NOT NULL,
    endpoint_id     uuid NOT NULL,
    type            text NOT NULL CONSTRAINT webhook_endpoint_types_type_fk REFERENCES event_types (type),
    PRIMARY KEY (organization_id, endpoint_id, type),
    CONSTRAINT webhook_endpoint_types_endpoint_fk FOREIGN KEY (organization_id, endpoint_id)
        REFERENCES webhook_endpoints (organization_id, id) ON DELETE CASCADE
);
SELECT declare_table('webhook_endpoint_types', 'distributed');
-- the fan-out's question: which endpoints want this type
CREATE INDEX webhook_endpoint_types_type_idx ON webhook_endpoint_types (organization_id, type, endpoint_id);
CREATE INDEX webhook_endpoint_types_type_fk_idx ON webhook_endpoint_types (type);
SELECT make_tenant_table('webhook_endpoint_types');
REVOKE ALL ON webhook_endpoint_types FROM PUBLIC, mediabase_app;
GRANT SELECT, INSERT, DELETE ON webhook_endpoint_types TO mediabase_app;

CREATE TABLE webhook_deliveries (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    endpoint_id     uuid NOT NULL,
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
        CONSTRAINT webhook_deliveries_status_valid CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        integer NOT NULL DEFAULT 0 CONSTRAINT webhook_deliveries_attempts_range CHECK (attempts >= 0),
    -- the attempt number at which a failure makes it dead (a redelivery raises it)
    max_attempts    integer NOT NULL
        CONSTRAINT webhook_deliveries_max_attempts_range CHECK (max_attempts BETWEEN 1 AND 100000),
    next_attempt_at timestamptz,
    -- an attempt under way (its request may be in flight) until then: a second run of the same
    -- attempt waits for it instead of sending at the same time; a crashed run's claim runs out
    in_flight_until timestamptz,
    last_status_code integer
        CONSTRAINT webhook_deliveries_last_status_code_range CHECK (last_status_code BETWEEN 100 AND 599),
    last_error      text CONSTRAINT webhook_deliveries_last_error_length CHECK (length(last_error) <= 1000),
    delivered_at    timestamptz,
    dead_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    -- one delivery per (endpoint, event): the fan-out may run again after a crash
    CONSTRAINT webhook_deliveries_once UNIQUE (organization_id, event_id, endpoint_id),
    CONSTRAINT webhook_deliveries_endpoint_fk FOREIGN KEY (organization_id, endpoint_id)
        REFERENCES webhook_endpoints (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_event_fk FOREIGN KEY (organization_id, event_id)
        REFERENCES events (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_delivered_when CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
    CONSTRAINT webhook_deliveries_dead_when CHECK ((status = 'dead') = (dead_at IS NOT NULL)),
    CONSTRAINT webhook_deliveries_pending_when CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
);
SELECT declare_table('webhook_deliveries', 'distributed');
-- an endpoint's deliveries, newest first (and the endpoint FK); the list filtered by status
-- (the whole list is the primary key's order; an event's deliveries are webhook_deliveries_once)
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (organization_id, endpoint_id, id);
CREATE INDEX webhook_deliveries_status_idx ON webhook_deliveries (organization_id, status, id);
SELECT make_tenant_table('webhook_deliveries');
REVOKE ALL ON webhook_deliveries FROM PUBLIC, mediabase_app;
GRANT SELECT, INSERT, UPDATE ON webhook_deliveries TO mediabase_app;

CREATE TABLE webhook_attempts (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    delivery_id     uuid NOT NULL,
    attempt         integer NOT NULL CONSTRAINT webhook_attempts_attempt_range CHECK (attempt >= 1),
    started_at      timestamptz NOT NULL,
    duration_ms     integer NOT NULL CONSTRAINT webhook_attempts_duration_range CHECK (duration_ms >= 0),
    status_code     integer CONSTRAINT webhook_attempts_status_code_range CHECK (status_code BETWEEN 100 AND 599),
    ok              boolean NOT NULL,
    error           text CONSTRAINT webhook_attempts_error_length CHECK (length(error) <= 1000),
    PRIMARY KEY (organization_id, id),
    -- an attempt is recorded once: a job run again after a crash finds it and stops
    CONSTRAINT webhook_attempts_once UNIQUE (organization_id, delivery_id, attempt),
    CONSTRAINT webhook_attempts_delivery_fk FOREIGN KEY (organization_id, delivery_id)
        REFERENCES webhook_deliveries (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT webhook_attempts_ok_means_2xx CHECK (NOT ok OR status_code BETWEEN 200 AND 299)
);
SELECT declare_table('webhook_attempts', 'distributed');
SELECT make_tenant_table('webhook_attempts');
REVOKE ALL ON webhook_attempts FROM PUBLIC, mediabase_app;
GRANT SELECT, INSERT ON webhook_attempts TO mediabase_app;

-- The one event type only the "test" command sends (never fanned out to subscribers).
INSERT INTO event_types (type, subject_type, description) VALUES
    ('webhook.test', 'webhook_endpoint', 'a test event sent to one webhook endpoint on request');

-- HMAC-SHA256 (RFC 2104) from the built-in sha256(): a key of at most 64 bytes is padded to
-- the block size with zeros, XORed with 0x36 (inner) and 0x5c (outer).
CREATE FUNCTION mediabase.hmac_sha256(msg bytea, key bytea) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    k  bytea := key;
    ip bytea;
    op bytea;
BEGIN
    IF length(k) > 64 THEN
        k := sha256(k);
    END IF;
    k := k || decode(repeat('00', 64 - length(k)), 'hex');
    ip := k;
    op := k;
    FOR i IN 0..63 LOOP
        ip := set_byte(ip, i, get_byte(k, i) # 54);
        op := set_byte(op, i, get_byte(k, i) # 92);
    END LOOP;
    RETURN sha256(op || sha256(ip || msg));
END
$$;

-- The Standard Webhooks signature of one message: 'v1,<base64 HMAC>' with the endpoint's secret,
-- and a second one with the previous secret while it is still valid (after a rotation). Runs as
-- the owner (it reads the secret) in the caller's tenant only; returns nothing but the signature.
CREATE FUNCTION mediabase.webhook_sign(endpoint uuid, msg_id text, ts bigint, body text) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    cur     text;
    prev    text;
    prev_to timestamptz;
    content bytea := convert_to(msg_id || '.' || ts::text || '.' || body, 'UTF8');
    sig     text;
BEGIN
    SELECT w.secret, w.previous_secret, w.previous_secret_expires_at INTO cur, prev, prev_to
      FROM webhook_endpoints w
     WHERE w.organization_id = current_org_id() AND w.id = endpoint;
    IF cur IS NULL THEN
        RAISE EXCEPTION 'no webhook endpoint %', endpoint USING ERRCODE = 'no_data_found';
    END IF;
    sig := 'v1,' || encode(hmac_sha256(content, decode(substr(cur, 7), 'base64')), 'base64');
    IF prev IS NOT NULL AND prev_to > now() THEN
        sig := sig || ' v1,' || encode(hmac_sha256(content, decode(substr(prev, 7), 'base64')), 'base64');
    END IF;
    RETURN sig;
END
$$;
REVOKE ALL ON FUNCTION mediabase.webhook_sign(uuid, text, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mediabase.webhook_sign(uuid, text, bigint, text) TO mediabase_app;

-- A new secret (made by the caller, shown once); the old one keeps signing for `grace`.
CREATE FUNCTION mediabase.webhook_rotate_secret(endpoint uuid, new_secret text, grace interval) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    UPDATE webhook_endpoints w
       SET previous_secret = CASE WHEN grace > interval '0' THEN w.secret END,
           previous_secret_expires_at = CASE WHEN grace > interval '0' THEN now() + grace END,
           secret = new_secret, updated_at = now()
     WHERE w.organization_id = current_org_id() AND w.id = endpoint;
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION mediabase.webhook_rotate_secret(uuid, text, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mediabase.webhook_rotate_secret(uuid, text, interval) TO mediabase_app;

-- Endpoint configuration is audited, its secrets redacted and the failure counter's moves quiet;
-- deliveries and attempts are themselves the log of what was sent (docs/webhooks.md).
SELECT audit_table('webhook_endpoints', '{secret,previous_secret}', '{consecutive_failures}');
SELECT audit_table('webhook_endpoint_types');
