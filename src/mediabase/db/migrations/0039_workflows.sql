-- 0039_workflows: workflow templates and their runs (issue 14; docs/workflows.md).
--
--   workflow_templates          per organization: a named template (name unique per organization,
--                               case-insensitively), the event type that triggers it (an FK into the
--                               event_types catalog), an optional filter on the event's data (equality
--                               on top-level keys), enabled, and its steps: a JSON array of 1..20
--                               objects {"type", "name", "with", "retries"} (the shape is CHECKed here;
--                               each step type's parameters are checked by mediabase.workflows with
--                               JSON Schema). Editing the steps bumps `version` (a trigger).
--   workflow_template_versions  every version of a template's steps, written by a trigger: a run points
--                               at the version it runs, so editing a template never changes a run.
--   workflow_runs               one run of a template on one event: started by the event subscriber in
--                               the dispatch transaction (unique per template and event: a re-dispatched
--                               event never starts two), or by hand ("run now"). Status and progress
--                               (steps_done of steps_total).
--   workflow_step_runs          one row per step of a run, all written when the run starts; each step is a
--                               `workflow.step` job whose transactional handler runs the step, records its
--                               outcome and enqueues the next step in one transaction.
--
-- The event a run started from is copied into the run (id, type, subject, data): the outbox prunes
-- dispatched events after 30 days, runs stay. Runs and step runs are execution state (like jobs):
-- not audited; templates are.

-- -- shape checks (immutable functions: a CHECK cannot hold a subquery) ---------------------------

-- A filter: a JSON object of at most 20 top-level keys, each mapped to a scalar (string, number,
-- boolean, null); an event matches when its data has every key with an equal value.
CREATE FUNCTION mediabase.workflow_filter_valid(f jsonb) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    k text;
    v jsonb;
    n integer := 0;
BEGIN
    IF f IS NULL OR jsonb_typeof(f) <> 'object' OR octet_length(f::text) > 8192 THEN
        RETURN false;
    END IF;
    FOR k, v IN SELECT * FROM jsonb_each(f) LOOP
        n := n + 1;
        IF n > 20 OR length(k) NOT BETWEEN 1 AND 100 OR jsonb_typeof(v) IN ('object', 'array') THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END
$$;

-- Steps: an array of 1..20 objects, each with a step type (lowercase words and dots), an optional
-- name (1..100 characters, no control character), optional parameters `with` (an object) and an
-- optional retry budget `retries` (0..10); nothing else; at most 64 KiB in all.
CREATE FUNCTION mediabase.workflow_steps_valid(s jsonb) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    e jsonb;
BEGIN
    IF s IS NULL OR jsonb_typeof(s) <> 'array' OR jsonb_array_length(s) NOT BETWEEN 1 AND 20
       OR octet_length(s::text) > 65536 THEN
        RETURN false;
    END IF;
    FOR e IN SELECT * FROM jsonb_array_elements(s) LOOP
        IF jsonb_typeof(e) <> 'object'
           OR jsonb_typeof(e -> 'type') IS DISTINCT FROM 'string'
           OR (e ->> 'type') !~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' OR length(e ->> 'type') > 64
           OR (e ? 'name' AND (jsonb_typeof(e -> 'name') <> 'string' OR length(e ->> 'name') NOT BETWEEN 1 AND 100
                               OR (e ->> 'name') ~ '[[:cntrl:]]'))
           OR (e ? 'with' AND jsonb_typeof(e -> 'with') <> 'object')
           OR (e ? 'retries' AND (jsonb_typeof(e -> 'retries') <> 'number'
                                  OR (e -> 'retries')::numeric NOT IN (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)))
           OR EXISTS (SELECT FROM jsonb_object_keys(e) k WHERE k NOT IN ('type', 'name', 'with', 'retries')) THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END
$$;

-- -- templates -----------------------------------------------------------------------------------

