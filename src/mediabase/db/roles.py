"""Login roles for direct SQL clients: one per client application (``mediabase db role create``;
docs/clients.md, "Roles and the embedded port").

The rule is the one migration 0011 made ``mediabase_api`` by (issue 11, DESIGN decision 11): a
login role is a member of ``mediabase_app`` and of nothing else — not a superuser, no BYPASSRLS,
no CREATEROLE/CREATEDB/REPLICATION, never the owner (``mediabase_owner``) nor owning anything —
so no SQL on its connections can leave row-level security. :func:`problems` checks it, for
``mediabase_api`` and every client role alike.

The one difference: a client role INHERITs ``mediabase_app``'s privileges, where ``mediabase_api``
(NOINHERIT) has none until its transaction says ``SET LOCAL ROLE mediabase_app``. A client that
forgets that statement then still reads as the app role does, under row-level security: with no
tenant set it sees no tenant's rows, never every organization's (what the superuser's URL does).

Its password is generated here and stored as a SCRAM verifier computed on this side (libpq's
PQencryptPasswordConn): the clear text never reaches the server or its log.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from mediabase.db.errors import Conflict, Invalid, NotFound, Unavailable
from mediabase.db.rows import Conn

APP_ROLE = "mediabase_app"
OWNER_ROLE = "mediabase_owner"
MARK = "mediabase client role (mediabase db role create)"  # COMMENT ON ROLE: what 'list' and 'drop' touch
NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RESERVED = ("pg_", "mediabase_")  # PostgreSQL's own roles and the schema's
SEARCH_PATH = ("mediabase", "public")

_ROLE = """
SELECT r.rolname AS name, r.rolcanlogin AS login, r.rolinherit AS inherit, r.rolsuper AS superuser,
       r.rolbypassrls AS bypassrls, r.rolcreaterole AS createrole, r.rolcreatedb AS createdb,
       r.rolreplication AS replication,
       ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
              WHERE m.member = r.oid ORDER BY 1)::text[] AS member_of,
       pg_has_role(r.oid, 'mediabase_owner', 'MEMBER') AS owner_member,
       EXISTS (SELECT FROM pg_shdepend d WHERE d.refclassid = 'pg_authid'::regclass AND d.refobjid = r.oid
                                          AND d.deptype = 'o') AS owns,
       shobj_description(r.oid, 'pg_authid') AS comment,
       (SELECT count(*) FROM pg_stat_activity a WHERE a.usename = r.rolname)::int AS connections
  FROM pg_roles r
