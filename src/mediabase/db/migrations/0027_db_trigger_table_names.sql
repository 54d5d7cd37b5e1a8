-- 0027_db_trigger_table_names: the generic trigger functions of 0007 name their table as
-- mediabase knows it, also on Citus, where a trigger runs on a shard and TG_TABLE_NAME is the
-- shard's name (comments_102345): the audit log recorded shard names, the checks' constraint
-- names (comments_102345_within_video …) matched no registered constraint, so a bad position or
-- status answered 500 instead of 422 through a coordinator, and a decision's tag and participant
-- changes were written to its trail as links. unsharded() drops a shard's _<shard id> suffix;
-- the checks name their constraint in the error's DETAIL too, since a coordinator passes on a
-- worker's message and detail but not the constraint field (db/errors.py reads it there);
-- no table of schema mediabase ends in _<digits> (tests/integration/test_table_distribution.py).
-- The bodies are otherwise those of 0007 (and 0018).

CREATE FUNCTION mediabase.unsharded(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN regexp_replace(name, '_[0-9]+$', '');

CREATE OR REPLACE FUNCTION mediabase.audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    redact  text[] := CASE WHEN TG_NARGS > 0 THEN TG_ARGV[0]::text[] ELSE '{}' END;
    quiet   text[] := CASE WHEN TG_NARGS > 1 THEN TG_ARGV[1]::text[] ELSE '{}' END;
    omit    text[] := CASE WHEN TG_NARGS > 2 THEN TG_ARGV[2]::text[] ELSE '{}' END;
    o       jsonb;
    n       jsonb;
    changed text[];
    r       jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        o := to_jsonb(OLD) - omit;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        n := to_jsonb(NEW) - omit;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(k ORDER BY k) INTO changed
          FROM jsonb_each(n) AS e (k, v) WHERE v IS DISTINCT FROM o->k AND k <> 'updated_at';
        IF changed IS NULL OR changed <@ quiet THEN
            RETURN NULL;
        END IF;
    END IF;
    r := coalesce(n, o);
    INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, changed, before, after)
    VALUES (CASE WHEN mediabase.unsharded(TG_TABLE_NAME) = 'organizations' THEN (r->>'id')::uuid ELSE (r->>'organization_id')::uuid END,
            current_user_id(), mediabase.unsharded(TG_TABLE_NAME), TG_OP,
            CASE WHEN jsonb_typeof(r->'id') = 'string' THEN (r->>'id')::uuid END,
            changed, o - redact, n - redact);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION mediabase.check_immutable_columns() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    o   jsonb := to_jsonb(OLD);
    n   jsonb := to_jsonb(NEW);
    col text;
BEGIN
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF o->col IS DISTINCT FROM n->col AND NOT (n->col = 'null'::jsonb AND pg_trigger_depth() > 1) THEN
            RAISE EXCEPTION '%.% cannot change', mediabase.unsharded(TG_TABLE_NAME), col
                USING ERRCODE = 'check_violation', CONSTRAINT = mediabase.unsharded(TG_TABLE_NAME) || '_immutable', COLUMN = col,
                      DETAIL = format('constraint "%s"', mediabase.unsharded(TG_TABLE_NAME) || '_immutable');
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION mediabase.check_positions_within_video() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    r   jsonb := to_jsonb(NEW);
    dur bigint;
    col text;
BEGIN
    IF r->>'video_id' IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT v.duration_ms INTO dur FROM mediabase.videos v
     WHERE v.organization_id = NEW.organization_id AND v.id = (r->>'video_id')::uuid;
    IF dur IS NULL THEN
        RETURN NEW;
    END IF;
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF (r->>col)::bigint > dur THEN
            RAISE EXCEPTION '% % ms is after the end of the video (% ms)', col, r->>col, dur
                USING ERRCODE = 'check_violation', CONSTRAINT = mediabase.unsharded(TG_TABLE_NAME) || '_within_video', COLUMN = col,
                      DETAIL = format('constraint "%s"', mediabase.unsharded(TG_TABLE_NAME) || '_within_video');
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION mediabase.check_status_transition() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    step text;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NEW;
    END IF;
    step := CASE WHEN TG_OP = 'INSERT' THEN '>' || NEW.status ELSE OLD.status || '>' || NEW.status END;
    IF NOT step = ANY (TG_ARGV) THEN
        RAISE EXCEPTION '%',
            CASE WHEN TG_OP = 'INSERT' THEN format('%s cannot start as %s', mediabase.unsharded(TG_TABLE_NAME), NEW.status)
                 ELSE format('%s cannot go from %s to %s', mediabase.unsharded(TG_TABLE_NAME), OLD.status, NEW.status) END
            USING ERRCODE = 'check_violation', CONSTRAINT = mediabase.unsharded(TG_TABLE_NAME) || '_status_transition', COLUMN = 'status',
                      DETAIL = format('constraint "%s"', mediabase.unsharded(TG_TABLE_NAME) || '_status_transition');
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION mediabase.decision_trail_members() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    r        record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    decision uuid;
    field    text;
    label    text;
BEGIN
    IF mediabase.unsharded(TG_TABLE_NAME) = 'decision_tag_assignments' THEN
        decision := r.decision_id;
        field := 'tags';
        SELECT t.name INTO label FROM decision_tags t WHERE t.organization_id = r.organization_id AND t.id = r.tag_id;
        label := coalesce(label, r.tag_id::text);
    ELSIF mediabase.unsharded(TG_TABLE_NAME) = 'decision_participants' THEN
        decision := r.decision_id;
        field := 'participants';
        IF r.user_id IS NOT NULL THEN
            SELECT u.username INTO label FROM users u WHERE u.id = r.user_id;
            label := 'user:' || coalesce(label, r.user_id::text);
        ELSE
            SELECT p.name INTO label FROM people p WHERE p.organization_id = r.organization_id AND p.id = r.person_id;
            label := 'person:' || coalesce(label, r.person_id::text);
        END IF;
    ELSE
        decision := r.decision_id;
        field := 'links';
        label := r.link_type || ' ' || r.target_decision_id;
    END IF;
    -- nothing when the decision is gone (a cascade) or was created in this transaction (its
    -- tags and participants are part of its creation, which the audit log records)
    IF NOT EXISTS (SELECT FROM decisions d WHERE d.organization_id = r.organization_id AND d.id = decision
                      AND d.created_at <> now()) THEN
        RETURN NULL;
    END IF;
    INSERT INTO decision_edits (organization_id, decision_id, user_id, field, old_value, new_value)
    VALUES (r.organization_id, decision, current_user_id(), field,
            CASE WHEN TG_OP = 'DELETE' THEN label END, CASE WHEN TG_OP = 'INSERT' THEN label END);
    RETURN NULL;
END
$$;
GRANT EXECUTE ON FUNCTION mediabase.unsharded(text) TO mediabase_app;
