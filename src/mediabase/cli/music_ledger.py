"""``mediabase music …``: the ownership ledger, IPOs and artist coins (docs/music-ledger.md).

The commands act as the organization's first OWNER (``--org``). An account is named by its id or
by a chain address (0x…, created on first use). Quantities are whole numbers of the asset's
smallest unit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from rich.table import Table

from mediabase.cli.common import JsonOpt, console, fail, open_databases, print_json, print_table, run
from mediabase.db.connection import Database
from mediabase.identity import service as identity
from mediabase.identity.models import Principal
from mediabase.music.ledger import offerings
from mediabase.music.ledger import service as ledger
from mediabase.music.ledger.models import (
    AccountOpen,
    AllocationCreate,
    AssetCreate,
    AssetKind,
    CoinCreate,
    EntryKind,
    IpoCreate,
    IpoStatus,
    IpoUpdate,
    Movement,
    SupplyPolicy,
)

T = TypeVar("T")
OrgOpt = Annotated[str, typer.Option("--org", help="The artist organization's slug.", envvar="MEDIABASE_ORG")]
AssetArg = Annotated[UUID, typer.Argument(help="The asset's id ('mediabase music assets' lists them).")]
QuantityArg = Annotated[str, typer.Argument(help="How much, in the asset's smallest unit (a whole number).")]
MemoOpt = Annotated[str | None, typer.Option(help="A note kept on the journal entry.")]
KeyOpt = Annotated[str | None, typer.Option("--key", help="An idempotency key: the same key again moves nothing.")]

ipos_app = typer.Typer(help="IPOs of a master's shares: issue, open/close/cancel, allocate.", no_args_is_help=True)
coins_app = typer.Typer(help="Artist coins and their liquidity pool snapshots.", no_args_is_help=True)


def _as_owner(org: str, work: Callable[[Database, Principal], Awaitable[T]]) -> T:
    async def _run() -> T:
        async with open_databases() as (db, system):
            return await work(db, await identity.acting_owner(system, org))

    return run(_run())


def _dump(x: Any) -> Any:
    return [i.model_dump(mode="json") for i in x] if isinstance(x, list) else x.model_dump(mode="json")


async def _account(db: Database, p: Principal, ref: str) -> UUID:
    if ref.lower().startswith("0x"):
        return (await ledger.open_account(db, p, AccountOpen(address=ref))).id
    try:
        return UUID(ref)
    except ValueError:
        fail(f"{ref!r} is neither an account id nor a 0x address")


def _move(
    kind: EntryKind,
    org: str,
    asset: UUID,
    quantity: str,
    src: str | None,
    dst: str | None,
    memo: str | None,
    key: str | None,
    as_json: bool,
) -> None:
    async def work(db: Database, p: Principal) -> Any:
        m = Movement.model_validate(
            {
                "asset_id": asset,
                "quantity": quantity,
                "memo": memo,
                "idempotency_key": key,
                "from_account_id": await _account(db, p, src) if src else None,
                "to_account_id": await _account(db, p, dst) if dst else None,
            }
        )
        return _dump(await ledger.move(db, p, kind, m))

    entry = _as_owner(org, work)
    if as_json:
        print_json(entry)
    else:
        console.print(f"{kind.value} posted: entry {entry['id']}")


# -- assets, moves, reads ---------------------------------------------------------------------------


def assets(org: OrgOpt, as_json: JsonOpt = False) -> None:
    """List the ledger's assets (master shares and coins) with their supply."""
    rows = _as_owner(org, lambda db, p: ledger.list_assets(db, p))
    if as_json:
        print_json(_dump(rows))
        return
    table = Table("symbol", "kind", "policy", "max", "outstanding", "id")
    for a in rows:
        table.add_row(a.symbol, a.kind, a.supply_policy, str(a.max_supply or "-"), str(a.outstanding), str(a.id))
    print_table(table)


