"""``mediabase stories …``: the story platform from a terminal (docs/stories.md).

A community is an organization (``--org``, default ``tales``: the demo community); the commands
act as its first OWNER. Topics and ideas are named by slug or id, everything else by id (``--json`` shows them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from mediabase.cli.common import JsonOpt, console, fail, open_databases, print_json, print_table, run
from mediabase.common.errors import NotFound
from mediabase.db.connection import Database
from mediabase.identity import service as identity
from mediabase.identity.models import Principal
from mediabase.jobs.service import wait_for
from mediabase.stories import continuations, scenes
from mediabase.stories import service as stories
from mediabase.stories.models import (
    BibleWrite,
    CategoryCreate,
    ContinuationCreate,
    IdeaCreate,
    IdeaSort,
    ProposalCreate,
    ProposalReview,
    ProposalStatus,
    ReviewDecision,
    SceneCreate,
    SceneStatus,
    SceneUpdate,
    SummaryCreate,
    TopicCreate,
)

app = typer.Typer(
    help="The story platform: topics, ideas, scenes, their segments and bibles, continuations.\n\n"
    "A scene grows one segment per continuation: 'mediabase stories continue SCENE TEXT' enqueues a "
    "story.continuation job that a worker ('mediabase worker' or 'mediabase up') turns into the next "
    "segment and bible version. Start with 'mediabase stories topics'.",
    no_args_is_help=True,
)

CommunityOpt = Annotated[str, typer.Option("--org", help="The community's organization slug (the demo's is 'tales').",
                                          envvar="MEDIABASE_ORG")]
TopicArg = Annotated[str, typer.Argument(help="The topic's slug or id.")]
SceneArg = Annotated[UUID, typer.Argument(help="The scene's id ('mediabase stories scenes TOPIC' lists them).")]
LimitOpt = Annotated[int, typer.Option(min=1, max=200, help="How many.")]


async def _topic_id(db: Database, p: Principal, ref: str) -> UUID:
    try:
        return UUID(ref)
    except ValueError:
        pass
    for t in await stories.list_topics(db, p, inactive=True):
        if t.slug == ref:
            return t.id
    raise NotFound(f"no topic with the slug {ref!r} (mediabase stories topics lists them)")


def _dump(items: list[Any]) -> list[dict[str, Any]]:
    return [i.model_dump(mode="json") for i in items]


def _ms(ms: int) -> str:
    return f"{ms // 60_000}:{ms // 1000 % 60:02d}"


# -- topics, categories, proposals --------------------------------------------------------------------


@app.command("topics")
def topics(org: CommunityOpt = "tales", inactive: Annotated[bool, typer.Option(help="Inactive topics too.")] = False,
           as_json: JsonOpt = False) -> None:
    """List the community's topics in display order, with how many scenes each has."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            return _dump(await stories.list_topics(db, await identity.acting_owner(system, org), inactive=inactive))

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("slug", "name", "scenes", "active", "id")
    for t in rows:
        table.add_row(t["slug"], t["name"], str(t["scene_count"]), "yes" if t["is_active"] else "no", t["id"])
    print_table(table)


@app.command("topic-add")
def topic_add(
    name: Annotated[str, typer.Argument(help="The topic's name.")],
    slug: Annotated[str, typer.Option(help="Its URL name: lowercase letters, digits and dashes.")],
    description: Annotated[str | None, typer.Option(help="What belongs under it.")] = None,
    order: Annotated[int, typer.Option(help="Display order (lower first).")] = 0,
    org: CommunityOpt = "tales",
) -> None:
    """Create a curated topic."""

    async def _run() -> str:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            t = await stories.create_topic(db, p, TopicCreate(name=name, slug=slug, description=description,
                                                              display_order=order))
            return str(t.id)

    console.print(f"topic {slug} created: {run(_run())}")


