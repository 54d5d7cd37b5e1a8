"""The offline adapter's reader: Stripe webhook events (JSON lines, or one webhook body) checked
field by field and turned into the replay's staging rows (docs/billing.md, "Provider events").

A bad line is reported as ``name:line: field: problem`` (the field as a path into the event:
``data.object.items.data[0].price``) and :func:`parse_lines` stops there: the replay writes
nothing. What is read, by event type:

- ``customer.*``: a customer; ``metadata.organization_id`` (and ``metadata.user_id``, a member)
  map it to its organization;
- ``customer.subscription.*``: a subscription (one item: its price and quantity);
- ``invoice.*``: an invoice and its lines (``invoice.upcoming`` has no id: recorded only);
- ``charge.*``: a charge (a payment) and the refunds it lists (``refunds.data``);
- ``charge.refund.updated``, ``refund.*``: a refund (its ``charge`` routes it);
- any other type: recorded only, when its object names a customer; without one it concerns no
  organization and is skipped.
The same event id twice in one input keeps the first one's rows (the replay checks the copies
agree).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from mediabase.common.errors import Invalid
from mediabase.common.types import json_bad_spot

MAX_LINE_BYTES = 1 << 20
MAX_INT = 2**63 - 1
MIN_TIME, MAX_TIME = 1, 253_370_764_800  # 1970 .. 9999-01-01
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,255}")
_TYPE = re.compile(r"[a-z_]+(\.[a-z_]+)+")
_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_REASON = re.compile(r"[a-z_]{1,100}")
_NUMBER = re.compile(r"[A-Za-z0-9_./-]{1,100}")

SUBSCRIPTION_STATUSES = frozenset(
    {"incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid", "paused"}
)
INVOICE_STATUSES = frozenset({"draft", "open", "paid", "uncollectible", "void"})
CHARGE_STATUSES = frozenset({"pending", "succeeded", "failed"})
REFUND_STATUSES = frozenset({"pending", "requires_action", "succeeded", "failed", "canceled"})

# Staging columns, in the order of the rows below (the replay's COPY names them).
EVENT_COLUMNS = ("line", "event_id", "type", "created", "livemode", "api_version", "object_type", "object_id",
                 "customer", "charge")
CUSTOMER_COLUMNS = ("line", "event_id", "created", "customer", "organization_id", "user_id")
SUBSCRIPTION_COLUMNS = ("line", "event_id", "created", "subscription", "customer", "price_lookup", "price_ref",
                        "price_currency", "quantity", "status", "period_start", "period_end", "cancel_at_period_end",
                        "trial_start", "trial_end", "canceled_at", "ended_at", "start_date")
INVOICE_COLUMNS = ("line", "event_id", "created", "invoice", "customer", "subscription", "number", "status",
                   "currency", "total", "amount_due", "amount_paid", "period_start", "period_end", "invoice_created",
                   "paid_at")
LINE_COLUMNS = ("line", "event_id", "invoice", "line_id", "position", "amount", "currency", "quantity", "description",
                "price_lookup", "price_ref", "period_start", "period_end", "proration")
CHARGE_COLUMNS = ("line", "event_id", "created", "charge", "customer", "payment_intent", "invoice", "amount",
                  "currency", "status", "failure_code", "charge_created")
REFUND_COLUMNS = ("line", "event_id", "created", "refund", "charge", "amount", "currency", "status", "reason",
                  "refund_created")


class Bad(Exception):
    """A problem of one field of one event."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(slots=True)
class Batch:
    """Staging rows of a set of events (tuples in the *_COLUMNS orders)."""

    events: list[tuple[Any, ...]] = field(default_factory=list)
    customers: list[tuple[Any, ...]] = field(default_factory=list)
    subscriptions: list[tuple[Any, ...]] = field(default_factory=list)
    invoices: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    charges: list[tuple[Any, ...]] = field(default_factory=list)
    refunds: list[tuple[Any, ...]] = field(default_factory=list)
    skipped: int = 0  # events of no organization (no customer, no charge)
    seen: set[str] = field(default_factory=set)


# -- fields ------------------------------------------------------------------------------------------


