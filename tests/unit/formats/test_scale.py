"""Scale: 100,000 cues survive a write and a parse intact. How fast is measured by
bench/formats_speed.py, never asserted here (shared machines are noisy)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from mediabase.transcripts.formats import Segment, parse_bytes, write_json, write_srt, write_vtt

N = 100_000
WRITERS: dict[str, Callable[[Sequence[Segment]], str]] = {
    "srt": write_srt,
    "vtt": write_vtt,
    "json": write_json,
}


@pytest.fixture(scope="module")
def segments() -> list[Segment]:
    return [
        Segment(k * 1000, k * 1000 + 900, f"Line {k} with <some> & markup\nand a second line",
                speaker="Ann" if k % 2 else "Bob")
        for k in range(N)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_100k_cues(fmt: str, segments: list[Segment]) -> None:
    data = WRITERS[fmt](segments).encode()
    parsed = parse_bytes(data, source=f"big.{fmt}")
    assert len(parsed.segments) == N
    assert parsed.segments[-1].text == segments[-1].text
