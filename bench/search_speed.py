"""Search speed at scale: keyword vs ILIKE vs tantivy, HNSW vs exact, embedding throughput.

Loads the AMI meetings (171, ~94k segments) into one organization, chunks and embeds them
(the embedding throughput is measured here), then copies them into ``--orgs - 1`` more
organizations with SQL (new ids; vectors copied, the model is deterministic): ~1.03 M segments
and ~190k vectors with 11 organizations. Then, in one run:

* keyword: ``mediabase.search.search`` (mode keyword, 10 hits with snippets, as the
  application role under row-level security) for the judged AMI queries, in one organization;
  beside it (a) seed 003's search as seed 003 wrote it: ``ILIKE '%term%'`` on the whole
  transcript text, one row per transcript with its segments as jsonb, for the journals of one
  user (its tables copied from ours into schema ``seed003``); (a') the same ``ILIKE`` on
  mediabase's own narrow segment rows (same role, same row-level security), a stronger
  baseline than seed 003 ever had; (b) tantivy (PyPI) over the same segments with the
  organization as a filter term (BM25, top 10, stored fields read), and (b') the same with a
  highlighted snippet per hit, as mediabase returns. Also the floor under any search: a
  transaction with the tenant set and one ``SELECT 1``. p50 and p95 latency and their ratios.
* semantic: HNSW recall@10 against exact search (tie-aware: a returned chunk counts when it is
  as near as the exact 10th), without a filter (as the owner, every tenant) and with a
  single-tenant filter (the service's statement, application role, iterative scan); exact and
  HNSW latency and their ratio. Queries: the judged ones plus AMI summary sentences.
* embedding throughput: chunks per second of the indexer (end to end) and of the model alone.

    python bench/search_speed.py                 # embedded server; about 12 minutes on 2 cores
    python bench/search_speed.py --reuse         # keep the loaded database
    python bench/search_speed.py --url postgresql://…   # a server that may CREATE DATABASE

Needs the semantic extra and ``tantivy`` (the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import re
import statistics
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from mediabase.config import Settings
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.identity import service as identity
from mediabase.identity.models import OrganizationCreate
from mediabase.search import SearchMode, SearchRequest, search
from mediabase.search.embedding import get_embedder
from mediabase.search.indexing import reindex
from mediabase.search.models import SearchFilters
from mediabase.search.service import filter_params, semantic_sql, set_iterative_scan
from mediabase.search.vectors import VectorType, index_name, vector_literal
from mediabase.transcripts import ingest as bulk
from search_relevance import QUERIES, admin_url, corpus_dir, db_url  # bench/ is on sys.path

MODEL = "all-MiniLM-L6-v2"
HNSW = index_name(MODEL, 384)


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def summary(xs: list[float]) -> dict[str, float]:
    return {"p50": round(pct(xs, 0.5), 2), "p95": round(pct(xs, 0.95), 2), "mean": round(statistics.mean(xs), 2)}


CLONE = [
    ("videos", """INSERT INTO videos (organization_id, id, title, description, duration_ms, language, metadata,
                           created_at)
        SELECT d.id, md5(v.id::text || d.id::text)::uuid, v.title, v.description, v.duration_ms, v.language,
               v.metadata, v.created_at
          FROM videos v, dst d WHERE v.organization_id = %(src)s"""),
    ("video_tags", """INSERT INTO video_tags (organization_id, video_id, tag)
        SELECT d.id, md5(t.video_id::text || d.id::text)::uuid, t.tag FROM video_tags t, dst d
         WHERE t.organization_id = %(src)s"""),
    ("speakers", """INSERT INTO speakers (organization_id, id, video_id, label, display_name)
        SELECT d.id, md5(s.id::text || d.id::text)::uuid, md5(s.video_id::text || d.id::text)::uuid, s.label,
               s.display_name
          FROM speakers s, dst d WHERE s.organization_id = %(src)s"""),
    ("transcripts", """INSERT INTO transcripts (organization_id, id, video_id, language, source, version, is_current,
                                 format, source_name, segment_count)
        SELECT d.id, md5(t.id::text || d.id::text)::uuid, md5(t.video_id::text || d.id::text)::uuid, t.language,
               t.source, t.version, t.is_current, t.format, t.source_name, t.segment_count
          FROM transcripts t, dst d WHERE t.organization_id = %(src)s"""),
    ("transcript_segments", """INSERT INTO transcript_segments (organization_id, id, transcript_id, video_id, seq,
                                         start_ms, end_ms, speaker_id, text, confidence, ts_config)
        SELECT d.id, md5(s.id::text || d.id::text)::uuid, md5(s.transcript_id::text || d.id::text)::uuid,
               md5(s.video_id::text || d.id::text)::uuid, s.seq, s.start_ms, s.end_ms,
               md5(s.speaker_id::text || d.id::text)::uuid, s.text, s.confidence, s.ts_config
          FROM dst d, transcript_segments s WHERE s.organization_id = %(src)s"""),
    ("transcript_segment_words", """INSERT INTO transcript_segment_words (organization_id, transcript_id, seq, words)
        SELECT d.id, md5(w.transcript_id::text || d.id::text)::uuid, w.seq, w.words
          FROM dst d, transcript_segment_words w WHERE w.organization_id = %(src)s"""),
    ("transcript_chunks", """INSERT INTO transcript_chunks (organization_id, id, transcript_id, video_id, model,
                                       chunk_index, first_seq, last_seq, start_ms, end_ms, speaker_ids, speakers,
                                       text, token_count, dimension, embedding, embedded_at)
        SELECT d.id, md5(c.id::text || d.id::text)::uuid, md5(c.transcript_id::text || d.id::text)::uuid,
               md5(c.video_id::text || d.id::text)::uuid, c.model, c.chunk_index, c.first_seq, c.last_seq,
               c.start_ms, c.end_ms,
               ARRAY(SELECT md5(x::text || d.id::text)::uuid FROM unnest(c.speaker_ids) x), c.speakers,
               c.text, c.token_count, c.dimension, c.embedding, c.embedded_at
          FROM dst d, transcript_chunks c WHERE c.organization_id = %(src)s"""),
    ("search_index_state", """INSERT INTO search_index_state (organization_id, transcript_id, video_id, model, chunker,
                                        chunks, embedded, dimension)
        SELECT d.id, md5(x.transcript_id::text || d.id::text)::uuid, md5(x.video_id::text || d.id::text)::uuid,
               x.model, x.chunker, x.chunks, x.embedded, x.dimension
          FROM search_index_state x, dst d WHERE x.organization_id = %(src)s"""),
]


async def load(url: str, settings: Settings, corpus: Path, n_orgs: int) -> dict[str, Any]:
    await Migrator(url, settings).migrate()
    facts: dict[str, Any] = {}
    async with Database(url, settings, role="") as system:
        operator = await identity.operator_user(system)
        orgs = []
        for i in range(n_orgs):
            orgs.append(await identity.create_organization(
                system, OrganizationCreate(name=f"Speed {i:02d}", slug=f"speed-{i:02d}"), operator.id))
        principal = await identity.acting_owner(system, "speed-00")
        t0 = time.perf_counter()
        outcomes = await bulk.ingest(system, principal, bulk.discover([corpus], fmt="ami"))
        facts["ingest_s"] = round(time.perf_counter() - t0, 1)
        facts["segments_per_org"] = sum(o.segments for o in outcomes)
        t0 = time.perf_counter()
        report = await reindex(system, settings, org_ids=[orgs[0].id])
        seconds = time.perf_counter() - t0
        facts["index"] = {"seconds": round(seconds, 1), "chunks": report.embedded,
                          "chunks_per_s": round(report.embedded / seconds, 1)}
        print("org 0 loaded and indexed:", json.dumps(facts), flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET search_path TO mediabase, public")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        conn.execute(sql.SQL("DROP INDEX {}, transcript_segments_search_idx").format(sql.Identifier(HNSW)))
        conn.execute("CREATE TEMP TABLE dst AS SELECT id FROM organizations"
                     " WHERE slug LIKE 'speed-%' AND slug <> 'speed-00'")
        src = orgs[0].id
        clone: dict[str, float] = {}
        for table, stmt in CLONE:
            t0 = time.perf_counter()
            conn.execute(stmt, {"src": src})
            clone[table] = round(time.perf_counter() - t0, 1)
        facts["clone_s"] = clone
        t0 = time.perf_counter()
        conn.execute("CREATE INDEX transcript_segments_search_idx ON transcript_segments"
                     " USING gin (organization_id, search_vector)")
        facts["gin_build_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        conn.execute("SET ROLE mediabase_owner")
        conn.execute(VectorType(MODEL, 384).create_index(concurrently=False))
        conn.execute("RESET ROLE")
        facts["hnsw_build_s"] = round(time.perf_counter() - t0, 1)
        conn.execute("VACUUM ANALYZE")
        row = conn.execute("SELECT (SELECT count(*) FROM transcript_segments),"
                           " (SELECT count(*) FROM transcript_chunks),"
                           " pg_size_pretty(pg_relation_size('transcript_segments_search_idx')),"
                           " pg_size_pretty(pg_relation_size(%s::regclass))", (f"mediabase.{HNSW}",)).fetchone()
        assert row is not None
        facts.update(segments=row[0], chunks=row[1], gin_size=row[2], hnsw_size=row[3])
    print("cloned:", json.dumps(facts), flush=True)
    return facts


SEED003 = [
    # seed 003's tables, as its document gives them (journals = videos, transcripts = one row per
    # transcript: the full text and the segments as jsonb); a journal's user = our organization
    """CREATE TABLE seed003.journals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL, title text NOT NULL,
        video_path text NOT NULL, duration integer NOT NULL, location text, notes text,
        created_at timestamp NOT NULL DEFAULT now(), updated_at timestamp NOT NULL DEFAULT now())""",
    """CREATE TABLE seed003.transcripts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(), journal_id uuid NOT NULL REFERENCES seed003.journals (id),
        text text NOT NULL, segments jsonb, created_at timestamp NOT NULL DEFAULT now())""",
    """INSERT INTO seed003.journals (id, user_id, title, video_path, duration, notes)
        SELECT v.id, v.organization_id, v.title, 'videos/' || v.id || '.mp4', coalesce(v.duration_ms / 1000, 0),
               v.description
          FROM mediabase.videos v""",
    """INSERT INTO seed003.transcripts (id, journal_id, text, segments)
        SELECT t.id, t.video_id, string_agg(s.text, ' ' ORDER BY s.seq),
               jsonb_agg(jsonb_build_object('start', s.start_ms / 1000.0, 'end', s.end_ms / 1000.0,
                                            'text', s.text, 'confidence', s.confidence) ORDER BY s.seq)
          FROM mediabase.transcripts t
          JOIN mediabase.transcript_segments s ON s.organization_id = t.organization_id AND s.transcript_id = t.id
         WHERE t.is_current
         GROUP BY t.id, t.video_id""",
    "CREATE INDEX journals_user_id_idx ON seed003.journals (user_id)",
    "CREATE INDEX transcripts_journal_id_idx ON seed003.transcripts (journal_id)",
    "ANALYZE seed003.journals, seed003.transcripts",
]
# seed 003's transcript search (drizzle: select journal and transcript, where ilike(text, %term%))
SEED003_SEARCH = """SELECT j.*, t.* FROM seed003.transcripts t JOIN seed003.journals j ON j.id = t.journal_id
                     WHERE j.user_id = %s AND t.text ILIKE '%%' || %s || '%%'"""


def seed003_tables(url: str) -> None:
    """seed 003's layout of the loaded data, made once per database."""
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'seed003'").fetchone():
            return
        t0 = time.perf_counter()
        with conn.transaction():
            conn.execute("CREATE SCHEMA seed003")
            for stmt in SEED003:
                conn.execute(stmt)
        print(f"seed 003's tables made in {time.perf_counter() - t0:.1f} s", flush=True)


