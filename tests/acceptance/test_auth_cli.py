"""``mediabase auth``, ``mediabase invitations`` and ``mediabase legal`` as a subprocess, the way an
operator runs them: a password from an environment variable, a sign-in whose session token
works over HTTP, tokens and invitations used once, terms published and accepted; bad input is
one line on stderr and a non-zero exit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.acceptance.cli import mediabase
from tests.factories import Tenant
from tests.log_privacy import watch

pytestmark = pytest.mark.timeout(900)  # each command is a new Python process
PASSWORD = "correct horse battery staple"


def test_passwords_sessions_and_tokens(client: TestClient, migrated_url: str, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    email = f"member@{a.slug}.example.com"
    r = mediabase("auth", "set-password", email, "--password-env", "MB_TEST_PW", url=migrated_url, MB_TEST_PW=PASSWORD)
    assert r.returncode == 0, r.stderr
    r = mediabase("auth", "sign-in", email, "--password-env", "MB_TEST_PW", "--org", a.slug, "--json",
                  url=migrated_url, MB_TEST_PW=PASSWORD)
    assert r.returncode == 0, r.stderr
    token = json.loads(r.stdout)["token"]
    watch(token)
    assert client.get("/organization", headers={"X-API-Key": token}).json()["slug"] == a.slug
    r = mediabase("auth", "sign-in", email, "--password-env", "MB_TEST_PW", url=migrated_url,
                  MB_TEST_PW="wrong password")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "wrong e-mail address or password" in r.stderr
    r = mediabase("auth", "sign-out", email, url=migrated_url)
    assert r.returncode == 0 and "signed out 1 session(s)" in r.stdout
    assert client.get("/organization", headers={"X-API-Key": token}).status_code == 401

    r = mediabase("auth", "token", "verify-email", email, "--json", url=migrated_url)
    assert r.returncode == 0, r.stderr
    verify = json.loads(r.stdout)["token"]
    assert mediabase("auth", "verify-email", verify, url=migrated_url).returncode == 0
    again = mediabase("auth", "verify-email", verify, url=migrated_url)
    assert again.returncode == 1 and "used already" in again.stderr

    # invitations: created, accepted once by the invited user
    guest = f"owner@{b.slug}.example.com"
    r = mediabase("invitations", "create", guest, "--org", a.slug, "--role", "ADMIN", "--json", url=migrated_url)
    assert r.returncode == 0, r.stderr
    inv = json.loads(r.stdout)["token"]
    ok = mediabase("invitations", "accept", inv, "--user", guest, url=migrated_url)
    assert ok.returncode == 0 and "ADMIN" in ok.stdout, ok.stderr
    twice = mediabase("invitations", "accept", inv, "--user", guest, url=migrated_url)
    assert twice.returncode == 1 and "accepted already" in twice.stderr


def test_legal_documents_acceptances_and_consents(
    migrated_url: str, tenants: tuple[Tenant, Tenant], tmp_path: Path
) -> None:
    a, _ = tenants
    email = f"member@{a.slug}.example.com"
    terms = tmp_path / "terms.txt"
    terms.write_text("Be nice.\nBe kind.\n", encoding="utf-8")
    r = mediabase("legal", "publish", "terms", "2026-12", str(terms), "--json", url=migrated_url)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["content_sha256"] == hashlib.sha256(terms.read_bytes()).hexdigest()
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"line one\nline \xff two\n")
    r = mediabase("legal", "publish", "privacy", "1", str(latin), url=migrated_url)
    assert r.returncode == 1 and f"{latin}:2" in r.stderr
    r = mediabase("legal", "status", "--user", email, url=migrated_url)
    assert r.returncode == 1 and "terms 2026-12: NOT accepted" in r.stdout
    assert mediabase("legal", "accept", "--user", email, url=migrated_url).returncode == 0
    assert mediabase("legal", "consent", "--user", email, "marketing", "grant", url=migrated_url).returncode == 0
    r = mediabase("legal", "consents", "--user", email, "--json", url=migrated_url)
    assert [(c["purpose"], c["granted"], c["source"]) for c in json.loads(r.stdout)] == [("marketing", True, "cli")]
    r = mediabase("legal", "consent", "--user", email, "Marketing!", "grant", url=migrated_url)
    assert r.returncode == 1 and "purpose" in r.stderr
