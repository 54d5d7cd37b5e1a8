-- -- comments ----------------------------------------------------------------------------------

-- name: comment_columns
-- (each subquery names the organization itself: Citus routes a correlated subquery to one shard
-- only by its own filter on organization_id; callers pass %(org)s)
SELECT c.id, c.video_id, c.parent_id, c.author_id, u.username AS author_username, c.body, c.position_ms,
       c.created_at, c.updated_at, c.edited_at, c.deleted_at,
       (SELECT count(*) FROM comments r
         WHERE r.organization_id = %(org)s AND r.video_id = c.video_id AND r.parent_id = c.id)::int AS reply_count,
       coalesce((SELECT jsonb_object_agg(x.emoji, x.n) FROM (
                   SELECT emoji, count(*) AS n FROM comment_reactions r
                    WHERE r.organization_id = %(org)s AND r.comment_id = c.id GROUP BY emoji) x),
                '{}') AS reactions,
       coalesce((SELECT array_agg(r.emoji ORDER BY r.emoji) FROM comment_reactions r
                  WHERE r.organization_id = %(org)s AND r.comment_id = c.id
                    AND r.user_id = %(me)s), '{}') AS my_reactions
  FROM comments c LEFT JOIN users u ON u.id = c.author_id

-- name: shown_comments
-- The live comments of a video and every ancestor of one (a deleted comment stays in the
-- thread while something under it is live).
WITH RECURSIVE shown (id, parent_id) AS (
    SELECT id, parent_id FROM comments
     WHERE organization_id = %(org)s AND video_id = %(video_id)s AND deleted_at IS NULL
    UNION
    SELECT p.id, p.parent_id FROM comments p JOIN shown s ON p.id = s.parent_id
     WHERE p.organization_id = %(org)s AND p.video_id = %(video_id)s
)

-- name: insert_comment
INSERT INTO comments (organization_id, video_id, parent_id, author_id, body, position_ms)
VALUES (%(org)s, %(video_id)s, %(parent_id)s, %(author_id)s, %(body)s, %(position_ms)s)
RETURNING id;

-- name: parent_comment
SELECT id, video_id, deleted_at FROM comments WHERE organization_id = %(org)s AND id = %(id)s;

-- name: lock_comment
SELECT c.id, c.video_id, c.author_id, c.deleted_at FROM comments c
  JOIN videos v ON v.organization_id = c.organization_id AND v.id = c.video_id AND v.deleted_at IS NULL
 WHERE c.organization_id = %(org)s AND c.id = %(id)s
   FOR UPDATE OF c;

-- name: update_comment
UPDATE comments SET body = coalesce(%(body)s, body),
       position_ms = CASE WHEN %(set_position)s THEN %(position_ms)s ELSE position_ms END
 WHERE organization_id = %(org)s AND id = %(id)s;

-- name: delete_comment
UPDATE comments SET deleted_at = now(), deleted_by = %(user_id)s
 WHERE organization_id = %(org)s AND id = %(id)s AND deleted_at IS NULL;

-- name: add_reaction
INSERT INTO comment_reactions (organization_id, comment_id, user_id, emoji)
VALUES (%(org)s, %(comment_id)s, %(user_id)s, %(emoji)s)
ON CONFLICT DO NOTHING;

-- name: remove_reaction
DELETE FROM comment_reactions
 WHERE organization_id = %(org)s AND comment_id = %(comment_id)s AND user_id = %(user_id)s AND emoji = %(emoji)s;

-- -- moments ---------------------------------------------------------------------------------

-- name: moment_columns
SELECT m.id, m.video_id, m.layer_id, m.title, m.description, m.start_ms, m.end_ms, m.moment_type, m.confidence,
       m.transcript_excerpt, m.created_by, m.created_at, m.updated_at
  FROM video_moments m

-- name: insert_moment
INSERT INTO video_moments (organization_id, video_id, layer_id, title, description, start_ms, end_ms, moment_type,
                           confidence, transcript_excerpt, created_by)
VALUES (%(org)s, %(video_id)s, %(layer_id)s, %(title)s, %(description)s, %(start_ms)s, %(end_ms)s, %(moment_type)s,
        %(confidence)s, %(transcript_excerpt)s, %(created_by)s)
RETURNING id;

-- name: lock_moment
SELECT m.id, m.video_id, m.created_by, m.layer_id FROM video_moments m
  JOIN videos v ON v.organization_id = m.organization_id AND v.id = m.video_id AND v.deleted_at IS NULL
 WHERE m.organization_id = %(org)s AND m.id = %(id)s FOR UPDATE OF m;

