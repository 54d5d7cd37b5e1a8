"""Ingest speed: all 171 AMI meetings through mediabase's ingest, beside raw COPY and row-by-row INSERT.

    python bench/ingest_bench.py [--rounds 3] [--corpus ../shared/data/ami/ami_public_manual_1.6.2.tar.xz]

Every method writes the same rows (a video, a transcript, speakers and the segments of each
meeting) into a freshly migrated database with the same indexes, one transaction per meeting:

- mediabase  the real path: ``ingest_new_video`` as the application role (RLS on; COPY into a
             staging table, then one INSERT … SELECT the tenant policy checks)
- raw COPY   the floor: the same rows, COPY straight into transcript_segments as the owner
             (no RLS, no checks beyond the table's own)
- row-by-row one INSERT per segment, as an ORM would, as the application role

Prints segments per second (median of the rounds) and the ratios. Uses MEDIABASE_DATABASE_URL's
server if set (it must allow CREATE DATABASE), else an embedded server in a temporary folder.
Parsing is timed separately and excluded (every method gets the parsed meetings).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tarfile
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mediabase.config import Settings
from mediabase.db import embedded
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.identity import service as identity
from mediabase.identity.models import OrganizationCreate, Principal, Role, UserCreate
from mediabase.media.models import VideoCreate
from mediabase.transcripts.formats import AmiMeeting, iter_ami_meetings
from mediabase.transcripts.service import _words as words_json
from mediabase.transcripts.service import ingest_new_video

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "ami" / "ami_public_manual_1.6.2.tar.xz"


def load_corpus(path: Path) -> list[AmiMeeting]:
    tmp = Path(tempfile.mkdtemp(prefix="ami-"))
    with tarfile.open(path) as tar:
        tar.extractall(tmp, filter="data")
    root = next(p.parent.parent for p in tmp.rglob("segments/*.segments.xml"))
    return list(iter_ami_meetings(root))


async def fresh_db(admin: str, settings: Settings) -> tuple[str, str]:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(admin, dbname=name)
    await Migrator(url, settings).migrate()
    return name, url


async def tenant(url: str, settings: Settings) -> Principal:
    async with Database(url, settings, role="") as system:
        user, _ = await identity.create_user(system, UserCreate(email="bench@example.com", username="bench"))
        org = await identity.create_organization(system, OrganizationCreate(name="Bench", slug="bench"), user.id)
    return Principal(organization_id=org.id, user_id=user.id, role=Role.OWNER)


def video_for(m: AmiMeeting) -> VideoCreate:
    last = max((s.end_ms for s in m.transcript.segments), default=0)
    return VideoCreate(title=m.meeting_id, language="en", duration_ms=max(m.transcript.duration_ms or 0, last))


async def run_mediabase(url: str, settings: Settings, p: Principal, meetings: list[AmiMeeting]) -> float:
    async with Database(url, settings, role="") as db:
        t0 = time.perf_counter()
        for m in meetings:
            await ingest_new_video(db, p, video_for(m), m.transcript)
        return time.perf_counter() - t0


PARENT_ROWS = """
WITH v AS (INSERT INTO videos (organization_id, title, language, duration_ms, author_id)
           VALUES (%(org)s, %(title)s, 'en', %(duration)s, %(user)s) RETURNING id),
     t AS (INSERT INTO transcripts (organization_id, video_id, version, format, segment_count, created_by)
           SELECT %(org)s, v.id, 1, 'ami', %(n)s, %(user)s FROM v RETURNING id, video_id)
