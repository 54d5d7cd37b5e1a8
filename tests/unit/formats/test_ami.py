"""The AMI Meeting Corpus reader, on the four ES2002 meetings (tests/data/ami/ES2002) and,
when the shared data folder is there, on the whole corpus."""

from __future__ import annotations

import re
import shutil
import tarfile
from pathlib import Path

import pytest

from mediabase.transcripts.formats import (
    AmiMeeting,
    TranscriptFormatError,
    Word,
    ami_meeting_ids,
    is_ami_folder,
    iter_ami_meetings,
)

from ._paths import AMI_ES2002, SHARED, SUBTITLES


def raw_segment_counts(root: Path) -> dict[str, int]:
    """Number of <segment> elements per meeting, counted in the raw XML."""
    counts: dict[str, int] = {}
    for path in (root / "segments").glob("*.segments.xml"):
        meeting = path.name.split(".")[0]
        counts[meeting] = counts.get(meeting, 0) + len(
            re.findall(rb"<segment\s", path.read_bytes())
        )
    return counts


@pytest.fixture(scope="module")
def es2002() -> list[AmiMeeting]:
    return list(iter_ami_meetings(AMI_ES2002))


def test_is_ami_folder(tmp_path: Path) -> None:
    assert is_ami_folder(AMI_ES2002)
    assert not is_ami_folder(SUBTITLES)
    assert not is_ami_folder(tmp_path)
    with pytest.raises(TranscriptFormatError, match="not an AMI corpus folder"):
        next(iter_ami_meetings(tmp_path))


def test_every_segment_of_es2002(es2002: list[AmiMeeting]) -> None:
    assert [m.meeting_id for m in es2002] == ["ES2002a", "ES2002b", "ES2002c", "ES2002d"]
    counts = {m.meeting_id: len(m.transcript.segments) for m in es2002}
    assert counts == raw_segment_counts(AMI_ES2002)
    assert sum(counts.values()) == 2109  # SOURCES.md: "four meetings ... 2,109 segments"


def test_only_the_meetings_named_are_read(tmp_path: Path) -> None:
    assert ami_meeting_ids(AMI_ES2002) == ["ES2002a", "ES2002b", "ES2002c", "ES2002d"]
    assert ami_meeting_ids(tmp_path) == []
    root = tmp_path / "ES2002"
    shutil.copytree(AMI_ES2002, root)
    (root / "words" / "ES2002b.A.words.xml").write_text("<broken")  # read only if ES2002b is
    assert ami_meeting_ids(root) == ["ES2002a", "ES2002b", "ES2002c", "ES2002d"]
    assert [m.meeting_id for m in iter_ami_meetings(root, only={"ES2002d", "ES2002a"})] == ["ES2002a", "ES2002d"]
    assert list(iter_ami_meetings(root, only=())) == []
    with pytest.raises(TranscriptFormatError, match="ES2002b.A.words.xml"):
        list(iter_ami_meetings(root))


def test_meeting_metadata(es2002: list[AmiMeeting]) -> None:
    t = es2002[0].transcript
    assert (t.format, t.title, t.language, t.duration_ms) == ("ami", "ES2002a", "en", 1242000)
    # corpusResources/meetings.xml: A=ID, B=PM, C=UI, D=ME for ES2002a
    assert t.speakers == {
        "A": "Industrial Designer",
        "B": "Project Manager",
        "C": "User Interface Designer",
        "D": "Marketing Expert",
    }
    assert es2002[3].transcript.speakers["C"] == "Marketing Expert"  # roles vary by meeting
    assert t.warnings == []


def test_segment_text_words_and_times(es2002: list[AmiMeeting]) -> None:
    segments = es2002[0].transcript.segments
    first_of_a = next(s for s in segments if s.speaker == "A")
    assert first_of_a.text == "Hi, I'm David and I'm supposed to be an industrial designer."
    assert (first_of_a.start_ms, first_of_a.end_ms, first_of_a.line) == (77408, 80955, 3)
    assert first_of_a.words is not None
    assert first_of_a.words[:3] == (
        Word("Hi", 77440, 77740),
        Word(",", 77740, 77740),
        Word("I'm", 77740, 78160),
    )
    assert len(first_of_a.words) == 13


def test_segments_sorted_and_wordless_ones_kept(es2002: list[AmiMeeting]) -> None:
    for meeting in es2002:
        segments = meeting.transcript.segments
        keys = [(s.start_ms, s.end_ms, s.speaker) for s in segments]
        assert keys == sorted(keys)
        assert all(s.start_ms <= s.end_ms for s in segments)
    # ES2002a.sync.344 covers only vocal sounds: kept with empty text
    silent = [s for s in es2002[0].transcript.segments if (s.speaker, s.start_ms) == ("D", 177952)]
    assert len(silent) == 1
    assert (silent[0].text, silent[0].words, silent[0].end_ms) == ("", (), 180064)