"""


@dataclass(frozen=True, slots=True)
class LoginRole:
    """A login role as the catalog has it, and what of the rule it breaks (nothing: safe)."""

    name: str
    inherit: bool
    connections: int
    client: bool  # made by 'mediabase db role create'
    problems: list[str] = field(default_factory=list)


def check_name(name: str) -> str:
    """A client role's name: lowercase letters, digits and _, a letter first, at most 63
    characters, not one of PostgreSQL's (pg_…) or the schema's (mediabase_…)."""
    if not NAME.match(name):
        raise Invalid(f"{name!r} is not a role name mediabase creates: lowercase letters, digits and _, "
                      "starting with a letter, at most 63 characters")
    if name.startswith(RESERVED):
        raise Invalid(f"{name!r}: names starting with {' or '.join(RESERVED)} are PostgreSQL's or mediabase's own")
    return name


def problems(row: dict[str, Any]) -> list[str]:
    """What of the login rule a role (a row of ``_ROLE``) breaks; empty when it may log in."""
    found = [what for what, bad in (
        ("cannot log in", not row["login"]), ("is a superuser", row["superuser"]),
        ("bypasses row-level security (BYPASSRLS)", row["bypassrls"]), ("may create roles", row["createrole"]),
        ("may create databases", row["createdb"]), ("may replicate", row["replication"]),
        (f"is a member of {OWNER_ROLE}", row["owner_member"]), ("owns objects", row["owns"]),
    ) if bad]
    if list(row["member_of"]) != [APP_ROLE]:
        found.append(f"is a member of {', '.join(row['member_of']) or 'no role'}, not of {APP_ROLE} only")
    return found


def _login_role(row: dict[str, Any]) -> LoginRole:
    return LoginRole(row["name"], row["inherit"], row["connections"], row["comment"] == MARK, problems(row))


async def inspect(conn: Conn, name: str) -> LoginRole:
    """The role ``name`` and what of the rule it breaks."""
    row = await (await conn.execute(_ROLE + " WHERE r.rolname = %s", (name,))).fetchone()
    if row is None:
        raise NotFound(f"there is no role named {name!r}")
    return _login_role(row)


async def list_clients(conn: Conn) -> list[LoginRole]:
    """The client roles ('mediabase db role create' made them), by name."""
    rows = await (await conn.execute(
        _ROLE + " WHERE shobj_description(r.oid, 'pg_authid') = %s ORDER BY r.rolname", (MARK,))).fetchall()
    return [_login_role(r) for r in rows]


async def create(conn: Conn, name: str) -> str:
    """Create the client role ``name`` (LOGIN, INHERIT, a member of mediabase_app only, its
    search_path mediabase, public) with a new password; returns the password."""
    check_name(name)
    row = await (await conn.execute("SELECT to_regrole(%s) IS NOT NULL AS taken, to_regrole(%s) IS NOT NULL AS app",
                                    (name, APP_ROLE))).fetchone()
    assert row is not None
    if row["taken"]:
        raise Conflict(f"a role named {name!r} exists already: drop it first ('mediabase db role drop {name}'), or "
                       "choose another name")
    if not row["app"]:
        raise Unavailable(f"this server has no {APP_ROLE} role yet: run 'mediabase migrate' first")
    password = secrets.token_urlsafe(24)
    verifier = conn.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()
    ident = sql.Identifier(name)
    try:
        async with conn.transaction():
            await conn.execute(sql.SQL(
                "CREATE ROLE {} LOGIN INHERIT NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOREPLICATION"
                " PASSWORD {} IN ROLE {}").format(ident, sql.Literal(verifier), sql.Identifier(APP_ROLE)))
            await conn.execute(sql.SQL("COMMENT ON ROLE {} IS {}").format(ident, sql.Literal(MARK)))
            await conn.execute(sql.SQL("ALTER ROLE {} SET search_path TO {}").format(
                ident, sql.SQL(", ").join(sql.Identifier(s) for s in SEARCH_PATH)))
            made = await inspect(conn, name)
            if made.problems:  # e.g. mediabase_app made a member of another role by hand
                raise Invalid(f"the new role {name!r} would break the login rule: {'; '.join(made.problems)}")
    except psycopg.errors.InsufficientPrivilege as exc:
        raise Invalid(f"the database URL's role may not create {name!r}: it needs CREATEROLE and ADMIN OPTION on "
                      f"{APP_ROLE} (a superuser has both): {exc.diag.message_primary}") from exc
    except psycopg.errors.DuplicateObject as exc:
        raise Conflict(f"a role named {name!r} exists already") from exc
    return password


async def drop(conn: Conn, name: str) -> int:
    """Drop the client role ``name`` after ending its sessions; returns how many were ended.
    Only a role 'create' made: never mediabase_api or another role of the server."""
    check_name(name)
    role = await inspect(conn, name)
    if not role.client:
        raise Invalid(f"{name!r} is not a client role made by 'mediabase db role create'; mediabase drops no other")
    async with conn.transaction():
        await conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(name)))
        # in the select list, not the WHERE clause: evaluated for the role's sessions only
        ended = await (await conn.execute(
            "SELECT pg_terminate_backend(a.pid) AS ended FROM pg_stat_activity a"
            " WHERE a.usename = %s AND a.pid <> pg_backend_pid()", (name,))).fetchall()
        await conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
    return sum(1 for r in ended if r["ended"])


def client_url(base_url: str, name: str, password: str, *, tcp: tuple[str, int] | None = None) -> str:
    """The URL a client logs in with: ``base_url``'s server and database as ``name``, or the
    host and port ``tcp`` (the embedded server's loopback port) with ``base_url``'s database."""
    params = {k: str(v) for k, v in conninfo_to_dict(base_url).items() if v is not None}
    for dropped in ("user", "password", "passfile"):
        params.pop(dropped, None)
    dbname = params.pop("dbname", "postgres")
    host, port = (tcp[0], str(tcp[1])) if tcp else (params.pop("host", ""), params.pop("port", ""))
    if tcp:
        params.pop("host", None)
        params.pop("port", None)
    query: list[tuple[str, str]] = []
    if host.startswith("/") or "," in host:  # a socket directory (or several hosts): a parameter, not the authority
        query.append(("host", host))
        if port:
            query.append(("port", port))
        netloc = ""
    else:
        netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    query += sorted(params.items())
    tail = "&".join(f"{k}={quote(v, safe='/')}" for k, v in query)
    return (f"postgresql://{quote(name, safe='')}:{quote(password, safe='')}@{netloc}/{quote(dbname, safe='')}"
            + (f"?{tail}" if tail else ""))
