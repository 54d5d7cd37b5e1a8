"""AI enrichment layers: one run of one model over one video, and everything it produced.

A layer is registered pending (a job builds it) or delivered with its results, in which case
it is stored ready in one transaction: the layer row goes in as 'running', its rows (summary,
decisions, action items, topic mentions, moments) follow, and the switch to 'ready' makes the
database supersede the video's previous ready layer of the same kind. Readers see a layer's
rows while it is the current one (``ready``); deleting a layer deletes its rows.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Invalid, NotFound, register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, Jsonb, by_id, class_row, fetch_one_or_404, lock_or_404, sql, update_columns
from mediabase.identity.models import Principal
from mediabase.identity.service import may_change
from mediabase.insights.models import Layer, LayerCreate, LayerKind, LayerStatus, LayerUpdate, Summary
from mediabase.media.service import fetch_live_video

Q = load_queries("mediabase.insights", "queries.sql")
JOB_TYPE = "ai.layer.build"

register_constraint("ai_layers_transcript_fk", NotFound, "no such transcript of this video", field="transcript_id")
register_constraint("ai_layers_error_only_when_failed", Invalid, "error is only set on a failed layer", field="error")
register_constraint("ai_layers_immutable", Invalid, None)
register_constraint("ai_layers_status_transition", Conflict, None, field="status")

RESULT_FIELDS = {
    LayerKind.summary: "summary",
    LayerKind.decisions: "decisions",
    LayerKind.action_items: "action_items",
    LayerKind.topics: "topics",
    LayerKind.moments: "moments",
}


async def _layer(conn: Conn, org: UUID, layer_id: UUID) -> Layer:
    # a video's layer: an organization-wide one (the knowledge graph, 0041) is read at /graph/layers
    query = sql.SQL("{} AND l.video_id IS NOT NULL").format(by_id(Q.layer_columns, "l"))
    return await fetch_one_or_404(conn, query, {"org": org, "id": layer_id}, "AI layer", model=Layer)


def _check_results(data: LayerCreate) -> str | None:
    """The name of the results field the request carries (at most one, matching its kind)."""
    given = [
        name
        for name in ("summary", "decisions", "action_items", "topics", "moments")
        if getattr(data, name) is not None
    ]
    if not given:
        return None
    expected = RESULT_FIELDS.get(data.kind)
    if given != [expected]:
        raise Invalid(
            f"a {data.kind.value} layer carries {expected or 'no inline results'}, not {', '.join(given)}",
            field=given[0],
        )
    return expected


async def insert_layer(conn: Conn, p: Principal, video_id: UUID, data: LayerCreate) -> UUID:
    """Store a layer (and its results) inside an open transaction; returns its id."""
    results = _check_results(data)
    org = p.organization_id
    transcript_id = data.transcript_id
    if transcript_id is None:
        row = await (await conn.execute(Q.current_transcript, {"org": org, "video_id": video_id})).fetchone()
        transcript_id = row["id"] if row else None
    layer = await (
        await conn.execute(
            Q.insert_layer,
            {
                "org": org,
                "video_id": video_id,
                "kind": data.kind.value,
                "model": data.model,
                "model_version": data.model_version,
                "source": data.source,
                "status": "running" if results else "pending",
                "transcript_id": transcript_id,
                "artifact_uri": data.artifact_uri,
                "parameters": Jsonb(data.parameters),
                "created_by": p.user_id,
            },
        )
    ).fetchone()
    assert layer is not None
    layer_id: UUID = layer["id"]
    base = {"org": org, "video_id": video_id, "layer_id": layer_id}
    if data.summary is not None:
        await conn.execute(Q.insert_summary, {**base, **data.summary.model_dump()})
    async with conn.cursor() as cur:
        if data.decisions:
            await cur.executemany(Q.insert_ai_decision, [{**base, **d.model_dump()} for d in data.decisions])
            await cur.execute(Q.request_decision_embed)  # their vectors (a statement: no trigger reaches the queue)
        if data.action_items:
            await cur.executemany(Q.insert_ai_action_item, [{**base, **a.model_dump()} for a in data.action_items])
        if data.moments:
            await cur.executemany(Q.insert_ai_moment, [{**base, **m.model_dump()} for m in data.moments])
        if data.topics:
            topic_ids: dict[str, UUID] = {}
            for mention in data.topics:
                key = " ".join(mention.topic.split()).lower()
                if key not in topic_ids:
                    row = await (await conn.execute(Q.upsert_topic, {"org": org, "name": mention.topic})).fetchone()
                    assert row is not None
                    topic_ids[key] = row["id"]
            await cur.executemany(
                Q.insert_topic_mention,
                [
                    {
                        **base,
                        "topic_id": topic_ids[" ".join(m.topic.split()).lower()],
                        "start_ms": m.start_ms,
                        "end_ms": m.end_ms,
                        "relevance": m.relevance,
                        "excerpt": m.excerpt,
                    }
                    for m in data.topics
                ],
            )
    if results:
        await conn.execute(Q.layer_ready, {"org": org, "id": layer_id})
    else:
        job = await (
            await conn.execute(
                Q.enqueue_layer_job,
                {
                    "input": Jsonb(
                        {
                            "layer_id": str(layer_id),
                            "video_id": str(video_id),
                            "kind": data.kind.value,
                            "model": data.model,
                        }
                    ),
                    "key": f"ai-layer:{layer_id}",
                },
            )
        ).fetchone()
        if job is not None:
            await conn.execute(Q.set_layer_job, {"org": org, "id": layer_id, "job_id": job["id"]})
    return layer_id


async def create_layer(db: Database, p: Principal, video_id: UUID, data: LayerCreate) -> Layer:
    """Register a layer for a video (its author or an ADMIN)."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        video = await fetch_live_video(conn, p.organization_id, video_id)
        may_change(p, video["author_id"], "video")
        layer_id = await insert_layer(conn, p, video_id, data)
        return await _layer(conn, p.organization_id, layer_id)


