"""Fuzzing: whatever the bytes, parse_bytes returns a transcript or raises
TranscriptFormatError, never anything else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediabase.transcripts.formats import TranscriptFormatError, parse_bytes

SEEDS = [
    b"WEBVTT\n\nid\n00:00.000 --> 00:01.000 align:start\n<v.a Ann>hi &amp; <b>bye</b>\n",
    b"\xef\xbb\xbf1\r\n00:00:01,000 --> 00:00:02,000\r\n<i>x</i> {\\an8}\r\n",
    b'{"segments":[{"start":1,"end":2,"text":" x","words":[{"word":"x","start":1,"end":2,'
    b'"score":0.5}]}],"language":"en"}',
    b'[{"start_ms":1,"end_ms":2,"text":"x","speaker":"A","confidence":0.5}]',
    "1\n00:00:01,000 --> 00:00:02,000\n宇宙守护神\n".encode("gb18030"),
    "\ufeff1\n00:00:01,000 --> 00:00:02,000\nx\n".encode("utf-16"),
]
PIECES = [b"-->", b"\n", b"\r", b"<", b">", b"&", b":", b".", b",", b"9" * 20, b"\x00",
          b"\xff", b'"', b"{", b"}", b"[", b"]", b"-", b"1e999", b"NaN", b"true", b"null",
          b"WEBVTT", b"&#0;", b"<v ", b"\xfe\xff", b"\xef\xbb\xbf", b"9" * 5000]
NAMES = ["x", "x.srt", "x.vtt", "x.json", "x.txt", "x.msrt"]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.integers(0, 2))
        if op == 0:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=6))
        elif op == 1:
            del data[pos : pos + draw(st.integers(1, 6))]
        else:
            data[pos:pos] = draw(st.sampled_from(PIECES))
    return bytes(data)


def _parse(data: bytes, name: str) -> None:
    error: TranscriptFormatError | None = None
    try:
        parsed = parse_bytes(data, source=name)
    except TranscriptFormatError as e:
        error = e
    if error is not None:
        assert str(error).startswith(name)
        return
    assert parsed.segments
    for s in parsed.segments:
        assert 0 <= s.start_ms <= s.end_ms


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600), st.sampled_from(NAMES))
def test_arbitrary_bytes(data: bytes, name: str) -> None:
    _parse(data, name)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.sampled_from(NAMES))
def test_mutated_valid_files(data: bytes, name: str) -> None:
    _parse(data, name)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(NAMES))
def test_arbitrary_text(text: str, name: str) -> None:
    _parse(text.encode("utf-8", errors="surrogatepass"), name)
