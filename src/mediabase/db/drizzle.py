"""A Drizzle ORM schema (TypeScript) of schema ``mediabase``, written from the catalog:
``mediabase export drizzle`` (docs/clients.md).

``drizzle-kit pull`` on this database gives a file that does not compile and loses what matters
(issue 25): it reads the partitions instead of their partitioned parents, maps pgvector (a type
of schema ``mediabase``), tsvector, bytea and regconfig to ``unknown(...)``, cuts a ``''`` default
into an unterminated string, joins every composite foreign key in ``relations()`` on its first
column only, and drops two policies' expressions. This module reads the same catalog and writes
what the pinned drizzle-orm (clients/drizzle/package.json) can hold:

- every table and partitioned parent (never a partition), with its columns' types, NOT NULL,
  defaults and generated expressions as ``sql`` templates (escaped for a template literal),
  identity columns;
- primary keys, unique constraints, CHECKs and foreign keys with all their columns, by name;
- ``relations()`` joined on every column of each foreign key, one ``relationName`` per key, so
  two keys between the same tables never collide;
- row-level security: ``pgPolicy`` with its command, roles and expressions, ``.enableRLS()``;
- views as ``view(...).existing()``; pgvector's ``vector`` with its dimensions when the column
  has them; tsvector, bytea, regconfig and any other type as a ``customType``.

What Drizzle cannot say (exclusion constraints, deferrable keys, ``SET NULL (column)``, FORCE
ROW LEVEL SECURITY) is written as a comment beside the table. The schema is for queries: the
migrations own the database, so ``drizzle-kit push``/``generate`` must never run against it.

The ground imports no domain: this reads only the catalog.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from mediabase.config import Settings
from mediabase.db import sessions
from mediabase.db.rows import Conn

SCHEMA = "mediabase"

# relations of the schema: tables, partitioned parents, views, materialized views; no partition
_RELATIONS = """
SELECT c.oid, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity,
       obj_description(c.oid, 'pg_class') AS comment
  FROM pg_class c
 WHERE c.relnamespace = %(schema)s::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
 ORDER BY c.relname
"""

_COLUMNS = """
SELECT a.attrelid AS rel, a.attname AS name, a.attnotnull AS not_null, a.attgenerated AS generated,
       a.attidentity AS identity, pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       coalesce(bt.typname, t.typname) AS type_name,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
       t.typcategory = 'A' AS is_array,
       coalesce(et.typname, '') AS elem_name, coalesce(et.typtype, '') AS elem_kind,
       et.oid AS elem_oid, t.typtype AS kind, t.oid AS type_oid
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
  LEFT JOIN pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE c.relnamespace = %(schema)s::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
   AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum
"""

_CONSTRAINTS = """
SELECT k.conrelid AS rel, k.conname AS name, k.contype AS kind, k.confrelid AS target,
       ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY AS u(n, i)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS columns,
       ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY AS u(n, i)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n
              ORDER BY u.i)::text[] AS target_columns,
       k.confdeltype AS on_delete, k.confupdtype AS on_update, k.confdelsetcols IS NOT NULL AS delete_sets_some,
       k.condeferrable AS deferrable, pg_get_expr(k.conbin, k.conrelid) AS check_expr,
       pg_get_constraintdef(k.oid) AS definition, coalesce(i.indnullsnotdistinct, false) AS nulls_not_distinct
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  LEFT JOIN pg_index i ON k.contype = 'u' AND i.indexrelid = k.conindid
 WHERE c.relnamespace = %(schema)s::regnamespace AND NOT c.relispartition AND k.contype IN ('p', 'u', 'f', 'c', 'x')
   AND k.conparentid = 0
 ORDER BY k.conrelid, k.contype, k.conname
"""

_POLICIES = """
SELECT p.polrelid AS rel, p.polname AS name, p.polcmd AS command, p.polpermissive AS permissive,
       ARRAY(SELECT r.rolname FROM pg_roles r WHERE r.oid = ANY (p.polroles) ORDER BY r.rolname)::text[] AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS using_expr, pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
 WHERE c.relnamespace = %(schema)s::regnamespace AND NOT c.relispartition
 ORDER BY p.polrelid, p.polname