def _obj(o: dict[str, Any], key: str, path: str, required: bool = True) -> dict[str, Any] | None:
    v = o.get(key)
    if type(v) is dict:
        return v
    if v is None and not required:
        return None
    raise Bad(path + key, "missing" if v is None else "must be an object")


def _id(o: dict[str, Any], key: str, path: str, required: bool = True) -> str | None:
    """An id, or an expanded object's id (Stripe expands ``customer`` and the like on request)."""
    v = o.get(key)
    if type(v) is str and _ID.fullmatch(v):
        return v
    if type(v) is dict:
        v = v.get("id")
        if type(v) is str and _ID.fullmatch(v):
            return v
    if v is None:
        if required:
            raise Bad(path + key, "missing")
        return None
    raise Bad(path + key, "must be an id (1-255 letters, digits, _ . : -)")


def _text(o: dict[str, Any], key: str, path: str, pattern: re.Pattern[str] | None, limit: int = 2000) -> str | None:
    v = o.get(key)
    if v is None:
        return None
    if not isinstance(v, str) or (pattern is not None and not pattern.fullmatch(v)) or len(v) > limit:
        raise Bad(path + key, "must be text" + (f" matching {pattern.pattern}" if pattern is not None else ""))
    return v


def _int(o: dict[str, Any], key: str, path: str, required: bool = True, lo: int = -MAX_INT) -> int | None:
    v = o.get(key)
    if type(v) is int and lo <= v <= MAX_INT:
        return v
    if v is None:
        if required:
            raise Bad(path + key, "missing")
        return None
    raise Bad(path + key, f"must be an integer from {lo} (minor units, never a fraction)")


def _time(o: dict[str, Any], key: str, path: str, required: bool = True) -> int | None:
    v = o.get(key)
    if type(v) is int and MIN_TIME <= v < MAX_TIME:
        return v
    if v is None:
        if required:
            raise Bad(path + key, "missing")
        return None
    raise Bad(path + key, "must be a Unix time in seconds (1970 to 9998)")


def _bool(o: dict[str, Any], key: str, path: str) -> bool:
    v = o.get(key, False)
    if v is None:
        return False
    if not isinstance(v, bool):
        raise Bad(path + key, "must be true or false")
    return v


def _currency(o: dict[str, Any], key: str, path: str) -> str:
    v = o.get(key)
    if type(v) is str and len(v) == 3 and v.isascii() and v.isalpha():
        return v.upper()
    raise Bad(path + key, "missing" if v is None else "must be a three-letter ISO 4217 code")


def _status(o: dict[str, Any], path: str, allowed: frozenset[str]) -> str:
    v = o.get("status")
    if type(v) is not str or v not in allowed:
        raise Bad(path + "status", "must be one of " + ", ".join(sorted(allowed)))
    return str(v)


def _list(o: dict[str, Any], key: str, path: str, required: bool = True) -> list[Any] | None:
    """A Stripe list object's data (all of it: a list with more pages is refused)."""
    lst = _obj(o, key, path, required)
    if lst is None:
        return None
    data = lst.get("data")
    if not isinstance(data, list):
        raise Bad(f"{path}{key}.data", "must be a list")
    if lst.get("has_more") is True:
        raise Bad(f"{path}{key}.has_more", "the list has more pages: send the event with the whole list expanded")
    return data


def _uuid(o: dict[str, Any], key: str, path: str) -> str | None:
    v = o.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise Bad(path + key, "must be a UUID")
    try:
        return str(UUID(v))
    except ValueError:
        raise Bad(path + key, "must be a UUID") from None


# -- objects -----------------------------------------------------------------------------------------


def _price(item: dict[str, Any], path: str) -> tuple[str | None, str | None, str]:
    price = _obj(item, "price", path)
    assert price is not None
    lookup = _text(price, "lookup_key", path + "price.", _CODE, 100)
    ref = _id(price, "id", path + "price.")
    return lookup, ref, _currency(price, "currency", path + "price.")


