"""Decision digests into the mail outbox, and the outbox's sending, on a real database and a real
SMTP server on loopback (docs/mail.md, docs/collab.md "Digests")."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

import mediabase.mail.jobs  # noqa: F401 - registers mail.send
from mediabase.collab import digests
from mediabase.config import Settings, get_settings
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, MediabaseError
from mediabase.identity import service as identity
from mediabase.insights import decisions
from mediabase.insights.models import DecisionCreate, Frequency, SubscriptionSet, TagCreate
from mediabase.jobs.registry import handlers
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import Worker
from mediabase.mail import service as mail
from mediabase.mail.models import MailStatus
from mediabase.mail.transport import (
    FileTransport,
    MailConfigError,
    TransportError,
    parse_mail_url,
    transport_for,
    transport_from_settings,
)
from tests.conftest import make_settings
from tests.factories import Tenant, make_video
from tests.smtp_sink import Sink, smtp_sink

pytestmark = pytest.mark.slow


@pytest.fixture
def mail_settings(migrated_url: str) -> Settings:
    return make_settings(migrated_url, public_url="https://media.example.org", mail_max_attempts=3)


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    """An SMTP server, and the process's settings pointing at it (what the worker's job reads)."""
    with smtp_sink() as s:
        monkeypatch.setenv("MEDIABASE_MAIL_URL", s.url)
        get_settings.cache_clear()
        try:
            yield s
        finally:
            get_settings.cache_clear()


async def subscribe_and_decide(db: Database, owner_db: Database, t: Tenant, summary: str, *,
                               weekly: str | None = None) -> UUID:
    """In ``t``'s organization: the member follows #pricing daily (and #hiring weekly); the owner
    records a decision under #pricing at 0:02:05 of a video; the notification is moved back a day
    (into the last closed UTC day; set to a constant: Citus refuses a STABLE operator on a column
    in an UPDATE). Returns the video's id."""
    video = await make_video(db, t.owner, f"Pricing meeting of {t.slug}", n=200)
    pricing = await decisions.create_tag(db, t.owner, TagCreate(name="pricing"))
    await decisions.update_subscription(db, t.member, pricing.id, SubscriptionSet(frequency=Frequency.daily))
    await decisions.create_decision(db, t.owner, DecisionCreate(
        summary=summary, video_id=video, position_ms=125_400, tag_ids=[pricing.id]))
    if weekly:
        hiring = await decisions.create_tag(db, t.owner, TagCreate(name="hiring"))
        await decisions.update_subscription(db, t.member, hiring.id, SubscriptionSet(frequency=Frequency.weekly))
        await decisions.create_decision(db, t.owner, DecisionCreate(summary=weekly, tag_ids=[hiring.id]))
    async with owner_db.transaction() as conn:
        await conn.execute("UPDATE notifications SET created_at = now() - interval '1 day'"
                           " WHERE organization_id = %s AND delivery = 'daily'", (t.owner.organization_id,))
        await conn.execute("UPDATE notifications SET created_at = now() - interval '7 days'"
                           " WHERE organization_id = %s AND delivery = 'weekly'", (t.owner.organization_id,))
    return video


async def compose(owner_db: Database, settings: Settings, frequency: digests.Frequency = "daily",
                  **kw: Any) -> list[digests.DigestLine]:
    async with owner_db.owner_connection() as conn:
        return await digests.compose_digests(conn, frequency=frequency, settings=settings, **kw)


async def rows(owner_db: Database, query: str, *args: Any) -> list[dict[str, Any]]:
    async with owner_db.transaction() as conn:
        return await (await conn.execute(query, args)).fetchall()


