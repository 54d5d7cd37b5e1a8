"""Transcript and subtitle files: SubRip, WebVTT, Whisper/WhisperX JSON, our JSON list, and
the AMI Meeting Corpus. Pure Python, no database. See docs/formats.md for the rules."""

from .ami import AmiMeeting, ami_meeting_ids, is_ami_folder, iter_ami_meetings
from .decoding import Decoded, decode, decode_text
from .model import (
    DEFAULT_MAX_BYTES,
    FORMATS,
    ParsedTranscript,
    Segment,
    TranscriptFormatError,
    Word,
)
from .reader import detect_format, parse_bytes, parse_text, read_file
from .text import normalize_text
from .writers import write_json, write_srt, write_vtt

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "AmiMeeting",
    "Decoded",
    "ParsedTranscript",
    "Segment",
    "TranscriptFormatError",
    "Word",
    "ami_meeting_ids",
    "decode",
    "decode_text",
    "detect_format",
    "is_ami_folder",
    "iter_ami_meetings",
    "normalize_text",
    "parse_bytes",
    "parse_text",
    "read_file",
    "write_json",
    "write_srt",
    "write_vtt",
]
