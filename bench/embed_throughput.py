"""Throughput of the default embedder on real meeting transcript text.

Chunks are made from the AMI meeting corpus words (``shared/data/ami-demo-ES2002``):
all speakers of a meeting merged by start time, joined into ~60-word chunks (the
size of a transcript search chunk). For each thread count and batch size it embeds
the same N chunks and prints chunks/s, and the latency of embedding one short query.

    PYTHONPATH=src python bench/embed_throughput.py            # defaults below
    PYTHONPATH=src python bench/embed_throughput.py --n 256 --threads 1,2 --batch-sizes 32

Needs the ``semantic`` extra. Nothing is written; a run takes about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from mediabase.search.embedding import MiniLMOnnxEmbedder, default_threads

NITE_ID = "{http://nite.sourceforge.net/}id"
DEFAULT_WORDS = Path(__file__).resolve().parents[2] / "shared/data/ami-demo-ES2002/words"
QUERY = "how much will the remote control cost to produce"


def load_words(words_dir: Path) -> list[list[str]]:
    """One word list per meeting, all speakers merged in time order."""
    meetings: dict[str, list[tuple[float, int, str]]] = {}
    for path in sorted(words_dir.glob("*.words.xml")):
        meeting = path.name.split(".")[0]
        # A local, trusted corpus file, not user input.
        root = ET.parse(path).getroot()  # noqa: S314
        for order, w in enumerate(root.iter("w")):
            text = (w.text or "").strip()
            start = w.get("starttime")
            if not text or start is None:
                continue
            punc = w.get("punc") == "true"
            meetings.setdefault(meeting, []).append(
                (float(start), order, ("\0" if punc else "") + text)
            )
    out = []
    for rows in meetings.values():
        words: list[str] = []
        for _, _, token in sorted(rows):
            if token.startswith("\0") and words:
                words[-1] += token[1:]
            else:
                words.append(token.lstrip("\0"))
        out.append(words)
    return out


def make_chunks(meetings: list[list[str]], words_per_chunk: int, n: int) -> list[str]:
    chunks = [
        " ".join(words[i : i + words_per_chunk])
        for words in meetings
        for i in range(0, len(words) - words_per_chunk + 1, words_per_chunk)
    ]
    if len(chunks) < n:
        raise SystemExit(f"only {len(chunks)} chunks of {words_per_chunk} words; lower --n")
    return chunks[:n]


def ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words-dir", type=Path, default=DEFAULT_WORDS)
    parser.add_argument("--n", type=int, default=400, help="chunks per measurement")
    parser.add_argument("--words", type=int, default=60, help="words per chunk")
    parser.add_argument("--batch-sizes", type=ints, default=[1, 8, 32, 64])
    parser.add_argument("--threads", type=ints, default=[1, 2, 4])
    parser.add_argument("--repeat", type=int, default=1, help="runs per cell; the best is kept")
    args = parser.parse_args()

    chunks = make_chunks(load_words(args.words_dir), args.words, args.n)
    probe = MiniLMOnnxEmbedder(threads=1)
    probe.embed(["warm up"])  # loads the tokenizer; tokens per chunk below
    tokenizer = probe._tokenizer
    assert tokenizer is not None
    tokens = [len(e.ids) for e in tokenizer.encode_batch(chunks)]
    print(
        f"{len(chunks)} chunks of {args.words} AMI words "
        f"(tokens: mean {statistics.mean(tokens):.0f}, max {max(tokens)}); "
        f"cpus available {len(os.sched_getaffinity(0))}, default threads {default_threads()}"
    )
    print(f"{'threads':>7} {'batch':>5} {'chunks/s':>9} {'ms/chunk':>9} {'query ms (p50)':>15}")
    for threads in args.threads:
        for batch in args.batch_sizes:
            embedder = MiniLMOnnxEmbedder(threads=threads, batch_size=batch)
            embedder.embed(chunks[:batch])  # session load and warm-up, not timed
            best = float("inf")
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                embedder.embed(chunks)
                best = min(best, time.perf_counter() - t0)
            latencies = []
            for _ in range(20):
                t0 = time.perf_counter()
                embedder.embed([QUERY])
                latencies.append(time.perf_counter() - t0)
            rate = len(chunks) / best
            print(
                f"{threads:>7} {batch:>5} {rate:>9.1f} {1000 / rate:>9.2f} "
                f"{1000 * statistics.median(latencies):>15.1f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