async def test_running_the_digests_twice_makes_one_per_member_and_period(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], mail_settings: Settings) -> None:
    a, b = tenants
    await subscribe_and_decide(db, owner_db, a, "Alpha sells at 25 euro", weekly="Alpha hires two designers")
    await subscribe_and_decide(db, owner_db, b, "Bravo sells at 40 euro")
    first = await compose(owner_db, mail_settings)
    assert sorted((line.user_id, line.outcome, line.notifications) for line in first) == sorted(
        [(a.member.user_id, "composed", 1), (b.member.user_id, "composed", 1)])
    assert await compose(owner_db, mail_settings) == []  # nothing left pending
    weekly = await compose(owner_db, mail_settings, "weekly")
    assert [(line.user_id, line.outcome) for line in weekly] == [(a.member.user_id, "composed")]
    assert await compose(owner_db, mail_settings, "weekly") == []
    digest_rows = await rows(owner_db, "SELECT organization_id, user_id, frequency, notification_count, message_id"
                                       " FROM notification_digests")
    assert len(digest_rows) == 3 and all(r["message_id"] is not None for r in digest_rows)
    outbox = await rows(owner_db, "SELECT kind, status, dedupe_key FROM mail_outbox")
    assert len(outbox) == 3 and {r["kind"] for r in outbox} == {"decision.digest"}
    assert {r["dedupe_key"].split(":")[1] for r in outbox} == {"daily", "weekly"}
    pending = await rows(owner_db, "SELECT count(*) AS n FROM notifications WHERE delivery <> 'instant'"
                                   " AND digest_id IS NULL")
    assert pending[0]["n"] == 0
    # a second composer of the same period finds the digest and writes nothing (the dedupe key holds too)
    async with owner_db.transaction() as conn:
        await conn.execute("INSERT INTO notifications (organization_id, user_id, kind, title, delivery, decision_id,"
                           " created_at) SELECT organization_id, user_id, kind, title, delivery, decision_id,"
                           " created_at FROM notifications WHERE organization_id = %s AND delivery = 'daily'",
                           (a.owner.organization_id,))
    again = await compose(owner_db, mail_settings, org=a.owner.organization_id)
    assert [line.outcome for line in again] == ["exists"]  # the straggler waits for the next period's digest
    assert len(await rows(owner_db, "SELECT 1 FROM mail_outbox")) == 3


async def test_a_member_never_receives_another_organizations_decisions(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], mail_settings: Settings) -> None:
    a, b = tenants
    video = await subscribe_and_decide(db, owner_db, a, "Alpha sells at 25 euro")
    await subscribe_and_decide(db, owner_db, b, "Bravo sells at 40 euro")
    only_a = await compose(owner_db, mail_settings, org=a.owner.organization_id)
    assert [line.organization_id for line in only_a] == [a.owner.organization_id]
    await compose(owner_db, mail_settings)
    page_a = await mail.list_messages(db, a.owner)
    page_b = await mail.list_messages(db, b.owner)
    assert len(page_a.items) == len(page_b.items) == 1  # each organization sees its own outbox only
    msg_a = await mail.get_message(db, a.owner, page_a.items[0].id)
    msg_b = await mail.get_message(db, b.owner, page_b.items[0].id)
    assert msg_a.to_address == f"member@{a.slug}.example.com" and msg_b.to_address == f"member@{b.slug}.example.com"
    assert "Alpha sells at 25 euro" in msg_a.body_text and "Bravo" not in msg_a.body_text
    assert "Bravo sells at 40 euro" in msg_b.body_text and "Alpha" not in msg_b.body_text
    assert f"https://media.example.org/videos/{video}?t=125" in msg_a.body_text
    assert "#pricing" in msg_a.body_text and "0:02:05" in msg_a.body_text
    assert msg_a.body_html is not None and f'href="https://media.example.org/videos/{video}?t=125"' in msg_a.body_html
    with pytest.raises(Exception, match="message not found"):
        await mail.get_message(db, a.owner, msg_b.id)
    with pytest.raises(Forbidden):
        await mail.list_messages(db, a.member)


async def test_the_worker_composes_the_digest_and_an_smtp_server_receives_it(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], sink: Sink, migrated_url: str) -> None:
    a, _ = tenants
    video = await subscribe_and_decide(db, owner_db, a, "Alpha sells at 25 euro")
    settings = JobSettings(lease_seconds=5, poll_interval=0.2, shutdown_grace=2.0)
    worker = Worker(db, settings, registrations={mail.JOB_TYPE: handlers()[mail.JOB_TYPE]},
                    maintenance_url=migrated_url)  # its first upkeep pass composes the digest
    task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(60):
            while not sink.received():  # noqa: ASYNC110 - polling what the server received
                await asyncio.sleep(0.1)
            while (await rows(owner_db, "SELECT status FROM mail_outbox"))[0]["status"] != "sent":  # noqa: ASYNC110
                await asyncio.sleep(0.1)
    finally:
        worker.stop()
        await task
    [got] = sink.received()
    assert got.rcpt_tos == [f"member@{a.slug}.example.com"]
    assert got.message["To"] == f"member@{a.slug}.example.com"
    assert got.message["Subject"].startswith("Alpha: 1 decision on ")
    text = got.message.get_body(("plain",))
    assert text is not None and "Alpha sells at 25 euro" in text.get_content()
    assert f"/videos/{video}?t=125" in text.get_content()
    [row] = await rows(owner_db, "SELECT id, attempts, sent_at FROM mail_outbox")
    assert got.message["Message-ID"] == f"<{row['id']}@mediabase>" and row["attempts"] == 1


