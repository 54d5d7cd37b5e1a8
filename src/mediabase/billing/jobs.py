"""Billing's background work, registered with the job queue: the offline provider's clock.

With ``MEDIABASE_BILLING_PROVIDER=offline`` nothing outside renews a subscription when its period
ends, so every maintenance pass of the worker does what Stripe would: a subscription cancelled at
period end ends, the others start their next period with a paid invoice
(:func:`mediabase.billing.service.advance_offline`; ``mediabase billing advance`` by hand).
"""

from __future__ import annotations

from typing import Any

from mediabase.billing import service
from mediabase.billing.settings import get_billing_settings
from mediabase.db.rows import Conn
from mediabase.jobs.registry import periodic


@periodic("billing.offline_clock", order=60)
async def offline_clock(conn: Conn, _settings: Any) -> str | None:
    if get_billing_settings().provider != "offline":
        return None
    async with conn.transaction():
        await conn.execute(b"SET LOCAL search_path TO mediabase, public")
        n = await service.advance_offline(conn)
    return f"offline billing: {n} subscription period(s) advanced" if n else None