async def term_queries(url: str, org_slug: str, seed: int = 3) -> dict[str, list[str]]:
    """Keyword queries sampled from one organization's transcripts, by how many segments hold
    them: 20 rare words (5–30 segments), 20 medium (30–300), 20 common (300–3,000), and 20
    phrases of two adjacent words (quoted; 10–300 segments). Stop words (no lexeme in
    'english') and words under three letters are left out."""
    import re
    from collections import Counter

    words: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT s.text FROM mediabase.transcript_segments s JOIN mediabase.organizations o"
                            " ON o.id = s.organization_id WHERE o.slug = %s", (org_slug,)).fetchall()
        for (text,) in rows:
            tokens = re.findall(r"[a-z]+", text.lower())
            words.update({t for t in tokens if len(t) >= 3})
            pairs.update({f"{a} {b}" for a, b in itertools.pairwise(tokens) if len(a) >= 3 and len(b) >= 3})
        stop = {w for (w,) in conn.execute(
            "SELECT w FROM unnest(%s::text[]) w WHERE to_tsvector('english', w) = ''::tsvector",
            (list(words),)).fetchall()}
    rng = random.Random(seed)

    def pick(pool: list[str], n: int) -> list[str]:
        return rng.sample(sorted(pool), min(n, len(pool)))

    def band(lo: int, hi: int) -> list[str]:
        return [w for w, n in words.items() if lo <= n < hi and w not in stop]

    two = [p for p, n in pairs.items() if 10 <= n < 300 and not set(p.split()) & stop]
    return {"rare": pick(band(5, 30), 20), "medium": pick(band(30, 300), 20), "common": pick(band(300, 3000), 20),
            "phrase": [f'"{p}"' for p in pick(two, 20)]}


