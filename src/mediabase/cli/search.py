"""``mediabase search`` and ``mediabase reindex``."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.markup import escape

from mediabase.cli.common import JsonOpt, OrgOpt, console, err_console, fail, open_databases, print_json, run
from mediabase.search.models import Match, SearchFilters, SearchMode, SearchPage, SearchRequest


def parse_position(value: str | None) -> int | None:
    """'754', '12:34', '1:02:03' or '12:34.5' → milliseconds."""
    if value is None:
        return None
    m = re.fullmatch(r"(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)", value.strip())
    if m is None:
        raise typer.BadParameter(f"{value!r} is not a position: use seconds, mm:ss or hh:mm:ss")
    parts = [p for p in m.groups() if p is not None]
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + float(p)
    return round(seconds * 1000)


def clock(ms: int) -> str:
    s = ms // 1000
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def _snippet_markup(snippet: str) -> str:
    """The API's HTML snippet as rich markup: matches bold and yellow, the rest plain."""
    out: list[str] = []
    for i, part in enumerate(re.split(r"</?mark>", snippet)):
        text = escape(html.unescape(part))
        out.append(f"[bold yellow]{text}[/]" if i % 2 else text)
    return "".join(out)


def _print_page(page: SearchPage) -> None:
    what = page.mode.value + (f" ({page.model})" if page.model else "")
    console.print(f"[bold]{escape(page.query)}[/] — {what}, {len(page.hits)} hit(s)"
                  + (" [dim](some words)[/]" if page.relaxed else ""))
    for note in page.notices:
        err_console.print(f"[dim]{escape(note)}[/]")
    if page.groups is not None:
        n = 0
        for g in page.groups:
            console.print(f"\n[bold cyan]{escape(g.video_title)}[/]  [dim]{g.video_id}  score {g.score:.4f}[/]")
            for h in g.hits:
                n += 1
                _print_hit(n, h, show_title=False)
    else:
        for i, h in enumerate(page.hits, start=1):
            _print_hit(i, h, show_title=True)
    if page.next_cursor:
        console.print(f"\n[dim]more: --cursor {page.next_cursor}[/]")


def _print_hit(i: int, h: Any, *, show_title: bool) -> None:
    who = h.speaker or ("(title, tags, description)" if h.kind == "video" else "")
    title = f"[bold cyan]{escape(h.video_title)}[/]  " if show_title else ""
    console.print(f"\n{i:>2}  {title}[green]{clock(h.start_ms)}–{clock(h.end_ms)}[/]  [magenta]{escape(who)}[/]"
                  f"  [dim]score {h.score:.4f}[/]")
    console.print("    " + _snippet_markup(h.snippet), soft_wrap=False)
    console.print(f"    [dim]{escape(h.deep_link)}[/]")