async def test_a_crash_while_composing_leaves_everything_pending(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], mail_settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    a, _ = tenants
    await subscribe_and_decide(db, owner_db, a, "Alpha sells at 25 euro")
    real = mail.queue_message

    async def crash(*args: Any, **kw: Any) -> Any:
        await real(*args, **kw)  # the mail is written, then the process "dies"
        raise RuntimeError("killed")

    monkeypatch.setattr(digests, "queue_message", crash)
    with pytest.raises(RuntimeError, match="killed"):
        await compose(owner_db, mail_settings)
    assert await rows(owner_db, "SELECT 1 FROM mail_outbox") == []
    assert await rows(owner_db, "SELECT 1 FROM notification_digests") == []
    monkeypatch.setattr(digests, "queue_message", real)
    assert [line.outcome for line in await compose(owner_db, mail_settings)] == ["composed"]


async def test_a_crash_between_composing_and_sending_leaves_it_queued_and_the_next_run_sends_it(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], mail_settings: Settings,
        tmp_path: Path) -> None:
    a, _ = tenants
    await subscribe_and_decide(db, owner_db, a, "Alpha sells at 25 euro")
    await compose(owner_db, mail_settings)  # committed; no worker ran (the process died here)
    [queued] = await rows(owner_db, "SELECT organization_id, id, status, attempts FROM mail_outbox")
    assert (queued["status"], queued["attempts"]) == ("queued", 0)
    jobs = await rows(owner_db, "SELECT status, input FROM jobs WHERE type = 'mail.send'")
    assert jobs == [{"status": "queued", "input": {"id": str(queued["id"])}}]

    class Killed:
        async def send(self, email: EmailMessage, *, message_id: UUID) -> None:
            raise asyncio.CancelledError  # the sender dies in the middle of the conversation

    with pytest.raises(asyncio.CancelledError):
        await mail.deliver(db, queued["organization_id"], queued["id"], Killed(), mail_settings)
    [held] = await rows(owner_db, "SELECT status, attempts, next_attempt_at > now() AS claimed FROM mail_outbox")
    assert held == {"status": "sending", "attempts": 1, "claimed": True}
    # while the claim lasts, another sender leaves it alone and asks for a job when it runs out
    files = FileTransport(tmp_path)
    assert await mail.deliver(db, queued["organization_id"], queued["id"], files, mail_settings) == "busy"
    async with owner_db.transaction() as conn:  # the claim runs out
        await conn.execute("UPDATE mail_outbox SET next_attempt_at = now() - interval '1 second'")
    report = await mail.send_due(db, owner_db, files, mail_settings)
    assert report.sent == 1
    [sent] = await rows(owner_db, "SELECT status, attempts, sent_at IS NOT NULL AS stamped FROM mail_outbox")
    assert sent == {"status": "sent", "attempts": 2, "stamped": True}
    assert [p.name for p in tmp_path.iterdir()] == [f"{queued['id']}.eml"]  # noqa: ASYNC240
    assert await mail.deliver(db, queued["organization_id"], queued["id"], files, mail_settings) == "done"


async def test_the_file_transport_writes_parseable_eml_files(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], mail_settings: Settings,
        tmp_path: Path) -> None:
    a, _ = tenants
    await subscribe_and_decide(db, owner_db, a, "Alpha sells at <25> euro & more")
    await compose(owner_db, mail_settings)
    folder = tmp_path / "mail"
    assert (await mail.send_due(db, owner_db, FileTransport(folder), mail_settings)).sent == 1
    [path] = list(folder.iterdir())
    assert path.stat().st_mode & 0o077 == 0 and folder.stat().st_mode & 0o077 == 0  # owner-only
    parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert parsed["To"] == f"member@{a.slug}.example.com" and parsed["From"] == "mediabase <mediabase@localhost>"
    assert parsed["Message-ID"] == f"<{path.stem}@mediabase>" and parsed["Date"] is not None
    assert parsed.get_content_type() == "multipart/alternative"
    plain, rich = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None and "Alpha sells at <25> euro & more" in plain.get_content()
    assert rich is not None and "Alpha sells at &lt;25&gt; euro &amp; more" in rich.get_content()


