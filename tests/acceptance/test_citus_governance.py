"""Erasure and export on a real Citus cluster (docs/governance.md; docs/scale-out.md): the same
world as tests/integration/test_erasure.py — a person with activity across the schema, a
bystander — is built on the shards; the erasure (one owner transaction across distributed,
reference and coordinator-local tables, the logs redacted through their redaction path, which
the workers' triggers must see) leaves none of the person's strings in any column, and the
bystander's are all still there. The export is read from the shards as well.

The cluster's database is shared with the other Citus modules: the world's names carry a tag of
their own.
"""

from __future__ import annotations

import random
import string

import pytest

from mediabase.db.connection import Database
from mediabase.governance import requests
from tests.citus import CITUS_TIMEOUT_S
from tests.conftest import make_settings
from tests.integration.erasure_world import build, occurrences

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]


async def test_erasure_and_export_on_the_shards(citus_dbs: tuple[Database, Database], citus_migrated: str) -> None:
    db, system = citus_dbs
    tag = "".join(random.choices(string.ascii_lowercase, k=6))
    world = await build(db, system, make_settings(citus_migrated), tag=tag, graph=False)
    subject, bystander = world.subject, world.bystander
    assert set(occurrences(citus_migrated, subject.needles())) == set(subject.needles())

    export, _ = await requests.create(system, subject.user_id, requests.Kind.export, via="cli")
    assert (await requests.process(system, export.id)).status == "completed"
    archive = await requests.archive_of(system, export.id, subject.user_id)
    assert {"users", "comments", "memberships", "sessions"} <= set(archive["tables"])

    erase, _ = await requests.create(system, subject.user_id, requests.Kind.erase, via="cli")
    done = await requests.process(system, erase.id)
    assert done.status == "completed" and done.summary["counts"]["users"] == 1
    assert done.summary["counts"]["audit_log.before"] > 0
    assert occurrences(citus_migrated, subject.needles()) == {}
    assert set(occurrences(citus_migrated, bystander.needles())) == set(bystander.needles())