ILIKE_SEGMENTS = """SELECT s.id, s.video_id, s.start_ms, s.text, v.title FROM transcript_segments s
                     JOIN videos v ON v.organization_id = s.organization_id AND v.id = s.video_id
                    WHERE s.text ILIKE '%%' || %s || '%%'"""


async def timed(conn: Any, stmt: str, runs: list[tuple[Any, ...]]) -> tuple[list[float], int]:
    """Run ``stmt`` once per argument tuple: the milliseconds of each run and the rows of all."""
    times: list[float] = []
    rows = 0
    for args in runs:
        t0 = time.perf_counter()
        rows += len(await (await conn.execute(stmt, args)).fetchall())
        times.append((time.perf_counter() - t0) * 1000)
    return times, rows


async def keyword_bench(url: str, settings: Settings, sets: dict[str, list[str]], org_slug: str, repeat: int,
                        ) -> dict[str, Any]:
    out: dict[str, Any] = {"org": org_slug}
    async with Database(url, settings) as db, Database(url, settings, role="") as system:
        p = await identity.acting_owner(system, org_slug)
        out["org_id"] = str(p.organization_id)
        floor: list[float] = []
        for _ in range(300):  # the floor under any search: BEGIN, tenant, one statement, COMMIT
            t0 = time.perf_counter()
            async with db.transaction(p.organization_id, p.user_id) as conn:
                await (await conn.execute("SELECT 1")).fetchall()
            floor.append((time.perf_counter() - t0) * 1000)
        out["floor_ms"] = summary(floor[50:])
        print(f"floor (transaction + SELECT 1): {json.dumps(out['floor_ms'])}", flush=True)
        for name, queries in sets.items():
            for q in queries:  # warm-up
                await search(db, p, SearchRequest(q=q, mode=SearchMode.keyword))
            times: list[float] = []
            hits = 0
            order = [q for q in queries for _ in range(repeat)]
            random.Random(1).shuffle(order)
            for q in order:
                t0 = time.perf_counter()
                page = await search(db, p, SearchRequest(q=q, mode=SearchMode.keyword))
                times.append((time.perf_counter() - t0) * 1000)
                hits += len(page.hits)
            runs = [q.strip('"') for q in queries for _ in range(max(1, repeat // 2))]
            # ILIKE '%term%' on mediabase's segment rows, same role and tenant
            async with db.transaction(p.organization_id, p.user_id) as conn:
                ilike, ilike_rows = await timed(conn, ILIKE_SEGMENTS, [(q,) for q in runs])
            # seed 003 as written: whole transcripts, the user's journals
            async with system.transaction() as conn:
                seed003, seed003_rows = await timed(conn, SEED003_SEARCH, [(p.organization_id, q) for q in runs])
            out[name] = {"queries": len(queries), "runs": len(order), "hits_per_query": round(hits / len(order), 1),
                         "keyword_ms": summary(times), "keyword_all": times, "ilike_ms": summary(ilike),
                         "ilike_rows_per_query": round(ilike_rows / len(ilike), 1), "seed003_ms": summary(seed003),
                         "seed003_transcripts_per_query": round(seed003_rows / len(seed003), 1)}
            print(f"keyword {name}: {json.dumps({k: v for k, v in out[name].items() if k != 'keyword_all'})}",
                  flush=True)
    return out


def tantivy_bench(url: str, sets: dict[str, list[str]], org_id: str, repeat: int, path: Path) -> dict[str, Any]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("org", stored=False, tokenizer_name="raw")
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("video", stored=True, tokenizer_name="raw")
    builder.add_integer_field("start_ms", stored=True)
    builder.add_text_field("text", stored=True, tokenizer_name="en_stem")
    schema = builder.build()
    fresh = not (path / "meta.json").exists()
    index = tantivy.Index(schema, path=str(path))
    facts: dict[str, Any] = {}
    if fresh:
        t0 = time.perf_counter()
        writer = index.writer(heap_size=512_000_000, num_threads=2)
        n = 0
        with psycopg.connect(url) as conn, conn.cursor(name="all_segments") as cur:
            cur.itersize = 20_000
            cur.execute("SELECT organization_id::text, id::text, video_id::text, start_ms, text"
                        " FROM mediabase.transcript_segments")
            for org, sid, vid, start, text in cur:
                writer.add_document(tantivy.Document(org=org, id=sid, video=vid, start_ms=start, text=text))
                n += 1
        writer.commit()
        writer.wait_merging_threads()
        facts["build_s"] = round(time.perf_counter() - t0, 1)
        facts["documents"] = n
    index.reload()
    searcher = index.searcher()

    def run(q: str, snippets: bool = False) -> int:
        text_q = index.parse_query(q, ["text"])
        query = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, tantivy.Query.term_query(schema, "org", org_id)),
            (tantivy.Occur.Must, text_q)])
        result = searcher.search(query, 10)
        gen = tantivy.SnippetGenerator.create(searcher, text_q, schema, "text") if snippets else None
        for _, address in result.hits:  # read the stored fields, as the others return them
            doc = searcher.doc(address)
            if gen is not None:  # and a highlighted snippet, as mediabase returns
                gen.snippet_from_doc(doc).to_html()
        return len(result.hits)

    for name, queries in sets.items():
        # the tantivy query language: a quoted phrase stays one; other punctuation is dropped
        clean = [q if q.startswith('"') else " ".join(re.findall(r"\w+", q)) for q in queries]
        for q in clean:
            run(q)
        order = [q for q in clean for _ in range(repeat)]
        random.Random(1).shuffle(order)
        for snippets in (False, True):
            times: list[float] = []
            for q in order:
                t0 = time.perf_counter()
                run(q, snippets)
                times.append((time.perf_counter() - t0) * 1000)
            key = "tantivy_snippets" if snippets else "tantivy"
            facts.setdefault(name, {}).update({f"{key}_ms": summary(times), f"{key}_all": times})
    return facts


