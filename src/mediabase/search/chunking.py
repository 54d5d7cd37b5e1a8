"""Transcript chunks for semantic search: windows of whole segments that respect speaker turns.

The rule (docs/search.md), applied to a transcript's segments in ``seq`` order, skipping
segments without words:

* a chunk grows segment by segment; once it holds ``target_tokens`` it ends at the next
  change of speaker (a turn boundary), so a turn is not cut in the middle when it can be
  helped;
* it ends earlier, at a segment boundary, when the next segment would take it past
  ``max_tokens`` or make it span more than ``max_span_ms``;
* the next chunk starts with the last whole segments of the previous one, up to
  ``overlap_tokens`` (the overlap), so a moment near a boundary is whole in one of them;
* a single segment longer than ``max_tokens`` is cut into pieces by words, with times
  interpolated in proportion to the words.

Tokens are counted as words and punctuation marks (``\\w+|[^\\w\\s]``), a close lower bound
of the WordPiece tokens of the default model (whose input stops at 256). Deterministic: the
same segments always give the same chunks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from uuid import UUID

_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    """Words and punctuation marks in ``text``."""
    return len(_TOKEN.findall(text))


@dataclass(frozen=True, slots=True)
class ChunkParams:
    """The chunker's knobs; ``name`` is recorded with every index (search_index_state.chunker)."""

    target_tokens: int = 80
    max_tokens: int = 160
    overlap_tokens: int = 20
    max_span_ms: int = 60_000

    def __post_init__(self) -> None:
        if not 1 <= self.target_tokens <= self.max_tokens:
            raise ValueError("need 1 <= target_tokens <= max_tokens")
        if not 0 <= self.overlap_tokens < self.target_tokens:
            raise ValueError("need 0 <= overlap_tokens < target_tokens")
        if self.max_span_ms < 1:
            raise ValueError("max_span_ms must be positive")

    @property
    def name(self) -> str:
        return (f"turns-v1:t{self.target_tokens}:m{self.max_tokens}:o{self.overlap_tokens}"
                f":s{self.max_span_ms}")


DEFAULT_PARAMS = ChunkParams()


@dataclass(frozen=True, slots=True)
class SegmentRow:
    """What the chunker needs of a segment."""

    seq: int
    start_ms: int
    end_ms: int
    text: str
    speaker_id: UUID | None = None
    speaker: str | None = None  # the speaker's label


@dataclass(frozen=True, slots=True)
class Chunk:
    index: int
    first_seq: int
    last_seq: int
    start_ms: int
    end_ms: int
    text: str
    token_count: int
    speaker_ids: tuple[UUID, ...] = ()
    speakers: tuple[str, ...] = ()


@dataclass(slots=True)
class _Piece:
    """A segment, or a part of an over-long one, with its token count."""

    seg: SegmentRow
    text: str
    tokens: int
    start_ms: int
    end_ms: int


@dataclass(slots=True)
class _Open:
    pieces: list[_Piece] = field(default_factory=list)
    tokens: int = 0

    def add(self, p: _Piece) -> None:
        self.pieces.append(p)
        self.tokens += p.tokens

    def span_with(self, p: _Piece) -> int:
        return max(p.end_ms, *(q.end_ms for q in self.pieces)) - self.pieces[0].start_ms


def _pieces(segments: Iterable[SegmentRow], max_tokens: int) -> Iterable[_Piece]:
    for seg in segments:
        words = seg.text.split()
        if not words:
            continue
        tokens = count_tokens(seg.text)
        if tokens <= max_tokens:
            yield _Piece(seg, " ".join(words), tokens, seg.start_ms, seg.end_ms)
            continue
        # an over-long segment: consecutive runs of words of at most max_tokens tokens
        runs: list[list[str]] = [[]]
        n = 0
        for w in words:
            t = max(1, count_tokens(w))
            if runs[-1] and n + t > max_tokens:
                runs.append([])
                n = 0
            runs[-1].append(w)
            n += t
        total = len(words)
        done = 0
        duration = seg.end_ms - seg.start_ms
        for run in runs:
            a = seg.start_ms + duration * done // total
            done += len(run)
            b = seg.start_ms + duration * done // total
            text = " ".join(run)
            yield _Piece(seg, text, count_tokens(text), a, b)


def _close(index: int, pieces: Sequence[_Piece]) -> Chunk:
    speaker_ids: list[UUID] = []
    speakers: list[str] = []
    for p in pieces:
        if p.seg.speaker_id is not None and p.seg.speaker_id not in speaker_ids:
            speaker_ids.append(p.seg.speaker_id)
        if p.seg.speaker is not None and p.seg.speaker not in speakers:
            speakers.append(p.seg.speaker)
    text = " ".join(p.text for p in pieces)
    return Chunk(
        index=index,
        first_seq=min(p.seg.seq for p in pieces),
        last_seq=max(p.seg.seq for p in pieces),
        start_ms=min(p.start_ms for p in pieces),
        end_ms=max(p.end_ms for p in pieces),
        text=text,
        token_count=sum(p.tokens for p in pieces),
        speaker_ids=tuple(speaker_ids),
        speakers=tuple(speakers),
    )


def _overlap(pieces: Sequence[_Piece], budget: int) -> list[_Piece]:
    """The last whole pieces of a chunk whose tokens add up to at most ``budget``."""
    out: list[_Piece] = []
    used = 0
    for p in reversed(pieces[1:]):  # never the whole chunk again
        if used + p.tokens > budget:
            break
        out.append(p)
        used += p.tokens
    out.reverse()
    return out


def chunk_segments(segments: Iterable[SegmentRow], params: ChunkParams = DEFAULT_PARAMS) -> list[Chunk]:
    """Chunks of ``segments`` (in ``seq`` order) by the rule in the module docstring."""
    ordered = sorted(segments, key=lambda s: s.seq)
    chunks: list[Chunk] = []
    cur = _Open()
    fresh = 0  # pieces of cur that are not overlap from the previous chunk
    for piece in _pieces(ordered, params.max_tokens):
        if cur.pieces:
            too_big = (cur.tokens + piece.tokens > params.max_tokens
                       or cur.span_with(piece) > params.max_span_ms)
            turn = (piece.seg.speaker_id, piece.seg.speaker) != (
                cur.pieces[-1].seg.speaker_id, cur.pieces[-1].seg.speaker)
            if fresh and (too_big or (cur.tokens >= params.target_tokens and turn)):
                chunks.append(_close(len(chunks), cur.pieces))
                carry = _overlap(cur.pieces, params.overlap_tokens)
                cur = _Open()
                for p in carry:
                    cur.add(p)
                fresh = 0
                if cur.pieces and (cur.tokens + piece.tokens > params.max_tokens
                                   or cur.span_with(piece) > params.max_span_ms):
                    cur = _Open()  # the overlap does not fit beside this piece: drop it
            elif too_big and not fresh:
                cur = _Open()  # only overlap so far, and the piece does not fit beside it
        cur.add(piece)
        fresh += 1
    if cur.pieces and fresh:
        chunks.append(_close(len(chunks), cur.pieces))
    return chunks