CREATE TABLE workflow_templates (
    organization_id    uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                 uuid NOT NULL DEFAULT new_id(),
    name               text NOT NULL CONSTRAINT workflow_templates_name_format
        CHECK (length(btrim(name)) BETWEEN 1 AND 200 AND name !~ '[[:cntrl:]]'),
    description        text NOT NULL DEFAULT '' CONSTRAINT workflow_templates_description_length
        CHECK (length(description) <= 2000),
    trigger_event_type text NOT NULL CONSTRAINT workflow_templates_trigger_fk REFERENCES event_types (type),
    filter             jsonb NOT NULL DEFAULT '{}' CONSTRAINT workflow_templates_filter_shape
        CHECK (workflow_filter_valid(filter)),
    enabled            boolean NOT NULL DEFAULT true,
    version            integer NOT NULL DEFAULT 1 CONSTRAINT workflow_templates_version_positive CHECK (version >= 1),
    steps              jsonb NOT NULL CONSTRAINT workflow_templates_steps_shape CHECK (workflow_steps_valid(steps)),
    created_by         uuid REFERENCES users ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id)
);
SELECT declare_table('workflow_templates', 'distributed');
CREATE UNIQUE INDEX workflow_templates_name_key ON workflow_templates (organization_id, lower(name));
-- the subscriber's question for every dispatched batch: the enabled templates of these event types
CREATE INDEX workflow_templates_trigger_idx ON workflow_templates (organization_id, trigger_event_type)
    WHERE enabled;
CREATE INDEX workflow_templates_trigger_fk_idx ON workflow_templates (trigger_event_type);
CREATE INDEX workflow_templates_created_by_idx ON workflow_templates (created_by) WHERE created_by IS NOT NULL;
CREATE TRIGGER workflow_templates_touch BEFORE UPDATE ON workflow_templates
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE workflow_template_versions (
    organization_id uuid NOT NULL,
    template_id     uuid NOT NULL,
    version         integer NOT NULL CONSTRAINT workflow_template_versions_version_positive CHECK (version >= 1),
    steps           jsonb NOT NULL CONSTRAINT workflow_template_versions_steps_shape CHECK (workflow_steps_valid(steps)),
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, template_id, version),
    CONSTRAINT workflow_template_versions_template_fk FOREIGN KEY (organization_id, template_id)
        REFERENCES workflow_templates (organization_id, id) ON DELETE CASCADE
);
SELECT declare_table('workflow_template_versions', 'distributed');

-- A change of the steps is a new version; any other change keeps the version. The version row is
-- written in the same statement's transaction (same tenant, the table named here, not looked up).
CREATE FUNCTION mediabase.workflow_templates_version() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        NEW.version := CASE WHEN NEW.steps IS DISTINCT FROM OLD.steps THEN OLD.version + 1 ELSE OLD.version END;
    ELSE
        NEW.version := 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER workflow_templates_version BEFORE INSERT OR UPDATE ON workflow_templates
    FOR EACH ROW EXECUTE FUNCTION workflow_templates_version();

CREATE FUNCTION mediabase.workflow_templates_keep_version() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.version <> OLD.version THEN
        INSERT INTO mediabase.workflow_template_versions (organization_id, template_id, version, steps, created_by)
        VALUES (NEW.organization_id, NEW.id, NEW.version, NEW.steps, mediabase.current_user_id());
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER workflow_templates_keep_version AFTER INSERT OR UPDATE ON workflow_templates
    FOR EACH ROW EXECUTE FUNCTION workflow_templates_keep_version();

-- -- runs ----------------------------------------------------------------------------------------