-- -- clips -------------------------------------------------------------------------------------

-- name: clip_columns
SELECT k.id, k.video_id, k.moment_id, k.title, k.description, k.start_ms, k.end_ms, k.clip_type, k.moment_type,
       k.storage_key, k.thumbnail_url, k.status, k.error, k.created_by, k.created_at, k.updated_at
  FROM video_clips k

-- name: insert_clip
INSERT INTO video_clips (organization_id, video_id, moment_id, title, description, start_ms, end_ms, clip_type,
                         moment_type, created_by)
VALUES (%(org)s, %(video_id)s, %(moment_id)s, %(title)s, %(description)s, %(start_ms)s, %(end_ms)s, %(clip_type)s,
        %(moment_type)s, %(created_by)s)
RETURNING id;

-- name: lock_clip
SELECT k.id, k.video_id, k.created_by FROM video_clips k
  JOIN videos v ON v.organization_id = k.organization_id AND v.id = k.video_id AND v.deleted_at IS NULL
 WHERE k.organization_id = %(org)s AND k.id = %(id)s FOR UPDATE OF k;

-- -- reels ---------------------------------------------------------------------------------------

-- name: insert_reel
INSERT INTO highlight_reels (organization_id, title, description, created_by)
VALUES (%(org)s, %(title)s, %(description)s, %(created_by)s)
RETURNING id;

-- name: get_reel
SELECT r.id, r.title, r.description, r.storage_key, r.thumbnail_url, r.status, r.error,
       coalesce((SELECT sum(k.end_ms - k.start_ms) FROM highlight_reel_clips rc
                   JOIN video_clips k ON k.organization_id = rc.organization_id AND k.id = rc.clip_id
                  WHERE rc.organization_id = r.organization_id AND rc.reel_id = r.id), 0)::bigint AS duration_ms,
       coalesce((SELECT jsonb_agg(jsonb_build_object('position', rc.position, 'clip_id', k.id, 'video_id', k.video_id,
                                                     'title', k.title, 'start_ms', k.start_ms, 'end_ms', k.end_ms)
                                  ORDER BY rc.position)
                   FROM highlight_reel_clips rc
                   JOIN video_clips k ON k.organization_id = rc.organization_id AND k.id = rc.clip_id
                  WHERE rc.organization_id = r.organization_id AND rc.reel_id = r.id), '[]') AS clips,
       r.created_by, r.created_at, r.updated_at
  FROM highlight_reels r
 WHERE r.organization_id = %(org)s AND (%(id)s::uuid IS NULL OR r.id = %(id)s)
 ORDER BY r.created_at DESC, r.id DESC
 LIMIT %(limit)s;

-- name: lock_reel
SELECT id, created_by, status FROM highlight_reels WHERE organization_id = %(org)s AND id = %(id)s FOR UPDATE;

-- name: clear_reel_clips
DELETE FROM highlight_reel_clips WHERE organization_id = %(org)s AND reel_id = %(reel_id)s;

-- name: insert_reel_clip
-- One row per clip (executemany): on Citus an INSERT … SELECT from unnest() is written with COPY,
-- which row-level security refuses.
INSERT INTO highlight_reel_clips (organization_id, reel_id, position, clip_id)
VALUES (%(org)s, %(reel_id)s, %(position)s, %(clip_id)s);

-- -- quote cards -------------------------------------------------------------------------------

-- name: quote_card_columns
SELECT q.id, q.video_id, q.quote_text, q.speaker, q.speaker_id, q.start_ms, q.end_ms, q.template, q.image_url,
       q.storage_key, q.created_by, q.created_at, q.updated_at
  FROM quote_cards q

-- name: insert_quote_card
INSERT INTO quote_cards (organization_id, video_id, quote_text, speaker, speaker_id, start_ms, end_ms, template,
                         image_url, storage_key, created_by)
VALUES (%(org)s, %(video_id)s, %(quote_text)s, %(speaker)s, %(speaker_id)s, %(start_ms)s, %(end_ms)s, %(template)s,
        %(image_url)s, %(storage_key)s, %(created_by)s)
RETURNING id;

-- name: lock_quote_card
SELECT q.id, q.video_id, q.created_by FROM quote_cards q
  JOIN videos v ON v.organization_id = q.organization_id AND v.id = q.video_id AND v.deleted_at IS NULL
 WHERE q.organization_id = %(org)s AND q.id = %(id)s FOR UPDATE OF q;

-- -- share links ---------------------------------------------------------------------------------

