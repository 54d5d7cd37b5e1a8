"""Parser and writer speed: 100,000 cues of each format, and the whole AMI corpus.

    python bench/formats_speed.py [--ami ../shared/data/ami/ami_public_manual_1.6.2.tar.xz]

Prints seconds (best of 3) for writing and parsing 100k SRT, WebVTT and JSON cues, and for
reading every meeting of the AMI corpus when its tarball is there.
"""

from __future__ import annotations

import argparse
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mediabase.transcripts.formats import Segment, iter_ami_meetings, parse_bytes, write_json, write_srt, write_vtt

REPO = Path(__file__).resolve().parent.parent
N = 100_000


def best(fn: Callable[[], object], rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ami", type=Path, default=REPO.parent / "shared/data/ami/ami_public_manual_1.6.2.tar.xz")
    args = ap.parse_args()
    segs = [Segment(k * 1000, k * 1000 + 900, f"Line {k} with <some> & markup\nand a second", speaker="Ann")
            for k in range(N)]
    for name, writer in (("srt", write_srt), ("vtt", write_vtt), ("json", write_json)):
        data = writer(segs).encode()
        w = best(lambda writer=writer: writer(segs))  # type: ignore[misc]
        p = best(lambda data=data, name=name: parse_bytes(data, source=f"x.{name}"))  # type: ignore[misc]
        print(f"{name:<5} write {w:5.2f} s  parse {p:5.2f} s  ({N / p:,.0f} cues/s)")
    if args.ami.exists():
        tmp = Path(tempfile.mkdtemp())
        with tarfile.open(args.ami) as tar:
            tar.extractall(tmp, filter="data")
        root = next(p.parent.parent for p in tmp.rglob("segments/*.segments.xml"))
        t0 = time.perf_counter()
        meetings = list(iter_ami_meetings(root))
        secs = time.perf_counter() - t0
        n = sum(len(m.transcript.segments) for m in meetings)
        print(f"AMI   {len(meetings)} meetings, {n} segments in {secs:.2f} s")


if __name__ == "__main__":
    main()
