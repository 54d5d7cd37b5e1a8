"""The integrations' knobs, from the environment (``MEDIABASE_INTEGRATIONS_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class IntegrationSettings(BaseSettings):
    """Read afresh where needed (cheap), so a changed environment is seen by the next call."""

    model_config = SettingsConfigDict(env_prefix="MEDIABASE_INTEGRATIONS_", extra="ignore")

    key: SecretStr | None = Field(
        default=None,
        description="base64 of 32 random bytes: the AES-256-GCM key that seals the accounts' tokens and"
        " webhook secrets (make one with 'mediabase integrations new-key')",
    )
    old_keys: SecretStr | None = Field(
        default=None,
        description="comma-separated earlier keys, read-only: what was sealed under them still opens until"
        " 'mediabase integrations rotate-key' has sealed it again under the current key",
    )
    file_root: Path | None = Field(
        default=None,
        description="a folder whose files a webhook-delivered download_url may name (file:// or a relative"
        " path); unset: a webhook's files come over https only. 'integrations import' reads local feeds anyway",
    )
    download_hosts: str = Field(
        default="",
        description="comma-separated host names (a leading '.' for a domain and its subdomains) that https"
        " downloads may reach besides the provider's own (zoom: zoom.us and its subdomains)",
    )
    max_download_bytes: int = Field(default=50 * 1024 * 1024, ge=1, description="largest transcript file fetched")
    download_timeout: float = Field(default=30.0, gt=0, description="seconds an https download may take")
    max_webhook_bytes: int = Field(default=1024 * 1024, ge=1024, description="largest webhook body accepted")
    webhook_tolerance_seconds: int = Field(
        default=300, ge=1, description="how old (or how far ahead) a signed webhook's timestamp may be"
    )

    def extra_hosts(self) -> list[str]:
        return [h.strip().lower() for h in self.download_hosts.split(",") if h.strip()]


def integration_settings() -> IntegrationSettings:
    return IntegrationSettings()
