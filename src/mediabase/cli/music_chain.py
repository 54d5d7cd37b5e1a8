"""``mediabase music chain …``: mirrored contracts, feed import and generation, status, holders,
NFTs and reorgs (docs/music-chain.md). Commands act as the organization's first OWNER (``--org``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from rich.table import Table

from mediabase.cli.common import JsonOpt, console, open_databases, print_json, print_table, run
from mediabase.db.connection import Database
from mediabase.identity import service as identity
from mediabase.identity.models import Principal
from mediabase.music.chain import service as chain
from mediabase.music.chain.feed import FeedContract, FeedGenerator, default_contracts
from mediabase.music.chain.models import ContractCreate, Standard

T = TypeVar("T")
OrgOpt = Annotated[str, typer.Option("--org", help="The artist organization's slug.", envvar="MEDIABASE_ORG")]
ChainOpt = Annotated[int, typer.Option("--chain", help="The chain's EIP-155 id (31337: local development chain).")]
LimitOpt = Annotated[int, typer.Option(min=1, max=1000, help="How many rows at most.")]

chain_app = typer.Typer(
    help="Mirror token contracts from a chain: import feeds (with reorgs), holders, NFTs.", no_args_is_help=True
)


def add_commands(app: typer.Typer) -> None:
    """Add the ``chain`` sub-group to the ``music`` group."""
    app.add_typer(chain_app, name="chain")


def _as_owner(org: str, work: Callable[[Database, Principal], Awaitable[T]]) -> T:
    async def _run() -> T:
        async with open_databases() as (db, system):
            return await work(db, await identity.acting_owner(system, org))

    return run(_run())


def _dump(x: Any) -> Any:
    return [i.model_dump(mode="json") for i in x] if isinstance(x, list) else x.model_dump(mode="json")


@chain_app.command("chains")
def chains(as_json: JsonOpt = False) -> None:
    """List the known chains and their finality depth (blocks before a transfer counts for payouts)."""

    async def _run() -> Any:
        async with open_databases() as (db, _system):
            return _dump(await chain.list_chains(db))

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("chain id", "name", "finality depth")
    for r in rows:
        table.add_row(str(r["chain_id"]), r["name"], str(r["finality_depth"]))
    print_table(table)


@chain_app.command("contract-add")
def contract_add(
    address: Annotated[str, typer.Argument(help="The contract's address, 0x and 40 hex digits.")],
    standard: Annotated[Standard, typer.Option(help="The token standard of its Transfer events.")],
    chain_id: ChainOpt = 31337,
    name: Annotated[str | None, typer.Option(help="A label.")] = None,
    asset: Annotated[
        UUID | None, typer.Option(help="The ledger asset its tokens are: final transfers are posted to the journal.")
    ] = None,
    master: Annotated[UUID | None, typer.Option(help="The master its tokens belong to.")] = None,
    start_block: Annotated[int, typer.Option(min=0, help="The block it was deployed in.")] = 0,
    org: OrgOpt = "demo-artist",
    as_json: JsonOpt = False,
) -> None:
    """Mirror a token contract: its Transfer logs are imported from its start block on."""
    c = _as_owner(
        org,
        lambda db, p: chain.add_contract(
            db,
            p,
            ContractCreate(
                chain_id=chain_id,
                address=address,
                standard=standard,
                name=name,
                asset_id=asset,
                master_id=master,
                start_block=start_block,
            ),
        ),
    )
    if as_json:
        print_json(_dump(c))
    else:
        console.print(f"contract {c.address} ({c.standard}) mirrored on chain {c.chain_id}: {c.id}")


@chain_app.command("contracts")
def contracts(
    chain_id: Annotated[int | None, typer.Option("--chain", help="Only this chain.")] = None,
    org: OrgOpt = "demo-artist",
    as_json: JsonOpt = False,
) -> None:
    """List the mirrored contracts."""
    rows = _dump(_as_owner(org, lambda db, p: chain.list_contracts(db, p, chain_id)))
    if as_json:
        print_json(rows)
        return
    table = Table("chain", "address", "standard", "name", "asset", "id")
    for r in rows:
        table.add_row(str(r["chain_id"]), r["address"], r["standard"], r["name"] or "", r["asset_id"] or "", r["id"])
    print_table(table)


@chain_app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(help="A JSON-lines feed: block headers (eth_getBlockByNumber) and logs (eth_getLogs).")
    ],
    chain_id: ChainOpt = 31337,
    org: OrgOpt = "demo-artist",
    as_json: JsonOpt = False,
) -> None:
    """Import a feed in one transaction: replays change nothing, reorgs are followed, a bad line
    (file:line: field) writes nothing."""
    r = _as_owner(org, lambda db, p: chain.import_file(db, p, chain_id, file))
    if as_json:
        print_json(_dump(r))
        return
    console.print(
        f"{r.lines} lines: {r.new_blocks} new blocks, {r.inserted} transfers stored, {r.moved} moved, "
        f"{r.ignored} ignored; {len(r.reorgs)} reorg(s)"
        + "".join(f" [depth {g.depth} from block {g.fork_block}]" for g in r.reorgs)
        + f"; head {r.head}, finalized {r.finalized}; {r.posted} posted, {r.reversed} reversed"
    )


@chain_app.command("generate")
def generate(
    out: Annotated[Path, typer.Argument(help="Where to write the feed (JSON lines).")],
    seed: Annotated[int, typer.Option(help="The same seed gives the same feed.")] = 1,
    blocks: Annotated[int, typer.Option(min=1, help="How many blocks.")] = 100,
    per_block: Annotated[int, typer.Option(min=0, help="Transfer logs per block.")] = 5,
    holders: Annotated[int, typer.Option(min=1, help="How many holder addresses.")] = 50,
    reorg: Annotated[
        list[str] | None,
        typer.Option(
            help="HEIGHT:DEPTH — after block HEIGHT, a reorg that replaces its last DEPTH blocks (repeatable)."
        ),
    ] = None,
) -> None:
    """Write a realistic feed (ERC-721, ERC-20 and ERC-1155 mints, transfers, burns, reorgs)
    for the contracts it prints; register them with 'contract-add' before importing."""
    reorgs: dict[int, int] = {}
    for spec in reorg or []:
        height, _, depth = spec.partition(":")
        if not (height.isdigit() and depth.isdigit() and int(depth) > 0):
            raise typer.BadParameter(f"{spec!r} is not HEIGHT:DEPTH", param_hint="--reorg")
        reorgs[int(height)] = int(depth)
    contracts: list[FeedContract] = default_contracts(seed)
    gen = FeedGenerator(seed, contracts, holders=holders)
    with out.open("w", encoding="utf-8") as f:
        for line in gen.lines(blocks, per_block, reorgs):
            f.write(line + "\n")
    for c in contracts:
        console.print(f"{c.standard}: 0x{c.address.hex()}")


@chain_app.command("status")
def status(chain_id: ChainOpt = 31337, org: OrgOpt = "demo-artist", as_json: JsonOpt = False) -> None:
    """The chain's head and finalized block, and each contract's cursor (imported and posted blocks)."""
    s = _as_owner(org, lambda db, p: chain.status(db, p, chain_id))
    if as_json:
        print_json(_dump(s))
        return
    console.print(
        f"chain {s.chain_id} ({s.name}): head {s.head}, finalized {s.finalized} (finality depth {s.finality_depth})"
    )
    table = Table("contract", "standard", "last block", "posted to", "id")
    for c in s.contracts:
        table.add_row(c.address, c.standard, str(c.last_block), str(c.posted_block), str(c.contract_id))
    print_table(table)


@chain_app.command("holders")
def holders(
    contract: Annotated[UUID, typer.Argument(help="The contract's id ('chain contracts' lists them).")],
    token: Annotated[str | None, typer.Option(help="Only this token id (decimal).")] = None,
    limit: LimitOpt = 50,
    org: OrgOpt = "demo-artist",
    as_json: JsonOpt = False,
) -> None:
    """The largest holders of a contract's tokens at the chain's tip (canonical transfers only)."""
    if token is not None and not token.isdigit():
        raise typer.BadParameter("a token id is a whole number", param_hint="--token")
    rows = _dump(_as_owner(org, lambda db, p: chain.holders(db, p, contract, int(token) if token else None, limit)))
    if as_json:
        print_json(rows)
        return
    table = Table("token", "address", "balance")
    for r in rows:
        table.add_row(r["token_id"], r["address"], r["balance"])
    print_table(table)


@chain_app.command("nfts")
def nfts(
    contract: Annotated[UUID | None, typer.Option(help="Only this contract's tokens.")] = None,
    limit: LimitOpt = 50,
    org: OrgOpt = "demo-artist",
    as_json: JsonOpt = False,
) -> None:
    """List NFTs (tokens of ERC-721/1155 contracts) with their current owner."""
    rows = _dump(_as_owner(org, lambda db, p: chain.list_nfts(db, p, contract, limit)))
    if as_json:
        print_json(rows)
        return
    table = Table("contract", "token", "owner", "master")
    for r in rows:
        table.add_row(r["contract_id"], r["token_id"], r["owner"] or "(burned)", r["master_id"] or "")
    print_table(table)


@chain_app.command("reorgs")
def reorgs(
    chain_id: Annotated[int | None, typer.Option("--chain", help="Only this chain.")] = None,
    limit: LimitOpt = 50,
    org: OrgOpt = "demo-artist",
    as_json: JsonOpt = False,
) -> None:
    """List the reorgs the importer followed, newest first (fork block, depth, what they undid)."""
    rows = _dump(_as_owner(org, lambda db, p: chain.list_reorgs(db, p, chain_id, limit)))
    if as_json:
        print_json(rows)
        return
    table = Table("chain", "fork block", "depth", "old head", "orphaned transfers", "reversed entries", "when")
    for r in rows:
        table.add_row(
            str(r["chain_id"]),
            str(r["fork_block"]),
            str(r["depth"]),
            str(r["old_head"]),
            str(r["orphaned_transfers"]),
            str(r["reversed_entries"]),
            r["detected_at"],
        )
    print_table(table)
