"""Integration accounts against a real PostgreSQL: the sealed columns are unreadable by the
application role, a ciphertext differs per write and opens back under the key, a wrong key fails
clearly, the checked lists and keys hold, the external-item map is unique and outlives what it
points at, and rotation re-seals everything (docs/integrations.md, "Invariants")."""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import UUID

import psycopg
import pytest
from pydantic import SecretStr

from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid
from mediabase.integrations import service
from mediabase.integrations.crypto import KeyProblem, Keyring, new_key
from mediabase.integrations.models import AccountCreate, AccountStatus, AccountUpdate, Provider, SecretsUpdate
from mediabase.integrations.rotation import rotate_key
from mediabase.integrations.settings import IntegrationSettings
from tests.factories import Tenant, make_video
from tests.log_privacy import watch

ACCESS, REFRESH, HOOK = "zoom-access-token-1234567890", "zoom-refresh-token-0987654321", "whsec-zoom-abcdef"
watch(ACCESS, REFRESH, HOOK)


def keyring(key: str | None = None, old: str | None = None) -> Keyring:
    return Keyring.from_settings(IntegrationSettings.model_validate({"key": key or new_key(), "old_keys": old}))


def account_data(**kw: Any) -> AccountCreate:
    values: dict[str, Any] = {"provider": Provider.zoom, "external_account_id": "acct-1", "scopes": ["recording:read"],
                              "access_token": SecretStr(ACCESS), "refresh_token": SecretStr(REFRESH),
                              "webhook_secret": SecretStr(HOOK)}
    values.update(kw)
    return AccountCreate.model_validate(values)


async def raw(owner_db: Database, query: str, *args: Any) -> list[dict[str, Any]]:
    async with owner_db.transaction() as conn:
        return await (await conn.execute(query, args)).fetchall()


