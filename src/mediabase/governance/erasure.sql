-- Erasure of one person (mediabase.governance.erasure, docs/governance.md). Every statement runs
-- in one owner transaction; %(at)s is that transaction's instant (passed, not now(): Citus
-- evaluates parameters once on the coordinator).

-- name: lock_user
SELECT id, email, username, display_name, erased_at FROM users WHERE id = %(user_id)s FOR UPDATE;

-- name: linked_names
-- What else names the person: the people (speaker identities), artists and producers linked to
-- them in any organization, and the display names of those people's speakers. (Plain statements
-- per table, united: Citus plans each on the shards.)
SELECT name FROM people WHERE user_id = %(user_id)s
UNION SELECT name FROM music_artists WHERE user_id = %(user_id)s
UNION SELECT name FROM music_producers WHERE user_id = %(user_id)s;

-- name: linked_speaker_names
SELECT DISTINCT s.display_name AS name
  FROM people p JOIN speakers s ON s.organization_id = p.organization_id AND s.person_id = p.id
 WHERE p.user_id = %(user_id)s AND s.display_name IS NOT NULL;

-- name: pattern
SELECT mediabase.erasure_pattern(%(terms)s::text[]) AS pattern;

-- name: comment_bodies
-- Every body the person's comments ever had: the live ones, and those the audit log kept of
-- edited or deleted ones (audit_log_row_idx per organization; a join on the distribution column).
SELECT c.body AS a, NULL AS b FROM comments c WHERE c.author_id = %(user_id)s AND c.body IS NOT NULL
UNION ALL
SELECT a.before->>'body', a.after->>'body'
  FROM comments c JOIN audit_log a ON a.organization_id = c.organization_id AND a.row_id = c.id
 WHERE c.author_id = %(user_id)s AND a.table_name = 'comments';

-- name: sole_owner_of
-- Team organizations the person is the only owner of while others are members: erasure waits
-- for another owner (an organization keeps one).
SELECT o.slug FROM memberships m JOIN organizations o ON o.id = m.organization_id
 WHERE m.user_id = %(user_id)s AND m.role = 'OWNER' AND o.kind <> 'personal'
   AND NOT EXISTS (SELECT FROM memberships x WHERE x.organization_id = m.organization_id
                      AND x.role = 'OWNER' AND x.user_id <> m.user_id)
   AND EXISTS (SELECT FROM memberships x WHERE x.organization_id = m.organization_id AND x.user_id <> m.user_id)
 ORDER BY o.slug;

-- name: personal_organizations
UPDATE organizations
   SET name = 'Erased user', slug = 'erased-' || left(replace(id::text, '-', ''), 24), description = NULL
 WHERE personal_user_id = %(user_id)s
RETURNING id;

-- name: trash_personal_videos
-- The personal workspace's videos lose their titles and descriptions and go to the trash with
-- their retention ending now: the next retention run deletes them with everything derived.
UPDATE videos SET deleted_at = coalesce(deleted_at, %(at)s), retention_until = %(at)s,
                  title = 'Erased video', description = NULL, notes = NULL, location = NULL
 WHERE organization_id = ANY (%(orgs)s::uuid[]) AND (deleted_at IS NULL OR retention_until IS DISTINCT FROM %(at)s);

-- name: delete_comments
-- Deleting a comment erases its body (comments_rules); the thread keeps its place.
UPDATE comments SET deleted_at = %(at)s WHERE author_id = %(user_id)s AND deleted_at IS NULL;

-- name: decision_edit_values
-- The edit stays in the trail (who changed which field when); its values do not. An edit names
-- a change (decision_edits_changed), so the new value is the marker.
UPDATE decision_edits SET old_value = NULL, new_value = '[erased]'
 WHERE user_id = %(user_id)s AND (old_value IS NOT NULL OR new_value IS DISTINCT FROM '[erased]');

-- name: unlink_people
-- The person's speaker identities keep their place in transcripts under no name.
UPDATE people SET name = 'Erased person', role = NULL, user_id = NULL WHERE user_id = %(user_id)s
RETURNING organization_id, id;