def summary_sentences(corpus: Path, n: int) -> list[str]:
    out: list[str] = []
    for f in sorted((corpus / "abstractive").glob("*.abssumm.xml")):
        root = ET.parse(f).getroot()  # noqa: S314 - the local corpus
        out.extend(" ".join((s.text or "").split()) for s in root.iter("sentence"))
    out = [s for s in out if len(s.split()) >= 5]
    random.Random(7).shuffle(out)
    return out[:n]


class ExactVector:
    """The model's vectors cast to nothing: the same distances, an ORDER BY no index matches."""

    model = MODEL

    def vtype(self) -> sql.Composable:
        return sql.SQL("vector")

    def column(self, alias: str = "c") -> sql.Composable:
        return sql.SQL("{}.embedding").format(sql.Identifier(alias))


async def semantic_bench(url: str, settings: Settings, queries: list[str], org_slug: str) -> dict[str, Any]:
    embedder = get_embedder()
    embedder.embed(["warm up"])
    t0 = time.perf_counter()
    vectors = embedder.embed(queries)
    query_embed_ms = (time.perf_counter() - t0) * 1000 / len(queries)
    out: dict[str, Any] = {"queries": len(queries), "query_embed_ms_each": round(query_embed_ms, 2)}

    def unfiltered(vt: Any) -> sql.Composed:
        return sql.SQL(
            "SELECT c.id, {vec} <=> %(qvec)s::{vtype} AS d FROM mediabase.transcript_chunks c"
            " WHERE c.model = {model} AND c.embedding IS NOT NULL ORDER BY {vec} <=> %(qvec)s::{vtype} LIMIT 10"
        ).format(vec=vt.column("c"), vtype=vt.vtype(), model=sql.Literal(MODEL))

    hnsw, exact = VectorType(MODEL, 384), ExactVector()
    # without a filter, as the owner (every tenant's chunks)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute("SET search_path TO mediabase, public")
        out["unfiltered"] = await _recall(conn, vectors, lambda v, vt: (unfiltered(vt), {"qvec": vector_literal(v)}),
                                          hnsw, exact, owner=True)
    # one tenant: the service's own statement, as the application role under row-level security
    async with Database(url, settings) as db, Database(url, settings, role="") as system:
        p = await identity.acting_owner(system, org_slug)
        params = filter_params(p.organization_id, SearchFilters())
        async with db.pool.connection() as conn:
            await conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(p.organization_id),))
            out["single_tenant"] = await _recall(
                conn, vectors, lambda v, vt: semantic_sql(vt, v, SearchFilters(), params, 10), hnsw, exact,
                owner=False)
            await conn.execute("RESET mediabase.organization_id")
    return out


