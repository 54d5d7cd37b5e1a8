"""Sessions, invitations, legal acceptances and consents over HTTP (docs/identity.md "Sessions and
tokens", docs/legal.md), through a real client: sign in, use the session token where an API key
goes, sign out; the terms gate; bad input is a 4xx naming the field, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mediabase.api.app import create_app
from tests.conftest import make_settings
from tests.factories import Tenant
from tests.log_privacy import watch

PASSWORD = "correct horse battery staple"
Tenants = tuple[Tenant, Tenant]


def k(token: str) -> dict[str, str]:
    return {"X-API-Key": token}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def gated(migrated_url: str) -> Iterator[TestClient]:
    """The API with MEDIABASE_REQUIRE_TERMS on."""
    app = create_app(make_settings(migrated_url, require_terms=True), url=migrated_url)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def sign_in(client: TestClient, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/auth/sign-in", json={"email": email, "password": password, **extra})


def test_sign_in_session_and_sign_out(client: TestClient, tenants: Tenants) -> None:
    a, b = tenants
    r = client.put("/auth/password", json={"new_password": PASSWORD}, headers=k(a.member_key))
    assert r.status_code == 200, r.text
    email = f"member@{a.slug}.example.com"
    # wrong password and unknown address: the same answer
    wrong, unknown = sign_in(client, email, "not the password"), sign_in(client, "nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    r = sign_in(client, email, organization=a.slug)
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    watch(token)
    assert token.startswith("mbs_") and "secret_sha256" not in r.text
    # the token goes where an API key goes, in either header
    for headers in (k(token), bearer(token)):
        me = client.get("/members", headers=headers)
        assert me.status_code == 200, me.text
    assert client.get("/organization", headers=k(token)).json()["slug"] == a.slug
    assert client.get("/keys", headers=k(token)).status_code == 403  # a MEMBER's session: a MEMBER's rights
    sessions = client.get("/auth/sessions", headers=k(token)).json()
    assert [s["prefix"] for s in sessions] == [token.split("_")[1]]
    # another organization of the user's: switch (and not to one they are not in)
    r = client.post("/auth/session/organization", json={"organization": b.slug}, headers=k(token))
    assert r.status_code == 403, r.text
    # an API key cannot sign out or switch
    assert client.post("/auth/sign-out", headers=k(a.member_key)).status_code == 403
    assert client.post("/auth/session/organization", json={"organization": a.slug},
                       headers=k(a.member_key)).status_code == 401
    assert client.post("/auth/sign-out", headers=k(token)).status_code == 204
    r = client.get("/members", headers=k(token))
    assert r.status_code == 401 and "signed out" in r.json()["detail"]
    # the API key path is as before
    assert client.get("/members", headers=k(a.member_key)).status_code == 200
    assert client.get("/members", headers=k("mb_" + "a" * 12 + "_nope")).status_code == 401


def test_removed_member_and_password_change(client: TestClient, tenants: Tenants) -> None:
    a, _ = tenants
    client.put("/auth/password", json={"new_password": PASSWORD}, headers=k(a.member_key))
    email = f"member@{a.slug}.example.com"
    one = sign_in(client, email, organization=a.slug).json()["token"]
    two = sign_in(client, email, organization=a.slug).json()["token"]
    watch(one, two)
    r = client.put("/auth/password", json={"new_password": "a new password"}, headers=k(one))
    assert r.status_code == 403 and r.json()["field"] == "current_password"
    r = client.put("/auth/password", json={"new_password": "a new password", "current_password": PASSWORD},
                   headers=k(one))
    assert r.status_code == 200 and r.json() == {"sessions_revoked": 1}
    assert client.get("/members", headers=k(two)).status_code == 401
    member_id = client.get("/members", headers=k(one)).json()
    uid = next(m["user_id"] for m in member_id if m["email"] == email)
    assert client.delete(f"/members/{uid}", headers=k(a.owner_key)).status_code == 204
    r = client.get("/members", headers=k(one))
    assert r.status_code == 403 and "no longer a member" in r.json()["detail"]


def test_invitations_over_http(client: TestClient, tenants: Tenants) -> None:
    a, b = tenants
    guest = f"owner@{b.slug}.example.com"
    r = client.post("/invitations", json={"email": guest, "role": "ADMIN"}, headers=k(a.member_key))
    assert r.status_code == 403
    r = client.post("/invitations", json={"email": guest, "role": "ADMIN"}, headers=k(a.owner_key))
    assert r.status_code == 201, r.text
    inv = r.json()
    watch(inv["token"])
    assert [i["id"] for i in client.get("/invitations", headers=k(a.owner_key)).json()] == [inv["id"]]
    assert client.get("/invitations", headers=k(b.owner_key)).json() == []
    r = client.post("/invitations/accept", json={"token": inv["token"]}, headers=k(b.member_key))
    assert r.status_code == 403 and r.json()["field"] == "token"  # not the invited address
    r = client.post("/invitations/accept", json={"token": inv["token"]}, headers=k(b.owner_key))
    assert r.status_code == 200 and r.json()["accepted_by"] is not None
    r = client.post("/invitations/accept", json={"token": inv["token"]}, headers=k(b.owner_key))
    assert r.status_code == 409 and "accepted already" in r.json()["detail"]
    assert client.delete(f"/invitations/{inv['id']}", headers=k(a.owner_key)).status_code == 404
    for body in ({"token": "mbi_x"}, {"token": 5}, {"token": "a\x00b"}, {"token": "x" * 100_000}, {}):
        r = client.post("/invitations/accept", json=body, headers=k(b.owner_key))
        assert r.status_code == 422, (body, r.text)
    r = client.post("/invitations", json={"email": "not-an-address", "role": "MEMBER"}, headers=k(a.owner_key))
    assert r.status_code == 422 and "email" in r.text


def test_the_terms_gate(gated: TestClient, owner_db_url_tenants: Any) -> None:
    client, a, publish = gated, owner_db_url_tenants[0], owner_db_url_tenants[1]
    assert client.get("/members", headers=k(a.member_key)).status_code == 200  # no terms yet: open
    publish("1.0")
    r = client.get("/members", headers=k(a.member_key))
    assert r.status_code == 403, r.text
    problem = r.json()
    assert problem["type"].endswith("/terms-required") and (problem["document"], problem["version"]) == ("terms",
                                                                                                        "1.0")
    assert r.headers["content-type"].startswith("application/problem+json")
    # reading and accepting stay open, without a key for the documents
    assert gated.get("/legal/documents/terms").json()["version"] == "1.0"
    assert client.get("/legal/status", headers=k(a.member_key)).json() == {"kind": "terms", "version": "1.0",
                                                                            "accepted": False}
    r = client.post("/legal/acceptances", json={"kind": "terms"}, headers=k(a.member_key))
    assert r.status_code == 201 and r.json()["version"] == "1.0"
    assert client.get("/members", headers=k(a.member_key)).status_code == 200
    assert client.get("/members", headers=k(a.owner_key)).status_code == 403  # each user accepts for themself
    publish("2.0")
    assert client.get("/members", headers=k(a.member_key)).json()["version"] == "2.0"
    # bad input: 4xx naming the field
    for body, field in (({"kind": "Terms"}, "kind"), ({"kind": "terms", "version": "9"}, "terms"),
                        ({"kind": 5}, "kind"), ({"kind": "t\x00"}, "kind")):
        r = client.post("/legal/acceptances", json=body, headers=k(a.member_key))
        assert 400 <= r.status_code < 500 and field in r.text, (body, r.text)


@pytest.fixture
def owner_db_url_tenants(tenants: Tenants, migrated_url: str) -> tuple[Tenant, Any]:
    import psycopg

    def publish(version: str) -> None:
        with psycopg.connect(migrated_url) as conn:
            conn.execute(
                "INSERT INTO mediabase.legal_documents (kind, version, title, content, content_sha256, effective_at)"
                " VALUES ('terms', %s, 'Terms', %s, sha256(convert_to(%s, 'UTF8')),"
                " now() - interval '1 second')", (version, f"v{version}", f"v{version}"))

    return tenants[0], publish


def test_consents_and_documents(client: TestClient, tenants: Tenants) -> None:
    a, _ = tenants
    assert client.get("/legal/documents").json() == []
    assert client.get("/legal/documents/terms").status_code == 404
    for purpose, granted in (("marketing", True), ("analytics", False), ("marketing", False)):
        r = client.post("/consents", json={"purpose": purpose, "granted": granted}, headers=k(a.member_key))
        assert r.status_code == 201, r.text
    current = {c["purpose"]: c["granted"] for c in client.get("/consents", headers=k(a.member_key)).json()}
    assert current == {"marketing": False, "analytics": False}
    history = client.get("/consents/history?purpose=marketing", headers=k(a.member_key)).json()
    assert [c["granted"] for c in history] == [False, True]
    for body in ({"purpose": "Marketing", "granted": True}, {"purpose": "marketing", "granted": "maybe"},
                 {"purpose": "m" * 1000, "granted": True}, {"purpose": "mark\x00", "granted": True}):
        r = client.post("/consents", json=body, headers=k(a.member_key))
        assert r.status_code == 422, (body, r.text)
    assert client.post("/consents", json={"purpose": "marketing", "granted": True}).status_code == 401


def test_bad_sign_in_and_token_input_is_a_4xx(client: TestClient) -> None:
    for body in ({"email": "a@b.co"}, {"email": 5, "password": "x"}, {"email": "a\x00@b.co", "password": "pw"},
                 {"email": "a@b.co", "password": "p" * 100_000}, {"email": "a@b.co", "password": "pw",
                                                                  "organization": "NOT A SLUG"}):
        r = client.post("/auth/sign-in", json=body)
        assert r.status_code == 422, (body, r.text)
    cases: list[tuple[str, dict[str, Any]]] = [
                       ("/auth/verify-email", {"token": "mbv_nope"}), ("/auth/verify-email", {"token": ["x"]}),
                       ("/auth/reset-password", {"token": "mbr_" + "a" * 12 + "_" + "b" * 43, "new_password": "short"}),
                       ("/auth/reset-password", {"token": "mbr_" + "a" * 12 + "_" + "b" * 43,
                                                 "new_password": "long enough"})]
    for path, body in cases:
        r = client.post(path, json=body)
        assert 400 <= r.status_code < 500, (path, body, r.text)
    assert client.post("/auth/reset-password", json={"token": "mbr_" + "a" * 12 + "_" + "b" * 43,
                                                     "new_password": "long enough"}).status_code == 404
