"""WebVTT reader, following the block structure of the W3C "WebVTT parser algorithm".

As the spec says: the file must start with ``WEBVTT`` (then space, tab or a line end);
NUL becomes U+FFFD; a block is a cue when its first or second line holds ``-->``; a cue
whose timing line does not parse is dropped (recorded in ``warnings``); a ``-->`` line
inside cue text ends the cue and starts the next block; NOTE, STYLE and REGION blocks and
cue settings are ignored. Our own rules on top: timestamps may also use ``,`` or a short
or missing fraction (see timecode.parse_vtt_timing); a cue ending before it starts and a
file without any cue raise TranscriptFormatError.
"""

from __future__ import annotations

import re

from .model import ParsedTranscript, Segment, TranscriptFormatError
from .text import split_lines, vtt_cue_text
from .timecode import parse_vtt_timing

_LANGUAGE = re.compile(r"language\s*:\s*(\S+)", re.IGNORECASE)


def parse_vtt(text: str, *, source: str) -> ParsedTranscript:
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    if not text.startswith("WEBVTT") or (len(text) > 6 and text[6] not in " \t\n\r"):
        raise TranscriptFormatError(
            source, 1, "not a WebVTT file (the first line must start with 'WEBVTT')"
        )
    lines = split_lines(text)
    if lines[-1] == "" and len(lines) > 1:
        lines.pop()  # the text ended with a line break
    n = len(lines)
    language: str | None = None
    i = 1
    if i < n and lines[i] != "":
        # The header block: ends at a blank line or before a line holding "-->".
        while i < n and lines[i] != "" and "-->" not in lines[i]:
            m = _LANGUAGE.fullmatch(lines[i].strip())
            if m is not None and language is None:
                language = m[1]
            i += 1
    segments: list[Segment] = []
    warnings: list[str] = []
    lenient_lines: list[int] = []
    while i < n:
        if lines[i] == "":
            i += 1
            continue
        # Collect a WebVTT block starting at line i.
        block_start = i
        line_count = 0
        seen_arrow = False
        cue: tuple[int, int] | None = None
        buffer: list[str] = []
        previous = i
        while i < n:
            line = lines[i]
            i += 1
            line_count += 1
            if "-->" in line:
                if line_count == 1 or (line_count == 2 and not seen_arrow):
                    seen_arrow = True
                    previous = i
                    timing = parse_vtt_timing(line)
                    if timing is None:
                        cue = None
                        warnings.append(f"{source}:{i}: cue dropped: invalid timing {line!r}")
                    else:
                        if timing.end_ms < timing.start_ms:
                            raise TranscriptFormatError(
                                source, i, f"cue ends before it starts ({line.strip()!r})"
                            )
                        if timing.lenient:
                            lenient_lines.append(i)
                        cue = (timing.start_ms, timing.end_ms)
                        buffer = []
                else:
                    i = previous
                    break
            elif line == "":
                break
            else:
                buffer.append(line)
                previous = i
        if cue is not None:
            body, speaker = vtt_cue_text("\n".join(buffer))
            segments.append(Segment(cue[0], cue[1], body, speaker=speaker, line=block_start + 1))
    if lenient_lines:
        warnings.append(
            f"{source}:{lenient_lines[0]}: {len(lenient_lines)} timing line(s) use a "
            "non-WebVTT timestamp form (',' or a short/missing fraction); accepted"
        )
    if not segments:
        raise TranscriptFormatError(source, None, "no cues")
    speakers = {s.speaker: s.speaker for s in segments if s.speaker is not None}
    return ParsedTranscript(
        format="vtt",
        source=source,
        segments=segments,
        language=language,
        speakers=speakers,
        warnings=warnings,
    )
