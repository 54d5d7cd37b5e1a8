-- name: insert_user
INSERT INTO users (email, username, display_name, password_hash, role)
VALUES (%(email)s, %(username)s, %(display_name)s, %(password_hash)s, %(role)s)
RETURNING id, email, username, display_name, avatar_url, bio, role, email_verified, is_active,
          created_at, last_login_at;

-- name: user_by_email
SELECT id, email, username, display_name, avatar_url, bio, role, email_verified, is_active,
       created_at, last_login_at
  FROM users WHERE lower(email) = lower(%(email)s);

-- name: insert_organization
-- organizations is a reference table on Citus and keeps no trigger: the statement writes its
-- audit row (as the system's role, which runs it: on Citus one transaction reaches a tenant's
-- shards as one role).
WITH o AS (
    INSERT INTO organizations (name, slug, description, kind, personal_user_id)
    VALUES (%(name)s, %(slug)s, %(description)s, %(kind)s, %(personal_user_id)s)
    RETURNING *
), audited AS (
    INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, after)
    SELECT o.id, current_user_id(), 'organizations', 'INSERT', o.id, to_jsonb(o) FROM o
)
SELECT o.id, o.name, o.slug, o.description, o.kind, o.created_at, o.updated_at FROM o;

-- name: organization_by_slug
SELECT id, name, slug, description, kind, created_at, updated_at FROM organizations WHERE slug = %(slug)s;

-- name: get_organization
SELECT id, name, slug, description, kind, created_at, updated_at FROM organizations WHERE id = %(id)s;

-- name: update_organization
-- No trigger on organizations (a Citus reference table): updated_at and the audit row are set here.
WITH prev AS (
    SELECT * FROM organizations WHERE id = %(id)s
), upd AS (
    UPDATE organizations
       SET name = coalesce(%(name)s, name), description = coalesce(%(description)s, description), updated_at = now()
     WHERE id = %(id)s
    RETURNING *
)
SELECT upd.id, upd.name, upd.slug, upd.description, upd.kind, upd.created_at, upd.updated_at
  FROM upd JOIN prev ON prev.id = upd.id
 CROSS JOIN LATERAL audit_organization('UPDATE', to_jsonb(prev), to_jsonb(upd)) AS audited;

-- name: insert_membership
INSERT INTO memberships (organization_id, user_id, role)
VALUES (%(organization_id)s, %(user_id)s, %(role)s)
RETURNING organization_id, user_id, role, created_at;

-- name: list_members
SELECT m.user_id, u.email, u.username, u.display_name, m.role, m.created_at
  FROM memberships m JOIN users u ON u.id = m.user_id
 WHERE m.organization_id = %(org)s
 ORDER BY m.created_at, m.user_id;

-- name: get_member
SELECT m.user_id, u.email, u.username, u.display_name, m.role, m.created_at
  FROM memberships m JOIN users u ON u.id = m.user_id
 WHERE m.organization_id = %(org)s AND m.user_id = %(user_id)s;

-- name: lock_owners
SELECT user_id FROM memberships WHERE organization_id = %(org)s AND role = 'OWNER' FOR UPDATE;

-- name: update_member_role
UPDATE memberships SET role = %(role)s WHERE organization_id = %(org)s AND user_id = %(user_id)s
RETURNING user_id;

-- name: delete_member
DELETE FROM memberships WHERE organization_id = %(org)s AND user_id = %(user_id)s RETURNING user_id;

-- name: insert_api_key
INSERT INTO api_keys (organization_id, user_id, name, prefix, secret_sha256, expires_at, scope)
VALUES (%(org)s, %(user_id)s, %(name)s, %(prefix)s, %(secret_sha256)s, %(expires_at)s, %(scope)s)
RETURNING id, organization_id, user_id, name, prefix, scope, created_at, expires_at, last_used_at, revoked_at;

-- name: list_api_keys
SELECT id, organization_id, user_id, name, prefix, scope, created_at, expires_at, last_used_at, revoked_at
  FROM api_keys WHERE organization_id = %(org)s ORDER BY created_at, id;

-- name: revoke_api_key
-- (now() comes from a subquery: Citus refuses a non-immutable function inside coalesce)
UPDATE api_keys k SET revoked_at = coalesce(k.revoked_at, t.at) FROM (SELECT now() AS at) t
 WHERE k.organization_id = %(org)s AND k.id = %(id)s
RETURNING id, organization_id, user_id, name, prefix, scope, created_at, expires_at, last_used_at, revoked_at;

