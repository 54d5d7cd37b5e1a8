"""``mediabase ingest | export | videos``: getting transcripts in and out."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mediabase.cli.common import (
    JsonOpt,
    OrgOpt,
    console,
    database_url,
    err_console,
    fail,
    open_databases,
    print_json,
    print_table,
    run,
    settings,
)
from mediabase.db import drizzle
from mediabase.db.errors import Invalid
from mediabase.db.migrator import Migrator
from mediabase.identity import service as identity
from mediabase.media import service as media
from mediabase.media.models import VideoFilter
from mediabase.transcripts import ingest as bulk
from mediabase.transcripts import service as transcripts
from mediabase.transcripts.models import ExportFormat, SourceStatus

videos_app = typer.Typer(help="List and inspect videos.", no_args_is_help=True)


def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Transcript files, folders of them, an AMI corpus folder, or one meeting of it as"
            " CORPUS/MEETING (e.g. ami/ES2002b, as the report names it)."
        ),
    ],
    org: OrgOpt = "demo",
    title: Annotated[str | None, typer.Option(help="Video title (one file only; default: the file name).")] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", help="srt, vtt, whisper, json or ami (default: from the file name and content)."),
    ] = None,
    language: Annotated[str | None, typer.Option(help="Language code of the transcript, e.g. en, de, pt-BR.")] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            help="Read the files as this text encoding, e.g. cp1252 (default: a byte order mark, else UTF-8,"
            " else a guess, which the report names)."
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            metavar="MEETING",
            help="Only this AMI meeting of the corpus folders given (repeat for more), e.g. --only ES2002b;"
            " an id that none of them has is refused before anything is written.",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Load a source that changed since it was ingested as a new transcript version of its video"
            " (without it a changed source is reported and not loaded).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Load transcripts: each file (or AMI meeting) becomes a video with its transcript.

    Every file loads in its own transaction: a bad file is refused with its line and
    reason and writes nothing; the others still load. Only regular files are read, and none
    over 50 MiB. A file that declares no encoding (no byte order mark) and is not UTF-8 is read
    as a guessed encoding, which the report names (pass --encoding to choose); bytes that no
    encoding explains are refused.

    Ingesting again is safe: every video records its source (a file by its format and content,
    an AMI meeting by its id), so a source already loaded and unchanged is skipped, one that
    changed is reported as changed and not loaded (--replace loads it as a new transcript
    version of the same video), and the rest loads. After an interrupted run, run the same
    command again. Exit 1 if anything was refused or changed and not loaded, if the database
    went away, or if nothing was found.
    """
    if format is not None and format not in ("srt", "vtt", "whisper", "json", "ami"):
        fail(f"--format must be one of srt, vtt, whisper, json, ami (got {format!r})")
    if title and (len(paths) > 1 or paths[0].is_dir()):
        fail("--title names one video; give exactly one file with it")
    if only:
        unknown, not_ami = bulk.unknown_meetings(paths, only)
        if not_ami:
            fail(f"--only picks meetings of AMI corpus folders; not one: {', '.join(map(str, not_ami))}")
        if unknown:
            fail(f"--only: no meeting {', '.join(unknown)} in {', '.join(map(str, paths))}; nothing was loaded")

    async def _run() -> tuple[list[bulk.Outcome], bulk.Stopped | None]:
        async with open_databases() as (app_db, system):
            principal = await identity.acting_owner(system, org)
            items = bulk.discover(paths, fmt=format, title=title, language=language, encoding=encoding, only=only)
            with Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err_console,
                disable=as_json or not err_console.is_terminal,
            ) as bar:
                task = bar.add_task("ingesting", total=None)

                def done(o: bulk.Outcome) -> None:
                    bar.update(task, advance=1, description=f"ingesting {Path(o.source).name}")

                try:
                    return await bulk.ingest(app_db, principal, items, on_done=done, replace=replace), None
                except bulk.Stopped as exc:
                    return exc.outcomes, exc

    # the pool's reconnection attempts are not the user's business: the report says what happened
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)
    outcomes, stopped = run(_run())
    by = {s: [o for o in outcomes if o.status is s] for s in SourceStatus}
    refused = [o for o in outcomes if o.error is not None]
    if as_json:
        print_json({
            **{s.value: [_outcome_json(o) for o in by[s]] for s in SourceStatus},
            "refused": [{"source": o.source, "error": o.error} for o in refused],
            "stopped": str(stopped.cause) if stopped else None,
        })
    else:
        _report(org, by, refused, stopped)
    raise typer.Exit(1 if refused or by[SourceStatus.changed] or stopped or not outcomes else 0)


def _outcome_json(o: bulk.Outcome) -> dict[str, object]:
    out: dict[str, object] = {"source": o.source, "title": o.title, "video_id": o.video_id, "source_key": o.source_key}
    if o.status in (SourceStatus.loaded, SourceStatus.replaced):
        out.update(
            segments=o.segments,
            speakers=o.speakers,
            transcript_version=o.version,
            encoding=o.encoding,
            encoding_guessed=o.encoding_guessed,
        )
    return out


