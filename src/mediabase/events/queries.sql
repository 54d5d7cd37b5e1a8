-- The event outbox's SQL (0035_events_outbox.sql; docs/events.md). Every tenant query names
-- the tenant (%(org)s) itself; row-level security stays the guard behind it.

-- name: pending_organizations
SELECT org AS organization_id FROM mediabase.events_pending_organizations(%(max_orgs)s) AS org

-- name: take_pending
-- The dispatcher's batch: undispatched events of one organization, oldest first, locked so a
-- second worker takes the next ones (events_pending_idx).
SELECT organization_id, id, type, subject_type, subject_id, data, actor_id, request_id, occurred_at, dispatched_at
  FROM events
 WHERE organization_id = %(org)s AND dispatched_at IS NULL
 ORDER BY id
 LIMIT %(limit)s
   FOR UPDATE SKIP LOCKED

-- name: mark_dispatched
UPDATE events SET dispatched_at = greatest(now(), occurred_at)
 WHERE organization_id = %(org)s AND id = ANY (%(ids)s::uuid[])

-- name: emit
SELECT mediabase.emit_event(%(org)s, %(type)s, %(subject_type)s, %(subject_id)s, %(data)s) AS id

-- name: get_event
SELECT organization_id, id, type, subject_type, subject_id, data, actor_id, request_id, occurred_at, dispatched_at
  FROM events
 WHERE organization_id = %(org)s AND id = %(id)s

-- name: list_events
-- Newest first, keyset by id (v7: time-ordered); filters by type and subject use their indexes.
SELECT organization_id, id, type, subject_type, subject_id, data, actor_id, request_id, occurred_at, dispatched_at
  FROM events
 WHERE organization_id = %(org)s
   AND (%(type)s::text IS NULL OR type = %(type)s)
   AND (%(subject_id)s::uuid IS NULL OR subject_id = %(subject_id)s)
   AND (%(before)s::uuid IS NULL OR id < %(before)s)
 ORDER BY id DESC
 LIMIT %(limit)s

-- name: list_types
SELECT type, subject_type, description FROM event_types ORDER BY type

-- name: type_exists
SELECT EXISTS (SELECT FROM event_types WHERE type = %(type)s) AS known

-- name: prune
-- Upkeep (owner, across tenants, on a connection with no search_path of ours: names qualified):
-- dispatched events older than the window, a batch at a time.
DELETE FROM mediabase.events e
 USING (SELECT organization_id, id FROM mediabase.events
         WHERE dispatched_at < now() - make_interval(days => %(days)s)
         LIMIT %(batch)s) old
 WHERE e.organization_id = old.organization_id AND e.id = old.id