async def test_failures_retry_with_backoff_and_a_permanent_one_ends_dead_with_its_error(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], mail_settings: Settings) -> None:
    a, _ = tenants
    await subscribe_and_decide(db, owner_db, a, "Alpha sells at 25 euro")
    await compose(owner_db, mail_settings)
    [msg] = await rows(owner_db, "SELECT organization_id AS org, id FROM mail_outbox")
    with smtp_sink() as s:
        smtp = transport_for(parse_mail_url(s.url, Path("/unused")), timeout=10)
        s.rcpt_reply = "451 4.3.0 try again later"
        assert await mail.deliver(db, msg["org"], msg["id"], smtp, mail_settings) == "failed"
        [row] = await rows(owner_db, "SELECT status, attempts, last_error, next_attempt_at - now() AS wait"
                                     " FROM mail_outbox")
        assert (row["status"], row["attempts"]) == ("failed", 1) and "451" in row["last_error"]
        assert timedelta(seconds=25) < row["wait"] <= timedelta(seconds=60)  # the base backoff, jittered
        follow_up = await rows(owner_db, "SELECT run_after - now() AS wait FROM jobs WHERE type = 'mail.send'"
                                         " AND status = 'queued' AND run_after > now()")
        assert len(follow_up) == 1  # the next attempt's job, not before it is due
        assert await mail.deliver(db, msg["org"], msg["id"], smtp, mail_settings) == "busy"  # not due yet
        async with owner_db.transaction() as conn:
            await conn.execute("UPDATE mail_outbox SET next_attempt_at = now()")
        s.rcpt_reply = "550 5.1.1 no such user here"
        assert await mail.deliver(db, msg["org"], msg["id"], smtp, mail_settings) == "dead"
        [row] = await rows(owner_db, "SELECT status, attempts, last_error FROM mail_outbox")
        assert (row["status"], row["attempts"]) == ("dead", 2) and "550" in row["last_error"]
        assert s.received() == []
        # by hand, again, with a fresh budget: it goes through once the server takes it
        s.rcpt_reply = None
        again = await mail.retry_message(db, a.owner, msg["id"])
        assert (again.status, again.attempts) == (MailStatus.queued, 0)
        with pytest.raises(Forbidden):
            await mail.retry_message(db, a.member, msg["id"])
        assert (await mail.send_due(db, owner_db, smtp, mail_settings)).sent == 1
        assert len(s.received()) == 1
        with pytest.raises(Conflict, match="only a failed or dead one"):
            await mail.retry_message(db, a.owner, msg["id"])


async def test_the_last_attempt_failing_ends_dead(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], migrated_url: str) -> None:
    a, _ = tenants
    await subscribe_and_decide(db, owner_db, a, "Alpha sells at 25 euro")
    once = make_settings(migrated_url, mail_max_attempts=1)
    await compose(owner_db, once)

    class Down:
        async def send(self, email: EmailMessage, *, message_id: UUID) -> None:
            raise TransportError("SMTP 127.0.0.1:1: ConnectionRefusedError")

    assert (await mail.send_due(db, owner_db, Down(), once)).dead == 1
    [row] = await rows(owner_db, "SELECT status, attempts, max_attempts, last_error FROM mail_outbox")
    assert row == {"status": "dead", "attempts": 1, "max_attempts": 1,
                   "last_error": "SMTP 127.0.0.1:1: ConnectionRefusedError"}


async def test_the_job_fails_on_bad_configuration_and_leaves_the_message_queued(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], mail_settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    a, _ = tenants
    await subscribe_and_decide(db, owner_db, a, "Alpha sells at 25 euro")
    await compose(owner_db, mail_settings)
    monkeypatch.setenv("MEDIABASE_MAIL_URL", "http://mail.example.org")
    get_settings.cache_clear()
    try:
        with pytest.raises(MailConfigError, match="unknown scheme 'http'"):
            transport_from_settings(get_settings())
        worker = Worker(db, JobSettings(lease_seconds=5, poll_interval=0.2, shutdown_grace=2.0),
                        registrations={mail.JOB_TYPE: handlers()[mail.JOB_TYPE]})
        task = asyncio.create_task(worker.run())
        try:
            async with asyncio.timeout(30):
                while (await rows(owner_db, "SELECT status FROM jobs WHERE type = 'mail.send'"))[0]["status"] \
                        != "failed":  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
        finally:
            worker.stop()
            await task
    finally:
        get_settings.cache_clear()
    [job] = await rows(owner_db, "SELECT error_code, error_message FROM jobs WHERE type = 'mail.send'")
    assert job["error_code"] == "mail_config" and "MEDIABASE_MAIL_URL" in job["error_message"]
    assert (await rows(owner_db, "SELECT status FROM mail_outbox"))[0]["status"] == "queued"
    # the sweep asks again for a message due for long, once its job's key has expired
    async with owner_db.transaction() as conn:
        await conn.execute("UPDATE mail_outbox SET next_attempt_at = now() - interval '1 hour'")
        await conn.execute("UPDATE job_idempotency_keys SET expires_at = now() - interval '1 second'")
    async with owner_db.owner_connection() as conn:
        assert await mail.recover(conn) == 1
    assert len(await rows(owner_db, "SELECT 1 FROM jobs WHERE type = 'mail.send' AND status = 'queued'")) == 1


