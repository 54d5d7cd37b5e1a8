-- decision_log: the decision registry as people read it: each visible decision (made by a
-- person, or by the current AI layer of its video) with its video's title, the decision that
-- superseded it, its tags, participants, link and edit counts. security_invoker: the caller's
-- row-level security applies.
--
-- Every per-decision list and count is a subquery grouped by (organization_id, decision_id) and
-- joined on both, never a subquery correlated with the decision's row: a query of the view that
-- names its organization (WHERE organization_id = $1) then runs on one Citus shard, since the
-- planner carries that value into every joined table; a correlated subquery cannot name it and
-- sends the statement to every shard (docs/scale-out.md). The price: the lists are grouped for
-- the organization's every decision. The services read the same rows through
-- insights/queries.sql `decision_hits`, whose subqueries name the organization and so run for a
-- page's rows only. A self-link cannot exist (decision_links_not_self), so the two ends of a link
-- count once each.
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
       coalesce(tg.tags, '{}') AS tags,
       coalesce(pp.participants, '{}') AS participants,
       coalesce(lk.link_count, 0) AS link_count,
       coalesce(ed.edit_count, 0) AS edit_count
  FROM mediabase.decisions d
  LEFT JOIN mediabase.videos v ON v.organization_id = d.organization_id AND v.id = d.video_id
  LEFT JOIN mediabase.decisions s ON s.organization_id = d.organization_id AND s.id = d.superseded_by
  LEFT JOIN mediabase.ai_layers al ON al.organization_id = d.organization_id AND al.id = d.layer_id
  LEFT JOIN (SELECT ta.organization_id, ta.decision_id, array_agg(t.name ORDER BY lower(t.name)) AS tags
               FROM mediabase.decision_tag_assignments ta
               JOIN mediabase.decision_tags t ON t.organization_id = ta.organization_id AND t.id = ta.tag_id
              GROUP BY ta.organization_id, ta.decision_id) tg
         ON tg.organization_id = d.organization_id AND tg.decision_id = d.id
  LEFT JOIN (SELECT dp.organization_id, dp.decision_id,
                    array_agg(coalesce(u.username, pe.name) ORDER BY coalesce(u.username, pe.name)) AS participants
               FROM mediabase.decision_participants dp
               LEFT JOIN mediabase.users u ON u.id = dp.user_id
               LEFT JOIN mediabase.people pe ON pe.organization_id = dp.organization_id AND pe.id = dp.person_id
              GROUP BY dp.organization_id, dp.decision_id) pp
         ON pp.organization_id = d.organization_id AND pp.decision_id = d.id
  LEFT JOIN (SELECT l.organization_id, x.decision_id, count(*) AS link_count  -- links either way
               FROM mediabase.decision_links l
              CROSS JOIN LATERAL (VALUES (l.decision_id), (l.target_decision_id)) AS x (decision_id)
              GROUP BY l.organization_id, x.decision_id) lk
         ON lk.organization_id = d.organization_id AND lk.decision_id = d.id
  LEFT JOIN (SELECT e.organization_id, e.decision_id, count(*) AS edit_count
               FROM mediabase.decision_edits e
              GROUP BY e.organization_id, e.decision_id) ed
         ON ed.organization_id = d.organization_id AND ed.decision_id = d.id
 -- made by a person, or by the current ('ready') decisions layer of its video
 WHERE d.layer_id IS NULL OR al.status = 'ready';
REVOKE INSERT, UPDATE, DELETE ON mediabase.decision_log FROM mediabase_app;
