"""docs/clients.md quotes the programs the tests run: every TypeScript block of it is a verbatim
part of a file in clients/drizzle/examples (tests/integration/test_drizzle.py compiles and runs
them) or of clients/typescript/smoke/smoke.ts (tests/acceptance/test_typescript_client.py), so
the page cannot drift from what was tested."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_typescript_block_of_the_page_is_part_of_a_tested_example() -> None:
    page = (REPO / "docs" / "clients.md").read_text()
    blocks = re.findall(r"```ts\n(.*?)```", page, re.S)
    assert len(blocks) >= 5
    examples = {p.name: p.read_text() for p in (REPO / "clients" / "drizzle" / "examples").glob("*.ts")}
    assert set(examples) == {"tenant.ts", "pg-videos.ts", "drizzle-videos.ts"}
    examples["smoke.ts"] = (REPO / "clients" / "typescript" / "smoke" / "smoke.ts").read_text()
    for block in blocks:
        assert any(block in text for text in examples.values()), block


def test_the_page_has_the_sections_clients_look_for() -> None:
    headings = re.findall(r"^## (.+)$", (REPO / "docs" / "clients.md").read_text(), re.M)
    for wanted in ("The tenant protocol", "Roles and the embedded port", "SQL from Node with `pg`",
                   "SQL from Node with Drizzle", "Why `drizzle-kit pull` is not enough", "Prisma",
                   "HTTP from TypeScript"):
        assert wanted in headings
