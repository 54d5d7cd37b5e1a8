-- 0045 governance: the data subject's rights — export and erasure (issue 16, docs/governance.md)
--
--   data_requests     a person's request for an export of their data or its erasure: kind,
--                     status, the deadline it must be answered by, the archive of an export
--   audit_redactions  every redaction of the append-only logs (audit_log, security_events): who,
--                     when, why, how many rows — the logs stay append-only for everyone else
--   users.erased_at   an erased account stays as a pseudonymous tombstone: what pointed at the
--                     person (ledger accounts, contracts, authorship) keeps pointing at an id that
--                     names no one, so every foreign key and every balance still holds
--
-- The erasure itself is mediabase.governance.erasure (one owner transaction); this migration
-- gives it what the schema must allow: a redaction path through the append-only triggers, and
-- the matching and redacting functions it runs in SQL.

-- -- users: the tombstone -------------------------------------------------------------------------

ALTER TABLE users ADD COLUMN erased_at timestamptz;
ALTER TABLE users ADD CONSTRAINT users_erased_is_empty CHECK (
    erased_at IS NULL OR (NOT is_active AND password_hash IS NULL AND display_name IS NULL
                          AND avatar_url IS NULL AND bio IS NULL AND last_login_at IS NULL
                          AND email LIKE 'erased-%@erased.invalid'));

-- -- data_requests --------------------------------------------------------------------------------

-- A data subject's request (GDPR art. 15/17/20): answered by the worker (job
-- governance.data_request) or the CLI. The deadline is fixed when the request is made (30 days by
-- default); an export's archive is kept until archive_expires_at, and is dropped by an erasure.
CREATE TABLE data_requests (
    id                 uuid PRIMARY KEY DEFAULT new_id(),
    user_id            uuid NOT NULL REFERENCES users,
    kind               text NOT NULL CONSTRAINT data_requests_kind_valid CHECK (kind IN ('export', 'erase')),
    status             text NOT NULL DEFAULT 'pending'
                       CONSTRAINT data_requests_status_valid
                       CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
    -- who asked: the person (api) or an operator (cli); no user id of the operator is kept
    requested_via      text NOT NULL CONSTRAINT data_requests_via_valid CHECK (requested_via IN ('api', 'cli')),
    requested_at       timestamptz NOT NULL DEFAULT now(),
    deadline_at        timestamptz NOT NULL,
    started_at         timestamptz,
    completed_at       timestamptz,
    -- the organization whose queue runs the request's job (the requester's at the time)
    job_organization_id uuid REFERENCES organizations ON DELETE SET NULL,
    job_id             uuid,
    -- counts per table (erase) or per table exported (export): no personal data
    summary            jsonb NOT NULL DEFAULT '{}',
    error              text CONSTRAINT data_requests_error_length CHECK (length(error) <= 2000),
    archive            jsonb,
    archive_expires_at timestamptz,
    CONSTRAINT data_requests_deadline_after CHECK (deadline_at > requested_at),
    CONSTRAINT data_requests_completed_at CHECK ((status IN ('completed', 'failed', 'cancelled')) = (completed_at IS NOT NULL)),
    CONSTRAINT data_requests_archive_export CHECK (archive IS NULL OR (kind = 'export' AND status = 'completed')),
    CONSTRAINT data_requests_archive_expiry CHECK ((archive IS NULL) = (archive_expires_at IS NULL)),
    CONSTRAINT data_requests_summary_object CHECK (jsonb_typeof(summary) = 'object')
);
SELECT declare_table('data_requests', 'reference');
-- one open request per person and kind: asking twice returns the open one
CREATE UNIQUE INDEX data_requests_one_open_idx ON data_requests (user_id, kind)
    WHERE status IN ('pending', 'processing');