-- name: revoke_api_key_by_prefix
UPDATE api_keys k SET revoked_at = coalesce(k.revoked_at, t.at) FROM (SELECT now() AS at) t
 WHERE k.organization_id = %(org)s AND k.prefix = %(prefix)s
RETURNING id, organization_id, user_id, name, prefix, scope, created_at, expires_at, last_used_at, revoked_at;

-- name: list_organizations
SELECT o.slug, o.name, o.kind, o.id,
       (SELECT count(*) FROM memberships m WHERE m.organization_id = o.id) AS members,
       (SELECT count(*) FROM videos v WHERE v.organization_id = o.id AND v.deleted_at IS NULL) AS videos
  FROM organizations o ORDER BY o.slug;

-- name: key_by_prefix
SELECT k.organization_id, k.id, k.user_id, k.secret_sha256, k.expires_at, k.revoked_at,
       k.last_used_at, k.scope, m.role, u.is_active
  FROM api_keys k
  JOIN memberships m ON m.organization_id = k.organization_id AND m.user_id = k.user_id
  JOIN users u ON u.id = k.user_id
 WHERE k.prefix = %(prefix)s;

-- name: now
SELECT now() AS now;

-- name: touch_api_key
UPDATE api_keys SET last_used_at = now() WHERE organization_id = %(org)s AND id = %(id)s;

-- name: first_owner
SELECT user_id FROM memberships WHERE organization_id = %(org)s AND role = 'OWNER'
 ORDER BY created_at, user_id LIMIT 1;

-- name: names_taken
-- Asked of every add by email, whatever the address (the answer depends on the names only).
SELECT EXISTS (SELECT FROM users WHERE lower(username) = lower(%(username)s)) AS username,
       EXISTS (SELECT FROM organizations WHERE slug = %(slug)s) AS slug;

-- name: add_member_by_email
-- One statement whatever the address (docs/identity.md "Adding members"): a user of no other
-- organization than their own personal one (or the caller's) is added; an unknown address gets a
-- new user, with a personal organization, who is added; a user of another organization is left
-- alone. The caller is told none of this: the service answers the same in every case.
-- (Citus: the user is looked up first, the global rows are written next, and only then are
-- every organization's memberships read, by the user's id: a subquery over all shards cannot
-- follow a row of another table, and a reference table is not written after one.)
WITH known AS (
    SELECT u.id FROM users u WHERE lower(u.email) = lower(%(email)s)
), new_user AS (
    INSERT INTO users (email, username, display_name)
    SELECT %(email)s, %(username)s, %(display_name)s WHERE NOT EXISTS (SELECT FROM known)
    RETURNING id
), new_org AS (
    INSERT INTO organizations (name, slug, kind, personal_user_id)
    SELECT %(personal_name)s, %(personal_slug)s, 'personal', id FROM new_user
    RETURNING *
), new_org_audit AS (  -- organizations keep no trigger (a Citus reference table): audited here
    INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, after)
    SELECT o.id, current_user_id(), 'organizations', 'INSERT', o.id, to_jsonb(o) FROM new_org o
), new_owner AS (
    INSERT INTO memberships (organization_id, user_id, role) SELECT id, personal_user_id, 'OWNER' FROM new_org
), found AS (
    SELECT k.id,
           EXISTS (SELECT 1 FROM memberships m JOIN organizations o ON o.id = m.organization_id
                    WHERE m.user_id = (SELECT id FROM known) AND m.organization_id <> %(org)s
                      AND o.personal_user_id IS DISTINCT FROM m.user_id) AS elsewhere,
           EXISTS (SELECT 1 FROM memberships m
                    WHERE m.organization_id = %(org)s AND m.user_id = (SELECT id FROM known)) AS here
      FROM known k
)
-- The security log's member_added event is written by the same statement (0034), so the work
-- is the same whatever the address.
, added AS (
    INSERT INTO memberships (organization_id, user_id, role)
    SELECT %(org)s, id, %(role)s FROM new_user
     UNION ALL
    SELECT %(org)s, id, %(role)s FROM found WHERE here OR NOT elsewhere
    RETURNING user_id
)
INSERT INTO security_events (organization_id, kind, actor_user_id, actor_key_id, subject_type, subject_id,
                             ip_hmac, ip_key, user_agent, details)
SELECT %(org)s, 'member_added', %(actor_user_id)s, %(actor_key_id)s, 'user', a.user_id,
       %(ip_hmac)s, %(ip_key)s, %(user_agent)s, jsonb_build_object('role', %(role)s::text)
  FROM added a
RETURNING subject_id AS user_id;
