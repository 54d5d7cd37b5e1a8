"""Zoom's webhook signatures, its challenge, the shapes of a recording and its transcript, and
the sealing of secrets: pure, no database (docs/integrations.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediabase.common.errors import Invalid, Unauthorized
from mediabase.integrations import zoom
from mediabase.integrations.crypto import KeyProblem, Keyring, aad, key_id, new_key
from mediabase.integrations.fetch import Fetcher, FetchError
from mediabase.integrations.settings import IntegrationSettings
from mediabase.transcripts.formats import ParsedTranscript, Segment, parse_text

DATA = Path(__file__).resolve().parents[1] / "data" / "zoom"
NOW = 1_700_000_000


def headers(secret: str, body: bytes, ts: int = NOW) -> dict[str, str]:
    return {zoom.TIMESTAMP_HEADER: str(ts), zoom.SIGNATURE_HEADER: zoom.sign(secret, str(ts), body)}


# -- signatures -------------------------------------------------------------------------------------


def test_the_signature_is_zooms_v0_hmac_of_timestamp_and_body() -> None:
    body = b'{"event":"recording.completed"}'
    expected = hmac.new(b"s3cret", b"v0:1700000000:" + body, hashlib.sha256).hexdigest()
    assert zoom.sign("s3cret", "1700000000", body) == "v0=" + expected


@given(secret=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=64),
       body=st.binary(max_size=2000), flip=st.integers(min_value=0))
def test_a_signed_body_verifies_and_any_changed_byte_does_not(secret: str, body: bytes, flip: int) -> None:
    zoom.verify(secret, headers(secret, body), body, now=NOW, tolerance=300)
    if body:
        i = flip % len(body)
        changed = body[:i] + bytes([body[i] ^ 1]) + body[i + 1:]
        with pytest.raises(Unauthorized, match="does not match"):
            zoom.verify(secret, headers(secret, body), changed, now=NOW, tolerance=300)
    with pytest.raises(Unauthorized, match="does not match"):
        zoom.verify(secret + "x", headers(secret, body), body, now=NOW, tolerance=300)


@pytest.mark.parametrize(("ts", "ok"), [(NOW - 299, True), (NOW - 301, False), (NOW + 301, False),
                                        ((NOW - 100) * 1000, True), ((NOW - 400) * 1000, False)])
def test_a_timestamp_more_than_the_tolerance_away_is_refused(ts: int, ok: bool) -> None:
    body = b"{}"
    if ok:
        zoom.verify("k", headers("k", body, ts), body, now=NOW, tolerance=300)
    else:
        with pytest.raises(Unauthorized, match="stale or replayed"):
            zoom.verify("k", headers("k", body, ts), body, now=NOW, tolerance=300)


@pytest.mark.parametrize("h", [{}, {zoom.TIMESTAMP_HEADER: str(NOW)}, {zoom.SIGNATURE_HEADER: "v0=00"},
                               {zoom.TIMESTAMP_HEADER: "soon", zoom.SIGNATURE_HEADER: "v0=00"}])
def test_missing_or_malformed_headers_are_refused(h: dict[str, str]) -> None:
    with pytest.raises(Unauthorized):
        zoom.verify("k", h, b"{}", now=NOW, tolerance=300)


def test_the_url_validation_answer_is_the_tokens_hmac_and_only_for_a_plain_token() -> None:
    answer = zoom.url_validation("s3cret", {"event": zoom.URL_VALIDATION, "payload": {"plainToken": "qgg8vlvZRS6U"}})
    assert answer == {"plainToken": "qgg8vlvZRS6U",
                      "encryptedToken": hmac.new(b"s3cret", b"qgg8vlvZRS6U", hashlib.sha256).hexdigest()}
    # a token shaped like a signed message would make the endpoint sign anything: refused
    with pytest.raises(Invalid, match="plainToken"):
        zoom.url_validation("s3cret", {"payload": {"plainToken": 'v0:1700000000:{"event":"x"}'}})


# -- recordings ---------------------------------------------------------------------------------------


def test_the_fixture_feeds_read_as_recordings_with_their_transcript_files() -> None:
    answer = json.loads((DATA / "recordings.json").read_text())
    items = list(zoom.recordings_of(answer, "recordings.json"))
    assert [i.where for i in items] == ["recordings.json: meetings[0]", "recordings.json: meetings[1]"]  # type: ignore[union-attr]
    assert items[1].at("recording_files[2].download_url") == (  # type: ignore[union-attr]
        "recordings.json: meetings[1].recording_files[2].download_url")
    first = items[0]
    assert isinstance(first, zoom.FeedRecording)
    tf = first.recording.transcript_file()
    assert tf is not None and tf.download_url == "transcripts/ES2002a.vtt"
    assert first.recording.media_file().file_type == "MP4"  # type: ignore[union-attr]
    assert first.recording.cursor() == "2004-12-13T09:00:00Z"
    event = json.loads((DATA / "recording.completed.json").read_text())
    (only,) = zoom.recordings_of(event, "event")
    assert isinstance(only, zoom.FeedRecording) and only.download_token == "fixture-download-token-not-a-real-one"
    assert "not-a-real-one" not in repr(only)


def test_other_events_hold_no_recordings_and_bad_fields_are_named() -> None:
    assert list(zoom.recordings_of({"event": "meeting.started", "payload": {}}, "x")) == []
    event = json.loads((DATA / "recording.completed.json").read_text())
    event["payload"]["object"]["recording_files"][2]["file_type"] = 7
    del event["payload"]["object"]["start_time"]
    problems = [p for p in zoom.recordings_of(event, "feed.jsonl:3") if isinstance(p, str)]
    assert "feed.jsonl:3: payload.object.start_time: Field required" in problems
    assert any(p.startswith("feed.jsonl:3: payload.object.recording_files[2].file_type: ") for p in problems)
    assert list(zoom.recordings_of([1], "f.json")) == [
        "f.json: [0]: a recording event, a recording or a list of them (got int)"]


def test_later_cursor_keeps_the_latest_time() -> None:
    assert zoom.later_cursor(None, "2024-01-01T00:00:00Z") == "2024-01-01T00:00:00Z"
    assert zoom.later_cursor("2024-02-01T00:00:00Z", "2024-01-01T00:00:00Z") == "2024-02-01T00:00:00Z"
    assert zoom.later_cursor("not a time", "2024-01-01T00:00:00Z") == "2024-01-01T00:00:00Z"


# -- transcripts --------------------------------------------------------------------------------------


def test_zoom_webvtt_names_its_speakers_as_name_colon_text() -> None:
    text = (DATA / "transcripts" / "ES2002a.vtt").read_text()
    parsed = zoom.with_speakers(parse_text(text, source="ES2002a.vtt", format="vtt"))
    assert parsed.segments[0].speaker == "Project Manager" and parsed.segments[0].text == "Okay."
    assert set(parsed.speakers) == {"Project Manager", "Marketing Expert", "Industrial Designer",
                                    "User Interface Designer"}
    assert all(s.speaker for s in parsed.segments)


@given(name=st.text(st.characters(blacklist_characters=":\n\r", blacklist_categories=("Cs", "Cc")), min_size=1,
                    max_size=100).filter(lambda n: n.strip() != ""),
       said=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200).filter(
           lambda s: s.strip() != ""))
def test_name_colon_text_splits_into_speaker_and_text(name: str, said: str) -> None:
    parsed = ParsedTranscript(format="vtt", source="t", segments=[Segment(0, 1, f"{name}: {said}"),
                                                                  Segment(1, 2, "no speaker here"),
                                                                  Segment(2, 3, "Voice: tagged", speaker="V")])
    out = zoom.with_speakers(parsed)
    assert (out.segments[0].speaker, out.segments[0].text) == (name.strip(), said.strip())
    assert (out.segments[1].speaker, out.segments[1].text) == (None, "no speaker here")
    assert (out.segments[2].speaker, out.segments[2].text) == ("V", "Voice: tagged")  # a <v> voice stays
    assert out.speakers == {name.strip(): name.strip(), "V": "V"}


# -- sealing -----------------------------------------------------------------------------------------


def ring(key: str | None = None, old: str | None = None) -> Keyring:
    return Keyring.from_settings(IntegrationSettings.model_validate({"key": key or new_key(), "old_keys": old}))


@given(secret=st.text(max_size=300))
def test_sealing_round_trips_and_never_gives_the_same_ciphertext_twice(secret: str) -> None:
    r = ring()
    where = aad("org", "row", "integration_accounts.access_token")
    a, b = r.seal(secret, where), r.seal(secret, where)
    assert a != b
    assert len(secret.encode()) < 8 or secret.encode() not in a  # (a short one may occur by chance)
    assert r.open(r.current_id, a, where) == r.open(r.current_id, b, where) == secret


def test_a_ciphertext_opens_only_in_its_place_under_its_key() -> None:
    r = ring()
    sealed = r.seal("token", aad("org", "row", "c"))
    with pytest.raises(KeyProblem, match="altered, or moved"):
        r.open(r.current_id, sealed, aad("org", "other row", "c"))
    with pytest.raises(KeyProblem, match="altered"):
        r.open(r.current_id, sealed[:-1] + bytes([sealed[-1] ^ 1]), aad("org", "row", "c"))
    other = ring()  # a wrong key: another id, named in the message
    with pytest.raises(KeyProblem, match=f"sealed under key id {r.current_id}, which is neither"):
        other.open(r.current_id, sealed, aad("org", "row", "c"))
    rotated = ring(old=base64.b64encode(r.current).decode())  # the old key kept for opening
    assert rotated.open(r.current_id, sealed, aad("org", "row", "c")) == "token"


@pytest.mark.parametrize(("key", "message"), [
    (None, "MEDIABASE_INTEGRATIONS_KEY is not set"),
    ("", "MEDIABASE_INTEGRATIONS_KEY is not set"),
    ("not base64!", "is not base64"),
    (base64.b64encode(b"x" * 16).decode(), "32 random bytes \\(AES-256\\), not of 16"),
])
def test_a_missing_or_malformed_key_fails_clearly(key: str | None, message: str) -> None:
    with pytest.raises(KeyProblem, match=message):
        Keyring.from_settings(IntegrationSettings.model_validate({"key": key}))


def test_the_key_id_is_stable_and_not_the_key() -> None:
    k = new_key()
    raw = base64.b64decode(k)
    assert key_id(raw) == ring(k).current_id and len(key_id(raw)) == 16 and key_id(raw) not in raw.hex()


# -- where files come from ----------------------------------------------------------------------------


async def test_a_delivered_recording_reads_no_file_outside_the_root_and_fetches_only_allowed_hosts(
        tmp_path: Path) -> None:
    (tmp_path / "t.vtt").write_text("WEBVTT\n")
    none = Fetcher.remote(None, (".zoom.us",))
    with pytest.raises(FetchError, match="https only"):
        await none.fetch((tmp_path / "t.vtt").as_uri())
    rooted = Fetcher.remote(tmp_path, (".zoom.us",))
    assert await rooted.fetch("t.vtt") == b"WEBVTT\n"
    for escape in ("../etc/passwd", "file:///etc/passwd"):
        with pytest.raises(FetchError, match="outside MEDIABASE_INTEGRATIONS_FILE_ROOT"):
            await rooted.fetch(escape)
    for url, why in (("https://evil.example/x.vtt", "is not one of the provider's download hosts"),
                     ("http://us01web.zoom.us/x.vtt", "only https"), ("ftp://zoom.us/x", "only https, file://")):
        with pytest.raises(FetchError, match=why):
            await rooted.fetch(url)
    assert rooted.media_url("https://us01web.zoom.us/rec/x.mp4?access_token=abc") == "https://us01web.zoom.us/rec/x.mp4"


async def test_https_downloads_send_the_token_and_stop_at_the_size_limit() -> None:
    import httpx

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/big":
            return httpx.Response(200, content=b"x" * 100)
        if request.url.path == "/gone":
            return httpx.Response(503)
        return httpx.Response(200, content=b"WEBVTT\n")

    f = Fetcher.remote(None, (".zoom.us",), download_token="tok", max_bytes=50, transport=httpx.MockTransport(answer))
    assert await f.fetch("https://us01web.zoom.us/rec/t.vtt") == b"WEBVTT\n"
    assert seen[-1].url.params["access_token"] == "tok"
    with pytest.raises(FetchError, match="larger than 50 bytes"):
        await f.fetch("https://zoom.us/big")
    with pytest.raises(FetchError, match="answered 503") as exc:
        await f.fetch("https://zoom.us/gone")
    assert exc.value.retryable
    b = Fetcher.remote(None, (".zoom.us",), bearer="acc", transport=httpx.MockTransport(answer))
    await b.fetch("https://zoom.us/t.vtt")
    assert seen[-1].headers["authorization"] == "Bearer acc"
