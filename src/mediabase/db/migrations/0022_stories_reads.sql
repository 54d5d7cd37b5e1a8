-- 0022_stories_reads: the read paths seed 002 §5 documents, each served by an index, and the
-- public read path of a published community (docs/stories.md, "Reads" and "Public read path").
--
--   ideas of a topic, newest first      story_ideas_topic_new_idx (0020)
--   ideas of a topic, most liked first  story_ideas_topic_liked_idx (the stored, folded count)
--   scenes of a topic, recently active  story_scenes_topic_recent_idx: by the last segment's
--                                       time, or the scene's creation while it has none
--   a scene's playlist                  story_segments_sequence_key (0020)
--   the latest bible                    story_bibles_pkey, read backwards (0020)
--   the pending moderation queue        story_flags_pending_idx (0021)
--   has this member liked it            story_likes_scene_key, story_likes_idea_key (0021)
--
-- story_publications  an organization whose approved stories anyone may read without a key.

CREATE INDEX story_ideas_topic_liked_idx ON story_ideas (organization_id, topic_id, like_count DESC, id DESC);

-- replaces 0020's (last_segment_at DESC NULLS LAST, id DESC), which put scenes without segments
-- last whatever their age; the new one also serves the foreign key (organization_id, topic_id)
CREATE INDEX story_scenes_topic_recent_idx
    ON story_scenes (organization_id, topic_id, (coalesce(last_segment_at, created_at)) DESC, id DESC);
DROP INDEX story_scenes_topic_active_idx;

-- A row here makes the organization's published stories readable by anyone (GET /public/{slug}/…):
-- active topics, active approved ideas, their active and locked scenes, active segments, the
-- latest bible. Nothing else of the organization is reachable that way.
CREATE TABLE story_publications (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    published_by    uuid REFERENCES users ON DELETE SET NULL,
    published_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id)
);
SELECT declare_table('story_publications', 'distributed');
CREATE INDEX story_publications_published_by_idx ON story_publications (published_by) WHERE published_by IS NOT NULL;
SELECT make_tenant_table('story_publications');
REVOKE UPDATE, TRUNCATE ON story_publications FROM mediabase_app;
SELECT audit_table('story_publications');
