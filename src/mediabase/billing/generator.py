"""A generator of realistic Stripe event logs, deterministic by seed (tests, the benchmark, demos).

Each subscriber (an organization, or a member of one) is one customer living its own timeline:
``customer.created`` (metadata naming the organization and user), then subscriptions, one live at
a time: created ``trialing`` (a $0 invoice) or ``incomplete`` until its first invoice is paid;
each period renewed with ``invoice.created`` (draft), ``invoice.finalized`` (open) and a payment
(``charge.succeeded``, ``payment_intent.succeeded``, ``invoice.paid``, ``invoice.payment_succeeded``)
or a failure (``charge.failed``, ``invoice.payment_failed``, the subscription ``past_due``) retried
days later, ending paid again or ``uncollectible`` and the subscription canceled; plan changes with
proration lines (a negative credit and a charge); ``cancel_at_period_end`` then
``customer.subscription.deleted``; refunds (``charge.refunded`` listing a pending refund, then
``charge.refund.updated`` when it succeeds); and sometimes a new subscription after a cancellation.

The customers' timelines are merged by time, so the log is sorted by ``created``; every event of
one object has a later ``created`` than the one before (the replay orders by it). Any prefix of
the log is a valid log too.
"""

from __future__ import annotations

import heapq
import json
import random
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from itertools import count, islice
from uuid import UUID

from mediabase.billing.objects import (
    JsonDict,
    PriceRef,
    charge_obj,
    customer_obj,
    event,
    invoice_obj,
    line_obj,
    payment_intent_obj,
    refund_obj,
    stripe_id,
    subscription_obj,
)

DAY = 86_400
Step = tuple[int, JsonDict]
Steps = Generator[Step, None, None]
START = 1_767_225_600  # 2026-01-01T00:00:00Z


@dataclass(frozen=True, slots=True)
class Subscriber:
    organization_id: UUID
    user_id: UUID | None = None  # a member (seed 004); None: the organization itself (seed 001)