async def test_digests_of_members_without_e_mail_are_recorded_not_mailed(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], mail_settings: Settings) -> None:
    a, _ = tenants
    await subscribe_and_decide(db, owner_db, a, "Alpha sells at 25 euro")
    async with owner_db.transaction() as conn:
        await conn.execute("INSERT INTO user_preferences (user_id, email_notifications) VALUES (%s, false)",
                           (a.member.user_id,))
    [line] = await compose(owner_db, mail_settings)
    assert (line.outcome, line.skipped, line.message_id) == ("skipped", "email_off", None)
    assert await rows(owner_db, "SELECT 1 FROM mail_outbox") == []
    assert (await rows(owner_db, "SELECT count(*) AS n FROM notifications WHERE digest_id IS NOT NULL"))[0]["n"] == 1


async def test_a_member_who_leaves_takes_digests_and_mail_along(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], mail_settings: Settings) -> None:
    a, _ = tenants
    await subscribe_and_decide(db, owner_db, a, "Alpha sells at 25 euro")
    await compose(owner_db, mail_settings)
    await identity.remove_member(db, a.owner, a.member.user_id)
    for table in ("mail_outbox", "notification_digests", "notifications"):
        assert await rows(owner_db, f"SELECT 1 FROM {table}") == [], table


async def test_digest_and_outbox_invariants_hold_in_the_database(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], mail_settings: Settings) -> None:
    a, _ = tenants
    await subscribe_and_decide(db, owner_db, a, "Alpha sells at 25 euro")
    await compose(owner_db, mail_settings)
    bad = [
        ("UPDATE notifications SET digest_id = NULL", "stays in the digest that took it"),
        ("UPDATE mail_outbox SET subject = 'changed'", "mail_outbox.subject cannot change"),
        ("UPDATE mail_outbox SET status = 'sent'", "mail_outbox cannot go from queued to sent"),
        ("UPDATE mail_outbox SET status = 'sending', attempts = 1; UPDATE mail_outbox SET status = 'failed'",
         "a failed or dead message says why"),
        ("UPDATE mail_outbox SET status = 'sending'", "sending, sent or failed only after an attempt"),
        ("DELETE FROM mail_outbox", "the mail of a digest is kept"),
        ("UPDATE notification_digests SET period_start = period_start - interval '1 hour',"
         " period_end = period_end - interval '1 hour'", "notification_digests.period_start cannot change"),
    ]
    for statement, constraint in bad:
        with pytest.raises(Exception, match=constraint):
            async with owner_db.transaction() as conn:
                await conn.execute(statement)
    with pytest.raises(Exception, match="a whole UTC day or ISO week"):
        async with owner_db.transaction() as conn:
            await conn.execute(
                "INSERT INTO notification_digests (organization_id, user_id, frequency, period_start, period_end,"
                " notification_count, skipped) VALUES (%s, %s, 'weekly', '2020-01-07', '2020-01-14', 1, 'email_off')",
                (a.owner.organization_id, a.member.user_id))
    # the application role reads its own digests only, and writes none
    async with db.transaction(a.owner.organization_id, a.owner.user_id) as conn:
        assert await (await conn.execute("SELECT 1 FROM notification_digests")).fetchall() == []
    async with db.transaction(a.member.organization_id, a.member.user_id) as conn:
        assert len(await (await conn.execute("SELECT 1 FROM notification_digests")).fetchall()) == 1
    with pytest.raises(MediabaseError):  # no privilege: the application role writes no digest
        async with db.transaction(a.member.organization_id, a.member.user_id) as conn:
            await conn.execute("DELETE FROM notification_digests")
    assert len(await rows(owner_db, "SELECT 1 FROM notification_digests")) == 1
