"""Chain mirroring: contracts, the feed importer with reorg handling, and the reads
(docs/music-chain.md).

An import is one transaction on the system pool (as transcript ingest is: Citus sends an
INSERT … SELECT from a coordinator's temporary table through COPY, which row-level security
refuses), in the caller's tenant, every statement naming the organization:

1. the file's lines are COPYed as text into a temporary table and parsed there, set-based, into
   typed rows; the first bad line is refused with ``file:line: field: problem``;
2. its block headers are applied segment by segment (a segment ends where the file goes back to a
   height it has passed: a reorg); a header whose hash is stored is a replay and does nothing; the
   lowest new header of a segment decides: on the canonical parent it extends the chain or
   orphans every canonical block from its height up, on an orphaned parent it re-adopts that
   branch back to where it forks; database triggers carry each flip to the transfers of those
   blocks and from them to the holdings, so a reorg costs its depth, not the history;
3. the transfer logs of the organization's contracts are upserted in one statement (the
   triggers fold them into the holdings in one aggregated upsert);
4. cursors move to the new head; transfers of contracts bound to a ledger asset that are
   ``finality_depth`` deep are posted to the journal, and posted ones a deep reorg orphaned are
   reversed (:mod:`mediabase.music.chain.posting`).
"""

from __future__ import annotations

import asyncio
import codecs
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any
from uuid import UUID

from mediabase.common.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, class_row
from mediabase.identity.models import Principal, Role
from mediabase.music.chain import posting
from mediabase.music.chain.models import (
    Chain,
    ChainProblem,
    ChainStatus,
    Contract,
    ContractCreate,
    CursorStatus,
    Holder,
    ImportResult,
    Nft,
    Reorg,
    to_bytes,
)

Q = load_queries("mediabase.music.chain", "queries.sql")
CHUNK = 1 << 20  # bytes of the feed per COPY write
# A feed is imported in a handful of set-based statements, each as long as the file: parsing a
# million logs, or upserting them (index, foreign-key and holdings work per row), takes about a
# minute each on two cores, past the interactive statement_timeout (30 s by default, which guards
# requests that should be quick). The import transaction alone gets this bound instead.
IMPORT_STATEMENT_TIMEOUT = "15min"

register_constraint(
    "music_chain_contracts_address_key",
    Conflict,
    "this organization mirrors a contract at this address on this chain already",
    field="address",
)
register_constraint(
    "music_chain_contracts_asset_key", Conflict, "another contract is bound to this asset", field="asset_id"
)
register_constraint("music_chain_contracts_asset_fk", NotFound, "no such asset", field="asset_id")
register_constraint("music_chain_contracts_master_fk", NotFound, "no such master", field="master_id")
register_constraint("music_chain_contracts_chain_id_fkey", NotFound, "no such chain", field="chain_id")
register_constraint(
    "music_chain_holdings_nonnegative",
    Invalid,
    "the feed moves more tokens out of an address than it holds: it misses earlier history "
    "(import from the contract's start block)",
    field="file",
)
register_constraint("music_transfers_immutable", Invalid, None)


def require_admin(p: Principal, what: str) -> None:
    if not p.can(Role.ADMIN):
        raise Forbidden(f"only an ADMIN may {what}")


# -- chains and contracts ------------------------------------------------------------------------


async def list_chains(db: Database) -> list[Chain]:
    async with db.transaction(readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Chain))
        return await (await cur.execute(Q.list_chains)).fetchall()


async def _chain(conn: Conn, chain_id: int) -> Chain:
    row = await (await conn.execute(Q.get_chain, {"chain_id": chain_id})).fetchone()
    if row is None:
        raise NotFound(f"no chain {chain_id} (see 'mediabase music chain chains')", field="chain_id")
    return Chain.model_validate(row)


async def add_contract(db: Database, p: Principal, data: ContractCreate) -> Contract:
    """Mirror a contract (ADMIN): its logs are imported from its start block on."""
    require_admin(p, "add a mirrored contract")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _chain(conn, data.chain_id)
        cur = conn.cursor(row_factory=class_row(Contract))
        row = await (
            await cur.execute(
                Q.insert_contract,
                {
                    "org": p.organization_id,
                    "chain_id": data.chain_id,
                    "address": to_bytes(data.address),
                    "standard": data.standard.value,
                    "name": data.name,
                    "asset_id": data.asset_id,
                    "master_id": data.master_id,
                    "start_block": data.start_block,
                },
            )
        ).fetchone()
        assert row is not None
        return row