@app.command("category-add")
def category_add(
    topic: TopicArg,
    name: Annotated[str, typer.Argument(help="The category's name.")],
    slug: Annotated[str, typer.Option(help="Unique within the topic.")],
    org: CommunityOpt = "tales",
) -> None:
    """Add a category to a topic (ideas may pick one of their topic's categories)."""

    async def _run() -> str:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            topic_id = await _topic_id(db, p, topic)
            c = await stories.create_category(db, p, topic_id, CategoryCreate(name=name, slug=slug))
            return str(c.id)

    console.print(f"category {slug} created: {run(_run())}")


@app.command("categories")
def categories(topic: TopicArg, org: CommunityOpt = "tales", as_json: JsonOpt = False) -> None:
    """List a topic's categories."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return _dump(await stories.list_categories(db, p, await _topic_id(db, p, topic)))

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("slug", "name", "id")
    for c in rows:
        table.add_row(c["slug"], c["name"], c["id"])
    print_table(table)


@app.command("propose")
def propose(name: Annotated[str, typer.Argument(help="The topic you would like.")],
            description: Annotated[str | None, typer.Option(help="Why, and what belongs under it.")] = None,
            org: CommunityOpt = "tales") -> None:
    """Propose a topic; it waits for a review ('mediabase stories review')."""

    async def _run() -> str:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return str((await stories.propose_topic(db, p, ProposalCreate(name=name, description=description))).id)

    console.print(f"proposal recorded: {run(_run())}")


@app.command("proposals")
def proposals(
    status: Annotated[ProposalStatus | None, typer.Option(help="pending (default), approved or rejected.")] = (
        ProposalStatus.pending),
    org: CommunityOpt = "tales", limit: LimitOpt = 50, as_json: JsonOpt = False,
) -> None:
    """List topic proposals, oldest first (the review queue)."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return _dump((await stories.list_proposals(db, p, status=status, limit=limit)).items)

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("proposed", "status", "name", "id")
    for r in rows:
        table.add_row(r["created_at"][:10], r["status"], r["name"], r["id"])
    print_table(table)


@app.command("review")
def review(
    proposal: Annotated[UUID, typer.Argument(help="The proposal's id.")],
    decision: Annotated[ReviewDecision, typer.Argument(help="approve or reject.")],
    reason: Annotated[str | None, typer.Option(help="Why it is rejected.")] = None,
    promote: Annotated[bool, typer.Option(help="Approve and make it a curated topic.")] = False,
    slug: Annotated[str | None, typer.Option(help="The new topic's slug (default: from the name).")] = None,
    org: CommunityOpt = "tales",
) -> None:
    """Approve or reject a topic proposal; --promote makes an approved one a topic."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            r = await stories.review_proposal(db, p, proposal, ProposalReview(decision=decision, reason=reason,
                                                                              promote=promote, slug=slug))
            return r.model_dump(mode="json")

    r = run(_run())
    console.print(f"{r['name']}: {r['status']}" + (f", topic {r['promoted_topic_id']}" if r["promoted_topic_id"]
                                                     else ""))


# -- ideas and scenes -------------------------------------------------------------------------------


@app.command("ideas")
def ideas(topic: TopicArg, tag: Annotated[str | None, typer.Option(help="Only ideas with this tag.")] = None,
          sort: Annotated[IdeaSort, typer.Option(help="newest, or liked (most liked first).")] = IdeaSort.newest,
          org: CommunityOpt = "tales", limit: LimitOpt = 50, as_json: JsonOpt = False) -> None:
    """List a topic's ideas, newest or most liked first."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            topic_id = await _topic_id(db, p, topic)
            return _dump((await stories.list_ideas(db, p, topic_id, tag=tag, sort=sort, limit=limit)).items)

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("created", "title", "tags", "scenes", "likes", "moderation", "id")
    for i in rows:
        table.add_row(i["created_at"][:10], i["title"], ", ".join(i["tags"]), str(i["scene_count"]),
                      str(i["like_count"]), i["moderation_status"], i["id"])
    print_table(table)