def _subscription(b: Batch, ln: int, eid: str, created: int, o: dict[str, Any], p: str) -> str:
    sid = _id(o, "id", p)
    customer = _id(o, "customer", p)
    items = _list(o, "items", p)
    assert items is not None and sid is not None and customer is not None
    if len(items) != 1 or not isinstance(items[0], dict):
        raise Bad(p + "items.data", "must hold exactly one item (one price per subscription)")
    item = items[0]
    ip = p + "items.data[0]."
    lookup, ref, currency = _price(item, ip)
    quantity = _int(item, "quantity", ip, False, 0)
    start = _time(o, "current_period_start", p, False) or _time(item, "current_period_start", ip)
    end = _time(o, "current_period_end", p, False) or _time(item, "current_period_end", ip)
    assert start is not None and end is not None
    if end <= start:
        raise Bad(p + "current_period_end", "must be after current_period_start")
    trial_start, trial_end = _time(o, "trial_start", p, False), _time(o, "trial_end", p, False)
    if trial_start is not None and trial_end is not None and trial_end < trial_start:
        raise Bad(p + "trial_end", "must not be before trial_start")
    status = _status(o, p, SUBSCRIPTION_STATUSES)
    ended = _time(o, "ended_at", p, False)
    if status == "canceled" and ended is None:
        raise Bad(p + "ended_at", "missing: a canceled subscription has ended")
    b.subscriptions.append((
        ln, eid, created, sid, customer, lookup, ref, currency, 1 if quantity is None else quantity, status, start, end,
        _bool(o, "cancel_at_period_end", p), trial_start, trial_end, _time(o, "canceled_at", p, False), ended,
        _time(o, "start_date", p, False) or _time(o, "created", p, False) or start,
    ))
    return customer


def _invoice(b: Batch, ln: int, eid: str, created: int, o: dict[str, Any], p: str) -> str:
    iid = _id(o, "id", p)
    customer = _id(o, "customer", p)
    assert iid is not None and customer is not None
    currency = _currency(o, "currency", p)
    status = _status(o, p, INVOICE_STATUSES)
    total = _int(o, "total", p)
    due = _int(o, "amount_due", p, True, 0)
    paid = _int(o, "amount_paid", p, True, 0)
    assert total is not None and due is not None and paid is not None
    if paid > due:
        raise Bad(p + "amount_paid", "must not exceed amount_due")
    transitions = _obj(o, "status_transitions", p, False) or {}
    paid_at = _time(transitions, "paid_at", p + "status_transitions.", False)
    if status == "paid" and (paid != due or paid_at is None):
        raise Bad(p + ("amount_paid" if paid != due else "status_transitions.paid_at"),
                  "a paid invoice is paid in full, at status_transitions.paid_at")
    period_start, period_end = _time(o, "period_start", p), _time(o, "period_end", p)
    assert period_start is not None and period_end is not None
    if period_end < period_start:
        raise Bad(p + "period_end", "must not be before period_start")
    lines = _list(o, "lines", p)
    assert lines is not None
    amount = 0
    for i, line in enumerate(lines):
        lp = f"{p}lines.data[{i}]."
        if not isinstance(line, dict):
            raise Bad(lp[:-1], "must be an object")
        lid = _id(line, "id", lp)
        value = _int(line, "amount", lp)
        assert value is not None
        if _currency(line, "currency", lp) != currency:
            raise Bad(lp + "currency", f"must be the invoice's currency ({currency.lower()})")
        period = _obj(line, "period", lp)
        assert period is not None
        ls, le = _time(period, "start", lp + "period."), _time(period, "end", lp + "period.")
        assert ls is not None and le is not None
        if le < ls:
            raise Bad(lp + "period.end", "must not be before period.start")
        lookup = ref = None
        if line.get("price") is not None:
            lookup, ref, _ = _price(line, lp)
        b.lines.append((ln, eid, iid, lid, i, value, currency, _int(line, "quantity", lp, False, 0),
                        _text(line, "description", lp, None), lookup, ref, ls, le, _bool(line, "proration", lp)))
        amount += value
    if amount != total:
        raise Bad(p + "total", f"is {total} but its lines add up to {amount} (a discount or tax is a line of its own)")
    b.invoices.append((ln, eid, created, iid, customer, _id(o, "subscription", p, False),
                       _text(o, "number", p, _NUMBER), status, currency, total, due, paid, period_start, period_end,
                       _time(o, "created", p), paid_at))
    return customer