async def _recall(conn: Any, vectors: list[list[float]], stmt_for: Any, hnsw: Any, exact: Any, *,
                  owner: bool) -> dict[str, Any]:
    recalls: list[float] = []
    exact_ms: list[float] = []
    hnsw_ms: list[float] = []

    def distance(r: Any) -> float:
        return float(r[1]) if owner else 1.0 - float(r["score"])

    for v in vectors:
        stmt, params = stmt_for(v, exact)
        async with conn.transaction():
            t0 = time.perf_counter()
            want = await (await conn.execute(stmt, params, prepare=False)).fetchall()
            exact_ms.append((time.perf_counter() - t0) * 1000)
        stmt, params = stmt_for(v, hnsw)
        async with conn.transaction():
            await set_iterative_scan(conn, 10)
            t0 = time.perf_counter()
            got = await (await conn.execute(stmt, params, prepare=False)).fetchall()
            hnsw_ms.append((time.perf_counter() - t0) * 1000)
        if not want:
            continue
        tenth = max(distance(r) for r in want[:10])
        recalls.append(sum(1 for r in got[:10] if distance(r) <= tenth + 1e-6) / min(10, len(want)))
    return {"recall_at_10": round(statistics.mean(recalls), 4), "min_recall": round(min(recalls), 2),
            "exact_ms": summary(exact_ms), "hnsw_ms": summary(hnsw_ms),
            "exact_over_hnsw_p50": round(pct(exact_ms, 0.5) / pct(hnsw_ms, 0.5), 1)}


