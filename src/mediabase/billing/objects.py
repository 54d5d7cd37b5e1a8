"""Stripe-shaped objects and events, as Stripe's webhooks deliver them (API version 2024-06-20).

The offline provider (:mod:`mediabase.billing.provider`) and the log generator
(:mod:`mediabase.billing.generator`) build their events here, so both speak exactly what the
reader (:mod:`mediabase.billing.parse`) reads from a real Stripe log: the field names are Stripe's
(``customer``, ``items.data[].price``, ``current_period_start``, ``lines.data[]``, ``amount_due``,
``amount_paid``, ``status_transitions.paid_at``, ``refunds.data[]`` …), currencies lowercase,
times as Unix seconds, amounts as integers in minor units.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

API_VERSION = "2024-06-20"
_ALPHABET = string.ascii_letters + string.digits
MONTH_S = 30 * 86_400
YEAR_S = 365 * 86_400

JsonDict = dict[str, Any]


def stripe_id(prefix: str, rng: Any = None) -> str:
    """An id like Stripe's: ``prefix_`` and 24 letters and digits (``rng``: a seeded random.Random)."""
    pick = rng.choice if rng is not None else secrets.choice
    return f"{prefix}_{''.join(pick(_ALPHABET) for _ in range(24))}"


@dataclass(frozen=True, slots=True)
class PriceRef:
    """A catalog price as events name it: its lookup key (our code), amount, currency, interval."""

    code: str
    unit_amount: int
    currency: str  # uppercase, as stored
    interval: str  # month | year
    provider_price_id: str | None = None  # the provider's id of it (Stripe: price_…)

    @property
    def seconds(self) -> int:
        return YEAR_S if self.interval == "year" else MONTH_S


def price_obj(p: PriceRef) -> JsonDict:
    return {
        "id": p.provider_price_id or f"price_{p.code}",
        "object": "price",
        "active": True,
        "currency": p.currency.lower(),
        "lookup_key": p.code,
        "recurring": {"interval": p.interval, "interval_count": 1, "usage_type": "licensed"},
        "type": "recurring",
        "unit_amount": p.unit_amount,
    }


def customer_obj(cid: str, created: int, organization_id: str, user_id: str | None) -> JsonDict:
    metadata = {"organization_id": organization_id}
    if user_id is not None:
        metadata["user_id"] = user_id
    return {"id": cid, "object": "customer", "created": created, "livemode": False, "metadata": metadata}


def subscription_obj(
    sid: str,
    customer: str,
    price: PriceRef,
    *,
    status: str,
    start: int,
    period_start: int,
    period_end: int,
    quantity: int = 1,
    item_id: str | None = None,
    trial: tuple[int, int] | None = None,
    cancel_at_period_end: bool = False,
    canceled_at: int | None = None,
    ended_at: int | None = None,
) -> JsonDict:
    return {
        "id": sid,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "currency": price.currency.lower(),
        "created": start,
        "start_date": start,
        "current_period_start": period_start,
        "current_period_end": period_end,
        "cancel_at_period_end": cancel_at_period_end,
        "canceled_at": canceled_at,
        "ended_at": ended_at,
        "trial_start": trial[0] if trial else None,
        "trial_end": trial[1] if trial else None,
        "livemode": False,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": item_id or f"si_{sid[4:]}",
                    "object": "subscription_item",
                    "price": price_obj(price),
                    "quantity": quantity,
                    "subscription": sid,
                }
            ],
            "has_more": False,
        },
    }


def line_obj(
    lid: str, amount: int, currency: str, period: tuple[int, int], *, price: PriceRef | None = None,
    quantity: int | None = 1, description: str | None = None, proration: bool = False,
) -> JsonDict:
    return {
        "id": lid,
        "object": "line_item",
        "amount": amount,
        "currency": currency.lower(),
        "description": description,
        "period": {"start": period[0], "end": period[1]},
        "price": price_obj(price) if price is not None else None,
        "proration": proration,
        "quantity": quantity,
        "type": "subscription",
    }


def invoice_obj(
    iid: str,
    customer: str,
    subscription: str | None,
    currency: str,
    lines: list[JsonDict],
    *,
    status: str,
    created: int,
    period: tuple[int, int],
    number: str | None = None,
    paid_at: int | None = None,
    charge: str | None = None,
) -> JsonDict:
    total = sum(int(x["amount"]) for x in lines)
    due = max(total, 0)
    paid = due if status == "paid" else 0
    return {
        "id": iid,
        "object": "invoice",
        "customer": customer,
        "subscription": subscription,
        "status": status,
        "currency": currency.lower(),
        "created": created,
        "number": number,
        "period_start": period[0],
        "period_end": period[1],
        "subtotal": total,
        "total": total,
        "amount_due": due,
        "amount_paid": paid,
        "amount_remaining": due - paid,
        "charge": charge,
        "paid": status == "paid",
        "livemode": False,
        "status_transitions": {"finalized_at": created if status != "draft" else None, "paid_at": paid_at},
        "lines": {"object": "list", "data": lines, "has_more": False, "total_count": len(lines)},
    }


def refund_obj(
    rid: str, charge: str, amount: int, currency: str, *, status: str, created: int, reason: str | None = None,
    payment_intent: str | None = None,
) -> JsonDict:
    return {
        "id": rid,
        "object": "refund",
        "amount": amount,
        "charge": charge,
        "currency": currency.lower(),
        "created": created,
        "payment_intent": payment_intent,
        "reason": reason,
        "status": status,
    }


def charge_obj(
    chid: str,
    customer: str,
    amount: int,
    currency: str,
    *,
    status: str,
    created: int,
    invoice: str | None,
    payment_intent: str | None,
    refunds: list[JsonDict] | None = None,
    failure_code: str | None = None,
) -> JsonDict:
    refunded = sum(int(r["amount"]) for r in refunds or [] if r["status"] in ("pending", "succeeded"))
    return {
        "id": chid,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount if status == "succeeded" else 0,
        "amount_refunded": refunded,
        "captured": status == "succeeded",
        "created": created,
        "currency": currency.lower(),
        "customer": customer,
        "failure_code": failure_code,
        "invoice": invoice,
        "livemode": False,
        "paid": status == "succeeded",
        "payment_intent": payment_intent,
        "refunded": refunded == amount,
        "status": status,
        "refunds": {"object": "list", "data": refunds or [], "has_more": False},
    }


def payment_intent_obj(piid: str, customer: str, amount: int, currency: str, *, status: str, created: int,
                       invoice: str | None, charge: str | None) -> JsonDict:
    return {
        "id": piid,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount if status == "succeeded" else 0,
        "currency": currency.lower(),
        "customer": customer,
        "created": created,
        "invoice": invoice,
        "latest_charge": charge,
        "status": status,
    }


def event(eid: str, type_: str, created: int, obj: JsonDict, previous: JsonDict | None = None) -> JsonDict:
    """A webhook event object around ``obj`` (``previous``: data.previous_attributes of an update)."""
    data: JsonDict = {"object": obj}
    if previous is not None:
        data["previous_attributes"] = previous
    return {
        "id": eid,
        "object": "event",
        "api_version": API_VERSION,
        "created": created,
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type_,
    }