@app.command("idea-add")
def idea_add(
    topic: TopicArg,
    title: Annotated[str, typer.Argument(help="The idea's title.")],
    prompt: Annotated[str, typer.Option(help="The premise scenes grow from.")],
    category: Annotated[UUID | None, typer.Option(help="One of the topic's categories (its id).")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="A tag (repeat for more).")] = None,
    language: Annotated[str | None, typer.Option(help="Its language (en, de, pt-BR…): search stems its texts' "
                                                      "words in it.")] = None,
    org: CommunityOpt = "tales",
) -> None:
    """Submit an idea under a topic."""

    async def _run() -> str:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            i = await stories.create_idea(db, p, IdeaCreate(topic_id=await _topic_id(db, p, topic), title=title,
                                                            prompt=prompt, category_id=category, tags=tag or [],
                                                            language=language))
            return str(i.id)

    console.print(f"idea created: {run(_run())}")


@app.command("scenes")
def scene_list(topic: TopicArg, org: CommunityOpt = "tales", limit: LimitOpt = 50, as_json: JsonOpt = False) -> None:
    """List a topic's scenes, recently active first, with segments, length and bible version."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return _dump((await scenes.list_scenes(db, p, await _topic_id(db, p, topic), limit=limit)).items)

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("title", "status", "segments", "length", "bible", "id")
    for s in rows:
        table.add_row(s["title"], s["status"], str(s["segment_count"]), _ms(s["total_duration_ms"]),
                      f"v{s['bible_version']}", s["id"])
    print_table(table)


@app.command("scene-add")
def scene_add(
    idea: Annotated[UUID, typer.Argument(help="The idea's id.")],
    title: Annotated[str, typer.Argument(help="The scene's title.")],
    bible: Annotated[Path | None, typer.Option(help="A JSON file with the first bible (seed 002's schema, "
                                                     "version 1); default: an empty one.")] = None,
    org: CommunityOpt = "tales",
) -> None:
    """Start a scene from an idea, with its first bible."""
    data = _read_json(bible) if bible else None

    async def _run() -> str:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return str((await scenes.create_scene(db, p, idea, SceneCreate(title=title, bible=data))).id)

    console.print(f"scene created: {run(_run())}")


@app.command("scene")
def scene_show(scene: SceneArg, org: CommunityOpt = "tales", as_json: JsonOpt = False) -> None:
    """Show a scene: status, counters, bible version, and its playlist."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            s = await scenes.get_scene(db, p, scene)
            segs = await scenes.list_segments(db, p, scene, limit=200)
            return {**s.model_dump(mode="json"), "segments": _dump(segs.items)}

    s = run(_run())
    if as_json:
        print_json(s)
        return
    console.print(f"[bold]{s['title']}[/] ({s['status']}) bible v{s['bible_version']}, {s['segment_count']} "
                  f"segment(s), {_ms(s['total_duration_ms'])}, {s['contributor_count']} contributor(s)")
    table = Table("#", "length", "text", "video")
    for g in s["segments"]:
        table.add_row(str(g["sequence"]), _ms(g["duration_ms"]), g["input_text"], g["video_key"])
    print_table(table)


def _set_status(scene: UUID, status: SceneStatus, org: str) -> None:
    async def _run() -> None:
        async with open_databases() as (db, system):
            await scenes.update_scene(db, await identity.acting_owner(system, org), scene, SceneUpdate(status=status))

    run(_run())
    console.print(f"scene {scene} is {status}")


@app.command("lock")
def lock(scene: SceneArg, org: CommunityOpt = "tales") -> None:
    """Lock a scene: it stays readable and takes no more continuations."""
    _set_status(scene, SceneStatus.locked, org)


@app.command("unlock")
def unlock(scene: SceneArg, org: CommunityOpt = "tales") -> None:
    """Unlock a locked scene: it takes continuations again."""
    _set_status(scene, SceneStatus.active, org)


# -- bibles, summaries, continuations ------------------------------------------------------------------


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read it ({exc})")
    except json.JSONDecodeError as exc:
        fail(f"{path}:{exc.lineno}: not JSON ({exc.msg})")
    if not isinstance(data, dict):
        fail(f"{path}: a bible is a JSON object")
    return data


