"""The source of an ingested video, without a database: a key that does not depend on the
path, and a digest that changes with the content (issue 26, defect 3; docs/formats.md)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from mediabase.transcripts.formats import iter_ami_meetings
from mediabase.transcripts.ingest import discover, file_source, meeting_source, unknown_meetings

AMI = Path(__file__).resolve().parent.parent / "data" / "ami" / "ES2002"
SRT = "1\n00:00:01,000 --> 00:00:02,000\nhello\n"


def test_a_file_is_its_format_and_content(tmp_path: Path) -> None:
    digest = hashlib.sha256(SRT.encode()).hexdigest()
    assert file_source("srt", SRT.encode()).model_dump() == {"key": f"srt:{digest}", "sha256": digest}
    for name in ("a.srt", "sub/b.srt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(SRT)
    a, b = (i.origin for i in discover([tmp_path / "a.srt", tmp_path / "sub" / "b.srt"]))
    assert a == b == file_source("srt", SRT.encode())
    [forced] = discover([tmp_path / "a.srt"], fmt="srt")
    assert forced.origin == a


def test_a_meeting_is_its_id_and_what_was_read(tmp_path: Path) -> None:
    here = {m.meeting_id: meeting_source(m.meeting_id, m.transcript) for m in iter_ami_meetings(AMI)}
    assert [s.key for s in here.values()] == ["ami:ES2002a", "ami:ES2002b", "ami:ES2002c", "ami:ES2002d"]
    assert len({s.sha256 for s in here.values()}) == 4
    moved = tmp_path / "elsewhere" / "copy"
    shutil.copytree(AMI, moved)
    assert {m.meeting_id: meeting_source(m.meeting_id, m.transcript) for m in iter_ami_meetings(moved)} == here
    words = moved / "words" / "ES2002c.B.words.xml"
    words.write_text(words.read_text(encoding="latin-1").replace(">the<", ">a<", 1), encoding="latin-1")
    edited = {m.meeting_id: meeting_source(m.meeting_id, m.transcript) for m in iter_ami_meetings(moved)}
    assert [k for k in here if here[k] != edited[k]] == ["ES2002c"]
    assert edited["ES2002c"].key == "ami:ES2002c"


def test_one_meeting_by_only_or_by_path(tmp_path: Path) -> None:
    assert [i.source for i in discover([AMI], only=["ES2002c"])] == [f"{AMI}/ES2002c"]
    [item] = discover([AMI / "ES2002b"])
    assert item.error is None and item.origin is not None and item.origin.key == "ami:ES2002b"
    assert [i.error for i in discover([AMI / "ES2099z"])] == [f"{AMI / 'ES2099z'}: no such file or folder"]
    srt = tmp_path / "t.srt"
    srt.write_text(SRT)
    assert unknown_meetings([AMI, AMI / "ES2002b"], ["ES2002a", "ES2009b"]) == (["ES2009b"], [])
    assert unknown_meetings([srt], ["ES2002a"]) == (["ES2002a"], [srt])
