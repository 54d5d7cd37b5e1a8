"""Regenerate this folder's Zoom-shaped fixtures from the AMI test data (python tests/data/zoom/generate.py).

Each transcript is the first CUES utterances of an AMI meeting (tests/data/ami, CC BY 4.0) written as
Zoom writes its audio transcripts: WebVTT, numbered cues, the speaker as "Name: text" (here the
participant's role in the meeting, as the corpus names it). Times are the corpus's, from the first
utterance on.
"""

from __future__ import annotations

import json
from pathlib import Path

from mediabase.transcripts.formats import iter_ami_meetings

HERE = Path(__file__).resolve().parent
AMI = HERE.parent / "ami" / "ES2002"
CUES = 30
MEETINGS = {  # meeting -> (Zoom meeting uuid, meeting number, start, topic)
    "ES2002a": ("aW1wb3J0ZWQtRVMyMDAyYQ==", 81234560001, "2004-12-13T09:00:00Z", "Remote control kick-off"),
    "ES2002b": ("aW1wb3J0ZWQtRVMyMDAyYg==", 81234560002, "2004-12-13T10:00:00Z", "Remote control functional design"),
    "ES2002c": ("aW1wb3J0ZWQtRVMyMDAyYw==", 81234560003, "2004-12-13T11:00:00Z", "Remote control conceptual design"),
}


def clock(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def iso(start: str, ms: int) -> str:
    from datetime import datetime, timedelta

    t = datetime.fromisoformat(start.replace("Z", "+00:00")) + timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def recording(meeting: str, last_ms: int) -> dict[str, object]:
    uuid, number, start, topic = MEETINGS[meeting]
    end = iso(start, last_ms)
    base = f"https://example.zoom.us/rec/download/{meeting}"
    files = [
        {"id": f"{meeting}-mp4", "meeting_id": uuid, "recording_start": start, "recording_end": end,
         "file_type": "MP4", "file_extension": "MP4", "file_size": 48_215_338, "download_url": f"{base}.mp4",
         "status": "completed", "recording_type": "shared_screen_with_speaker_view"},
        {"id": f"{meeting}-m4a", "meeting_id": uuid, "recording_start": start, "recording_end": end,
         "file_type": "M4A", "file_extension": "M4A", "file_size": 4_870_112, "download_url": f"{base}.m4a",
         "status": "completed", "recording_type": "audio_only"},
        {"id": f"{meeting}-transcript", "meeting_id": uuid, "recording_start": start, "recording_end": end,
         "file_type": "TRANSCRIPT", "file_extension": "VTT", "file_size": 0,
         "download_url": f"transcripts/{meeting}.vtt", "status": "completed", "recording_type": "audio_transcript"},
        {"id": f"{meeting}-chat", "meeting_id": uuid, "recording_start": start, "recording_end": end,
         "file_type": "CHAT", "file_extension": "TXT", "file_size": 312, "download_url": f"{base}.txt",
         "status": "completed", "recording_type": "chat_file"},
    ]
    return {"uuid": uuid, "id": number, "account_id": "fixture-account", "host_id": "fixture-host", "topic": topic,
            "type": 2, "start_time": start, "timezone": "Europe/London", "duration": (last_ms + 59_999) // 60_000,
            "total_size": sum(int(f["file_size"]) for f in files), "recording_count": len(files),
            "recording_files": files}


def main() -> None:
    ends: dict[str, int] = {}
    for m in iter_ami_meetings(AMI, set(MEETINGS)):
        t = m.transcript
        cues = [s for s in t.segments if s.text.strip()][:CUES]
        first = cues[0].start_ms
        lines = ["WEBVTT", ""]
        for i, s in enumerate(cues, 1):
            name = t.speakers.get(s.speaker or "", s.speaker or "Unknown")
            lines += [str(i), f"{clock(s.start_ms - first)} --> {clock(s.end_ms - first)}", f"{name}: {s.text}", ""]
        (HERE / "transcripts" / f"{m.meeting_id}.vtt").write_text("\n".join(lines), encoding="utf-8")
        ends[m.meeting_id] = max(s.end_ms for s in cues) - first

    def rec(meeting: str) -> dict[str, object]:
        r = recording(meeting, ends[meeting])
        for f in r["recording_files"]:  # type: ignore[attr-defined]
            if f["file_type"] == "TRANSCRIPT":
                f["file_size"] = (HERE / f["download_url"]).stat().st_size
        return r

    answer = {"from": "2004-12-13", "to": "2004-12-13", "page_count": 1, "page_size": 30, "total_records": 2,
              "next_page_token": "", "meetings": [rec("ES2002a"), rec("ES2002b")]}
    (HERE / "recordings.json").write_text(json.dumps(answer, indent=2) + "\n", encoding="utf-8")
    event = {"event": "recording.completed", "event_ts": 1102932000000,
             "payload": {"account_id": "fixture-account", "object": rec("ES2002c")},
             "download_token": "fixture-download-token-not-a-real-one"}
    (HERE / "recording.completed.json").write_text(json.dumps(event, indent=2) + "\n", encoding="utf-8")

if __name__ == "__main__":
    main()
