"""Outgoing webhooks' knobs, from the environment (``MEDIABASE_WEBHOOKS_*``; docs/webhooks.md)."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebhookSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDIABASE_WEBHOOKS_", extra="ignore")

    allow_http_loopback: bool = Field(
        default=False,
        description="deliver to the loopback (127.0.0.0/8, ::1, localhost), plain http:// there too: tests and"
        " local receivers; everything else must be https:// to a public address",
    )
    allow_private_networks: bool = Field(
        default=False,
        description="deliver to private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): a receiver"
        " inside your network. Off by default: an endpoint's admin could otherwise reach internal services."
        " Link-local (169.254.0.0/16, the cloud metadata endpoint), multicast and unspecified never",
    )
    max_attempts: int = Field(default=8, ge=1, le=100, description="attempts at one delivery before it is dead")
    disable_after: int = Field(
        default=50, ge=1, le=100_000,
        description="consecutive failed attempts (over all its deliveries) that disable an endpoint; a success resets",
    )
    timeout: float = Field(default=10.0, gt=0, le=120, description="seconds one request may take in all")
    connect_timeout: float = Field(default=5.0, gt=0, le=60, description="seconds to connect to a receiver")
    backoff_base: float = Field(
        default=10.0, ge=0, le=86_400,
        description="seconds before the 2nd attempt; doubled for each further one (with jitter), up to backoff_cap",
    )
    backoff_cap: float = Field(default=6 * 3600.0, ge=0, le=7 * 86_400, description="the longest wait between attempts")
    secret_grace_hours: float = Field(
        default=24.0, ge=0, le=720,
        description="hours the previous secret still signs (a second signature) after a rotation",
    )
    job_max_retries: int = Field(
        default=10, ge=0, le=1000,
        description="times the job of one attempt is run again after its worker died mid-request (not HTTP failures)",
    )


_cached: tuple[tuple[tuple[str, str], ...], WebhookSettings] | None = None


def webhook_settings() -> WebhookSettings:
    """The settings, read again only when a ``MEDIABASE_WEBHOOKS_*`` variable changed (reading
    them costs milliseconds; a delivery asks for them every time)."""
    global _cached
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("MEDIABASE_WEBHOOKS_")))
    if _cached is None or _cached[0] != env:
        _cached = (env, WebhookSettings())
    return _cached[1]