CREATE TABLE workflow_runs (
    organization_id  uuid NOT NULL,
    id               uuid NOT NULL DEFAULT new_id(),
    template_id      uuid NOT NULL,
    template_version integer NOT NULL,
    -- 'event': started by the subscriber (one per template and event); 'manual': "run now"
    trigger          text NOT NULL CONSTRAINT workflow_runs_trigger_valid CHECK (trigger IN ('event', 'manual')),
    event_id         uuid NOT NULL,
    event_type       text NOT NULL CONSTRAINT workflow_runs_event_type_length CHECK (length(event_type) <= 100),
    subject_type     text NOT NULL CONSTRAINT workflow_runs_subject_type_length CHECK (length(subject_type) <= 63),
    subject_id       uuid NOT NULL,
    event_data       jsonb NOT NULL DEFAULT '{}' CONSTRAINT workflow_runs_event_data_shape
        CHECK (jsonb_typeof(event_data) = 'object' AND octet_length(event_data::text) <= 65536),
    status           text NOT NULL DEFAULT 'running'
        CONSTRAINT workflow_runs_status_valid CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
    steps_total      integer NOT NULL CONSTRAINT workflow_runs_steps_total_range CHECK (steps_total BETWEEN 1 AND 20),
    steps_done       integer NOT NULL DEFAULT 0,
    error            text CONSTRAINT workflow_runs_error_length CHECK (length(error) BETWEEN 1 AND 2000),
    created_by       uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    PRIMARY KEY (organization_id, id),
    CONSTRAINT workflow_runs_template_version_fk FOREIGN KEY (organization_id, template_id, template_version)
        REFERENCES workflow_template_versions (organization_id, template_id, version) ON DELETE CASCADE,
    CONSTRAINT workflow_runs_steps_done_range CHECK (steps_done BETWEEN 0 AND steps_total),
    CONSTRAINT workflow_runs_finished_when_done CHECK ((finished_at IS NULL) = (status = 'running')),
    CONSTRAINT workflow_runs_succeeded_all CHECK (status <> 'succeeded' OR steps_done = steps_total),
    CONSTRAINT workflow_runs_failed_why CHECK (status <> 'failed' OR error IS NOT NULL)
);
SELECT declare_table('workflow_runs', 'distributed');
-- a re-dispatched event never starts a second run of a template
CREATE UNIQUE INDEX workflow_runs_event_key ON workflow_runs (organization_id, template_id, event_id)
    WHERE trigger = 'event';
-- the template's runs (and the key of its version)
CREATE INDEX workflow_runs_template_idx ON workflow_runs (organization_id, template_id, template_version, id);
-- runs by status, newest first; the running ones (the reaper's question)
CREATE INDEX workflow_runs_status_idx ON workflow_runs (organization_id, status, id);
CREATE INDEX workflow_runs_running_idx ON workflow_runs (organization_id, id) WHERE status = 'running';

CREATE TABLE workflow_step_runs (
    organization_id uuid NOT NULL,
    run_id          uuid NOT NULL,
    position        integer NOT NULL CONSTRAINT workflow_step_runs_position_range CHECK (position BETWEEN 0 AND 19),
    type            text NOT NULL CONSTRAINT workflow_step_runs_type_length CHECK (length(type) <= 64),
    name            text NOT NULL CONSTRAINT workflow_step_runs_name_length CHECK (length(name) BETWEEN 1 AND 100),
    status          text NOT NULL DEFAULT 'queued' CONSTRAINT workflow_step_runs_status_valid
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'skipped')),
    job_id          uuid,  -- the workflow.step job (no FK: jobs are partitioned and pruned by month)
    output          jsonb CONSTRAINT workflow_step_runs_output_shape
        CHECK (jsonb_typeof(output) = 'object' AND octet_length(output::text) <= 65536),
    error           text CONSTRAINT workflow_step_runs_error_length CHECK (length(error) BETWEEN 1 AND 2000),
    started_at      timestamptz,
    finished_at     timestamptz,
    PRIMARY KEY (organization_id, run_id, position),
    CONSTRAINT workflow_step_runs_run_fk FOREIGN KEY (organization_id, run_id)
        REFERENCES workflow_runs (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT workflow_step_runs_finished_when_done
        CHECK ((finished_at IS NOT NULL) = (status IN ('succeeded', 'failed', 'skipped'))),
    CONSTRAINT workflow_step_runs_succeeded_output CHECK (status <> 'succeeded' OR output IS NOT NULL),
    CONSTRAINT workflow_step_runs_failed_why CHECK (status <> 'failed' OR error IS NOT NULL),
    CONSTRAINT workflow_step_runs_ran_with_job CHECK (status NOT IN ('running', 'succeeded', 'failed') OR job_id IS NOT NULL)
);
SELECT declare_table('workflow_step_runs', 'distributed');

