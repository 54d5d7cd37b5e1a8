"""The Drizzle schema writer (mediabase.db.drizzle) on catalogs made up here: what it escapes, how
it names, what it does with a key it cannot say. Compiled against the real schema and drizzle-orm:
tests/integration/test_drizzle.py."""

from __future__ import annotations

from typing import Any

import pytest

from mediabase.db.drizzle import Catalog, Column, Relation, camel, generate, string, template


def col(name: str, type_name: str = "uuid", *, not_null: bool = True, default: str | None = None,
        generated: str = "", typmod: int = -1, is_array: bool = False, kind: str = "b", oid: int = 0) -> Column:
    return Column(name, not_null, generated, "", default, type_name, typmod, is_array,
                  type_name if is_array else "", kind, oid, oid if is_array else None)


def fk(name: str, columns: list[str], target: int, target_columns: list[str], **kw: Any) -> dict[str, Any]:
    return {"name": name, "kind": "f", "columns": columns, "target": target, "target_columns": target_columns,
            "on_delete": kw.get("on_delete", "a"), "on_update": "a", "delete_sets_some": False,
            "deferrable": kw.get("deferrable", False), "check_expr": None, "definition": kw.get("definition", ""),
            "nulls_not_distinct": False}


def pk(name: str, columns: list[str]) -> dict[str, Any]:
    return {**fk(name, columns, 0, []), "kind": "p"}


@pytest.mark.parametrize(
    ("expr", "ts"),
    [
        ("''::text", "sql`''::text`"),
        ("'a`b'::text", "sql`'a\\`b'::text`"),
        ("'${x}'::text", "sql`'\\${x}'::text`"),
        ("E'\\\\n'::text", "sql`E'\\\\\\\\n'::text`"),
        ("'$'::text || '{'::text", "sql`'$'::text || '{'::text`"),
    ],
)
def test_an_expression_becomes_a_template_literal_of_the_same_sql(expr: str, ts: str) -> None:
    assert template(expr) == ts


def test_strings_and_names() -> None:
    assert string('say "hi"\n') == '"say \\"hi\\"\\n"'
    assert camel("organization_id") == "organizationId"
    assert camel("2fa_codes") == "_2faCodes"
    assert camel("a__b") == "aB"


def _catalog() -> Catalog:
    orgs = Relation(1, "organizations", "r", True, False, "who owns what", [col("id")],
                    [pk("organizations_pkey", ["id"])])
    items = Relation(2, "items", "r", True, True, None, [
        col("organization_id"), col("id", default="mediabase.new_id()"), col("parent_id", not_null=False),
        col("default", "text", default="''::text"), col("tags", "text", is_array=True),
        col("embedding", "vector", typmod=384), col("loose", "vector", not_null=False),
        col("tsv", "tsvector", generated="s", default="to_tsvector('simple'::regconfig, \"default\")"),
        col("price", "numeric", typmod=(12 << 16 | 2) + 4), col("code", "bpchar", typmod=7),
        col("mood", "mood", kind="e", oid=99),
    ], [
        pk("items_pkey", ["organization_id", "id"]),
        fk("items_org_fkey", ["organization_id"], 1, ["id"], on_delete="c"),
        fk("items_parent_fk", ["organization_id", "parent_id"], 2, ["organization_id", "id"], deferrable=True,
           definition="FOREIGN KEY (organization_id, parent_id) REFERENCES items(organization_id, id) DEFERRABLE"),
        {**fk("items_price_check", [], 0, []), "kind": "c", "check_expr": "(price >= (0)::numeric)"},
    ])
    items.policies = [{"name": "tenant_isolation", "command": "*", "permissive": True, "roles": [],
                       "using_expr": "(organization_id = mediabase.current_org_id())", "check_expr": None}]
    listing = Relation(3, "item_list", "v", False, False, None, [col("id", not_null=False)])
    return Catalog([listing, items, orgs], {99: ("mood", ["happy", "sad"])}, "0047_db_client_views")


def test_a_table_with_every_kind_of_column_and_key() -> None:
    text = generate(_catalog())
    assert "migrations up to 0047_db_client_views" in text
    assert 'export const moodEnum = mediabase.enum("mood", ["happy", "sad"]);' in text
    assert '  default: text("default").notNull().default(sql`\'\'::text`),' in text
    assert '  tags: text("tags").array().notNull(),' in text
    assert '  embedding: vector("embedding", { dimensions: 384 }).notNull(),' in text
    assert '  loose: vectorType("loose"),' in text
    assert ('  tsv: tsvectorType("tsv").notNull()'
            '.generatedAlwaysAs(sql`to_tsvector(\'simple\'::regconfig, "default")`),') in text
    assert '  price: numeric("price", { precision: 12, scale: 2 }).notNull(),' in text
    assert '  code: char("code", { length: 3 }).notNull(),' in text
    assert '  mood: moodEnum("mood").notNull(),' in text
    # a key to the table itself names it by its own columns (t), not by the const being defined
    assert ('  foreignKey({ name: "items_parent_fk", columns: [t.organizationId, t.parentId], '
            'foreignColumns: [t.organizationId, t.id] }),') in text
    assert '.onDelete("cascade")' in text
    assert ("// items_parent_fk: FOREIGN KEY (organization_id, parent_id) REFERENCES items(organization_id, id)"
            " DEFERRABLE") in text
    assert "// FORCE ROW LEVEL SECURITY: the policies apply to the owner too" in text
    assert '  check("items_price_check", sql`(price >= (0)::numeric)`),' in text
    assert ('  pgPolicy("tenant_isolation", { as: "permissive", for: "all", to: "public", '
            'using: sql`(organization_id = mediabase.current_org_id())` }),') in text
    assert "/**\n * who owns what\n */\nexport const organizations = mediabase.table(" in text
    assert 'export const itemList = mediabase.view("item_list", {\n  id: uuid("id"),\n}).existing();' in text


def test_relations_join_on_every_column_and_never_repeat_a_key() -> None:
    text = generate(_catalog())
    assert ('  parent: one(items, { fields: [items.organizationId, items.parentId], '
            'references: [items.organizationId, items.id], relationName: "items_parent_fk" }),') in text
    assert '  items: many(items, { relationName: "items_parent_fk" }),' in text
    assert ('  organization: one(organizations, { fields: [items.organizationId], references: [organizations.id], '
            'relationName: "items_org_fkey" }),') in text
    assert '  items: many(items, { relationName: "items_org_fkey" }),' in text


def test_a_relation_named_like_a_column_gets_another_name() -> None:
    cat = _catalog()
    items = cat.relations[1]
    items.columns.append(col("parent", "text", not_null=False))
    assert "  parentRef: one(items, { fields: [items.organizationId, items.parentId]," in generate(cat)


def test_a_table_named_like_a_builder_or_a_keyword_keeps_both() -> None:
    text_table = Relation(4, "text", "r", False, False, None, [col("body", "text")])
    class_table = Relation(5, "class", "r", False, False, None, [col("id")])
    out = generate(Catalog([text_table, class_table], {}, None))
    assert 'export const textTable = mediabase.table("text", {\n  body: text("body").notNull(),\n});' in out
    assert 'export const classTable = mediabase.table("class", {' in out
