"""SubRip (.srt, and the multi-language .msrt variant) reader.

Tolerated: a missing or non-numeric cue number, numbering gaps, extra blank lines,
whitespace-only separator lines, a missing blank line before the next cue, blocks with no
timing line (skipped, with a warning), hours or milliseconds left out, ``.`` for ``,``,
position suffixes (``X1:.. Y1:..``), CR/LF/CRLF line ends, overlapping cues.
Refused (TranscriptFormatError with the line): a timing line that does not parse, a
negative time, an end before its start, and a file without any cue.
"""

from __future__ import annotations

from .model import ParsedTranscript, Segment, TranscriptFormatError
from .text import split_lines, srt_cue_text
from .timecode import TimecodeError, is_srt_timing, parse_srt_timing


def _starts_cue(lines: list[str], j: int) -> bool:
    """Does a new cue start at line j (a timing line, or a number and a timing line)?"""
    line = lines[j]
    if "-->" in line:
        return is_srt_timing(line)
    if j + 1 < len(lines) and "-->" in lines[j + 1]:
        return line.strip().isdecimal() and is_srt_timing(lines[j + 1])
    return False


def parse_srt(text: str, *, source: str) -> ParsedTranscript:
    text = text.removeprefix("\ufeff")
    lines = split_lines(text)
    n = len(lines)
    segments: list[Segment] = []
    warnings: list[str] = []
    i = 0
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        if "-->" in lines[i]:
            t = i
        elif i + 1 < n and "-->" in lines[i + 1]:
            t = i + 1
        else:
            j = i + 1
            while j < n and lines[j].strip() and not _starts_cue(lines, j):
                j += 1
            warnings.append(f"{source}:{i + 1}: block without a timing line skipped")
            i = j
            continue
        try:
            start, end, _ = parse_srt_timing(lines[t])
        except TimecodeError as e:
            raise TranscriptFormatError(source, t + 1, str(e)) from None
        if end < start:
            raise TranscriptFormatError(
                source, t + 1, f"cue ends before it starts ({lines[t].strip()!r})"
            )
        j = t + 1
        while j < n and lines[j].strip() and not _starts_cue(lines, j):
            j += 1
        segments.append(Segment(start, end, srt_cue_text("\n".join(lines[t + 1 : j])), line=i + 1))
        i = j
    if not segments:
        what = "empty file" if not text.strip() else "no timing line found"
        raise TranscriptFormatError(source, None, f"no cues ({what})")
    return ParsedTranscript(format="srt", source=source, segments=segments, warnings=warnings)
