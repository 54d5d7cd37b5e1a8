"""Reranking the top fused candidates of a search with a cross-encoder (docs/search.md, "Reranking").

A cross-encoder reads the query and one passage together and scores how well the passage answers
the query: slower than comparing vectors (one model pass per candidate), more accurate, so it is
run over the first few dozen fused candidates only (``MEDIABASE_SEARCH_RERANKER_DEPTH``).

No cross-encoder model can be installed offline from a package registry today (the packages
checked are listed in docs/search.md), so the reranker is a service mediabase calls over HTTP:

* ``tei``: Hugging Face text-embeddings-inference, ``POST /rerank`` with ``{"query", "texts"}``,
  answering ``[{"index", "score"}]``;
* ``infinity``: Infinity and the Cohere-style APIs (Cohere, Jina, vLLM, LiteLLM),
  ``POST /rerank`` with ``{"query", "documents", "model"}``, answering
  ``{"results": [{"index", "relevance_score"}]}``.

Nothing changes unless ``MEDIABASE_SEARCH_RERANKER`` is set:

    reranker = get_reranker(settings)                  # None: no reranker configured
    if reranker is not None:
        best_first = await rerank(reranker, q, [(cand.id, text) for cand, text in top])
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import threading
import time
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

from mediabase.config import Settings
from mediabase.search.http import excerpt, retry_after

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("mediabase.search")

RerankApi = Literal["tei", "infinity"]
DEFAULT_DEPTH = 30
MAX_DEPTH = 200

_RETRY_STATUS = frozenset({408, 409, 425, 429})
_MAX_PASSAGE_CHARS = 4_000  # ~700 words: more than any cross-encoder reads (512 tokens at most)

K = TypeVar("K", bound=Hashable)


class RerankError(RuntimeError):
    """Base class of every error raised while building or running a reranker."""


class RerankUnavailable(RerankError):
    """The configured reranker cannot be used (a setting is missing or wrong)."""


class RerankServiceError(RerankError):
    """A rerank service failed, timed out or answered something unusable."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


@runtime_checkable
class Reranker(Protocol):
    """Scores passages against a query; a higher score is a better answer.

    ``score`` returns one float per passage, in the passages' order. Scores of one call are
    comparable with each other (a cross-encoder's are comparable across calls too, but nothing
    here relies on that). It is synchronous and CPU- or network-bound: async code calls
    :func:`rerank`, which runs it in a worker thread.
    """

    @property
    def name(self) -> str: ...

    def score(self, query: str, passages: Sequence[str]) -> list[float]: ...


