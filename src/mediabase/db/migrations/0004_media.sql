-- 0004_media: channels, series, collections, videos, tags, watch progress, people, speakers.
-- Binaries stay outside the database: a video row holds a URL or an object-storage key.

CREATE FUNCTION mediabase.check_language(code text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN code ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$';

CREATE TABLE channels (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    name            text NOT NULL CONSTRAINT channels_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    description     text CONSTRAINT channels_description_length CHECK (length(description) <= 5000),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX channels_name_key ON channels (organization_id, lower(name));
CREATE TRIGGER channels_touch BEFORE UPDATE ON channels FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
SELECT make_tenant_table('channels');

CREATE TABLE series (LIKE channels INCLUDING DEFAULTS, PRIMARY KEY (organization_id, id),
    CONSTRAINT series_org_fk FOREIGN KEY (organization_id) REFERENCES organizations ON DELETE CASCADE,
    CONSTRAINT series_created_by_fk FOREIGN KEY (created_by) REFERENCES users ON DELETE SET NULL,
    CONSTRAINT series_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    CONSTRAINT series_description_length CHECK (length(description) <= 5000));
CREATE UNIQUE INDEX series_name_key ON series (organization_id, lower(name));
CREATE TRIGGER series_touch BEFORE UPDATE ON series FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
SELECT make_tenant_table('series');

CREATE TABLE collections (LIKE channels INCLUDING DEFAULTS, PRIMARY KEY (organization_id, id),
    CONSTRAINT collections_org_fk FOREIGN KEY (organization_id) REFERENCES organizations ON DELETE CASCADE,
    CONSTRAINT collections_created_by_fk FOREIGN KEY (created_by) REFERENCES users ON DELETE SET NULL,
    CONSTRAINT collections_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    CONSTRAINT collections_description_length CHECK (length(description) <= 5000));
CREATE UNIQUE INDEX collections_name_key ON collections (organization_id, lower(name));
CREATE TRIGGER collections_touch BEFORE UPDATE ON collections FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
SELECT make_tenant_table('collections');

CREATE TABLE videos (
    organization_id   uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                uuid NOT NULL DEFAULT new_id(),
    title             text NOT NULL CONSTRAINT videos_title_length CHECK (length(btrim(title)) BETWEEN 1 AND 500),
    description       text CONSTRAINT videos_description_length CHECK (length(description) <= 20000),
    duration_ms       bigint CONSTRAINT videos_duration_nonnegative CHECK (duration_ms >= 0),
    thumbnail_url     text CONSTRAINT videos_thumbnail_url_format CHECK (thumbnail_url ~ '^https?://'),
    media_url         text CONSTRAINT videos_media_url_format CHECK (media_url ~ '^[a-z][a-z0-9+.-]*://'),
    storage_key       text CONSTRAINT videos_storage_key_length CHECK (length(storage_key) BETWEEN 1 AND 1024),
    author_id         uuid REFERENCES users ON DELETE SET NULL,
    channel_id        uuid,
    series_id         uuid,
    collection_id     uuid,
    processing_status text NOT NULL DEFAULT 'pending'
        CONSTRAINT videos_processing_status_valid CHECK (processing_status IN ('pending', 'processing', 'ready', 'failed')),
    processing_error  text,
    language          text CONSTRAINT videos_language_format CHECK (check_language(language)),
    recorded_at       timestamptz,
    location          text CONSTRAINT videos_location_length CHECK (length(location) <= 500),
    notes             text CONSTRAINT videos_notes_length CHECK (length(notes) <= 20000),
    metadata          jsonb NOT NULL DEFAULT '{}' CONSTRAINT videos_metadata_object CHECK (jsonb_typeof(metadata) = 'object'),
    deleted_at        timestamptz,
    retention_until   timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT videos_error_only_when_failed CHECK (processing_error IS NULL OR processing_status = 'failed'),
    CONSTRAINT videos_channel_fk FOREIGN KEY (organization_id, channel_id)
        REFERENCES channels (organization_id, id) ON DELETE SET NULL (channel_id),
    CONSTRAINT videos_series_fk FOREIGN KEY (organization_id, series_id)
        REFERENCES series (organization_id, id) ON DELETE SET NULL (series_id),
    CONSTRAINT videos_collection_fk FOREIGN KEY (organization_id, collection_id)
        REFERENCES collections (organization_id, id) ON DELETE SET NULL (collection_id)
);
-- listing newest first with a (created_at, id) cursor; the live rows only
CREATE INDEX videos_org_created_idx ON videos (organization_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX videos_org_channel_idx ON videos (organization_id, channel_id) WHERE channel_id IS NOT NULL;
CREATE INDEX videos_org_series_idx ON videos (organization_id, series_id) WHERE series_id IS NOT NULL;
CREATE INDEX videos_org_collection_idx ON videos (organization_id, collection_id) WHERE collection_id IS NOT NULL;
CREATE INDEX videos_org_author_idx ON videos (organization_id, author_id);
CREATE INDEX videos_org_recorded_idx ON videos (organization_id, recorded_at);
CREATE INDEX videos_deleted_idx ON videos (organization_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX videos_retention_idx ON videos (retention_until) WHERE retention_until IS NOT NULL;
CREATE TRIGGER videos_touch BEFORE UPDATE ON videos FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
SELECT make_tenant_table('videos');

CREATE TABLE video_tags (
    organization_id uuid NOT NULL,
    video_id        uuid NOT NULL,
    tag             text NOT NULL CONSTRAINT video_tags_tag_format CHECK (length(btrim(tag)) BETWEEN 1 AND 100 AND tag = btrim(tag)),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT video_tags_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX video_tags_key ON video_tags (organization_id, video_id, lower(tag));
CREATE INDEX video_tags_tag_idx ON video_tags (organization_id, lower(tag));
SELECT make_tenant_table('video_tags');

-- Watch progress: one row per user and video, written by upsert. The user must be a member.
CREATE TABLE video_progress (
    organization_id uuid NOT NULL,
    user_id         uuid NOT NULL,
    video_id        uuid NOT NULL,
    position_ms     bigint NOT NULL DEFAULT 0 CONSTRAINT video_progress_position_nonnegative CHECK (position_ms >= 0),
    completed       boolean NOT NULL DEFAULT false,
    last_watched_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id, video_id),
    CONSTRAINT video_progress_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT video_progress_member_fk FOREIGN KEY (organization_id, user_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE CASCADE
);
CREATE INDEX video_progress_video_idx ON video_progress (organization_id, video_id);
SELECT make_tenant_table('video_progress');

-- People of an organization; diarization speakers of many videos can point at one person.
CREATE TABLE people (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    name            text NOT NULL CONSTRAINT people_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    role            text CONSTRAINT people_role_length CHECK (length(role) <= 200),
    user_id         uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX people_name_key ON people (organization_id, lower(name));
CREATE TRIGGER people_touch BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
SELECT make_tenant_table('people');

CREATE TABLE speakers (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    video_id        uuid NOT NULL,
    label           text NOT NULL CONSTRAINT speakers_label_length CHECK (length(label) BETWEEN 1 AND 200),
    display_name    text CONSTRAINT speakers_display_name_length CHECK (length(display_name) <= 200),
    person_id       uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT speakers_label_key UNIQUE (organization_id, video_id, label),
    CONSTRAINT speakers_video_id_key UNIQUE (organization_id, video_id, id),
    CONSTRAINT speakers_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT speakers_person_fk FOREIGN KEY (organization_id, person_id)
        REFERENCES people (organization_id, id) ON DELETE SET NULL (person_id)
);
CREATE INDEX speakers_person_idx ON speakers (organization_id, person_id) WHERE person_id IS NOT NULL;
SELECT make_tenant_table('speakers');
