"""Erasure of a person (issue 16; migration 0045; docs/governance.md, "Erasure").

One owner transaction does it all, so an erasure is whole or not at all:

1. **What names the person** (:func:`needles`): email, username, display name, the names of
   the people (speaker identities), artists and producers linked to them, their speakers' display
   names — compiled to one case-insensitive whole-word pattern (``erasure_pattern``); and every
   body their comments ever had (live, or kept by the audit log).
2. **Linked rows** are erased or pseudonymised by what links them: comments deleted (deletion
   erases the body), decision edit values cleared, people renamed and unlinked, speakers unnamed,
   notifications to them and mail to their address deleted, invitations to their address deleted,
   artists/producers renamed, their personal organization pseudonymised and its videos trashed.
3. **Copies** of names elsewhere — notification titles, mail, transcript chunks' speaker lists,
   the knowledge graph, the event outbox, workflow runs, job payloads, incoming webhook payloads —
   are swept with the pattern (:data:`SWEEP`).
4. **The append-only logs** (audit_log, security_events) are redacted through their one
   exception (``mediabase.redaction = on``, 0045): matching strings become ``[redacted]``, the row
   is marked ``redacted_at``; an ``audit_redactions`` row and an audit_log row per organization
   record the redaction itself.
5. **Per-user rows** that cascade from ``users`` (sessions, tokens, consents, acceptances,
   preferences, OAuth accounts, views, memberships and what cascades from those) are deleted —
   read from the catalog, so a new per-user table is covered.
6. **The account** becomes a tombstone: ``users`` keeps the id (ledger accounts, contracts,
   payouts and authorship keep a pseudonymous holder, every foreign key holds) under an
   ``erased-…@erased.invalid`` address with no name, password or profile.
7. **Verification** (:func:`residue`): every text, varchar, text[] and jsonb column of every
   table is searched for the pattern and the bodies; anything found rolls the erasure back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from mediabase.db.errors import Conflict, NotFound
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, Jsonb, sql

Q = load_queries("mediabase.governance", "erasure.sql")

ERASED = "[erased]"
Mode = Literal["text", "null", "unique", "array", "jsonb", "log"]

# Columns that may hold a copy of a person's name, swept with the pattern: text → the match is
# replaced; null → the value is cleared; unique → the value becomes "[erased] <id>" (a unique
# name); array → matching elements are replaced; jsonb → matching strings become [redacted];
# log → jsonb of an append-only log, redacted through its redaction path.
SWEEP: tuple[tuple[str, str, Mode], ...] = (
    ("notifications", "title", "text"),
    ("mail_outbox", "subject", "text"),
    ("mail_outbox", "body_text", "text"),
    ("mail_outbox", "body_html", "text"),
    ("decision_edits", "old_value", "text"),
    ("decision_edits", "new_value", "text"),
    ("ai_action_items", "assignee", "null"),
    ("quote_cards", "speaker", "null"),
    ("speakers", "display_name", "null"),
    ("speakers", "label", "text"),
    ("transcript_chunks", "speakers", "array"),
    ("graph_nodes", "name", "unique"),
    ("graph_nodes", "description", "text"),
    ("graph_nodes", "properties", "jsonb"),
    ("graph_edges", "properties", "jsonb"),
    ("graph_evidence", "excerpt", "text"),
    ("events", "data", "jsonb"),
    ("workflow_runs", "event_data", "jsonb"),
    ("workflow_step_runs", "output", "jsonb"),
    ("jobs", "input", "jsonb"),
    ("jobs", "result", "jsonb"),
    ("integration_events", "payload", "jsonb"),
    ("integration_events", "result", "jsonb"),
    ("audit_log", "before", "log"),
    ("audit_log", "after", "log"),
    ("security_events", "details", "log"),
)
LOGS = ("audit_log", "security_events")


class ErasureRefused(Conflict):
    """409: the erasure cannot run yet (the person is an organization's only owner)."""


class Residue(Conflict):
    """409: after erasing, a column still held the person's data; nothing was erased."""


@dataclass
class Erasure:
    """What an erasure did: counts per table (no personal data)."""

    user_id: UUID
    at: datetime
    counts: dict[str, int] = field(default_factory=dict)
    redaction_id: UUID | None = None

    def add(self, what: str, n: int) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n


@dataclass(frozen=True)
class Needles:
    """What to look for: the pattern of the person's identifiers and the exact comment bodies."""

    pattern: str
    bodies: list[str]


async def _rowcount(conn: Conn, query: Any, params: dict[str, Any]) -> int:
    cur = await conn.execute(query, params)
    return max(cur.rowcount, 0)


async def needles(conn: Conn, user: dict[str, Any]) -> Needles:
    """The pattern and bodies of a person not yet erased (:func:`erase` step 1); ``user`` is their
    users row (email, username, display_name)."""
    terms = [t for t in (user["email"], user["username"], user["display_name"]) if t]
    for query in (Q.linked_names, Q.linked_speaker_names):
        terms += [r["name"] for r in await (await conn.execute(query, {"user_id": user["id"]})).fetchall()]
    pattern = (await (await conn.execute(Q.pattern, {"terms": terms})).fetchone() or {})["pattern"]
    rows = await (await conn.execute(Q.comment_bodies, {"user_id": user["id"]})).fetchall()
    bodies = sorted({b for r in rows for b in (r["a"], r["b"]) if b})
    return Needles(pattern=pattern, bodies=bodies)


def _sweep_statement(table: str, column: str, mode: Mode) -> sql.Composed:
    t, c = sql.Identifier("mediabase", table), sql.Identifier(column)
    matches: sql.Composable = sql.SQL("{c} ~* %(pattern)s").format(c=c)
    value: sql.Composable
    if mode == "text":
        value = sql.SQL("regexp_replace({c}, %(pattern)s, {r}, 'gi')").format(c=c, r=sql.Literal(ERASED))
    elif mode == "null":
        value = sql.SQL("NULL")
    elif mode == "unique":
        value = sql.SQL("{r} || ' ' || left(replace(id::text, '-', ''), 12)").format(r=sql.Literal(ERASED))
    elif mode == "array":
        value = sql.SQL("mediabase.redact_text_array({c}, %(pattern)s, {r})").format(c=c, r=sql.Literal(ERASED))
        matches = sql.SQL("mediabase.text_array_matches({c}, %(pattern)s)").format(c=c)
    else:  # jsonb, log
        value = sql.SQL("mediabase.redact_jsonb({c}, %(pattern)s, %(bodies)s::text[])").format(c=c)
        matches = sql.SQL("({c}::text ~* %(pattern)s OR {c}::text LIKE ANY (%(quoted)s::text[]))").format(c=c)
    extra = sql.SQL(", redacted_at = %(at)s") if mode == "log" else sql.SQL("")
    returning = sql.SQL(" RETURNING organization_id") if mode == "log" else sql.SQL("")
    return sql.SQL("UPDATE {t} SET {c} = {value}{extra} WHERE {matches}{returning}").format(
        t=t, c=c, value=value, extra=extra, matches=matches, returning=returning)


async def _sweep(conn: Conn, n: Needles, at: datetime, done: Erasure, redacted: dict[UUID, int]) -> None:
    params = {"pattern": n.pattern, "bodies": n.bodies, "at": at,
              "quoted": [_containing(_json_string(b)) for b in n.bodies]}
    for table, column, mode in SWEEP:
        try:
            cur = await conn.execute(_sweep_statement(table, column, mode), params)
        except Exception as exc:
            exc.add_note(f"while erasing from {table}.{column}")
            raise
        if mode == "log":
            rows = await cur.fetchall()
            for r in rows:
                redacted[r["organization_id"]] = redacted.get(r["organization_id"], 0) + 1
            done.add(f"{table}.{column}", len(rows))
        else:
            done.add(f"{table}.{column}", max(cur.rowcount, 0))


def _containing(text: str) -> str:
    """A LIKE pattern matching what contains ``text`` (a list of these goes to ``LIKE ANY``: unlike
    a subquery over unnest(), Citus runs it on the shards)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _json_string(text: str) -> str:
    """How PostgreSQL writes a string inside jsonb::text (to find a body without parsing every row)."""
    return json.dumps(text, ensure_ascii=False)


async def erase(conn: Conn, user_id: UUID, *, request_id: UUID | None = None, reason: str = "erasure request",
                verify: bool = True) -> Erasure:
    """Erase ``user_id`` in ``conn``'s transaction (an owner transaction); see the module's text.
    Raises :class:`NotFound`, :class:`ErasureRefused` or, with ``verify``, :class:`Residue`."""
    user = await (await conn.execute(Q.lock_user, {"user_id": user_id})).fetchone()
    if user is None:
        raise NotFound("user not found")
    at = (await (await conn.execute("SELECT now() AS at")).fetchone() or {})["at"]
    done = Erasure(user_id=user_id, at=at)
    if user["erased_at"] is not None:
        done.counts["already_erased"] = 1
        return done
    owned = [r["slug"] for r in await (await conn.execute(Q.sole_owner_of, {"user_id": user_id})).fetchall()]
    if owned:
        raise ErasureRefused(f"the user is the only owner of {', '.join(owned)}: make another member an owner first")
    n = await needles(conn, user)
    await conn.execute("SET LOCAL mediabase.redaction = 'on'")
    base = {"user_id": user_id, "at": at, "email": user["email"], "pattern": n.pattern, "bodies": n.bodies}

    orgs = [r["id"] for r in await (await conn.execute(Q.personal_organizations, base)).fetchall()]
    done.add("organizations", len(orgs))
    done.add("videos", await _rowcount(conn, Q.trash_personal_videos, {**base, "orgs": orgs}))
    done.add("comments", await _rowcount(conn, Q.delete_comments, base))
    done.add("decision_edits", await _rowcount(conn, Q.decision_edit_values, base))
    people = await (await conn.execute(Q.unlink_people, base)).fetchall()
    done.add("people", len(people))
    done.add("speakers", await _rowcount(conn, Q.unname_speakers, {
        "orgs": [p["organization_id"] for p in people], "ids": [p["id"] for p in people]}))
    done.add("ai_action_items", await _rowcount(conn, Q.unassign_action_items, base))
    done.add("integration_accounts", await _rowcount(conn, Q.unlink_integration_accounts, base))
    done.add("notifications", await _rowcount(conn, Q.delete_notifications, base))
    done.add("mail_outbox", await _rowcount(conn, Q.delete_mail, base))
    done.add("invitations", await _rowcount(conn, Q.delete_invitations, base))
    done.add("music_artists", await _rowcount(conn, Q.erase_artists, base))
    done.add("music_producers", await _rowcount(conn, Q.erase_producers, base))
    done.add("data_requests", await _rowcount(conn, Q.drop_archives, base))

    redacted: dict[UUID, int] = {}
    for r in await (await conn.execute(Q.redact_own_security_events, base)).fetchall():
        redacted[r["organization_id"]] = redacted.get(r["organization_id"], 0) + r["n"]
        done.add("security_events", r["n"])
    for fk in await (await conn.execute(Q.cascading_foreign_keys)).fetchall():
        statement = sql.SQL("DELETE FROM {t} WHERE {c} = %(user_id)s").format(
            t=_table(fk["tbl"]), c=sql.Identifier(fk["col"]))
        done.add(fk["tbl"].removeprefix("mediabase."), await _rowcount(conn, statement, base))
    await conn.execute(Q.pseudonymise_user, base)
    done.add("users", 1)
    # last: the writes above were audited too (their before-images name the person)
    await _sweep(conn, n, at, done, redacted)
    if redacted:
        logs = {k: v for k, v in done.counts.items() if k.split(".")[0] in LOGS}
        row = await (await conn.execute(Q.insert_redaction, {
            "user_id": user_id, "request_id": request_id, "reason": reason, "at": at, "counts": Jsonb(logs),
        })).fetchone()
        assert row is not None
        done.redaction_id = row["id"]
        await conn.execute(Q.record_redaction, {"redaction_id": done.redaction_id, "reason": reason,
                                                "orgs": list(redacted), "counts": list(redacted.values())})
    if verify and (found := await residue(conn, n)):
        raise Residue("erasure stopped, nothing erased: still found in " + ", ".join(found))
    return done


# -- verification --------------------------------------------------------------------------------

TEXT_COLUMNS = """
SELECT c.oid::regclass::text AS tbl, array_agg(a.attname::text ORDER BY a.attnum) AS cols,
       array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum) AS types
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'mediabase'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'jsonb'::regtype, 'text[]'::regtype, 'json'::regtype,
                      'bpchar'::regtype)
 GROUP BY c.oid ORDER BY 1
