"""The built-in step types (docs/workflows.md "Steps"): what the domains offer today.

- ``log``: writes a line (``{{key}}`` filled from the event's data) to the worker's log and the
  step's output. Useful for trying a template out.
- ``wait``: the next step runs ``seconds`` later (its job is scheduled; nothing is held meanwhile).
- ``search.index``: builds the search index (chunks and vectors) of the event's transcript — the
  transcript the event is about (``video.transcribed``), else the current transcript of the event's
  video — with mediabase.search's in-process path (the one ``transcript.index`` runs).
- ``insights.refresh_topics``: recomputes the organization's topic counters and trends (the AI
  topics layer of mediabase.insights).
- ``insights.embed_decisions``: enqueues a ``decision.embed`` job: the decision registry's
  vectors for semantic decision search are brought up to date.
- ``notify``: a notification (collab's notifications, kind ``workflow``) for each member with one
  of ``roles`` and each of ``users``, once per run and step.
- ``webhook``: hands the run's event to one webhook endpoint
  (``mediabase.webhooks.deliver_event``).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any
from uuid import UUID

from mediabase.config import get_settings
from mediabase.db.queries import load_queries
from mediabase.jobs import PermanentError, enqueue
from mediabase.search.indexing import index_transcript, resolve_embedder
from mediabase.search.vectors import model_name
from mediabase.workflows.steps import StepContext, render, step

log = logging.getLogger("mediabase.workflows")
Q = load_queries("mediabase.workflows", "queries.sql")

_UUID = {"type": "string", "format": "uuid",
         "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"}
_NOTHING: dict[str, Any] = {"type": "object", "additionalProperties": False}


@step("log", schema={"type": "object", "additionalProperties": False, "required": ["message"],
                     "properties": {"message": {"type": "string", "minLength": 1, "maxLength": 1000}}},
      description="write a line ({{key}} from the event's data) to the worker's log and the step's output")
async def log_step(ctx: StepContext) -> dict[str, Any]:
    line = render(str(ctx.params["message"]), ctx.event)
    log.info("workflow run %s step %s: %s", ctx.run_id, ctx.name, line)
    return {"message": line}


@step("wait", schema={"type": "object", "additionalProperties": False, "required": ["seconds"],
                      "properties": {"seconds": {"type": "integer", "minimum": 0, "maximum": 30 * 86400}}},
      description="run the next step this many seconds later (0..30 days; nothing is held meanwhile)")
async def wait_step(ctx: StepContext) -> dict[str, Any]:
    ctx.delay_next = float(ctx.params["seconds"])
    return {"seconds": ctx.params["seconds"]}


async def _transcript_of(ctx: StepContext) -> UUID:
    """The transcript the event is about, or the current one of the event's video."""
    ev = ctx.event
    if ev.get("subject_type") == "transcript":
        return UUID(str(ev["subject_id"]))
    video = ev.get("subject_id") if ev.get("subject_type") == "video" else (ev.get("data") or {}).get("video_id")
    try:
        video_id = UUID(str(video)) if video is not None else None
    except ValueError:
        video_id = None
    if video_id is not None:
        row = await (await ctx.conn.execute(Q.current_transcript, {"org": ctx.org, "video": video_id})).fetchone()
        if row is not None:
            return UUID(str(row["id"]))
    raise PermanentError(f"the event ({ev.get('type')}) names no video with a transcript", code="no_transcript")


@step("search.index", schema=_NOTHING,
      description="build the search index (chunks, vectors) of the event's transcript or its video's current one")
async def index_step(ctx: StepContext) -> dict[str, Any]:
    transcript_id = await _transcript_of(ctx)
    settings = get_settings()
    embedder, why = resolve_embedder(settings)
    await ctx.job.progress(10, "indexing", f"indexing transcript {transcript_id}")
    # on its own transactions (embedding happens outside any): idempotent, at least once
    result = await index_transcript(ctx.db, ctx.org, transcript_id, embedder, model=model_name(settings),
                                    unavailable=why)
    return result.as_dict()


@step("insights.refresh_topics", schema=_NOTHING,
      description="recompute the organization's AI topics: mention counters and trends")
async def refresh_topics_step(ctx: StepContext) -> dict[str, Any]:
    row = await (await ctx.conn.execute(Q.refresh_topics)).fetchone()
    return {"topics": int(row["n"]) if row else 0}


@step("insights.embed_decisions", schema=_NOTHING,
      description="bring the decision registry's vectors (semantic decision search) up to date: a decision.embed job")
async def embed_decisions_step(ctx: StepContext) -> dict[str, Any]:
    e = await enqueue(ctx.conn, org_id=ctx.org, type="decision.embed", input={"organization_id": str(ctx.org)},
                      idempotency_key=f"decision.embed:{ctx.key}")
    return {"job_id": str(e.id)}


@step("notify", schema={
    "type": "object", "additionalProperties": False, "required": ["title"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 1000},
        "roles": {"type": "array", "maxItems": 3, "uniqueItems": True,
                  "items": {"enum": ["OWNER", "ADMIN", "MEMBER"]}},
        "users": {"type": "array", "maxItems": 100, "uniqueItems": True, "items": _UUID},
    },
    "anyOf": [{"required": ["roles"], "properties": {"roles": {"minItems": 1}}},
              {"required": ["users"], "properties": {"users": {"minItems": 1}}}],
}, description="notify the members with these roles and these users (title: {{key}} from the event's data)")
async def notify_step(ctx: StepContext) -> dict[str, Any]:
    ev = ctx.event
    video = ev.get("subject_id") if ev.get("subject_type") == "video" else (ev.get("data") or {}).get("video_id")
    try:
        video_id = UUID(str(video)) if video is not None else None
    except ValueError:
        video_id = None
    row = await (await ctx.conn.execute(Q.notify, {
        "org": ctx.org, "run": ctx.run_id, "position": ctx.position, "roles": ctx.params.get("roles", []),
        "users": [UUID(u) for u in ctx.params.get("users", [])], "title": render(ctx.params["title"], ev)[:1000],
        "video": video_id,
    })).fetchone()
    return {"notified": int(row["n"]) if row else 0}


@step("webhook", schema={"type": "object", "additionalProperties": False, "required": ["endpoint_id"],
                                 "properties": {"endpoint_id": _UUID}},
      description="deliver the run's event to one webhook endpoint of the organization")
async def webhook_step(ctx: StepContext) -> dict[str, Any]:
    try:  # looked up when it runs: mediabase.webhooks sits below workflows and may be absent
        webhooks = importlib.import_module("mediabase.webhooks")
        deliver = webhooks.deliver_event
    except (ImportError, AttributeError) as exc:
        raise PermanentError("webhook delivery is not available (mediabase.webhooks.deliver_event)",
                             code="unavailable") from exc
    delivery = await deliver(ctx.conn, ctx.org, UUID(str(ctx.params["endpoint_id"])), UUID(str(ctx.event["id"])))
    return {"delivery_id": str(delivery)}
