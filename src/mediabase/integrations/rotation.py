"""Key rotation: seal again, under the current key, everything sealed under an earlier one.

Set the new key as ``MEDIABASE_INTEGRATIONS_KEY`` and the old one in
``MEDIABASE_INTEGRATIONS_OLD_KEYS`` (everywhere: API and workers open with either meanwhile),
run ``mediabase integrations rotate-key``, then drop the old key. Each row is re-sealed in a
transaction of its own, locked (a concurrent change of its secrets waits); running it again
finds nothing left to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from mediabase.db.connection import Database
from mediabase.integrations.crypto import Keyring
from mediabase.integrations.service import SECRET_COLUMNS, Q, open_columns, seal_column
from mediabase.integrations.webhooks import event_aad


@dataclass(slots=True)
class Rotated:
    key_id: str
    accounts: int = 0
    events: int = 0


async def rotate_key(system: Database, keyring: Keyring | None = None) -> Rotated:
    """Re-seal every account's secrets and every pending event's fields under the current key."""
    ring = keyring or Keyring.from_settings()
    done = Rotated(ring.current_id)
    async with system.transaction(readonly=True) as conn:
        rows = await (await conn.execute(Q.sealed_under_other_keys, {"current": ring.current_id})).fetchall()
    for r in rows:
        org, row_id = r["organization_id"], r["id"]
        async with system.transaction(org) as conn:
            if r["what"] == "account":
                row = await (await conn.execute(Q.account_sealed, {"org": org, "id": row_id})).fetchone()
                if row is None or row["secrets_key_id"] in (None, ring.current_id):
                    continue  # gone or changed meanwhile
                plain = open_columns(ring, org, row)
                await conn.execute(Q.update_sealed, {
                    "org": org, "id": row_id, "token_expires_at": row["token_expires_at"],
                    "secrets_key_id": ring.current_id,
                    **{f"{c}_enc": seal_column(ring, org, row_id, c, plain[c]) for c in SECRET_COLUMNS}})
                done.accounts += 1
            else:
                row = await (await conn.execute(Q.event_sealed, {"org": org, "id": row_id})).fetchone()
                if row is None or row["secrets_key_id"] in (None, ring.current_id):
                    continue
                where = event_aad(org, row["provider"], row["delivery_id"])
                plain_text = ring.open(row["secrets_key_id"], bytes(row["secrets_enc"]), where,
                                       what=f"the sealed fields of integration event {row_id}")
                await conn.execute(Q.update_event_sealed, {"org": org, "id": row_id,
                                                           "secrets_enc": ring.seal(plain_text, where),
                                                           "secrets_key_id": ring.current_id})
                done.events += 1
    return done
