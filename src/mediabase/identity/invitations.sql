-- name: insert_invitation
INSERT INTO invitations (organization_id, email, role, prefix, secret_sha256, invited_by, expires_at)
VALUES (%(org)s, %(email)s, %(role)s, %(prefix)s, %(secret_sha256)s, %(invited_by)s,
        now() + make_interval(secs => %(ttl)s))
RETURNING organization_id, id, email, role, prefix, invited_by, created_at, expires_at, accepted_at, accepted_by,
          revoked_at;

-- name: list_invitations
SELECT organization_id, id, email, role, prefix, invited_by, created_at, expires_at, accepted_at, accepted_by,
       revoked_at
  FROM invitations WHERE organization_id = %(org)s ORDER BY created_at DESC, id DESC LIMIT %(limit)s;

-- name: revoke_invitation
-- Only a pending invitation is revoked (an accepted one stays accepted: remove the member instead).
UPDATE invitations i SET revoked_at = coalesce(i.revoked_at, t.at) FROM (SELECT now() AS at) t
 WHERE i.organization_id = %(org)s AND i.id = %(id)s AND i.accepted_at IS NULL
RETURNING i.organization_id, i.id, i.email, i.role, i.prefix, i.invited_by, i.created_at, i.expires_at,
          i.accepted_at, i.accepted_by, i.revoked_at;

-- name: find_invitation
-- The organization of an invitation, by its prefix across organizations (invitations_prefix_idx).
SELECT organization_id FROM invitations WHERE prefix = %(prefix)s;

-- name: lock_invitation
-- Then the row, locked within its organization (one shard on Citus, where FOR UPDATE must name
-- one): a second acceptance waits here and then finds it accepted.
SELECT i.organization_id, i.id, i.email, i.role, i.secret_sha256, i.expires_at, i.accepted_at, i.revoked_at,
       now() AS now
  FROM invitations i WHERE i.organization_id = %(org)s AND i.prefix = %(prefix)s FOR UPDATE;

-- name: accepting_user
SELECT u.id, u.email, u.is_active,
       EXISTS (SELECT FROM memberships m WHERE m.organization_id = %(org)s AND m.user_id = u.id) AS member
  FROM users u WHERE u.id = %(user_id)s;

-- name: insert_membership
INSERT INTO memberships (organization_id, user_id, role) VALUES (%(org)s, %(user_id)s, %(role)s);

-- name: accept_invitation
UPDATE invitations SET accepted_at = now(), accepted_by = %(user_id)s
 WHERE organization_id = %(org)s AND id = %(id)s
RETURNING organization_id, id, email, role, prefix, invited_by, created_at, expires_at, accepted_at, accepted_by,
          revoked_at;
