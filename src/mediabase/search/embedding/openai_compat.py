"""Embeddings from any HTTP service that speaks OpenAI's ``POST /embeddings``.

OpenAI itself, Azure-style gateways, Ollama (``/v1``), vLLM, LiteLLM, Hugging Face
text-embeddings-inference …: ``{"model": …, "input": [...]}`` in, ``{"data":
[{"index": i, "embedding": [...]}]}`` out. Vectors are re-normalised here, whatever
the service does, so cosine similarity is a dot product for every model.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mediabase.search.embedding._base import (
    INSTALL_HINT,
    EmbeddingServiceError,
    EmbeddingUnavailable,
    check_texts,
    l2_normalise,
)
from mediabase.search.http import excerpt, retry_after

if TYPE_CHECKING:
    import httpx

OPENAI_NAME_PREFIX = "openai:"
_RETRY_STATUS = frozenset({408, 409, 425, 429})
_PROBE_TEXT = "mediabase embedding dimension probe"


class OpenAICompatibleEmbedder:
    """Embeds through ``POST {base_url}/embeddings`` with httpx.

    Batches of ``batch_size`` texts per request, in order. A 429, 408/409/425, any
    5xx, a timeout or a connection error is retried up to ``max_retries`` times with
    exponential backoff and jitter (``Retry-After`` is honoured, capped at
    ``max_backoff``); any other 4xx fails at once. Failures raise
    :class:`EmbeddingServiceError` with the URL, the HTTP status and an excerpt of
    the body, never the API key. Every response is checked: one vector per input,
    every vector of the expected dimension, finite and non-zero.

    ``dimension`` may be given; otherwise the first response sets it (reading
    :attr:`dimension` before any :meth:`embed` makes one small probe request).
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str,
        api_key: str | None = None,
        dimension: int | None = None,
        name: str | None = None,
        batch_size: int = 64,
        timeout: float = 60.0,
        max_retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 20.0,
    ) -> None:
        if not model:
            raise EmbeddingUnavailable("an embedding model name is required with an embedding URL")
        if not base_url.startswith(("http://", "https://")):
            raise EmbeddingUnavailable(
                f"embedding URL must start with http:// or https://, got {base_url!r}"
            )
        if dimension is not None and dimension < 1:
            raise EmbeddingUnavailable(f"embedding dimension must be positive, got {dimension}")
        if batch_size < 1 or max_retries < 0 or timeout <= 0 or backoff < 0:
            raise ValueError("batch_size >= 1, max_retries >= 0, timeout > 0, backoff >= 0")
        try:
            import httpx
        except ImportError as exc:
            raise EmbeddingUnavailable(
                f"an OpenAI-compatible embedding service needs the Python package 'httpx' "
                f"({exc}). Install the semantic extra: {INSTALL_HINT}"
            ) from exc
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.url = f"{self.base_url}/embeddings"
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._name = name or f"{OPENAI_NAME_PREFIX}{model}"
        self._dimension = dimension
        self._lock = threading.Lock()
        headers = {"Accept": "application/json", "User-Agent": "mediabase-embedding"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return (
            f"OpenAICompatibleEmbedder(model={self.model!r}, url={self.url!r}, "
            f"dimension={self._dimension})"
        )

    @property
    def name(self) -> str:
        """What is recorded beside each vector: ``openai:<model>`` unless given."""
        return self._name

    @property
    def dimension(self) -> int:
        """The vector length; probed with one request if it was not configured."""
        if self._dimension is None:
            self._post([_PROBE_TEXT])
        assert self._dimension is not None
        return self._dimension

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def __enter__(self) -> OpenAICompatibleEmbedder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed ``texts`` in batches; unit vectors in input order."""
        items = check_texts(texts)
        out: list[list[float]] = []
        for start in range(0, len(items), self.batch_size):
            # OpenAI rejects an empty string; a lone space means the same: no content.
            batch = [text or " " for text in items[start : start + self.batch_size]]
            out.extend(self._post(batch))
        return out

    # -- one request --------------------------------------------------------------

    def _post(self, inputs: list[str]) -> list[list[float]]:
        import httpx

        payload = {"model": self.model, "input": inputs}
        attempts = self.max_retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._client.post(self.url, json=payload)
            except httpx.TransportError as exc:
                if last:
                    raise EmbeddingServiceError(
                        f"embedding request to {self.url} failed after {attempts} attempt(s): "
                        f"{type(exc).__name__}: {exc}"
                    ) from exc
                self._sleep(attempt, None)
                continue
            status = response.status_code
            if status in _RETRY_STATUS or status >= 500:
                if last:
                    raise self._status_error(response, attempts)
                self._sleep(attempt, retry_after(response.headers.get("Retry-After")))
                continue
            if not 200 <= status < 300:
                raise self._status_error(response, attempt + 1)
            return self._parse(response, len(inputs))
        raise AssertionError("unreachable")  # pragma: no cover

    def _sleep(self, attempt: int, retry_after: float | None) -> None:
        if retry_after is not None:
            delay = min(retry_after, self.max_backoff)
        else:
            delay = min(self.backoff * (2**attempt), self.max_backoff)
            delay *= random.uniform(0.5, 1.0)
        time.sleep(delay)

    def _status_error(self, response: httpx.Response, attempts: int) -> EmbeddingServiceError:
        tried = f" after {attempts} attempts" if attempts > 1 else ""
        return EmbeddingServiceError(
            f"embedding service {self.url} answered HTTP {response.status_code} "
            f"{response.reason_phrase}{tried}: {excerpt(response.text)}",
            status_code=response.status_code,
        )

    def _bad(self, response: httpx.Response, problem: str) -> EmbeddingServiceError:
        return EmbeddingServiceError(
            f"embedding service {self.url} (model {self.model!r}) sent an unusable answer: "
            f"{problem}",
            status_code=response.status_code,
        )

    def _parse(self, response: httpx.Response, count: int) -> list[list[float]]:
        try:
            body: Any = response.json()
        except ValueError:
            raise self._bad(response, f"not JSON: {excerpt(response.text)}") from None
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise self._bad(response, f"no 'data' list in {excerpt(response.text)}")
        if len(data) != count:
            raise self._bad(response, f"{len(data)} embeddings for {count} inputs")
        vectors: list[list[float] | None] = [None] * count
        for position, item in enumerate(data):
            if not isinstance(item, dict):
                raise self._bad(response, f"data[{position}] is not an object")
            index = item.get("index", position)
            embedding = item.get("embedding")
            if not isinstance(index, int) or not 0 <= index < count or vectors[index] is not None:
                raise self._bad(response, f"data[{position}] has a bad or repeated index {index!r}")
            if not isinstance(embedding, list) or not all(
                isinstance(x, int | float) and not isinstance(x, bool) for x in embedding
            ):
                raise self._bad(response, f"data[{position}].embedding is not a list of numbers")
            vectors[index] = self._checked(response, embedding, position)
        return [v for v in vectors if v is not None]

    def _checked(
        self, response: httpx.Response, embedding: list[float], position: int
    ) -> list[float]:
        with self._lock:
            if self._dimension is None:
                if not embedding:
                    raise self._bad(response, "an empty embedding")
                self._dimension = len(embedding)
            expected = self._dimension
        if len(embedding) != expected:
            raise self._bad(
                response,
                f"data[{position}] has dimension {len(embedding)}, expected {expected} "
                "(check MEDIABASE_EMBEDDING_DIMENSION against the model)",
            )
        try:
            return l2_normalise(embedding)
        except ValueError as exc:
            raise self._bad(response, f"data[{position}]: {exc}") from None
