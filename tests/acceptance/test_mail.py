"""Mail and decision digests as people meet them: over HTTP (subscribe, decide, read the outbox)
and through `mediabase mail …` run as a subprocess (compose the digests, send them to a real SMTP
server and to .eml files, retry, and a bad configuration)."""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.acceptance.cli import mediabase
from tests.factories import Tenant
from tests.smtp_sink import smtp_sink

pytestmark = pytest.mark.slow


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def follow_and_decide(c: TestClient, t: Tenant, url: str, summary: str) -> str:
    """The member follows #pricing daily; the owner records a decision under it at 0:01:30 of a
    video; the notification is moved into yesterday (UTC). Returns the video's id."""
    video = ok(c.post("/videos", json={"title": f"{t.slug} pricing call", "duration_ms": 600_000},
                      headers=h(t.owner_key)), 201)["id"]
    tag = ok(c.post("/decision-tags", json={"name": "pricing"}, headers=h(t.owner_key)), 201)["id"]
    ok(c.put(f"/decision-tags/{tag}/subscription", json={"frequency": "daily"}, headers=h(t.member_key)))
    ok(c.post("/decisions", json={"summary": summary, "video_id": video, "position_ms": 90_000, "tag_ids": [tag]},
              headers=h(t.owner_key)), 201)
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE mediabase.notifications SET created_at = created_at - interval '1 day'"
                     " WHERE organization_id = %s", (t.owner.organization_id,))
    return str(video)


@pytest.mark.timeout(900)  # a dozen CLI processes, each ~5-10 s to start on a loaded 2-core machine
def test_digests_over_the_cli_reach_an_smtp_server_and_the_outbox_over_http(
        client: TestClient, tenants: tuple[Tenant, Tenant], migrated_url: str, tmp_path: Path) -> None:
    a, b = tenants
    video = follow_and_decide(client, a, migrated_url, "Alpha sells at 25 euro")
    follow_and_decide(client, b, migrated_url, "Bravo sells at 40 euro")

    due = mediabase("mail", "digests", "--period", "daily", "--dry-run", "--json", url=migrated_url)
    assert due.returncode == 0, due.stderr
    assert sorted((r["user_id"], r["outcome"]) for r in json.loads(due.stdout)) == sorted(
        [(str(a.member.user_id), "due"), (str(b.member.user_id), "due")])
    made = mediabase("mail", "digests", "--org", a.slug, "--json", url=migrated_url)
    assert made.returncode == 0, made.stderr
    assert [(r["user_id"], r["outcome"]) for r in json.loads(made.stdout)] == [(str(a.member.user_id), "composed")]
    again = mediabase("mail", "digests", "--org", a.slug, url=migrated_url)
    assert again.returncode == 0 and "no digest is due" in again.stdout

    # the outbox over HTTP: ADMINs of the organization, and nothing of the other one
    page = ok(client.get("/mail/outbox", headers=h(a.owner_key)))
    [summary] = page["items"]
    assert summary["status"] == "queued" and summary["kind"] == "decision.digest"
    assert summary["to_address"] == f"member@{a.slug}.example.com" and "body_text" not in summary
    full = ok(client.get(f"/mail/outbox/{summary['id']}", headers=h(a.owner_key)))
    assert "Alpha sells at 25 euro" in full["body_text"] and f"/videos/{video}?t=90" in full["body_text"]
    assert ok(client.get("/mail/outbox", headers=h(b.owner_key)))["items"] == []
    assert client.get(f"/mail/outbox/{summary['id']}", headers=h(b.owner_key)).status_code == 404
    assert client.get("/mail/outbox", headers=h(a.member_key)).status_code == 403
    assert client.get("/mail/outbox?status=lost", headers=h(a.owner_key)).status_code == 422
    refused = client.post(f"/mail/outbox/{summary['id']}/retry", headers=h(a.owner_key))
    assert refused.status_code == 409 and "only a failed or dead one" in refused.json()["detail"]

    # sending: a bad transport setting is one clear line and sends nothing
    bad = mediabase("mail", "send", url=migrated_url, MEDIABASE_MAIL_URL="http://mail.example.org")
    assert bad.returncode == 1 and "unknown scheme 'http'" in bad.stderr and "MEDIABASE_MAIL_URL" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    config = mediabase("mail", "config", MEDIABASE_MAIL_URL="smtps://me:hunter22@mail.example.org")
    assert config.returncode == 0 and "SMTP mail.example.org:465 (TLS: implicit) as me" in config.stdout
    assert "hunter22" not in config.stdout + config.stderr
    with smtp_sink() as sink:
        sent = mediabase("mail", "send", "--json", url=migrated_url, MEDIABASE_MAIL_URL=sink.url,
                         MEDIABASE_MAIL_FROM="Mediabase <noreply@media.example.org>")
        assert sent.returncode == 0, sent.stderr
        assert json.loads(sent.stdout) == {"sent": 1, "failed": 0, "dead": 0, "busy": 0}
        [got] = sink.received()
    assert got.rcpt_tos == [f"member@{a.slug}.example.com"] and got.mail_from == "noreply@media.example.org"
    body = got.message.get_body(("plain",))
    assert body is not None and "Alpha sells at 25 euro" in body.get_content() and "Bravo" not in body.get_content()
    listed = mediabase("mail", "list", "--org", a.slug, "--json", url=migrated_url)
    assert [m["status"] for m in json.loads(listed.stdout)] == ["sent"]

    # the other organization's digest, as .eml files (the default transport)
    made_b = mediabase("mail", "digests", "--period", "daily", url=migrated_url)
    assert made_b.returncode == 0 and "composed" in made_b.stdout
    mail_dir = tmp_path / "mail"
    files = mediabase("mail", "send", "--org", b.slug, url=migrated_url, MEDIABASE_MAIL_DIR=str(mail_dir))
    assert files.returncode == 0 and "sent 1" in files.stdout, files.stderr
    [eml] = list(mail_dir.glob("*.eml"))
    parsed = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert parsed["To"] == f"member@{b.slug}.example.com" and "Bravo sells" in str(parsed.get_body(("plain",)))

    shown = mediabase("mail", "show", summary["id"], "--org", a.slug, url=migrated_url)
    assert shown.returncode == 0 and "Alpha sells at 25 euro" in shown.stdout and "sent" in shown.stdout
    missing = mediabase("mail", "retry", "00000000-0000-0000-0000-000000000000", "--org", a.slug, url=migrated_url)
    assert missing.returncode == 1 and "message not found" in missing.stderr
    future = mediabase("mail", "digests", "--at", "2999-01-01", url=migrated_url)
    assert future.returncode == 1 and "cannot be in the future" in future.stderr


def test_mail_commands_explain_themselves() -> None:
    top = mediabase("mail", "--help")
    assert top.returncode == 0 and "MEDIABASE_MAIL_URL" in top.stdout
    helped = mediabase("mail", "digests", "--help")
    assert helped.returncode == 0 and "ISO week" in helped.stdout and "--dry-run" in helped.stdout
