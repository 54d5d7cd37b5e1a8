"""The replay: provider events recorded once and applied idempotently (docs/billing.md, "Replay").

:func:`replay_batch` takes the staging rows of :mod:`mediabase.billing.parse` (a JSON-lines log,
a webhook body, or the offline provider's own events) and applies them in ONE transaction, as the
owner (a provider's log crosses organizations): COPY into temp tables, then one set-based
statement per step of replay.sql. Every provider object ends with the snapshot of its newest
event by (created, event id), whatever order the events came in and however often:

    state(events) = for each object, the snapshot of max over its events of (created, id)

which is what applying a valid log once in order gives. Replaying it again records no event and
changes no row. A problem stops the replay at the first bad line (``name:line: field: problem``,
or ``field: problem`` without a name) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, LiteralString

from mediabase.billing.models import ReplayResult
from mediabase.billing.parse import (
    CHARGE_COLUMNS,
    CUSTOMER_COLUMNS,
    ENVELOPE_COLUMNS,
    EVENT_COLUMNS,
    INVOICE_COLUMNS,
    LINE_COLUMNS,
    REFUND_COLUMNS,
    SUBSCRIPTION_COLUMNS,
    Batch,
    envelope,
    parse_numbered,
    read_log,
)
from mediabase.common.errors import Conflict, Invalid
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, sql

Q = load_queries("mediabase.billing", "replay.sql")
STATEMENT_TIMEOUT = "15min"
ANALYZE_FROM = 500  # events: a batch this large gets statistics on its staging tables

register_constraint(
    "billing_subscriptions_one_live_org", Conflict,
    "the organization has a live subscription already: cancel it or change its plan", field="price",
)
register_constraint(
    "billing_subscriptions_one_live_user", Conflict,
    "this member has a live subscription already: cancel it or change its plan", field="subscriber_user_id",
)
register_constraint("billing_subscriptions_status_transition", Conflict, None, field="status")
register_constraint("billing_subscriptions_immutable", Invalid, None)
register_constraint("billing_subscriptions_subscriber_member", Invalid, None, field="subscriber_user_id")
register_constraint("billing_subscriptions_customer_provider", Invalid, None)
register_constraint("billing_subscriptions_one_subscriber", Invalid, "a subscription has exactly one subscriber")
register_constraint("billing_subscriptions_period_order", Invalid, "current_period_end must be after its start")
register_constraint("billing_invoices_status_transition", Conflict, None, field="status")
register_constraint("billing_invoices_total_is_lines", Invalid, None, field="total")
register_constraint("billing_payments_status_transition", Conflict, None, field="status")
register_constraint("billing_payments_refunded_is_refunds", Invalid, None, field="amount_refunded")
register_constraint(
    "billing_payments_refunds_within_amount", Conflict, "the refunds would exceed the payment", field="amount"
)
register_constraint("billing_refunds_status_transition", Conflict, None, field="status")
register_constraint("billing_customers_subscriber_key", Conflict, "this subscriber has a customer already")
register_constraint(
    "billing_customers_provider_key", Conflict, "this customer id stands for another organization already"
)

_STAGING: tuple[tuple[LiteralString, tuple[str, ...], str], ...] = (
    ("billing_stg_events", EVENT_COLUMNS, "events"),
    ("billing_stg_customers", CUSTOMER_COLUMNS, "customers"),
    ("billing_stg_subscriptions", SUBSCRIPTION_COLUMNS, "subscriptions"),
    ("billing_stg_invoices", INVOICE_COLUMNS, "invoices"),
    ("billing_stg_lines", LINE_COLUMNS, "lines"),
    ("billing_stg_charges", CHARGE_COLUMNS, "charges"),
    ("billing_stg_refunds", REFUND_COLUMNS, "refunds"),
)


def _problem(row: dict[str, Any], name: str | None) -> Invalid | Conflict:
    where = f"{name}:{row['line']}: " if name else ""
    error = Conflict if row["kind"] == "conflict" else Invalid
    return error(f"{where}{row['field']}: {row['problem']}", field=row["field"])


async def _check(conn: Conn, query: LiteralString, params: dict[str, Any], name: str | None) -> None:
    row = await (await conn.execute(query, params)).fetchone()
    if row is not None:
        raise _problem(row, name)


async def _copy(conn: Conn, table: LiteralString, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    async with conn.cursor().copy(stmt) as copy:
        for r in rows:
            await copy.write_row(r)


async def _stage(conn: Conn, batch: Batch) -> None:
    for table, columns, attr in _STAGING:
        rows: list[tuple[Any, ...]] = getattr(batch, attr)
        if rows:
            await _copy(conn, table, columns, rows)
    if len(batch.events) >= ANALYZE_FROM:
        await conn.execute(b"SET LOCAL default_statistics_target = 10")  # a sample of 3,000 rows is plenty here
        await conn.execute(Q.analyze_staging)


async def new_lines(conn: Conn, provider: str, lines: Sequence[tuple[int, str]], name: str | None) -> list[int]:
    """Stage every line's text; the numbers of those whose event is not recorded yet (an event
    recorded before must come again as the same event: id, type, time and object)."""
    p = {"provider": provider}
    await conn.execute(Q.create_staging)
    await _copy(conn, "billing_stg_envelope", ENVELOPE_COLUMNS, (envelope(n, t) for n, t in lines))
    if len(lines) >= ANALYZE_FROM:
        await conn.execute(b"SET LOCAL default_statistics_target = 10")
        await conn.execute(Q.analyze_envelope)
    await conn.execute(Q.route_envelope, p)
    await conn.execute(Q.route_envelope_by_charge, p)
    await _check(conn, Q.recorded_problems, p, name)
    return [r["line"] for r in await (await conn.execute(Q.candidates, p)).fetchall()]


async def apply(
    conn: Conn, provider: str, lines: Sequence[tuple[int, str]], *, source: str = "replay", name: str | None = None
) -> ReplayResult:
    """Apply the events of ``lines`` (number, text) inside the caller's transaction (the owner's: no
    row-level security)."""
    p = {"provider": provider, "source": source}
    fresh = await new_lines(conn, provider, lines, name)
    if not fresh:  # a replay: every event is recorded already
        return ReplayResult(read=len(lines), recorded=0, skipped=0, subscriptions=0, invoices=0, payments=0, refunds=0)
    text = dict(lines) if len(fresh) < len(lines) else None
    todo = [(n, text[n]) for n in fresh] if text is not None else lines
    batch = parse_numbered(todo, name)
    await _copy(conn, "billing_stg_payloads", ("line", "doc"), todo)
    await _stage(conn, batch)
    await _check(conn, Q.customer_problems, p, name)
    await conn.execute(Q.insert_customers, p)
    await conn.execute(Q.route_by_customer, p)
    if batch.refunds:
        await conn.execute(Q.route_by_batch_charge, p)
        await conn.execute(Q.route_by_stored_charge, p)
    await _check(conn, Q.route_problems, p, name)
    if len(batch.events) >= ANALYZE_FROM:
        await conn.execute(Q.analyze_routed)
    await conn.execute(Q.record_events, p)
    # each step only when the batch holds its kind of object (a webhook carries one)
    if batch.subscriptions:
        await conn.execute(Q.win_subscriptions, p)
        await _check(conn, Q.subscription_problems, p, name)
        await conn.execute(Q.upsert_subscriptions, p)
    else:
        await conn.execute(b"CREATE TEMP TABLE billing_win_subscriptions (id uuid) ON COMMIT DROP")
    if batch.invoices:
        await conn.execute(Q.win_invoices, p)
        await _check(conn, Q.invoice_problems, p, name)
        await conn.execute(Q.upsert_invoices, p)
        await conn.execute(Q.delete_replaced_lines, p)
        await conn.execute(Q.insert_lines, p)
    else:
        await conn.execute(b"CREATE TEMP TABLE billing_win_invoices (id uuid) ON COMMIT DROP")
    if batch.charges:
        await conn.execute(Q.win_charges, p)
        await _check(conn, Q.charge_problems, p, name)
        await conn.execute(Q.upsert_payments, p)
    else:
        await conn.execute(b"CREATE TEMP TABLE billing_win_charges (id uuid) ON COMMIT DROP")
    if batch.refunds:
        await conn.execute(Q.win_refunds, p)
        await _check(conn, Q.refund_problems, p, name)
        await conn.execute(Q.upsert_refunds, p)
    else:
        await conn.execute(b"CREATE TEMP TABLE billing_win_refunds (id uuid) ON COMMIT DROP")
    counts = await (await conn.execute(Q.counts)).fetchone()
    assert counts is not None
    return ReplayResult(
        read=len(lines),
        recorded=counts["recorded"],
        skipped=batch.skipped,
        subscriptions=counts["subscriptions"],
        invoices=counts["invoices"],
        payments=counts["payments"],
        refunds=counts["refunds"],
    )


async def replay_lines(
    db: Database, provider: str, lines: Sequence[tuple[int, str]], *, source: str = "replay", name: str | None = None
) -> ReplayResult:
    """Apply the events of ``lines`` in a transaction of its own on the owner's pool."""
    system = await db.as_system()
    async with system.transaction() as conn:
        await conn.execute(b"SET LOCAL work_mem = '256MB'")
        await conn.execute(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}'".encode())
        return await apply(conn, provider, lines, source=source, name=name)


async def replay_file(db: Database, provider: str, path: str, name: str | None = None) -> ReplayResult:
    """Replay a JSON-lines event log (``file:line: field: problem`` names a bad line)."""
    return await replay_lines(db, provider, read_log(path, name), name=name or path)
