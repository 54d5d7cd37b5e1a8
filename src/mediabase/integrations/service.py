"""Integration accounts, their sealed secrets, their events and the external-item map.

Everything here is for ADMINs and OWNERs. The application pool writes accounts (sealed secrets
included: it may write those columns, not read them); what reads a sealed column runs on the
owner pool (``db.as_system()``) and names the organization itself: :func:`open_secrets` (the
webhook's signature check, the worker), :func:`set_secrets` (re-sealing what stays) and
:mod:`.rotation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound, register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, class_row, fetch_one_or_404, lock_or_404, sql, update_columns
from mediabase.identity.models import Principal, Role
from mediabase.identity.service import require
from mediabase.integrations.crypto import Keyring, aad
from mediabase.integrations.models import (
    Account,
    AccountCreate,
    AccountStatus,
    AccountUpdate,
    EventStatus,
    ExternalItem,
    IntegrationEvent,
    SecretsUpdate,
)

Q = load_queries("mediabase.integrations", "queries.sql")
SECRET_COLUMNS = ("access_token", "refresh_token", "webhook_secret")

for _name, _message, _field in (
    ("integration_accounts_provider_valid", "provider must be one of zoom, google_drive, slack", "provider"),
    ("integration_accounts_external_account_id_format",
     "an external account id is 1 to 200 printable ASCII characters without spaces", "external_account_id"),
    ("integration_accounts_display_name_length", "display_name has 1 to 200 characters", "display_name"),
    ("integration_accounts_scopes_valid",
     "scopes: at most 100, each 1 to 200 printable ASCII characters without spaces, none twice", "scopes"),
    ("integration_accounts_status_valid", "status must be one of active, paused, error, revoked", "status"),
    ("integration_accounts_status_detail_length", "status_detail has at most 2000 characters", "status_detail"),
    ("integration_accounts_sync_cursor_length", "a sync cursor has 1 to 10000 characters", "sync_cursor"),
    ("integration_accounts_access_token_enc_length", "access_token is too long", "access_token"),
    ("integration_accounts_refresh_token_enc_length", "refresh_token is too long", "refresh_token"),
    ("integration_accounts_webhook_secret_enc_length", "webhook_secret is too long", "webhook_secret"),
    ("integration_accounts_secrets_key_id_format", "a key id is 16 hex digits", "secrets_key_id"),
    ("integration_accounts_cursor_time", "a sync cursor needs its time", "sync_cursor_updated_at"),
    ("integration_accounts_key_id_iff_sealed", "sealed secrets need the id of their key", "secrets_key_id"),
    ("integration_accounts_expiry_needs_token", "token_expires_at needs an access_token", "token_expires_at"),
    ("integration_accounts_immutable", "an account's provider and external account id never change", None),
    ("integration_events_delivery_id_format", "a delivery id is 1 to 300 printable ASCII characters", "delivery_id"),
    ("integration_events_event_type_format", "an event type is 1 to 200 printable ASCII characters", "event"),
    ("integration_events_payload_object", "a webhook body is a JSON object", "body"),
    ("integration_events_body_sha256_format", "body_sha256 is 64 hex digits", "body_sha256"),
    ("integration_events_secrets_enc_length", "the payload's secret fields are too long", "body"),
    ("integration_events_secrets_key_id_format", "a key id is 16 hex digits", "secrets_key_id"),
    ("integration_events_status_valid", "status must be received, processed, ignored or failed", "status"),
    ("integration_events_result_object", "an event's result is a JSON object", "result"),
    ("integration_events_error_length", "an event's error has 1 to 4000 characters", "error"),
    ("integration_events_key_id_iff_sealed", "sealed fields need the id of their key", "secrets_key_id"),
    ("integration_events_processed_iff_done", "an event is done exactly when it has processed_at", "processed_at"),
    ("integration_events_error_iff_failed", "a failed event says why, others do not", "error"),
    ("integration_events_immutable", "a stored event's delivery never changes", None),
    ("integration_external_items_provider_valid", "provider must be one of zoom, google_drive, slack", "provider"),
    ("integration_external_items_external_id_format",
     "an external id is 1 to 500 printable ASCII characters without spaces", "external_id"),
    ("integration_external_items_kind_valid", "kind must be recording or transcript", "kind"),
    ("integration_external_items_kind_target", "only a transcript item points at a transcript", "transcript_id"),
    ("integration_external_items_immutable", "what an external item became is written once", None),
):
    register_constraint(_name, Invalid, _message, field=_field)
register_constraint("integration_accounts_external_key", Conflict,
                    "an account of this provider with this external account id is connected already",
                    field="external_account_id")
register_constraint("integration_accounts_connected_by_fk", Forbidden, "only members connect accounts",
                    field="connected_by")
register_constraint("integration_events_delivery_key", Conflict, "this delivery is stored already",
                    field="delivery_id")
register_constraint("integration_events_account_fk", NotFound, "integration account not found", field="account_id")
register_constraint("integration_external_items_external_key", Conflict, "this external item is imported already",
                    field="external_id")
for _fk, _what in (("account", "integration account"), ("video", "video"), ("transcript", "transcript")):
    register_constraint(f"integration_external_items_{_fk}_fk", NotFound, f"{_what} not found", field=f"{_fk}_id")


def seal_column(keyring: Keyring, org: UUID, account_id: UUID, column: str, value: str | None) -> bytes | None:
    return None if value is None else keyring.seal(value, aad(org, account_id, f"integration_accounts.{column}"))


# -- accounts ---------------------------------------------------------------------------------------


async def _account(conn: Conn, org: UUID, account_id: UUID) -> Account:
    stmt = sql.SQL("{} WHERE a.organization_id = %(org)s AND a.id = %(id)s").format(sql.SQL(Q.account_columns))
    return await fetch_one_or_404(conn, stmt, {"org": org, "id": account_id}, "integration account", model=Account)


async def create_account(db: Database, p: Principal, data: AccountCreate, keyring: Keyring | None = None) -> Account:
    """Connect an account; its secrets sealed (the key is needed only when there are secrets)."""
    require(p, Role.ADMIN)
    given = {c: getattr(data, c).get_secret_value() for c in SECRET_COLUMNS if getattr(data, c) is not None}
    if data.token_expires_at is not None and data.access_token is None:
        raise Invalid("token_expires_at needs an access_token", field="token_expires_at")
    ring = (keyring or Keyring.from_settings()) if given else None
    org = p.organization_id
    async with db.transaction(org, p.user_id) as conn:
        row = await (await conn.execute("SELECT mediabase.new_id() AS id")).fetchone()
        assert row is not None
        account_id: UUID = row["id"]
        sealed = {f"{c}_enc": seal_column(ring, org, account_id, c, given.get(c)) if ring else None
                  for c in SECRET_COLUMNS}
        await conn.execute(
            Q.insert_account,
            {"id": account_id, "org": org, "provider": data.provider.value,
             "external_account_id": data.external_account_id, "display_name": data.display_name,
             "scopes": list(data.scopes), "token_expires_at": data.token_expires_at,
             "secrets_key_id": ring.current_id if ring else None, "connected_by": p.user_id, **sealed},
        )
        return await _account(conn, org, account_id)


async def list_accounts(db: Database, p: Principal, provider: str | None = None) -> list[Account]:
    require(p, Role.ADMIN)
    stmt = sql.SQL("{} WHERE a.organization_id = %(org)s AND (%(provider)s::text IS NULL OR a.provider = %(provider)s)"
                   " ORDER BY a.provider, a.created_at, a.id").format(sql.SQL(Q.account_columns))
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Account))
        return await (await cur.execute(stmt, {"org": p.organization_id, "provider": provider})).fetchall()


async def get_account(db: Database, p: Principal, account_id: UUID) -> Account:
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _account(conn, p.organization_id, account_id)


async def update_account(db: Database, p: Principal, account_id: UUID, data: AccountUpdate) -> Account:
    """Rename, change scopes or status; ``revoked`` clears the secrets (they are of no more use)."""
    require(p, Role.ADMIN)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for name in ("display_name", "scopes", "status"):
        if name in changes and changes[name] is None and name != "display_name":
            raise Invalid(f"{name} cannot be cleared", field=name)
    if changes.get("status") is not None:
        changes["status"] = changes["status"].value
        changes["status_detail"] = None
    if changes.get("status") == AccountStatus.revoked.value:
        changes.update(access_token_enc=None, refresh_token_enc=None, webhook_secret_enc=None, token_expires_at=None,
                       secrets_key_id=None)
    allowed = ("display_name", "scopes", "status", "status_detail", "access_token_enc", "refresh_token_enc",
               "webhook_secret_enc", "token_expires_at", "secrets_key_id")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _account(conn, p.organization_id, account_id)
        await update_columns(conn, "integration_accounts", p.organization_id, account_id, changes, allowed)
        return await _account(conn, p.organization_id, account_id)


async def delete_account(db: Database, p: Principal, account_id: UUID) -> None:
    """Remove an account and its events; what it imported stays, and stays known (the map)."""
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = await conn.execute("DELETE FROM integration_accounts WHERE organization_id = %(org)s AND id = %(id)s",
                                 {"org": p.organization_id, "id": account_id})
        if cur.rowcount == 0:
            raise NotFound("integration account not found")


@dataclass(frozen=True, slots=True)
class Secrets:
    """An account's secrets in clear: only in memory, only where they are used."""

    access_token: str | None
    refresh_token: str | None
    token_expires_at: datetime | None
    webhook_secret: str | None

    def __repr__(self) -> str:  # never printed, whatever logs it
        return "Secrets(…)"