def redact_url(url: str) -> str:
    """``url`` without a user name or password (``http://user:pw@host/`` → ``http://host/``)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def rerank_url(base_url: str) -> str:
    """The endpoint for a configured URL: ``…/rerank`` as given, else ``/rerank`` appended.

    ``http://127.0.0.1:8080`` → ``http://127.0.0.1:8080/rerank``; ``https://api.cohere.com/v1`` →
    ``…/v1/rerank``; ``http://h:7997/v1/rerank`` stays.
    """
    url = base_url.rstrip("/")
    return url if urlsplit(url).path.endswith("/rerank") else f"{url}/rerank"


class HttpReranker:
    """A cross-encoder behind a self-hosted rerank API (TEI or Infinity/Cohere-style), over httpx.

    Passages go in requests of at most ``batch_size`` (TEI refuses more than its
    ``--max-client-batch-size``, 32 by default), each cut to 4,000 characters; an empty one is
    sent as a space. ``timeout`` bounds one :meth:`score` call, every batch and retry included:
    a search must not wait on a slow reranker. A 429, 408/409/425, any 5xx, a timeout or a
    connection error is retried up to ``max_retries`` times while time is left, after
    exponential backoff with jitter (``Retry-After`` in seconds is honoured); any other 4xx
    fails at once. Failures raise :class:`RerankServiceError` naming the URL (without
    credentials), the status and an excerpt of the body, never the API key. Every answer is
    checked: one finite score per passage, every index once.
    """

    def __init__(
        self,
        api: RerankApi,
        *,
        url: str,
        model: str | None = None,
        api_key: str | None = None,
        timeout: float = 10.0,
        batch_size: int = 32,
        max_retries: int = 2,
        backoff: float = 0.2,
        max_backoff: float = 5.0,
    ) -> None:
        if api not in ("tei", "infinity"):
            raise RerankUnavailable(f"unknown rerank API {api!r}: tei or infinity")
        if not url.startswith(("http://", "https://")):
            raise RerankUnavailable(
                f"MEDIABASE_SEARCH_RERANKER_URL must start with http:// or https://, got {redact_url(url)!r}"
            )
        if timeout <= 0 or batch_size < 1 or max_retries < 0 or backoff < 0 or max_backoff < 0:
            raise ValueError("timeout > 0, batch_size >= 1, max_retries >= 0, backoff >= 0, max_backoff >= 0")
        import httpx

        self.api: RerankApi = api
        self.model = model or None
        self.url = rerank_url(url)
        self.shown_url = redact_url(self.url)
        self.timeout = timeout
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        headers = {"Accept": "application/json", "User-Agent": "mediabase-rerank"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout), follow_redirects=False)

    def __repr__(self) -> str:
        return f"HttpReranker(api={self.api!r}, url={self.shown_url!r}, model={self.model!r})"

    @property
    def name(self) -> str:
        """``tei``, ``infinity`` or ``<api>:<model>``: says which reranker ordered a page."""
        return f"{self.api}:{self.model}" if self.model else self.api

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def __enter__(self) -> HttpReranker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        """One score per passage, in order; ``[]`` for no passages (no request)."""
        if isinstance(passages, str):
            raise TypeError("score() takes a sequence of passages, not a single string")
        items = [_passage(i, p) for i, p in enumerate(passages)]
        if not items:
            return []
        deadline = time.monotonic() + self.timeout
        out: list[float] = []
        for start in range(0, len(items), self.batch_size):
            out.extend(self._post(query or " ", items[start : start + self.batch_size], deadline))
        return out

    # -- one request --------------------------------------------------------------

    def _payload(self, query: str, texts: list[str]) -> dict[str, Any]:
        if self.api == "tei":
            return {"query": query, "texts": texts, "truncate": True, "raw_scores": False, "return_text": False}
        payload: dict[str, Any] = {"query": query, "documents": texts, "return_documents": False}
        if self.model:
            payload["model"] = self.model
        return payload

    def _post(self, query: str, texts: list[str], deadline: float) -> list[float]:
        import httpx

        payload = self._payload(query, texts)
        attempts = self.max_retries + 1
        for attempt in range(attempts):
            left = deadline - time.monotonic()
            if left <= 0:
                raise RerankServiceError(
                    f"rerank service {self.shown_url} gave no answer within {self.timeout:g} s "
                    f"(MEDIABASE_SEARCH_RERANKER_TIMEOUT; {attempt} attempt(s))"
                )
            last = attempt == attempts - 1
            try:
                response = self._client.post(self.url, json=payload, timeout=httpx.Timeout(left))
            except httpx.TransportError as exc:
                what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                if last or isinstance(exc, httpx.TimeoutException):
                    # a timeout used the time that was left
                    raise RerankServiceError(
                        f"rerank request to {self.shown_url} failed after {attempt + 1} attempt(s) "
                        f"within {self.timeout:g} s: {what}"
                    ) from exc
                self._wait(attempt, None, deadline, what)
                continue
            status = response.status_code
            if status in _RETRY_STATUS or status >= 500:
                if last:
                    raise self._status_error(response, attempts)
                hint = retry_after(response.headers.get("Retry-After"))
                if not self._wait(attempt, hint, deadline, f"HTTP {status}"):
                    raise self._status_error(response, attempt + 1)
                continue
            if not 200 <= status < 300:
                raise self._status_error(response, attempt + 1)
            return self._parse(response, len(texts))
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, attempt: int, retry_after: float | None, deadline: float, why: str) -> bool:
        """Sleep before the next attempt; False (no sleep) when that would pass the deadline."""
        if retry_after is not None:
            delay = min(retry_after, self.max_backoff)
        else:
            delay = min(self.backoff * (2**attempt), self.max_backoff) * random.uniform(0.5, 1.0)
        if time.monotonic() + delay >= deadline:
            return False
        log.warning("rerank service %s: %s, retrying in %.2f s", self.shown_url, why, delay)
        time.sleep(delay)
        return True

    def _status_error(self, response: httpx.Response, attempts: int) -> RerankServiceError:
        tried = f" after {attempts} attempts" if attempts > 1 else ""
        return RerankServiceError(
            f"rerank service {self.shown_url} answered HTTP {response.status_code} "
            f"{response.reason_phrase}{tried}: {excerpt(response.text)}",
            status_code=response.status_code,
        )

    def _bad(self, response: httpx.Response, problem: str) -> RerankServiceError:
        return RerankServiceError(
            f"rerank service {self.shown_url} ({self.api}) sent an unusable answer: {problem}",
            status_code=response.status_code,
        )

    def _parse(self, response: httpx.Response, count: int) -> list[float]:
        try:
            body: Any = response.json()
        except ValueError:
            raise self._bad(response, f"not JSON: {excerpt(response.text)}") from None
        if self.api == "tei":
            items, key = body, "score"
            if not isinstance(items, list):
                raise self._bad(response, f"not a list of scores: {excerpt(response.text)}")
        else:
            items, key = body.get("results") if isinstance(body, dict) else None, "relevance_score"
            if not isinstance(items, list):
                raise self._bad(response, f"no 'results' list in {excerpt(response.text)}")
        if len(items) != count:
            raise self._bad(response, f"{len(items)} scores for {count} passages")
        scores: list[float | None] = [None] * count
        for position, item in enumerate(items):
            if not isinstance(item, dict):
                raise self._bad(response, f"item {position} is not an object")
            index, value = item.get("index"), item.get(key)
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
                raise self._bad(response, f"item {position} has a bad index {index!r}")
            if scores[index] is not None:
                raise self._bad(response, f"index {index} comes twice")
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise self._bad(response, f"item {position} has no finite {key!r}: {value!r}")
            scores[index] = float(value)
        return [s for s in scores if s is not None]


def _passage(position: int, passage: object) -> str:
    if not isinstance(passage, str):
        raise TypeError(f"passage {position} is {type(passage).__name__}, not str")
    return passage[:_MAX_PASSAGE_CHARS] if passage.strip() else " "


async def rerank(reranker: Reranker, query: str, candidates: Sequence[tuple[K, str]]) -> list[tuple[K, float]]:
    """The candidates ``(id, text)`` scored by ``reranker``, best first.

    Runs :meth:`Reranker.score` in a worker thread, so the event loop goes on. Equal scores keep
    the candidates' own order (pass them in fused order). The caller chooses how many to pass
    (``settings.search_reranker_depth``) and what follows them. Raises :class:`RerankError` when
    the reranker fails: the caller keeps its own order then.
    """
    items = list(candidates)
    if not items:
        return []
    scores = await asyncio.to_thread(reranker.score, query, [text for _, text in items])
    if len(scores) != len(items):
        raise RerankServiceError(f"reranker {reranker.name} gave {len(scores)} scores for {len(items)} passages")
    order = sorted(range(len(items)), key=lambda i: (-scores[i], i))
    return [(items[i][0], float(scores[i])) for i in order]


# -- the configured reranker ----------------------------------------------------------------------

_cache: dict[tuple[str, str, str | None, str | None, float], HttpReranker] = {}
_cache_lock = threading.Lock()


def get_reranker(settings: Settings) -> Reranker | None:
    """The reranker the settings name, built once per process and then shared; None for ``none``.

    Raises :class:`RerankUnavailable` when a service is chosen without
    ``MEDIABASE_SEARCH_RERANKER_URL``.
    """
    choice = settings.search_reranker
    if choice == "none":
        return None
    api: RerankApi = choice
    if not settings.search_reranker_url:
        raise RerankUnavailable(
            f"MEDIABASE_SEARCH_RERANKER={choice} needs MEDIABASE_SEARCH_RERANKER_URL, the rerank service's address "
            "(e.g. http://127.0.0.1:8080 for text-embeddings-inference, http://127.0.0.1:7997 for Infinity)"
        )
    key_value = settings.search_reranker_api_key.get_secret_value() if settings.search_reranker_api_key else None
    key = (api, settings.search_reranker_url, settings.search_reranker_model, key_value,
           settings.search_reranker_timeout)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is None:
            cached = HttpReranker(api, url=key[1], model=key[2], api_key=key[3], timeout=key[4])
            _cache[key] = cached
        return cached


def clear_reranker_cache() -> None:
    """Forget the cached rerankers (closing their HTTP clients); for tests and reconfiguration."""
    with _cache_lock:
        rerankers = list(_cache.values())
        _cache.clear()
    for reranker in rerankers:
        reranker.close()