def _refund(b: Batch, ln: int, eid: str, created: int, o: dict[str, Any], p: str, charge: str | None = None) -> str:
    rid = _id(o, "id", p)
    of = _id(o, "charge", p)
    assert rid is not None and of is not None
    if charge is not None and of != charge:
        raise Bad(p + "charge", f"must be the charge that lists it ({charge})")
    amount = _int(o, "amount", p, True, 1)
    b.refunds.append((ln, eid, created, rid, of, amount, _currency(o, "currency", p),
                      _status(o, p, REFUND_STATUSES), _text(o, "reason", p, _REASON), _time(o, "created", p)))
    return of


def _charge(b: Batch, ln: int, eid: str, created: int, o: dict[str, Any], p: str) -> str:
    chid = _id(o, "id", p)
    customer = _id(o, "customer", p)
    assert chid is not None and customer is not None
    currency = _currency(o, "currency", p)
    b.charges.append((ln, eid, created, chid, customer, _id(o, "payment_intent", p, False), _id(o, "invoice", p, False),
                      _int(o, "amount", p, True, 1), currency, _status(o, p, CHARGE_STATUSES),
                      _text(o, "failure_code", p, _CODE), _time(o, "created", p)))
    for i, r in enumerate(_list(o, "refunds", p, False) or []):
        rp = f"{p}refunds.data[{i}]."
        if not isinstance(r, dict):
            raise Bad(rp[:-1], "must be an object")
        _refund(b, ln, eid, created, r, rp, chid)
        if r.get("currency", "").upper() != currency:
            raise Bad(rp + "currency", f"must be the charge's currency ({currency.lower()})")
    return customer


# -- events ------------------------------------------------------------------------------------------


def _bad_string(value: Any, path: str) -> Bad | None:
    """A NUL or a lone surrogate anywhere in a parsed event (jsonb and text cannot hold them)."""
    spot = json_bad_spot(value, path)
    return None if spot is None else Bad(spot[0] or "event", spot[2])


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def add_event(b: Batch, ln: int, text: str) -> None:
    """Check one event's text and add its rows to ``b``; :class:`Bad` names the field at fault."""
    if len(text) > MAX_LINE_BYTES:
        raise Bad("event", f"longer than {MAX_LINE_BYTES} bytes")
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise Bad("event", f"not JSON ({str(exc).split(':')[0]})") from None
    if not isinstance(doc, dict):
        raise Bad("event", "must be a JSON object")
    if ("\\u0000" in text or "\\ud" in text or "\\uD" in text) and (found := _bad_string(doc, "")):
        raise found
    eid = _id(doc, "id", "")
    assert eid is not None
    if doc.get("object") != "event":
        raise Bad("object", 'must be "event"')
    etype = doc.get("type")
    if not isinstance(etype, str) or not _TYPE.fullmatch(etype) or len(etype) > 100:
        raise Bad("type", "must be an event type such as customer.subscription.updated")
    created = _time(doc, "created", "")
    assert created is not None
    data = _obj(doc, "data", "")
    assert data is not None
    o = _obj(data, "object", "data.")
    assert o is not None
    api_version = _text(doc, "api_version", "", None, 100)
    livemode = _bool(doc, "livemode", "")
    kind = o.get("object")
    if not isinstance(kind, str) or not re.fullmatch(r"[a-z_.]{1,100}", kind):
        raise Bad("data.object.object", "must name the object's type")
    p = "data.object."
    object_id = _id(o, "id", p, False)
    if eid in b.seen:  # a copy: its rows are the first one's (the replay compares the copies)
        b.events.append((ln, eid, etype, created, livemode, api_version, kind, object_id, None, None))
        return
    b.seen.add(eid)
    customer: str | None = None
    charge: str | None = None

    def expect(name: str) -> None:
        if kind != name:
            raise Bad("data.object.object", f'must be "{name}" for {etype}')

    if etype.startswith("customer.subscription."):
        expect("subscription")
        customer = _subscription(b, ln, eid, created, o, p)
    elif etype.startswith("customer.") and kind == "customer":
        customer = _id(o, "id", p)
        meta = _obj(o, "metadata", p, False) or {}
        org = _uuid(meta, "organization_id", p + "metadata.")
        user = _uuid(meta, "user_id", p + "metadata.")
        if user is not None and org is None:
            raise Bad(p + "metadata.organization_id", "missing: a user is a customer within an organization")
        if org is not None and etype != "customer.deleted":
            b.customers.append((ln, eid, created, customer, org, user))
    elif etype.startswith("invoice."):
        expect("invoice")
        # invoice.upcoming: a preview, no invoice yet
        customer = _id(o, "customer", p, False) if object_id is None else _invoice(b, ln, eid, created, o, p)
    elif etype == "charge.refund.updated" or etype.startswith("refund."):
        expect("refund")
        charge = _refund(b, ln, eid, created, o, p)
    elif etype.startswith("charge.") and not etype.startswith("charge.dispute."):
        expect("charge")
        customer = _charge(b, ln, eid, created, o, p)
    else:
        customer = _id(o, "customer", p, False)
    if customer is None and charge is None:
        b.skipped += 1
        b.seen.discard(eid)
        return
    b.events.append((ln, eid, etype, created, livemode, api_version, kind, object_id, customer, charge))