def embed_throughput(url: str, n: int = 600) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        texts = [r[0] for r in conn.execute(
            "SELECT text FROM mediabase.transcript_chunks WHERE organization_id ="
            " (SELECT id FROM mediabase.organizations WHERE slug = 'speed-00') ORDER BY id LIMIT %s", (n,))]
    e = get_embedder()
    e.embed(texts[:8])
    t0 = time.perf_counter()
    e.embed(texts)
    s = time.perf_counter() - t0
    return {"chunks": len(texts), "chunks_per_s": round(len(texts) / s, 1),
            "words_per_chunk": round(statistics.mean(len(t.split()) for t in texts), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url")
    ap.add_argument("--db", default="mb_bench_speed")
    ap.add_argument("--corpus")
    ap.add_argument("--orgs", type=int, default=11)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each keyword query")
    ap.add_argument("--semantic-queries", type=int, default=200, help="summary sentences added to the judged queries")
    ap.add_argument("--tantivy-dir", default=str(Path(tempfile.gettempdir()) / "mb_bench_tantivy"))
    ap.add_argument("--keyword-only", action="store_true", help="keyword, ILIKE and tantivy only")
    ap.add_argument("--json", help="write all figures here")
    args = ap.parse_args()

    judged = [q["q"] for q in json.loads(Path(QUERIES).read_text())["queries"]]
    tantivy_dir = Path(args.tantivy_dir)
    if not args.reuse:
        import shutil

        shutil.rmtree(tantivy_dir, ignore_errors=True)
    tantivy_dir.mkdir(parents=True, exist_ok=True)
    facts = asyncio.run(run(args, judged, tantivy_dir))
    if args.json:
        Path(args.json).write_text(json.dumps(facts, indent=1))


async def run(args: argparse.Namespace, judged: list[str], tantivy_dir: Path) -> dict[str, Any]:
    admin = admin_url(args)
    url = db_url(admin, args.db)
    settings = Settings.model_validate({"database_url": url, "pool_min_size": 0, "pool_max_size": 4,
                                        "statement_timeout_ms": 0})
    corpus = corpus_dir(args.corpus)
    facts: dict[str, Any] = {}
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args.db,)).fetchone() is not None
        if exists and not args.reuse:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(args.db)))
        if not (exists and args.reuse):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.db)))
    if not (exists and args.reuse):
        facts["load"] = await load(url, settings, corpus, args.orgs)
    org_slug = f"speed-{args.orgs // 2:02d}"
    seed003_tables(url)
    sets = await term_queries(url, org_slug)
    sets["judged"] = judged
    facts["query_sets"] = sets
    facts["keyword"] = await keyword_bench(url, settings, sets, org_slug, args.repeat)
    facts["tantivy"] = tantivy_bench(url, sets, facts["keyword"]["org_id"], args.repeat, tantivy_dir)
    print("tantivy:", json.dumps({k: v for k, v in facts["tantivy"].items() if not isinstance(v, dict)}), flush=True)
    if args.keyword_only:
        report(facts, args, org_slug)
        return facts
    sem_queries = judged + summary_sentences(corpus, args.semantic_queries)
    facts["semantic"] = await semantic_bench(url, settings, sem_queries, org_slug)
    print("semantic:", json.dumps(facts["semantic"]), flush=True)
    facts["embedding"] = embed_throughput(url)
    print("embedding:", json.dumps(facts["embedding"]), flush=True)
    report(facts, args, org_slug)
    return facts


