-- Decision digests (docs/collab.md "Digests"). They run as the owner (the worker's upkeep
-- connection, `mediabase mail digests`), so names are qualified and every query names its
-- organization, except the first: which members have something pending, across organizations.

-- name: pending_members
-- Members with batched notifications of the frequency in no digest, created before the period's end.
SELECT organization_id, user_id, count(*) AS n
  FROM mediabase.notifications
 WHERE digest_id IS NULL AND delivery <> 'instant' AND delivery = %(frequency)s AND created_at < %(period_end)s
   AND (%(org)s::uuid IS NULL OR organization_id = %(org)s)
 GROUP BY organization_id, user_id
 ORDER BY organization_id, user_id
 LIMIT %(limit)s;

-- name: lock_pending
-- One member's pending notifications, locked: a second composer waits here, then finds them taken.
SELECT n.id, n.kind, n.title, n.created_at, n.video_id, d.summary, d.position_ms, d.status AS decision_status,
       t.name AS tag, v.title AS video_title, v.deleted_at IS NOT NULL AS video_deleted
  FROM mediabase.notifications n
  LEFT JOIN mediabase.decisions d ON d.organization_id = n.organization_id AND d.id = n.decision_id
  LEFT JOIN mediabase.decision_tags t ON t.organization_id = n.organization_id AND t.id = n.tag_id
  LEFT JOIN mediabase.videos v ON v.organization_id = n.organization_id AND v.id = n.video_id
 WHERE n.organization_id = %(org)s AND n.user_id = %(user_id)s AND n.digest_id IS NULL AND n.delivery <> 'instant'
   AND n.delivery = %(frequency)s AND n.created_at < %(period_end)s
 ORDER BY n.created_at, n.id
   FOR UPDATE OF n;

-- name: digest_exists
SELECT id FROM mediabase.notification_digests
 WHERE organization_id = %(org)s AND user_id = %(user_id)s AND frequency = %(frequency)s
   AND period_start = %(period_start)s;

-- name: recipient
SELECT u.email, u.username, u.display_name, u.is_active, coalesce(p.email_notifications, true) AS email_on,
       o.name AS org_name
  FROM mediabase.users u
  JOIN mediabase.organizations o ON o.id = %(org)s
  LEFT JOIN mediabase.user_preferences p ON p.user_id = u.id
 WHERE u.id = %(user_id)s;

-- name: insert_digest
INSERT INTO mediabase.notification_digests (organization_id, user_id, frequency, period_start, period_end,
                                            notification_count, message_id, skipped)
VALUES (%(org)s, %(user_id)s, %(frequency)s, %(period_start)s, %(period_end)s, %(count)s, %(message_id)s,
        %(skipped)s)
RETURNING id;

-- name: mark_digested
UPDATE mediabase.notifications SET digest_id = %(digest_id)s
 WHERE organization_id = %(org)s AND user_id = %(user_id)s AND id = ANY (%(ids)s) AND digest_id IS NULL;
