-- 0025_media_source_key: the source a video was ingested from, so that an ingest resumes
-- without duplicates (issue 26, defect 3; docs/formats.md, "Ingesting again").
--
-- `mediabase ingest` records with each video it makes a stable key of its source and the
-- sha256 of the source's content. The key does not depend on where the source lies: a
-- transcript file is its format and the sha256 of its bytes ('srt:<64 hex>'), an AMI meeting
-- its meeting id ('ami:ES2002b'). A re-run finds the sources that are already there and skips
-- them (same digest), reports the changed ones (same key, another digest; --replace loads them
-- as a new transcript version of the same video) and loads the rest.
--
-- One live video per source and organization: the partial unique index is what makes two
-- ingests of one source at once end with one video (the second waits for the first and then
-- fails on the index, writing nothing). A soft-deleted video keeps its key but no longer
-- counts: the source may be ingested again, and restoring the old video while another live
-- one has its key is refused. Videos made otherwise (the API, older ingests) have no key.
-- The index leads with organization_id, the distribution column, as Citus requires.

-- One subcommand per statement: Citus refuses ADD CONSTRAINT beside other subcommands.
ALTER TABLE videos ADD COLUMN source_key text;
ALTER TABLE videos ADD COLUMN source_sha256 text;
ALTER TABLE videos ADD CONSTRAINT videos_source_key_shape
    CHECK (length(source_key) BETWEEN 3 AND 300 AND source_key ~ '^[a-z][a-z0-9]{0,15}:[^[:cntrl:][:space:]]+$');
ALTER TABLE videos ADD CONSTRAINT videos_source_sha256_hex CHECK (source_sha256 ~ '^[0-9a-f]{64}$');
ALTER TABLE videos ADD CONSTRAINT videos_source_key_with_digest CHECK ((source_key IS NULL) = (source_sha256 IS NULL));

CREATE UNIQUE INDEX videos_source_key_unique ON videos (organization_id, source_key)
    WHERE deleted_at IS NULL AND source_key IS NOT NULL;
