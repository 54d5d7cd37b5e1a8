"""``mediabase decisions | action-items | topics | audit``: reading meeting intelligence and
keeping the audit log's partitions, from a terminal."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import typer
from rich.markup import escape
from rich.table import Table

from mediabase.cli.common import JsonOpt, OrgOpt, console, open_databases, print_json, print_table, run
from mediabase.collab import feed
from mediabase.identity import service as identity
from mediabase.insights import decisions as decision_service
from mediabase.insights import topics as topic_service
from mediabase.insights.models import DecisionStatus, Trend
from mediabase.search.models import SearchMode

decisions_app = typer.Typer(help="The decision registry: list, search and inspect decisions.", no_args_is_help=True)
actions_app = typer.Typer(help="Action items extracted from meetings or added by people.", no_args_is_help=True)
topics_app = typer.Typer(help="Organization-wide topics with their trend.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log's monthly partitions.", no_args_is_help=True)


def _clock(ms: int | None) -> str:
    if ms is None:
        return ""
    return f"{ms // 3_600_000}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}"


@decisions_app.command("list")
def decisions_list(
    org: OrgOpt = "demo",
    search: Annotated[str | None, typer.Option("--search", "-q", help="Keywords (web search syntax) or, with"
                                               " --mode semantic|hybrid, what the decision is about.")] = None,
    mode: Annotated[SearchMode, typer.Option(help="How --search matches: keyword, semantic (by meaning, needs"
                                             " the embedding model) or hybrid (both).")] = SearchMode.keyword,
    status: Annotated[DecisionStatus | None, typer.Option(help="decided, proposed or superseded.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only decisions with this tag.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List decisions, newest first (or best match first with --search), with their moment.

    --search matches summary and context by keywords; --mode semantic finds decisions by
    meaning ("how much will it cost" finds "selling price of 25 Euro"), hybrid combines both.
    """

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (app_db, system):
            p = await identity.acting_owner(system, org)
            page = await decision_service.list_decisions(app_db, p, q=search, status=status, tag=tag, limit=limit,
                                                         mode=mode)
            return [d.model_dump(mode="json") for d in page.items]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("summary", "video", "at", "status", "decided", "id")
    for d in rows:
        table.add_row(
            escape(d["summary"]),
            escape(d["video_title"] or ""),
            _clock(d["position_ms"]),
            d["status"],
            str(d["decided_at"] or "")[:10],
            d["id"],
        )
    print_table(table, titles=["summary"], drop=["decided", "status", "at", "video"])


@decisions_app.command("show")
def decisions_show(
    decision: Annotated[UUID, typer.Argument(help="The decision id.")],
    org: OrgOpt = "demo",
    as_json: JsonOpt = False,
) -> None:
    """Show a decision, its links and its edit trail."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (app_db, system):
            p = await identity.acting_owner(system, org)
            detail = await decision_service.get_decision(app_db, p, decision)
            trail = await decision_service.list_decision_edits(app_db, p, decision)
            return {**detail.model_dump(mode="json"), "edits": [e.model_dump(mode="json") for e in trail]}

    d = run(_run())
    if as_json:
        print_json(d)
        return
    console.print(f"[bold]{d['summary']}[/]  ({d['status']}, {d['source']})")
    if d["video_title"]:
        console.print(f"in {d['video_title']} at {_clock(d['position_ms'])}")
    if d["context"]:
        console.print(d["context"])
    if d["tags"]:
        console.print("tags: " + ", ".join(d["tags"]))
    for link in d["links"]:
        console.print(f"link: {link['decision_id']} {link['link_type']} {link['target_decision_id']}")
    for e in d["edits"]:
        console.print(f"{e['edited_at'][:19]} {e['field']}: {e['old_value']!r} -> {e['new_value']!r}")


@actions_app.command("list")
def actions_list(
    org: OrgOpt = "demo",
    open_only: Annotated[bool, typer.Option("--open", help="Only pending and in-progress items.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many.")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """List action items, open ones first by priority and due date, with their moment."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (app_db, system):
            p = await identity.acting_owner(system, org)
            items = await topic_service.list_action_items(app_db, p, open_only=open_only, limit=limit)
            return [a.model_dump(mode="json") for a in items]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("status", "priority", "assignee", "video", "at", "title")
    for a in rows:
        table.add_row(
            a["status"], a["priority"], a["assignee"] or "", a["video_title"], _clock(a["start_ms"]), a["title"]
        )
    print_table(table)


@topics_app.command("list")
def topics_list(
    org: OrgOpt = "demo",
    trend: Annotated[Trend | None, typer.Option(help="rising, stable or declining.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List topics by mentions, with video count and trend."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (app_db, system):
            p = await identity.acting_owner(system, org)
            return [
                t.model_dump(mode="json") for t in await topic_service.list_topics(app_db, p, trend=trend, limit=limit)
            ]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("topic", "mentions", "videos", "trend", "score", "last mentioned")
    for t in rows:
        table.add_row(
            t["name"],
            str(t["mention_count"]),
            str(t["video_count"]),
            t["trend"],
            str(t["trend_score"]),
            str(t["last_mentioned_at"] or "")[:10],
        )
    print_table(table)


@topics_app.command("refresh")
def topics_refresh(org: OrgOpt = "demo") -> None:
    """Recompute every topic's counters and trend as of now (trends age with time)."""

    async def _run() -> int:
        async with open_databases() as (app_db, system):
            p = await identity.acting_owner(system, org)
            return await topic_service.refresh_topics(app_db, p)

    console.print(f"refreshed {run(_run())} topic(s) of {org}")


@audit_app.command("partitions")
def audit_partitions(
    months_ahead: Annotated[
        int, typer.Option(min=0, max=36, help="Create this many months after the current one.")
    ] = 2,
    prune_keep: Annotated[
        int | None,
        typer.Option("--prune-keep", min=12, help="Also drop the months that ended more than this many months ago."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create the audit log's monthly partitions ahead (idempotent), optionally drop old ones, and list them."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (_, system):
            return await feed.maintain_audit_partitions(system, months_ahead=months_ahead, prune_keep=prune_keep)

    out = run(_run())
    if as_json:
        print_json(out)
        return
    console.print(f"created {len(out['created'])}, dropped {len(out['dropped'])} partition(s)")
    table = Table("partition", "from", "to", "rows (est.)")
    for part in out["partitions"]:
        table.add_row(
            part["name"],
            str(part["range_from"] or "DEFAULT")[:10],
            str(part["range_to"] or "")[:10],
            str(part["est_rows"]),
        )
    print_table(table)


def register(app: typer.Typer) -> None:
    app.add_typer(decisions_app, name="decisions", rich_help_panel="Meeting intelligence")
    app.add_typer(actions_app, name="action-items", rich_help_panel="Meeting intelligence")
    app.add_typer(topics_app, name="topics", rich_help_panel="Meeting intelligence")
    app.add_typer(audit_app, name="audit", rich_help_panel="Operations")
