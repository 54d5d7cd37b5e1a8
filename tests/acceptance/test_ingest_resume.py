"""Ingest that resumes without duplicates (issue 26, defect 3), as an operator meets it: the CLI
as a subprocess on a real server. A partial ingest and the full one after it make one video per
source; an unchanged source is skipped, a changed one reported or (``--replace``) loaded as a new
transcript version; ``--only`` and ``CORPUS/MEETING`` retry one meeting; two ingests at once make
one video per source. And the faults: SIGKILL of the postmaster during an ingest leaves no
partial transcript, and the re-run loads exactly the rest; for any kill point the database is a
prefix of the work, never a fragment (a property).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from mediabase.config import Settings
from mediabase.db import embedded
from tests.acceptance.cli import mediabase

AMI = Path(__file__).resolve().parent.parent / "data" / "ami" / "ES2002"
MEETINGS = ["ES2002a", "ES2002b", "ES2002c", "ES2002d"]
FAULT_EXAMPLES = settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example kills and starts a server
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def ingest(*args: str, url: str | None = None, data_dir: Path | None = None) -> tuple[int, dict[str, Any], str]:
    """``mediabase ingest … --json`` on ``url`` or the embedded server in ``data_dir``: exit code,
    report, stderr."""
    if data_dir is not None:
        r = mediabase("ingest", *args, "--json", MEDIABASE_DATA_DIR=str(data_dir))
    else:
        r = mediabase("ingest", *args, "--json", url=url)
    assert "Traceback" not in r.stderr, r.stderr
    return r.returncode, (json.loads(r.stdout) if r.stdout.strip() else {}), r.stderr


def names(report: dict[str, Any], status: str) -> list[str]:
    return sorted(Path(o["source"]).name for o in report[status])


def videos(url: str, org: str, prefix: str = "") -> list[dict[str, Any]]:
    """Each live video of ``org`` (whose title starts with ``prefix``) with its transcripts:
    versions, segments declared and stored, indexing jobs."""
    with psycopg.connect(url) as conn:
        cur = conn.cursor(row_factory=psycopg.rows.dict_row)
        return cur.execute(
            """SELECT v.id, v.title, v.source_key, v.source_sha256,
                      (SELECT count(*) FROM mediabase.transcripts t
                        WHERE t.organization_id = v.organization_id AND t.video_id = v.id) AS versions,
                      (SELECT t.segment_count FROM mediabase.transcripts t
                        WHERE t.organization_id = v.organization_id AND t.video_id = v.id AND t.is_current) AS declared,
                      (SELECT count(*) FROM mediabase.transcript_segments s JOIN mediabase.transcripts t
                           ON t.organization_id = s.organization_id AND t.id = s.transcript_id AND t.is_current
                        WHERE s.organization_id = v.organization_id AND s.video_id = v.id) AS segments,
                      (SELECT count(*) FROM mediabase.jobs j
                        WHERE j.organization_id = v.organization_id AND j.type = 'transcript.index'
                          AND j.input->>'video_id' = v.id::text) AS index_jobs
                 FROM mediabase.videos v JOIN mediabase.organizations o ON o.id = v.organization_id
                WHERE o.slug = %s AND v.deleted_at IS NULL AND starts_with(v.title, %s) ORDER BY v.title""",
            (org, prefix),
        ).fetchall()


def segment_text(url: str, video_id: Any) -> str:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT s.text FROM mediabase.transcript_segments s JOIN mediabase.transcripts t"
            " ON t.organization_id = s.organization_id AND t.id = s.transcript_id AND t.is_current"
            " WHERE s.video_id = %s ORDER BY s.seq", (video_id,)).fetchall()
    return "\n".join(r[0] for r in rows)


# -- resuming on the test AMI meetings (the session's server) ---------------------------------------


@pytest.fixture
def acme(migrated_url: str) -> str:
    assert mediabase("org", "create", "acme", url=migrated_url).returncode == 0
    return migrated_url


def test_a_partial_ingest_resumes_with_exactly_the_rest_and_a_rerun_loads_nothing(acme: str) -> None:
    code, first, _ = ingest(str(AMI), "--org", "acme", "--only", "ES2002b", "--only", "ES2002d", url=acme)
    assert code == 0 and names(first, "loaded") == ["ES2002b", "ES2002d"], first
    assert [o["source_key"] for o in first["loaded"]] == ["ami:ES2002b", "ami:ES2002d"]

    code, full, err = ingest(str(AMI), "--org", "acme", url=acme)
    assert code == 0, err
    assert names(full, "loaded") == ["ES2002a", "ES2002c"] and names(full, "skipped") == ["ES2002b", "ES2002d"]
    assert full["replaced"] == full["changed"] == full["refused"] == []
    have = videos(acme, "acme")
    assert [v["title"] for v in have] == MEETINGS  # one video per source
    assert all(v["versions"] == 1 and v["declared"] == v["segments"] > 0 for v in have), have
    skipped = {o["title"]: o["video_id"] for o in full["skipped"]}
    assert skipped == {v["title"]: str(v["id"]) for v in have if v["title"] in skipped}

    again = mediabase("ingest", str(AMI), "--org", "acme", url=acme)  # as a user reads it
    assert again.returncode == 0, again.stderr
    assert [f"{AMI}/{m}: skipped (already loaded)" for m in MEETINGS] == again.stdout.splitlines()[:4]
    assert again.stdout.splitlines()[4] == (
        "loaded 0 video(s), 0 segments into acme; skipped 4 (already loaded); replaced 0; changed 0; refused 0")
    assert videos(acme, "acme") == have  # nothing written


def test_a_changed_meeting_is_reported_and_replace_loads_it_as_a_new_version(acme: str, tmp_path: Path) -> None:
    corpus = tmp_path / "ES2002"
    shutil.copytree(AMI, corpus)
    assert ingest(str(corpus), "--org", "acme", url=acme)[0] == 0
    before = videos(acme, "acme")
    words = corpus / "words" / "ES2002c.A.words.xml"
    edited = words.read_text().replace('endtime="0.13">to</w>', 'endtime="0.13">toward</w>', 1)
    assert edited != words.read_text()
    words.write_text(edited)

    code, report, err = ingest(str(corpus), "--org", "acme", url=acme)
    assert code == 1  # a changed source is not loaded without --replace, and that is not success
    assert names(report, "changed") == ["ES2002c"] and names(report, "skipped") == ["ES2002a", "ES2002b", "ES2002d"]
    assert report["loaded"] == report["replaced"] == []
    assert videos(acme, "acme") == before  # nothing written

    code, report, err = ingest(str(corpus), "--org", "acme", "--replace", url=acme)
    assert code == 0, err
    [replaced] = report["replaced"]
    assert replaced["title"] == "ES2002c" and replaced["transcript_version"] == 2
    after = videos(acme, "acme")
    assert [v["id"] for v in after] == [v["id"] for v in before]  # same videos, same count
    c_before, c_after = (next(v for v in vs if v["title"] == "ES2002c") for vs in (before, after))
    assert str(c_after["id"]) == replaced["video_id"]
    assert c_after["versions"] == 2 and c_after["declared"] == c_after["segments"] == c_before["segments"]
    assert c_after["source_sha256"] != c_before["source_sha256"] and c_after["index_jobs"] == 2
    assert "toward" in segment_text(acme, c_after["id"])
    assert [v for v in after if v["title"] != "ES2002c"] == [v for v in before if v["title"] != "ES2002c"]

    text = mediabase("ingest", str(corpus), "--org", "acme", "--replace", url=acme)
    assert text.returncode == 0 and text.stdout.count("skipped (already loaded)") == 4  # unchanged now
    assert videos(acme, "acme") == after


def test_a_changed_meeting_is_told_in_one_line(acme: str, tmp_path: Path) -> None:
    corpus = tmp_path / "ES2002"
    shutil.copytree(AMI, corpus)
    assert ingest(f"{corpus}/ES2002a", "--org", "acme", url=acme)[0] == 0
    (corpus / "corpusResources" / "meetings.xml").unlink()  # the roles' names and the date go
    text = mediabase("ingest", f"{corpus}/ES2002a", "--org", "acme", url=acme)
    assert text.returncode == 1 and "Traceback" not in text.stderr
    assert text.stderr.startswith(f"changed {corpus}/ES2002a: differs from what video "), text.stderr
    assert text.stderr.rstrip().endswith("was loaded from; not loaded (--replace loads it as a new transcript version)")
    assert "changed 1; refused 0" in text.stdout


def test_one_meeting_is_retried_by_only_or_by_its_path(acme: str) -> None:
    code, report, _ = ingest(f"{AMI}/ES2002c", "--org", "acme", url=acme)  # as the report names it
    assert code == 0 and names(report, "loaded") == ["ES2002c"]
    assert report["loaded"][0]["source"] == f"{AMI}/ES2002c"
    code, report, _ = ingest(f"{AMI}/ES2002c", "--org", "acme", url=acme)
    assert code == 0 and names(report, "skipped") == ["ES2002c"] and report["loaded"] == []
    code, report, _ = ingest(str(AMI), "--org", "acme", "--only", "ES2002a", url=acme)
    assert code == 0 and names(report, "loaded") == ["ES2002a"] and report["skipped"] == []
    assert [v["title"] for v in videos(acme, "acme")] == ["ES2002a", "ES2002c"]


def test_only_with_an_unknown_meeting_is_refused_before_anything_is_written(acme: str, tmp_path: Path) -> None:
    r = mediabase("ingest", str(AMI), "--org", "acme", "--only", "ES2002a", "--only", "ES2009b", url=acme)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert f"error: --only: no meeting ES2009b in {AMI}; nothing was loaded" in r.stderr, r.stderr
    srt = tmp_path / "talk.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nhello\n")
    r = mediabase("ingest", str(AMI), str(srt), "--org", "acme", "--only", "ES2002a", url=acme)
    assert r.returncode != 0 and f"--only picks meetings of AMI corpus folders; not one: {srt}" in r.stderr
    assert videos(acme, "acme") == []


def test_a_file_is_its_content_wherever_it_lies(acme: str, tmp_path: Path) -> None:
    """A file's key is its format and content: a copy elsewhere is the same source; an edited
    file is another source (a new video)."""
    text = "1\n00:00:01,000 --> 00:00:02,000\nfirst line\n\n2\n00:00:02,500 --> 00:00:04,000\nsecond\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "talk.srt").write_text(text)
    (tmp_path / "b" / "copy.srt").write_text(text)
    code, report, _ = ingest(str(tmp_path / "a"), str(tmp_path / "b"), "--org", "acme", url=acme)
    assert code == 0 and names(report, "loaded") == ["talk.srt"] and names(report, "skipped") == ["copy.srt"]
    assert report["loaded"][0]["source_key"].startswith("srt:") and len(report["loaded"][0]["source_key"]) == 68
    (tmp_path / "a" / "talk.srt").write_text(text.replace("second", "second, edited"))
    code, report, _ = ingest(str(tmp_path / "a"), str(tmp_path / "b"), "--org", "acme", url=acme)
    assert code == 0 and names(report, "loaded") == ["talk.srt"] and names(report, "skipped") == ["copy.srt"]
    assert len(videos(acme, "acme")) == 2


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_two_ingests_of_one_corpus_at_once_make_one_video_per_meeting(acme: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    env.update(MEDIABASE_DATABASE_URL=acme, COLUMNS="200")
    procs = [
        subprocess.Popen([sys.executable, "-m", "mediabase", "ingest", str(AMI), "--org", "acme", "--json"],
                         env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        for _ in range(2)
    ]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0 and "Traceback" not in err, err
        reports.append(json.loads(out))
    loaded = sorted(n for r in reports for n in names(r, "loaded"))
    assert loaded == MEETINGS, reports  # each meeting loaded by exactly one of the two
    assert sorted(loaded + [n for r in reports for n in names(r, "skipped")]) == sorted(MEETINGS * 2)
    assert [v["title"] for v in videos(acme, "acme")] == MEETINGS


# -- faults: the postmaster killed during an ingest (a server of the test's own) --------------------


@pytest.fixture(scope="module")
def own_server() -> Iterator[Settings]:
    """An embedded server of this module's own (it is killed and started again), with the
    organization acme; each test ingests sources of its own name."""
    data_dir = Path(tempfile.mkdtemp(prefix="mbresume-"))
    try:
        migrated = mediabase("migrate", MEDIABASE_DATA_DIR=str(data_dir), MEDIABASE_EMBEDDED_SHARED_BUFFERS_MB="64")
        assert migrated.returncode == 0, migrated.stderr
        assert mediabase("org", "create", "acme", MEDIABASE_DATA_DIR=str(data_dir)).returncode == 0
        yield Settings.model_validate({"data_dir": data_dir})
    finally:
        embedded.stop(Settings.model_validate({"data_dir": data_dir}))
        shutil.rmtree(data_dir, ignore_errors=True)


def talks(folder: Path, n: int) -> dict[str, int]:
    """``n`` SubRip files ``<folder name>-NNN.srt`` of 60 to 100 cues, each its own content:
    file name -> cue count."""
    folder.mkdir(parents=True)
    counts = {}
    for i in range(n):
        cues = 60 + (i * 7) % 41
        name = f"{folder.name}-{i:03d}.srt"
        at = [f"00:{c // 60:02d}:{c % 60:02d}" for c in range(cues + 1)]
        (folder / name).write_text("".join(
            f"{c}\n{at[c]},000 --> {at[c]},900\nline {c} of {name}\n\n" for c in range(1, cues + 1)))
        counts[name] = cues
    return counts


def whole_videos(server: Settings, folder: Path, counts: dict[str, int]) -> list[str]:
    """The sources of ``folder`` present as whole videos (asserting there is nothing else): each
    with one transcript, every segment of its source, and its indexing job; sorted by name."""
    url = embedded.server_url(server, server.database_name)
    have = videos(url, "acme", f"{folder.name}-")
    for v in have:
        assert v["versions"] == 1 and v["declared"] == v["segments"] == counts[f"{v['title']}.srt"], v
        assert v["index_jobs"] == 1 and v["source_key"].startswith("srt:"), v
    with psycopg.connect(url) as conn:
        stray = conn.execute(
            """SELECT (SELECT count(*) FROM mediabase.transcripts t WHERE NOT EXISTS (SELECT FROM mediabase.videos v
                         WHERE v.organization_id = t.organization_id AND v.id = t.video_id)),
                      (SELECT count(*) FROM mediabase.jobs j WHERE j.type = 'transcript.index' AND NOT EXISTS
                         (SELECT FROM mediabase.transcripts t WHERE t.id::text = j.input->>'transcript_id'))"""
        ).fetchone()
    assert stray == (0, 0)  # no transcript without its video, no indexing job without its transcript
    titles = [f"{v['title']}.srt" for v in have]
    assert len(set(titles)) == len(titles)
    return sorted(titles)


def kill_during_ingest(server: Settings, folder: Path, after: int, delay: float, whole_server: bool = False
                       ) -> tuple[int, str]:
    """Start ``mediabase ingest folder``, wait until ``after`` of its videos are in and ``delay``
    seconds more, SIGKILL the postmaster (or its whole process group: every backend at once, as
    when the machine dies), start the server again. The ingest's exit code and stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    env.update(MEDIABASE_DATA_DIR=str(server.data_dir), COLUMNS="200")
    proc = subprocess.Popen([sys.executable, "-m", "mediabase", "ingest", str(folder), "--org", "acme"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    url = embedded.server_url(server, server.database_name)
    deadline = time.monotonic() + 180
    n = 0
    try:
        while n < after and proc.poll() is None:
            assert time.monotonic() < deadline, "the ingest did not load"
            with psycopg.connect(url) as conn:
                row = conn.execute("SELECT count(*) FROM mediabase.videos WHERE starts_with(title, %s)",
                                   (f"{folder.name}-",)).fetchone()
            n = int(row[0]) if row else 0
            time.sleep(0.02)
        time.sleep(delay)
        pid = int((embedded.pgdata_dir(server) / "postmaster.pid").read_text().split()[0])
        if whole_server:
            os.killpg(pid, signal.SIGKILL)  # the postmaster leads its process group (its own session)
        else:
            os.kill(pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in err, err
    started = mediabase("db", "start", MEDIABASE_DATA_DIR=str(server.data_dir))
    assert started.returncode == 0 and "Traceback" not in started.stderr, started.stderr
    return proc.returncode, err


def resume(server: Settings, folder: Path, counts: dict[str, int], present: list[str]) -> None:
    """The same command again loads exactly the sources not present and skips the others."""
    code, report, err = ingest(str(folder), "--org", "acme", data_dir=server.data_dir)
    assert code == 0, err
    assert names(report, "loaded") == sorted(set(counts) - set(present))
    assert names(report, "skipped") == present
    assert whole_videos(server, folder, counts) == sorted(counts)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_sigkill_of_the_postmaster_during_an_ingest_leaves_no_partial_transcript(own_server: Settings) -> None:
    folder = own_server.data_dir / "sigkill"
    counts = talks(folder, 40)
    code, err = kill_during_ingest(own_server, folder, after=5, delay=0.1)
    assert code == 1 and "stopped" in err and "run the same command again" in err, err
    present = whole_videos(own_server, folder, counts)
    assert 5 <= len(present) < len(counts)
    assert present == sorted(counts)[: len(present)]  # in order: a prefix of the work
    resume(own_server, folder, counts, present)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_for_any_kill_point_the_database_is_a_prefix_of_the_work(own_server: Settings) -> None:
    runs = iter(range(1000))

    @FAULT_EXAMPLES
    @given(after=st.integers(0, 15), delay=st.floats(0, 0.2), whole_server=st.booleans())
    def example(after: int, delay: float, whole_server: bool) -> None:
        folder = own_server.data_dir / f"kill{next(runs)}"
        counts = talks(folder, 40)
        code, err = kill_during_ingest(own_server, folder, after, delay, whole_server)
        present = whole_videos(own_server, folder, counts)
        assert present == sorted(counts)[: len(present)], present  # a prefix, never a fragment
        assert code == (0 if len(present) == len(counts) else 1), err
        event("killed mid-ingest" if len(present) < len(counts) else "the ingest finished first")
        resume(own_server, folder, counts, present)

    example()