"""

_ENUMS = """
SELECT t.oid, t.typname AS name, ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid
                                      ORDER BY e.enumsortorder)::text[] AS labels
  FROM pg_type t WHERE t.typnamespace = %(schema)s::regnamespace AND t.typtype = 'e' ORDER BY t.typname
"""

_VERSION = """
SELECT CASE WHEN to_regclass('mediabase.schema_migrations') IS NOT NULL
            THEN (SELECT max(format('%s_%s', lpad(version::text, 4, '0'), name)) FROM mediabase.schema_migrations)
       END AS version
"""

# built-in types with a column builder of drizzle-orm/pg-core: type name -> builder
_BUILDERS = {
    "uuid": "uuid", "text": "text", "varchar": "varchar", "bpchar": "char", "int2": "smallint", "int4": "integer",
    "int8": "bigint", "float4": "real", "float8": "doublePrecision", "numeric": "numeric", "bool": "boolean",
    "timestamptz": "timestamp", "timestamp": "timestamp", "date": "date", "time": "time", "timetz": "time",
    "interval": "interval", "json": "json", "jsonb": "jsonb", "inet": "inet", "cidr": "cidr", "macaddr": "macaddr",
    "macaddr8": "macaddr8", "vector": "vector", "halfvec": "halfvec",
}
_ACTIONS = {"r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}  # 'a' (no action): the default
_COMMANDS = {"*": "all", "r": "select", "a": "insert", "w": "update", "d": "delete"}
_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_RESERVED = frozenset((
    "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
    "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
    "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "as",
    "implements", "interface", "let", "package", "private", "protected", "public", "static", "yield", "any",
    "boolean", "number", "string", "symbol", "type", "of", "await", "async", "constructor",
))


def template(expr: str) -> str:
    """``expr`` as a Drizzle ``sql`` tagged template: backslashes, backticks and ``${`` escaped,
    so a default of ``''`` or ``E'\\\\n'`` stays the SQL it is."""
    return "sql`" + expr.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${") + "`"


def string(text: str) -> str:
    """A TypeScript string literal."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + out.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + '"'


def camel(name: str) -> str:
    """``organization_id`` → ``organizationId``; a name that would not be an identifier gets a ``_``."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    if not parts:
        return "_"
    out = parts[0][:1].lower() + parts[0][1:] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
    return "_" + out if out[0].isdigit() else out


def key(name: str) -> str:
    """A property name: bare when it is an identifier, quoted otherwise."""
    return name if _IDENT.match(name) else string(name)


def comment(text: str, indent: str = "") -> list[str]:
    """A JSDoc block (``*/`` inside it broken)."""
    lines = text.replace("*/", "*\u200b/").strip().splitlines()
    return [f"{indent}/**", *(f"{indent} * {ln}".rstrip() for ln in lines), f"{indent} */"]


@dataclass
class Column:
    name: str
    not_null: bool
    generated: str
    identity: str
    default_expr: str | None
    type_name: str
    typmod: int
    is_array: bool
    elem_name: str
    kind: str
    type_oid: int
    elem_oid: int | None
    ts: str = ""  # its property name


@dataclass
class Relation:
    oid: int
    name: str
    kind: str
    rls: bool
    force_rls: bool
    comment: str | None
    columns: list[Column] = field(default_factory=list)
    constraints: list[dict[str, Any]] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)
    ts: str = ""  # its const name

    @property
    def is_view(self) -> bool:
        return self.kind in ("v", "m")

    def col(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass
class Catalog:
    relations: list[Relation]
    enums: dict[int, tuple[str, list[str]]]
    version: str | None


async def read_catalog(conn: Conn, schema: str = SCHEMA) -> Catalog:
    """What the generator needs, read on ``conn`` with search_path pg_catalog (so every name
    outside it comes qualified in the expressions)."""
    await conn.execute("SET search_path TO pg_catalog")
    await conn.execute("SET TimeZone TO 'UTC'")  # constants in defaults and checks: the same text anywhere
    await conn.execute("SET DateStyle TO ISO, YMD")
    args = {"schema": schema}
    rels = {r["oid"]: Relation(r["oid"], r["relname"], r["relkind"], r["relrowsecurity"], r["relforcerowsecurity"],
                               r["comment"])
            for r in await (await conn.execute(_RELATIONS, args)).fetchall()}
    for r in await (await conn.execute(_COLUMNS, args)).fetchall():
        if r["rel"] in rels:
            rels[r["rel"]].columns.append(Column(
                r["name"], r["not_null"], r["generated"], r["identity"], r["default_expr"], r["type_name"],
                r["typmod"], r["is_array"], r["elem_name"], r["kind"] if not r["is_array"] else r["elem_kind"],
                r["type_oid"], r["elem_oid"]))
    for r in await (await conn.execute(_CONSTRAINTS, args)).fetchall():
        if r["rel"] in rels and (r["kind"] != "f" or r["target"] in rels):
            rels[r["rel"]].constraints.append(dict(r))
    for r in await (await conn.execute(_POLICIES, args)).fetchall():
        if r["rel"] in rels:
            rels[r["rel"]].policies.append(dict(r))
    enums = {r["oid"]: (r["name"], list(r["labels"])) for r in await (await conn.execute(_ENUMS, args)).fetchall()}
    row = await (await conn.execute(_VERSION)).fetchone()
    return Catalog(list(rels.values()), enums, row["version"] if row else None)


class _Names:
    """Identifiers handed out once each, in one scope."""

    def __init__(self, taken: set[str] | None = None, *, consts: bool = False) -> None:
        self.taken = set(taken or ())
        self.reserved = _RESERVED if consts else frozenset()  # a property may be named 'default', a const not

    def claim(self, wanted: str, suffix: str = "") -> str:
        """``wanted``; if taken (or a reserved word), ``wanted + suffix``; then numbered."""
        name = wanted
        if name in self.taken or name in self.reserved:
            name = wanted + (suffix or "_")
        base, n = name, 2
        while name in self.taken:
            name, n = f"{base}{n}", n + 1
        self.taken.add(name)
        return name


class _Writer:
    def __init__(self, catalog: Catalog, schema: str) -> None:
        self.catalog = catalog
        self.schema = schema
        self.core: set[str] = set()  # what to import from drizzle-orm/pg-core
        self.custom: dict[str, str] = {}  # SQL type -> its customType const
        self.custom_lines: list[str] = []
        self.enum_consts: dict[int, str] = {}
        imports = {"sql", "relations", "pgSchema", "PgTableExtraConfigValue", "customType", "primaryKey", "foreignKey",
                   "unique", "check", "pgPolicy", *_BUILDERS.values()}
        self.names = _Names(imports, consts=True)  # a table named 'text' must not hide the column builder
        self.schema_const = self.names.claim(camel(schema), "Schema")
        self.by_oid = {r.oid: r for r in catalog.relations}

    # -- types ------------------------------------------------------------------------------------

    def _custom(self, sql_type: str) -> str:
        """The ``customType`` const of ``sql_type`` (made on first use)."""
        if sql_type in self.custom:
            return self.custom[sql_type]
        const = self.names.claim(camel(sql_type.split(".")[-1]) + "Type")
        self.core.add("customType")
        if sql_type == "bytea":
            body = ["customType<{ data: Uint8Array; driverData: Uint8Array }>({",
                    '  dataType() { return "bytea"; },', "});"]
        elif sql_type == f"{self.schema}.vector":
            body = ["customType<{ data: number[]; driverData: string }>({",
                    f"  dataType() {{ return {string(sql_type)}; }},",
                    "  toDriver(value: number[]): string { return JSON.stringify(value); },",
                    "  fromDriver(value: string): number[] { return JSON.parse(value) as number[]; },", "});"]
        else:
            body = ["customType<{ data: string; driverData: string }>({",
                    f"  dataType() {{ return {string(sql_type)}; }},", "});"]
        doc = {"bytea": "bytea: bytes (node-postgres reads a Buffer, a Uint8Array)",
               f"{self.schema}.vector": "pgvector's vector without a fixed dimension (every embedding model keeps its "
                                        "own): number[], sent as '[1,2,3]'",
               "tsvector": "tsvector: read as its text form; match with sql`... @@ websearch_to_tsquery(...)`",
               "regconfig": "regconfig: a text search configuration's name, e.g. 'english'"}.get(
                   sql_type, f"{sql_type}: read and written as its text form")
        self.custom_lines += [f"/** {doc} */", f"export const {const} = " + body[0], *body[1:], ""]
        self.custom[sql_type] = const
        return const

    def column_builder(self, c: Column) -> str:
        name = string(c.name)
        t = c.elem_name if c.is_array else c.type_name
        kind = c.kind
        oid = c.elem_oid if c.is_array else c.type_oid
        mod = c.typmod
        if kind == "e" and oid in self.catalog.enums:
            out = f"{self.enum_consts[oid]}({name})"
        elif t in ("vector", "halfvec") and mod > 0:
            self.core.add(t)
            out = f"{t}({name}, {{ dimensions: {mod} }})"
        elif t in _BUILDERS and t not in ("vector", "halfvec"):
            builder = _BUILDERS[t]
            self.core.add(builder)
            opts: list[str] = []
            if t in ("varchar", "bpchar") and mod > 4:
                opts.append(f"length: {mod - 4}")
            elif t == "numeric" and mod > 4:
                opts += [f"precision: {((mod - 4) >> 16) & 0xFFFF}", f"scale: {(mod - 4) & 0xFFFF}"]
            elif t in ("timestamptz", "timestamp", "time", "timetz"):
                if t in ("timestamptz", "timetz"):
                    opts.append("withTimezone: true")
                if mod >= 0:
                    opts.append(f"precision: {mod}")
            elif t == "int8":
                opts.append('mode: "number"')
            out = f"{builder}({name}" + (f", {{ {', '.join(opts)} }}" if opts else "") + ")"
        else:
            sql_type = f"{self.schema}.{t}" if t in ("vector", "halfvec", "sparsevec") else t
            out = f"{self._custom(sql_type)}({name})"
        if c.is_array:
            out += ".array()"
        if c.not_null:
            out += ".notNull()"
        if c.identity:
            out += ".generatedAlwaysAsIdentity()" if c.identity == "a" else ".generatedByDefaultAsIdentity()"
        elif c.generated and c.default_expr is not None:
            out += f".generatedAlwaysAs({template(c.default_expr)})"
        elif c.default_expr is not None:
            out += f".default({template(c.default_expr)})"
        return out

    # -- tables and views ------------------------------------------------------------------------

    def relation(self, r: Relation) -> list[str]:
        lines: list[str] = []
        if r.comment:
            lines += comment(r.comment)
        cols = [f"  {key(c.ts)}: {self.column_builder(c)}," for c in r.columns]
        if r.is_view:
            fn = "view" if r.kind == "v" else "materializedView"
            head = f"export const {r.ts} = {self.schema_const}.{fn}({string(r.name)}, {{"
            return [*lines, head, *cols, "}).existing();", ""]
        notes, extra = self.table_extras(r)
        lines += [f"// {n}" for n in notes]
        head = f"export const {r.ts} = {self.schema_const}.table({string(r.name)}, {{"
        if not extra:
            return [*lines, head, *cols, "})" + (".enableRLS();" if r.rls else ";"), ""]
        tail = "]).enableRLS();" if r.rls else "]);"
        # the annotated return type lets two tables name each other (story_bibles, story_segments)
        return [*lines, head, *cols, "}, (t): PgTableExtraConfigValue[] => [", *extra, tail, ""]

    def table_extras(self, r: Relation) -> tuple[list[str], list[str]]:
        notes: list[str] = []
        extra: list[str] = []

        def cols(names: list[str], owner: Relation, prefix: str) -> str:
            return "[" + ", ".join(f"{prefix}.{owner.col(n).ts}" for n in names) + "]"

        order = {"p": 0, "u": 1, "f": 2, "c": 3, "x": 4}
        for k in sorted(r.constraints, key=lambda k: (order[k["kind"]], k["name"])):
            name = string(k["name"])
            if k["kind"] == "p":
                self.core.add("primaryKey")
                extra.append(f"  primaryKey({{ name: {name}, columns: {cols(k['columns'], r, 't')} }}),")
            elif k["kind"] == "u":
                self.core.add("unique")
                on = ", ".join(f"t.{r.col(n).ts}" for n in k["columns"])
                extra.append(f"  unique({name}).on({on})" + (".nullsNotDistinct()" if k["nulls_not_distinct"] else "")
                             + ",")
            elif k["kind"] == "f":
                self.core.add("foreignKey")
                target = self.by_oid[k["target"]]
                fk = (f"  foreignKey({{ name: {name}, columns: {cols(k['columns'], r, 't')}, "
                      f"foreignColumns: {cols(k['target_columns'], target, 't' if target is r else target.ts)} }})")
                if k["on_delete"] in _ACTIONS:
                    fk += f'.onDelete("{_ACTIONS[k["on_delete"]]}")'
                if k["on_update"] in _ACTIONS:
                    fk += f'.onUpdate("{_ACTIONS[k["on_update"]]}")'
                extra.append(fk + ",")
                if k["delete_sets_some"] or k["deferrable"]:
                    notes.append(f"{k['name']}: {k['definition']} (Drizzle keeps the key, not all of this)")
            elif k["kind"] == "c":
                self.core.add("check")
                extra.append(f"  check({name}, {template(k['check_expr'])}),")
            else:
                notes.append(f"{k['name']}: {k['definition']} (an exclusion constraint: Drizzle has none)")
        for p in r.policies:
            self.core.add("pgPolicy")
            opts = [f'as: "{"permissive" if p["permissive"] else "restrictive"}"',
                    f'for: "{_COMMANDS[p["command"]]}"']
            roles = list(p["roles"])
            opts.append('to: "public"' if not roles else "to: [" + ", ".join(string(x) for x in roles) + "]")
            if p["using_expr"] is not None:
                opts.append(f"using: {template(p['using_expr'])}")
            if p["check_expr"] is not None:
                opts.append(f"withCheck: {template(p['check_expr'])}")
            extra.append(f"  pgPolicy({string(p['name'])}, {{ {', '.join(opts)} }}),")
        if r.force_rls:
            notes.append("FORCE ROW LEVEL SECURITY: the policies apply to the owner too")
        return notes, extra

    # -- relations --------------------------------------------------------------------------------

    def relations(self, tables: list[Relation]) -> list[str]:
        """One ``relations()`` per table that has or is the target of a foreign key: ``one()`` on
        the referencing side, ``many()`` on the referenced one, joined on every column of the key
        and named by it (``relationName``), so keys never collide."""
        ones: dict[int, list[tuple[dict[str, Any], Relation]]] = defaultdict(list)
        manys: dict[int, list[tuple[dict[str, Any], Relation]]] = defaultdict(list)
        for r in tables:
            for k in r.constraints:
                if k["kind"] == "f":
                    ones[r.oid].append((k, self.by_oid[k["target"]]))
                    manys[k["target"]].append((k, r))
        out: list[str] = []
        for r in tables:
            if not ones[r.oid] and not manys[r.oid]:
                continue
            props = _Names({c.ts for c in r.columns})
            entries: list[str] = []
            for k, target in ones[r.oid]:
                own = [n for n in k["columns"] if n != "organization_id"] or k["columns"]
                if len(own) == 1:
                    base = camel(own[0][:-3] if own[0].endswith("_id") and len(own[0]) > 3 else own[0] + "_ref")
                else:
                    base = camel(target.name) + "By" + "".join(camel(n).capitalize() for n in own)
                prop = props.claim(base, "Ref")
                fields = "[" + ", ".join(f"{r.ts}.{r.col(n).ts}" for n in k["columns"]) + "]"
                refs = "[" + ", ".join(f"{target.ts}.{target.col(n).ts}" for n in k["target_columns"]) + "]"
                entries.append(f"  {key(prop)}: one({target.ts}, {{ fields: {fields}, references: {refs}, "
                               f"relationName: {string(k['name'])} }}),")
            same: dict[int, int] = defaultdict(int)
            for _, child in manys[r.oid]:
                same[child.oid] += 1
            for k, child in manys[r.oid]:
                base = camel(child.name)
                if same[child.oid] > 1:
                    own = [n for n in k["columns"] if n != "organization_id"] or k["columns"]
                    base += "By" + "".join(camel(n).capitalize() for n in own)
                prop = props.claim(base)
                entries.append(f"  {key(prop)}: many({child.ts}, {{ relationName: {string(k['name'])} }}),")
            helpers = ", ".join(h for h, used in (("one", ones[r.oid]), ("many", manys[r.oid])) if used)
            const = self.names.claim(r.ts + "Relations")
            out += [f"export const {const} = relations({r.ts}, ({{ {helpers} }}) => ({{", *entries, "}));", ""]
        return out

    # -- the file ---------------------------------------------------------------------------------

    def render(self) -> str:
        for oid, (name, _) in sorted(self.catalog.enums.items(), key=lambda e: e[1][0]):
            self.enum_consts[oid] = self.names.claim(camel(name) + "Enum")
        enum_lines = [f"export const {self.enum_consts[oid]} = {self.schema_const}.enum({string(name)}, ["
                      + ", ".join(string(x) for x in labels) + "]);"
                      for oid, (name, labels) in sorted(self.catalog.enums.items(), key=lambda e: e[1][0])]
        for r in self.catalog.relations:
            r.ts = self.names.claim(camel(r.name), "Table")
            props = _Names()
            for c in r.columns:
                c.ts = props.claim(camel(c.name))
        tables = [r for r in self.catalog.relations if not r.is_view]
        views = [r for r in self.catalog.relations if r.is_view]
        body: list[str] = []
        for r in tables + views:
            body += self.relation(r)
        rel_lines = self.relations(tables)
        core = sorted(self.core | {"pgSchema"})
        head = [
            f"// The Drizzle schema of PostgreSQL schema {self.schema}"
            + (f", migrations up to {self.catalog.version}" if self.catalog.version else "") + ".",
            "// Written by `mediabase export drizzle` from the catalog; do not edit, write it again (docs/clients.md).",
            "// For queries only: mediabase's migrations own the database (never drizzle-kit push or migrate).",
            "// Tables with secrets grant some columns only (users, api_keys, sessions, ...): read their",
            "// *_readable views, or name the columns you select.",
            "",
            'import { relations, sql } from "drizzle-orm";',
            "import {",
            *(f"  {name}," for name in core),
            '} from "drizzle-orm/pg-core";',
            'import type { PgTableExtraConfigValue } from "drizzle-orm/pg-core";',
            "",
            f"export const {self.schema_const} = pgSchema({string(self.schema)});",
            "",
        ]
        parts = head + self.custom_lines + ([*enum_lines, ""] if enum_lines else []) + body + rel_lines
        return "\n".join(parts).rstrip() + "\n"


def generate(catalog: Catalog, schema: str = SCHEMA) -> str:
    """The TypeScript module of ``catalog``."""
    return _Writer(catalog, schema).render()


async def export(url: str, settings: Settings) -> str:
    """The Drizzle schema of the database at ``url`` (a session of its own; the catalog only)."""
    async with sessions.connect(url, settings) as conn:
        return generate(await read_catalog(conn))
