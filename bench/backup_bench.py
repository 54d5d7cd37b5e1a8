"""Backup and restore speed: ``mediabase backup`` + ``mediabase restore`` against bare
``pg_dump -Fc`` + ``pg_restore`` of the same database, in one run.

The database is bench/search_speed.py's (its ``load``: the AMI meetings in one organization,
indexed, copied into ``--orgs - 1`` more: ~1.03 M segments and ~150k vectors with 11). Then, for
each round (the order of the two flips between rounds, so neither always reads a warm cache):

* backup: ``mediabase backup FILE`` (the CLI, as a subprocess) and bare ``pg_dump -Fc``;
* restore, each into a new empty database of the same server, dropped afterwards:
  ``mediabase restore FILE`` (checks, one transaction, statistics included); bare
  ``pg_restore -d`` as most people run it (no transaction, continues past errors); bare with
  ``--single-transaction --exit-on-error`` (the same guarantee as mediabase's); bare with
  ``--jobs 2`` (parallel, which cannot be one transaction); and the ANALYZE a bare restore
  needs before the planner has statistics (mediabase's archive carries them).

    MEDIABASE_DATA_DIR=/tmp/mb_bench python bench/backup_bench.py          # embedded server
    MEDIABASE_DATA_DIR=/tmp/mb_bench python bench/backup_bench.py --reuse  # keep the loaded database
    python bench/backup_bench.py --url postgresql://…   # a server that may CREATE DATABASE

Needs the semantic extra (the load embeds one organization's chunks).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from mediabase.config import Settings
from mediabase.db.tools import program
from search_relevance import admin_url, corpus_dir, db_url  # bench/ is on sys.path
from search_speed import load

CPU: dict[str, float] = {}  # client CPU seconds (user + system) of the last run of each step


def run(cmd: list[str], **env: str) -> float:
    """Seconds ``cmd`` took; it must succeed. Its CPU time (with its children: psql, pg_restore),
    which other work on the machine hardly changes, goes to ``CPU['last']``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env={**os.environ, **env},
                          stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU["last"] = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} … failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return seconds


def mediabase(*args: str, url: str) -> float:
    return run([sys.executable, "-m", "mediabase", *args], MEDIABASE_DATABASE_URL=url)


def fresh(admin: str, name: str) -> str:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return db_url(admin, name)


def drop(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def counts(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT (SELECT count(*) FROM mediabase.transcript_segments),"
                           " (SELECT count(*) FROM mediabase.transcript_chunks)").fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def one_round(admin: str, url: str, work: Path, flip: bool, jobs: int) -> dict[str, float]:
    mine, bare = work / "mediabase.dump", work / "bare.dump"
    pg_dump, pg_restore = str(program("pg_dump")), str(program("pg_restore"))
    out: dict[str, float] = {}
    backups = [("mediabase_backup", lambda: mediabase("backup", str(mine), url=url)),
               ("bare_pg_dump", lambda: run([pg_dump, "-Fc", "-f", str(bare), "-d", url]))]
    for name, fn in reversed(backups) if flip else backups:
        out[name] = fn()
        out[f"{name}_cpu"] = CPU["last"]
        print(f"  {name}: {out[name]:.1f} s, client CPU {CPU['last']:.1f} s", flush=True)
    out["mediabase_bytes"], out["bare_bytes"] = mine.stat().st_size, bare.stat().st_size
    want = counts(url)

    def mediabase_restore() -> float:
        target = fresh(admin, "mb_bench_restore")
        seconds = mediabase("restore", str(mine), url=target)
        assert counts(target) == want, (counts(target), want)
        return seconds

    def bare_restore(*extra: str, analyze: bool = False) -> Any:
        def go() -> float:
            target = fresh(admin, "mb_bench_restore")
            seconds = run([pg_restore, *extra, "-d", target, str(bare)])
            assert counts(target) == want
            if analyze:
                with psycopg.connect(target, autocommit=True) as conn:
                    t0 = time.perf_counter()
                    conn.execute("ANALYZE")
                    out["bare_analyze"] = time.perf_counter() - t0
            return seconds
        return go

    restores = [("mediabase_restore", mediabase_restore),
                ("bare_pg_restore", bare_restore(analyze=True)),
                ("bare_pg_restore_single_transaction", bare_restore("--single-transaction", "--exit-on-error")),
                (f"bare_pg_restore_jobs_{jobs}", bare_restore(f"--jobs={jobs}"))]
    for name, fn in reversed(restores) if flip else restores:
        out[name] = fn()
        out[f"{name}_cpu"] = CPU["last"]
        print(f"  {name}: {out[name]:.1f} s, client CPU {CPU['last']:.1f} s", flush=True)
    drop(admin, "mb_bench_restore")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--url", help="an admin URL of a server that may CREATE DATABASE (default: embedded)")
    ap.add_argument("--db", default="mb_bench_backup")
    ap.add_argument("--corpus")
    ap.add_argument("--orgs", type=int, default=11, help="organizations of ~94k segments each")
    ap.add_argument("--reuse", action="store_true", help="keep the loaded database if it exists")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=2, help="pg_restore --jobs of the parallel bare restore")
    ap.add_argument("--json", help="write all figures here")
    args = ap.parse_args()

    admin = admin_url(args)
    url = db_url(admin, args.db)
    facts: dict[str, Any] = {"orgs": args.orgs}
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args.db,)).fetchone() is not None
    if not (exists and args.reuse):
        fresh(admin, args.db)
        settings = Settings.model_validate({"database_url": url, "pool_min_size": 0, "pool_max_size": 4,
                                            "statement_timeout_ms": 0})
        t0 = time.perf_counter()
        facts["load"] = asyncio.run(load(url, settings, corpus_dir(args.corpus), args.orgs))
        facts["load_s"] = round(time.perf_counter() - t0, 1)
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()
    facts["segments"], facts["chunks"] = counts(url)
    facts["database_size"] = row[0] if row else "?"
    print(f"database: {facts['segments']:,} segments, {facts['chunks']:,} chunks, {facts['database_size']}",
          flush=True)
    rounds = []
    with tempfile.TemporaryDirectory(prefix="mb_bench_backup_") as tmp:
        for i in range(args.rounds):
            print(f"round {i + 1}", flush=True)
            rounds.append(one_round(admin, url, Path(tmp), flip=i % 2 == 1, jobs=args.jobs))
    facts["rounds"] = rounds
    report(facts, args)
    if args.json:
        Path(args.json).write_text(json.dumps(facts, indent=1))


