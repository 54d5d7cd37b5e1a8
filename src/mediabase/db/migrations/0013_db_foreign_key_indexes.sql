-- 0013_db_foreign_key_indexes: an index behind every foreign key (tests/integration/test_fk_indexes.py).
--
-- Deleting a referenced row makes PostgreSQL find the rows that reference it (to refuse,
-- cascade or set NULL) with `WHERE fk_cols = $1`. These keys had no index leading with their
-- columns, so deleting a user read every table that records who did something (23 "who"
-- columns, all ON DELETE SET NULL), and deleting a comment, decision, tag, action item or
-- video read all of notifications. The test asks the catalog for keys without a serving index,
-- so a key added later without one fails it.
--
-- A nullable reference gets a partial index WHERE col IS NOT NULL: the foreign key's lookup
-- (`col = $1`) implies the predicate, so the planner uses it, and rows that reference nothing
-- (a comment not deleted, a link not revoked, a notification about something else) cost no
-- index entry. That is the schema's existing convention (videos_org_series_idx,
-- speakers_person_idx …). Tables are small at this project's scale: plain CREATE INDEX inside
-- the migration's transaction (a large installation would build these CONCURRENTLY first).

-- -- who did it (users, ON DELETE SET NULL) ----------------------------------------------------
CREATE INDEX IF NOT EXISTS ai_action_items_completed_by_idx ON ai_action_items (completed_by) WHERE completed_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS ai_action_items_created_by_idx ON ai_action_items (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS ai_layers_created_by_idx ON ai_layers (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS channels_created_by_idx ON channels (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS collections_created_by_idx ON collections (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS comments_author_id_idx ON comments (author_id) WHERE author_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS comments_deleted_by_idx ON comments (deleted_by) WHERE deleted_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS decision_edits_user_id_idx ON decision_edits (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS decision_links_created_by_idx ON decision_links (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS decision_tag_assignments_created_by_idx ON decision_tag_assignments (created_by)
    WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS decision_tags_created_by_idx ON decision_tags (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS decisions_created_by_idx ON decisions (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS highlight_reels_created_by_idx ON highlight_reels (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS notifications_actor_id_idx ON notifications (actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS people_user_id_idx ON people (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS quote_cards_created_by_idx ON quote_cards (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS series_created_by_idx ON series (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS share_links_created_by_idx ON share_links (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS share_links_revoked_by_idx ON share_links (revoked_by) WHERE revoked_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS transcripts_created_by_idx ON transcripts (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS video_clips_created_by_idx ON video_clips (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS video_moments_created_by_idx ON video_moments (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS videos_author_id_idx ON videos (author_id) WHERE author_id IS NOT NULL;

-- -- what a notification is about (deleting it deletes its notifications) ---------------------
CREATE INDEX IF NOT EXISTS notifications_organization_id_video_id_idx ON notifications (organization_id, video_id)
    WHERE video_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS notifications_organization_id_comment_id_idx ON notifications (organization_id, comment_id)
    WHERE comment_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS notifications_organization_id_decision_id_idx ON notifications (organization_id, decision_id)
    WHERE decision_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS notifications_organization_id_action_item_id_idx
    ON notifications (organization_id, action_item_id) WHERE action_item_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS notifications_organization_id_tag_id_idx ON notifications (organization_id, tag_id)
    WHERE tag_id IS NOT NULL;

-- -- within a tenant (composite keys that include organization_id) ------------------------------
CREATE INDEX IF NOT EXISTS ai_layers_organization_id_superseded_by_idx ON ai_layers (organization_id, superseded_by)
    WHERE superseded_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS ai_layers_organization_id_transcript_id_video_id_idx
    ON ai_layers (organization_id, transcript_id, video_id) WHERE transcript_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS api_keys_organization_id_user_id_idx ON api_keys (organization_id, user_id);
CREATE INDEX IF NOT EXISTS comment_reactions_organization_id_user_id_idx ON comment_reactions (organization_id, user_id);
CREATE INDEX IF NOT EXISTS decision_participants_organization_id_decision_id_idx
    ON decision_participants (organization_id, decision_id);
CREATE INDEX IF NOT EXISTS decision_participants_organization_id_person_id_idx
    ON decision_participants (organization_id, person_id) WHERE person_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS quote_cards_organization_id_video_id_speaker_id_idx
    ON quote_cards (organization_id, video_id, speaker_id) WHERE speaker_id IS NOT NULL;