-- -- tenancy, privileges, audit --------------------------------------------------------------------

SELECT make_tenant_table(t::regclass)
  FROM unnest(ARRAY['workflow_templates', 'workflow_template_versions', 'workflow_runs',
                    'workflow_step_runs']) AS t;
-- versions are the trigger's to write and never change
REVOKE UPDATE, DELETE, TRUNCATE ON workflow_template_versions FROM mediabase_app;
REVOKE TRUNCATE ON workflow_templates, workflow_runs, workflow_step_runs FROM mediabase_app;
SELECT audit_table('workflow_templates');

-- -- notifications from the notify step -------------------------------------------------------------

ALTER TABLE notifications ADD COLUMN workflow_run_id uuid;
ALTER TABLE notifications
    ADD CONSTRAINT notifications_workflow_run_fk FOREIGN KEY (organization_id, workflow_run_id)
        REFERENCES workflow_runs (organization_id, id) ON DELETE CASCADE;
CREATE INDEX notifications_workflow_run_idx ON notifications (organization_id, workflow_run_id)
    WHERE workflow_run_id IS NOT NULL;
-- (one subcommand per statement: Citus refuses an ALTER TABLE that mixes ADD CONSTRAINT with others)
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_valid;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_valid
    CHECK (kind IN ('reply', 'mention', 'comment', 'decision', 'action_item', 'workflow'));
ALTER TABLE notifications DROP CONSTRAINT notifications_subject;
ALTER TABLE notifications ADD CONSTRAINT notifications_subject
    CHECK (CASE kind WHEN 'decision' THEN decision_id IS NOT NULL
                     WHEN 'action_item' THEN action_item_id IS NOT NULL
                     WHEN 'workflow' THEN workflow_run_id IS NOT NULL
                     ELSE comment_id IS NOT NULL END);

-- The notify step: a notification for each member of the run's organization who has one of
-- `roles` or is one of `user_ids` (members only; others are ignored), about the run (and the video,
-- if it still exists), once per run and step (dedupe key). Notifications are only readable and
-- writable by their own member (0007's own_rows policy), hence a definer; it acts in the
-- caller's tenant only.
CREATE FUNCTION mediabase.workflow_notify(org uuid, run uuid, step integer, roles text[], user_ids uuid[],
                                          title text, video uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    n integer;
    v uuid;
BEGIN
    IF org IS DISTINCT FROM current_org_id() THEN
        RAISE EXCEPTION 'workflow_notify acts in the current organization only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT x.id INTO v FROM videos x WHERE x.organization_id = org AND x.id = video;
    INSERT INTO notifications (organization_id, user_id, kind, video_id, workflow_run_id, title, dedupe_key)
    SELECT m.organization_id, m.user_id, 'workflow', v, run, left(title, 1000), format('workflow:%s:%s', run, step)
      FROM memberships m
     WHERE m.organization_id = org
       AND (m.role = ANY (coalesce(roles, '{}')) OR m.user_id = ANY (coalesce(user_ids, '{}')))
    ON CONFLICT (organization_id, user_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION mediabase.workflow_notify(uuid, uuid, integer, text[], uuid[], text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mediabase.workflow_notify(uuid, uuid, integer, text[], uuid[], text, uuid) TO mediabase_app;
