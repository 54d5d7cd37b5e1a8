-- organization_activity: the activity feed of an organization, read from the audit log: who
-- created, changed or removed which collaboration object, when. Only the subject's id, video
-- and a label (title, summary or body) are shown; the full before/after images stay in the
-- audit log, which only ADMINs read. security_invoker: the caller's row-level security applies.
CREATE VIEW mediabase.organization_activity WITH (security_invoker = true) AS
SELECT a.organization_id,
       a.id,
       a.occurred_at,
       a.actor_id,
       u.username AS actor_username,
       a.table_name AS subject_type,
       a.action,
       a.row_id AS subject_id,
       (coalesce(a.after, a.before) ->> 'video_id')::uuid AS video_id,
       left(coalesce(a.after, a.before) ->> (CASE a.table_name
                WHEN 'comments' THEN 'body' WHEN 'decisions' THEN 'summary' WHEN 'quote_cards' THEN 'quote_text'
                ELSE 'title' END), 200) AS label
  FROM mediabase.audit_log a
  LEFT JOIN mediabase.users u ON u.id = a.actor_id
 WHERE a.table_name IN ('videos', 'transcripts', 'comments', 'video_moments', 'video_clips', 'highlight_reels',
                        'quote_cards', 'share_links', 'decisions', 'ai_action_items', 'ai_layers');
REVOKE INSERT, UPDATE, DELETE ON mediabase.organization_activity FROM mediabase_app;
