-- decision_log: the decision registry as people read it: each visible decision (made by a
-- person, or by the current AI layer of its video) with its video's title, the decision that
-- superseded it, its tags, participants, link and edit counts. security_invoker: the caller's
-- row-level security applies.
CREATE VIEW mediabase.decision_log WITH (security_invoker = true) AS
SELECT d.organization_id,
       d.id,
       d.summary,
       d.context,
       d.source,
       d.status,
       d.decided_at,
       d.video_id,
       v.title AS video_title,
       d.position_ms,
       d.superseded_by,
       s.summary AS superseded_by_summary,
       d.layer_id,
       d.confidence,
       d.created_by,
       d.created_at,
       d.updated_at,
       coalesce((SELECT array_agg(t.name ORDER BY lower(t.name))
                   FROM mediabase.decision_tag_assignments ta
                   JOIN mediabase.decision_tags t ON t.organization_id = ta.organization_id AND t.id = ta.tag_id
                  WHERE ta.organization_id = d.organization_id AND ta.decision_id = d.id), '{}') AS tags,
       coalesce((SELECT array_agg(coalesce(u.username, pe.name) ORDER BY coalesce(u.username, pe.name))
                   FROM mediabase.decision_participants dp
                   LEFT JOIN mediabase.users u ON u.id = dp.user_id
                   LEFT JOIN mediabase.people pe ON pe.organization_id = dp.organization_id AND pe.id = dp.person_id
                  WHERE dp.organization_id = d.organization_id AND dp.decision_id = d.id), '{}') AS participants,
       (SELECT count(*) FROM mediabase.decision_links l
         WHERE l.organization_id = d.organization_id
           AND (l.decision_id = d.id OR l.target_decision_id = d.id)) AS link_count,
       (SELECT count(*) FROM mediabase.decision_edits e
         WHERE e.organization_id = d.organization_id AND e.decision_id = d.id) AS edit_count
  FROM mediabase.decisions d
  LEFT JOIN mediabase.videos v ON v.organization_id = d.organization_id AND v.id = d.video_id
  LEFT JOIN mediabase.decisions s ON s.organization_id = d.organization_id AND s.id = d.superseded_by
 -- made by a person, or by the current ('ready') decisions layer of its video
 WHERE (d.layer_id IS NULL OR EXISTS (SELECT 1 FROM mediabase.ai_layers l
                  WHERE l.organization_id = d.organization_id AND l.id = d.layer_id AND l.status = 'ready'));
REVOKE INSERT, UPDATE, DELETE ON mediabase.decision_log FROM mediabase_app;
