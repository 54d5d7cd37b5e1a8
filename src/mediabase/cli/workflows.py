"""``mediabase workflows …``: workflow templates and their runs (docs/workflows.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table

from mediabase.cli.common import JsonOpt, OrgOpt, console, fail, open_databases, print_json, print_table, run
from mediabase.common.errors import Invalid
from mediabase.identity import service as identity
from mediabase.workflows import service
from mediabase.workflows.models import RunStatus, TemplateCreate, TemplateUpdate
from mediabase.workflows.steps import validate_filter, validate_steps

app = typer.Typer(
    help="Workflow templates: when an event happens (e.g. video.transcribed), run steps — index the video"
    " for search, refresh AI topics, notify members, deliver a webhook, log. Each run is a pipeline of jobs"
    " carried out by `mediabase worker`; runs and their steps show status and progress.",
    no_args_is_help=True,
)
runs_app = typer.Typer(help="Workflow runs: list them, show one with its steps, cancel one.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")

StepsOpt = Annotated[str, typer.Option(
    "--steps", help="The steps as JSON: a file path, '-' for standard input, or the JSON itself ('[{...}]')."
    " Each step: {\"type\": \"log\", \"name\": \"…\", \"with\": {…}}; `mediabase workflows steps` lists the types.")]
FilterOpt = Annotated[str | None, typer.Option(
    "--filter",
    help="Only events whose data has these top-level values, as a JSON object, e.g. '{\"language\": \"en\"}'.")]


M = TypeVar("M", bound=BaseModel)


def _model(cls: type[M], **fields: Any) -> M:
    try:
        return cls(**fields)
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()))


def _uuid(value: str, what: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        fail(f"{what}: not a UUID: {value!r}")


def _json_arg(value: str, what: str) -> tuple[Any, str]:
    """The JSON of an option (inline, '-' or a file) and where it came from (for messages)."""
    source = what
    text = value
    if value == "-":
        source, text = "<stdin>", sys.stdin.read()
    elif not value.lstrip().startswith(("[", "{")):
        path = Path(value)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{what}: cannot read {value}: {exc}")
        source = str(path)
    try:
        return json.loads(text), source
    except json.JSONDecodeError as exc:
        fail(f"{source}:{exc.lineno}: not JSON: {exc.msg}")


def _steps(value: str) -> list[Any]:
    data, source = _json_arg(value, "--steps")
    try:
        validate_steps(data)
    except Invalid as exc:
        fail(f"{source}: {exc}")
    return list(data)


def _filter(value: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    data, source = _json_arg(value, "--filter")
    try:
        return validate_filter(data)
    except Invalid as exc:
        fail(f"{source}: {exc}")


def _print_template(t: dict[str, Any]) -> None:
    console.print(f"[bold]{t['name']}[/] {t['id']}  on {t['trigger']}  version {t['version']}  "
                  f"{'enabled' if t['enabled'] else 'disabled'}")
    if t["filter"]:
        console.print(f"  filter: {json.dumps(t['filter'])}")
    for i, s in enumerate(t["steps"]):
        console.print(f"  {i}. {s['name']} ({s['type']}) {json.dumps(s.get('with', {}))}")


@app.command("steps")
def steps(as_json: JsonOpt = False) -> None:
    """List the step types a template may use, with the parameters (`with`) each takes."""
    rows = [s.model_dump(by_alias=True) for s in service.list_step_types()]
    if as_json:
        print_json(rows)
        return
    table = Table("type", "description", "with (JSON Schema properties)")
    for r in rows:
        table.add_row(r["type"], r["description"], ", ".join(r["schema"].get("properties", {})) or "-")
    print_table(table)


@app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="The template's name, unique in the organization.")],
    trigger: Annotated[str, typer.Option("--trigger", help="The event type that starts a run, e.g. video.transcribed"
                                         " (`mediabase events types` lists them).")],
    steps_json: StepsOpt,
    org: OrgOpt = "demo",
    description: Annotated[str, typer.Option(help="What the template is for.")] = "",
    filter_json: FilterOpt = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Create it disabled (no runs until enabled).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create a workflow template: a trigger event type, an optional filter, and its steps."""
    data = _model(TemplateCreate, name=name, description=description, trigger=trigger,
                  filter=_filter(filter_json) or {}, enabled=not disabled, steps=_steps(steps_json))

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await service.create_template(db, p, data)).model_dump(mode="json")

    t = run(_run())
    print_json(t) if as_json else _print_template(t)