async def test_the_application_role_cannot_read_the_sealed_columns(
        migrated_url: str, db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    alpha, _ = tenants
    account = await service.create_account(db, alpha.owner, account_data(), keyring())
    assert account.has_access_token and account.has_refresh_token and account.has_webhook_secret
    with psycopg.connect(migrated_url) as conn:
        conn.execute("SET ROLE mediabase_app")
        conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(alpha.owner.organization_id),))
        for column in ("access_token_enc", "refresh_token_enc", "webhook_secret_enc"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT {column} FROM mediabase.integration_accounts")
            conn.rollback()
            conn.execute("SET ROLE mediabase_app")
            conn.execute("SELECT set_config('mediabase.organization_id', %s, false)",
                         (str(alpha.owner.organization_id),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM mediabase.integration_accounts")
        conn.rollback()
        conn.execute("SET ROLE mediabase_app")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT secrets_enc FROM mediabase.integration_events")


async def test_a_ciphertext_differs_per_write_and_opens_back_under_the_key(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    alpha, _ = tenants
    ring = keyring()
    a = await service.create_account(db, alpha.owner, account_data(), ring)
    b = await service.create_account(db, alpha.owner, account_data(external_account_id="acct-2"), ring)
    rows = await raw(owner_db, "SELECT id, access_token_enc, webhook_secret_enc, secrets_key_id"
                               " FROM mediabase.integration_accounts ORDER BY created_at")
    assert rows[0]["access_token_enc"] != rows[1]["access_token_enc"]  # same token, two ciphertexts
    assert all(ACCESS.encode() not in bytes(r["access_token_enc"]) for r in rows)
    assert {r["secrets_key_id"] for r in rows} == {ring.current_id}
    opened = await service.open_secrets(owner_db, alpha.owner.organization_id, a.id, ring)
    assert (opened.access_token, opened.refresh_token, opened.webhook_secret) == (ACCESS, REFRESH, HOOK)
    assert ACCESS not in repr(opened)
    # setting one secret seals all again: new ciphertexts, the others still open
    await service.set_secrets(db, alpha.owner, b.id, SecretsUpdate(webhook_secret=SecretStr("whsec-new-one")), ring)
    again = await service.open_secrets(owner_db, alpha.owner.organization_id, b.id, ring)
    assert (again.access_token, again.webhook_secret) == (ACCESS, "whsec-new-one")
    after = await raw(owner_db, "SELECT access_token_enc FROM mediabase.integration_accounts WHERE id = %s", b.id)
    assert after[0]["access_token_enc"] != rows[1]["access_token_enc"]


async def test_a_wrong_or_missing_key_fails_clearly(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], monkeypatch: pytest.MonkeyPatch) -> None:
    alpha, _ = tenants
    ring = keyring()
    a = await service.create_account(db, alpha.owner, account_data(), ring)
    with pytest.raises(KeyProblem, match=f"sealed under key id {ring.current_id}, which is neither"):
        await service.open_secrets(owner_db, alpha.owner.organization_id, a.id, keyring())
    monkeypatch.delenv("MEDIABASE_INTEGRATIONS_KEY", raising=False)
    with pytest.raises(KeyProblem, match="MEDIABASE_INTEGRATIONS_KEY is not set"):
        await service.open_secrets(owner_db, alpha.owner.organization_id, a.id)
    with pytest.raises(KeyProblem, match="MEDIABASE_INTEGRATIONS_KEY is not set"):
        await service.create_account(db, alpha.owner, account_data(external_account_id="acct-9"))
    # an account without secrets needs no key at all
    plain = await service.create_account(db, alpha.owner, AccountCreate(provider=Provider.slack,
                                                                        external_account_id="T0123"))
    assert not plain.has_access_token and plain.secrets_key_id is None


async def test_rotation_seals_everything_again_under_the_new_key(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    alpha, bravo = tenants
    old_key, new = new_key(), new_key()
    old = keyring(old_key)
    a = await service.create_account(db, alpha.owner, account_data(), old)
    b = await service.create_account(db, bravo.owner, account_data(), old)
    rotated = keyring(new, old=old_key)
    done = await rotate_key(owner_db, rotated)
    assert (done.accounts, done.events) == (2, 0)
    assert (await rotate_key(owner_db, rotated)).accounts == 0  # nothing left
    only_new = keyring(new)
    for t, acc in ((alpha, a), (bravo, b)):
        opened = await service.open_secrets(owner_db, t.owner.organization_id, acc.id, only_new)
        assert opened.access_token == ACCESS
    keys = await raw(owner_db, "SELECT DISTINCT secrets_key_id FROM mediabase.integration_accounts")
    assert keys == [{"secrets_key_id": only_new.current_id}]
    assert base64.b64decode(new) != base64.b64decode(old_key)


async def test_the_checked_lists_and_keys_hold(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    alpha, bravo = tenants
    ring = keyring()
    a = await service.create_account(db, alpha.owner, account_data(), ring)
    with pytest.raises(Conflict, match="connected already") as conflict:
        await service.create_account(db, alpha.owner, account_data(), ring)
    assert conflict.value.field == "external_account_id"
    await service.create_account(db, bravo.owner, account_data(), ring)  # another organization may
    with pytest.raises(Forbidden):
        await service.create_account(db, alpha.member, account_data(external_account_id="x"), ring)
    org = alpha.owner.organization_id
    for sql, name in (
        ("INSERT INTO mediabase.integration_accounts (organization_id, provider, external_account_id)"
         " SELECT organization_id, 'teams', 'x' FROM mediabase.integration_accounts WHERE id = %s", "provider_valid"),
        ("UPDATE mediabase.integration_accounts SET access_token_enc = NULL, refresh_token_enc = NULL,"
         " webhook_secret_enc = NULL WHERE id = %s", "key_id_iff_sealed"),
        ("UPDATE mediabase.integration_accounts SET secrets_key_id = 'nope' WHERE id = %s", "secrets_key_id_format"),
        ("UPDATE mediabase.integration_accounts SET scopes = '{a,a}' WHERE id = %s", "scopes_valid"),
        ("UPDATE mediabase.integration_accounts SET sync_cursor = 'x' WHERE id = %s", "cursor_time"),
        ("UPDATE mediabase.integration_accounts SET external_account_id = 'other' WHERE id = %s", "immutable"),
    ):
        with pytest.raises(Invalid) as exc:
            async with owner_db.transaction(org) as conn:
                await conn.execute(sql, (a.id,))
        assert exc.value.extra["constraint"] == f"integration_accounts_{name}", sql
    revoked = await service.update_account(db, alpha.owner, a.id, AccountUpdate(status=AccountStatus.revoked))
    assert not (revoked.has_access_token or revoked.has_webhook_secret) and revoked.secrets_key_id is None


async def _item(owner_db: Database, org: UUID, account: UUID, external_id: str, kind: str, video: UUID | None,
                transcript: UUID | None = None) -> None:
    async with owner_db.transaction(org) as conn:
        await conn.execute(
            "INSERT INTO integration_external_items (organization_id, provider, external_id, kind, account_id,"
            " video_id, transcript_id) VALUES (%s, 'zoom', %s, %s, %s, %s, %s)",
            (org, external_id, kind, account, video, transcript))


async def test_the_external_item_map_is_unique_and_outlives_what_it_points_at(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    alpha, bravo = tenants
    org = alpha.owner.organization_id
    account = await service.create_account(db, alpha.owner, account_data(), keyring())
    video = await make_video(db, alpha.owner, "imported")
    transcript = (await raw(owner_db, "SELECT id FROM mediabase.transcripts WHERE video_id = %s", video))[0]["id"]
    await _item(owner_db, org, account.id, "meeting-uuid==", "recording", video)
    await _item(owner_db, org, account.id, "file-1", "transcript", video, transcript)
    with pytest.raises(Conflict, match="imported already"):
        await _item(owner_db, org, account.id, "meeting-uuid==", "recording", video)
    other = await make_video(db, bravo.owner, "theirs")
    with pytest.raises(Exception, match="video_fk|not found"):  # a video of another organization
        await _item(owner_db, org, account.id, "meeting-2", "recording", other)
    with pytest.raises(Invalid, match="only a transcript item"):
        await _item(owner_db, org, account.id, "meeting-3", "recording", video, transcript)
    with pytest.raises(Invalid, match="written once"):
        async with owner_db.transaction(org) as conn:
            await conn.execute("UPDATE integration_external_items SET video_id = NULL WHERE external_id = 'file-1'")
    # the account goes (its events with it): the items stay, as known; the video goes: tombstones
    async with owner_db.transaction(org) as conn:
        await conn.execute(
            "INSERT INTO integration_events (organization_id, account_id, provider, delivery_id, event_type, payload,"
            " body_sha256) VALUES (%s, %s, 'zoom', 'sha256:x', 'meeting.started', '{}', repeat('0', 64))",
            (org, account.id))
    await service.delete_account(db, alpha.owner, account.id)
    assert await raw(owner_db, "SELECT id FROM mediabase.integration_events") == []
    async with owner_db.transaction(org) as conn:
        await conn.execute("DELETE FROM videos WHERE id = %s", (video,))
    rows = await raw(owner_db, "SELECT external_id, account_id, video_id, transcript_id"
                               " FROM mediabase.integration_external_items ORDER BY external_id")
    assert rows == [{"external_id": "file-1", "account_id": None, "video_id": None, "transcript_id": None},
                    {"external_id": "meeting-uuid==", "account_id": None, "video_id": None, "transcript_id": None}]
    assert json.dumps([str(r) for r in rows])  # plain values
