"""Answer spans for judged queries, from the AMI annotations (not from any search result).

An AMI abstractive summary sentence (abstract, decision, action, problem) is linked by the
corpus's ``extractive/<meeting>.summlink.xml`` to the dialogue acts that support it; a dialogue
act covers a range of time-aligned words. The answer spans of a sentence are the time ranges of
its linked dialogue acts, merged when less than ``gap_ms`` apart.

    python bench/relevance/ami_spans.py /tmp/ami/ami_public_manual_1.6.2 ES2002a s.7 s.9
    python bench/relevance/ami_spans.py --check /tmp/ami/ami_public_manual_1.6.2   # the JSON's spans
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

NITE = "{http://nite.sourceforge.net/}"
HREF = re.compile(r"([^#]+)#id\(([^()]+)\)(?:\.\.id\(([^()]+)\))?")


@lru_cache(maxsize=64)
def _words(root: Path, name: str) -> tuple[dict[str, int], list[tuple[float | None, float | None]]]:
    tree = ET.parse(root / "words" / name).getroot()  # noqa: S314 - the local corpus
    index: dict[str, int] = {}
    times: list[tuple[float | None, float | None]] = []
    for el in tree:
        index[el.get(NITE + "id", "")] = len(times)
        st, et = el.get("starttime"), el.get("endtime")
        times.append((float(st) if st else None, float(et) if et else None))
    return index, times


def _range(root: Path, href: str) -> tuple[float, float] | None:
    m = HREF.fullmatch(href)
    if m is None:
        return None
    index, times = _words(root, m[1])
    a, b = index.get(m[2]), index.get(m[3] or m[2])
    if a is None or b is None:
        return None
    starts = [t[0] for t in times[a : b + 1] if t[0] is not None]
    ends = [t[1] for t in times[a : b + 1] if t[1] is not None]
    return (min(starts), max(ends)) if starts and ends else None


@lru_cache(maxsize=512)
def _dialogue_acts(root: Path, name: str) -> dict[str, tuple[float, float]]:
    tree = ET.parse(root / "dialogueActs" / name).getroot()  # noqa: S314
    out: dict[str, tuple[float, float]] = {}
    for dact in tree.iter("dact"):
        spans = [r for c in dact.iter(NITE + "child") if (r := _range(root, c.get("href", "")))]
        if spans:
            out[dact.get(NITE + "id", "")] = (min(s[0] for s in spans), max(s[1] for s in spans))
    return out


def sentence_spans(root: Path, meeting: str, sentence_ids: list[str], gap_ms: int = 30_000) -> list[list[int]]:
    """Merged [start_ms, end_ms] ranges of the dialogue acts linked to these summary sentences."""
    links = ET.parse(root / "extractive" / f"{meeting}.summlink.xml").getroot()  # noqa: S314
    wanted = {s if s.startswith(meeting) else None for s in sentence_ids} - {None}
    suffixes = {s for s in sentence_ids if not s.startswith(meeting)}
    ranges: list[tuple[int, int]] = []
    for link in links.iter("summlink"):
        ext = abs_ = None
        for ptr in link.iter(NITE + "pointer"):
            if ptr.get("role") == "extractive":
                ext = ptr.get("href", "")
            elif ptr.get("role") == "abstractive":
                abs_ = ptr.get("href", "")
        if not ext or not abs_:
            continue
        sid = HREF.fullmatch(abs_)
        if sid is None:
            continue
        sent = sid[2]
        if sent not in wanted and not any(sent.endswith("." + x) for x in suffixes):
            continue
        m = HREF.fullmatch(ext)
        if m is None:
            continue
        span = _dialogue_acts(root, m[1]).get(m[2])
        if span:
            ranges.append((round(span[0] * 1000), round(span[1] * 1000)))
    ranges.sort()
    merged: list[list[int]] = []
    for a, b in ranges:
        if merged and a - merged[-1][1] <= gap_ms:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return merged


def check(corpus: Path, queries: Path) -> int:
    """Recompute every judged query's spans from the corpus; the number that differ."""
    import json

    bad = 0
    for q in json.loads(queries.read_text())["queries"]:
        spans = sentence_spans(corpus, q["meeting"], q["sentences"])
        if spans != q["spans"]:
            bad += 1
            print(f"{q['meeting']} {q['q']!r}: file {q['spans']} != corpus {spans}")
    return bad


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        # python bench/relevance/ami_spans.py --check /tmp/ami/ami_public_manual_1.6.2
        n = check(Path(sys.argv[2]), Path(__file__).with_name("ami_queries.json"))
        print(f"{n} queries differ")
        raise SystemExit(1 if n else 0)
    corpus, meeting, *sentences = sys.argv[1:]
    print(sentence_spans(Path(corpus), meeting, sentences))
