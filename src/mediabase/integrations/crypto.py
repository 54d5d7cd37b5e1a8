"""Secrets sealed at rest: AES-256-GCM under ``MEDIABASE_INTEGRATIONS_KEY``.

A sealed value is ``nonce (12 random bytes) || ciphertext || tag (16 bytes)``; a fresh nonce per
write, so sealing one value twice gives two different ciphertexts. The associated data binds a
ciphertext to its place (organization, row, column): moved to another row or column it no longer
opens. Beside the ciphertext the row keeps the id of the key it was sealed under (the first 16
hex digits of a keyed digest of the key, which tells nothing of the key), so keys can rotate:
the current key seals, earlier keys (``MEDIABASE_INTEGRATIONS_OLD_KEYS``) still open until
``mediabase integrations rotate-key`` has sealed everything again under the current one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mediabase.common.errors import MediabaseError
from mediabase.integrations.settings import IntegrationSettings

KEY_ENV = "MEDIABASE_INTEGRATIONS_KEY"
OLD_KEYS_ENV = "MEDIABASE_INTEGRATIONS_OLD_KEYS"
NONCE_BYTES = 12
TAG_BYTES = 16


class KeyProblem(MediabaseError):
    """The integrations key is missing, malformed, or not the one a secret was sealed under."""

    status = 503
    code = "integrations-key"
    title = "Integrations key problem"
    public_detail = "the integrations' secrets cannot be opened here (the operator finds why in the log)"


def new_key() -> str:
    """A fresh key, as MEDIABASE_INTEGRATIONS_KEY takes it: base64 of 32 random bytes."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


def key_id(key: bytes) -> str:
    """The id stored beside what ``key`` sealed: 16 hex digits of a keyed digest (not the key)."""
    return hashlib.sha256(b"mediabase integrations key id\x00" + key).hexdigest()[:16]


def parse_key(text: str, name: str = KEY_ENV) -> bytes:
    """The 32 bytes of a base64 key (standard or URL-safe alphabet, padding optional)."""
    raw = text.strip()
    try:
        alphabet = raw.replace("-", "+").replace("_", "/")
        key = base64.b64decode(alphabet + "=" * (-len(alphabet) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise KeyProblem(f"{name} is not base64; it must be the base64 of 32 random bytes"
                         " (make one with 'mediabase integrations new-key')", field=name) from None
    if len(key) != 32:
        raise KeyProblem(f"{name} must be the base64 of 32 random bytes (AES-256), not of {len(key)}"
                         " (make one with 'mediabase integrations new-key')", field=name)
    return key


def aad(org: object, row: object, column: str) -> bytes:
    """The associated data of a sealed column: where it belongs."""
    return f"mediabase:{org}:{row}:{column}".encode()


@dataclass(frozen=True, slots=True)
class Keyring:
    """The current key (seals and opens) and earlier ones (open only), by key id."""

    current: bytes
    old: dict[str, bytes] = field(default_factory=dict)

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    @classmethod
    def from_settings(cls, settings: IntegrationSettings | None = None) -> Keyring:
        s = settings or IntegrationSettings()
        if s.key is None or not s.key.get_secret_value().strip():
            raise KeyProblem(f"{KEY_ENV} is not set: the integrations' tokens and webhook secrets are sealed under"
                             " it (make one with 'mediabase integrations new-key', see docs/integrations.md)",
                             field=KEY_ENV)
        current = parse_key(s.key.get_secret_value())
        old: dict[str, bytes] = {}
        if s.old_keys is not None:
            for i, text in enumerate(t for t in s.old_keys.get_secret_value().split(",") if t.strip()):
                k = parse_key(text, f"{OLD_KEYS_ENV} (key {i + 1})")
                old[key_id(k)] = k
        return cls(current, old)

    def seal(self, plaintext: str, associated: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + AESGCM(self.current).encrypt(nonce, plaintext.encode("utf-8"), associated)

    def open(self, kid: str, sealed: bytes, associated: bytes, *, what: str = "a secret") -> str:
        """The plaintext of ``sealed``, sealed under the key ``kid``; a clear error otherwise."""
        if kid == self.current_id:
            key = self.current
        elif kid in self.old:
            key = self.old[kid]
        else:
            raise KeyProblem(
                f"{what} was sealed under key id {kid}, which is neither {KEY_ENV} (key id {self.current_id})"
                f" nor one of {OLD_KEYS_ENV}: set the key it was sealed under (see docs/integrations.md, 'Keys')",
                field=KEY_ENV,
            )
        if len(sealed) < NONCE_BYTES + TAG_BYTES:
            raise KeyProblem(f"{what} is not a sealed value (too short)")
        try:
            plain = AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
        except InvalidTag:
            raise KeyProblem(
                f"{what} does not open under key id {kid}: the stored value was altered, or moved from another"
                " row or column", field=KEY_ENV,
            ) from None
        return plain.decode("utf-8")