def _one_meeting(tmp_path: Path) -> Path:
    root = tmp_path / "ami"
    for sub in ("words", "segments"):
        (root / sub).mkdir(parents=True)
        for f in (AMI_ES2002 / sub).glob("ES2002a.*"):
            shutil.copy(f, root / sub / f.name)
    shutil.copytree(AMI_ES2002 / "corpusResources", root / "corpusResources")
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="latin-1")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="latin-1")


def test_malformed_xml_names_file_and_line(tmp_path: Path) -> None:
    root = _one_meeting(tmp_path)
    seg = root / "segments" / "ES2002a.B.segments.xml"
    _edit(seg, '<segment nite:id="ES2002a.sync.74"', "<segment <broken")
    with pytest.raises(TranscriptFormatError) as info:
        list(iter_ami_meetings(root))
    assert (info.value.source, info.value.line) == (str(seg), 9)
    assert info.value.reason.startswith("malformed XML")


def test_malformed_words_file(tmp_path: Path) -> None:
    root = _one_meeting(tmp_path)
    words = root / "words" / "ES2002a.C.words.xml"
    words.write_bytes(words.read_bytes()[:5000])
    with pytest.raises(TranscriptFormatError) as info:
        list(iter_ami_meetings(root))
    assert info.value.source == str(words)
    assert info.value.line is not None


def test_bad_times_and_references(tmp_path: Path) -> None:
    root = _one_meeting(tmp_path)
    seg = root / "segments" / "ES2002a.A.segments.xml"
    _edit(seg, 'transcriber_start="132.38"', 'transcriber_start="soon"')
    with pytest.raises(TranscriptFormatError) as info:
        list(iter_ami_meetings(root))
    assert (info.value.source, info.value.line) == (str(seg), 6)
    assert "segment ES2002a.sync.6: bad time" in info.value.reason

    _edit(seg, 'transcriber_start="soon"', 'transcriber_start="132.38"')
    _edit(seg, "id(ES2002a.A.words48)", "id(ES2002a.A.words99999)")
    with pytest.raises(TranscriptFormatError, match="names no range") as info:
        list(iter_ami_meetings(root))
    assert info.value.line == 6

    _edit(seg, "id(ES2002a.A.words99999)", "id(ES2002a.A.words48)")
    (root / "words" / "ES2002a.A.words.xml").unlink()
    with pytest.raises(TranscriptFormatError, match="cannot read"):
        list(iter_ami_meetings(root))


def test_end_before_start_is_swapped_with_a_warning(tmp_path: Path) -> None:
    root = _one_meeting(tmp_path)
    seg = root / "segments" / "ES2002a.A.segments.xml"
    _edit(seg, 'transcriber_end="80.955"', 'transcriber_end="76.0"')
    (meeting,) = iter_ami_meetings(root)
    first = next(s for s in meeting.transcript.segments if s.speaker == "A")
    assert (first.start_ms, first.end_ms) == (76000, 77408)
    assert meeting.transcript.warnings == [
        f"{seg}:3: segment ES2002a.sync.4 ends before it starts; times swapped"
    ]


def test_without_meetings_xml_speakers_get_letters(tmp_path: Path) -> None:
    root = _one_meeting(tmp_path)
    shutil.rmtree(root / "corpusResources")
    (meeting,) = iter_ami_meetings(root)
    assert meeting.transcript.speakers == {a: f"Speaker {a}" for a in "ABCD"}
    assert meeting.transcript.duration_ms is None


TARBALL = SHARED / "ami" / "ami_public_manual_1.6.2.tar.xz"


@pytest.mark.slow
@pytest.mark.skipif(not TARBALL.is_file(), reason="shared AMI corpus not present")
def test_whole_corpus(tmp_path_factory: pytest.TempPathFactory) -> None:
    target = tmp_path_factory.mktemp("ami")
    with tarfile.open(TARBALL) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(target, filter="data")
        else:  # Python < 3.11.4: the archive is the team's own shared copy
            tar.extractall(target)  # noqa: S202
    (root,) = [p for p in target.iterdir() if p.is_dir()]
    meetings = list(iter_ami_meetings(root))  # its speed is a benchmark (bench/formats_speed.py), not a test
    counts = {m.meeting_id: len(m.transcript.segments) for m in meetings}
    assert len(meetings) == 171
    assert counts == raw_segment_counts(root)
    assert sum(counts.values()) == 93637  # SOURCES.md: 93,637 speaker segments
    words = sum(len(s.words or ()) for m in meetings for s in m.transcript.segments)
    assert words > 1_140_000  # of the corpus's 1.15 M <w> elements
    swapped = [w for m in meetings for w in m.transcript.warnings]
    assert len(swapped) == 2  # EN2005a.sync.1,118 and ES2011c.sync.496
