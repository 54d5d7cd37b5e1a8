"""Incoming webhooks: ``POST /integrations/{provider}/webhooks/{account_id}``.

No API key: a delivery is authenticated by the provider's signature under the account's webhook
secret. In order, each refusal writing nothing: a body over the limit (413), a provider without
a receiver or an account that is not this provider's (404), an account that is paused or
revoked (409), no webhook secret set, a bad or missing signature, a timestamp older (or further
ahead) than the tolerance (401), a body that is not JSON or not the provider's shape (422). A
challenge (Zoom's ``endpoint.url_validation``) is answered and not stored. A verified event is
stored once per organization, provider and delivery id, and its processing
(``integrations.process``) enqueued in the same transaction: a re-delivery answers "duplicate".
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, NotFound, TooLarge, Unauthorized
from mediabase.db.rows import Jsonb
from mediabase.integrations.crypto import Keyring, aad
from mediabase.integrations.models import AccountStatus, WebhookAck
from mediabase.integrations.providers import ADAPTERS
from mediabase.integrations.service import Q
from mediabase.integrations.settings import IntegrationSettings
from mediabase.jobs import enqueue

JOB_TYPE = "integrations.process"


def event_aad(org: UUID, provider: str, delivery_id: str) -> bytes:
    """A delivery's sealed fields belong to it (its unique key), whatever its row id."""
    return aad(org, f"{provider}:{delivery_id}", "integration_events.secrets_enc")


async def receive(db: Database, provider: str, account_id: UUID, headers: Mapping[str, str], body: bytes, *,
                  now: float | None = None, settings: IntegrationSettings | None = None,
                  keyring: Keyring | None = None) -> WebhookAck | dict[str, Any]:
    """Verify, store once and enqueue; or answer a challenge. See the module's docstring."""
    s = settings or IntegrationSettings()
    if len(body) > s.max_webhook_bytes:
        raise TooLarge(f"a webhook body has at most {s.max_webhook_bytes} bytes", field="body")
    adapter = ADAPTERS.get(provider)
    if adapter is None:
        raise NotFound(f"provider {provider!r} has no incoming-webhook receiver here", field="provider")
    system = await db.as_system()
    async with system.transaction(readonly=True) as conn:
        target = await (await conn.execute(Q.webhook_target, {"id": account_id})).fetchone()
    if target is None or target["provider"] != provider:
        raise NotFound("integration account not found", field="account_id")
    if target["status"] in (AccountStatus.paused.value, AccountStatus.revoked.value):
        raise Conflict(f"the integration account is {target['status']}: its webhooks are refused", field="status")
    if target["webhook_secret_enc"] is None:
        raise Unauthorized("the account has no webhook secret: set one (PUT …/secrets) to receive its webhooks",
                           field="webhook_secret")
    org: UUID = target["organization_id"]
    ring = keyring or Keyring.from_settings(s)
    secret = ring.open(target["secrets_key_id"], bytes(target["webhook_secret_enc"]),
                       aad(org, account_id, "integration_accounts.webhook_secret"),
                       what=f"the webhook_secret of integration account {account_id}")
    delivery = adapter.receive(secret, headers, body, now=time.time() if now is None else now,
                               tolerance=s.webhook_tolerance_seconds)
    if delivery.answer is not None:
        return delivery.answer
    sealed = None
    if delivery.secrets:
        sealed = ring.seal(json.dumps(delivery.secrets), event_aad(org, provider, delivery.delivery_id))
    async with db.transaction(org) as conn:
        row = await (await conn.execute(Q.insert_event, {
            "org": org, "account_id": account_id, "provider": provider, "delivery_id": delivery.delivery_id,
            "event_type": delivery.event_type, "payload": Jsonb(delivery.payload),
            "body_sha256": hashlib.sha256(body).hexdigest(), "secrets_enc": sealed,
            "secrets_key_id": ring.current_id if sealed else None})).fetchone()
        if row is None:
            there = await (await conn.execute(Q.event_by_delivery, {
                "org": org, "provider": provider, "delivery_id": delivery.delivery_id})).fetchone()
            assert there is not None
            return WebhookAck(status="duplicate", event_id=there["id"])
        await enqueue(conn, org_id=org, type=JOB_TYPE, input={"event_id": str(row["id"])},
                      idempotency_key=f"{JOB_TYPE}:{row['id']}")
        return WebhookAck(status="stored", event_id=row["id"])
