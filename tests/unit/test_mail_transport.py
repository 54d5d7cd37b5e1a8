"""The mail transport's configuration, the messages it builds, the file transport, and the digest's
periods and text (no database)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediabase.collab.digests import Period, _Digest, _Item, last_closed_period, render
from mediabase.mail.transport import (
    FileTransport,
    MailConfig,
    MailConfigError,
    Outgoing,
    build_email,
    parse_mail_url,
    scrub,
)

DEFAULT = Path("/var/lib/mediabase/mail")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (None, MailConfig("file", folder=DEFAULT)),
        ("", MailConfig("file", folder=DEFAULT)),
        ("file:///srv/mail%20out", MailConfig("file", folder=Path("/srv/mail out"))),
        ("smtp://127.0.0.1:2525", MailConfig("smtp", host="127.0.0.1", port=2525, tls="none")),
        ("smtp://relay", MailConfig("smtp", host="relay", port=25, tls="none")),
        ("SMTP+STARTTLS://me%40x.org:p%3Ass@mail.x.org",
         MailConfig("smtp", host="mail.x.org", port=587, tls="starttls", username="me@x.org", password="p:ss")),
        ("smtps://u:pw@[::1]:4650", MailConfig("smtp", host="::1", port=4650, tls="implicit", username="u",
                                               password="pw")),
    ],
)
def test_mail_urls_name_their_transport(url: str | None, expected: MailConfig) -> None:
    assert parse_mail_url(url, DEFAULT) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.org", "unknown scheme 'http': use smtp://host:port"),
        ("mail.example.org:25", "unknown scheme 'mail.example.org'"),
        ("smtp://", "names no host"),
        ("smtp://host:99999", "not a valid URL"),
        ("smtp://host:0", "port must be between 1 and 65535"),
        ("smtp://user:pw@host", "a login is only sent over TLS"),
        ("smtps://:pw@host", "a password but no user name"),
        ("smtp://host/path", "nothing after"),
        ("file://server/share", "absolute folder"),
    ],
)
def test_bad_mail_urls_say_what_is_wrong_in_one_line(url: str, message: str) -> None:
    with pytest.raises(MailConfigError, match="MEDIABASE_MAIL_URL") as err:
        parse_mail_url(url, DEFAULT)
    assert message in str(err.value) and "\n" not in str(err.value)


def _parse(url: str) -> MailConfig | str:
    try:
        return parse_mail_url(url, DEFAULT)
    except MailConfigError as exc:
        return str(exc)


@given(st.text(max_size=80), st.text(alphabet="abcXYZ019._~!$&'()*+,;=-", max_size=12))
def test_any_mail_url_is_a_transport_or_one_clear_error_never_showing_the_password(text: str, tail: str) -> None:
    secret = "S3cr3t-" + tail
    for url in (text, f"smtps://user:{secret}@{text}", f"smtp+starttls://u:{secret}@host:587{text}"):
        out = _parse(url)
        if isinstance(out, str):
            assert out.startswith("MEDIABASE_MAIL_URL") and "\n" not in out and "S3cr3t-" not in out
        else:
            assert out.kind in ("file", "smtp") and "S3cr3t-" not in out.describe()


def test_addresses_are_scrubbed_from_what_is_logged() -> None:
    assert scrub("550 5.1.1 <member@alpha.example.com>: no such user") == "550 5.1.1 <<address>>: no such user"


OUT = Outgoing(id=UUID("01900000-0000-7000-8000-000000000001"), organization_id=UUID(int=1),
               to_address="member@alpha.example.com", subject="Alpha: 2 decisions on Sunday",
               body_text="Hello\n\n- Ünïcode déçision\n", body_html="<p>Hello</p>", kind="decision.digest",
               created_at=datetime(2026, 12, 6, 8, 30, tzinfo=UTC))


def test_the_file_transport_writes_one_parseable_eml_per_message(tmp_path: Path) -> None:
    folder = tmp_path / "deep" / "mail"
    email = build_email(OUT, "Mediabase <noreply@media.example.org>")
    asyncio.run(FileTransport(folder).send(email, message_id=OUT.id))
    asyncio.run(FileTransport(folder).send(email, message_id=OUT.id))  # sent again: the same file
    files = list(folder.iterdir())
    assert [f.name for f in files] == [f"{OUT.id}.eml"]
    parsed = BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())
    assert parsed["From"] == "Mediabase <noreply@media.example.org>"
    assert parsed["To"] == OUT.to_address and parsed["Subject"] == OUT.subject
    assert parsed["Message-ID"] == f"<{OUT.id}@mediabase>" and parsed["Date"] == "Sun, 06 Dec 2026 08:30:00 +0000"
    assert parsed["X-Mediabase-Kind"] == "decision.digest" and parsed["Auto-Submitted"] == "auto-generated"
    plain = parsed.get_body(("plain",))
    assert plain is not None and "Ünïcode déçision" in plain.get_content()
    html = parsed.get_body(("html",))
    assert html is not None and html.get_content().strip() == "<p>Hello</p>"


def test_a_folder_that_cannot_be_written_is_a_transport_error(tmp_path: Path) -> None:
    from mediabase.mail.transport import TransportError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(TransportError, match="cannot write"):
        asyncio.run(FileTransport(blocker / "mail").send(build_email(OUT, "a@b.example"), message_id=OUT.id))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_the_last_closed_period_has_ended_and_is_the_latest_that_has(at: datetime) -> None:
    for frequency, length in (("daily", timedelta(days=1)), ("weekly", timedelta(days=7))):
        p = last_closed_period(frequency, at)  # type: ignore[arg-type]
        assert p.end - p.start == length and p.end <= at < p.end + length
        assert p.start.hour == p.start.minute == p.start.second == p.start.microsecond == 0
        if frequency == "weekly":
            assert p.start.weekday() == 0 and p.label == f"{p.start.isocalendar()[0]}-W{p.start.isocalendar()[1]:02d}"
        else:
            assert p.label == p.start.strftime("%Y-%m-%d")


def test_periods_are_utc_days_and_iso_weeks() -> None:
    at = datetime(2027, 1, 3, 23, 0, tzinfo=UTC)  # a Sunday: ISO week 2026-W53 ends at midnight
    assert last_closed_period("daily", at).label == "2027-01-02"
    weekly = last_closed_period("weekly", at)
    assert weekly.label == "2026-W52" and weekly.start == datetime(2026, 12, 21, tzinfo=UTC)
    assert last_closed_period("weekly", datetime(2027, 1, 4, tzinfo=UTC)).label == "2026-W53"
    with pytest.raises(ValueError, match="aware"):
        last_closed_period("daily", datetime(2027, 1, 4))


def test_a_digest_lists_each_decision_with_its_tag_video_and_moment_link() -> None:
    period = Period("daily", datetime(2026, 12, 5, tzinfo=UTC), datetime(2026, 12, 6, tzinfo=UTC))
    digest = _Digest(period, "Mia", "Alpha & Co", [
        _Item("Sell at <25> euro", "pricing", "Kick-off", "https://m.example/videos/v1?t=125", "0:02:05"),
        _Item("Hire two designers", None, None, None, None),
    ])
    subject, text, html = render(digest)
    assert subject == "Alpha & Co: 2 decisions on Saturday 05 December 2026"
    assert "- Sell at <25> euro\n  #pricing · Kick-off at 0:02:05\n  https://m.example/videos/v1?t=125\n" in text
    assert "- Hire two designers\n\nYou get this daily digest" in text
    assert "Sell at &lt;25&gt; euro" in html and "Alpha &amp; Co" in html
    assert '<a href="https://m.example/videos/v1?t=125">0:02:05</a>' in html


def test_an_internationalized_address_is_written_as_utf8_and_lines_end_in_crlf(tmp_path: Path) -> None:
    out = Outgoing(id=OUT.id, organization_id=OUT.organization_id, to_address="jörg@exämple.de",
                   subject="Grüße", body_text="hi\n", body_html=None, kind="decision.digest", created_at=OUT.created_at)
    asyncio.run(FileTransport(tmp_path).send(build_email(out, "a@b.example"), message_id=out.id))
    raw = (tmp_path / f"{out.id}.eml").read_bytes()
    assert "To: jörg@exämple.de\r\n".encode() in raw and b"\n" not in raw.replace(b"\r\n", b"")
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["To"] == "jörg@exämple.de" and parsed["Subject"] == "Grüße"
