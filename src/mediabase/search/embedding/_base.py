"""What every embedder shares: the protocol, the errors, and L2 normalisation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

DEFAULT_MODEL = "all-MiniLM-L6-v2"
INSTALL_HINT = "pip install 'mediabase[semantic]'"


class EmbeddingError(RuntimeError):
    """Base class of every error raised while building or running an embedder."""


class EmbeddingUnavailable(EmbeddingError):
    """The configured embedding model cannot be used here (missing package, bad setting)."""


class EmbeddingServiceError(EmbeddingError):
    """An embedding HTTP endpoint failed or answered something unusable."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors of one fixed dimension.

    ``name`` is stored beside every vector so that vectors of different models are
    never compared. ``embed`` is synchronous and CPU- or network-bound: async callers
    run it in a thread (``await asyncio.to_thread(embedder.embed, texts)``).
    """

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


def check_texts(texts: Sequence[str]) -> list[str]:
    """Return ``texts`` as a list, refusing a bare string (a sequence of characters)."""
    if isinstance(texts, str):
        raise TypeError("embed() takes a sequence of strings, not a single string")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise TypeError(f"embed() input {i} is {type(text).__name__}, not str")
    return out


def l2_normalise(vector: Sequence[float]) -> list[float]:
    """Scale ``vector`` to Euclidean length 1; a zero or non-finite vector is an error."""
    values = [float(x) for x in vector]
    norm = math.sqrt(math.fsum(x * x for x in values))
    if not math.isfinite(norm) or norm == 0.0:
        raise ValueError(f"cannot normalise a vector of norm {norm}")
    return [x / norm for x in values]
