-- name: insert_document
INSERT INTO legal_documents (kind, version, title, content, content_sha256, effective_at)
VALUES (%(kind)s, %(version)s, %(title)s, %(content)s, sha256(convert_to(%(content)s, 'UTF8')), %(effective_at)s)
RETURNING id, kind, version, title, encode(content_sha256, 'hex') AS content_sha256, effective_at, created_at;

-- name: list_documents
SELECT id, kind, version, title, encode(content_sha256, 'hex') AS content_sha256, effective_at, created_at,
       effective_at <= now() AS in_effect
  FROM legal_documents ORDER BY kind, effective_at DESC, id DESC;

-- name: get_document
SELECT id, kind, version, title, content, encode(content_sha256, 'hex') AS content_sha256, effective_at, created_at
  FROM legal_documents WHERE kind = %(kind)s AND version = %(version)s;

-- name: current_document
-- The version of a kind in effect: the latest that has taken effect (legal_documents_current_idx).
SELECT id, kind, version, title, content, encode(content_sha256, 'hex') AS content_sha256, effective_at, created_at
  FROM legal_documents WHERE kind = %(kind)s AND effective_at <= now()
 ORDER BY effective_at DESC, id DESC LIMIT 1;

-- name: acceptance_status
-- "Has this user accepted the current version of this kind?" in one statement: the current
-- document by legal_documents_current_idx, the acceptance by legal_acceptances_once
-- (user_id, document_id). No row: no document of the kind is in effect (nothing to accept).
SELECT d.id, d.kind, d.version,
       EXISTS (SELECT FROM legal_acceptances a WHERE a.user_id = %(user_id)s AND a.document_id = d.id) AS accepted
  FROM legal_documents d
 WHERE d.kind = %(kind)s AND d.effective_at <= now()
 ORDER BY d.effective_at DESC, d.id DESC LIMIT 1;

-- name: accept
-- Append-only: accepting a version again keeps the first acceptance.
INSERT INTO legal_acceptances (user_id, document_id, ip_hmac, ip_key, user_agent)
VALUES (%(user_id)s, %(document_id)s, %(ip_hmac)s, %(ip_key)s, %(user_agent)s)
ON CONFLICT ON CONSTRAINT legal_acceptances_once DO NOTHING;

-- name: acceptance
SELECT a.id, d.kind, d.version, a.document_id, a.accepted_at
  FROM legal_acceptances a JOIN legal_documents d ON d.id = a.document_id
 WHERE a.user_id = %(user_id)s AND a.document_id = %(document_id)s;

-- name: list_acceptances
SELECT a.id, d.kind, d.version, a.document_id, a.accepted_at
  FROM legal_acceptances a JOIN legal_documents d ON d.id = a.document_id
 WHERE a.user_id = %(user_id)s ORDER BY a.accepted_at DESC, a.id DESC;

-- name: mirror_tos
-- user_extensions.tos_accepted_at mirrors the latest acceptance of a 'terms' version (kept for
-- the code that reads it; legal_acceptances is the record). No now() in DO UPDATE (Citus).
INSERT INTO user_extensions (user_id, tos_accepted_at) VALUES (%(user_id)s, %(at)s)
ON CONFLICT (user_id) DO UPDATE SET tos_accepted_at = EXCLUDED.tos_accepted_at, updated_at = EXCLUDED.updated_at;

-- name: insert_consent
INSERT INTO user_consents (user_id, purpose, granted, source, ip_hmac, ip_key, user_agent)
VALUES (%(user_id)s, %(purpose)s, %(granted)s, %(source)s, %(ip_hmac)s, %(ip_key)s, %(user_agent)s)
RETURNING id, purpose, granted, recorded_at, source;

-- name: mirror_marketing
INSERT INTO user_extensions (user_id, marketing_consent) VALUES (%(user_id)s, %(granted)s)
ON CONFLICT (user_id) DO UPDATE SET marketing_consent = EXCLUDED.marketing_consent, updated_at = EXCLUDED.updated_at;

-- name: current_consents
-- The latest row per purpose (user_consents_latest_idx).
SELECT DISTINCT ON (purpose) id, purpose, granted, recorded_at, source
  FROM user_consents WHERE user_id = %(user_id)s
 ORDER BY purpose, recorded_at DESC, id DESC;

-- name: consent_history
SELECT id, purpose, granted, recorded_at, source
  FROM user_consents WHERE user_id = %(user_id)s AND (%(purpose)s::text IS NULL OR purpose = %(purpose)s)
 ORDER BY recorded_at DESC, id DESC LIMIT %(limit)s;
