"""The offline adapter without a database: the reader of Stripe-shaped events (every bad field named,
never a crash), webhook signatures, the log generator's logs, and the Stripe seam's requests (a mock
transport: no network)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediabase.billing.generator import LogGenerator, Subscriber
from mediabase.billing.objects import PriceRef
from mediabase.billing.parse import Bad, Batch, add_event, envelope, numbered, parse_numbered
from mediabase.billing.provider import OfflineProvider, StripeProvider, lines_of, sign, verify_signature
from mediabase.common.errors import Invalid, Unauthorized

PRICES = [PriceRef("pro-monthly-usd", 1500, "USD", "month"), PriceRef("team-monthly-usd", 4900, "USD", "month"),
          PriceRef("pro-yearly-usd", 15000, "USD", "year")]
WHO = [Subscriber(uuid.uuid4()), Subscriber(uuid.uuid4(), uuid.uuid4()), Subscriber(uuid.uuid4())]


def events(n: int = 400, seed: int = 1) -> list[dict[str, Any]]:
    return list(LogGenerator(WHO, PRICES, seed=seed).events(n))


def test_a_generated_log_reads_whole_and_in_time_order() -> None:
    log = events(2000)
    batch = parse_numbered(enumerate((json.dumps(e) for e in log), 1), "log")
    assert len(batch.events) == len(log) > 300 and batch.skipped == 0
    assert batch.subscriptions and batch.invoices and batch.lines and batch.charges and batch.refunds
    assert [e["created"] for e in log] == sorted(e["created"] for e in log)
    seen: dict[str, list[int]] = defaultdict(list)
    for e in log:
        seen[e["data"]["object"]["id"]].append(e["created"])
    assert all(times == sorted(set(times)) for times in seen.values())  # per object, strictly later
    types = {e["type"] for e in log}
    assert {"customer.created", "customer.subscription.created", "customer.subscription.deleted", "invoice.paid",
            "invoice.payment_failed", "charge.succeeded", "charge.failed", "charge.refunded",
            "payment_intent.succeeded"} <= types
    assert LogGenerator(WHO, PRICES, seed=1).lines(50).__next__() == json.dumps(log[0], separators=(",", ":"))


def bad(event: dict[str, Any]) -> str:
    with pytest.raises(Bad) as exc:
        add_event(Batch(), 1, json.dumps(event))
    return f"{exc.value.field}: {exc.value.problem}"


def test_each_bad_field_is_named() -> None:
    log = events(300)
    sub = next(e for e in log if e["type"] == "customer.subscription.created")
    inv = next(e for e in log if e["type"] == "invoice.paid" and e["data"]["object"]["lines"]["data"])
    charge = next(e for e in log if e["type"] == "charge.succeeded")

    def change(e: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
        e = json.loads(json.dumps(e))
        *head, last = path.split(".")
        obj = e
        for k in head:
            obj = obj[int(k)] if k.isdigit() else obj[k]
        obj[last] = value
        return e

    assert bad(change(sub, "created", 1.5)).startswith("created: must be a Unix time")
    assert bad(change(sub, "object", "charge")) == 'object: must be "event"'
    assert bad(change(sub, "data.object.status", "happy")).startswith("data.object.status: must be one of")
    assert bad(change(sub, "data.object.current_period_end", sub["data"]["object"]["current_period_start"])) == (
        "data.object.current_period_end: must be after current_period_start")
    assert bad(change(sub, "data.object.items.data.0.price.currency", "dollars")).startswith(
        "data.object.items.data[0].price.currency: must be a three-letter")
    assert bad(change(inv, "data.object.amount_paid", 1.0)).startswith("data.object.amount_paid: must be an integer")
    assert bad(change(inv, "data.object.lines.data.0.amount", "15.00")).startswith(
        "data.object.lines.data[0].amount: must be an integer")
    assert bad(change(inv, "data.object.lines.has_more", True)).startswith("data.object.lines.has_more:")
    assert bad(change(charge, "data.object.amount", 0)).startswith("data.object.amount: must be an integer from 1")
    assert bad(change(charge, "data.object.customer", None)) == "data.object.customer: missing"
    assert bad(change(sub, "data.object.customer", "cus_\u0000")).startswith("data.object.customer: contains a NUL")
    assert "lone surrogate" in bad(change(sub, "type", "x\ud800"))
    with pytest.raises(Bad, match="not JSON"):
        add_event(Batch(), 1, '{"id": NaN}')


def test_parse_names_the_file_and_line() -> None:
    lines = numbered("\n" + json.dumps(events(3)[0]) + "\n[]\n")
    assert [n for n, _ in lines] == [2, 3]
    with pytest.raises(Invalid, match=r"^log\.jsonl:3: event: must be a JSON object$"):
        parse_numbered(lines, "log.jsonl")


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_reader_never_fails_otherwise_than_by_naming_a_field(data: st.DataObject) -> None:
    base = data.draw(st.sampled_from(events(200, seed=8)))
    doc = json.loads(json.dumps(base))
    # replace one value anywhere in the event by anything JSON can hold
    paths: list[tuple[Any, Any]] = []

    def walk(o: Any) -> None:
        for k, v in (o.items() if isinstance(o, dict) else enumerate(o) if isinstance(o, list) else []):
            paths.append((o, k))
            walk(v)

    walk(doc)
    holder, key = data.draw(st.sampled_from(paths))
    holder[key] = data.draw(JSONISH)
    text = json.dumps(doc)
    b = Batch()
    problem = ""
    try:
        add_event(b, 1, text)
    except Bad as exc:
        problem = f"{exc.field}: {exc.problem}"
    assert problem == "" or not problem.startswith(":")
    env = envelope(1, text)
    assert len(env) == 7 and all(v is None or isinstance(v, str | int) for v in env)


def test_signatures() -> None:
    body = b'{"id":"evt_1"}'
    header = sign(body, "whsec_x", 1_800_000_000)
    verify_signature(body, header, "whsec_x", 300, now=1_800_000_100)
    verify_signature(body, "v1=00," + header + ",v0=ff", "whsec_x", 300, now=1_800_000_000)  # any v1 may match
    for h, now, why in ((header, 1_800_000_301, "too old"), (sign(body, "whsec_y", 1_800_000_000), 1_800_000_000,
                                                             "does not verify"),
                        (None, 0, "missing"), ("t=1", 0, "needs t=")):
        with pytest.raises(Unauthorized, match=why):
            verify_signature(body, h, "whsec_x", 300, now=now)
    with pytest.raises(Unauthorized):
        verify_signature(body + b" ", header, "whsec_x", 300, now=1_800_000_000)


def test_the_offline_provider_writes_what_the_reader_reads() -> None:
    p = OfflineProvider(now=1_800_000_000)
    cid, created = p.new_customer(str(uuid.uuid4()), None)
    evs = [created, *p.subscribe(cid, PRICES[0], 2, 0), *p.subscribe(cid, PRICES[1], 1, 14)]
    b = parse_numbered(lines_of(evs), None)
    assert [s[9] for s in b.subscriptions] == ["active", "trialing"]
    assert [i[9] for i in b.invoices] == [3000, 0]  # totals: 2 × 1500, and a trial's $0 invoice
    assert len(b.charges) == 1 and b.charges[0][7] == 3000
    ids = [e["id"] for e in evs]
    assert ids == sorted(ids)  # one action's events keep their order by id too


def test_the_stripe_seam_asks_stripe_without_a_network() -> None:
    seen: list[tuple[str, str, dict[str, str]]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        seen.append((request.method, request.url.path, form))
        assert request.headers["authorization"].startswith("Basic ")
        ident = "cus_123" if request.url.path == "/v1/customers" else "sub_456"
        return httpx.Response(200, json={"id": ident, "object": "x"})

    async def go() -> tuple[str, str]:
        s = StripeProvider("sk_test_x", transport=httpx.MockTransport(answer))
        try:
            customer = await s.create_customer("org-1", "user-1")
            sub = await s.subscribe(customer, PriceRef("pro", 1500, "USD", "month", "price_1ABC"), 3, 14)
            await s.cancel(sub, at_period_end=True)
            return customer, sub
        finally:
            await s.close()

    assert asyncio.run(go()) == ("cus_123", "sub_456")
    assert seen == [
        ("POST", "/v1/customers", {"metadata[organization_id]": "org-1", "metadata[user_id]": "user-1"}),
        ("POST", "/v1/subscriptions", {"customer": "cus_123", "items[0][price]": "price_1ABC",
                                       "items[0][quantity]": "3", "payment_behavior": "default_incomplete",
                                       "trial_period_days": "14"}),
        ("POST", "/v1/subscriptions/sub_456", {"cancel_at_period_end": "true"}),
    ]