def report(facts: dict[str, Any], args: argparse.Namespace, org_slug: str) -> None:
    k, t = facts["keyword"], facts["tantivy"]
    terms = [n for n in ("rare", "medium", "common", "phrase")]
    print(f"\n## keyword: {args.orgs} organizations, {facts.get('load', {}).get('segments', '?')} segments;"
          f" queries in {org_slug}, each run {args.repeat}×; ms")
    print(f"floor under any search (transaction, tenant, SELECT 1): p50 {k['floor_ms']['p50']}, "
          f"p95 {k['floor_ms']['p95']}")
    print("| query set | n | mediabase p50 / p95 | seed 003 ILIKE p50 / p95 | ILIKE on segments p50 / p95 |"
          " tantivy p50 / p95 | + snippets p50 / p95 | seed 003 ÷ mediabase p95 | ILIKE on segments ÷ mediabase"
          " p95 | mediabase ÷ tantivy p95 | mediabase ÷ tantivy + snippets p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

    def row(name: str, n: int, km: dict[str, float], sm: dict[str, float] | None, im: dict[str, float] | None,
            tm: dict[str, float], ts: dict[str, float]) -> None:
        def pair(m: dict[str, float] | None) -> str:
            return f"{m['p50']} / {m['p95']}" if m else ""

        def ratio(m: dict[str, float] | None) -> str:
            return f"{m['p95'] / km['p95']:.0f}×" if m else ""

        print(f"| {name} | {n} | {pair(km)} | {pair(sm)} | {pair(im)} | {pair(tm)} | {pair(ts)} | {ratio(sm)} | "
              f"{ratio(im)} | {km['p95'] / tm['p95']:.2f}× | {km['p95'] / ts['p95']:.2f}× |")

    for name in [*terms, "judged"]:
        row(name, k[name]["queries"], k[name]["keyword_ms"], k[name]["seed003_ms"], k[name]["ilike_ms"],
            t[name]["tantivy_ms"], t[name]["tantivy_snippets_ms"])
    row("all term sets", sum(k[n]["queries"] for n in terms),
        summary([x for n in terms for x in k[n]["keyword_all"]]), None, None,
        summary([x for n in terms for x in t[n]["tantivy_all"]]),
        summary([x for n in terms for x in t[n]["tantivy_snippets_all"]]))
    if "semantic" not in facts:
        return
    s = facts["semantic"]
    print(f"\n## semantic, {s['queries']} queries")
    print("| filter | recall@10 | exact p50 ms | HNSW p50 ms | HNSW p95 ms | exact/HNSW (p50) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in ("unfiltered", "single_tenant"):
        r = s[name]
        print(f"| {name} | {r['recall_at_10']} | {r['exact_ms']['p50']} | {r['hnsw_ms']['p50']} | "
              f"{r['hnsw_ms']['p95']} | {r['exact_over_hnsw_p50']}× |")
    print(f"\nembedding: {facts['embedding']['chunks_per_s']} chunks/s (model alone, "
          f"{facts['embedding']['words_per_chunk']} words per chunk); indexer end to end: "
          f"{facts.get('load', {}).get('index', {}).get('chunks_per_s', 'n/a')} chunks/s")


def _tantivy_version() -> str:
    from importlib.metadata import version

    return version("tantivy")


if __name__ == "__main__":
    main()