CREATE INDEX data_requests_user_idx ON data_requests (user_id, requested_at DESC);
-- what is due first (the operator's list, overdue requests)
CREATE INDEX data_requests_open_deadline_idx ON data_requests (deadline_at)
    WHERE status IN ('pending', 'processing');
CREATE INDEX data_requests_job_organization_idx ON data_requests (job_organization_id);
REVOKE ALL ON data_requests FROM PUBLIC, mediabase_app;

-- -- the redaction path through the append-only logs ---------------------------------------------

CREATE TABLE audit_redactions (
    id               uuid PRIMARY KEY DEFAULT new_id(),
    user_id          uuid NOT NULL REFERENCES users,
    data_request_id  uuid REFERENCES data_requests,
    reason           text NOT NULL CONSTRAINT audit_redactions_reason_length CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
    redacted_at      timestamptz NOT NULL DEFAULT now(),
    -- rows redacted per log: {"audit_log": n, "security_events": m}
    counts           jsonb NOT NULL DEFAULT '{}' CONSTRAINT audit_redactions_counts_object CHECK (jsonb_typeof(counts) = 'object')
);
SELECT declare_table('audit_redactions', 'reference');
CREATE INDEX audit_redactions_user_idx ON audit_redactions (user_id);
CREATE INDEX audit_redactions_request_idx ON audit_redactions (data_request_id);
REVOKE ALL ON audit_redactions FROM PUBLIC, mediabase_app;

-- A redacted row says so (and when): nothing else about it may change.
ALTER TABLE audit_log ADD COLUMN redacted_at timestamptz;
ALTER TABLE security_events ADD COLUMN redacted_at timestamptz;

-- The logs stay append-only; the one exception is a redaction, inside a transaction that set
-- mediabase.redaction = 'on' (SET LOCAL, which Citus carries to the workers), that keeps every
-- column but the images and marks the row redacted. Only the owner can set that and write.
CREATE OR REPLACE FUNCTION mediabase.audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('mediabase.audit_maintenance', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND current_setting('mediabase.redaction', true) = 'on'
       AND NEW.redacted_at IS NOT NULL
       AND (NEW.organization_id, NEW.id, NEW.occurred_at, NEW.txid, NEW.table_name, NEW.action, NEW.row_id)
           IS NOT DISTINCT FROM
           (OLD.organization_id, OLD.id, OLD.occurred_at, OLD.txid, OLD.table_name, OLD.action, OLD.row_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE FUNCTION mediabase.security_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('mediabase.audit_maintenance', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND current_setting('mediabase.redaction', true) = 'on'
       AND NEW.redacted_at IS NOT NULL
       AND (NEW.organization_id, NEW.id, NEW.occurred_at, NEW.kind, NEW.subject_type, NEW.subject_id, NEW.request_id)
           IS NOT DISTINCT FROM
           (OLD.organization_id, OLD.id, OLD.occurred_at, OLD.kind, OLD.subject_type, OLD.subject_id, OLD.request_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the security log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege', CONSTRAINT = 'security_events_append_only';
END
$$;

-- -- matching and redacting ----------------------------------------------------------------------

-- The regular expression that finds any of a person's identifiers (email, username, names) as a
-- whole word, case-insensitively: each term quoted, none shorter than 3 characters (a shorter
-- one would match inside ordinary words; such a name is erased where it is linked, not searched).
CREATE FUNCTION mediabase.erasure_pattern(terms text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '(?<![[:alnum:]_])(?:'
           || string_agg(regexp_replace(t, '([^[:alnum:][:space:]])', '\\\1', 'g'), '|' ORDER BY length(t) DESC, t)
           || ')(?![[:alnum:]_])'
      FROM (SELECT DISTINCT btrim(t) AS t FROM unnest(terms) AS u (t) WHERE length(btrim(t)) >= 3) AS d
$$;

-- Every string in a JSON document that contains a match of the pattern, or equals one of the
-- exact texts (a person's comment bodies), becomes '[redacted]'; keys, numbers and the document's
-- shape stay.
CREATE FUNCTION mediabase.redact_jsonb(doc jsonb, pattern text, exact text[] DEFAULT '{}') RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    result jsonb;
BEGIN
    IF doc IS NULL THEN
        RETURN doc;
    ELSIF jsonb_typeof(doc) = 'object' THEN
        SELECT coalesce(jsonb_object_agg(k, mediabase.redact_jsonb(v, pattern, exact)), '{}'::jsonb)
          INTO result FROM jsonb_each(doc) AS e (k, v);
        RETURN result;
    ELSIF jsonb_typeof(doc) = 'array' THEN
        SELECT coalesce(jsonb_agg(mediabase.redact_jsonb(v, pattern, exact) ORDER BY i), '[]'::jsonb)
          INTO result FROM jsonb_array_elements(doc) WITH ORDINALITY AS a (v, i);
        RETURN result;
    ELSIF jsonb_typeof(doc) = 'string'
          AND ((doc #>> '{}') ~* pattern OR (doc #>> '{}') = ANY (exact)) THEN
        RETURN to_jsonb('[redacted]'::text);
    END IF;
    RETURN doc;
END
$$;

-- A text[] with every match in every element replaced, and whether any element matches: PL/pgSQL
-- declared IMMUTABLE (what they are), so Citus runs them on the shards inside an UPDATE, which
-- it refuses for the STABLE array_to_string or an array subquery.
CREATE FUNCTION mediabase.redact_text_array(arr text[], pattern text, replacement text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF arr IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN coalesce((SELECT array_agg(regexp_replace(x, pattern, replacement, 'gi') ORDER BY i)
                       FROM unnest(arr) WITH ORDINALITY AS u (x, i)), '{}'::text[]);
END
$$;

CREATE FUNCTION mediabase.text_array_matches(arr text[], pattern text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN EXISTS (SELECT FROM unnest(arr) AS u (x) WHERE x ~* pattern);
END
$$;

REVOKE ALL ON FUNCTION mediabase.erasure_pattern(text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION mediabase.redact_text_array(text[], text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION mediabase.text_array_matches(text[], text) FROM PUBLIC;
REVOKE ALL ON FUNCTION mediabase.redact_jsonb(jsonb, text, text[]) FROM PUBLIC;