def asset_add(
    org: OrgOpt,
    symbol: Annotated[str, typer.Argument(help="Ticker: A-Z then A-Z/0-9, 2-11 characters.")],
    name: Annotated[str, typer.Argument(help="The asset's name.")],
    artist: Annotated[UUID, typer.Option(help="The coin's artist (an artist id).")],
    max_supply: Annotated[
        str | None, typer.Option(help="A fixed supply's maximum; without it the coin is mintable.")
    ] = None,
    decimals: Annotated[int, typer.Option(min=0, max=18, help="Display decimals.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Create a coin asset of an artist (IPOs create master share assets themselves)."""
    data = AssetCreate.model_validate(
        {
            "kind": AssetKind.coin,
            "symbol": symbol,
            "name": name,
            "artist_id": artist,
            "decimals": decimals,
            "supply_policy": SupplyPolicy.fixed if max_supply else SupplyPolicy.mintable,
            "max_supply": max_supply,
        }
    )
    a = _as_owner(org, lambda db, p: ledger.create_asset(db, p, data))
    print_json(_dump(a)) if as_json else console.print(f"asset {a.symbol}: {a.id}")


def mint(
    org: OrgOpt,
    asset: AssetArg,
    quantity: QuantityArg,
    to: Annotated[str, typer.Option("--to", help="The receiving account (id or 0x address).")],
    memo: MemoOpt = None,
    key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mint new units of an asset to an account (refused beyond a fixed supply)."""
    _move(EntryKind.mint, org, asset, quantity, None, to, memo, key, as_json)


def transfer(
    org: OrgOpt,
    asset: AssetArg,
    quantity: QuantityArg,
    src: Annotated[str, typer.Option("--from", help="The paying account (id or 0x address).")],
    to: Annotated[str, typer.Option("--to", help="The receiving account (id or 0x address).")],
    memo: MemoOpt = None,
    key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Move units between two accounts (refused if the payer's balance would go negative)."""
    _move(EntryKind.transfer, org, asset, quantity, src, to, memo, key, as_json)


def burn(
    org: OrgOpt,
    asset: AssetArg,
    quantity: QuantityArg,
    src: Annotated[str, typer.Option("--from", help="The account whose units are destroyed.")],
    memo: MemoOpt = None,
    key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Destroy units held by an account (they go back to the issuance account)."""
    _move(EntryKind.burn, org, asset, quantity, src, None, memo, key, as_json)


def reverse(
    org: OrgOpt,
    entry: Annotated[UUID, typer.Argument(help="The journal entry to reverse.")],
    memo: MemoOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Post a new entry that negates ENTRY line by line (an entry is reversed at most once)."""
    e = _as_owner(org, lambda db, p: ledger.reverse(db, p, entry, memo))
    print_json(_dump(e)) if as_json else console.print(f"reversed by entry {e.id}")


def balances(
    org: OrgOpt, account: Annotated[str, typer.Argument(help="An account id or 0x address.")], as_json: JsonOpt = False
) -> None:
    """What an account holds, per asset."""

    async def work(db: Database, p: Principal) -> list[Any]:
        return await ledger.balances(db, p, await _account(db, p, account))

    rows = _as_owner(org, work)
    if as_json:
        print_json(_dump(rows))
        return
    for b in rows:
        console.print(f"{b.symbol}\t{b.balance}")


def cap_table(
    org: OrgOpt,
    asset: AssetArg,
    at: Annotated[datetime | None, typer.Option(help="Holders at this instant (from the journal).")] = None,
    chain: Annotated[int | None, typer.Option(help="The chain id of --block.")] = None,
    block: Annotated[int | None, typer.Option(help="Holders at this block of --chain.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """An asset's holders, largest first, with their share of the outstanding supply."""
    cap = _as_owner(org, lambda db, p: ledger.cap_table(db, p, asset, at=at, chain_id=chain, block=block))
    if as_json:
        print_json(_dump(cap))
        return
    table = Table("account", "kind", "label/address", "quantity", "share")
    for h in cap.holders:
        table.add_row(
            str(h.account_id), h.kind, h.address or h.label or str(h.user_id or ""), str(h.quantity), f"{h.share:.6%}"
        )
    print_table(table)
    console.print(f"{cap.symbol}: {cap.outstanding} outstanding")


def verify(org: OrgOpt, as_json: JsonOpt = False) -> None:
    """Recompute every balance and supply from the journal; exits 1 on any mismatch."""
    problems = _as_owner(org, lambda db, p: ledger.verify(db, p))
    if as_json:
        print_json(_dump(problems))
    elif not problems:
        console.print("the ledger is consistent")
    for x in problems if not as_json else []:
        console.print(f"{x.problem}: asset {x.asset_id} account {x.account_id} expected {x.expected} got {x.actual}")
    if problems:
        raise typer.Exit(1)


# -- IPOs -------------------------------------------------------------------------------------------


@ipos_app.command("list")
def ipos_list(org: OrgOpt, as_json: JsonOpt = False) -> None:
    """List IPOs, newest first."""
    rows = _as_owner(org, lambda db, p: offerings.list_ipos(db, p))
    if as_json:
        print_json(_dump(rows))
        return
    table = Table("id", "status", "supply", "allocated", "price", "window")
    for i in rows:
        table.add_row(
            str(i.id),
            i.status,
            str(i.total_supply),
            str(i.allocated),
            f"{i.price} {i.currency}",
            f"{i.opens_at:%Y-%m-%d} → {i.closes_at:%Y-%m-%d}",
        )
    print_table(table)


@ipos_app.command("add")
def ipos_add(
    org: OrgOpt,
    master: Annotated[UUID, typer.Argument(help="The master whose shares are offered.")],
    supply: Annotated[str, typer.Option(help="Total supply, fixed at issue (whole shares).")],
    price: Annotated[str, typer.Option(help="Price per share, a decimal, e.g. 2.50.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code, e.g. EUR.")],
    opens: Annotated[datetime, typer.Option(help="When the window opens.")],
    closes: Annotated[datetime, typer.Option(help="When it closes (after it opens).")],
    symbol: Annotated[str | None, typer.Option(help="The share asset's symbol, if the master has none yet.")] = None,
    name: Annotated[str | None, typer.Option(help="The share asset's name, if the master has none yet.")] = None,
    open_now: Annotated[bool, typer.Option("--open", help="Start open rather than scheduled.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Issue an IPO: its whole supply is minted to a treasury account of its own."""
    data = IpoCreate.model_validate(
        {
            "master_id": master,
            "total_supply": supply,
            "price": price,
            "currency": currency,
            "opens_at": opens,
            "closes_at": closes,
            "symbol": symbol,
            "name": name,
            "open_now": open_now,
        }
    )
    i = _as_owner(org, lambda db, p: offerings.create_ipo(db, p, data))
    print_json(_dump(i)) if as_json else console.print(f"IPO {i.id} ({i.status})")


@ipos_app.command("set")
def ipos_set(
    org: OrgOpt,
    ipo: Annotated[UUID, typer.Argument(help="The IPO's id.")],
    status: Annotated[IpoStatus, typer.Argument(help="open, closed or canceled.")],
    as_json: JsonOpt = False,
) -> None:
    """Open, close (the remainder stays in the treasury) or cancel (burns the supply) an IPO."""
    i = _as_owner(org, lambda db, p: offerings.update_ipo(db, p, ipo, IpoUpdate(status=status)))
    print_json(_dump(i)) if as_json else console.print(f"IPO {i.id}: {i.status}")


@ipos_app.command("allocate")
def ipos_allocate(
    org: OrgOpt,
    ipo: Annotated[UUID, typer.Argument(help="The IPO's id.")],
    quantity: QuantityArg,
    to: Annotated[str, typer.Option("--to", help="The buyer's account (id or 0x address).")],
    as_json: JsonOpt = False,
) -> None:
    """Sell shares to a buyer while the IPO is open (never beyond its supply)."""

    async def work(db: Database, p: Principal) -> Any:
        data = AllocationCreate.model_validate({"quantity": quantity, "account_id": await _account(db, p, to)})
        return await offerings.allocate(db, p, ipo, data)

    a = _as_owner(org, work)
    print_json(_dump(a)) if as_json else console.print(f"allocated {a.quantity}: entry {a.entry_id}")


# -- coins ------------------------------------------------------------------------------------------


@coins_app.command("list")
def coins_list(org: OrgOpt, as_json: JsonOpt = False) -> None:
    """List the artists' coins with their outstanding supply."""
    rows = _as_owner(org, lambda db, p: offerings.list_coins(db, p))
    if as_json:
        print_json(_dump(rows))
        return
    for c in rows:
        console.print(f"{c.symbol}\t{c.name}\t{c.outstanding}\t{c.id}")


@coins_app.command("add")
def coins_add(
    org: OrgOpt,
    artist: Annotated[UUID, typer.Argument(help="The artist's id.")],
    symbol: Annotated[str, typer.Argument(help="Ticker: A-Z then A-Z/0-9, 2-11 characters.")],
    name: Annotated[str, typer.Argument(help="The coin's name.")],
    max_supply: Annotated[str | None, typer.Option(help="A fixed supply's maximum; without it, mintable.")] = None,
    initial: Annotated[str | None, typer.Option(help="Minted at once to the coin's treasury.")] = None,
    decimals: Annotated[int, typer.Option(min=0, max=18, help="Display decimals.")] = 18,
    as_json: JsonOpt = False,
) -> None:
    """Create an artist coin (a ledger asset of kind coin)."""
    data = CoinCreate.model_validate(
        {
            "artist_id": artist,
            "symbol": symbol,
            "name": name,
            "decimals": decimals,
            "max_supply": max_supply,
            "initial_supply": initial,
            "supply_policy": SupplyPolicy.fixed if max_supply else SupplyPolicy.mintable,
        }
    )
    c = _as_owner(org, lambda db, p: offerings.create_coin(db, p, data))
    print_json(_dump(c)) if as_json else console.print(f"coin {c.symbol}: {c.id}")


@coins_app.command("liquidity")
def coins_liquidity(
    org: OrgOpt, coin: Annotated[UUID, typer.Argument(help="The coin's id.")], as_json: JsonOpt = False
) -> None:
    """The latest reserves and price of each of a coin's pools."""
    rows = _as_owner(org, lambda db, p: offerings.latest_snapshots(db, p, coin))
    if as_json:
        print_json(_dump(rows))
        return
    for s in rows:
        console.print(f"{s.pool}\t{s.observed_at:%Y-%m-%d %H:%M}\t{s.price} {s.quote_symbol}")


def add_commands(app: typer.Typer) -> None:
    """Add this part's commands (or sub-groups) to the ``music`` group."""
    for fn, name in (
        (assets, "assets"),
        (asset_add, "asset-add"),
        (mint, "mint"),
        (transfer, "transfer"),
        (burn, "burn"),
        (reverse, "reverse"),
        (balances, "balances"),
        (cap_table, "cap-table"),
        (verify, "verify"),
    ):
        app.command(name)(fn)
    app.add_typer(ipos_app, name="ipos")
    app.add_typer(coins_app, name="coins")