def open_columns(keyring: Keyring, org: UUID, row: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for c in SECRET_COLUMNS:
        blob = row[f"{c}_enc"]
        out[c] = None if blob is None else keyring.open(
            row["secrets_key_id"], bytes(blob), aad(org, row["id"], f"integration_accounts.{c}"),
            what=f"the {c} of integration account {row['id']}")
    return out


async def open_secrets(system: Database, org: UUID, account_id: UUID, keyring: Keyring | None = None) -> Secrets:
    """The account's secrets in clear (owner pool). Without any secret no key is needed."""
    async with system.transaction(org) as conn:
        row = await lock_or_404(conn, Q.account_sealed, org, account_id, "integration account")
    if row["secrets_key_id"] is None:
        return Secrets(None, None, None, None)
    opened = open_columns(keyring or Keyring.from_settings(), org, row)
    return Secrets(opened["access_token"], opened["refresh_token"], row["token_expires_at"], opened["webhook_secret"])


async def set_secrets(db: Database, p: Principal, account_id: UUID, data: SecretsUpdate,
                      keyring: Keyring | None = None) -> Account:
    """Set or clear secrets; all of the row's are then sealed under the current key (those that
    stay are opened with the key they were under first: a change is also a rotation)."""
    require(p, Role.ADMIN)
    changes = data.model_dump(exclude_unset=True)
    org = p.organization_id
    system = await db.as_system()
    async with system.transaction(org, p.user_id) as conn:
        row = await lock_or_404(conn, Q.account_sealed, org, account_id, "integration account")
        ring = keyring or Keyring.from_settings()  # after the 404: a made-up id needs no key to be refused
        if row["status"] == AccountStatus.revoked.value:
            raise Conflict("the account is revoked: set its status to active first", field="status")
        current = open_columns(ring, org, row) if row["secrets_key_id"] is not None else dict.fromkeys(SECRET_COLUMNS)
        for c in SECRET_COLUMNS:
            if c in changes:
                value = getattr(data, c)
                current[c] = None if value is None else value.get_secret_value()
        expires = changes["token_expires_at"] if "token_expires_at" in changes else row["token_expires_at"]
        if current["access_token"] is None and expires is not None:
            if "token_expires_at" in changes:
                raise Invalid("token_expires_at needs an access_token", field="token_expires_at")
            expires = None  # the token it was the expiry of is cleared
        sealed = {f"{c}_enc": seal_column(ring, org, account_id, c, current[c]) for c in SECRET_COLUMNS}
        await conn.execute(Q.update_sealed, {
            "org": org, "id": account_id, "token_expires_at": expires,
            "secrets_key_id": ring.current_id if any(current.values()) else None, **sealed})
        return await _account(conn, org, account_id)


# -- events and items -------------------------------------------------------------------------------


async def list_events(db: Database, p: Principal, account_id: UUID, *, status: EventStatus | None = None,
                      limit: int = 50) -> list[IntegrationEvent]:
    """An account's stored deliveries, newest first."""
    require(p, Role.ADMIN)
    stmt = sql.SQL("{} WHERE organization_id = %(org)s AND account_id = %(account_id)s"
                   " AND (%(status)s::text IS NULL OR status = %(status)s)"
                   " ORDER BY received_at DESC, id DESC LIMIT %(limit)s").format(sql.SQL(Q.event_columns))
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await _account(conn, p.organization_id, account_id)
        cur = conn.cursor(row_factory=class_row(IntegrationEvent))
        return await (await cur.execute(stmt, {"org": p.organization_id, "account_id": account_id,
                                               "status": status.value if status else None, "limit": limit})).fetchall()


async def get_event(db: Database, p: Principal, event_id: UUID) -> IntegrationEvent:
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await fetch_one_or_404(conn, sql.SQL("{} WHERE organization_id = %(org)s AND id = %(id)s").format(
            sql.SQL(Q.event_columns)), {"org": p.organization_id, "id": event_id}, "integration event",
            model=IntegrationEvent)


async def list_items(db: Database, p: Principal, *, account_id: UUID | None = None, video_id: UUID | None = None,
                     limit: int = 100) -> list[ExternalItem]:
    """The external-item map: what was imported from where, newest first."""
    require(p, Role.ADMIN)
    stmt = sql.SQL("{} WHERE organization_id = %(org)s"
                   " AND (%(account_id)s::uuid IS NULL OR account_id = %(account_id)s)"
                   " AND (%(video_id)s::uuid IS NULL OR video_id = %(video_id)s)"
                   " ORDER BY imported_at DESC, id DESC LIMIT %(limit)s").format(sql.SQL(Q.item_columns))
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(ExternalItem))
        return await (await cur.execute(stmt, {"org": p.organization_id, "account_id": account_id,
                                               "video_id": video_id, "limit": limit})).fetchall()
