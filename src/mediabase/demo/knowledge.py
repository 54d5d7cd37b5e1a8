"""The demo organization's knowledge graph: derived from the AMI ES2002 meetings (their speakers'
roles, decisions, action items, topics and decision links) by the same build as the
``knowledge.build`` job, with evidence at the moments of the meetings. Idempotent: an
organization that has a current graph keeps it (``mediabase graph build`` makes a new one).

Then, for instance::

    mediabase graph neighbours "person:Project Manager"
    mediabase graph show "decision:The remote will sell for 25 Euro."
    mediabase graph video ES2002a --from-ms 400000 --to-ms 600000
"""

from __future__ import annotations

from mediabase.db.connection import Database
from mediabase.db.queries import load_queries
from mediabase.knowledge.build import build_graph

Q = load_queries("mediabase.knowledge", "queries.sql")


async def knowledge_demo(system: Database, slug: str = "demo") -> str:
    from mediabase.identity import service as identity

    p = await identity.acting_owner(system, slug)
    org = p.organization_id
    async with system.transaction(org) as conn:
        current = await (await conn.execute(Q.current_layer, {"org": org})).fetchone()
    if current is not None:
        return "its knowledge graph was already built ('mediabase graph build' makes a new one)"
    built = await build_graph(system, org, created_by=p.user_id)
    return (f"a knowledge graph of {built.nodes} nodes and {built.edges} edges with {built.evidence} pieces of "
            f"evidence at their moments ('mediabase graph …')")
