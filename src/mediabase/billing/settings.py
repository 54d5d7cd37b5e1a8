"""Billing's knobs, from the environment (``MEDIABASE_BILLING_*``; docs/billing.md, "Providers")."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class BillingSettings(BaseSettings):
    """Which payment provider mediabase speaks to, and the webhook's secret."""

    model_config = SettingsConfigDict(env_prefix="MEDIABASE_BILLING_", extra="ignore")

    provider: Literal["offline", "stripe"] = Field(
        default="offline",
        description="offline: mediabase is its own provider (subscriptions succeed, payments are recorded, "
        "nothing leaves the machine); stripe: subscriptions are made through Stripe's API and its webhooks "
        "bring the state.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="The endpoint's signing secret (Stripe: whsec_…): POST /billing/webhooks/{provider} verifies "
        "the Stripe-Signature header with it; unset: the endpoint refuses every request.",
    )
    webhook_tolerance_s: int = Field(
        default=300, ge=1, le=86_400, description="How old a signed webhook's timestamp may be, in seconds."
    )
    stripe_api_key: SecretStr | None = Field(
        default=None, description="Stripe's secret API key (sk_…), for the stripe provider."
    )
    stripe_api_base: str = Field(default="https://api.stripe.com", description="Stripe's API (a test double's URL).")

    @field_validator("webhook_secret", "stripe_api_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value


@lru_cache(maxsize=1)
def get_billing_settings() -> BillingSettings:
    """The process-wide billing settings, read once from the environment."""
    return BillingSettings()
