-- Workflow templates and runs (0039_workflows.sql; docs/workflows.md). Every tenant query names
-- the tenant (%(org)s) itself; row-level security stays the guard behind it.

-- -- templates -----------------------------------------------------------------------------------

-- name: template_columns
SELECT t.id, t.name, t.description, t.trigger_event_type AS trigger, t.filter, t.enabled, t.version, t.steps,
       t.created_by, t.created_at, t.updated_at
  FROM workflow_templates t

-- name: insert_template
INSERT INTO workflow_templates (organization_id, name, description, trigger_event_type, filter, enabled, steps,
                                created_by)
VALUES (%(org)s, %(name)s, %(description)s, %(trigger)s, %(filter)s, %(enabled)s, %(steps)s, %(user_id)s)
RETURNING id

-- name: lock_template
SELECT id, version, steps, trigger_event_type FROM workflow_templates
 WHERE organization_id = %(org)s AND id = %(id)s
   FOR UPDATE

-- name: delete_template
DELETE FROM workflow_templates WHERE organization_id = %(org)s AND id = %(id)s

-- name: templates_for_events
-- The subscriber's lookup for a dispatched batch (workflow_templates_trigger_idx).
SELECT id, version, trigger_event_type, filter, steps
  FROM workflow_templates
 WHERE organization_id = %(org)s AND trigger_event_type = ANY (%(types)s::text[]) AND enabled
 ORDER BY id

-- name: template_version
SELECT steps FROM workflow_template_versions
 WHERE organization_id = %(org)s AND template_id = %(template)s AND version = %(version)s

-- -- runs ----------------------------------------------------------------------------------------

-- name: insert_run
-- A run per (template, event) for event-triggered runs: a second dispatch of the event inserts
-- nothing (workflow_runs_event_key) and so enqueues nothing.
INSERT INTO workflow_runs (organization_id, template_id, template_version, trigger, event_id, event_type,
                           subject_type, subject_id, event_data, steps_total, created_by)
VALUES (%(org)s, %(template)s, %(version)s, %(trigger)s, %(event_id)s, %(event_type)s, %(subject_type)s,
        %(subject_id)s, %(event_data)s, %(total)s, %(user_id)s)
ON CONFLICT (organization_id, template_id, event_id) WHERE trigger = 'event' DO NOTHING
RETURNING id

-- name: insert_step_run
-- One row per step (executemany: one round trip). Not INSERT … SELECT FROM unnest: Citus runs that
-- through the coordinator as a COPY, which it refuses on a table with row-level security.
INSERT INTO workflow_step_runs (organization_id, run_id, position, type, name)
VALUES (%(org)s, %(run)s, %(position)s, %(type)s, %(name)s)

-- name: set_step_job
UPDATE workflow_step_runs SET job_id = %(job)s
 WHERE organization_id = %(org)s AND run_id = %(run)s AND position = %(position)s

-- name: lock_run
SELECT id, template_id, template_version, status, steps_total, steps_done, event_id, event_type, subject_type,
       subject_id, event_data
  FROM workflow_runs
 WHERE organization_id = %(org)s AND id = %(id)s
   FOR UPDATE

-- name: lock_step
SELECT position, type, name, status, job_id FROM workflow_step_runs
 WHERE organization_id = %(org)s AND run_id = %(run)s AND position = %(position)s
   FOR UPDATE

-- name: step_outputs
SELECT name, output FROM workflow_step_runs
 WHERE organization_id = %(org)s AND run_id = %(run)s AND status = 'succeeded'
 ORDER BY position

-- name: step_succeeded
UPDATE workflow_step_runs
   SET status = 'succeeded', output = %(output)s, job_id = %(job)s, started_at = %(started)s, finished_at = now()
 WHERE organization_id = %(org)s AND run_id = %(run)s AND position = %(position)s

-- name: step_failed
UPDATE workflow_step_runs
   SET status = 'failed', error = %(error)s, job_id = coalesce(%(job)s, job_id), started_at = coalesce(%(started)s, started_at),
       finished_at = now()
 WHERE organization_id = %(org)s AND run_id = %(run)s AND position = %(position)s

-- name: skip_steps
-- The steps after ``position`` that never ran (a failed or cancelled run).
UPDATE workflow_step_runs SET status = 'skipped', finished_at = now()
 WHERE organization_id = %(org)s AND run_id = %(run)s AND position > %(position)s AND status = 'queued'

