"""Retention that acts (migration 0044; docs/retention.md): every purge policy of mediabase in
one place — shown before it acts (:func:`plan`), run by ``mediabase retention run`` and by the
worker's upkeep (:func:`upkeep`), recorded in ``retention_runs``.

Three kinds of policy:

- ``purge``: this module's own, configured in ``retention_policies`` (days): soft-deleted
  videos in the trash with everything of theirs, expired share links, old notifications, sent
  mail, closed invitations. Purged in short transactions per organization, the rows taken
  ``FOR UPDATE SKIP LOCKED`` so a long purge never waits on (or blocks) the application.
- ``partitions``: the raw analytics (view_events, story_scene_views, security_events) are
  monthly partitions dropped by the one partition manager (:mod:`mediabase.db.partitions`);
  their window is ``partitioned_tables.keep_months``. Shown here and pruned through it.
- ``sweeper``: expired sessions and tokens (:func:`mediabase.identity.sessions.sweep`) and the
  event outbox (:func:`mediabase.events.dispatch.prune_dispatched`), each with its own fixed or
  configured window. Shown here and run through them.

The worker's upkeep already runs the partitions and the sweepers (their own ``@periodic``);
``governance.retention`` runs the purge policies. ``mediabase retention run`` runs them all.
Every function takes the owner's autocommit connection (no tenant, no search_path of ours:
every name is qualified).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, LiteralString
from uuid import UUID

from pydantic import BaseModel

from mediabase.common.errors import Invalid
from mediabase.db import partitions
from mediabase.db.errors import MediabaseError, register_constraint, translated
from mediabase.db.rows import Conn, Jsonb, sql
from mediabase.events.dispatch import prune_dispatched
from mediabase.events.settings import event_settings
from mediabase.identity import sessions
from mediabase.jobs.registry import periodic

log = logging.getLogger("mediabase.governance")

Kind = Literal["purge", "partitions", "sweeper"]
RunBy = Literal["cli", "worker"]
MAX_BATCH = 100_000


@dataclass(frozen=True, slots=True)
class _Purge:
    """A purge policy over one tenant table: rows WHERE ``due`` (may use %(days)s) go;
    ``clock`` is the instant the window counts from (shown as "oldest")."""

    table: LiteralString
    due: LiteralString
    clock: LiteralString


PURGES: dict[str, _Purge] = {
    "videos.trash": _Purge(
        "videos",
        "t.deleted_at IS NOT NULL"
        " AND coalesce(t.retention_until, t.deleted_at + make_interval(days => %(days)s)) <= now()",
        "t.deleted_at",
    ),
    "share_links.expired": _Purge(
        "share_links", "(t.revoked_at IS NOT NULL OR t.expires_at IS NOT NULL)"
        " AND least(t.revoked_at, t.expires_at) < now() - make_interval(days => %(days)s)",
        "least(t.revoked_at, t.expires_at)",
    ),
    "notifications.read": _Purge(
        "notifications", "t.read_at IS NOT NULL AND t.created_at < now() - make_interval(days => %(days)s)",
        "t.created_at",
    ),
    "notifications.unread": _Purge(
        "notifications", "t.read_at IS NULL AND t.created_at < now() - make_interval(days => %(days)s)",
        "t.created_at",
    ),
    "mail.sent": _Purge(
        "mail_outbox",
        "t.status IN ('sent', 'dead') AND t.updated_at < now() - make_interval(days => %(days)s)"
        " AND NOT EXISTS (SELECT 1 FROM mediabase.notification_digests d"
        " WHERE d.organization_id = t.organization_id AND d.message_id = t.id)",
        "t.updated_at",
    ),
    "invitations.closed": _Purge(
        "invitations",
        "t.accepted_at IS NULL AND least(t.revoked_at, t.expires_at) < now() - make_interval(days => %(days)s)",
        "least(t.revoked_at, t.expires_at)",
    ),
}
# Partitioned raw tables: policy name -> registered table (its months go by keep_months).
PARTITIONED: dict[str, str] = {
    "view_events.raw": "view_events",
    "story_scene_views.raw": "story_scene_views",
    "security_events.raw": "security_events",
}
SWEEPERS: dict[str, str] = {
    "sessions.expired": "sessions and single-use tokens expired or revoked more than a day ago"
                        " (mediabase.identity.sessions.sweep; window fixed at 1 day)",
    "events.dispatched": "dispatched events of the outbox older than MEDIABASE_EVENTS_KEEP_DAYS"
                         " (mediabase.events.dispatch.prune)",
}
NAMES: tuple[str, ...] = (*PURGES, *PARTITIONED, *SWEEPERS)
# What a video's purge counts besides the video itself (the rest goes by cascade too).
VIDEO_PARTS: tuple[LiteralString, ...] = ("transcripts", "transcript_segments", "comments")

register_constraint("retention_policies_keep_days_range", Invalid, "keep days must be between 1 and 36500",
                    field="keep_days")
register_constraint("retention_policies_name_known", Invalid, "unknown retention policy", field="policy")


class PolicyView(BaseModel):
    name: str
    kind: Kind
    tables: list[str]
    enabled: bool
    keep_days: int | None = None  # purge policies
    keep_months: int | None = None  # partitions (None: kept forever)
    min_keep_months: int | None = None
    description: str
    runs_in: str  # the worker upkeep that runs it


class PlanItem(BaseModel):
    policy: str
    table: str
    rows: int
    oldest: datetime | None = None
    detail: str | None = None  # a partition's name, or why a month stays


class RunResult(BaseModel):
    run_id: UUID | None
    dry_run: bool
    counts: dict[str, dict[str, int]]
    notes: list[str]


def _check_name(name: str) -> str:
    if "\x00" in name or name not in NAMES:
        raise Invalid(f"unknown retention policy {name!r}; known: {', '.join(NAMES)}", field="policy")
    return name


async def _rows(conn: Conn, query: Any, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cur = await conn.execute(query, params or {})
    return await cur.fetchall() if cur.description else []


# -- policies -------------------------------------------------------------------------------------


async def policies(conn: Conn, name: str | None = None) -> list[PolicyView]:
    """Every policy (or the one named): its window, whether it runs, and what runs it."""
    if name is not None:
        _check_name(name)
    out: list[PolicyView] = []
    own = {r["name"]: r for r in await _rows(
        conn, "SELECT name, keep_days, enabled, description FROM mediabase.retention_policies")}
    for n, p in PURGES.items():
        r = own[n]
        out.append(PolicyView(name=n, kind="purge", tables=[p.table], enabled=r["enabled"], keep_days=r["keep_days"],
                              description=r["description"], runs_in="governance.retention"))
    parts = {r["table_name"]: r for r in await _rows(
        conn, "SELECT parent::regclass::text AS table_name, keep_months, min_keep_months"
              " FROM mediabase.partitioned_tables")}
    for n, table in PARTITIONED.items():
        reg = parts.get(f"mediabase.{table}") or parts.get(table)
        if reg is None:
            continue
        out.append(PolicyView(
            name=n, kind="partitions", tables=[table], enabled=reg["keep_months"] is not None,
            keep_months=reg["keep_months"], min_keep_months=reg["min_keep_months"], runs_in="partitions",
            description=f"months of {table} that ended more than keep_months ago, dropped whole"
                        " (mediabase.partitioned_tables)"))
    out.append(PolicyView(name="sessions.expired", kind="sweeper", tables=["sessions", "user_tokens"], enabled=True,
                          keep_days=1, description=SWEEPERS["sessions.expired"], runs_in="identity.sessions"))
    out.append(PolicyView(name="events.dispatched", kind="sweeper", tables=["events"], enabled=True,
                          keep_days=event_settings().keep_days, description=SWEEPERS["events.dispatched"],
                          runs_in="events.prune"))
    return [p for p in out if name is None or p.name == name]


async def set_policy(conn: Conn, name: str, *, keep_days: int | None = None, keep_months: int | None = None,
                     enabled: bool | None = None) -> PolicyView:
    """Change a policy: a purge policy's days and on/off; a partitioned table's keep_months (never
    below its min_keep_months). Nothing is written when the change is refused."""
    _check_name(name)
    if keep_days is None and keep_months is None and enabled is None:
        raise Invalid("nothing to change: give --keep-days, --keep-months, --enable or --disable", field="policy")
    if name in PURGES:
        if keep_months is not None:
            raise Invalid(f"{name} keeps days, not months: use --keep-days", field="keep_months")
        if keep_days is not None and not 1 <= keep_days <= 36500:
            raise Invalid("keep days must be between 1 and 36500", field="keep_days")
        await conn.execute(
            "UPDATE mediabase.retention_policies SET keep_days = coalesce(%(days)s, keep_days),"
            " enabled = coalesce(%(enabled)s, enabled), updated_at = now() WHERE name = %(name)s",
            {"days": keep_days, "enabled": enabled, "name": name})
    elif name in PARTITIONED:
        if keep_days is not None or enabled is not None:
            raise Invalid(f"{name} drops whole months: give --keep-months (to keep them forever:"
                          f" mediabase partitions policy {PARTITIONED[name]} --keep-forever)", field="keep_months")
        assert keep_months is not None
        await partitions.set_policy(conn, PARTITIONED[name], keep_months=keep_months)
    else:
        where = ("fixed at one day" if name == "sessions.expired" else "set by MEDIABASE_EVENTS_KEEP_DAYS")
        raise Invalid(f"{name} is run by its own sweeper: its window is {where}", field="policy")
    return (await policies(conn, name))[0]


# -- plan -----------------------------------------------------------------------------------------


def _selected(name: str | None) -> list[str]:
    return [_check_name(name)] if name is not None else list(NAMES)


async def _keep_days(conn: Conn) -> dict[str, tuple[int, bool]]:
    rows = await _rows(conn, "SELECT name, keep_days, enabled FROM mediabase.retention_policies")
    return {r["name"]: (r["keep_days"], r["enabled"]) for r in rows}


def _from(p: _Purge) -> sql.Composed:
    return sql.SQL("FROM mediabase.{} t WHERE ").format(sql.Identifier(p.table)) + sql.SQL(p.due)


async def _plan_purge(conn: Conn, name: str, days: int) -> list[PlanItem]:
    p = PURGES[name]
    q = sql.SQL("SELECT count(*) AS n, min({}) AS oldest ").format(sql.SQL(p.clock)) + _from(p)
    [r] = await _rows(conn, q, {"days": days})
    items = [PlanItem(policy=name, table=p.table, rows=r["n"], oldest=r["oldest"])]
    if name == "videos.trash":
        for part in VIDEO_PARTS:
            q = sql.SQL("SELECT count(*) AS n FROM mediabase.{} x WHERE (x.organization_id, x.video_id) IN"
                        " (SELECT t.organization_id, t.id ").format(sql.Identifier(part)) + _from(p) + sql.SQL(")")
            [c] = await _rows(conn, q, {"days": days})
            items.append(PlanItem(policy=name, table=part, rows=c["n"], detail="with the videos"))
    return items


async def _months_due(conn: Conn, table: str) -> list[dict[str, Any]]:
    """The months of a registered table its policy would drop now, with exact row counts."""
    rows = await _rows(conn, "SELECT d.partition_name, d.range_from, d.archive, d.kept_because"
                             " FROM mediabase.partitions_due() d WHERE d.table_name IN (%(t)s, %(q)s)",
                       {"t": table, "q": f"mediabase.{table}"})
    for r in rows:
        [c] = await _rows(conn, sql.SQL("SELECT count(*) AS n FROM mediabase.{}").format(
            sql.Identifier(r["partition_name"])))
        r["rows"] = c["n"]
        if r["archive"] and not r["kept_because"]:
            r["kept_because"] = "its policy archives a month first (mediabase partitions --archive-dir)"
    return rows


async def _plan_sweeper(conn: Conn, name: str) -> list[PlanItem]:
    if name == "sessions.expired":  # sessions.sweep's condition (a test holds the two equal)
        [s] = await _rows(conn, "SELECT count(*) AS n, min(least(expires_at, revoked_at)) AS oldest"
                                " FROM mediabase.sessions WHERE expires_at < now() - interval '1 day'"
                                " OR revoked_at < now() - interval '1 day'")
        [t] = await _rows(conn, "SELECT count(*) AS n, min(expires_at) AS oldest FROM mediabase.user_tokens"
                                " WHERE expires_at < now() - interval '1 day'")
        return [PlanItem(policy=name, table="sessions", rows=s["n"], oldest=s["oldest"]),
                PlanItem(policy=name, table="user_tokens", rows=t["n"], oldest=t["oldest"])]
    [e] = await _rows(conn, "SELECT count(*) AS n, min(dispatched_at) AS oldest FROM mediabase.events"
                            " WHERE dispatched_at < now() - make_interval(days => %(days)s)",
                      {"days": event_settings().keep_days})
    return [PlanItem(policy=name, table="events", rows=e["n"], oldest=e["oldest"])]


async def plan(conn: Conn, policy: str | None = None) -> list[PlanItem]:
    """What a run would delete now, per policy and table (and per month of a partitioned table),
    changing nothing. A disabled purge policy shows nothing."""
    names = _selected(policy)
    keep = await _keep_days(conn)
    items: list[PlanItem] = []
    for name in names:
        if name in PURGES:
            days, enabled = keep[name]
            if enabled:
                items += await _plan_purge(conn, name, days)
        elif name in PARTITIONED:
            table = PARTITIONED[name]
            for m in await _months_due(conn, table):
                items.append(PlanItem(policy=name, table=table, rows=m["rows"], oldest=m["range_from"],
                                      detail=m["partition_name"] + (f" kept: {m['kept_because']}"
                                                                    if m["kept_because"] else "")))
        else:
            items += await _plan_sweeper(conn, name)
    return items


# -- run ------------------------------------------------------------------------------------------


async def _purge_rows(conn: Conn, name: str, days: int, batch: int) -> dict[str, int]:
    """Delete a purge policy's due rows, per organization, ``batch`` rows a transaction."""
    p = PURGES[name]
    orgs = await _rows(conn, sql.SQL("SELECT DISTINCT t.organization_id ") + _from(p), {"days": days})
    if name == "videos.trash":
        return await _purge_videos(conn, p, days, [r["organization_id"] for r in orgs])
    delete = (sql.SQL("WITH old AS (SELECT t.organization_id, t.id ") + _from(p)
              + sql.SQL(" AND t.organization_id = %(org)s ORDER BY t.id LIMIT %(batch)s FOR UPDATE SKIP LOCKED)"
                        " DELETE FROM mediabase.{} x USING old WHERE x.organization_id = %(org)s"
                        " AND x.organization_id = old.organization_id AND x.id = old.id").format(
                  sql.Identifier(p.table)))
    total = 0
    for r in orgs:
        while True:
            async with conn.transaction():
                n = (await conn.execute(delete, {"days": days, "org": r["organization_id"], "batch": batch})).rowcount
            total += n
            if n < batch:
                break
    return {p.table: total}