class _Customer:
    """One customer's timeline; :meth:`run` yields (created, event) in time order."""

    def __init__(self, g: LogGenerator, who: Subscriber, rng: random.Random) -> None:
        self.g, self.who, self.rng = g, who, rng
        self.t = g.start + rng.randint(0, 20 * DAY)
        self.cus = stripe_id("cus", rng)
        self.invoices = 0
        self.status = "incomplete"
        self.trial: tuple[int, int] | None = None

    def ev(self, type_: str, obj: JsonDict, previous: JsonDict | None = None, *, gap: int = 1) -> Step:
        self.t += gap
        return self.t, event(stripe_id("evt", self.rng), type_, self.t, obj, previous)

    def run(self) -> Steps:
        rng = self.rng
        yield self.ev("customer.created", customer_obj(self.cus, self.t, str(self.who.organization_id),
                                                       None if self.who.user_id is None else str(self.who.user_id)))
        while self.t < self.g.horizon:
            yield from self.subscription(rng.choice(self.g.prices))
            if rng.random() >= 0.35:  # most cancellations are final
                return
            self.t += rng.randint(2, 60) * DAY

    # -- one subscription ---------------------------------------------------------------------------

    def sub(self, status: str, ended_at: int | None = None) -> JsonDict:
        self.status = status
        return subscription_obj(self.sid, self.cus, self.price, status=status, start=self.start,
                                period_start=self.period[0], period_end=self.period[1], quantity=self.qty,
                                trial=self.trial, cancel_at_period_end=self.cancel_at_end,
                                canceled_at=self.canceled_at, ended_at=ended_at)

    def subscription(self, price: PriceRef) -> Steps:
        rng = self.rng
        self.sid, self.price, self.qty = stripe_id("sub", rng), price, rng.choice([1, 1, 1, 2, 3, 5])
        self.cancel_at_end, self.canceled_at = False, None
        self.start = self.t + 1
        self.trial = None
        if rng.random() < 0.3:
            self.trial = (self.start, self.start + 14 * DAY)
            self.period = self.trial
            yield self.ev("customer.subscription.created", self.sub("trialing"))
            yield from self.invoice([], "trial")
        else:
            self.period = (self.start, self.start + price.seconds)
            yield self.ev("customer.subscription.created", self.sub("incomplete"))
            paid = yield from self.invoice(self.period_lines(), "first")
            if not paid:
                yield self.ev("customer.subscription.updated", self.sub("incomplete_expired"),
                              {"status": "incomplete"}, gap=DAY)
                return
            yield self.ev("customer.subscription.updated", self.sub("active"), {"status": "incomplete"})
        while True:
            # something may happen during the period: a plan change, a cancellation at its end
            end = self.period[1]
            if not self.cancel_at_end and self.status == "active" and rng.random() < 0.1:
                self.t = max(self.t, self.period[0] + (end - self.period[0]) // 3)
                yield from self.change_plan()
            if not self.cancel_at_end and rng.random() < 0.1:
                self.t = max(self.t, self.period[0] + (end - self.period[0]) // 2)
                self.cancel_at_end, self.canceled_at = True, self.t + 1
                yield self.ev("customer.subscription.updated", self.sub(self.status), {"cancel_at_period_end": False})
            self.t = max(self.t, end)
            if self.cancel_at_end:
                before = self.status
                yield self.ev("customer.subscription.deleted", self.sub("canceled", ended_at=self.t + 1),
                              {"status": before})
                return
            if self.t >= self.g.horizon:
                return  # the log ends before the period does
            # renewal: a new period, its invoice, its payment
            self.period = (self.t + 1, self.t + 1 + self.price.seconds)
            yield self.ev("customer.subscription.updated", self.sub(self.status),
                          {"current_period_start": self.period[0] - self.price.seconds})
            paid = yield from self.invoice(self.period_lines(), "renewal")
            if not paid:
                yield self.ev("customer.subscription.deleted", self.sub("canceled", ended_at=self.t + 1),
                              {"status": "past_due"}, gap=DAY)
                return
            if self.status != "active":
                before = self.status
                yield self.ev("customer.subscription.updated", self.sub("active"), {"status": before})

    def period_lines(self) -> list[JsonDict]:
        return [line_obj(stripe_id("il", self.rng), self.price.unit_amount * self.qty, self.price.currency,
                         self.period, price=self.price, quantity=self.qty,
                         description=f"{self.qty} × {self.price.code}")]

    def change_plan(self) -> Steps:
        rng = self.rng
        options = [p for p in self.g.prices if p.currency == self.price.currency and p.interval == self.price.interval
                   and p.code != self.price.code]
        if not options:
            return
        old, new = self.price, rng.choice(options)
        now = self.t + 1
        left = max(self.period[1] - now, 1)
        span = self.period[1] - self.period[0]
        credit = -(old.unit_amount * self.qty * left // span)
        charge = new.unit_amount * self.qty * left // span
        self.price = new
        yield self.ev("customer.subscription.updated", self.sub(self.status), {"items": {"price": old.code}})
        lines = [
            line_obj(stripe_id("il", rng), credit, old.currency, (now, self.period[1]), price=old, quantity=self.qty,
                     description=f"Unused time on {old.code}", proration=True),
            line_obj(stripe_id("il", rng), charge, new.currency, (now, self.period[1]), price=new, quantity=self.qty,
                     description=f"Remaining time on {new.code}", proration=True),
        ]
        yield from self.invoice(lines, "proration")

    # -- one invoice and its payment ---------------------------------------------------------------------

    def invoice(self, lines: list[JsonDict], why: str) -> Generator[Step, None, bool]:
        """Yield an invoice's events; return whether it ends paid."""
        rng = self.rng
        self.invoices += 1
        iid = stripe_id("in", rng)
        cur = self.price.currency
        created = self.t + 1
        number = f"{self.cus[4:12].upper()}-{self.invoices:04d}"
        period = (self.period[0], self.period[0]) if why in ("first", "trial") else self.period

        def inv(status: str, paid_at: int | None = None, charge: str | None = None) -> JsonDict:
            return invoice_obj(iid, self.cus, self.sid, cur, lines, status=status, created=created, period=period,
                               number=number if status != "draft" else None, paid_at=paid_at, charge=charge)

        yield self.ev("invoice.created", inv("draft"))
        yield self.ev("invoice.finalized", inv("open"), {"status": "draft"})
        due = max(sum(int(x["amount"]) for x in lines), 0)
        if due == 0:
            yield self.ev("invoice.paid", inv("paid", self.t + 1), {"status": "open"})
            return True
        attempts = 3 if why != "first" else 1
        for attempt in range(attempts):
            pi, ch = stripe_id("pi", rng), stripe_id("ch", rng)
            if rng.random() < (0.88 if attempt == 0 else 0.6):
                charged = self.t + 1
                yield self.ev("charge.succeeded", charge_obj(ch, self.cus, due, cur, status="succeeded",
                                                             created=charged, invoice=iid, payment_intent=pi))
                yield self.ev("payment_intent.succeeded", payment_intent_obj(
                    pi, self.cus, due, cur, status="succeeded", created=charged, invoice=iid, charge=ch))
                paid_at = self.t + 1
                yield self.ev("invoice.paid", inv("paid", paid_at, ch), {"status": "open"})
                yield self.ev("invoice.payment_succeeded", inv("paid", paid_at, ch))
                if rng.random() < 0.05:
                    yield from self.refund(ch, pi, iid, due, charged)
                return True
            yield self.ev("charge.failed", charge_obj(ch, self.cus, due, cur, status="failed", created=self.t + 1,
                                                      invoice=iid, payment_intent=pi, failure_code="card_declined"))
            yield self.ev("invoice.payment_failed", inv("open"))
            if attempt == 0 and why != "first" and self.status != "past_due":
                before = self.status
                yield self.ev("customer.subscription.updated", self.sub("past_due"), {"status": before})
            self.t += 3 * DAY
        if why != "first":
            yield self.ev("invoice.marked_uncollectible", inv("uncollectible"), {"status": "open"})
        else:
            yield self.ev("invoice.voided", inv("void"), {"status": "open"}, gap=DAY)
        return False

    def refund(self, ch: str, pi: str, iid: str, amount: int, charged: int) -> Steps:
        rng = self.rng
        value = amount if rng.random() < 0.5 else max(1, amount // rng.choice([2, 3, 4]))
        rid = stripe_id("re", rng)
        cur = self.price.currency
        at = self.t + rng.randint(1, 5) * DAY
        self.t = at
        pending = refund_obj(rid, ch, value, cur, status="pending", created=at + 1, reason="requested_by_customer",
                             payment_intent=pi)
        yield self.ev("charge.refunded", charge_obj(ch, self.cus, amount, cur, status="succeeded", created=charged,
                                                    invoice=iid, payment_intent=pi, refunds=[pending]))
        if rng.random() < 0.5:
            yield self.ev("charge.refund.updated", {**pending, "status": "succeeded"}, {"status": "pending"}, gap=DAY)


class LogGenerator:
    """Events of ``subscribers`` (one customer each) on ``prices``, from ``start`` to ``horizon``."""

    def __init__(self, subscribers: list[Subscriber], prices: list[PriceRef], *, seed: int = 1, start: int = START,
                 years: float = 3.0) -> None:
        if not subscribers or not prices:
            raise ValueError("a log needs subscribers and prices")
        self.subscribers, self.prices, self.seed = subscribers, prices, seed
        self.start = start
        self.horizon = start + int(years * 365 * DAY)

    def events(self, limit: int | None = None) -> Iterator[JsonDict]:
        """The merged log, sorted by created (at most ``limit`` events)."""
        n = count()
        streams = []
        for i, who in enumerate(self.subscribers):
            c = _Customer(self, who, random.Random(f"{self.seed}:{i}"))
            streams.append(((t, i, next(n), e) for t, e in c.run()))
        merged = (e for _, _, _, e in heapq.merge(*streams))
        return islice(merged, limit) if limit is not None else merged

    def lines(self, limit: int | None = None) -> Iterator[str]:
        """The log as JSON lines (compact, one event a line, no newline)."""
        for e in self.events(limit):
            yield json.dumps(e, separators=(",", ":"))
