-- 0005_transcripts: transcripts (several per video, one current) and their timecoded segments.

CREATE TABLE transcripts (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    video_id        uuid NOT NULL,
    language        text CONSTRAINT transcripts_language_format CHECK (check_language(language)),
    source          text NOT NULL DEFAULT 'upload'
        CONSTRAINT transcripts_source_valid CHECK (source IN ('upload', 'asr', 'human')),
    version         integer NOT NULL CONSTRAINT transcripts_version_positive CHECK (version >= 1),
    is_current      boolean NOT NULL DEFAULT true,
    format          text CONSTRAINT transcripts_format_valid CHECK (format IN ('srt', 'vtt', 'whisper', 'json', 'ami')),
    source_name     text CONSTRAINT transcripts_source_name_length CHECK (length(source_name) <= 1000),
    segment_count   integer NOT NULL DEFAULT 0 CONSTRAINT transcripts_segment_count_nonnegative CHECK (segment_count >= 0),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT transcripts_version_key UNIQUE (organization_id, video_id, version),
    CONSTRAINT transcripts_video_id_key UNIQUE (organization_id, id, video_id),
    CONSTRAINT transcripts_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE
);
-- at most one current transcript per video
CREATE UNIQUE INDEX transcripts_one_current ON transcripts (organization_id, video_id) WHERE is_current;
SELECT make_tenant_table('transcripts');

-- Segments are rows, not a JSON blob. video_id is carried for range queries and search
-- filters, and the composite foreign key keeps it equal to the transcript's video; a
-- segment's speaker must be a speaker of the same video.
CREATE TABLE transcript_segments (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    transcript_id   uuid NOT NULL,
    video_id        uuid NOT NULL,
    seq             integer NOT NULL CONSTRAINT transcript_segments_seq_nonnegative CHECK (seq >= 0),
    start_ms        bigint NOT NULL,
    end_ms          bigint NOT NULL,
    speaker_id      uuid,
    text            text NOT NULL CONSTRAINT transcript_segments_text_length CHECK (length(text) <= 100000),
    confidence      real CONSTRAINT transcript_segments_confidence_range CHECK (confidence BETWEEN 0 AND 1),
    words           jsonb CONSTRAINT transcript_segments_words_array CHECK (jsonb_typeof(words) = 'array'),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT transcript_segments_times_valid CHECK (0 <= start_ms AND start_ms <= end_ms),
    CONSTRAINT transcript_segments_seq_key UNIQUE (organization_id, transcript_id, seq),
    CONSTRAINT transcript_segments_transcript_fk FOREIGN KEY (organization_id, transcript_id, video_id)
        REFERENCES transcripts (organization_id, id, video_id) ON DELETE CASCADE,
    CONSTRAINT transcript_segments_speaker_fk FOREIGN KEY (organization_id, video_id, speaker_id)
        REFERENCES speakers (organization_id, video_id, id) ON DELETE SET NULL (speaker_id)
);
-- "segments of a video in a time range" and "everything this speaker said"
CREATE INDEX transcript_segments_video_time_idx ON transcript_segments (organization_id, video_id, start_ms);
CREATE INDEX transcript_segments_speaker_idx ON transcript_segments (organization_id, speaker_id) WHERE speaker_id IS NOT NULL;
SELECT make_tenant_table('transcript_segments');

-- A segment may not end after its video when the video's duration is known. Checked once per
-- statement over the rows it wrote (COPY of a whole transcript costs one join, not one
-- lookup per row), and again when a video's duration shrinks.
CREATE FUNCTION mediabase.check_segments_within_video() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT s.seq, s.end_ms, v.duration_ms INTO bad
      FROM new_rows s JOIN mediabase.videos v ON v.organization_id = s.organization_id AND v.id = s.video_id
     WHERE v.duration_ms IS NOT NULL AND s.end_ms > v.duration_ms
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'segment % ends at % ms, after the end of its video (% ms)', bad.seq, bad.end_ms, bad.duration_ms
            USING ERRCODE = 'check_violation', CONSTRAINT = 'transcript_segments_within_video';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER transcript_segments_within_video_ins AFTER INSERT ON transcript_segments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION check_segments_within_video();
CREATE TRIGGER transcript_segments_within_video_upd AFTER UPDATE ON transcript_segments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION check_segments_within_video();

CREATE FUNCTION mediabase.check_video_duration_covers_segments() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    latest bigint;
BEGIN
    IF NEW.duration_ms IS NOT NULL AND NEW.duration_ms IS DISTINCT FROM OLD.duration_ms THEN
        SELECT max(end_ms) INTO latest FROM mediabase.transcript_segments
         WHERE organization_id = NEW.organization_id AND video_id = NEW.id;
        IF latest > NEW.duration_ms THEN
            RAISE EXCEPTION 'duration % ms is shorter than the transcript, which ends at % ms', NEW.duration_ms, latest
                USING ERRCODE = 'check_violation', CONSTRAINT = 'transcript_segments_within_video';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER videos_duration_covers_segments BEFORE UPDATE OF duration_ms ON videos
    FOR EACH ROW EXECUTE FUNCTION check_video_duration_covers_segments();