async def _purge_videos(conn: Conn, p: _Purge, days: int, orgs: list[UUID]) -> dict[str, int]:
    """One video a transaction: its music masters let go of it (they are catalogue and ledger
    records of their own), then the video is deleted and the schema's cascades (and its
    set-null triggers: decisions, imported items) take everything hanging off it."""
    counts = {"videos": 0, **{part: 0 for part in VIDEO_PARTS}}
    take = (sql.SQL("SELECT t.id ") + _from(p)
            + sql.SQL(" AND t.organization_id = %(org)s ORDER BY t.deleted_at, t.id LIMIT 1 FOR UPDATE SKIP LOCKED"))
    for org in orgs:
        while True:
            async with conn.transaction():
                rows = await _rows(conn, take, {"days": days, "org": org})
                if not rows:
                    break
                key = {"org": org, "video": rows[0]["id"]}
                for part in VIDEO_PARTS:
                    [c] = await _rows(conn, sql.SQL("SELECT count(*) AS n FROM mediabase.{} WHERE organization_id"
                                                    " = %(org)s AND video_id = %(video)s").format(
                                          sql.Identifier(part)), key)
                    counts[part] += c["n"]
                await conn.execute("UPDATE mediabase.music_masters SET video_id = NULL"
                                   " WHERE organization_id = %(org)s AND video_id = %(video)s", key)
                n = (await conn.execute("DELETE FROM mediabase.videos WHERE organization_id = %(org)s"
                                        " AND id = %(video)s", key)).rowcount
                counts["videos"] += n
    return counts


