"""Payment providers: the offline one, the Stripe seam, and webhook signatures (docs/billing.md,
"Providers").

Subscribing, cancelling and changing a plan go through the provider named by
``MEDIABASE_BILLING_PROVIDER``:

- ``offline`` (the default): mediabase is its own provider. An action becomes the Stripe-shaped
  events a provider would send (:class:`OfflineProvider`), applied through the same replay as any
  log or webhook, so every state the books reach has its events recorded, and exporting them
  replays into the same books. Payments always succeed; nothing leaves the machine.
- ``stripe``: the action is a request to Stripe's API (:class:`StripeProvider`, form-encoded, the
  secret key from ``MEDIABASE_BILLING_STRIPE_API_KEY``); Stripe's webhooks
  (``POST /billing/webhooks/stripe``, verified by :func:`verify_signature`) bring the state.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx

from mediabase.billing.objects import (
    JsonDict,
    PriceRef,
    charge_obj,
    customer_obj,
    event,
    invoice_obj,
    line_obj,
    payment_intent_obj,
    stripe_id,
    subscription_obj,
)
from mediabase.common.errors import Forbidden, Invalid, Unauthorized, Unavailable

DAY = 86_400
_SEQ = itertools.count()


def offline_id(prefix: str) -> str:
    """A provider id that sorts by creation (nanoseconds, a sequence, then randomness), so two
    events of one second keep their order by id too."""
    return f"{prefix}_{time.time_ns():016x}{next(_SEQ) % 4096:03x}{secrets.token_hex(4)}"


@dataclass(frozen=True, slots=True)
class SubscriptionState:
    """What the offline provider knows of a stored subscription (its newest snapshot)."""

    provider_subscription_id: str
    customer: str
    status: str
    price: PriceRef
    quantity: int
    period_start: int
    period_end: int
    cancel_at_period_end: bool
    trial_start: int | None
    trial_end: int | None
    canceled_at: int | None
    started_at: int
    version: int  # the created time of the event it came from


class OfflineProvider:
    """Actions as the events Stripe would send for them (one event per object and action)."""

    name = "offline"

    def __init__(self, now: int | None = None) -> None:
        self._now = now

    def now(self, after: int = 0) -> int:
        """The event time: now, and always after the snapshot an action changes (``after``), so the
        replay takes it as newer even when a log from the future was replayed before."""
        return max(self._now if self._now is not None else int(time.time()), after + 1)

    def _ev(self, type_: str, at: int, obj: JsonDict, previous: JsonDict | None = None) -> JsonDict:
        return event(offline_id("evt"), type_, at, obj, previous)

    def new_customer(self, organization_id: str, user_id: str | None) -> tuple[str, JsonDict]:
        cid = offline_id("cus")
        at = self.now()
        return cid, self._ev("customer.created", at, customer_obj(cid, at, organization_id, user_id))

    def subscribe(self, customer: str, price: PriceRef, quantity: int, trial_days: int) -> list[JsonDict]:
        at = self.now()
        sid = offline_id("sub")
        trial = (at, at + trial_days * DAY) if trial_days else None
        period = trial or (at, at + price.seconds)
        sub = subscription_obj(sid, customer, price, status="trialing" if trial else "active", start=at,
                               period_start=period[0], period_end=period[1], quantity=quantity, trial=trial)
        amount = 0 if trial else price.unit_amount * quantity
        return [self._ev("customer.subscription.created", at, sub),
                *self._invoice(customer, sid, price, quantity, amount, (at, at), at)]

    def _invoice(self, customer: str, sid: str, price: PriceRef, quantity: int, amount: int,
                 period: tuple[int, int], at: int) -> list[JsonDict]:
        """A paid invoice of one line, and its charge when there is something to pay."""
        iid = offline_id("in")
        charge = offline_id("ch") if amount > 0 else None
        line = line_obj(offline_id("il"), amount, price.currency, period, price=price, quantity=quantity,
                        description=f"{quantity} × {price.code}")
        inv = invoice_obj(iid, customer, sid, price.currency, [line], status="paid", created=at, period=period,
                          number=iid[3:19].upper(), paid_at=at, charge=charge)
        out = [self._ev("invoice.paid", at, inv)]
        if charge is not None:
            pi = offline_id("pi")
            out.append(self._ev("charge.succeeded", at, charge_obj(charge, customer, amount, price.currency,
                                                                  status="succeeded", created=at, invoice=iid,
                                                                  payment_intent=pi)))
            out.append(self._ev("payment_intent.succeeded", at, payment_intent_obj(
                pi, customer, amount, price.currency, status="succeeded", created=at, invoice=iid, charge=charge)))
        return out

    def _snapshot(self, s: SubscriptionState, **changes: Any) -> JsonDict:
        values: dict[str, Any] = {
            "status": s.status, "price": s.price, "quantity": s.quantity, "period": (s.period_start, s.period_end),
            "cancel_at_period_end": s.cancel_at_period_end, "canceled_at": s.canceled_at, "ended_at": None,
        }
        values.update(changes)
        trial = (s.trial_start, s.trial_end) if s.trial_start is not None and s.trial_end is not None else None
        return subscription_obj(s.provider_subscription_id, s.customer, values["price"], status=values["status"],
                                start=s.started_at, period_start=values["period"][0], period_end=values["period"][1],
                                quantity=values["quantity"], trial=trial,
                                cancel_at_period_end=values["cancel_at_period_end"],
                                canceled_at=values["canceled_at"], ended_at=values["ended_at"])

    def cancel(self, s: SubscriptionState, at_period_end: bool) -> list[JsonDict]:
        at = self.now(s.version)
        if at_period_end:
            obj = self._snapshot(s, cancel_at_period_end=True, canceled_at=at)
            return [self._ev("customer.subscription.updated", at, obj, {"cancel_at_period_end": False})]
        obj = self._snapshot(s, status="canceled", canceled_at=at, ended_at=at)
        return [self._ev("customer.subscription.deleted", at, obj, {"status": s.status})]

    def change(self, s: SubscriptionState, price: PriceRef, quantity: int) -> list[JsonDict]:
        """A new price from now on, without proration (Stripe's proration_behavior=none): the next
        period is invoiced at the new price."""
        at = self.now(s.version)
        obj = self._snapshot(s, price=price, quantity=quantity)
        return [self._ev("customer.subscription.updated", at, obj, {"items": {"price": s.price.code}})]

    def renew(self, s: SubscriptionState) -> list[JsonDict]:
        """The period ended: end a subscription cancelled at its end, or start the next period with
        its paid invoice (the offline provider's clock: ``mediabase billing offline advance``)."""
        at = self.now(s.version)
        if s.cancel_at_period_end:
            obj = self._snapshot(s, status="canceled", ended_at=at)
            return [self._ev("customer.subscription.deleted", at, obj, {"status": s.status})]
        period = (s.period_end, s.period_end + s.price.seconds)
        if period[1] <= at:
            period = (at, at + s.price.seconds)
        obj = self._snapshot(s, status="active", period=period)
        sub_event = self._ev("customer.subscription.updated", at, obj, {"current_period_start": s.period_start})
        amount = s.price.unit_amount * s.quantity
        return [sub_event, *self._invoice(s.customer, s.provider_subscription_id, s.price, s.quantity, amount,
                                          period, at)]


def lines_of(events: list[JsonDict]) -> list[tuple[int, str]]:
    """Events as the numbered JSON lines the replay reads."""
    return [(i, json.dumps(e, separators=(",", ":"))) for i, e in enumerate(events, 1)]


# -- Stripe ------------------------------------------------------------------------------------------


class StripeProvider:
    """The seam to Stripe's API: customers and subscriptions are created and changed there, and
    Stripe's webhooks bring the state (nothing is applied locally from the answers). Requests are
    form-encoded, as Stripe's API takes them; ``transport`` lets a test answer without a network."""

    name = "stripe"

    def __init__(self, api_key: str | None, base: str = "https://api.stripe.com",
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not api_key:
            raise Forbidden("the stripe provider needs MEDIABASE_BILLING_STRIPE_API_KEY")
        self._client = httpx.AsyncClient(base_url=base, transport=transport, timeout=30.0,
                                         auth=(api_key, ""), headers={"Stripe-Version": "2024-06-20"})

    async def _post(self, path: str, data: dict[str, str], idempotency_key: str | None = None) -> JsonDict:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        try:
            r = await self._client.post(path, data=data, headers=headers)
        except httpx.HTTPError as exc:
            raise Unavailable(f"stripe: {type(exc).__name__}") from exc
        body: JsonDict = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
        if r.status_code >= 400:
            message = (body.get("error") or {}).get("message", f"HTTP {r.status_code}")
            raise (Invalid if r.status_code < 500 else Unavailable)(f"stripe: {message}")
        return body

    async def create_customer(self, organization_id: str, user_id: str | None) -> str:
        data = {"metadata[organization_id]": organization_id}
        if user_id is not None:
            data["metadata[user_id]"] = user_id
        body = await self._post("/v1/customers", data, f"customer-{organization_id}-{user_id}")
        return str(body["id"])

    async def subscribe(self, customer: str, price: PriceRef, quantity: int, trial_days: int) -> str:
        data = {"customer": customer, "items[0][price]": price.provider_price_id or price.code,
                "items[0][quantity]": str(quantity), "payment_behavior": "default_incomplete"}
        if trial_days:
            data["trial_period_days"] = str(trial_days)
        return str((await self._post("/v1/subscriptions", data))["id"])

    async def cancel(self, subscription: str, at_period_end: bool) -> None:
        if at_period_end:
            await self._post(f"/v1/subscriptions/{subscription}", {"cancel_at_period_end": "true"})
        else:
            await self._post(f"/v1/subscriptions/{subscription}/cancel", {})

    async def close(self) -> None:
        await self._client.aclose()


# -- webhook signatures (Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "t.body")>) ------


def sign(payload: bytes, secret: str, at: int | None = None) -> str:
    """The Stripe-Signature header for ``payload`` (the offline tooling and the tests sign with it)."""
    t = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify_signature(
    payload: bytes, header: str | None, secret: str, tolerance_s: int, now: int | None = None
) -> None:
    """Refuse (401) a body whose Stripe-Signature header does not carry a v1 HMAC-SHA256 of
    ``t.body`` under ``secret``, or whose ``t`` is more than ``tolerance_s`` away from now."""
    if not header:
        raise Unauthorized("the Stripe-Signature header is missing")
    t: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            t = int(value)
        elif key == "v1":
            signatures.append(value)
    if t is None or not signatures:
        raise Unauthorized("the Stripe-Signature header needs t=<time> and v1=<signature>")
    expected = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise Unauthorized("the Stripe-Signature header does not verify")
    if abs((int(time.time()) if now is None else now) - t) > tolerance_s:
        raise Unauthorized("the Stripe-Signature header is too old (or from the future)")


__all__ = ["OfflineProvider", "StripeProvider", "SubscriptionState", "lines_of", "sign", "stripe_id",
           "verify_signature"]
