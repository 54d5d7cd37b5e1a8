-- Data subject requests (mediabase.governance.requests, migration 0045). Owner only.

-- name: user_exists
SELECT 1 FROM users WHERE id = %(user_id)s;

-- name: open_request
SELECT id, user_id, kind, status, requested_via, requested_at, deadline_at, started_at, completed_at, job_id,
       summary, error, archive_expires_at, status IN ('pending', 'processing') AND deadline_at < now() AS overdue
  FROM data_requests WHERE user_id = %(user_id)s AND kind = %(kind)s AND status IN ('pending', 'processing');

-- name: insert_request
INSERT INTO data_requests (user_id, kind, requested_via, deadline_at, job_organization_id)
VALUES (%(user_id)s, %(kind)s, %(via)s, now() + make_interval(days => %(days)s), %(job_org)s)
RETURNING id, user_id, kind, status, requested_via, requested_at, deadline_at, started_at, completed_at, job_id,
       summary, error, archive_expires_at, false AS overdue;

-- name: set_job
UPDATE data_requests SET job_id = %(job_id)s WHERE id = %(id)s;

-- name: get_request
SELECT id, user_id, kind, status, requested_via, requested_at, deadline_at, started_at, completed_at, job_id,
       summary, error, archive_expires_at, status IN ('pending', 'processing') AND deadline_at < now() AS overdue
  FROM data_requests WHERE id = %(id)s AND (%(user_id)s::uuid IS NULL OR user_id = %(user_id)s);

-- name: list_requests
-- A person's requests newest first (data_requests_user_idx), or the operator's list: the open ones
-- by deadline (data_requests_open_deadline_idx), then the rest newest first.
SELECT id, user_id, kind, status, requested_via, requested_at, deadline_at, started_at, completed_at, job_id,
       summary, error, archive_expires_at, status IN ('pending', 'processing') AND deadline_at < now() AS overdue
  FROM data_requests
 WHERE (%(user_id)s::uuid IS NULL OR user_id = %(user_id)s)
   AND (NOT %(open_only)s OR status IN ('pending', 'processing'))
 ORDER BY status IN ('pending', 'processing') DESC,
          CASE WHEN status IN ('pending', 'processing') THEN deadline_at END, requested_at DESC, id DESC
 LIMIT %(limit)s;

-- name: get_archive
SELECT archive FROM data_requests
 WHERE id = %(id)s AND user_id = %(user_id)s AND archive IS NOT NULL AND archive_expires_at > now();

-- name: cancel_request
UPDATE data_requests SET status = 'cancelled', completed_at = now()
 WHERE id = %(id)s AND (%(user_id)s::uuid IS NULL OR user_id = %(user_id)s) AND status = 'pending'
RETURNING id, user_id, kind, status, requested_via, requested_at, deadline_at, started_at, completed_at, job_id,
       summary, error, archive_expires_at, false AS overdue;

-- name: claim_request
UPDATE data_requests SET status = 'processing', started_at = now()
 WHERE id = %(id)s AND status = 'pending'
RETURNING id, user_id, kind;

-- name: complete_request
UPDATE data_requests
   SET status = 'completed', completed_at = now(), summary = %(summary)s, error = NULL,
       archive = %(archive)s,
       archive_expires_at = %(expires)s
 WHERE id = %(id)s;

-- name: fail_request
UPDATE data_requests SET status = 'failed', completed_at = now(), error = %(error)s WHERE id = %(id)s;

-- name: release_request
UPDATE data_requests SET status = 'pending', started_at = NULL WHERE id = %(id)s AND status = 'processing';

-- name: expire_archives
-- An export's archive holds personal data: it goes when it expires (data_requests_user_idx is not
-- needed: few rows have an archive).
UPDATE mediabase.data_requests SET archive = NULL, archive_expires_at = NULL
 WHERE archive IS NOT NULL AND archive_expires_at <= now();