@app.command("list")
def list_(
    org: OrgOpt = "demo",
    trigger: Annotated[str | None, typer.Option("--trigger", help="Only templates of this event type.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List an organization's workflow templates."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return [t.model_dump(mode="json") for t in await service.list_templates(db, p, trigger=trigger)]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("name", "trigger", "steps", "version", "enabled", "id")
    for t in rows:
        table.add_row(t["name"], t["trigger"], str(len(t["steps"])), str(t["version"]), "yes" if t["enabled"] else "no",
                      t["id"])
    print_table(table)


@app.command("show")
def show(template_id: Annotated[str, typer.Argument(help="The template's id.")], org: OrgOpt = "demo",
         as_json: JsonOpt = False) -> None:
    """Show one workflow template with its steps."""
    tid = _uuid(template_id, "TEMPLATE_ID")

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await service.get_template(db, p, tid)).model_dump(mode="json")

    t = run(_run())
    print_json(t) if as_json else _print_template(t)


@app.command("update")
def update(
    template_id: Annotated[str, typer.Argument(help="The template's id.")],
    org: OrgOpt = "demo",
    name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    description: Annotated[str | None, typer.Option(help="A new description.")] = None,
    trigger: Annotated[str | None, typer.Option("--trigger", help="A new trigger event type.")] = None,
    steps_json: Annotated[str | None, typer.Option("--steps", help="New steps (JSON, a file or '-'): a new version.")]
    = None,
    filter_json: FilterOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a template; new steps make a new version (runs keep the version they started with)."""
    tid = _uuid(template_id, "TEMPLATE_ID")
    fields: dict[str, Any] = {k: v for k, v in (("name", name), ("description", description), ("trigger", trigger))
                              if v is not None}
    if steps_json is not None:
        fields["steps"] = _steps(steps_json)
    if filter_json is not None:
        fields["filter"] = _filter(filter_json)
    if not fields:
        fail("nothing to change: give --name, --description, --trigger, --steps or --filter")
    data = _model(TemplateUpdate, **fields)

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await service.update_template(db, p, tid, data)).model_dump(mode="json")

    t = run(_run())
    print_json(t) if as_json else _print_template(t)


def _set_enabled(template_id: str, org: str, enabled: bool) -> None:
    tid = _uuid(template_id, "TEMPLATE_ID")

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await service.set_enabled(db, p, tid, enabled)).model_dump(mode="json")

    t = run(_run())
    console.print(f"{t['name']}: {'enabled' if t['enabled'] else 'disabled'}")


@app.command("enable")
def enable(template_id: Annotated[str, typer.Argument(help="The template's id.")], org: OrgOpt = "demo") -> None:
    """Enable a template: matching events start runs again."""
    _set_enabled(template_id, org, True)


@app.command("disable")
def disable(template_id: Annotated[str, typer.Argument(help="The template's id.")], org: OrgOpt = "demo") -> None:
    """Disable a template: no new runs (running ones go on)."""
    _set_enabled(template_id, org, False)


@app.command("delete")
def delete(template_id: Annotated[str, typer.Argument(help="The template's id.")], org: OrgOpt = "demo") -> None:
    """Delete a template with its versions and runs."""
    tid = _uuid(template_id, "TEMPLATE_ID")

    async def _run() -> None:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            await service.delete_template(db, p, tid)

    run(_run())
    console.print(f"deleted {tid}")


def _print_run(r: dict[str, Any]) -> None:
    console.print(f"run {r['id']}  {r['template_name']} v{r['template_version']}  {r['status']}  "
                  f"{r['steps_done']}/{r['steps_total']} steps ({r['progress']}%)  on {r['event_type']} "
                  f"{r['event_id']}")
    if r.get("error"):
        console.print(f"  error: {r['error']}")
    for s in r.get("steps", []):
        detail = s["error"] or (json.dumps(s["output"]) if s["output"] is not None else "")
        console.print(f"  {s['position']}. {s['name']} ({s['type']}): {s['status']} {detail}")


@app.command("run")
def run_now(
    template_id: Annotated[str, typer.Argument(help="The template's id.")],
    event: Annotated[str, typer.Option("--event", help="The event to run it on (`mediabase events list`).")],
    org: OrgOpt = "demo",
    as_json: JsonOpt = False,
) -> None:
    """Run a template now on an event of its trigger type (enabled or not, whatever its filter): to try it out.
    The worker carries the run out."""
    tid, eid = _uuid(template_id, "TEMPLATE_ID"), _uuid(event, "--event")

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await service.run_now(db, p, tid, eid)).model_dump(mode="json")

    r = run(_run())
    print_json(r) if as_json else _print_run(r)


@runs_app.command("list")
def runs_list(
    org: OrgOpt = "demo",
    template: Annotated[str | None, typer.Option("--template", help="Only runs of this template (its id).")] = None,
    status: Annotated[RunStatus | None, typer.Option("--status", help="Only runs in this status.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many runs (newest first).")] = 50,
    cursor: Annotated[str | None, typer.Option(help="Continue after a previous page (its next_cursor).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List workflow runs, newest first, with their status and progress."""
    tid = _uuid(template, "--template") if template is not None else None

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            items, nxt = await service.list_runs(db, p, template_id=tid, status=status, limit=limit, cursor=cursor)
            return {"items": [r.model_dump(mode="json") for r in items], "next_cursor": nxt}

    page = run(_run())
    if as_json:
        print_json(page)
        return
    table = Table("created", "template", "status", "steps", "event", "id")
    for r in page["items"]:
        table.add_row(r["created_at"][:19], r["template_name"], r["status"], f"{r['steps_done']}/{r['steps_total']}",
                      r["event_type"], r["id"])
    print_table(table)
    if page["next_cursor"]:
        console.print(f"more: --cursor {page['next_cursor']}")


@runs_app.command("show")
def runs_show(run_id: Annotated[str, typer.Argument(help="The run's id.")], org: OrgOpt = "demo",
              as_json: JsonOpt = False) -> None:
    """Show a run with each step's status, output or error."""
    rid = _uuid(run_id, "RUN_ID")

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await service.get_run(db, p, rid)).model_dump(mode="json")

    r = run(_run())
    print_json(r) if as_json else _print_run(r)


@runs_app.command("cancel")
def runs_cancel(run_id: Annotated[str, typer.Argument(help="The run's id.")], org: OrgOpt = "demo") -> None:
    """Cancel a running run: its remaining steps are skipped."""
    rid = _uuid(run_id, "RUN_ID")

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await service.cancel_run(db, p, rid)).model_dump(mode="json")

    _print_run(run(_run()))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="workflows", rich_help_panel="Platform")