-- name: run_progress
-- %(now)s, not now(): Citus refuses a non-immutable function inside CASE.
UPDATE workflow_runs
   SET steps_done = steps_done + 1,
       status = CASE WHEN steps_done + 1 = steps_total THEN 'succeeded' ELSE status END,
       finished_at = CASE WHEN steps_done + 1 = steps_total THEN %(now)s::timestamptz END
 WHERE organization_id = %(org)s AND id = %(run)s
RETURNING status, steps_done, steps_total

-- name: run_failed
UPDATE workflow_runs SET status = 'failed', error = %(error)s, finished_at = now()
 WHERE organization_id = %(org)s AND id = %(run)s AND status = 'running'

-- name: run_cancelled
UPDATE workflow_runs SET status = 'cancelled', finished_at = now()
 WHERE organization_id = %(org)s AND id = %(run)s AND status = 'running'

-- name: queued_step_jobs
SELECT job_id FROM workflow_step_runs
 WHERE organization_id = %(org)s AND run_id = %(run)s AND status = 'queued' AND job_id IS NOT NULL

-- name: cancel_job
SELECT mediabase.cancel_job(%(job)s) AS status

-- name: run_columns
SELECT r.id, r.template_id, t.name AS template_name, r.template_version, r.trigger, r.event_id, r.event_type,
       r.subject_type, r.subject_id, r.event_data, r.status, r.steps_total, r.steps_done, r.error, r.created_by,
       r.created_at, r.finished_at
  FROM workflow_runs r
  JOIN workflow_templates t ON t.organization_id = r.organization_id AND t.id = r.template_id

-- name: list_runs
-- Newest first, keyset by id (v7); by template (workflow_runs_template_idx) or status (workflow_runs_status_idx).
SELECT r.id, r.template_id, t.name AS template_name, r.template_version, r.trigger, r.event_id, r.event_type,
       r.subject_type, r.subject_id, r.event_data, r.status, r.steps_total, r.steps_done, r.error, r.created_by,
       r.created_at, r.finished_at
  FROM workflow_runs r
  JOIN workflow_templates t ON t.organization_id = r.organization_id AND t.id = r.template_id
 WHERE r.organization_id = %(org)s
   AND (%(template)s::uuid IS NULL OR r.template_id = %(template)s)
   AND (%(status)s::text IS NULL OR r.status = %(status)s)
   AND (%(before)s::uuid IS NULL OR r.id < %(before)s)
 ORDER BY r.id DESC
 LIMIT %(limit)s

-- name: list_step_runs
SELECT position, type, name, status, job_id, output, error, started_at, finished_at
  FROM workflow_step_runs
 WHERE organization_id = %(org)s AND run_id = %(run)s
 ORDER BY position

-- name: job_statuses
-- The step runs' jobs, asked apart (on Citus the jobs table is the coordinator's own and is not
-- joined with the distributed step runs).
SELECT id, status FROM jobs WHERE organization_id = %(org)s AND id = ANY (%(ids)s::uuid[])

-- name: get_event
SELECT id, type, subject_type, subject_id, data FROM events WHERE organization_id = %(org)s AND id = %(id)s

-- -- the reaper (upkeep, as the owner, across tenants) ----------------------------------------------

-- name: waiting_steps
-- The queued steps of running runs, with their jobs (every tenant: the reaper). Two questions, not
-- one join: on Citus the jobs table is the coordinator's own.
SELECT s.organization_id, s.run_id, s.position, s.job_id
  FROM mediabase.workflow_runs r
  JOIN mediabase.workflow_step_runs s ON s.organization_id = r.organization_id AND s.run_id = r.id
 WHERE r.status = 'running' AND s.status IN ('queued', 'running') AND s.job_id IS NOT NULL

-- name: ended_jobs
-- Of those jobs, the ones that ended without the handler recording it: failed for good outside
-- the handler (its lease ran out on the last attempt, a timeout) or cancelled through the queue.
SELECT id, status, coalesce(error_code || ': ' || error_message, error_code, status) AS error
  FROM mediabase.jobs
 WHERE id = ANY (%(ids)s::uuid[]) AND status IN ('failed', 'cancelled')

-- -- built-in steps --------------------------------------------------------------------------------

-- name: current_transcript
SELECT id FROM transcripts WHERE organization_id = %(org)s AND video_id = %(video)s AND is_current

-- name: refresh_topics
SELECT refresh_tenant_topics() AS n

-- name: notify
SELECT mediabase.workflow_notify(%(org)s, %(run)s, %(position)s, %(roles)s::text[], %(users)s::uuid[], %(title)s,
                                 %(video)s) AS n