async def _prune_months(conn: Conn, name: str) -> tuple[dict[str, int], list[str]]:
    table = PARTITIONED[name]
    [pol] = await _rows(conn, "SELECT keep_months FROM mediabase.partitioned_tables"
                              " WHERE parent = to_regclass(%(t)s)", {"t": f"mediabase.{table}"})
    if pol["keep_months"] is None:
        return {table: 0}, []
    sizes = {m["partition_name"]: m["rows"] for m in await _months_due(conn, table)}
    done = await _rows(conn, "SELECT x.name, x.action, x.detail FROM mediabase.partitioned_tables t"
                             " CROSS JOIN LATERAL mediabase.prune_partitions(t.parent,"
                             " greatest(t.keep_months, t.min_keep_months)) x"
                             " WHERE t.parent = to_regclass(%(t)s)", {"t": f"mediabase.{table}"})
    notes = [f"{table}: kept {d['name']}: {d['detail']}" for d in done if d["action"] != "dropped"]
    return {table: sum(sizes.get(d["name"], 0) for d in done if d["action"] == "dropped")}, notes


async def _sweep(conn: Conn, name: str) -> dict[str, int]:
    if name == "sessions.expired":
        async with conn.transaction():  # sessions.sweep names its tables unqualified
            await conn.execute("SET LOCAL search_path TO mediabase, public")
            gone = await sessions.sweep(conn)
        return {"sessions": gone["sessions"], "user_tokens": gone["tokens"]}
    return {"events": await prune_dispatched(conn)}


