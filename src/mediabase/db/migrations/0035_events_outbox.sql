-- 0035_events_outbox: the platform's event outbox (docs/events.md).
--
-- events   one row per thing that happened and that someone outside may want to hear of
--          (video.created, video.transcribed, comment.created, decision.created …), written by
--          triggers in the same transaction as the change that caused it: an event exists if and
--          only if its change committed. The dispatcher (mediabase.events.dispatch, run by every
--          worker) hands each new event once to the registered subscribers (webhook deliveries,
--          workflow runs) in the same transaction that marks it dispatched, so a crash between
--          the two redoes both or neither.
--
-- Why a table and not NOTIFY: a notification is lost when nobody listens and is sent whether or
-- not anyone acts on it; a row is durable, ordered per organization (ids are v7 UUIDs), visible to
-- the subscribers only once committed, and replayable. Why no cursor: ids are taken before
-- commit, so an event may commit after a later one; a reader that remembers "the last id seen"
-- skips it. The dispatcher instead takes the undispatched rows (a partial index keeps that set
-- small) with FOR UPDATE SKIP LOCKED, per organization (a router query on Citus).
--
-- Payloads: the event's `data` is a small JSON object chosen per event type (ids, titles,
-- positions; never a secret, never a whole transcript). Subscribers fetch more by id.
--
-- Retention: dispatched events are pruned after MEDIABASE_EVENTS_KEEP_DAYS (upkeep
-- events.prune); the outbox is not an archive (the audit log is).

