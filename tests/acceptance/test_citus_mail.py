"""Decision digests and the mail outbox on a real Citus cluster, through the coordinator
(docs/mail.md, docs/collab.md "Digests"): the composer's cross-organization question, its
per-member transaction (a locking read routed to the organization's shard, the mail, the digest
and the marks, with the coordinator's job), the sender's claim and outcomes (a failure's backoff,
a retry by hand), and the outbox page, each organization's digest holding its own decisions only.

The cluster's one database is shared with the other Citus modules (``citus_migrated``): every test
works in organizations of its own.
"""

from __future__ import annotations

import uuid
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from mediabase.collab import digests
from mediabase.db.connection import Database
from mediabase.mail import service as mail
from mediabase.mail.transport import FileTransport, TransportError
from tests.citus import CITUS_TIMEOUT_S
from tests.conftest import make_settings
from tests.factories import make_tenant
from tests.integration.test_mail_digests import subscribe_and_decide

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]


@pytest.fixture(scope="module")
def cluster(citus_migrated: str) -> str:
    return citus_migrated


async def test_digests_are_composed_and_sent_on_the_cluster(
        cluster: str, citus_dbs: tuple[Database, Database], tmp_path: Path) -> None:
    db, system = citus_dbs
    tag = uuid.uuid4().hex[:6]
    a = await make_tenant(db, system, f"mail-a-{tag}")
    b = await make_tenant(db, system, f"mail-b-{tag}")
    await subscribe_and_decide(db, system, a, "Alpha sells at 25 euro", weekly="Alpha hires two designers")
    await subscribe_and_decide(db, system, b, "Bravo sells at 40 euro")
    settings = make_settings(cluster, public_url="https://media.example.org")
    for t in (a, b):
        async with system.owner_connection() as conn:
            lines = await digests.compose_digests(conn, frequency="daily", org=t.owner.organization_id,
                                                  settings=settings)
            assert [(line.user_id, line.outcome) for line in lines] == [(t.member.user_id, "composed")]
            again = await digests.compose_digests(conn, frequency="daily", org=t.owner.organization_id,
                                                  settings=settings)
            assert again == []
    async with system.owner_connection() as conn:
        weekly = await digests.compose_digests(conn, frequency="weekly", org=a.owner.organization_id,
                                               settings=settings)
    assert [line.outcome for line in weekly] == ["composed"]

    class Down:
        async def send(self, email: EmailMessage, *, message_id: uuid.UUID) -> None:
            raise TransportError("SMTP relay:25: ConnectionRefusedError")

    # a failed attempt (backoff), a retry by hand, then the sends
    assert (await mail.send_due(db, system, Down(), settings, org=b.owner.organization_id)).failed == 1
    [failed] = (await mail.list_messages(db, b.owner)).items
    assert (failed.status.value, failed.attempts, failed.last_error) == (
        "failed", 1, "SMTP relay:25: ConnectionRefusedError")
    assert (await mail.retry_message(db, b.owner, failed.id)).status.value == "queued"
    folder = tmp_path / "mail"
    for t in (a, b):
        report = await mail.send_due(db, system, FileTransport(folder), settings, org=t.owner.organization_id)
        assert report.model_dump() == {"sent": 2 if t is a else 1, "failed": 0, "dead": 0, "busy": 0}
    page_a = await mail.list_messages(db, a.owner)
    page_b = await mail.list_messages(db, b.owner)
    assert len(page_a.items) == 2 and len(page_b.items) == 1
    assert {m.status.value for m in page_a.items + page_b.items} == {"sent"}
    for item, t, own, other in ((page_b.items[0], b, "Bravo sells", "Alpha"),
                                *((m, a, "Alpha", "Bravo") for m in page_a.items)):
        parsed = BytesParser(policy=policy.default).parsebytes((folder / f"{item.id}.eml").read_bytes())
        text = parsed.get_body(("plain",))
        assert parsed["To"] == f"member@{t.slug}.example.com"
        assert text is not None and own in text.get_content() and other not in text.get_content()