@app.command("bible")
def bible(scene: SceneArg, version: Annotated[int | None, typer.Option(min=1, help="This version (default: the "
                                                                                   "latest).")] = None,
          org: CommunityOpt = "tales") -> None:
    """Print a scene's bible (its continuity data) as JSON."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            b = await (scenes.get_bible(db, p, scene, version) if version else scenes.get_latest_bible(db, p, scene))
            return b.model_dump(mode="json")

    print_json(run(_run()))


@app.command("bible-write")
def bible_write(
    scene: SceneArg,
    file: Annotated[Path, typer.Argument(help="The new bible as JSON; its version is expected-version + 1.")],
    expected_version: Annotated[int, typer.Option(min=1, help="The version it replaces: refused if the scene "
                                                             "moved on meanwhile.")],
    org: CommunityOpt = "tales",
) -> None:
    """Write the next bible version by hand. An invalid bible is refused with the JSON path of the
    error (e.g. $.characters[0].entityId) and nothing is written."""
    data = _read_json(file)

    async def _run() -> int:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await scenes.create_bible(db, p, scene, BibleWrite(expected_version=expected_version,
                                                                       data=data))).version

    console.print(f"bible version {run(_run())} written")


@app.command("summarize")
def summarize(
    scene: SceneArg,
    first: Annotated[int, typer.Argument(min=1, help="The first sequence it covers.")],
    last: Annotated[int, typer.Argument(min=1, help="The last sequence it covers.")],
    summary: Annotated[str, typer.Argument(help="The summary text.")],
    org: CommunityOpt = "tales",
) -> None:
    """Summarize segments FIRST..LAST of a scene (ranges of one scene never overlap)."""

    async def _run() -> str:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            data = SummaryCreate(first_sequence=first, last_sequence=last, summary=summary)
            return str((await scenes.create_summary(db, p, scene, data)).id)

    console.print(f"summary recorded: {run(_run())}")


@app.command("continue")
def continue_(
    scene: SceneArg,
    text: Annotated[str, typer.Argument(help="What happens next, in your words.")],
    wait: Annotated[float, typer.Option(min=0, max=3600, help="Seconds to wait for a worker to finish it "
                                                              "(0: do not wait).")] = 0,
    org: CommunityOpt = "tales",
    as_json: JsonOpt = False,
) -> None:
    """Continue a scene: enqueue a story.continuation job that a worker turns into the scene's next
    segment (script expansion, continuity validation, video generation, upload, finalization).
    If another continuation finalizes first, the job retries against the new bible."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            c = await continuations.continue_scene(db, p, scene, ContinuationCreate(text=text))
            if wait > 0:
                await wait_for(db, c.job_id, wait, org_id=p.organization_id)
                c = await continuations.get_continuation(db, p, c.job_id)
            return c.model_dump(mode="json")

    c = run(_run())
    if as_json:
        print_json(c)
    else:
        console.print(f"continuation {c['job_id']}: {c['state']} (job {c['job_status']}, stage {c['job_stage']})"
                      + (f", segment {c['segment_id']}" if c["segment_id"] else ""))
    if wait > 0 and c["state"] != "finalized":
        fail(f"not finalized after {wait:g} s: {c['state']}" + (f" ({c['message']})" if c["message"] else "")
             + ("; is a worker running? (mediabase worker)" if c["job_status"] == "queued" else ""))


@app.command("continuations")
def continuation_list(scene: SceneArg, org: CommunityOpt = "tales", limit: LimitOpt = 50,
                      as_json: JsonOpt = False) -> None:
    """List a scene's continuations, newest first, with their jobs' stage and progress."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return _dump((await continuations.list_continuations(db, p, scene, limit=limit)).items)

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("created", "state", "job", "stage", "%", "attempts", "text", "job id")
    for c in rows:
        table.add_row(c["created_at"][:19], c["state"], c["job_status"] or "-", c["job_stage"] or "-",
                      str(c["job_progress"] if c["job_progress"] is not None else "-"), str(c["attempts"]),
                      c["input_text"][:40], c["job_id"])
    print_table(table)


def register(root: typer.Typer) -> None:
    from mediabase.cli import stories_community

    stories_community.add_commands(app)
    root.add_typer(app, name="stories", rich_help_panel="Story platform")

