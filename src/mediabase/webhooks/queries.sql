-- Outgoing webhooks' SQL (0037_webhooks.sql; docs/webhooks.md). Every tenant query names the
-- tenant (%(org)s) itself; row-level security stays the guard behind it. The secret columns
-- are never selected here (the application role may not): webhook_sign and webhook_rotate_secret.

-- name: insert_endpoint
INSERT INTO webhook_endpoints (organization_id, url, description, secret)
VALUES (%(org)s, %(url)s, %(description)s, %(secret)s)
RETURNING id

-- name: insert_types
INSERT INTO webhook_endpoint_types (organization_id, endpoint_id, type)
SELECT %(org)s, %(id)s, t FROM unnest(%(types)s::text[]) AS t
ON CONFLICT DO NOTHING

-- name: delete_types
DELETE FROM webhook_endpoint_types WHERE organization_id = %(org)s AND endpoint_id = %(id)s

-- name: get_endpoints
-- One endpoint (%(id)s) or all of them (NULL), with the types they subscribe to.
SELECT w.id, w.url, w.description, w.disabled_at, w.disabled_reason, w.consecutive_failures,
       w.previous_secret_expires_at, w.created_by, w.created_at, w.updated_at,
       coalesce(array_agg(t.type ORDER BY t.type) FILTER (WHERE t.type IS NOT NULL), '{}') AS event_types
  FROM webhook_endpoints w
  LEFT JOIN webhook_endpoint_types t ON t.organization_id = w.organization_id AND t.endpoint_id = w.id
 WHERE w.organization_id = %(org)s AND (%(id)s::uuid IS NULL OR w.id = %(id)s)
 GROUP BY w.organization_id, w.id
 ORDER BY w.id

-- name: update_endpoint
UPDATE webhook_endpoints
   SET url = coalesce(%(url)s, url), description = coalesce(%(description)s, description), updated_at = now()
 WHERE organization_id = %(org)s AND id = %(id)s
RETURNING id

-- name: set_disabled
-- Disable (a reason) or enable (NULL: the failure count starts again).
UPDATE webhook_endpoints
   SET disabled_at = CASE WHEN %(reason)s::text IS NULL THEN NULL ELSE coalesce(disabled_at, now()) END,
       disabled_reason = %(reason)s,
       consecutive_failures = CASE WHEN %(reason)s::text IS NULL THEN 0 ELSE consecutive_failures END,
       updated_at = now()
 WHERE organization_id = %(org)s AND id = %(id)s
RETURNING id

-- name: delete_endpoint
DELETE FROM webhook_endpoints WHERE organization_id = %(org)s AND id = %(id)s RETURNING id

-- name: rotate_secret
SELECT mediabase.webhook_rotate_secret(%(id)s, %(secret)s, make_interval(secs => %(grace)s)) AS ok

-- name: fan_out
-- The dispatcher's batch of events → one delivery per (event, enabled endpoint subscribed to its
-- type), in one statement; a delivery that exists already (a batch handed over again) is kept.
INSERT INTO webhook_deliveries (organization_id, endpoint_id, event_id, event_type, max_attempts, next_attempt_at)
SELECT %(org)s, s.endpoint_id, e.id, e.type, %(max_attempts)s, now()
  FROM unnest(%(ids)s::uuid[], %(types)s::text[]) AS e (id, type)
  JOIN webhook_endpoint_types s ON s.organization_id = %(org)s AND s.type = e.type
  JOIN webhook_endpoints w ON w.organization_id = %(org)s AND w.id = s.endpoint_id AND w.disabled_at IS NULL
ON CONFLICT (organization_id, event_id, endpoint_id) DO NOTHING
RETURNING id

-- name: deliver_one
INSERT INTO webhook_deliveries (organization_id, endpoint_id, event_id, event_type, max_attempts, next_attempt_at)
SELECT %(org)s, w.id, e.id, e.type, %(max_attempts)s, now()
  FROM webhook_endpoints w
  JOIN events e ON e.organization_id = %(org)s AND e.id = %(event)s
 WHERE w.organization_id = %(org)s AND w.id = %(endpoint)s AND w.disabled_at IS NULL
ON CONFLICT (organization_id, event_id, endpoint_id) DO NOTHING
RETURNING id

-- name: why_not_delivered
SELECT (SELECT d.id FROM webhook_deliveries d
         WHERE d.organization_id = %(org)s AND d.event_id = %(event)s AND d.endpoint_id = %(endpoint)s) AS existing,
       (SELECT w.disabled_at IS NOT NULL FROM webhook_endpoints w
         WHERE w.organization_id = %(org)s AND w.id = %(endpoint)s) AS disabled,
       EXISTS (SELECT FROM events e WHERE e.organization_id = %(org)s AND e.id = %(event)s) AS event_exists

-- name: claim_attempt
-- Attempt %(attempt)s starts, unless it was made already or another run has it under way.
UPDATE webhook_deliveries SET in_flight_until = now() + make_interval(secs => %(hold)s)
 WHERE organization_id = %(org)s AND id = %(id)s AND status = 'pending' AND attempts = %(attempt)s - 1
   AND (in_flight_until IS NULL OR in_flight_until < now())
