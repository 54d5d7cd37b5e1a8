-- video_overview: one row per video with what the team made of it (live comments, moments,
-- clips, quote cards, decisions, action items, share links) and the watch progress of the
-- current user (mediabase.user_id). Counts only: rules live in the services and triggers;
-- which AI rows count: people's, and those of the video's current ('ready') layer (written out
-- here, not a function: on Citus a function reading ai_layers inside a shard's query would not
-- see its shard).
-- security_invoker: row-level security of the caller applies to every table read.
CREATE VIEW mediabase.video_overview WITH (security_invoker = true) AS
SELECT v.organization_id,
       v.id AS video_id,
       v.title,
       v.duration_ms,
       v.author_id,
       v.created_at,
       v.deleted_at,
       (SELECT count(*) FROM mediabase.comments c
         WHERE c.organization_id = v.organization_id AND c.video_id = v.id AND c.deleted_at IS NULL) AS comment_count,
       (SELECT count(*) FROM mediabase.video_moments m
         WHERE m.organization_id = v.organization_id AND m.video_id = v.id
           AND (m.layer_id IS NULL OR EXISTS (SELECT 1 FROM mediabase.ai_layers l
                  WHERE l.organization_id = m.organization_id AND l.id = m.layer_id AND l.status = 'ready'))) AS moment_count,
       (SELECT count(*) FROM mediabase.video_clips k
         WHERE k.organization_id = v.organization_id AND k.video_id = v.id) AS clip_count,
       (SELECT count(*) FROM mediabase.quote_cards q
         WHERE q.organization_id = v.organization_id AND q.video_id = v.id) AS quote_card_count,
       (SELECT count(*) FROM mediabase.decisions d
         WHERE d.organization_id = v.organization_id AND d.video_id = v.id
           AND (d.layer_id IS NULL OR EXISTS (SELECT 1 FROM mediabase.ai_layers l
                  WHERE l.organization_id = d.organization_id AND l.id = d.layer_id AND l.status = 'ready'))) AS decision_count,
       (SELECT count(*) FROM mediabase.ai_action_items a
         WHERE a.organization_id = v.organization_id AND a.video_id = v.id
           AND (a.layer_id IS NULL OR EXISTS (SELECT 1 FROM mediabase.ai_layers l
                  WHERE l.organization_id = a.organization_id AND l.id = a.layer_id AND l.status = 'ready'))) AS action_item_count,
       (SELECT count(*) FROM mediabase.ai_action_items a
         WHERE a.organization_id = v.organization_id AND a.video_id = v.id
           AND a.status IN ('pending', 'in_progress')
           AND (a.layer_id IS NULL OR EXISTS (SELECT 1 FROM mediabase.ai_layers l
                  WHERE l.organization_id = a.organization_id AND l.id = a.layer_id AND l.status = 'ready'))) AS open_action_item_count,
       (SELECT count(*) FROM mediabase.share_links s
         WHERE s.organization_id = v.organization_id AND s.video_id = v.id AND s.revoked_at IS NULL) AS share_link_count,
       p.position_ms AS my_position_ms,
       p.completed AS my_completed,
       p.last_watched_at AS my_last_watched_at,
       CASE WHEN v.duration_ms > 0 THEN round(100.0 * p.position_ms / v.duration_ms, 1)::float8 END
           AS my_progress_percent
  FROM mediabase.videos v
  LEFT JOIN mediabase.video_progress p
         ON p.organization_id = v.organization_id AND p.video_id = v.id
        AND p.user_id = mediabase.current_user_id();
REVOKE INSERT, UPDATE, DELETE ON mediabase.video_overview FROM mediabase_app;