-- name: share_link_columns
SELECT s.id, s.video_id, s.expires_at, s.has_password, s.view_count, s.last_viewed_at, s.revoked_at, s.created_by,
       s.created_at
  FROM share_links s

-- name: insert_share_link
INSERT INTO share_links (organization_id, video_id, token_sha256, password_hash, expires_at, created_by)
VALUES (%(org)s, %(video_id)s, %(token_sha256)s, %(password_hash)s, %(expires_at)s, %(created_by)s)
RETURNING id;

-- name: lock_share_link
SELECT s.id, s.video_id, s.created_by, s.revoked_at FROM share_links s
 WHERE s.organization_id = %(org)s AND s.id = %(id)s FOR UPDATE;

-- name: revoke_share_link
UPDATE share_links SET revoked_at = now(), revoked_by = %(user_id)s
 WHERE organization_id = %(org)s AND id = %(id)s AND revoked_at IS NULL;

-- name: share_link_by_token
-- Before the tenant is known (system pool): the link a token digest names, if it is open.
SELECT organization_id, id, video_id, password_hash
  FROM share_links
 WHERE token_sha256 = %(digest)s AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now());

-- name: count_share_view
-- In the link's tenant (app role): count the view, re-checking that the link is still open.
UPDATE share_links SET view_count = view_count + 1, last_viewed_at = now()
 WHERE organization_id = %(org)s AND id = %(id)s AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
RETURNING video_id;

-- name: shared_video
SELECT title, description, duration_ms, media_url, thumbnail_url, language, recorded_at
  FROM videos WHERE organization_id = %(org)s AND id = %(video_id)s AND deleted_at IS NULL;

-- name: shared_segments
SELECT g.start_ms, g.end_ms, coalesce(s.display_name, s.label) AS speaker, g.text
  FROM transcripts t
  JOIN transcript_segments g ON g.organization_id = t.organization_id AND g.transcript_id = t.id AND g.video_id = t.video_id
  LEFT JOIN speakers s ON s.organization_id = g.organization_id AND s.video_id = g.video_id AND s.id = g.speaker_id
 WHERE t.organization_id = %(org)s AND t.video_id = %(video_id)s AND t.is_current
 ORDER BY g.start_ms, g.seq
 LIMIT %(limit)s;

-- -- notifications, activity, audit, overview ----------------------------------------------------

-- name: list_notifications
SELECT id, kind, actor_id, video_id, comment_id, decision_id, action_item_id, tag_id, title, delivery, created_at,
       read_at
  FROM notifications
 WHERE organization_id = %(org)s AND user_id = %(user_id)s AND (NOT %(unread)s OR read_at IS NULL)
 ORDER BY created_at DESC, id DESC
 LIMIT %(limit)s;

-- name: mark_read
UPDATE notifications SET read_at = now()
 WHERE organization_id = %(org)s AND user_id = %(user_id)s AND read_at IS NULL
   AND (%(id)s::uuid IS NULL OR id = %(id)s);

-- name: notification_exists
SELECT 1 FROM notifications WHERE organization_id = %(org)s AND user_id = %(user_id)s AND id = %(id)s;

-- name: video_overview
SELECT video_id, title, duration_ms, author_id, created_at, comment_count, moment_count, clip_count,
       quote_card_count, decision_count, action_item_count, open_action_item_count, share_link_count,
       my_position_ms, my_completed, my_last_watched_at, my_progress_percent
  FROM video_overview
 WHERE organization_id = %(org)s AND video_id = %(video_id)s AND deleted_at IS NULL;

-- name: delete_moment
DELETE FROM video_moments WHERE organization_id = %(org)s AND id = %(id)s;

-- name: delete_clip
DELETE FROM video_clips WHERE organization_id = %(org)s AND id = %(id)s;

-- name: delete_reel
DELETE FROM highlight_reels WHERE organization_id = %(org)s AND id = %(id)s;

-- name: reel_to_draft
UPDATE highlight_reels SET status = 'draft', error = NULL WHERE organization_id = %(org)s AND id = %(id)s;

-- name: delete_quote_card
DELETE FROM quote_cards WHERE organization_id = %(org)s AND id = %(id)s;

-- -- audit partitions (owner) --------------------------------------------------------------------

-- name: ensure_audit_partitions
SELECT p FROM ensure_audit_partitions(%(months_ahead)s) AS p;

-- name: prune_audit_partitions
SELECT p FROM prune_audit_partitions(%(keep_months)s) AS p;

-- name: audit_partitions
SELECT name, range_from, range_to, est_rows, is_default FROM audit_partitions();
