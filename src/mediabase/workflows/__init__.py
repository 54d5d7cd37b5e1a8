"""Workflow templates: per organization, an event type that starts a run, a filter, and steps;
each run a pipeline of ``workflow.step`` jobs on the queue (docs/workflows.md).

Importing this package registers the built-in steps, the ``workflows`` event subscriber, the
``workflow.step`` handler and the reaper upkeep (the worker imports ``mediabase.workflows.engine``,
one of mediabase.wiring.WORKER_MODULES). Add a step type with :func:`step`.
"""

from mediabase.common.errors import Conflict, Invalid, NotFound
from mediabase.db.errors import register_constraint
from mediabase.workflows import builtin  # noqa: F401 - the built-in step types
from mediabase.workflows.models import Run, RunDetail, RunStatus, StepRun, Template, TemplateCreate, TemplateUpdate
from mediabase.workflows.steps import StepContext, matches, step, validate_filter, validate_steps

for _name, _message, _field in (
    ("workflow_templates_name_format", "a template's name has 1 to 200 characters and no control character", "name"),
    ("workflow_templates_description_length", "a description has at most 2,000 characters", "description"),
    ("workflow_templates_filter_shape", "a filter is a JSON object of at most 20 keys with scalar values", "filter"),
    ("workflow_templates_steps_shape", "steps are 1 to 20 objects {type, name, with, retries}", "steps"),
    ("workflow_template_versions_steps_shape", "steps are 1 to 20 objects {type, name, with, retries}", "steps"),
    ("workflow_templates_version_positive", "versions start at 1", "version"),
    ("workflow_template_versions_version_positive", "versions start at 1", "version"),
    ("workflow_runs_trigger_valid", "a run is started by an event or by hand", "trigger"),
    ("workflow_runs_status_valid", "unknown run status", "status"),
    ("workflow_runs_steps_total_range", "a run has 1 to 20 steps", "steps"),
    ("workflow_runs_steps_done_range", "a run cannot have done more steps than it has", "steps_done"),
    ("workflow_runs_finished_when_done", "a run is finished exactly when it is no longer running", "finished_at"),
    ("workflow_runs_succeeded_all", "a run succeeds once every step has", "status"),
    ("workflow_runs_failed_why", "a failed run says why", "error"),
    ("workflow_runs_error_length", "an error has 1 to 2,000 characters", "error"),
    ("workflow_runs_event_data_shape", "an event's data is a JSON object of at most 64 KiB", "event_data"),
    ("workflow_runs_event_type_length", "an event type has at most 100 characters", "event_type"),
    ("workflow_runs_subject_type_length", "a subject type has at most 63 characters", "subject_type"),
    ("workflow_step_runs_position_range", "a step's position is 0 to 19", "position"),
    ("workflow_step_runs_type_length", "a step type has at most 64 characters", "type"),
    ("workflow_step_runs_name_length", "a step's name has 1 to 100 characters", "name"),
    ("workflow_step_runs_status_valid", "unknown step status", "status"),
    ("workflow_step_runs_output_shape", "a step's output is a JSON object of at most 64 KiB", "output"),
    ("workflow_step_runs_error_length", "an error has 1 to 2,000 characters", "error"),
    ("workflow_step_runs_finished_when_done", "a step is finished exactly when it succeeded, failed or was skipped",
     "finished_at"),
    ("workflow_step_runs_succeeded_output", "a step that succeeded has an output", "output"),
    ("workflow_step_runs_failed_why", "a failed step says why", "error"),
    ("workflow_step_runs_ran_with_job", "a step that ran has its job", "job_id"),
):
    register_constraint(_name, Invalid, _message, field=_field)
register_constraint("workflow_templates_name_key", Conflict, "a workflow template of this name exists already",
                    field="name")
register_constraint("workflow_templates_trigger_fk", Invalid,
                    "unknown event type (mediabase events types lists them)", field="trigger")
register_constraint("workflow_template_versions_template_fk", NotFound, "workflow template not found",
                    field="template_id")
register_constraint("workflow_runs_template_version_fk", NotFound, "workflow template version not found",
                    field="template_id")
register_constraint("workflow_step_runs_run_fk", NotFound, "workflow run not found", field="run_id")
register_constraint("workflow_runs_event_key", Conflict, "this template has a run for this event already",
                    field="event_id")
register_constraint("notifications_workflow_run_fk", NotFound, "workflow run not found", field="workflow_run_id")

__all__ = [
    "Run",
    "RunDetail",
    "RunStatus",
    "StepContext",
    "StepRun",
    "Template",
    "TemplateCreate",
    "TemplateUpdate",
    "matches",
    "step",
    "validate_filter",
    "validate_steps",
]