async def list_contracts(db: Database, p: Principal, chain_id: int | None = None) -> list[Contract]:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Contract))
        return await (await cur.execute(Q.list_contracts, {"org": p.organization_id, "chain_id": chain_id})).fetchall()


# -- the importer ---------------------------------------------------------------------------------


def _escape(chunk: bytes) -> bytes:
    """Bytes of JSON lines as COPY text rows of one column: backslash and tab escaped, CR dropped."""
    return chunk.replace(b"\\", b"\\\\").replace(b"\t", b"\\t").replace(b"\r", b"")


async def _text_checked(chunks: AsyncIterator[bytes], name: str) -> AsyncIterator[bytes]:
    """The chunks unchanged, refusing the first line with a NUL byte or bytes that are not UTF-8
    as ``name:line: line: problem`` (COPY would refuse them without naming the line)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    async for chunk in chunks:
        pending = decoder.getstate()[0]
        nul = chunk.find(b"\x00")
        try:
            decoder.decode(chunk[:nul] if nul >= 0 else chunk)
        except UnicodeDecodeError as exc:
            raise _bad_text(name, lines + (pending + chunk)[: exc.start].count(b"\n") + 1, "not UTF-8 text") from None
        if nul >= 0:
            raise _bad_text(name, lines + chunk[:nul].count(b"\n") + 1, "a NUL byte")
        lines += chunk.count(b"\n")
        yield chunk
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _bad_text(name, lines + 1, "not UTF-8 text") from None


def _bad_text(name: str, line: int, problem: str) -> Invalid:
    return Invalid(f"{name}:{line}: line: {problem}", field="line")


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


async def _bytes_chunks(data: bytes | Iterable[bytes]) -> AsyncIterator[bytes]:
    if isinstance(data, bytes):
        for i in range(0, len(data), CHUNK):
            yield data[i : i + CHUNK]
    else:
        for part in data:
            yield part


async def import_file(db: Database, p: Principal, chain_id: int, path: Path) -> ImportResult:
    """Import a JSON-lines feed file (block headers and logs) for ``chain_id``: all or nothing."""
    if not await asyncio.to_thread(path.is_file):
        raise NotFound(f"{path}: no such file", field="file")
    return await import_feed(db, p, chain_id, _file_chunks(path), name=str(path))


async def import_lines(
    db: Database, p: Principal, chain_id: int, data: bytes | Iterable[bytes], name: str = "feed"
) -> ImportResult:
    """Import a feed held in memory (bytes of JSON lines, or an iterable of such chunks)."""
    return await import_feed(db, p, chain_id, _bytes_chunks(data), name=name)


async def import_feed(
    db: Database, p: Principal, chain_id: int, chunks: AsyncIterator[bytes], name: str = "feed"
) -> ImportResult:
    """One transaction: a bad line anywhere (``name:line: field: problem``) writes nothing."""
    require_admin(p, "import a chain feed")
    org = p.organization_id
    system = await db.as_system()
    async with system.transaction(org, p.user_id) as conn:
        chain = await _chain(conn, chain_id)
        await conn.execute(b"SET LOCAL work_mem = '256MB'")
        await conn.execute(f"SET LOCAL statement_timeout = '{IMPORT_STATEMENT_TIMEOUT}'".encode())
        await conn.execute(Q.lock_chain, {"org": org, "chain_id": chain_id})
        await conn.execute(Q.create_raw)
        tail = b"\n"
        async with conn.cursor().copy(Q.copy_raw) as copy:
            async for chunk in _text_checked(chunks, name):
                if chunk:
                    await copy.write(_escape(chunk))
                    tail = chunk[-1:]
            if tail != b"\n":
                await copy.write(b"\n")
        await conn.execute(Q.parse_feed)
        await conn.execute(Q.analyze_feed)
        bad = await (await conn.execute(Q.first_problem)).fetchone()
        if bad is not None:
            raise Invalid(f"{name}:{bad['line']}: {bad['field']}: {bad['problem']}", field=bad["field"])
        counts = await (await conn.execute(Q.feed_counts)).fetchone()
        assert counts is not None
        await conn.execute(Q.stage_blocks)
        await conn.execute(Q.analyze_feed_blocks)
        link = await (await conn.execute(Q.broken_link)).fetchone()
        if link is not None:
            raise Invalid(
                f"{name}:{link['line']}: parentHash: not the hash of block {link['number'] - 1}"
                f" (line {link['prev_line']})",
                field="parentHash",
            )
        ctx = {"org": org, "chain_id": chain_id}
        seen = await (await conn.execute(Q.contradicted, ctx)).fetchone()
        if seen is not None:
            raise Invalid(
                f"{name}:{seen['line']}: hash: stored as block {seen['stored_number']} with another parent or"
                f" number, not block {seen['number']}",
                field="hash",
            )
        reorgs: list[Reorg] = []
        new_blocks = 0
        segments = [r["seg"] for r in await (await conn.execute(Q.segments)).fetchall()]
        for seg in segments:
            reorg, added = await _apply_segment(conn, ctx, seg, name)
            new_blocks += added
            if reorg is not None:
                reorgs.append(reorg)
        # posted transfers the reorgs orphaned are reversed before any log moves them to a new block
        reversed_n = await posting.reverse_orphaned(conn, org, chain_id, reorgs[-1].id if reorgs else None)
        if reorgs:
            reorgs[-1].reversed_entries += reversed_n
        await conn.execute(Q.stage_log_blocks, ctx)
        await conn.execute(Q.analyze_log_blocks)
        bad = await (await conn.execute(Q.bad_log, ctx)).fetchone()
        if bad is not None:
            raise Invalid(f"{name}:{bad['line']}: {bad['field']}: {bad['problem']}", field=bad["field"])
        applied = await (await conn.execute(Q.apply_transfers, ctx)).fetchone()
        assert applied is not None
        await conn.execute(Q.apply_nfts, ctx)
        head = await (await conn.execute(Q.head, ctx)).fetchone()
        if head is not None:
            await conn.execute(Q.advance_cursors, {**ctx, "head": head["number"], "head_hash": head["hash"]})
        finalized = head["number"] - chain.finality_depth if head is not None else None
        posted = await posting.post_final(conn, org, chain_id, finalized) if finalized is not None else 0
        return ImportResult(
            chain_id=chain_id,
            lines=counts["headers"] + counts["logs"] + counts["ignored"],
            headers=counts["headers"],
            new_blocks=new_blocks,
            transfers=counts["logs"],
            inserted=applied["inserted"],
            moved=applied["moved"],
            ignored=counts["ignored"],
            reorgs=reorgs,
            head=head["number"] if head else None,
            head_hash=head["hash"] if head else None,
            finalized=finalized if finalized is None or finalized >= 0 else None,
            posted=posted,
            reversed=reversed_n,
        )


async def _apply_segment(conn: Conn, ctx: dict[str, Any], seg: int, name: str) -> tuple[Reorg | None, int]:
    """Apply one segment's headers: a replay does nothing, a new branch reorganises."""
    first = await (await conn.execute(Q.first_new_header, {**ctx, "seg": seg})).fetchone()
    if first is None:
        return None, 0  # every header of the segment is stored: a replay
    number = first["number"]
    readopt: list[bytes] = []
    if first["parent_canonical"] is not None:
        if first["parent_number"] != number - 1:
            raise Invalid(
                f"{name}:{first['line']}: parentHash: names block {first['parent_number']}, not {number - 1}",
                field="parentHash",
            )
        fork = number
        if not first["parent_canonical"]:
            # the new block extends an orphaned branch: that branch comes back, from where it forks
            path = await (await conn.execute(Q.orphaned_ancestors, {**ctx, "hash": first["parent_hash"]})).fetchall()
            base = path[0]
            if not base["canonical"]:
                raise Invalid(
                    f"{name}:{first['line']}: parentHash: its branch does not join the canonical chain"
                    " among the stored blocks",
                    field="parentHash",
                )
            readopt = [r["hash"] for r in path[1:]]
            fork = base["number"] + 1
    elif first["canonical_below"] is not None:
        raise Invalid(
            f"{name}:{first['line']}: parentHash: neither the canonical block {number - 1} nor any"
            " stored block: the feed must carry the new branch from where it forks",
            field="parentHash",
        )
    else:
        # nothing stored below: the first block, or a gap in a sparse feed. Not a header that would
        # orphan stored canonical blocks without naming a stored ancestor: a stray header (or a
        # backfill below the first stored block) cannot prove a reorg.
        head = await (await conn.execute(Q.head, ctx)).fetchone()
        if head is not None and head["number"] >= number:
            raise Invalid(
                f"{name}:{first['line']}: parentHash: block {number - 1} is not stored but blocks {number} to"
                f" {head['number']} are: a new branch must reach down to a stored block",
                field="parentHash",
            )
        fork = number
    orphaned = await (await conn.execute(Q.orphan_from, {**ctx, "fork": fork})).fetchone()
    assert orphaned is not None
    reorg: Reorg | None = None
    if orphaned["depth"]:
        moved = await (await conn.execute(Q.count_orphaned_transfers, {**ctx, "hashes": orphaned["hashes"]})).fetchone()
        if readopt:
            await conn.execute(Q.readopt, {**ctx, "hashes": readopt})
        cur = conn.cursor(row_factory=class_row(Reorg))
        reorg = await (
            await cur.execute(
                Q.insert_reorg,
                {
                    **ctx,
                    "fork": fork,
                    "old_head": orphaned["old_head"],
                    "old_head_hash": orphaned["old_head_hash"],
                    "new_block_hash": readopt[0] if readopt else first["hash"],
                    "depth": orphaned["depth"],
                    "orphaned_transfers": moved["n"] if moved else 0,
                    "readopted": len(readopt),
                },
            )
        ).fetchone()
    elif readopt:
        await conn.execute(Q.readopt, {**ctx, "hashes": readopt})
    added = await conn.execute(Q.insert_headers, {**ctx, "seg": seg})
    return reorg, added.rowcount