RETURNING id

-- name: prepare
-- What one attempt needs: the delivery's state, the endpoint's URL and state, the event.
SELECT d.status, d.attempts, d.max_attempts, d.endpoint_id, w.url, w.disabled_at, w.disabled_reason,
       e.id AS event_id, e.organization_id, e.type, e.subject_type, e.subject_id, e.data, e.actor_id, e.occurred_at
  FROM webhook_deliveries d
  JOIN webhook_endpoints w ON w.organization_id = d.organization_id AND w.id = d.endpoint_id
  JOIN events e ON e.organization_id = d.organization_id AND e.id = d.event_id
 WHERE d.organization_id = %(org)s AND d.id = %(id)s

-- name: sign
SELECT mediabase.webhook_sign(%(endpoint)s, %(msg_id)s, %(ts)s, %(body)s) AS signature

-- name: record_attempt
INSERT INTO webhook_attempts (organization_id, delivery_id, attempt, started_at, duration_ms, status_code, ok, error)
VALUES (%(org)s, %(id)s, %(attempt)s, %(started_at)s, %(duration_ms)s, %(status_code)s, %(ok)s, %(error)s)
ON CONFLICT (organization_id, delivery_id, attempt) DO NOTHING
RETURNING id

-- name: settle
-- The delivery after attempt %(attempt)s: delivered, dead, or pending until %(next_at)s.
UPDATE webhook_deliveries
   SET attempts = greatest(attempts, %(attempt)s),
       status = %(status)s,
       next_attempt_at = CASE WHEN %(status)s = 'pending' THEN %(next_at)s::timestamptz END,
       in_flight_until = NULL,
       delivered_at = CASE WHEN %(status)s = 'delivered' THEN now() END,
       dead_at = CASE WHEN %(status)s = 'dead' THEN now() END,
       last_status_code = coalesce(%(status_code)s, last_status_code),
       last_error = %(error)s,
       updated_at = now()
 WHERE organization_id = %(org)s AND id = %(id)s AND status = 'pending'

-- name: endpoint_succeeded
UPDATE webhook_endpoints SET consecutive_failures = 0
 WHERE organization_id = %(org)s AND id = %(id)s AND consecutive_failures > 0

-- name: endpoint_failed
-- One more failure in a row; the one that reaches %(disable_after)s disables the endpoint.
UPDATE webhook_endpoints
   SET consecutive_failures = consecutive_failures + 1,
       disabled_at = CASE WHEN disabled_at IS NULL AND consecutive_failures + 1 >= %(disable_after)s
                          THEN now() ELSE disabled_at END,
       disabled_reason = CASE WHEN disabled_at IS NULL AND consecutive_failures + 1 >= %(disable_after)s
                              THEN %(reason)s ELSE disabled_reason END,
       updated_at = now()
 WHERE organization_id = %(org)s AND id = %(id)s
RETURNING disabled_at IS NOT NULL AS disabled

-- name: list_deliveries
-- Newest first, keyset by id (v7); filters by status, endpoint and event use their indexes.
SELECT id, endpoint_id, event_id, event_type, status, attempts, max_attempts, next_attempt_at, last_status_code,
       last_error, delivered_at, dead_at, created_at, updated_at
  FROM webhook_deliveries
 WHERE organization_id = %(org)s
   AND (%(status)s::text IS NULL OR status = %(status)s)
   AND (%(endpoint)s::uuid IS NULL OR endpoint_id = %(endpoint)s)
   AND (%(event)s::uuid IS NULL OR event_id = %(event)s)
   AND (%(before)s::uuid IS NULL OR id < %(before)s)
 ORDER BY id DESC
 LIMIT %(limit)s

-- name: get_delivery
SELECT id, endpoint_id, event_id, event_type, status, attempts, max_attempts, next_attempt_at, last_status_code,
       last_error, delivered_at, dead_at, created_at, updated_at
  FROM webhook_deliveries
 WHERE organization_id = %(org)s AND id = %(id)s

-- name: list_attempts
SELECT id, delivery_id, attempt, started_at, duration_ms, status_code, ok, error
  FROM webhook_attempts
 WHERE organization_id = %(org)s AND delivery_id = %(id)s
 ORDER BY attempt

-- name: redeliver
-- A delivered or dead delivery is pending again with a fresh budget of attempts.
UPDATE webhook_deliveries d
   SET status = 'pending', next_attempt_at = now(), delivered_at = NULL, dead_at = NULL,
       max_attempts = d.attempts + %(max_attempts)s, updated_at = now()
  FROM webhook_endpoints w
 WHERE d.organization_id = %(org)s AND d.id = %(id)s AND d.status <> 'pending'
   AND w.organization_id = %(org)s AND w.id = d.endpoint_id AND w.disabled_at IS NULL
RETURNING d.attempts