def report(facts: dict[str, Any], args: argparse.Namespace) -> None:
    rounds = facts["rounds"]

    def med(key: str) -> float:
        return statistics.median(r[key] for r in rounds)

    mb_b, bare_b = med("mediabase_backup"), med("bare_pg_dump")
    mb_r, bare_r = med("mediabase_restore"), med("bare_pg_restore")
    single, par, analyze = (med("bare_pg_restore_single_transaction"), med(f"bare_pg_restore_jobs_{args.jobs}"),
                            med("bare_analyze"))
    print(f"\n## {facts['segments']:,} segments, {facts['chunks']:,} chunks ({facts['database_size']});"
          f" median of {len(rounds)} round(s), seconds")
    print(f"archives: mediabase {med('mediabase_bytes') / 1e6:.0f} MB, bare {med('bare_bytes') / 1e6:.0f} MB")
    jobs = f"bare_pg_restore_jobs_{args.jobs}"
    print("| step | mediabase s | bare s | bare ÷ mediabase (speed ratio) | client CPU s, mediabase / bare |")
    print("|---|---:|---:|---:|---:|")
    print(f"| backup | {mb_b:.1f} | {bare_b:.1f} (pg_dump -Fc) | {bare_b / mb_b:.2f}× |"
          f" {med('mediabase_backup_cpu'):.1f} / {med('bare_pg_dump_cpu'):.1f} |")
    print(f"| restore | {mb_r:.1f} | {bare_r:.1f} (pg_restore -d) | {bare_r / mb_r:.2f}× |"
          f" {med('mediabase_restore_cpu'):.1f} / {med('bare_pg_restore_cpu'):.1f} |")
    print(f"| restore | | {single:.1f} (--single-transaction --exit-on-error) | {single / mb_r:.2f}× |"
          f" / {med('bare_pg_restore_single_transaction_cpu'):.1f} |")
    print(f"| restore | | {par:.1f} (--jobs {args.jobs}) | {par / mb_r:.2f}× | / {med(jobs + '_cpu'):.1f} |")
    print(f"| restore, then planner statistics | {mb_r:.1f} (in the archive) | {bare_r + analyze:.1f}"
          f" (pg_restore -d, ANALYZE {analyze:.1f}) | {(bare_r + analyze) / mb_r:.2f}× | |")
    both, bare_both = mb_b + mb_r, bare_b + bare_r
    print(f"| backup + restore | {both:.1f} | {bare_both:.1f} | {bare_both / both:.2f}× | |")
    print("each round, s (mediabase restore / bare / single transaction / jobs):",
          "; ".join(f"{r['mediabase_restore']:.0f} / {r['bare_pg_restore']:.0f} /"
                    f" {r['bare_pg_restore_single_transaction']:.0f} / {r[jobs]:.0f}" for r in rounds))


if __name__ == "__main__":
    main()
