"""``mediabase stories search | flags | flag-review | fold | verify | publish``: keyword search,
moderation, counters and the public read path of a story community (docs/stories.md); part of
``mediabase stories``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from rich.markup import escape
from rich.table import Table

from mediabase.cli.common import JsonOpt, console, err_console, fail, open_databases, print_json, print_table, run
from mediabase.cli.search import _snippet_markup
from mediabase.cli.stories import CommunityOpt, LimitOpt, _dump, _topic_id
from mediabase.identity import service as identity
from mediabase.search.models import Match
from mediabase.stories import community, public
from mediabase.stories import search as story_search
from mediabase.stories.models import FlagAction, FlagDecision, FlagReview, FlagStatus, StoryHitKind

F = TypeVar("F", bound=Callable[..., None])
_COMMANDS: list[tuple[str, Callable[..., None]]] = []


def _command(name: str) -> Callable[[F], F]:
    """Collect a command; :func:`add_commands` adds them to ``mediabase stories``."""

    def deco(fn: F) -> F:
        _COMMANDS.append((name, fn))
        return fn

    return deco


@_command("search")
def search(
    q: Annotated[str, typer.Argument(help='What to find: words, "a phrase", or, -exclude.')],
    kind: Annotated[list[StoryHitKind] | None, typer.Option(help="idea, scene, segment or bible (repeat; "
                                                                 "default: all).")] = None,
    topic: Annotated[str | None, typer.Option(help="Only this topic's texts (its slug or id).")] = None,
    scene: Annotated[UUID | None, typer.Option(help="Only this scene, its segments and bible.")] = None,
    any_word: Annotated[bool, typer.Option("--any", help="Any of the words (default: all of them).")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many hits.")] = 10,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page.")] = None,
    org: CommunityOpt = "tales", as_json: JsonOpt = False,
) -> None:
    """Find ideas (title, prompt, tags), scenes (title, description), story segments (the text and
    the expanded script) and the scenes' latest bibles by keyword, best first, with the matches
    highlighted. Hidden, removed and rejected content is not found."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            topic_id = await _topic_id(db, p, topic) if topic else None
            page = await story_search.search_stories(db, p, q, kinds=kind, topic_id=topic_id, scene_id=scene,
                                                     match=Match.any if any_word else Match.all, limit=limit,
                                                     cursor=cursor)
            return page.model_dump(mode="json")

    page = run(_run())
    if as_json:
        print_json(page)
        return
    console.print(f"[bold]{escape(page['query'])}[/] — {len(page['hits'])} hit(s)")
    for note in page["notices"]:
        err_console.print(f"[dim]{escape(note)}[/]")
    for i, h in enumerate(page["hits"], start=1):
        where = {"segment": f"segment {h['sequence']}", "bible": f"bible v{h['version']}"}.get(h["kind"], h["kind"])
        console.print(f"\n{i:>2}  [bold cyan]{escape(h['title'])}[/]  [green]{where}[/]  [dim]{h['id']}  "
                      f"score {h['score']:.4f}[/]")
        console.print("    " + _snippet_markup(h["snippet"]), soft_wrap=False)
    if page["next_cursor"]:
        console.print(f"\n[dim]more: --cursor {page['next_cursor']}[/]")


@_command("flags")
def flags(status: Annotated[FlagStatus, typer.Option(help="pending (default), reviewing, resolved or dismissed.")] = (
              FlagStatus.pending),
          org: CommunityOpt = "tales", limit: LimitOpt = 50, as_json: JsonOpt = False) -> None:
    """The moderation queue: reports on ideas, scenes, segments, members and topics, oldest first."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return _dump((await community.list_flags(db, p, status=status, limit=limit)).items)

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("reported", "reason", "target", "status", "id")
    for f in rows:
        target = next(f"{k.removesuffix('_id')} {f[k]}" for k in ("idea_id", "scene_id", "segment_id", "member_id",
                                                                  "topic_id") if f[k])
        table.add_row(f["created_at"][:16], f["reason"], target, f["status"], f["id"])
    print_table(table)


@_command("flag-review")
def flag_review(
    flag: Annotated[UUID, typer.Argument(help="The flag's id ('mediabase stories flags' lists them).")],
    decision: Annotated[FlagDecision, typer.Argument(help="reviewing, resolve or dismiss.")],
    action: Annotated[FlagAction, typer.Option(help="With resolve: what happens to the target (hidden, removed, "
                                                    "locked, rejected, deactivated; none).")] = FlagAction.none,
    notes: Annotated[str | None, typer.Option(help="Why (kept with the resolution).")] = None,
    org: CommunityOpt = "tales",
) -> None:
    """Review a flag. Resolving acts on its target and closes every open flag of that target, in
    one transaction; dismissing closes this flag and changes nothing."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await community.review_flag(db, p, flag, FlagReview(decision=decision, action=action,
                                                                        notes=notes))).model_dump(mode="json")

    f = run(_run())
    console.print(f"flag {f['id']}: {f['status']}" + (f", {f['action_taken']}" if f["action_taken"] else ""))


@_command("fold")
def fold(org: Annotated[str | None, typer.Option("--org", help="Only this organization (default: all).",
                                                 envvar="MEDIABASE_ORG")] = None) -> None:
    """Fold pending like and view deltas into the stored counters now (the worker's upkeep does it
    every maintenance pass; reads are exact either way)."""

    async def _run() -> int:
        async with open_databases() as (_, system):
            org_id = (await identity.organization_by_slug(system, org)).id if org else None
            return await community.fold_counters(system, org_id)

    console.print(f"folded {run(_run())} delta(s)")


@_command("verify")
def verify(org: Annotated[str | None, typer.Option("--org", help="Only this organization (default: all).",
                                                   envvar="MEDIABASE_ORG")] = None,
           as_json: JsonOpt = False) -> None:
    """Recompute every story counter from its rows (scene, segment, contributor, like and view
    counts, durations, last segment times, bible versions) and report each that differs. Exit 1
    if any does."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (_, system):
            orgs = ([await identity.organization_by_slug(system, org)] if org else
                    [await identity.organization_by_slug(system, r["slug"])
                     for r in await identity.list_organizations(system)])
            out = []
            for o in orgs:
                found = await community.verify_counters(system, o.id)
                out += [{"organization": o.slug, **d.model_dump(mode="json")} for d in found]
            return out

    diffs = run(_run())
    if as_json:
        print_json(diffs)
    elif diffs:
        table = Table("organization", "table", "id", "counter", "stored", "actual")
        for d in diffs:
            table.add_row(d["organization"], d["table"], d["id"], d["counter"], str(d["stored"]), str(d["actual"]))
        print_table(table)
    else:
        console.print("every story counter equals its recomputation")
    if diffs:
        fail(f"{len(diffs)} counter(s) differ from their rows")


@_command("publish")
def publish(off: Annotated[bool, typer.Option("--off", help="Unpublish: close the public read path.")] = False,
            org: CommunityOpt = "tales") -> None:
    """Publish the community: anyone may then read its approved stories without a key at
    /public/SLUG/… (active topics, approved ideas, their active and locked scenes, active segments,
    the latest bibles). --off closes that again."""

    async def _run() -> bool:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await public.publish_stories(db, p, on=not off)).published

    console.print(f"{org}: {'published at /public/' + org + '/' if run(_run()) else 'not published'}")


def add_commands(app: typer.Typer) -> None:
    for name, fn in _COMMANDS:
        app.command(name)(fn)