# -- reads ----------------------------------------------------------------------------------------


async def status(db: Database, p: Principal, chain_id: int) -> ChainStatus:
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        chain = await _chain(conn, chain_id)
        head = await (await conn.execute(Q.head, {"org": org, "chain_id": chain_id})).fetchone()
        cur = conn.cursor(row_factory=class_row(CursorStatus))
        contracts = await (await cur.execute(Q.status, {"org": org, "chain_id": chain_id})).fetchall()
    finalized = head["number"] - chain.finality_depth if head else None
    return ChainStatus(
        chain_id=chain_id,
        name=chain.name,
        finality_depth=chain.finality_depth,
        head=head["number"] if head else None,
        head_hash=head["hash"] if head else None,
        finalized=finalized if finalized is not None and finalized >= 0 else None,
        contracts=contracts,
    )


async def holders(
    db: Database, p: Principal, contract_id: UUID, token_id: int | None = None, limit: int = 100
) -> list[Holder]:
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Holder))
        return await (
            await cur.execute(Q.holders, {"org": org, "contract_id": contract_id, "token_id": token_id, "limit": limit})
        ).fetchall()


async def list_nfts(db: Database, p: Principal, contract_id: UUID | None = None, limit: int = 100) -> list[Nft]:
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Nft))
        return await (
            await cur.execute(Q.list_nfts, {"org": org, "contract_id": contract_id, "limit": limit})
        ).fetchall()


async def list_reorgs(db: Database, p: Principal, chain_id: int | None = None, limit: int = 100) -> list[Reorg]:
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Reorg))
        return await (await cur.execute(Q.list_reorgs, {"org": org, "chain_id": chain_id, "limit": limit})).fetchall()


async def verify(db: Database, p: Principal) -> list[ChainProblem]:
    """Holdings recomputed from the canonical transfers, and transfers whose flag is not their
    block's: an empty list means the mirror is consistent."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(ChainProblem))
        return await (await cur.execute(Q.verify)).fetchall()
