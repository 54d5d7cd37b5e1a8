-- Word timings get a table of their own (docs/schema.md; docs/search.md, "Narrow segment rows").
--
-- A segment row was ~760 bytes, 564 of them the `words` jsonb of per-word timings (AMI, and
-- WhisperX output, carry one object per word). Searching, listing by time range, chunking and
-- every keyword match read the segment row, never the words; a common word's matches visited
-- one heap page each. Without the words a row is ~260 bytes, three times as many fit on a page,
-- and one organization's transcripts stay in shared buffers. The words are read only when a
-- client asks for a segment's word timings, by the segment's natural key.
--
-- Rows already written keep the dropped column's bytes until they are rewritten: run
-- `VACUUM FULL mediabase.transcript_segments` (or pg_repack) at a quiet moment to get the
-- space and the speed back for them (docs/operations.md). New rows are narrow at once.

CREATE TABLE transcript_segment_words (
    organization_id uuid NOT NULL,
    transcript_id   uuid NOT NULL,
    seq             integer NOT NULL,
    words           jsonb NOT NULL
        CONSTRAINT transcript_segment_words_array CHECK (jsonb_typeof(words) = 'array'),
    PRIMARY KEY (organization_id, transcript_id, seq),
    CONSTRAINT transcript_segment_words_segment_fk FOREIGN KEY (organization_id, transcript_id, seq)
        REFERENCES transcript_segments (organization_id, transcript_id, seq) ON DELETE CASCADE ON UPDATE CASCADE
);
SELECT make_tenant_table('transcript_segment_words');

-- Audited like the segments (0007): written in bulk, so one audit row per transcript and
-- statement ({transcript_id, segments: n, first_seq, last_seq}), not one per row.
CREATE FUNCTION mediabase.audit_segment_words() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, before)
        SELECT organization_id, current_user_id(), 'transcript_segment_words', 'DELETE', transcript_id,
               jsonb_build_object('transcript_id', transcript_id, 'segments', count(*), 'first_seq', min(seq),
                                  'last_seq', max(seq))
          FROM old_rows GROUP BY organization_id, transcript_id;
    ELSE
        INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, after)
        SELECT organization_id, current_user_id(), 'transcript_segment_words', TG_OP, transcript_id,
               jsonb_build_object('transcript_id', transcript_id, 'segments', count(*), 'first_seq', min(seq),
                                  'last_seq', max(seq))
          FROM new_rows GROUP BY organization_id, transcript_id;
    END IF;
    RETURN NULL;
END
$$;

INSERT INTO transcript_segment_words (organization_id, transcript_id, seq, words)
SELECT organization_id, transcript_id, seq, words FROM transcript_segments WHERE words IS NOT NULL;

ALTER TABLE transcript_segments DROP COLUMN words;

-- after the copy above: the rows moved are the segments' own, already audited with them
CREATE TRIGGER zz_audit_ins AFTER INSERT ON transcript_segment_words
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_segment_words();
CREATE TRIGGER zz_audit_upd AFTER UPDATE ON transcript_segment_words
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_segment_words();
CREATE TRIGGER zz_audit_del AFTER DELETE ON transcript_segment_words
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_segment_words();
