-- name: signin_user
-- The user an e-mail names, with the password hash (the system pool: the app role cannot read it).
SELECT id, password_hash, is_active FROM users WHERE lower(email) = lower(%(email)s);

-- name: recent_failures
-- Failed password sign-ins for one address (its pseudonymous subject) in the window:
-- security_events_subject_idx (organization_id, subject_id, occurred_at).
SELECT count(*) AS n FROM security_events
 WHERE organization_id = '00000000-0000-0000-0000-000000000000' AND subject_id = %(subject)s
   AND occurred_at > now() - make_interval(secs => %(window)s) AND kind = 'login_failed';

-- name: signin_organization
-- The organization a new session acts in: the one named (if a member), else the personal one,
-- else the oldest membership.
SELECT m.organization_id, m.role
  FROM memberships m JOIN organizations o ON o.id = m.organization_id
 WHERE m.user_id = %(user_id)s AND (%(slug)s::text IS NULL OR o.slug = %(slug)s)
 ORDER BY (o.personal_user_id = m.user_id) DESC NULLS LAST, m.created_at, m.organization_id
 LIMIT 1;

-- name: insert_session
INSERT INTO sessions (user_id, active_organization_id, prefix, secret_sha256, expires_at, ip_hmac, ip_key, user_agent)
VALUES (%(user_id)s, %(org)s, %(prefix)s, %(secret_sha256)s, now() + make_interval(secs => %(ttl)s),
        %(ip_hmac)s, %(ip_key)s, %(user_agent)s)
RETURNING id, user_id, active_organization_id, prefix, created_at, expires_at, last_seen_at, revoked_at, user_agent;

-- name: touch_login
UPDATE users SET last_login_at = now() WHERE id = %(user_id)s;

-- name: session_by_prefix
-- The hot path of every session request (sessions_prefix_key): the session and its user. The
-- membership is read next, by (organization, user): one shard on Citus, and no reference table is
-- written after a read over every shard (docs/scale-out.md).
SELECT s.id, s.user_id, s.active_organization_id, s.secret_sha256, s.expires_at, s.revoked_at, s.last_seen_at,
       u.is_active, now() AS now
  FROM sessions s JOIN users u ON u.id = s.user_id
 WHERE s.prefix = %(prefix)s;

-- name: membership_role
SELECT role FROM memberships WHERE organization_id = %(org)s AND user_id = %(user_id)s;

-- name: touch_session
UPDATE sessions SET last_seen_at = now() WHERE id = %(id)s;

-- name: list_sessions
SELECT id, user_id, active_organization_id, prefix, created_at, expires_at, last_seen_at, revoked_at, user_agent
  FROM sessions WHERE user_id = %(user_id)s AND revoked_at IS NULL AND expires_at > now()
 ORDER BY created_at DESC, id DESC;

-- name: revoke_session
-- (now() from a subquery: Citus refuses a non-immutable function inside coalesce)
UPDATE sessions s SET revoked_at = coalesce(s.revoked_at, t.at) FROM (SELECT now() AS at) t
 WHERE s.user_id = %(user_id)s AND s.id = %(id)s
RETURNING s.id, s.user_id, s.active_organization_id, s.prefix, s.created_at, s.expires_at, s.last_seen_at,
          s.revoked_at, s.user_agent;

-- name: revoke_all_sessions
-- Every live session of a user but one (the caller's own, or none).
UPDATE sessions SET revoked_at = now()
 WHERE user_id = %(user_id)s AND revoked_at IS NULL AND expires_at > now()
   AND id IS DISTINCT FROM %(keep)s
RETURNING id;

-- name: switch_organization
UPDATE sessions SET active_organization_id = %(org)s WHERE id = %(id)s AND user_id = %(user_id)s
RETURNING id, user_id, active_organization_id, prefix, created_at, expires_at, last_seen_at, revoked_at, user_agent;

-- name: membership_by_slug
SELECT m.organization_id, m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id
 WHERE m.user_id = %(user_id)s AND o.slug = %(slug)s;

-- name: sweep_sessions
-- The upkeep: sessions expired or revoked more than a day ago go (sessions_expires_idx); tokens
-- expired more than a day ago too (user_tokens_expires_idx). Qualified: the worker's maintenance
-- connection has no search_path.
WITH s AS (
    DELETE FROM mediabase.sessions WHERE expires_at < now() - interval '1 day'
        OR revoked_at < now() - interval '1 day' RETURNING 1
), t AS (
    DELETE FROM mediabase.user_tokens WHERE expires_at < now() - interval '1 day' RETURNING 1
)
SELECT (SELECT count(*) FROM s) AS sessions, (SELECT count(*) FROM t) AS tokens;

-- name: password_hash
SELECT password_hash FROM users WHERE id = %(user_id)s;

-- name: set_password
UPDATE users SET password_hash = %(password_hash)s WHERE id = %(user_id)s RETURNING id;

-- name: insert_token
INSERT INTO user_tokens (user_id, purpose, prefix, secret_sha256, expires_at)
VALUES (%(user_id)s, %(purpose)s, %(prefix)s, %(secret_sha256)s, now() + make_interval(secs => %(ttl)s))
RETURNING id, expires_at;

-- name: lock_token
-- The token by its prefix, locked: a concurrent use waits here and then sees used_at set.
SELECT t.id, t.user_id, t.purpose, t.secret_sha256, t.expires_at, t.used_at, now() AS now
  FROM user_tokens t WHERE t.prefix = %(prefix)s FOR UPDATE;

-- name: use_token
UPDATE user_tokens SET used_at = now() WHERE id = %(id)s AND used_at IS NULL RETURNING id;

-- name: verify_email
UPDATE users SET email_verified = true WHERE id = %(user_id)s RETURNING id;
