"""The operator's catalog: features, plans, prices and plan limits (docs/billing.md, "Catalog").

Global reference tables, written by operators through the CLI on the owner's pool (the
application role may only read them); any tenant reads the active plans.
"""

from __future__ import annotations

from uuid import UUID

from mediabase.billing.models import (
    Feature,
    FeatureCreate,
    Plan,
    PlanCreate,
    PlanLimit,
    PlanLimitSet,
    Price,
    PriceCreate,
)
from mediabase.billing.objects import PriceRef
from mediabase.common.errors import Conflict, NotFound
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, class_row, sql

Q = load_queries("mediabase.billing", "queries.sql")

register_constraint("billing_features_pkey", Conflict, "a feature with this code exists already", field="code")
register_constraint("billing_plans_code_key", Conflict, "a plan with this code exists already", field="code")
register_constraint("billing_prices_code_key", Conflict, "a price with this code exists already", field="code")
register_constraint(
    "billing_prices_provider_price_id_key", Conflict, "another price has this provider id", field="provider_price_id"
)
register_constraint("billing_plan_features_feature_fkey", NotFound, "no such feature", field="feature")
register_constraint("billing_usage_records_metric_fkey", NotFound, "no such metric (a feature's code)", field="metric")


async def add_feature(system: Database, data: FeatureCreate) -> Feature:
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(Feature))
        row = await (await cur.execute(Q.insert_feature, data.model_dump())).fetchone()
    assert row is not None
    return row


async def list_features(db: Database) -> list[Feature]:
    async with db.transaction(readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Feature))
        return await (await cur.execute(Q.list_features)).fetchall()


async def _plans(conn: Conn, *, code: str | None = None, include_inactive: bool = False) -> list[Plan]:
    rows = await (await conn.execute(Q.list_plans, {"all": include_inactive, "code": code})).fetchall()
    ids = [r["id"] for r in rows]
    prices = await (await conn.execute(Q.plan_prices, {"plans": ids, "all": include_inactive})).fetchall()
    limits = await (await conn.execute(Q.plan_limits, {"plans": ids})).fetchall()
    by_code: dict[str, list[Price]] = {}
    for p in prices:
        by_code.setdefault(p["plan_code"], []).append(Price.model_validate(p))
    by_plan: dict[UUID, list[PlanLimit]] = {}
    for f in limits:
        by_plan.setdefault(f["plan_id"], []).append(PlanLimit(feature=f["feature"], limit=f["limit"],
                                                              per_unit=f["per_unit"]))
    return [Plan(**r, prices=by_code.get(r["code"], []), limits=by_plan.get(r["id"], [])) for r in rows]


async def list_plans(db: Database, *, include_inactive: bool = False) -> list[Plan]:
    """The plans with their prices and limits (active ones only, unless asked)."""
    async with db.transaction(readonly=True) as conn:
        return await _plans(conn, include_inactive=include_inactive)


async def get_plan(db: Database, code: str) -> Plan:
    async with db.transaction(readonly=True) as conn:
        plans = await _plans(conn, code=code, include_inactive=True)
    if not plans:
        raise NotFound(f"no plan {code!r}", field="plan")
    return plans[0]


async def _plan_id(conn: Conn, code: str) -> UUID:
    row = await (await conn.execute(Q.plan_by_code, {"code": code})).fetchone()
    if row is None:
        raise NotFound(f"no plan {code!r}", field="plan")
    plan_id: UUID = row["id"]
    return plan_id


async def add_plan(system: Database, data: PlanCreate) -> Plan:
    async with system.transaction() as conn:
        await conn.execute(Q.insert_plan, data.model_dump())
    return await get_plan(system, data.code)


async def set_plan_active(system: Database, code: str, active: bool) -> Plan:
    """Archive a plan (no new subscriptions; live ones go on) or make it available again."""
    async with system.transaction() as conn:
        if await (await conn.execute(Q.set_plan_active, {"code": code, "active": active})).fetchone() is None:
            raise NotFound(f"no plan {code!r}", field="plan")
    return await get_plan(system, code)


async def add_price(system: Database, data: PriceCreate) -> Price:
    async with system.transaction() as conn:
        plan_id = await _plan_id(conn, data.plan)
        await conn.execute(Q.insert_price, {**data.model_dump(exclude={"plan"}), "plan_id": plan_id,
                                            "interval": data.interval.value})
    return await get_price(system, data.code)


async def get_price(db: Database, code: str) -> Price:
    async with db.transaction(readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Price))
        stmt = sql.SQL("{} WHERE p.code = %(code)s").format(sql.SQL(Q.price_columns))
        row = await (await cur.execute(stmt, {"code": code})).fetchone()
    if row is None:
        raise NotFound(f"no price {code!r}", field="price")
    return row


async def set_price_active(system: Database, code: str, active: bool) -> Price:
    """Archive a price (no new subscriptions on it) or make it available again."""
    async with system.transaction() as conn:
        if await (await conn.execute(Q.set_price_active, {"code": code, "active": active})).fetchone() is None:
            raise NotFound(f"no price {code!r}", field="price")
    return await get_price(system, code)


async def set_limit(system: Database, plan: str, data: PlanLimitSet) -> Plan:
    """What a plan grants of a feature: a limit (None: unlimited), per unit of quantity or not."""
    async with system.transaction() as conn:
        plan_id = await _plan_id(conn, plan)
        await conn.execute(Q.upsert_limit, {"plan_id": plan_id, **data.model_dump()})
    return await get_plan(system, plan)


async def remove_limit(system: Database, plan: str, feature: str) -> Plan:
    async with system.transaction() as conn:
        plan_id = await _plan_id(conn, plan)
        if await (await conn.execute(Q.delete_limit, {"plan_id": plan_id, "feature": feature})).fetchone() is None:
            raise NotFound(f"plan {plan!r} grants nothing of {feature!r}", field="feature")
    return await get_plan(system, plan)


async def price_refs(db: Database) -> list[PriceRef]:
    """Every active price as events name it (the log generator's catalog)."""
    return [PriceRef(p.code, p.unit_amount, p.currency, p.interval.value, p.provider_price_id)
            for plan in await list_plans(db) for p in plan.prices]

