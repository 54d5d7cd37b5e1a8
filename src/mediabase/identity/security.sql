-- name: insert_event
-- One event. organization_id names the tenant it concerns (the nil organization for a failed
-- sign-in that names no key of any); request_id comes from the transaction (column default).
INSERT INTO security_events (organization_id, kind, actor_user_id, actor_key_id, subject_type, subject_id,
                             ip_hmac, ip_key, user_agent, details)
VALUES (%(org)s, %(kind)s, %(actor_user_id)s, %(actor_key_id)s, %(subject_type)s, %(subject_id)s,
        %(ip_hmac)s, %(ip_key)s, %(user_agent)s, %(details)s);

-- name: event_columns
-- The list's rows; the service adds its WHERE (the organization first), the keyset order
-- (occurred_at, id) newest first, and the limit.
SELECT id, occurred_at, kind, actor_user_id, actor_key_id, subject_type, subject_id,
       encode(ip_hmac, 'hex') AS ip_hash, ip_key, user_agent, details, request_id
  FROM security_events