SELECT t.id AS transcript_id, t.video_id FROM t
"""
SPEAKERS = """
INSERT INTO speakers (organization_id, video_id, label, display_name)
SELECT %(org)s, %(video)s, l, n FROM unnest(%(labels)s::text[], %(names)s::text[]) AS x (l, n) RETURNING id, label
"""


async def run_raw(url: str, p: Principal, meetings: list[AmiMeeting], *, row_by_row: bool) -> float:
    kwargs = {"options": "-c search_path=mediabase,public"}
    async with await psycopg.AsyncConnection.connect(url, **kwargs) as conn:
        if row_by_row:
            await conn.execute("SET ROLE mediabase_app")
        await conn.commit()
        t0 = time.perf_counter()
        for m in meetings:
            segs = m.transcript.segments
            async with conn.transaction():
                await conn.execute("SELECT set_config('mediabase.organization_id', %s, true)",
                                   (str(p.organization_id),))
                video = video_for(m)
                cur = await conn.execute(PARENT_ROWS, {"org": p.organization_id, "title": video.title,
                                                       "duration": video.duration_ms, "user": p.user_id,
                                                       "n": len(segs)})
                tid, vid = await cur.fetchone()  # type: ignore[misc]
                labels = sorted({s.speaker for s in segs if s.speaker})
                rows = await (await conn.execute(SPEAKERS, {
                    "org": p.organization_id, "video": vid, "labels": labels,
                    "names": [m.transcript.speakers.get(x) for x in labels]})).fetchall()
                ids = {label: sid for sid, label in rows}
                if row_by_row:
                    for seq, s in enumerate(segs):
                        await conn.execute(
                            "INSERT INTO transcript_segments (organization_id, transcript_id, video_id, seq, start_ms,"
                            " end_ms, speaker_id, text, confidence) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                            (p.organization_id, tid, vid, seq, s.start_ms, s.end_ms,
                             ids.get(s.speaker) if s.speaker else None, s.text, s.confidence))
                        if s.words:
                            await conn.execute(
                                "INSERT INTO transcript_segment_words (organization_id, transcript_id, seq, words)"
                                " VALUES (%s, %s, %s, %s)", (p.organization_id, tid, seq, words_json(s)))
                else:
                    async with conn.cursor().copy(
                        "COPY transcript_segments (organization_id, transcript_id, video_id, seq, start_ms, end_ms,"
                        " speaker_id, text, confidence) FROM STDIN (FORMAT BINARY)"
                    ) as copy:
                        copy.set_types(["uuid", "uuid", "uuid", "int4", "int8", "int8", "uuid", "text", "float4"])
                        for seq, s in enumerate(segs):
                            await copy.write_row((p.organization_id, tid, vid, seq, s.start_ms, s.end_ms,
                                                  ids.get(s.speaker) if s.speaker else None, s.text, s.confidence))
                    async with conn.cursor().copy(
                        "COPY transcript_segment_words (organization_id, transcript_id, seq, words)"
                        " FROM STDIN (FORMAT BINARY)"
                    ) as copy:
                        copy.set_types(["uuid", "uuid", "int4", "jsonb"])
                        for seq, s in enumerate(segs):
                            if s.words:
                                await copy.write_row((p.organization_id, tid, seq, words_json(s)))
        return time.perf_counter() - t0


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--row-by-row-rounds", type=int, default=1, help="row-by-row is slow; fewer rounds")
    args = ap.parse_args()

    t0 = time.perf_counter()
    meetings = load_corpus(args.corpus)
    parse_s = time.perf_counter() - t0
    n = sum(len(m.transcript.segments) for m in meetings)
    print(f"parsed {len(meetings)} meetings, {n} segments in {parse_s:.1f} s ({n / parse_s:,.0f} segments/s)")

    data_dir = None
    if os.environ.get("MEDIABASE_DATABASE_URL"):
        admin = os.environ["MEDIABASE_DATABASE_URL"]
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="mbbench-"))
        admin = embedded.server_url(_start(data_dir))
    settings = Settings.model_validate({"database_url": admin, "pool_min_size": 1, "pool_max_size": 2})
    results: dict[str, list[float]] = {"mediabase": [], "raw COPY": [], "row-by-row": []}
    try:
        for r in range(args.rounds):
            for method in ("raw COPY", "mediabase", "row-by-row"):
                if method == "row-by-row" and r >= args.row_by_row_rounds:
                    continue
                name, url = await fresh_db(admin, settings)
                p = await tenant(url, settings)
                if method == "mediabase":
                    secs = await run_mediabase(url, settings, p, meetings)
                else:
                    secs = await run_raw(url, p, meetings, row_by_row=method == "row-by-row")
                results[method].append(n / secs)
                print(f"round {r + 1} {method:<11} {secs:7.2f} s  {n / secs:10,.0f} segments/s", flush=True)
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        if data_dir is not None:
            embedded.stop(Settings.model_validate({"data_dir": data_dir}))
    med = {k: statistics.median(v) for k, v in results.items() if v}
    rbr = med.get("row-by-row", float("nan"))
    print()
    print(f"{'method':<12} {'segments/s (median)':>20} {'vs raw COPY':>12} {'vs row-by-row':>14}")
    for k, v in med.items():
        print(f"{k:<12} {v:>20,.0f} {v / med['raw COPY']:>11.2f}x {v / rbr:>13.1f}x")
    print(f"\ngoal: mediabase >= 0.8x raw COPY ({med['mediabase'] / med['raw COPY']:.2f}x) "
          f"and >= 20x row-by-row ({med['mediabase'] / rbr:.1f}x)")


def _start(data_dir: Path) -> Settings:
    s = Settings.model_validate({"data_dir": data_dir})
    embedded.start(s)
    return s


if __name__ == "__main__":
    asyncio.run(main())
