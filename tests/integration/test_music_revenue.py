"""Revenue, dividends and payouts (0032_music_revenue.sql): the distribution is exact for any
holdings and amount (hypothesis, against a largest-remainder allocation computed in Python),
idempotent, tenant-bound; imports record each line once; bad lines are named; payouts move along
their statuses only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediabase.common.errors import Conflict, Forbidden, Invalid, MediabaseError, NotFound
from mediabase.db.connection import Database
from mediabase.music.revenue import service
from mediabase.music.revenue.models import DividendCreate, PayoutMark, PayoutStatus, RevenueEventCreate
from mediabase.music.revenue.statements import parse_statement
from tests.factories import Tenant
from tests.integration.music_world_revenue import (
    Master,
    add_revenue,
    largest_remainder,
    make_accounts,
    make_master,
    mint,
    sign_contract,
    sql,
    transfer,
)

JAN = (date(2026, 1, 1), date(2026, 2, 1))


def dividend(
    m: Master, *, at: datetime | None = None, period: tuple[date, date] = JAN, currency: str = "EUR", **kw: object
) -> DividendCreate:
    if at is None and "record_block" not in kw:
        at = datetime.now(UTC)
    return DividendCreate(
        master_id=m.master, period_start=period[0], period_end=period[1], currency=currency, record_at=at, **kw
    )  # type: ignore[arg-type]


async def payouts_of(db: Database, m: Master, dividend_id: UUID) -> dict[UUID, int]:
    rows = await sql(
        db,
        m.owner,
        "SELECT account_id, amount FROM music_payouts WHERE organization_id = %s AND dividend_id = %s",
        (m.org, dividend_id),
    )
    return {r["account_id"]: int(r["amount"]) for r in rows}


@pytest.fixture
async def world(db: Database, tenants: tuple[Tenant, Tenant]) -> Master:
    return await make_master(db, tenants[0])


# -- exactness ---------------------------------------------------------------------------------------

holdings_st = st.one_of(
    st.lists(st.integers(1, 10**6), min_size=1, max_size=40),
    st.lists(st.integers(1, 3), min_size=20, max_size=60),  # many holders, tiny holdings
    st.lists(st.integers(1, 10**40), min_size=1, max_size=8),  # uint256-sized holdings
    st.just([1]),
)
amounts_st = st.one_of(st.integers(1, 10), st.integers(1, 10**6), st.integers(1, 10**30))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(holdings=holdings_st, amount=amounts_st)
async def test_payouts_sum_exactly_to_the_distributable_amount(
    db: Database, tenants: tuple[Tenant, Tenant], holdings: list[int], amount: int
) -> None:
    m = await make_master(db, tenants[0])
    accounts = await make_accounts(db, m, len(holdings))
    await mint(db, m, accounts, holdings, at=datetime.now(UTC) - timedelta(days=1))
    await add_revenue(db, m, [amount])
    out = await service.distribute(db, m.owner, dividend(m))
    d = out.dividend
    assert out.created and d.revenue == amount and d.investors_bps == 10_000 and d.distributable == amount
    got = await payouts_of(db, m, d.id)
    assert sum(got.values()) + d.remainder == d.distributable
    assert d.remainder == 0 and d.holders == len(holdings) and d.total_holding == sum(holdings)
    assert got == largest_remainder(amount, dict(zip(accounts, holdings, strict=True)))


async def test_an_amount_smaller_than_the_number_of_holders(db: Database, world: Master) -> None:
    accounts = await make_accounts(db, world, 7)
    await mint(db, world, accounts, [1] * 7, at=datetime.now(UTC) - timedelta(hours=1))
    await add_revenue(db, world, [3])
    d = (await service.distribute(db, world.owner, dividend(world))).dividend
    got = await payouts_of(db, world, d.id)
    # equal holdings, equal fractions: the three units go to the three smallest account ids
    assert [got[a] for a in accounts] == [1, 1, 1, 0, 0, 0, 0]
    assert d.remainder == 0


async def test_no_holders_keeps_everything_as_the_remainder(db: Database, world: Master) -> None:
    await add_revenue(db, world, [500])
    d = (await service.distribute(db, world.owner, dividend(world))).dividend
    assert (d.holders, d.remainder, d.distributable, d.total_holding) == (0, 500, 500, 0)
    assert await payouts_of(db, world, d.id) == {}


async def test_holdings_count_at_the_record_point(db: Database, world: Master) -> None:
    a, b = await make_accounts(db, world, 2)
    t0 = datetime.now(UTC) - timedelta(days=3)
    await mint(db, world, [a], [100], at=t0)
    await transfer(db, world, a, b, 25, at=t0 + timedelta(days=1))
    await add_revenue(db, world, [1000])
    before = (await service.distribute(db, world.owner, dividend(world, at=t0 + timedelta(hours=1)))).dividend
    assert await payouts_of(db, world, before.id) == {a: 1000}
    await add_revenue(db, world, [1000], start=date(2026, 2, 1), end=date(2026, 3, 1))
    after = (
        await service.distribute(db, world.owner, dividend(world, period=(date(2026, 2, 1), date(2026, 3, 1))))
    ).dividend
    assert await payouts_of(db, world, after.id) == {a: 750, b: 250}


async def test_a_record_block_counts_the_chain_postings_up_to_it(db: Database, world: Master) -> None:
    a, b = await make_accounts(db, world, 2)
    await mint(db, world, [a], [10], chain=1, block=100)
    await mint(db, world, [b], [30], chain=1, block=200)
    await add_revenue(db, world, [80])
    d = (await service.distribute(db, world.owner, dividend(world, record_chain_id=1, record_block=150))).dividend
    assert (d.record_block, d.record_at) == (150, None)
    assert await payouts_of(db, world, d.id) == {a: 80}


async def test_the_signed_contract_gives_the_investors_their_share(db: Database, world: Master) -> None:
    contract = await sign_contract(db, world, 2_500)
    accounts = await make_accounts(db, world, 3)
    await mint(db, world, accounts, [1, 1, 1], at=datetime.now(UTC) - timedelta(hours=1))
    await add_revenue(db, world, [1001, 2002])
    d = (await service.distribute(db, world.owner, dividend(world))).dividend
    assert (d.revenue, d.investors_bps, d.contract_id, d.distributable) == (3003, 2500, contract, 750)
    assert sorted((await payouts_of(db, world, d.id)).values()) == [250, 250, 250]


# -- idempotence and conflicts -----------------------------------------------------------------------


async def test_rerunning_a_distribution_answers_the_same_dividend(db: Database, world: Master) -> None:
    accounts = await make_accounts(db, world, 3)
    at = datetime.now(UTC) - timedelta(minutes=1)
    await mint(db, world, accounts, [5, 3, 2], at=at - timedelta(days=1))
    await add_revenue(db, world, [999])
    first = await service.distribute(db, world.owner, dividend(world, at=at))
    again = await service.distribute(db, world.owner, dividend(world, at=at))
    assert first.created and not again.created and again.dividend == first.dividend
    assert len(await payouts_of(db, world, first.dividend.id)) == 3
    with pytest.raises(Conflict) as info:  # the same period at another record point
        await service.distribute(db, world.owner, dividend(world, at=at - timedelta(hours=1)))
    assert info.value.extra["constraint"] == "music_dividends_period_key"
    await add_revenue(db, world, [5], start=date(2026, 2, 1), end=date(2026, 3, 1))
    with pytest.raises(Conflict) as info:  # an overlapping period
        await service.distribute(db, world.owner, dividend(world, period=(date(2026, 1, 15), date(2026, 2, 15))))
    assert info.value.extra["constraint"] == "music_dividends_no_overlap"


async def test_revenue_cannot_be_dated_into_a_distributed_period(db: Database, world: Master) -> None:
    await add_revenue(db, world, [10])
    await service.distribute(db, world.owner, dividend(world))
    late = RevenueEventCreate(
        master_id=world.master,
        source="apple",
        external_id="late-1",
        period_start=date(2026, 1, 20),
        period_end=date(2026, 2, 20),
        amount=5,
        currency="EUR",
    )
    with pytest.raises(Conflict) as info:
        await service.import_events(db, world.owner, [late])
    assert info.value.field == "period_start" and "already distributed" in str(info.value)
    # another currency, or the next period, is open
    await service.import_events(
        db,
        world.owner,
        [
            late.model_copy(update={"currency": "USD"}),
            late.model_copy(update={"external_id": "late-2", "period_start": date(2026, 2, 1)}),
        ],
    )


@pytest.mark.parametrize("case", ["no revenue", "future", "no master", "no share asset"])
async def test_a_distribution_that_cannot_be_is_refused(db: Database, world: Master, case: str) -> None:
    data = dividend(world)
    if case == "future":
        await add_revenue(db, world, [10])
        data = dividend(world, at=datetime.now(UTC) + timedelta(days=1))
    elif case == "no master":
        data = data.model_copy(update={"master_id": uuid4()})
    elif case == "no share asset":
        data = data.model_copy(update={"master_id": await sql_master_without_asset(db, world)})
    with pytest.raises(MediabaseError) as info:
        await service.distribute(db, world.owner, data)
    assert 400 <= info.value.status < 500 and info.value.field in ("master_id", "period_start", "record_at")


async def sql_master_without_asset(db: Database, m: Master) -> UUID:
    rows = await sql(
        db,
        m.owner,
        "INSERT INTO music_masters (organization_id, artist_id, title) VALUES (%s, %s, 'B') RETURNING id",
        (m.org, m.artist),
    )
    master: UUID = rows[0]["id"]
    await sql(
        db,
        m.owner,
        "INSERT INTO music_revenue_events (organization_id, master_id, source, external_id,"
        " period_start, period_end, amount, currency) VALUES (%s, %s, 'direct', 'b1',"
        " '2026-01-01', '2026-02-01', 7, 'EUR')",
        (m.org, master),
    )
    return master


# -- tenancy and privileges --------------------------------------------------------------------------


async def test_nothing_crosses_organizations(db: Database, tenants: tuple[Tenant, Tenant], world: Master) -> None:
    other = tenants[1].owner
    accounts = await make_accounts(db, world, 2)
    await mint(db, world, accounts, [1, 1], at=datetime.now(UTC) - timedelta(hours=1))
    await add_revenue(db, world, [10])
    d = (await service.distribute(db, world.owner, dividend(world))).dividend
    with pytest.raises(NotFound):
        await service.distribute(db, other, dividend(world))
    with pytest.raises(NotFound):
        await service.get_dividend(db, other, d.id)
    with pytest.raises(NotFound):
        await service.list_payouts(db, other, dividend_id=d.id)
    assert (await service.list_payouts(db, other, account_id=accounts[0])).items == []
    assert await service.unpaid_balances(db, other) == []
    with pytest.raises(NotFound):
        await service.mark_payout(db, other, d.id, accounts[0], PayoutMark(status=PayoutStatus.paid))
    with pytest.raises(NotFound):  # revenue for another organization's master
        await service.import_events(
            db,
            other,
            [
                RevenueEventCreate(
                    master_id=world.master,
                    source="direct",
                    external_id="x",
                    period_start=date(2026, 3, 1),
                    period_end=date(2026, 4, 1),
                    amount=1,
                    currency="EUR",
                )
            ],
        )
    assert (await service.list_events(db, other)).items == []


async def test_members_read_admins_write(db: Database, tenants: tuple[Tenant, Tenant], world: Master) -> None:
    member = tenants[0].member
    with pytest.raises(Forbidden):
        await service.distribute(db, member, dividend(world))
    with pytest.raises(Forbidden):
        await service.import_events(db, member, [])
    assert (await service.list_dividends(db, member)).items == []


async def test_the_app_role_writes_payouts_only_through_the_function(
    db: Database, owner_db: Database, world: Master
) -> None:
    accounts = await make_accounts(db, world, 2)
    await mint(db, world, accounts, [1, 3], at=datetime.now(UTC) - timedelta(hours=1))
    await add_revenue(db, world, [100])
    d = (await service.distribute(db, world.owner, dividend(world))).dividend
    for stmt in (
        "INSERT INTO music_payouts (organization_id, dividend_id, account_id, currency, holding, amount)"
        f" VALUES ('{world.org}', '{d.id}', '{uuid4()}', 'EUR', 1, 1)",
        f"UPDATE music_dividends SET remainder = 1 WHERE id = '{d.id}'",
        f"DELETE FROM music_payouts WHERE dividend_id = '{d.id}'",
        f"DELETE FROM music_revenue_events WHERE master_id = '{world.master}'",
        f"UPDATE music_revenue_events SET amount = 1 WHERE master_id = '{world.master}'",
    ):
        with pytest.raises(NotFound):  # insufficient privilege reads as "not found"
            await sql(db, world.owner, stmt)
    with pytest.raises(Invalid) as info:  # an amount never changes, not even the owner's way
        await sql(owner_db, world.owner, "UPDATE music_payouts SET amount = amount + 1 WHERE dividend_id = %s", (d.id,))
    assert info.value.extra["constraint"] == "music_payouts_immutable"


async def _unbalanced(owner_db: Database, m: Master) -> None:
    async with owner_db.transaction(m.org, m.owner.user_id) as conn:
        d = uuid4()
        await conn.execute(
            "INSERT INTO music_dividends (organization_id, id, master_id, asset_id, period_start, period_end,"
            " currency, record_at, revenue, investors_bps, distributable, remainder, holders, total_holding)"
            " VALUES (%s, %s, %s, %s, '2026-05-01', '2026-06-01', 'EUR', now(), 10, 10000, 10, 10, 0, 0)",
            (m.org, d, m.master, m.asset),
        )
        await conn.execute(
            "INSERT INTO music_payouts (organization_id, dividend_id, account_id, currency, holding, amount)"
            " VALUES (%s, %s, music_issuance_account(), 'EUR', 1, 3)",
            (m.org, d),
        )


async def test_a_dividend_whose_payouts_do_not_add_up_fails_at_commit(owner_db: Database, world: Master) -> None:
    with pytest.raises(Conflict) as info:
        await _unbalanced(owner_db, world)
    assert info.value.extra["constraint"] == "music_dividends_exact"


# -- payouts -----------------------------------------------------------------------------------------


async def test_payout_statuses_unpaid_balances_and_the_security_log(
    db: Database, owner_db: Database, world: Master
) -> None:
    a, b, c = await make_accounts(db, world, 3)
    await mint(db, world, [a, b, c], [1, 1, 2], at=datetime.now(UTC) - timedelta(hours=1))
    await add_revenue(db, world, [400])
    d = (await service.distribute(db, world.owner, dividend(world))).dividend
    unpaid = {(u.account_id, u.currency): u.amount for u in await service.unpaid_balances(db, world.owner)}
    assert unpaid == {(a, "EUR"): 100, (b, "EUR"): 100, (c, "EUR"): 200}
    paid = await service.mark_payout(db, world.owner, d.id, a, PayoutMark(status=PayoutStatus.paid, external_ref="tx1"))
    assert paid.status is PayoutStatus.paid and paid.paid_at is not None and paid.external_ref == "tx1"
    assert (await service.get_dividend(db, world.owner, d.id)).status == "paying"
    with pytest.raises(Conflict):  # paid is final
        await service.mark_payout(db, world.owner, d.id, a, PayoutMark(status=PayoutStatus.failed))
    failed = await service.mark_payout(
        db, world.owner, d.id, b, PayoutMark(status=PayoutStatus.failed, failure_reason="IBAN closed")
    )
    assert failed.failure_reason == "IBAN closed" and failed.failed_at is not None
    retried = await service.mark_payout(db, world.owner, d.id, b, PayoutMark(status=PayoutStatus.pending))
    assert retried.failure_reason is None and retried.failed_at is None
    assert [u.account_id for u in await service.unpaid_balances(db, world.owner)] == sorted([b, c])
    assert (await service.unpaid_balances(db, world.owner, account_id=c))[0].amount == 200
    assert (await service.pay_all(db, world.owner, d.id, "batch-7")).paid == 2
    done = await service.get_dividend(db, world.owner, d.id)
    assert done.status == "paid" and done.paid_at is not None
    assert await service.unpaid_balances(db, world.owner) == []
    mine = await service.list_payouts(db, world.owner, account_id=c)
    assert [(x.dividend_id, x.amount, x.external_ref) for x in mine.items] == [(d.id, 200, "batch-7")]
    events = await sql(
        owner_db,
        world.owner,
        "SELECT subject_id, details FROM security_events"
        " WHERE organization_id = %s AND kind = 'payout' ORDER BY occurred_at",
        (world.org,),
    )
    assert [(e["subject_id"], e["details"]["payouts"]) for e in events] == [(d.id, 1), (d.id, 2)]
    assert events[0]["details"]["amount"] == "100" and events[1]["details"]["amount"] == "300"


async def test_payout_pages(db: Database, world: Master) -> None:
    accounts = await make_accounts(db, world, 5)
    await mint(db, world, accounts, [1] * 5, at=datetime.now(UTC) - timedelta(hours=1))
    await add_revenue(db, world, [50])
    d = (await service.distribute(db, world.owner, dividend(world))).dividend
    seen: list[UUID] = []
    cursor = None
    while True:
        page = await service.list_payouts(db, world.owner, dividend_id=d.id, limit=2, cursor=cursor)
        seen += [x.account_id for x in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == accounts


# -- imports -----------------------------------------------------------------------------------------


def statement(m: Master, n: int = 3, amount: int = 100) -> str:
    rows = "".join(f"{m.master},spotify,sp-{i},2026-01-01,2026-02-01,{amount + i},eur\n" for i in range(n))
    return "master_id,source,external_id,period_start,period_end,amount,currency\n" + rows


async def test_importing_a_statement_twice_records_it_once(db: Database, world: Master, tmp_path: Path) -> None:
    path = tmp_path / "jan.csv"
    path.write_text(statement(world), encoding="utf-8")
    rows = parse_statement(path)
    assert [w for w, _ in rows] == ["jan.csv:2", "jan.csv:3", "jan.csv:4"]
    first = await service.import_events(db, world.owner, [e for _, e in rows], [w for w, _ in rows])
    again = await service.import_events(db, world.owner, [e for _, e in rows], [w for w, _ in rows])
    assert (first.inserted, first.unchanged, again.inserted, again.unchanged) == (3, 0, 0, 3)
    events = (await service.list_events(db, world.owner, master_id=world.master)).items
    assert sorted((e.source, e.external_id, e.amount, e.currency) for e in events) == [
        ("spotify", "sp-0", 100, "EUR"),
        ("spotify", "sp-1", 101, "EUR"),
        ("spotify", "sp-2", 102, "EUR"),
    ]
    summary = await service.revenue_summary(db, world.owner, master_id=world.master)
    assert [(b.bucket_start, b.amount, b.events) for b in summary] == [(date(2026, 1, 1), 303, 3)]
    # the same line with another amount: refused, naming the line, and nothing of the file written
    path.write_text(
        statement(world, 4, amount=100).replace("sp-1,2026-01-01,2026-02-01,101", "sp-1,2026-01-01,2026-02-01,999")
    )
    rows = parse_statement(path)
    with pytest.raises(Conflict) as info:
        await service.import_events(db, world.owner, [e for _, e in rows], [w for w, _ in rows])
    assert str(info.value).startswith("jan.csv:3:") and info.value.field == "external_id"
    assert len((await service.list_events(db, world.owner)).items) == 3


@pytest.mark.parametrize(
    ("text", "where", "field"),
    [
        ("master_id,source,external_id,period_start,period_end,amount\n", "s.csv:1", "currency"),
        (
            "{h}\n{m},spotify,a,2026-01-01,2026-02-01,10,EUR\n{m},spotify,b,2026-02-01,2026-01-01,10,EUR\n",
            "s.csv:3",
            "line",
        ),
        ("{h}\n{m},spotify,a,2026-01-01,2026-02-01,-5,EUR\n", "s.csv:2", "amount"),
        ("{h}\n{m},spotify,a,2026-01-01,2026-02-01,1.5,EUR\n", "s.csv:2", "amount"),
        ("{h}\n{m},spotify,a,2026-01-01,2026-02-01,10,EURO\n", "s.csv:2", "currency"),
        ("{h}\nnot-a-uuid,spotify,a,2026-01-01,2026-02-01,10,EUR\n", "s.csv:2", "master_id"),
        ("{h}\n{m},spo tify,a,2026-01-01,2026-02-01,10,EUR\n", "s.csv:2", "source"),
        ("{h}\n{m},spotify,a,2026-13-01,2026-02-01,10,EUR\n", "s.csv:2", "period_start"),
        ("{h}\n{m},spotify,a\x01b,2026-01-01,2026-02-01,10,EUR\n", "s.csv:2", "external_id"),
    ],
)
def test_bad_lines_are_named_by_file_line_and_field(tmp_path: Path, text: str, where: str, field: str) -> None:
    header = "master_id,source,external_id,period_start,period_end,amount,currency"
    path = tmp_path / "s.csv"
    path.write_text(text.format(h=header, m=uuid4()), encoding="utf-8")
    with pytest.raises(Invalid) as info:
        parse_statement(path)
    assert str(info.value).startswith(f"{where}: {field}"), str(info.value)


def test_json_lines_statements(tmp_path: Path) -> None:
    m = uuid4()
    path = tmp_path / "s.jsonl"
    path.write_text(
        f'{{"master_id": "{m}", "source": "youtube", "external_id": "y1", "period_start": "2026-01-01",'
        f' "period_end": "2026-02-01", "amount": 12345678901234567890123, "currency": "USD"}}\n\n'
        f'{{"master_id": "{m}", "source": "youtube", "external_id": "y2", "period_start": "2026-01-01",'
        f' "period_end": "2026-02-01", "amount": 1, "currency": "USD", "bogus": 1}}\n',
        encoding="utf-8",
    )
    with pytest.raises(Invalid) as info:
        parse_statement(path)
    assert str(info.value).startswith("s.jsonl:3: bogus: unknown field")
    path.write_text('{"master_id": 1}\n[1]\n', encoding="utf-8")
    with pytest.raises(Invalid) as info:
        parse_statement(path)
    assert str(info.value).startswith("s.jsonl:1: ")