async def _run_one(conn: Conn, name: str, keep: dict[str, tuple[int, bool]], batch: int,
                   notes: list[str]) -> dict[str, int] | None:
    if name in PURGES:
        days, enabled = keep[name]
        return await _purge_rows(conn, name, days, batch) if enabled else None
    if name in PARTITIONED:
        counts, kept = await _prune_months(conn, name)
        notes += kept
        return counts
    return await _sweep(conn, name)


async def run(conn: Conn, *, policy: str | None = None, batch_size: int = 1000, run_by: RunBy = "cli",
              dry_run: bool = False, delegated: bool = True) -> RunResult:
    """Purge by every enabled policy (or the one named): counts per policy and table. With
    ``dry_run``, the plan's counts and nothing written. ``delegated=False`` leaves out what the
    worker's own upkeep runs (partitions, sweepers). The CLI's runs are recorded from their
    start; the worker's when something went (or a policy failed)."""
    names = _selected(policy)
    if not 1 <= batch_size <= MAX_BATCH:
        raise Invalid(f"batch size must be between 1 and {MAX_BATCH}", field="batch_size")
    if not delegated:
        names = [n for n in names if n in PURGES]
    if dry_run:
        counts: dict[str, dict[str, int]] = {}
        for item in await plan(conn, policy):
            if item.policy in names and "kept:" not in (item.detail or ""):
                counts.setdefault(item.policy, {}).setdefault(item.table, 0)
                counts[item.policy][item.table] += item.rows
        return RunResult(run_id=None, dry_run=True, counts=counts, notes=[])
    keep = await _keep_days(conn)
    run_id: UUID | None = None
    if run_by == "cli":
        run_id = await _start(conn, run_by, names)
    counts = {}
    notes: list[str] = []
    error: str | None = None
    failed: MediabaseError | None = None
    try:
        for name in names:
            try:  # one policy failing (a lock timeout …) does not keep the others from running
                with translated():  # the driver's text (row values) becomes a domain error's
                    got = await _run_one(conn, name, keep, batch_size, notes)
            except MediabaseError as exc:
                log.warning("retention %s failed: %s", name, exc)
                error = ((error + "; ") if error else "") + f"{name}: {exc}"
                failed = failed or exc
                continue
            if got is not None:
                counts[name] = got
                if run_id is not None:
                    await conn.execute("UPDATE mediabase.retention_runs SET counts = counts || %(c)s"
                                       " WHERE id = %(id)s", {"c": Jsonb({name: got}), "id": run_id})
    finally:
        error = error[:2000] if error else None
        if run_id is None and (error or any(any(c.values()) for c in counts.values())):
            run_id = await _start(conn, run_by, names, counts)
        if run_id is not None:
            await conn.execute("UPDATE mediabase.retention_runs SET finished_at = greatest(now(), started_at),"
                               " error = %(error)s, counts = %(c)s WHERE id = %(id)s",
                               {"error": error, "c": Jsonb(counts), "id": run_id})
    if failed is not None:
        raise failed
    return RunResult(run_id=run_id, dry_run=False, counts=counts, notes=notes)


