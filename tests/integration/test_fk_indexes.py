"""Every foreign key of schema mediabase has an index that serves it.

Deleting (or re-keying) a referenced row makes PostgreSQL look for the referencing rows with
``WHERE fk_col1 = $1 AND …`` (to refuse, cascade or set null); without an index for that, it
is a sequential scan of the referencing table, once per deleted row: deleting a user would read
every table that names users. The test asks the catalog, so a foreign key added later without
its index fails here too.

An index serves a foreign key when its leading columns (in any order) are
- all the key's columns, or
- some of them whose referenced columns hold a unique key of the referenced table: then the
  rows they find all reference one row, so they are exactly the rows the check looks for
  (``(organization_id, transcript_id)`` serves the key ``(organization_id, transcript_id,
  video_id)`` to ``transcripts (organization_id, id, video_id)``, as ``(organization_id, id)``
  is the primary key of transcripts).
A partial index counts when its predicate only says that some of the key's columns are not
NULL: ``col = $1`` implies it, and the planner proves that. Partitioned tables count through
their parent (key and index are declared there and cloned to every partition; the clones,
``conparentid <> 0``, are not listed again). The migrator's own ledger
(schema_migration_repairs -> schema_migrations) is left out: its tables are created by the
migrator before any migration, owned by whoever first migrated, and their rows are never deleted.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import psycopg

FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text AS table_name, c.conname, c.conrelid::oid AS rel,
       c.confrelid::oid AS frel, c.conkey::int[] AS cols, c.confkey::int[] AS fcols,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k (n, o)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS names
  FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace
 WHERE c.contype = 'f' AND s.nspname = 'mediabase' AND c.conparentid = 0
   AND c.conrelid <> 'mediabase.schema_migration_repairs'::regclass
 ORDER BY 1, 2
"""

# Valid indexes of the schema: the key columns (0 for an expression) and the predicate.
INDEXES = """
SELECT i.indrelid::oid AS rel, (i.indkey::int2[])[0:i.indnkeyatts - 1]::int[] AS cols, i.indisunique AS is_unique,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum > 0) AS names,
       ARRAY(SELECT a.attnum::int FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum > 0) AS nums
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace s ON s.oid = c.relnamespace
 WHERE s.nspname = 'mediabase' AND i.indisvalid
"""

NOT_NULL = re.compile(r"\(?(\w+) IS NOT NULL\)?")


class ForeignKey(NamedTuple):
    table_name: str
    conname: str
    rel: int
    frel: int
    cols: list[int]
    fcols: list[int]
    names: list[str]


class Index(NamedTuple):
    rel: int
    cols: list[int]
    is_unique: bool
    predicate: str | None
    names: list[str]
    nums: list[int]


def predicate_implied(ix: Index, fk: ForeignKey) -> bool:
    """Whether ``fk_cols = $n`` implies the index's predicate: none, or only NOT NULL tests of
    the key's columns joined by AND."""
    if ix.predicate is None:
        return True
    named = dict(zip(ix.names, ix.nums, strict=True))
    tested = NOT_NULL.findall(ix.predicate)
    rest = re.sub(r"[()\s]|AND", "", NOT_NULL.sub("", ix.predicate))
    return not rest and all(named.get(col) in fk.cols for col in tested)


def serves(ix: Index, fk: ForeignKey, unique_keys: list[set[int]]) -> bool:
    if ix.rel != fk.rel or not predicate_implied(ix, fk):
        return False
    to_referenced = dict(zip(fk.cols, fk.fcols, strict=True))
    for m in range(1, len(fk.cols) + 1):
        lead = set(ix.cols[:m])
        if len(ix.cols) < m or len(lead) < m or not lead <= set(fk.cols):
            return False
        if m == len(fk.cols) or any(key <= {to_referenced[c] for c in lead} for key in unique_keys):
            return True
    return False


def unserved(conn: psycopg.Connection) -> list[ForeignKey]:
    fks = [ForeignKey(*r) for r in conn.execute(FOREIGN_KEYS).fetchall()]
    indexes = [Index(*r) for r in conn.execute(INDEXES).fetchall()]
    unique: dict[int, list[set[int]]] = {}
    for ix in indexes:
        if ix.is_unique and ix.predicate is None and 0 not in ix.cols:
            unique.setdefault(ix.rel, []).append(set(ix.cols))
    return [fk for fk in fks if not any(serves(ix, fk, unique.get(fk.frel, [])) for ix in indexes)]


def test_every_foreign_key_has_an_index_that_serves_it(migrated_url: str) -> None:
    with psycopg.connect(migrated_url) as conn:
        n_keys = len(conn.execute(FOREIGN_KEYS).fetchall())
        missing = unserved(conn)
    assert n_keys > 50  # the query sees the schema's keys at all
    assert not missing, f"{len(missing)} foreign key(s) without an index that serves them:\n" + "\n".join(
        f"  {fk.table_name} ({', '.join(fk.names)})  [{fk.conname}]" for fk in missing
    )


def test_the_check_itself(migrated_url: str) -> None:
    """Which indexes count: the key's columns in any order first, a NOT NULL partial index, a
    prefix that is unique on the referenced side; not a prefix that is not, nor another predicate."""
    with psycopg.connect(migrated_url) as conn:
        conn.execute("SET search_path = mediabase")
        conn.execute("CREATE TABLE fk_parent (a int, b int, c int, PRIMARY KEY (a, b), UNIQUE (a, b, c))")
        conn.execute(
            "CREATE TABLE fk_child (x int, a int, b int, c int,"
            " CONSTRAINT fk_child_ab FOREIGN KEY (a, b) REFERENCES fk_parent (a, b),"
            " CONSTRAINT fk_child_abc FOREIGN KEY (a, b, c) REFERENCES fk_parent (a, b, c))"
        )

        def missing() -> list[str]:
            return [fk.conname for fk in unserved(conn) if fk.table_name == "fk_child"]

        assert missing() == ["fk_child_ab", "fk_child_abc"]
        conn.execute("CREATE INDEX ON fk_child (a, x, b)")  # b is not among the first two
        conn.execute("CREATE INDEX ON fk_child (a, b, c) WHERE x > 0")  # a predicate the check does not imply
        conn.execute("CREATE INDEX ON fk_child (c, a)")  # a prefix that is unique on no side
        assert missing() == ["fk_child_ab", "fk_child_abc"]
        conn.execute("CREATE INDEX ON fk_child (b, a, x) WHERE b IS NOT NULL AND a IS NOT NULL")
        assert missing() == []  # (b, a) is fk_parent's primary key: it serves both keys
        conn.rollback()