-- The catalog of event types: what webhook endpoints and workflow templates may subscribe to
-- (docs/events.md). Each migration that adds an event source adds its types here; a global
-- reference table (replicated on Citus), read by everyone, written only by migrations.
CREATE TABLE event_types (
    type        text PRIMARY KEY
        CONSTRAINT event_types_type_format CHECK (type ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$' AND length(type) <= 100),
    subject_type text NOT NULL CONSTRAINT event_types_subject_type_format CHECK (subject_type ~ '^[a-z][a-z_]{0,62}$'),
    description text NOT NULL CONSTRAINT event_types_description_length CHECK (length(description) BETWEEN 1 AND 500)
);
SELECT declare_table('event_types', 'reference');
REVOKE ALL ON event_types FROM PUBLIC, mediabase_app;
GRANT SELECT ON event_types TO mediabase_app;
INSERT INTO event_types (type, subject_type, description) VALUES
    ('video.created', 'video', 'a video was created (uploaded, ingested or imported)'),
    ('video.deleted', 'video', 'a video was moved to the trash (soft delete)'),
    ('video.transcribed', 'transcript', 'a transcript (a new version) of a video was stored with its segments'),
    ('comment.created', 'comment', 'a comment or reply was posted on a video'),
    ('comment.deleted', 'comment', 'a comment was deleted'),
    ('decision.created', 'decision', 'a decision was recorded in the decision registry'),
    ('action_item.created', 'action_item', 'an action item was extracted or added');

CREATE TABLE events (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    type            text NOT NULL CONSTRAINT events_type_fk REFERENCES event_types (type),
    -- what the event is about (its table's singular name) and its id
    subject_type    text NOT NULL CONSTRAINT events_subject_type_format CHECK (subject_type ~ '^[a-z][a-z_]{0,62}$'),
    subject_id      uuid NOT NULL,
    data            jsonb NOT NULL DEFAULT '{}'
        CONSTRAINT events_data_shape CHECK (jsonb_typeof(data) = 'object' AND octet_length(data::text) <= 65536),
    actor_id        uuid DEFAULT current_user_id(),
    request_id      text DEFAULT nullif(current_setting('mediabase.request_id', true), '')
        CONSTRAINT events_request_id_length CHECK (length(request_id) <= 128),
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    dispatched_at   timestamptz,
    PRIMARY KEY (organization_id, id),
    CONSTRAINT events_dispatched_after CHECK (dispatched_at >= occurred_at)
);
SELECT declare_table('events', 'distributed');
-- the dispatcher's work: the few undispatched rows, oldest first, per organization
CREATE INDEX events_pending_idx ON events (organization_id, id) WHERE dispatched_at IS NULL;
-- "what happened to this object" and the list filtered by type
CREATE INDEX events_subject_idx ON events (organization_id, subject_id, id);
CREATE INDEX events_type_idx ON events (organization_id, type, id);
CREATE INDEX events_type_fk_idx ON events (type);
SELECT make_tenant_table('events');
-- The application reads its tenant's events and writes them through emit_event and the
-- triggers (which run as the writing role: INSERT is granted); it never edits one. The
-- dispatcher and the pruning run as the owner.
REVOKE ALL ON events FROM PUBLIC, mediabase_app;
GRANT SELECT, INSERT ON events TO mediabase_app;
-- the dispatcher (the worker, as the application role, in the event's tenant) marks them
GRANT UPDATE (dispatched_at) ON events TO mediabase_app;

-- The organizations that have undispatched events (the dispatcher's first question, the only
-- one that crosses tenants; each organization's events are then taken in its own transaction).
CREATE FUNCTION mediabase.events_pending_organizations(max_orgs integer) RETURNS SETOF uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    RETURN QUERY SELECT DISTINCT e.organization_id FROM events e WHERE e.dispatched_at IS NULL LIMIT max_orgs;
END
$$;
REVOKE ALL ON FUNCTION mediabase.events_pending_organizations(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mediabase.events_pending_organizations(integer) TO mediabase_app;

-- Emit one event from SQL (a trigger, a service, a worker in any language).
CREATE FUNCTION mediabase.emit_event(org uuid, event_type text, subject_type text, subject_id uuid,
                                     data jsonb DEFAULT '{}') RETURNS uuid
    LANGUAGE plpgsql AS $$
DECLARE
    eid uuid;
BEGIN
    INSERT INTO mediabase.events (organization_id, type, subject_type, subject_id, data)
    VALUES (org, event_type, subject_type, subject_id, coalesce(data, '{}'))
    RETURNING id INTO eid;
    RETURN eid;
END
$$;

-- The row trigger behind the built-in event types. Arguments: the event type, the subject
-- type, and the row's columns that make the payload. For UPDATE triggers a fourth argument
-- names a timestamp column: the event fires only when it goes from NULL to a value (a soft
-- delete). The table is never named by TG_TABLE_NAME (a shard's name on Citus).
CREATE FUNCTION mediabase.emit_row_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    r    jsonb := to_jsonb(NEW);
    keys text[] := TG_ARGV[2]::text[];
    data jsonb := '{}';
    k    text;
BEGIN
    IF TG_OP = 'UPDATE' AND TG_NARGS > 3 THEN
        IF (to_jsonb(OLD) ->> TG_ARGV[3]) IS NOT NULL OR (r ->> TG_ARGV[3]) IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    -- the payload built apart, not by a subquery inside the INSERT (Citus refuses those)
    FOREACH k IN ARRAY keys LOOP
        data := data || jsonb_build_object(k, r -> k);
    END LOOP;
    INSERT INTO mediabase.events (organization_id, type, subject_type, subject_id, data)
    VALUES ((r ->> 'organization_id')::uuid, TG_ARGV[0], TG_ARGV[1], (r ->> 'id')::uuid, data);
    RETURN NULL;
END
$$;

-- The built-in event types (docs/events.md lists them with their payloads).
CREATE TRIGGER zy_event_created AFTER INSERT ON videos FOR EACH ROW
    EXECUTE FUNCTION emit_row_event('video.created', 'video',
        '{id,title,duration_ms,channel_id,language,recorded_at,author_id,source_key}');
CREATE TRIGGER zy_event_deleted AFTER UPDATE OF deleted_at ON videos FOR EACH ROW
    EXECUTE FUNCTION emit_row_event('video.deleted', 'video', '{id,title,deleted_at,retention_until}', 'deleted_at');
CREATE TRIGGER zy_event_created AFTER INSERT ON transcripts FOR EACH ROW
    EXECUTE FUNCTION emit_row_event('video.transcribed', 'transcript',
        '{id,video_id,language,source,version,format,segment_count,created_by}');
CREATE TRIGGER zy_event_created AFTER INSERT ON comments FOR EACH ROW
    EXECUTE FUNCTION emit_row_event('comment.created', 'comment',
        '{id,video_id,parent_id,author_id,body,position_ms,created_at}');
CREATE TRIGGER zy_event_deleted AFTER UPDATE OF deleted_at ON comments FOR EACH ROW
    EXECUTE FUNCTION emit_row_event('comment.deleted', 'comment', '{id,video_id,deleted_at,deleted_by}', 'deleted_at');
CREATE TRIGGER zy_event_created AFTER INSERT ON decisions FOR EACH ROW
    EXECUTE FUNCTION emit_row_event('decision.created', 'decision',
        '{id,summary,video_id,position_ms,status,decided_at,source,created_by}');
CREATE TRIGGER zy_event_created AFTER INSERT ON ai_action_items FOR EACH ROW
    EXECUTE FUNCTION emit_row_event('action_item.created', 'action_item',
        '{id,video_id,title,assignee,assignee_user_id,status,priority,due_date,start_ms,end_ms}');
