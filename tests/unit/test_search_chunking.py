"""The chunking rule: windows of whole segments, turn-aware, overlapping, bounded."""

from __future__ import annotations

import itertools
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from mediabase.search.chunking import ChunkParams, SegmentRow, chunk_segments, count_tokens

A, B, C = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
P = ChunkParams(target_tokens=10, max_tokens=20, overlap_tokens=4, max_span_ms=60_000)


def seg(seq: int, words: int, speaker: uuid.UUID | None = A, start: int | None = None, dur: int = 1000) -> SegmentRow:
    start = seq * 1000 if start is None else start
    text = " ".join(f"w{seq}x{i}" for i in range(words))
    return SegmentRow(seq, start, start + dur, text, speaker, str(speaker.int) if speaker else None)


def test_tokens_are_words_and_punctuation() -> None:
    assert count_tokens("Hello, world! It's 12.50 euro.") == 12
    assert count_tokens("") == 0


def test_no_segments_no_chunks() -> None:
    assert chunk_segments([], P) == []
    assert chunk_segments([SegmentRow(0, 0, 10, "   ")], P) == []


def test_short_transcript_is_one_chunk_with_its_times_and_speakers() -> None:
    chunks = chunk_segments([seg(0, 2, A), seg(1, 2, B), seg(2, 2, A)], P)
    assert len(chunks) == 1
    c = chunks[0]
    assert (c.first_seq, c.last_seq, c.start_ms, c.end_ms) == (0, 2, 0, 3000)
    assert c.speaker_ids == (A, B) and c.speakers == ("1", "2")
    assert c.token_count == 6 and c.text.startswith("w0x0 w0x1 w1x0")


def test_cuts_at_a_turn_once_the_target_is_reached() -> None:
    # A speaks 12 tokens in three segments, then B: the chunk ends where B starts, not inside A's turn
    segs = [seg(0, 4, A), seg(1, 4, A), seg(2, 4, A), seg(3, 4, B), seg(4, 4, B), seg(5, 4, C)]
    chunks = chunk_segments(segs, P)
    assert chunks[0].last_seq == 2 and chunks[0].speakers == ("1",)
    assert chunks[1].first_seq == 2  # the overlap: A's last segment (4 tokens) opens the next chunk


def test_never_exceeds_max_tokens_without_a_turn() -> None:
    segs = [seg(i, 3, A) for i in range(30)]
    chunks = chunk_segments(segs, P)
    assert all(c.token_count <= P.max_tokens for c in chunks)
    assert len(chunks) > 3


def test_a_long_segment_is_cut_by_words_with_interpolated_times() -> None:
    chunks = chunk_segments([SegmentRow(0, 0, 50_000, " ".join(f"w{i}" for i in range(50)), A, "a")], P)
    assert [c.token_count for c in chunks] == [20, 20, 10]
    assert [(c.start_ms, c.end_ms) for c in chunks] == [(0, 20_000), (20_000, 40_000), (40_000, 50_000)]
    assert all(c.first_seq == c.last_seq == 0 for c in chunks)


def test_span_is_bounded() -> None:
    segs = [seg(i, 1, A, start=i * 30_000) for i in range(5)]
    chunks = chunk_segments(segs, ChunkParams(target_tokens=50, max_tokens=100, overlap_tokens=0, max_span_ms=60_000))
    assert all(c.end_ms - c.start_ms <= 60_000 for c in chunks)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.sampled_from([A, B, C, None]), st.integers(0, 5000)),
                max_size=60),
       st.integers(1, 40), st.integers(0, 39), st.integers(1, 60))
def test_properties(raw: list[tuple[int, uuid.UUID | None, int]], target: int, overlap: int, extra: int) -> None:
    params = ChunkParams(target_tokens=target, max_tokens=target + extra, overlap_tokens=min(overlap, target - 1),
                         max_span_ms=20_000)
    t = 0
    segs = []
    for i, (words, speaker, dur) in enumerate(raw):
        segs.append(seg(i, words, speaker, start=t, dur=dur))
        t += dur // 2
    chunks = chunk_segments(segs, params)
    assert chunks == chunk_segments(list(reversed(segs)), params)  # deterministic, order-independent
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert 0 < c.token_count <= params.max_tokens
        assert c.first_seq <= c.last_seq and c.start_ms <= c.end_ms
    # every word of every segment is in some chunk, and chunks advance through the transcript
    words = {w for s in segs for w in s.text.split()}
    assert words == {w for c in chunks for w in c.text.split()}
    assert all(a.first_seq <= b.first_seq for a, b in itertools.pairwise(chunks))
    # overlap: consecutive chunks share at most overlap_tokens worth of segments
    for a, b in itertools.pairwise(chunks):
        shared = set(a.text.split()) & set(b.text.split())
        assert len(shared) <= params.overlap_tokens or a.first_seq == a.last_seq == b.first_seq