async def list_layers(db: Database, p: Principal, video_id: UUID, *, kind: LayerKind | None = None) -> list[Layer]:
    stmt = sql.SQL(
        "{} WHERE l.organization_id = %(org)s AND l.video_id = %(video_id)s"
        " AND (%(kind)s::text IS NULL OR l.kind = %(kind)s) ORDER BY l.kind, l.created_at DESC"
    ).format(sql.SQL(Q.layer_columns))
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_live_video(conn, p.organization_id, video_id)
        cur = conn.cursor(row_factory=class_row(Layer))
        return await (
            await cur.execute(
                stmt, {"org": p.organization_id, "video_id": video_id, "kind": kind.value if kind else None}
            )
        ).fetchall()


async def get_layer(db: Database, p: Principal, layer_id: UUID) -> Layer:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        return await _layer(conn, p.organization_id, layer_id)


async def _lock_layer(conn: Conn, p: Principal, layer_id: UUID) -> dict[str, Any]:
    """Lock a layer the caller may change (its video's author or an ADMIN), or 404/403."""
    row = await lock_or_404(conn, Q.lock_layer, p.organization_id, layer_id, "AI layer")
    may_change(p, row["author_id"], "video")
    return row


async def update_layer(db: Database, p: Principal, layer_id: UUID, data: LayerUpdate) -> Layer:
    """Move a layer along pending -> running -> ready | failed (ready supersedes the previous one;
    a superseded layer can be made ready again, which rolls back to it)."""
    changes = data.model_dump(exclude_unset=True)
    if "status" in changes:
        if changes["status"] is None:
            raise Invalid("status cannot be cleared", field="status")
        if changes["status"] is LayerStatus.superseded:
            raise Invalid("a layer is superseded by making another one ready", field="status")
        changes["status"] = changes["status"].value
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _lock_layer(conn, p, layer_id)
        await update_columns(conn, "ai_layers", p.organization_id, layer_id, changes, LayerUpdate.model_fields)
        return await _layer(conn, p.organization_id, layer_id)


async def rebuild_layer(db: Database, p: Principal, layer_id: UUID) -> Layer:
    """A new pending layer with the same kind, model and parameters over the current transcript;
    a job of type ``ai.layer.build`` is enqueued in the same transaction. The old layer stays
    current until the new one is ready."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        old = await _lock_layer(conn, p, layer_id)
        await fetch_live_video(conn, p.organization_id, old["video_id"])
        new_id = await insert_layer(
            conn,
            p,
            old["video_id"],
            LayerCreate(
                kind=LayerKind(old["kind"]),
                model=old["model"],
                model_version=old["model_version"],
                source=old["source"],
                parameters=old["parameters"],
            ),
        )
        return await _layer(conn, p.organization_id, new_id)


async def delete_layer(db: Database, p: Principal, layer_id: UUID) -> None:
    """Delete a layer and everything it produced, as a unit."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _lock_layer(conn, p, layer_id)
        await conn.execute(Q.delete_layer, {"org": p.organization_id, "id": layer_id})


async def get_summary(db: Database, p: Principal, video_id: UUID) -> Summary:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_live_video(conn, p.organization_id, video_id)
        cur = conn.cursor(row_factory=class_row(Summary))
        row = await (await cur.execute(Q.current_summary, {"org": p.organization_id, "video_id": video_id})).fetchone()
    if row is None:
        raise NotFound("this video has no summary yet")
    return row
