"""``mediabase analytics …``: viewing analytics (docs/analytics.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from pydantic import ValidationError
from rich.table import Table

from mediabase import analytics as service
from mediabase.analytics import charts, reports
from mediabase.analytics.models import RawEvent, RetentionCurve, ViewEventIn
from mediabase.cli.common import JsonOpt, OrgOpt, console, fail, open_databases, print_json, print_table, run
from mediabase.common.errors import Invalid
from mediabase.identity import service as identity

app = typer.Typer(
    help="Viewing analytics: record view and watch events (who played which part of a video, a story scene"
    " or a music master), keep daily rollups of them up to date, and read watch time, retention curves,"
    " channel trends, active viewers and speakers' talk time.",
    no_args_is_help=True,
)
SinceOpt = Annotated[str | None, typer.Option("--since", help="First UTC day of the period, YYYY-MM-DD"
                                                              " (default: 30 days before --until).")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="The UTC day after the period, YYYY-MM-DD"
                                                              " (default: tomorrow).")]


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{name}: not a date (YYYY-MM-DD): {value!r}")


def _uuid(value: str, name: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        fail(f"{name}: not a UUID: {value!r}")


def _read_events(path: Path) -> tuple[list[RawEvent], list[int]]:
    """JSON lines, one event each (the body of POST /events' items); a bad line is named file:line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read: {exc}")
    events: list[RawEvent] = []
    lines: list[int] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            events.append(ViewEventIn.model_validate_json(line).raw())
        except ValidationError as exc:
            e = exc.errors()[0]
            fail(f"{path}:{n}: {'.'.join(str(x) for x in e['loc']) or 'event'}: {e['msg']}")
        lines.append(n)
    if not events:
        fail(f"{path}: no events")
    return events, lines


@app.command("ingest")
def ingest(file: Annotated[Path, typer.Argument(help="A file of JSON lines, one event per line.")],
           org: OrgOpt = "demo") -> None:
    """Record the view and watch events of a JSON-lines file, all or none (a bad line is named file:line).

    A line: {"kind": "watch", "occurred_at": "2026-01-02T10:00:00Z", "video_id": "…",
    "user_id": "…" or "anonymous_id": "…", "start_ms": 0, "end_ms": 30000, "client": "web/2"}."""
    events, lines = _read_events(file)

    async def _run() -> int:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            try:
                return await service.ingest(db, p, events)
            except Invalid as exc:
                field = exc.field or ""
                if field.startswith("events["):
                    i = int(field[7:field.index("]")])
                    fail(f"{file}:{lines[i]}: {field[field.index(']') + 2:]}: {exc.detail.split(': ', 1)[-1]}")
                raise

    console.print(f"recorded {run(_run())} event(s)")


@app.command("refresh")
def refresh(org: OrgOpt = "demo") -> None:
    """Bring the organization's rollups up to date with the raw events (what the worker does on its own)."""

    async def _run() -> service.rollups.Refreshed:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return await service.refresh(db, p.organization_id)

    done = run(_run())
    console.print(f"recomputed {done.pairs} subject-day(s), talk time of {done.talk_videos} video(s)")


@app.command("rebuild")
def rebuild(org: OrgOpt = "demo", since: Annotated[str | None, typer.Option(
        "--since", help="First UTC day to rebuild, YYYY-MM-DD (default: the first day with raw events).")] = None,
) -> None:
    """Compute the organization's rollups again from scratch from the raw events (from --since,
    default the first day that still has raw events); older rollups stay."""
    first = _day(since, "--since")

    async def _run() -> service.rollups.Refreshed:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return await service.rebuild(db, p.organization_id, first)

    done = run(_run())
    console.print(f"rebuilt {done.pairs} subject-day(s), talk time of {done.talk_videos} video(s)")


@app.command("top")
def top(org: OrgOpt = "demo", since: SinceOpt = None, until: UntilOpt = None,
        limit: Annotated[int, typer.Option(min=1, max=100, help="How many videos.")] = 10,
        as_json: JsonOpt = False) -> None:
    """The videos with the most watch time in a period, most first."""
    lo, hi = _day(since, "--since"), _day(until, "--until")

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return [v.model_dump(mode="json") for v in await reports.top_videos(db, p, lo, hi, limit)]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("video", "watch time (min)", "views", "viewer-days", "id")
    for r in rows:
        table.add_row(r["title"], f"{r['watch_ms'] / 60000:.1f}", str(r["views"]), str(r["viewer_days"]),
                      r["video_id"])
    print_table(table)


@app.command("retention")
def retention(
    video: Annotated[str, typer.Argument(help="The video's id.")],
    org: OrgOpt = "demo", since: SinceOpt = None, until: UntilOpt = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Also draw the curve into this file"
                                                             " (.png, or .svg by its suffix).")] = None,
    width: Annotated[int, typer.Option(min=200, max=4000, help="The picture's width in pixels.")] = 800,
    height: Annotated[int, typer.Option(min=150, max=4000, help="The picture's height in pixels.")] = 450,
    as_json: JsonOpt = False,
) -> None:
    """A video's retention curve: of its viewers (once per day), the share still watching at each percent."""
    video_id = _uuid(video, "VIDEO")
    lo, hi = _day(since, "--since"), _day(until, "--until")
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        fail(f"--plot: the file must end in .png or .svg: {plot}")

    async def _run() -> RetentionCurve:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return await reports.retention(db, p, video_id, lo, hi)

    curve = run(_run())
    if plot is not None:
        fmt: charts.Format = "svg" if plot.suffix.lower() == ".svg" else "png"
        try:
            plot.write_bytes(charts.retention_chart(curve, width=width, height=height, fmt=fmt))
        except OSError as exc:
            fail(f"--plot: cannot write {plot}: {exc.strerror}")
    if as_json:
        print_json(curve.model_dump(mode="json"))
        return
    console.print(f"{curve.title}: {curve.viewer_days} viewer-day(s), {curve.since} to {curve.until}")
    console.print("  ".join(f"{k}%: {curve.shares[k] * 100:.0f}%" for k in range(0, 101, 10)))
    if plot is not None:
        console.print(f"chart: {plot}")