"""


async def residue(conn: Conn, n: Needles) -> list[str]:
    """``table.column`` of every text, varchar, char, text[], json and jsonb column of every table
    of the schema (from the catalog) that still holds a match of the pattern or a comment body
    (as it is, or as it is written inside JSON)."""
    texts = sorted({_containing(t) for b in n.bodies for t in (b, _json_string(b)[1:-1])})
    found: list[str] = []
    for t in await (await conn.execute(TEXT_COLUMNS)).fetchall():
        checks = [sql.SQL("coalesce(bool_or({c}::text ~* %(pattern)s OR {c}::text LIKE ANY (%(texts)s::text[])),"
                          " false) AS {a}").format(
                              c=sql.Identifier(col), a=sql.Identifier(f"c{i}"))
                  for i, col in enumerate(t["cols"])]
        statement = sql.SQL("SELECT {checks} FROM {t}").format(checks=sql.SQL(", ").join(checks), t=_table(t["tbl"]))
        row = await (await conn.execute(statement, {"pattern": n.pattern, "texts": texts})).fetchone()
        assert row is not None
        found += [f"{t['tbl'].removeprefix('mediabase.')}.{col}"
                  for col, hit in zip(t["cols"], row.values(), strict=True) if hit]
    return found


def _table(regclass_text: str) -> sql.Composable:
    """A table as the catalog names it (regclass::text: qualified when off the search_path)."""
    name = regclass_text.removeprefix("mediabase.")
    return sql.Identifier("mediabase", name)
