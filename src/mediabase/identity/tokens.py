"""Bearer secrets shown once and kept only as a digest: '<kind>_<prefix>_<secret>'.

The kind tells them apart on sight (and in ``get_principal``): ``mb`` API keys (service.py),
``mbs`` sign-in sessions, ``mbv`` e-mail verification, ``mbr`` password reset, ``mbi``
invitations. The 12-character prefix finds the row (an index; not secret); sha256 of the secret
is compared in constant time. The secret has 256 bits, so an unsalted sha256 is enough (it is
not a password).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from enum import StrEnum

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_PREFIX = re.compile(r"[a-z0-9]{12}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{20,100}")


class TokenKind(StrEnum):
    session = "mbs"
    verify_email = "mbv"
    reset_password = "mbr"  # noqa: S105
    invitation = "mbi"


def new_token(kind: TokenKind) -> tuple[str, str, bytes]:
    """A new token, its prefix and the digest of its secret (the only part to keep)."""
    prefix = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    secret = secrets.token_urlsafe(32)
    return f"{kind.value}_{prefix}_{secret}", prefix, digest(secret)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def parse(token: str, kind: TokenKind) -> tuple[str, bytes] | None:
    """(prefix, digest of the secret) of a well-formed token of this kind, else None."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != kind.value:
        return None
    if not _PREFIX.fullmatch(parts[1]) or not _SECRET.fullmatch(parts[2]):
        return None
    return parts[1], digest(parts[2])


def kind_of(token: str) -> str:
    """The part before the first '_' (``mb``, ``mbs``, …)."""
    return token.strip().split("_", 1)[0]


def same(stored: bytes | memoryview, presented: bytes) -> bool:
    return hmac.compare_digest(bytes(stored), presented)