def search(
    query: Annotated[str, typer.Argument(help='What to find. Keyword syntax: "a phrase", or, -exclude.')],
    mode: Annotated[SearchMode | None, typer.Option(
        "--mode", "-m", help="keyword, semantic or hybrid (default: hybrid if semantic search is "
                             "installed, else keyword).")] = None,
    org: OrgOpt = "demo",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100, help="Hits per page.")] = 10,
    cursor: Annotated[str | None, typer.Option(help="The next page's cursor, as printed.")] = None,
    group: Annotated[bool, typer.Option("--group", help="Group hits by video.")] = False,
    per_video: Annotated[int, typer.Option(min=1, max=20, help="Hits per video with --group.")] = 3,
    video: Annotated[list[UUID] | None, typer.Option("--video", help="Only this video (repeatable).")] = None,
    channel: Annotated[UUID | None, typer.Option(help="Only videos of this channel.")] = None,
    series: Annotated[UUID | None, typer.Option(help="Only videos of this series.")] = None,
    collection: Annotated[UUID | None, typer.Option(help="Only videos of this collection.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only videos with this tag (repeatable: all).")] = None,
    speaker: Annotated[str | None, typer.Option(help="Only this speaker (label or display name).")] = None,
    speaker_id: Annotated[list[UUID] | None, typer.Option("--speaker-id", help="Only this speaker id.")] = None,
    person: Annotated[list[UUID] | None, typer.Option("--person", help="Only speakers who are this person.")] = None,
    language: Annotated[str | None, typer.Option(help="Only transcripts in this language (en, de, pt-BR…).")] = None,
    recorded_from: Annotated[datetime | None, typer.Option(help="Recorded at or after.")] = None,
    recorded_to: Annotated[datetime | None, typer.Option(help="Recorded before.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="Position at or after (mm:ss).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Position before (mm:ss).")] = None,
    match: Annotated[Match, typer.Option(help="Keyword: every word (all) or any word.")] = Match.all,
    keyword_weight: Annotated[float, typer.Option(min=0, help="Hybrid: weight of the keyword list.")] = 1.0,
    semantic_weight: Annotated[float, typer.Option(min=0, help="Hybrid: weight of the semantic list.")] = 1.0,
    rrf_k: Annotated[int, typer.Option(min=1, help="Hybrid: the k of reciprocal rank fusion.")] = 60,
    min_similarity: Annotated[float | None, typer.Option(
        min=-1, max=1, help="Semantic/hybrid: leave out chunks less similar to the query (cosine; -1 keeps "
                            "all; default MEDIABASE_SEARCH_MIN_SIMILARITY).")] = None,
    score_floor: Annotated[float | None, typer.Option(
        min=0, max=1, help="Hybrid: leave out hits scoring below this share of the best one (0 keeps all; "
                           "default MEDIABASE_SEARCH_SCORE_FLOOR).")] = None,
    model: Annotated[str | None, typer.Option(help="Embedding model (default: MEDIABASE_EMBEDDING_MODEL).")] = None,
    index: Annotated[bool, typer.Option(help="Semantic/hybrid: first index transcripts not indexed yet.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Search an organization's transcripts: the moments that match, with speaker and time.

    Keyword search needs nothing extra; semantic and hybrid need the semantic extra
    (pip install 'mediabase[semantic]') or an embedding endpoint (MEDIABASE_EMBEDDING_URL).
    """
    try:
        req = SearchRequest(
            q=query, mode=mode, limit=limit, cursor=cursor, group_by_video=group, per_video=per_video,
            match=match, keyword_weight=keyword_weight, semantic_weight=semantic_weight, rrf_k=rrf_k,
            min_similarity=min_similarity, score_floor=score_floor,
            filters=SearchFilters(
                video_ids=video or [], channel_id=channel, series_id=series, collection_id=collection,
                tags=tag or [], speaker_ids=speaker_id or [], person_ids=person or [], speaker=speaker,
                language=language, recorded_from=recorded_from, recorded_to=recorded_to,
                from_ms=parse_position(from_), to_ms=parse_position(to)))
    except ValueError as exc:
        fail(str(exc).replace("\n", " "))

    async def _run() -> SearchPage:
        from mediabase.cli.common import settings as get_settings
        from mediabase.identity import service as identity
        from mediabase.search import search as do_search
        from mediabase.search.indexing import reindex
        from mediabase.search.vectors import embedder_for, semantic_available

        s = get_settings()
        async with open_databases() as (app_db, system):
            principal = await identity.acting_owner(system, org)
            semantic = req.mode is not SearchMode.keyword and (
                req.mode is not None or model is not None or semantic_available(s))
            embedder = embedder_for(s, model) if semantic else None
            if semantic and index and req.cursor is None:
                await _index_missing(system, s, principal.organization_id, model, reindex)
            return await do_search(app_db, principal, req, settings=s, embedder=embedder, model=model)

    page = run(_run())
    if as_json:
        print_json(page.model_dump(mode="json"))
    else:
        _print_page(page)


async def _index_missing(system: Any, s: Any, org_id: UUID, model: str | None, reindex: Any) -> None:
    """Index the organization's transcripts that have no vectors yet (the demo's first search)."""
    from mediabase.search.indexing import Q as IQ
    from mediabase.search.vectors import model_name

    name = model_name(s, model)
    async with system.transaction() as conn:
        rows = await (await conn.execute(IQ.reindex_targets, {
            "orgs": [org_id], "videos": None, "model": name, "missing_only": True})).fetchall()
    if not rows:
        return
    err_console.print(f"[dim]indexing {len(rows)} transcript(s) for semantic search with {name} "
                      "(once; a worker does this after ingest)…[/]")
    await reindex(system, s, org_ids=[org_id], model=model, missing_only=True)


def reindex_cmd(
    model: Annotated[str | None, typer.Option(help="Embedding model (default: MEDIABASE_EMBEDDING_MODEL); "
                                                   "a new model gets its own vectors and HNSW index.")] = None,
    org: Annotated[list[str] | None, typer.Option("--org", help="Only this organization (repeatable; "
                                                                 "default: all).")] = None,
    video: Annotated[list[UUID] | None, typer.Option("--video", help="Only this video (repeatable).")] = None,
    missing: Annotated[bool, typer.Option("--missing", help="Only transcripts not fully indexed yet.")] = False,
    drop_model: Annotated[str | None, typer.Option(help="Delete this model's vectors and index instead.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild the search index: chunks and vectors of current transcripts, synchronously.

    Also corrects segments' text-search configurations and creates the model's HNSW index
    (concurrently). Keyword search needs no reindex: its vectors are generated columns.
    """

    async def _run() -> dict[str, Any]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from mediabase.cli.common import settings as get_settings
        from mediabase.identity import service as identity
        from mediabase.search.indexing import drop_model as do_drop
        from mediabase.search.indexing import reindex

        s = get_settings()
        async with open_databases() as (_, system):
            url = system.direct_url  # CREATE/DROP INDEX CONCURRENTLY as the owner: a real session
            if drop_model:
                n = await do_drop(system, drop_model, owner_url=url)
                return {"dropped_model": drop_model, "chunks_deleted": n}
            orgs = [(await identity.organization_by_slug(system, slug)).id for slug in org] if org else None
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=err_console, disable=as_json or not err_console.is_terminal) as bar:
                task = bar.add_task("indexing", total=None)

                def progress(done: int, total: int, _: Any) -> None:
                    bar.update(task, completed=done, total=total)

                report = await reindex(system, s, org_ids=orgs, model=model, missing_only=missing,
                                       video_ids=video, owner_url=url, on_progress=progress)
            out: dict[str, Any] = {k: getattr(report, k) for k in report.__slots__}
            return out

    out = run(_run())
    if as_json:
        print_json(out)
        return
    if "dropped_model" in out:
        console.print(f"dropped model {out['dropped_model']}: {out['chunks_deleted']} chunks deleted")
        return
    console.print(f"reindexed {out['transcripts']} transcript(s) for {out['model']}: {out['chunks']} chunks, "
                  f"{out['embedded']} embedded, {out['skipped']} skipped, "
                  f"{out['segments_fixed']} segment configs fixed in {out['seconds']} s"
                  + (f"; index {out['index']}" if out["index"] else ""))
    if out["error"]:
        err_console.print(f"[yellow]vectors not computed:[/] {escape(str(out['error']))}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Content")(search)
    app.command("reindex", rich_help_panel="Operations")(reindex_cmd)