@app.command("trend")
def trend(channel: Annotated[str, typer.Argument(help="The channel's id.")], org: OrgOpt = "demo",
          since: SinceOpt = None, until: UntilOpt = None, as_json: JsonOpt = False) -> None:
    """A channel's views, viewers and watch time per day."""
    channel_id = _uuid(channel, "CHANNEL")
    lo, hi = _day(since, "--since"), _day(until, "--until")

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return [t.model_dump(mode="json") for t in await reports.channel_trend(db, p, channel_id, lo, hi)]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("day", "views", "viewer-days", "watch time (min)")
    for r in rows:
        table.add_row(r["day"], str(r["views"]), str(r["viewer_days"]), f"{r['watch_ms'] / 60000:.1f}")
    print_table(table)


@app.command("active")
def active(org: OrgOpt = "demo", since: SinceOpt = None, until: UntilOpt = None, as_json: JsonOpt = False) -> None:
    """The organization's distinct viewers over a period, and per day."""
    lo, hi = _day(since, "--since"), _day(until, "--until")

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await reports.active_viewers(db, p, lo, hi)).model_dump(mode="json")

    out = run(_run())
    if as_json:
        print_json(out)
        return
    console.print(f"{out['viewers']} distinct viewer(s) from {out['since']} to {out['until']}")
    for d in out["days"]:
        console.print(f"  {d['day']}: {d['viewers']}")


@app.command("talk")
def talk(video: Annotated[str | None, typer.Argument(help="A meeting's video id; none: per person overall.")] = None,
         org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """Speakers' talk time: who spoke how long in one meeting, or per person over every meeting."""
    video_id = _uuid(video, "VIDEO") if video is not None else None

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            if video_id is None:
                return [x.model_dump(mode="json") for x in await reports.talk_time_people(db, p)]
            return [x.model_dump(mode="json") for x in await reports.talk_time(db, p, video_id)]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    for r in rows:
        who = r.get("name") or r.get("display_name") or r.get("label")
        console.print(f"{who}: {r['talk_ms'] / 60000:.1f} min" + (f" ({r['share'] * 100:.0f}%)" if "share" in r else
                                                                 f" in {r['meetings']} meeting(s)"))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="analytics", rich_help_panel="Meeting intelligence")