-- name: unname_speakers
UPDATE speakers SET display_name = NULL
 WHERE (organization_id, person_id) IN (SELECT x.org, x.id FROM unnest(%(orgs)s::uuid[], %(ids)s::uuid[]) AS x (org, id))
   AND display_name IS NOT NULL;

-- name: unassign_action_items
UPDATE ai_action_items SET assignee_user_id = NULL, assignee = NULL WHERE assignee_user_id = %(user_id)s;

-- name: unlink_integration_accounts
UPDATE integration_accounts SET connected_by = NULL WHERE connected_by = %(user_id)s;

-- name: delete_notifications
DELETE FROM notifications WHERE user_id = %(user_id)s;

-- name: delete_mail
DELETE FROM mail_outbox WHERE recipient_user_id = %(user_id)s OR lower(to_address) = lower(%(email)s);

-- name: delete_invitations
DELETE FROM invitations WHERE lower(email) = lower(%(email)s);

-- name: erase_artists
UPDATE music_artists SET name = 'Erased artist', slug = 'erased-' || left(replace(id::text, '-', ''), 24), bio = NULL
 WHERE user_id = %(user_id)s;

-- name: erase_producers
UPDATE music_producers SET name = 'Erased producer', slug = 'erased-' || left(replace(id::text, '-', ''), 24), bio = NULL
 WHERE user_id = %(user_id)s;

-- name: redact_own_security_events
-- The security log's rows about the person lose what identifies a device or a place.
WITH r AS (
    UPDATE security_events
       SET ip_key = NULL, ip_hmac = NULL, user_agent = NULL,
           details = mediabase.redact_jsonb(details, %(pattern)s, %(bodies)s::text[]), redacted_at = %(at)s
     WHERE actor_user_id = %(user_id)s OR subject_id = %(user_id)s
    RETURNING organization_id)
SELECT organization_id, count(*) AS n FROM r GROUP BY organization_id;

-- name: drop_archives
UPDATE data_requests SET archive = NULL, archive_expires_at = NULL WHERE user_id = %(user_id)s AND archive IS NOT NULL;

-- name: cascading_foreign_keys
-- Per-user rows that go with an account (ON DELETE CASCADE to users), read from the catalog so a
-- new per-user table is erased without a change here; organizations are handled above (a
-- personal organization is pseudonymised, not deleted). Memberships last but one: what
-- cascades from them (API keys, reactions, subscriptions …) goes with them.
SELECT c.conrelid::regclass::text AS tbl, a.attname AS col
  FROM pg_constraint c
  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
 WHERE c.contype = 'f' AND c.confrelid = 'mediabase.users'::regclass AND c.confdeltype = 'c'
   AND cardinality(c.conkey) = 1 AND c.conrelid <> 'mediabase.organizations'::regclass
   AND NOT EXISTS (SELECT FROM pg_inherits i WHERE i.inhrelid = c.conrelid)
 ORDER BY c.conrelid = 'mediabase.memberships'::regclass, 1;

-- name: pseudonymise_user
UPDATE users
   SET email = 'erased-' || replace(id::text, '-', '') || '@erased.invalid',
       username = 'erased-' || left(replace(id::text, '-', ''), 24),
       display_name = NULL, avatar_url = NULL, bio = NULL, password_hash = NULL,
       email_verified = false, is_active = false, last_login_at = NULL, erased_at = %(at)s
 WHERE id = %(user_id)s;

-- name: insert_redaction
INSERT INTO audit_redactions (user_id, data_request_id, reason, redacted_at, counts)
VALUES (%(user_id)s, %(request_id)s, %(reason)s, %(at)s, %(counts)s)
RETURNING id;

-- name: record_redaction
-- The redaction is itself in the audit log of every organization it touched.
INSERT INTO audit_log (organization_id, table_name, action, row_id, changed, before, after)
SELECT x.org, 'audit_log', 'UPDATE', %(redaction_id)s, '{before,after}',
       jsonb_build_object('redacted_rows', x.n, 'state', 'original'),
       jsonb_build_object('redacted_rows', x.n, 'state', 'redacted', 'redaction_id', %(redaction_id)s,
                          'reason', %(reason)s::text)
  FROM unnest(%(orgs)s::uuid[], %(counts)s::bigint[]) AS x (org, n);
