"""Outgoing webhooks (0037; docs/webhooks.md) against a real receiver on loopback: the secret is
unreadable by the application role and never answered; every (endpoint, event) subscribed is
delivered, signed in the Standard Webhooks format and verified independently, with the event id
as webhook-id; an event rolled back is never delivered; failures retry with backoff, go dead
after N attempts, disable the endpoint after N in a row; redelivery and the test event."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mediabase.webhooks.delivery  # noqa: F401  (the handler and the subscriber)
from mediabase import events, webhooks
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, MediabaseError, NotFound
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import Worker
from mediabase.webhooks import EndpointCreate, EndpointUpdate
from tests.factories import Tenant, make_video
from tests.log_privacy import watch
from tests.webhook_receiver import Receiver, verify


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK", "true")
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_BACKOFF_BASE", "0.05")
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_TIMEOUT", "5")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


async def work_until(db: Database, url: str, done: Callable[[], Awaitable[bool]], limit: float = 60) -> None:
    """Run an in-process worker (with the dispatcher) until ``done()``."""
    w = Worker(db, JobSettings(poller_interval=0.05, poll_interval=0.05), maintenance_url=url, name="webhooks-test")
    task = asyncio.create_task(w.run())
    try:
        async with asyncio.timeout(limit):
            while not await done():  # noqa: ASYNC110 - polling the database's state
                await asyncio.sleep(0.05)
    finally:
        w.stop()
        await task


async def statuses(owner_db: Database) -> dict[str, int]:
    async with owner_db.transaction() as conn:
        rows = await (await conn.execute("SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status"))\
            .fetchall()
    return {r["status"]: r["n"] for r in rows}


async def no_pending(owner_db: Database) -> bool:
    async with owner_db.transaction() as conn:
        row = await (await conn.execute(
            "SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending')"
            " + (SELECT count(*) FROM events WHERE dispatched_at IS NULL) AS n")).fetchone()
    return row is not None and row["n"] == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.binary(min_size=0, max_size=100), msg=st.binary(max_size=300))
def test_hmac_sha256_in_sql_is_rfc_2104(key: bytes, msg: bytes, migrated_url: str) -> None:
    import psycopg

    with psycopg.connect(migrated_url) as conn:
        row = conn.execute("SELECT mediabase.hmac_sha256(%s, %s)", (msg, key)).fetchone()
    assert row is not None and bytes(row[0]) == hmac.new(key, msg, hashlib.sha256).digest()


async def test_the_secret_is_shown_once_and_unreadable_by_the_application_role(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    org = a.owner.organization_id
    ep = await webhooks.create_endpoint(db, a.owner, EndpointCreate(
        url="https://hooks.example.com/in", event_types=["video.created", "comment.created"], description="ci"))
    watch(ep.secret)
    assert ep.secret.startswith("whsec_") and len(base64.b64decode(ep.secret[6:])) == 32
    assert ep.event_types == ["comment.created", "video.created"]
    # list and get answer no secret
    for shown in (await webhooks.list_endpoints(db, a.owner))[0], await webhooks.get_endpoint(db, a.owner, ep.id):
        assert "secret" not in shown.model_dump() and ep.secret not in shown.model_dump_json()
    # the application role cannot select it, even in its own tenant
    for column in ("secret", "previous_secret", "*"):
        with pytest.raises(MediabaseError):
            async with db.transaction(org) as conn:
                await conn.execute(f"SELECT {column} FROM webhook_endpoints WHERE organization_id = %s", (org,))
    # the database signs with it (and only in the endpoint's tenant)
    async with db.transaction(org) as conn:
        row = await (await conn.execute("SELECT mediabase.webhook_sign(%s, 'msg_1', 1700000000, '{}') AS s",
                                        (ep.id,))).fetchone()
    assert row is not None and verify(ep.secret, "msg_1", "1700000000", b"{}", row["s"])
    with pytest.raises(MediabaseError):
        async with db.transaction(b.owner.organization_id) as conn:
            await conn.execute("SELECT mediabase.webhook_sign(%s, 'm', 1, '{}')", (ep.id,))
    # a rotation: a new secret once, the old one still signs (a second signature) for the grace period
    rotated = await webhooks.rotate_secret(db, a.owner, ep.id)
    watch(rotated.secret)
    assert rotated.secret != ep.secret and rotated.previous_secret_expires_at is not None
    async with db.transaction(org) as conn:
        row = await (await conn.execute("SELECT mediabase.webhook_sign(%s, 'm', 1, 'x') AS s", (ep.id,))).fetchone()
    assert row is not None and len(row["s"].split(" ")) == 2
    assert verify(rotated.secret, "m", "1", b"x", row["s"]) and verify(ep.secret, "m", "1", b"x", row["s"])
    async with owner_db.transaction() as conn:
        stored = await (await conn.execute("SELECT secret FROM webhook_endpoints WHERE id = %s", (ep.id,))).fetchone()
    assert stored == {"secret": rotated.secret}


async def test_management_refuses_bad_input_wrong_roles_and_other_tenants(
        db: Database, tenants: tuple[Tenant, Tenant], monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tenants
    ok = EndpointCreate(url="https://h.example.com/x", event_types=["video.created"])
    with pytest.raises(Forbidden):
        await webhooks.create_endpoint(db, a.member, ok)
    with pytest.raises(Forbidden):
        await webhooks.list_endpoints(db, a.member)
    for url in ("http://h.example.com/x", "ftp://h.example.com", "https://user:pw@h.example.com/", "https://",
                "https://h.example.com/#frag", "http://10.0.0.1/x", "https://h.example.com:0/",
                "https://10.0.0.1/x", "https://169.254.169.254/latest/meta-data", "https://[fd00::1]/x"):
        with pytest.raises(Invalid) as err:
            await webhooks.create_endpoint(db, a.owner, ok.model_copy(update={"url": url}))
        assert err.value.field == "url", url
    assert (await webhooks.create_endpoint(db, a.owner, ok.model_copy(update={"url": "http://127.0.0.1:9/x"}))).id
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK", "false")
    with pytest.raises(Invalid):
        await webhooks.create_endpoint(db, a.owner, ok.model_copy(update={"url": "http://127.0.0.1:9/x"}))
    for types in (["video.exploded"], ["webhook.test"]):
        with pytest.raises(Invalid) as err:
            await webhooks.create_endpoint(db, a.owner, ok.model_copy(update={"event_types": types}))
        assert err.value.field == "event_types"
    ep = await webhooks.create_endpoint(db, a.owner, ok)
    with pytest.raises(NotFound):
        await webhooks.get_endpoint(db, b.owner, ep.id)
    with pytest.raises(NotFound):
        await webhooks.update_endpoint(db, b.owner, ep.id, EndpointUpdate(description="mine"))
    with pytest.raises(NotFound):
        await webhooks.delete_endpoint(db, b.owner, ep.id)
    with pytest.raises(NotFound):
        await webhooks.send_test(db, b.owner, ep.id)
    updated = await webhooks.update_endpoint(db, a.owner, ep.id, EndpointUpdate(
        event_types=["comment.created", "decision.created"], description="two"))
    assert updated.event_types == ["comment.created", "decision.created"] and updated.description == "two"
    assert [e.id for e in await webhooks.list_endpoints(db, b.owner)] == []
    await webhooks.delete_endpoint(db, a.owner, ep.id)
    with pytest.raises(NotFound):
        await webhooks.get_endpoint(db, a.owner, ep.id)


async def test_every_subscribed_event_is_delivered_signed_and_a_rolled_back_one_never(
        db: Database, owner_db: Database, migrated_url: str, tenants: tuple[Tenant, Tenant],
        receiver: Receiver) -> None:
    a, b = tenants
    org = a.owner.organization_id
    one = await webhooks.create_endpoint(db, a.owner, EndpointCreate(
        url=receiver.url("one"), event_types=["video.created", "comment.created"]))
    two = await webhooks.create_endpoint(db, a.owner, EndpointCreate(url=receiver.url("two"),
                                                                    event_types=["video.created"]))
    off = await webhooks.create_endpoint(db, a.owner, EndpointCreate(url=receiver.url("off"),
                                                                    event_types=["video.created"]))
    other = await webhooks.create_endpoint(db, b.owner, EndpointCreate(url=receiver.url("other"),
                                                                      event_types=["video.created"]))
    for ep, name in ((one, "one"), (two, "two"), (off, "off"), (other, "other")):
        receiver.secrets[name] = ep.secret
        watch(ep.secret)
    await webhooks.set_disabled(db, a.owner, off.id, "paused")

    video = await make_video(db, a.owner, "weekly sync")  # video.created (+ video.transcribed: nobody's)

    class Boom(Exception):
        pass

    with pytest.raises(Boom):  # noqa: PT012 - the event and the failure in one transaction
        async with db.transaction(org, a.owner.user_id) as conn:
            await events.emit(conn, org, "video.created", "video", uuid4(), {"title": "never"})
            raise Boom
    async with db.transaction(org) as conn:
        comment_event = await events.emit(conn, org, "comment.created", "comment", uuid4(), {"body": "hi"})

    await work_until(db, migrated_url, lambda: no_pending(owner_db))
    got = receiver.snapshot()
    assert all(r.verified for r in got), [r.signature for r in got if not r.verified]
    page, _ = await events.list_events(db, a.owner, type="video.created")
    video_event = page[0].id
    assert len(page) == 1 and page[0].subject_id == video
    assert sorted((r.name, r.webhook_id) for r in got) == sorted([
        ("one", str(video_event)), ("two", str(video_event)), ("one", str(comment_event))])
    body = next(r.body for r in got if r.webhook_id == str(video_event))
    assert body["type"] == "video.created" and body["data"]["id"] == str(video_event)
    assert body["data"]["subject_id"] == str(video) and body["data"]["data"]["title"] == "weekly sync"
    assert await statuses(owner_db) == {"delivered": 3}
    deliveries, _ = await webhooks.list_deliveries(db, a.owner, endpoint_id=one.id)
    assert {d.event_id for d in deliveries} == {video_event, comment_event}
    detail = await webhooks.get_delivery(db, a.owner, deliveries[0].id)
    assert [(t.attempt, t.ok, t.status_code) for t in detail.attempts_made] == [(1, True, 204)]
    assert (await webhooks.list_deliveries(db, b.owner))[0] == []

    # a test event goes to the one endpoint asked, whatever it subscribes to
    test = await webhooks.send_test(db, a.owner, two.id)
    await work_until(db, migrated_url, lambda: no_pending(owner_db))
    assert [r.body["type"] for r in receiver.snapshot() if r.webhook_id == str(test.event_id)] == ["webhook.test"]
    with pytest.raises(Conflict):
        await webhooks.send_test(db, a.owner, off.id)


async def test_failures_retry_then_go_dead_and_disable_the_endpoint(
        db: Database, owner_db: Database, migrated_url: str, tenants: tuple[Tenant, Tenant],
        receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_DISABLE_AFTER", "5")
    a, _ = tenants
    org = a.owner.organization_id
    ep = await webhooks.create_endpoint(db, a.owner, EndpointCreate(url=receiver.url("down"),
                                                                   event_types=["comment.created"]))
    receiver.secrets["down"] = ep.secret
    watch(ep.secret)
    receiver.status["down"] = 500
    async with db.transaction(org) as conn:
        first = await events.emit(conn, org, "comment.created", "comment", uuid4())
    await work_until(db, migrated_url, lambda: no_pending(owner_db))
    [d1] = (await webhooks.list_deliveries(db, a.owner, event_id=first))[0]
    assert d1.status == "dead" and d1.attempts == 3 and d1.last_status_code == 500
    assert "HTTP 500" in (d1.last_error or "")
    detail = await webhooks.get_delivery(db, a.owner, d1.id)
    assert [(t.attempt, t.ok, t.status_code) for t in detail.attempts_made] == [(1, False, 500), (2, False, 500),
                                                                               (3, False, 500)]
    assert {r.webhook_id for r in receiver.snapshot()} == {str(first)}  # the same id on every retry
    assert (await webhooks.get_endpoint(db, a.owner, ep.id)).consecutive_failures == 3

    async with db.transaction(org) as conn:
        second = await events.emit(conn, org, "comment.created", "comment", uuid4())
    await work_until(db, migrated_url, lambda: no_pending(owner_db))
    [d2] = (await webhooks.list_deliveries(db, a.owner, event_id=second))[0]
    assert d2.status == "dead" and d2.attempts == 2 and "disabled" in (d2.last_error or "")
    endpoint = await webhooks.get_endpoint(db, a.owner, ep.id)
    assert endpoint.disabled_at is not None and endpoint.consecutive_failures == 5
    assert endpoint.disabled_reason == "5 failed attempts in a row"
    # a disabled endpoint gets no new deliveries, and a dead one is not sent again while it is off
    async with db.transaction(org) as conn:
        third = await events.emit(conn, org, "comment.created", "comment", uuid4())
    await work_until(db, migrated_url, lambda: no_pending(owner_db))
    assert (await webhooks.list_deliveries(db, a.owner, event_id=third))[0] == []
    with pytest.raises(Conflict):
        await webhooks.redeliver(db, a.owner, d1.id)

    # the receiver is fixed, the endpoint enabled, the dead delivery sent again: same webhook-id
    receiver.status["down"] = 200
    assert (await webhooks.set_disabled(db, a.owner, ep.id, None)).consecutive_failures == 0
    again = await webhooks.redeliver(db, a.owner, d1.id)
    assert again.status == "pending" and again.max_attempts == 6
    with pytest.raises(Conflict):
        await webhooks.redeliver(db, a.owner, d1.id)
    await work_until(db, migrated_url, lambda: no_pending(owner_db))
    done = await webhooks.get_delivery(db, a.owner, d1.id)
    assert done.status == "delivered" and done.attempts == 4 and done.attempts_made[-1].status_code == 200
    assert [r.webhook_id for r in receiver.snapshot()].count(str(first)) == 4


async def test_a_delivery_to_an_address_it_may_not_reach_is_refused_before_it_connects(
        db: Database, owner_db: Database, migrated_url: str, tenants: tuple[Tenant, Tenant],
        receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    """An endpoint whose name resolves to the loopback (written while that was allowed, or a DNS
    record changed since): the worker resolves, refuses, records why, and never connects."""
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_MAX_ATTEMPTS", "2")
    a, _ = tenants
    org = a.owner.organization_id
    url = receiver.url("inside").replace("127.0.0.1", "localhost")
    ep = await webhooks.create_endpoint(db, a.owner, EndpointCreate(url=url, event_types=["comment.created"]))
    receiver.secrets["inside"] = ep.secret
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK", "false")
    async with db.transaction(org) as conn:
        ev = await events.emit(conn, org, "comment.created", "comment", uuid4())
    await work_until(db, migrated_url, lambda: no_pending(owner_db))
    [d] = (await webhooks.list_deliveries(db, a.owner, event_id=ev))[0]
    assert d.status == "dead" and d.attempts == 2 and d.last_status_code is None
    assert re.search(r"refused: localhost → (127\.0\.0\.1|::1) is a loopback address", d.last_error or "")
    assert receiver.snapshot() == []


async def test_deliver_event_is_the_workflows_entry(db: Database, owner_db: Database,
                                                    tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    org = a.owner.organization_id
    ep = await webhooks.create_endpoint(db, a.owner, EndpointCreate(url="https://h.example.com/w",
                                                                   event_types=["decision.created"]))
    async with db.transaction(org) as conn:
        ev = await events.emit(conn, org, "video.created", "video", uuid4())  # not a type it subscribes to
        d = await webhooks.deliver_event(conn, org, ep.id, ev)
        assert await webhooks.deliver_event(conn, org, ep.id, ev) == d  # once per (endpoint, event)
        with pytest.raises(NotFound):
            await webhooks.deliver_event(conn, org, uuid4(), ev)
    with pytest.raises(NotFound):
        async with db.transaction(org) as conn:
            await webhooks.deliver_event(conn, org, ep.id, uuid4())
    await webhooks.set_disabled(db, a.owner, ep.id, "off")
    with pytest.raises(Conflict):  # noqa: PT012 - a fresh event, then the refusal, in one transaction
        async with db.transaction(org) as conn:
            fresh = await events.emit(conn, org, "video.created", "video", uuid4())
            await webhooks.deliver_event(conn, org, ep.id, fresh)
    async with owner_db.transaction() as conn:
        jobs = await (await conn.execute("SELECT input FROM jobs WHERE type = 'webhook.deliver'")).fetchall()
    assert [j["input"] for j in jobs] == [{"delivery": str(d), "attempt": 1}]
    assert isinstance(d, UUID)


async def test_the_fan_out_reads_subscriptions_by_index(owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    from mediabase.webhooks.service import Q

    org = tenants[0].owner.organization_id
    async with owner_db.transaction() as conn:
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = await (await conn.execute(b"EXPLAIN " + Q.fan_out.encode(), {
            "org": org, "ids": [uuid4()], "types": ["video.created"], "max_attempts": 8})).fetchall()
    text = "\n".join(r["QUERY PLAN"] for r in plan)
    assert "webhook_endpoint_types_type_idx" in text, text
