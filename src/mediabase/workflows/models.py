"""Workflow templates and runs as the API and the CLI see them (docs/workflows.md)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints, computed_field

from mediabase.common.models import Model
from mediabase.common.types import LINE, TEXT

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]
Description = Annotated[str, StringConstraints(max_length=2000), TEXT]
EventTypeName = Annotated[str, StringConstraints(max_length=100, pattern=r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")]

STEPS_DOC = ("1 to 20 steps, each {\"type\": \"<step type>\", \"name\": \"…\", \"with\": {…}, \"retries\": 0..10};"
             " GET /workflows/step-types lists the types and the JSON Schema of their `with`")
FILTER_DOC = ("equality on the event data's top-level keys: the event runs the template when its data has every"
              " key with an equal value (scalars only; at most 20 keys)")


class RunStatus(StrEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


class StepStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    skipped = "skipped"


class TemplateCreate(Model):
    name: Name = Field(description="unique in the organization (case-insensitively)")
    description: Description = ""
    trigger: EventTypeName = Field(description="the event type that starts a run, e.g. video.transcribed "
                                               "(GET /event-types lists them)")
    filter: dict[str, Any] = Field(default_factory=dict, description=FILTER_DOC)
    enabled: bool = True
    steps: list[Any] = Field(description=STEPS_DOC)


class TemplateUpdate(Model):
    """Only the fields given change; new steps make a new version (runs keep the one they ran)."""

    name: Name | None = None
    description: Description | None = None
    trigger: EventTypeName | None = None
    filter: dict[str, Any] | None = Field(default=None, description=FILTER_DOC)
    enabled: bool | None = None
    steps: list[Any] | None = Field(default=None, description=STEPS_DOC)


class Template(Model):
    id: UUID
    name: str
    description: str
    trigger: str
    filter: dict[str, Any]
    enabled: bool
    version: int = Field(description="goes up by one with every change of the steps")
    steps: list[dict[str, Any]]
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


class StepTypeInfo(Model):
    type: str
    description: str
    schema_: dict[str, Any] = Field(alias="schema", serialization_alias="schema",
                                    description="JSON Schema (2020-12) of the step's `with`")


class RunNow(Model):
    event_id: UUID = Field(description="an event of the organization, of the template's trigger type")


class StepRun(Model):
    position: int = Field(description="the step's index in the template version's steps (0-based)")
    type: str
    name: str
    status: StepStatus
    job_id: UUID | None = Field(description="the workflow.step job that runs it (GET /jobs/{id})")
    job_status: str | None = None
    output: dict[str, Any] | None
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None


class Run(Model):
    id: UUID
    template_id: UUID
    template_name: str
    template_version: int
    trigger: str = Field(description="event: started by the event; manual: run now")
    event_id: UUID
    event_type: str
    subject_type: str
    subject_id: UUID
    event_data: dict[str, Any]
    status: RunStatus
    steps_total: int
    steps_done: int
    error: str | None
    created_by: UUID | None
    created_at: datetime
    finished_at: datetime | None

    @computed_field(description="steps done of the total, in percent")  # type: ignore[prop-decorator]
    @property
    def progress(self) -> int:
        return 100 * self.steps_done // max(1, self.steps_total)


class RunDetail(Run):
    steps: list[StepRun]