ENVELOPE_COLUMNS = ("line", "event_id", "type", "created", "object_id", "customer", "charge")


def _key(v: Any) -> str | None:
    return v if type(v) is str and _ID.fullmatch(v) else None


def envelope(ln: int, text: str) -> tuple[Any, ...]:
    """What decides whether a line is new: its event id, type, time and object, and what routes it
    (its object's customer, or a refund's charge). Never raises: what is not readable is NULL (such
    a line is new, and :func:`add_event` says what is wrong with it)."""
    try:
        doc = json.loads(text)
        etype, o = doc["type"], doc["data"]["object"]
        customer = o.get("customer")
        if type(customer) is dict:
            customer = customer.get("id")
        if etype.startswith("customer.") and o.get("object") == "customer":
            customer = o.get("id")
        charge = o.get("charge") if etype == "charge.refund.updated" or etype.startswith("refund.") else None
        created = doc["created"]
        return (ln, _key(doc["id"]), etype if _TYPE.fullmatch(etype) else None,
                created if type(created) is int and MIN_TIME <= created < MAX_TIME else None,
                _key(o.get("id")), _key(customer), _key(charge))
    except (ValueError, RecursionError, KeyError, TypeError, AttributeError):
        return (ln, None, None, None, None, None, None)


def parse_numbered(items: Iterable[tuple[int, str]], name: str | None) -> Batch:
    """Events given as (line number, text) as one :class:`Batch`; the first bad one raises
    ``Invalid("name:line: field: problem")`` (``field: problem`` without a name)."""
    b = Batch()
    for ln, text in items:
        try:
            add_event(b, ln, text)
        except Bad as exc:
            where = f"{name}:{ln}: " if name else ""
            raise Invalid(f"{where}{exc.field}: {exc.problem}", field=exc.field) from None
    return b


def numbered(text: str) -> list[tuple[int, str]]:
    """The non-blank lines of a JSON-lines text with their numbers (1-based)."""
    return [(ln, line.rstrip("\r")) for ln, line in enumerate(text.split("\n"), 1) if line.strip()]


def read_log(path: str, name: str | None = None) -> list[tuple[int, str]]:
    """A JSON-lines file's non-blank lines with their numbers; a byte that is not UTF-8, or a NUL
    byte, is a bad line (``name:line: line: problem``)."""
    label = name or path
    with open(path, "rb") as f:
        raw = f.read()
    nul = raw.find(b"\x00")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise Invalid(f"{label}:{line}: line: not UTF-8 text", field="line") from None
    if nul >= 0:
        line = raw[:nul].count(b"\n") + 1
        raise Invalid(f"{label}:{line}: line: a NUL byte", field="line")
    return numbered(text)
