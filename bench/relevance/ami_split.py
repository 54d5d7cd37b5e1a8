"""The tune/test split of the judged AMI queries, made once and kept in ami_queries.json ("split").

Parameters of search (fusion, weights, cut-offs) are chosen on the ``tune`` half and reported on the
``test`` half. The split is by team: the AMI scenario meetings come in teams of four (ES2002a–d
are one team designing one remote), and all the meetings of a team, with all their queries, go to
the same half, so no team's meetings are both tuned on and reported on.

How it is made (seeded, deterministic): the teams are shuffled with ``random.Random(SEED)``, then
taken largest first (most queries; the shuffle orders teams of equal size), and each goes to the
half where the imbalance is smaller afterwards: the sum over styles of |tune − test| queries plus
|tune − test| over all queries (a tie goes by a draw from the same generator).

    python bench/relevance/ami_split.py            # the split this makes, compared with the file's
    python bench/relevance/ami_split.py --write    # record it in ami_queries.json (once: it is fixed)
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

SEED = 20  # issue 20
QUERIES = Path(__file__).with_name("ami_queries.json")
HALVES = ("tune", "test")


def team(meeting: str) -> str:
    """ES2002c → ES2002: the meeting without its letter."""
    return meeting.rstrip("abcd")


def make_split(queries: list[dict[str, Any]], seed: int = SEED) -> dict[str, list[str]]:
    per_team: dict[str, Counter[str]] = {}
    meetings: dict[str, set[str]] = {}
    for q in queries:
        per_team.setdefault(team(q["meeting"]), Counter())[q["style"]] += 1
        meetings.setdefault(team(q["meeting"]), set()).add(q["meeting"])
    rng = random.Random(seed)
    order = sorted(per_team)
    rng.shuffle(order)
    order.sort(key=lambda t: -sum(per_team[t].values()))  # stable: equal sizes keep the shuffled order
    counts = {h: Counter[str]() for h in HALVES}

    def imbalance(half: str, add: Counter[str]) -> int:
        c = {h: counts[h] + add if h == half else counts[h] for h in HALVES}
        styles = set(c["tune"]) | set(c["test"])
        return (sum(abs(c["tune"][s] - c["test"][s]) for s in styles)
                + abs(sum(c["tune"].values()) - sum(c["test"].values())))

    out: dict[str, list[str]] = {h: [] for h in HALVES}
    for t in order:
        cost = {h: imbalance(h, per_team[t]) for h in HALVES}
        half = min(HALVES, key=lambda h: cost[h]) if cost["tune"] != cost["test"] else rng.choice(HALVES)
        counts[half] += per_team[t]
        out[half].extend(meetings[t])
    return {h: sorted(out[h]) for h in HALVES}


def describe(queries: list[dict[str, Any]], split: dict[str, list[str]]) -> str:
    lines = []
    for h in HALVES:
        qs = [q for q in queries if q["meeting"] in split[h]]
        styles = Counter(q["style"] for q in qs)
        lines.append(f"{h}: {len(qs)} queries, {len(split[h])} meetings, {len({team(m) for m in split[h]})} teams; "
                     + ", ".join(f"{s} {n}" for s, n in sorted(styles.items())))
    return "\n".join(lines)


def main() -> None:
    data = json.loads(QUERIES.read_text())
    split = make_split(data["queries"])
    print(describe(data["queries"], split))
    recorded = data.get("split")
    if "--write" not in sys.argv:
        if recorded is not None:
            same = "the same" if recorded == split else "DIFFERENT (it was made from other queries)"
            print("the file's split:", same)
        return
    if recorded is not None and "--force" not in sys.argv:
        raise SystemExit("the file already has a split; it is made once (--force to replace it)")
    text = QUERIES.read_text()
    made = ("by team (all meetings of one design team in the same half), seeded and deterministic: "
            f"bench/relevance/ami_split.py, seed {SEED}, over the {len(data['queries'])} queries of this file; "
            "parameters are chosen on tune and reported on test")
    block = (f'  "split_made": {json.dumps(made)},\n'
             f'  "split": {{"tune": {json.dumps(split["tune"])},\n'
             f'            "test": {json.dumps(split["test"])}}},\n')
    if recorded is not None:
        start = text.index('  "split_made"')
        text = text[:start] + text[text.index('  "queries"'):]
    i = text.index('  "queries"')
    QUERIES.write_text(text[:i] + block + text[i:])
    print("written to", QUERIES)


if __name__ == "__main__":
    main()