async def _start(conn: Conn, run_by: RunBy, names: list[str], counts: dict[str, dict[str, int]] | None = None) -> UUID:
    [r] = await _rows(conn, "INSERT INTO mediabase.retention_runs (run_by, policies, counts)"
                            " VALUES (%(by)s, %(names)s, %(c)s) RETURNING id",
                      {"by": run_by, "names": names, "c": Jsonb(counts or {})})
    run_id: UUID = r["id"]
    return run_id


async def runs(conn: Conn, limit: int = 20) -> list[dict[str, Any]]:
    """The latest recorded runs, newest first."""
    return await _rows(conn, "SELECT id, run_by, policies, started_at, finished_at, counts, error"
                             " FROM mediabase.retention_runs ORDER BY started_at DESC LIMIT %(n)s", {"n": limit})


def summary(counts: dict[str, dict[str, int]]) -> str:
    """``videos.trash: 2 videos, 10 transcript_segments; …`` (tables with nothing left out)."""
    parts = []
    for name, by_table in counts.items():
        went = ", ".join(f"{n} {t}" for t, n in by_table.items() if n)
        if went:
            parts.append(f"{name}: {went}")
    return "; ".join(parts)


@periodic("governance.retention", order=85)
async def upkeep(conn: Conn, _settings: Any) -> str | None:
    """Every enabled purge policy once per upkeep pass (the partitions and the sweepers run as
    their own upkeep in the same pass)."""
    result = await run(conn, run_by="worker", delegated=False)
    said = summary(result.counts)
    return f"retention: purged {said}" if said else None