def _report(
    org: str, by: dict[SourceStatus, list[bulk.Outcome]], refused: list[bulk.Outcome], stopped: bulk.Stopped | None
) -> None:
    """One line per source not loaded anew (skipped, replaced, changed, refused), then the counts."""
    for o in by[SourceStatus.skipped]:
        console.print(f"{escape(o.source)}: skipped (already loaded)", soft_wrap=True)
    for o in by[SourceStatus.replaced]:
        console.print(f"{escape(o.source)}: replaced (changed; transcript version {o.version})", soft_wrap=True)
    loaded = by[SourceStatus.loaded]
    console.print(
        f"loaded {len(loaded)} video(s), {sum(o.segments for o in loaded)} segments into {org};"
        f" skipped {len(by[SourceStatus.skipped])} (already loaded); replaced {len(by[SourceStatus.replaced])};"
        f" changed {len(by[SourceStatus.changed])}; refused {len(refused)}",
        soft_wrap=True,
    )
    for o in loaded + by[SourceStatus.replaced]:
        if o.encoding_guessed:
            err_console.print(
                f"note: {escape(o.source)}: no encoding declared and not UTF-8: read as {o.encoding}"
                " (a guess; --encoding to read it otherwise)",
                soft_wrap=True,
            )
    for o in by[SourceStatus.changed]:
        err_console.print(
            f"[red]changed[/] {escape(o.source)}: differs from what video {o.video_id} was loaded from; not loaded"
            " (--replace loads it as a new transcript version)",
            soft_wrap=True,
        )
    for o in refused:
        err_console.print(f"[red]refused[/] {escape(str(o.error))}", soft_wrap=True)
    if stopped:
        err_console.print(
            f"[red]stopped[/]: {escape(str(stopped.cause))}; the {len(loaded)} video(s) above are loaded, the file"
            " that was loading left nothing, and the rest were not tried: run the same command again once"
            " the database is back (what is loaded is skipped)", soft_wrap=True)


DRIZZLE = "drizzle"


def export(
    video: Annotated[str, typer.Argument(
        help="The video id, or 'drizzle' for the database's Drizzle ORM schema (TypeScript).")],
    format: Annotated[ExportFormat | None, typer.Option(
        "--format", help="srt, vtt or json (default vtt); a video's transcript only.")] = None,
    org: OrgOpt = "demo",
    output: Annotated[Path | None, typer.Option(
        "--output", "--out", "-o", help="Write to a file instead of stdout.")] = None,
) -> None:
    """Print a video's current transcript as SRT, WebVTT or JSON, or the Drizzle schema.

    'mediabase export drizzle --out schema.ts' writes a Drizzle ORM schema of the database, read
    from its catalog: every table (partitioned ones as their parent), composite keys, relations on
    all their columns, CHECKs, row-level security policies, views, pgvector. For TypeScript
    clients that query the database directly (docs/clients.md; drizzle-kit pull gets this schema
    wrong). The database must be migrated.
    """
    if video == DRIZZLE:
        if format is not None:
            raise typer.BadParameter("--format is for a video's transcript, not the Drizzle schema",
                                     param_hint="'--format'")
        text = run(_drizzle())
    else:
        try:
            video_id = UUID(video)
        except ValueError:
            raise typer.BadParameter(f"{video!r} is neither a video id (a UUID) nor 'drizzle'",
                                     param_hint="'VIDEO'") from None

        async def _run() -> str:
            async with open_databases() as (app_db, system):
                principal = await identity.acting_owner(system, org)
                return await transcripts.export_transcript(app_db, principal, video_id, format or ExportFormat.vtt)

        text = run(_run())
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        typer.echo(text, nl=False)


async def _drizzle() -> str:
    url = database_url()
    await Migrator(url, settings()).ensure_current()
    return await drizzle.export(url, settings())


@videos_app.command("list")
def videos_list(
    org: OrgOpt = "demo",
    tag: Annotated[str | None, typer.Option(help="Only videos with this tag.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many (newest first).")] = 50,
    deleted: Annotated[bool, typer.Option(help="List soft-deleted videos instead.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List an organization's videos, newest first."""

    async def _run() -> list[dict[str, object]]:
        async with open_databases() as (app_db, system):
            principal = await identity.acting_owner(system, org)
            page = await media.list_videos(app_db, principal, VideoFilter(tag=tag, deleted=deleted), limit=limit)
            return [v.model_dump(mode="json") for v in page.items]

    try:
        rows = run(_run())
    except Invalid as exc:
        fail(str(exc))
    if as_json:
        print_json(rows)
        return
    # "recorded" is the source's date (unknown when it gave none); "added" is when mediabase got it
    table = Table("title", "status", "duration", "recorded", "added", "language", "tags", "id")
    for v in rows:
        ms = v["duration_ms"]
        duration = f"{int(ms) // 60000}:{int(ms) // 1000 % 60:02d}" if isinstance(ms, int) else ""
        table.add_row(
            escape(str(v["title"])),
            str(v["processing_status"]),
            duration,
            str(v["recorded_at"] or "unknown")[:10],
            str(v["created_at"])[:10],
            str(v["language"] or ""),
            escape(", ".join(str(t) for t in v["tags"])),  # type: ignore[attr-defined]
            str(v["id"]),
        )
    print_table(table, titles=["title"], drop=["added", "language", "tags", "recorded", "duration"])


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Content")(ingest)
    app.command(rich_help_panel="Content")(export)
    app.add_typer(videos_app, name="videos", rich_help_panel="Content")
