"""Final transfers to the ledger, and reversals when a reorg goes deeper than finality
(docs/music-chain.md, "Finality and the ledger").

Transfers of a contract bound to a ledger asset become journal entries (kind ``chain``, the
block's time and number on the entry) once their block is ``finality_depth`` below the head:
one INSERT for all the entries, one for all their lines. The zero address is the issuance
account, so a mint raises the asset's ``minted`` and a burn its ``burned``. A reorg that orphans
posted transfers reverses their entries, newest first, and moves the contract's posting cursor
back, so the branch that won is posted in their place once it is final.
"""

from __future__ import annotations

from uuid import UUID

from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn

Q = load_queries("mediabase.music.chain", "queries.sql")


async def post_final(conn: Conn, org: UUID, chain_id: int, final: int) -> int:
    """Post every final, unposted transfer of the chain's asset-bound contracts; their number."""
    ctx = {"org": org, "chain_id": chain_id, "final": final}
    staged = await conn.execute(Q.stage_postings, ctx)
    if not staged.rowcount:
        await conn.execute(Q.advance_posted, ctx)
        return 0
    await conn.execute(Q.stage_posting_accounts, ctx)
    await conn.execute(Q.post_entries, ctx)
    await conn.execute(Q.post_lines, ctx)
    await conn.execute(Q.mark_posted, ctx)
    await conn.execute(Q.advance_posted, ctx)
    return staged.rowcount


async def reverse_orphaned(conn: Conn, org: UUID, chain_id: int, reorg_id: UUID | None) -> int:
    """Reverse the entries of posted transfers that are no longer canonical, newest first."""
    ctx = {"org": org, "chain_id": chain_id}
    rows = await (await conn.execute(Q.orphaned_postings, ctx)).fetchall()
    if not rows:
        return 0
    for r in rows:
        memo = f"reorg: transfer log {r['log_index']} of tx 0x{bytes(r['tx_hash']).hex()} left the canonical chain"
        await conn.execute(Q.reverse_entry, {"entry": r["posted_entry_id"], "memo": memo})
    await conn.execute(Q.unmark_posted, {**ctx, "entries": [r["posted_entry_id"] for r in rows]})
    await conn.execute(
        Q.rewind_posted,
        {**ctx, "block": min(r["block_number"] for r in rows) - 1, "contracts": list({r["contract_id"] for r in rows})},
    )
    if reorg_id is not None:
        await conn.execute(Q.count_reversed, {"org": org, "id": reorg_id, "n": len(rows)})
    return len(rows)
