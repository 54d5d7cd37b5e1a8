"""The HTTP reranker against fake TEI and Infinity servers on 127.0.0.1 (no mocks of httpx),
rerank()'s ordering, and the reranker settings."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import ValidationError

from mediabase.config import Settings
from mediabase.search.rerank import (
    HttpReranker,
    Reranker,
    RerankServiceError,
    RerankUnavailable,
    clear_reranker_cache,
    get_reranker,
    redact_url,
    rerank,
    rerank_url,
)

API_KEY = "rr-test-secret-456"
QUERY = "how much should the remote control cost"
PASSAGES = [
    "Okay. Yeah.",
    "The remote control should cost twelve euros fifty, that is the production cost we were given.",
    "We talked about the colour of the case, yellow or maybe a fruit shape.",
    "The cost of the remote is what marketing asked about, control of it too.",
    "",
]


def fake_score(query: str, text: str) -> float:
    """Deterministic relevance: the share of the query's words that the text holds."""
    words = set(re.findall(r"\w+", query.lower()))
    found = set(re.findall(r"\w+", text.lower()))
    return len(words & found) / max(1, len(words))


@dataclass
class Reply:
    """One scripted answer: status, JSON (or text) body, headers, delay before it."""

    status: int = 200
    body: Any = None  # None: the normal answer of the server's API
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Recorded:
    path: str
    authorization: str | None
    payload: dict[str, Any]


class FakeRerankServer:
    """``POST {prefix}/rerank`` speaking TEI's or Infinity's shape; answers from ``script`` first.

    Both answer best first, as the real servers do, so a client must place scores by ``index``.
    """

    def __init__(self, api: str, prefix: str = "") -> None:
        self.api = api
        self.prefix = prefix
        self.script: list[Reply] = []
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{self.prefix}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _answer(self, payload: dict[str, Any]) -> Any:
        texts = payload["texts"] if self.api == "tei" else payload["documents"]
        scored = sorted(((i, fake_score(payload["query"], t)) for i, t in enumerate(texts)),
                        key=lambda pair: -pair[1])
        if self.api == "tei":
            return [{"index": i, "score": s} for i, s in scored]
        return {"object": "rerank", "model": payload.get("model", "default"), "usage": {"total_tokens": 1},
                "results": [{"index": i, "relevance_score": s, "document": None} for i, s in scored]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length))
                with server._lock:
                    server.requests.append(Recorded(self.path, self.headers.get("Authorization"), payload))
                    reply = server.script.pop(0) if server.script else Reply()
                if reply.delay:
                    time.sleep(reply.delay)
                if self.path != f"{server.prefix}/rerank":
                    reply = Reply(404, {"error": f"no route {self.path}"})
                body = server._answer(payload) if reply.body is None else reply.body
                raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(raw)  # fails only if the client timed out

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def tei() -> Iterator[FakeRerankServer]:
    server = FakeRerankServer("tei")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def infinity() -> Iterator[FakeRerankServer]:
    server = FakeRerankServer("infinity", prefix="/v1")
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["tei", "infinity"])
def server(request: pytest.FixtureRequest) -> FakeRerankServer:
    """Each API's fake server in turn."""
    fixture: FakeRerankServer = request.getfixturevalue(request.param)
    return fixture


@pytest.fixture
def make(server: FakeRerankServer) -> Iterator[Any]:
    """Build rerankers pointed at the fake server; closed after the test."""
    built: list[HttpReranker] = []

    def factory(**kwargs: Any) -> HttpReranker:
        options: dict[str, Any] = {"url": server.base_url, "api_key": API_KEY, "backoff": 0.01, "max_backoff": 0.05}
        options.update(kwargs)
        reranker = HttpReranker(server.api, **options)  # type: ignore[arg-type]
        built.append(reranker)
        return reranker

    yield factory
    for reranker in built:
        reranker.close()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    clear_reranker_cache()
    yield
    clear_reranker_cache()


# -- requests and answers -------------------------------------------------------------------------


def test_tei_request_and_scores_in_passage_order(tei: FakeRerankServer) -> None:
    with HttpReranker("tei", url=tei.base_url, api_key=API_KEY) as reranker:
        scores = reranker.score(QUERY, PASSAGES)
    assert scores == pytest.approx([fake_score(QUERY, p or " ") for p in PASSAGES])
    (request,) = tei.requests
    assert request.path == "/rerank"
    assert request.authorization == f"Bearer {API_KEY}"
    assert request.payload == {"query": QUERY, "texts": [p or " " for p in PASSAGES], "truncate": True,
                               "raw_scores": False, "return_text": False}
    assert reranker.name == "tei"
    assert isinstance(reranker, Reranker)


def test_infinity_request_names_the_model(infinity: FakeRerankServer) -> None:
    with HttpReranker("infinity", url=infinity.base_url + "/", model="mixedbread-ai/mxbai-rerank-xsmall-v1",
                      ) as reranker:
        scores = reranker.score(QUERY, PASSAGES[:3])
    assert scores == pytest.approx([fake_score(QUERY, p) for p in PASSAGES[:3]])
    (request,) = infinity.requests
    assert request.path == "/v1/rerank"
    assert request.authorization is None
    assert request.payload == {"query": QUERY, "documents": PASSAGES[:3], "return_documents": False,
                               "model": "mixedbread-ai/mxbai-rerank-xsmall-v1"}
    assert reranker.name == "infinity:mixedbread-ai/mxbai-rerank-xsmall-v1"


async def test_rerank_orders_best_first(make: Any) -> None:
    candidates = [(f"c{i}", text) for i, text in enumerate(PASSAGES)]
    ranked = await rerank(make(), QUERY, candidates)
    # 5, 4 and 1 of the query's 7 words; then two with none, in their own order
    assert [cid for cid, _ in ranked] == ["c1", "c3", "c2", "c0", "c4"]
    assert [score for _, score in ranked] == pytest.approx([5 / 7, 4 / 7, 1 / 7, 0, 0])


def test_batches_keep_the_order(make: Any, server: FakeRerankServer) -> None:
    texts = [f"remote {'cost ' * i}passage {i}" for i in range(5)]
    scores = make(batch_size=2).score(QUERY, texts)
    key = "texts" if server.api == "tei" else "documents"
    assert [r.payload[key] for r in server.requests] == [texts[0:2], texts[2:4], texts[4:5]]
    assert scores == pytest.approx([fake_score(QUERY, t) for t in texts])


def test_no_passages_make_no_request(make: Any, server: FakeRerankServer) -> None:
    assert make().score(QUERY, []) == []
    assert server.requests == []


def test_long_passages_are_cut(make: Any, server: FakeRerankServer) -> None:
    make().score(QUERY, ["word " * 5000])
    key = "texts" if server.api == "tei" else "documents"
    assert len(server.requests[0].payload[key][0]) == 4000


def test_a_bare_string_is_refused(make: Any, server: FakeRerankServer) -> None:
    with pytest.raises(TypeError, match="not a single string"):
        make().score(QUERY, "remote control")
    with pytest.raises(TypeError, match="passage 1 is int"):
        make().score(QUERY, ["a", 3])
    assert server.requests == []


# -- failures ---------------------------------------------------------------------------------------


def test_500_then_success_is_retried(make: Any, server: FakeRerankServer) -> None:
    server.script = [Reply(500, {"error": "model crashed"}), Reply(503, "warming up", {"Retry-After": "0"})]
    scores = make().score(QUERY, PASSAGES[:2])
    assert scores == pytest.approx([fake_score(QUERY, p) for p in PASSAGES[:2]])
    assert len(server.requests) == 3


def test_429_with_retry_after_is_retried(make: Any, server: FakeRerankServer) -> None:
    server.script = [Reply(429, {"error": "too many requests"}, {"Retry-After": "0.01"})]
    assert len(make().score(QUERY, PASSAGES[:2])) == 2
    assert len(server.requests) == 2


def test_persistent_500_reports_status_body_and_attempts(make: Any, server: FakeRerankServer) -> None:
    server.script = [Reply(500, {"error": "upstream model crashed"})] * 3
    with pytest.raises(RerankServiceError) as info:
        make(max_retries=2).score(QUERY, PASSAGES[:2])
    message = str(info.value)
    assert info.value.status_code == 500
    assert "HTTP 500" in message
    assert "upstream model crashed" in message
    assert "after 3 attempts" in message
    assert rerank_url(server.base_url) in message
    assert API_KEY not in message
    assert len(server.requests) == 3


def test_4xx_is_a_clear_error_at_once(make: Any, server: FakeRerankServer) -> None:
    server.script = [Reply(413, {"error": "batch size 50 > maximum allowed batch size 32",
                                 "error_type": "Validation"})]
    with pytest.raises(RerankServiceError, match=r"HTTP 413 .*maximum allowed batch size 32") as info:
        make().score(QUERY, PASSAGES)
    assert info.value.status_code == 413
    assert len(server.requests) == 1


def test_retry_after_past_the_deadline_fails_at_once(make: Any, server: FakeRerankServer) -> None:
    server.script = [Reply(429, {"error": "slow down"}, {"Retry-After": "30"})]
    with pytest.raises(RerankServiceError, match=r"HTTP 429"):
        make(timeout=1.0, max_backoff=60.0).score(QUERY, PASSAGES[:2])
    assert len(server.requests) == 1


def test_timeout_is_reported(make: Any, server: FakeRerankServer) -> None:
    server.script = [Reply(delay=1.0)]
    with pytest.raises(RerankServiceError, match=r"within 0.2 s: ReadTimeout"):
        make(timeout=0.2).score(QUERY, PASSAGES[:2])
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("tei_body", "infinity_body", "problem"),
    [
        ("<html>bad gateway</html>", "<html>bad gateway</html>", "not JSON"),
        ({"scores": [1, 2]}, [{"index": 0, "relevance_score": 1.0}], r"not a list|no 'results' list"),
        ([{"index": 0, "score": 0.9}], {"results": [{"index": 0, "relevance_score": 0.9}]},
         "1 scores for 2 passages"),
        ([{"index": 0, "score": 0.9}, {"index": 0, "score": 0.1}],
         {"results": [{"index": 1, "relevance_score": 0.9}, {"index": 1, "relevance_score": 0.1}]}, "comes twice"),
        ([{"index": 0, "score": 0.9}, {"index": 2, "score": 0.1}],
         {"results": [{"index": 0, "relevance_score": 0.9}, {"index": "1", "relevance_score": 0.1}]}, "bad index"),
        ([{"index": 0, "score": 0.9}, {"index": True, "score": 0.1}],
         {"results": [{"index": 0, "relevance_score": 0.9}, {"index": -1, "relevance_score": 0.1}]}, "bad index"),
        ([{"index": 0, "score": 0.9}, {"index": 1, "score": None}],
         {"results": [{"index": 0, "relevance_score": 0.9}, {"index": 1, "score": 0.1}]}, "no finite"),
        ([{"index": 0, "score": 0.9}, {"index": 1, "score": "NaN"}],
         {"results": [{"index": 0, "relevance_score": 0.9}, {"index": 1, "relevance_score": True}]}, "no finite"),
        ([0.9, 0.1], {"results": [0.9, 0.1]}, "not an object"),
    ],
)
def test_malformed_answers_are_errors(
    make: Any, server: FakeRerankServer, tei_body: Any, infinity_body: Any, problem: str
) -> None:
    server.script = [Reply(200, tei_body if server.api == "tei" else infinity_body)]
    with pytest.raises(RerankServiceError, match=problem):
        make().score(QUERY, PASSAGES[:2])
    assert len(server.requests) == 1


def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (HttpReranker("tei", url=f"http://127.0.0.1:{port}", max_retries=1, backoff=0.0) as reranker,
          pytest.raises(RerankServiceError, match=r"after 2 attempt\(s\).*ConnectError")):
        reranker.score(QUERY, ["x"])


def test_no_secret_in_errors_repr_or_logs(
    make: Any, server: FakeRerankServer, caplog: pytest.LogCaptureFixture
) -> None:
    host = server.base_url.removeprefix("http://")
    reranker = make(url=f"http://user:url-password@{host}", max_retries=1)
    server.script = [Reply(502, "bad gateway")] * 2
    with caplog.at_level(logging.WARNING, logger="mediabase.search"), pytest.raises(RerankServiceError) as info:
        reranker.score(QUERY, ["x"])
    shown = [str(info.value), repr(reranker), caplog.text]
    assert "retrying" in caplog.text
    for text in shown:
        assert API_KEY not in text
        assert "url-password" not in text
    assert f"http://{host}/rerank" in str(info.value)


def test_url_helpers() -> None:
    assert rerank_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/rerank"
    assert rerank_url("https://api.cohere.com/v1/") == "https://api.cohere.com/v1/rerank"
    assert rerank_url("http://h:7997/v1/rerank") == "http://h:7997/v1/rerank"
    assert redact_url("https://u:p@h.example:8443/v1/rerank?x=1") == "https://h.example:8443/v1/rerank?x=1"
    assert redact_url("http://[::1]/rerank") == "http://[::1]/rerank"


def test_bad_constructor_arguments() -> None:
    with pytest.raises(RerankUnavailable, match="http:// or https://"):
        HttpReranker("tei", url="ftp://127.0.0.1/")
    with pytest.raises(RerankUnavailable, match="unknown rerank API"):
        HttpReranker("cohere", url="http://127.0.0.1/")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout > 0"):
        HttpReranker("tei", url="http://127.0.0.1/", timeout=0)


# -- rerank() ---------------------------------------------------------------------------------------


class StubReranker:
    """Scores given per text; records the thread it ran in."""

    name = "stub"

    def __init__(self, scores: dict[str, float], extra: int = 0) -> None:
        self.scores = scores
        self.extra = extra
        self.threads: list[int] = []

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        self.threads.append(threading.get_ident())
        return [self.scores[p] for p in passages] + [0.0] * self.extra


async def test_rerank_runs_in_a_worker_thread_and_keeps_ties_in_order() -> None:
    stub = StubReranker({"a": 0.5, "b": 0.9, "c": 0.5, "d": 0.1})
    ranked = await rerank(stub, QUERY, [(1, "a"), (2, "b"), (3, "c"), (4, "d")])
    assert ranked == [(2, 0.9), (1, 0.5), (3, 0.5), (4, 0.1)]
    assert stub.threads and stub.threads[0] != threading.get_ident()
    assert isinstance(stub, Reranker)


async def test_rerank_of_nothing_calls_nothing() -> None:
    stub = StubReranker({})
    assert await rerank(stub, QUERY, []) == []
    assert stub.threads == []


async def test_rerank_refuses_a_wrong_number_of_scores() -> None:
    with pytest.raises(RerankServiceError, match="3 scores for 2 passages"):
        await rerank(StubReranker({"a": 1.0, "b": 0.0}, extra=1), QUERY, [(1, "a"), (2, "b")])


async def test_rerank_through_a_real_server(infinity: FakeRerankServer) -> None:
    reranker = get_reranker(Settings.model_validate({"search_reranker": "infinity",
                                                     "search_reranker_url": infinity.base_url}))
    assert reranker is not None
    ranked = await rerank(reranker, QUERY, list(enumerate(PASSAGES)))
    assert [i for i, _ in ranked][:2] == [1, 3]


# -- settings ---------------------------------------------------------------------------------------


def test_default_is_no_reranker() -> None:
    settings = Settings.model_validate({})
    assert settings.search_reranker == "none"
    assert settings.search_reranker_depth == 30
    assert get_reranker(settings) is None


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tei: FakeRerankServer) -> None:
    monkeypatch.setenv("MEDIABASE_SEARCH_RERANKER", "TEI")
    monkeypatch.setenv("MEDIABASE_SEARCH_RERANKER_URL", tei.base_url)
    monkeypatch.setenv("MEDIABASE_SEARCH_RERANKER_DEPTH", "50")
    monkeypatch.setenv("MEDIABASE_SEARCH_RERANKER_TIMEOUT", "2.5")
    monkeypatch.setenv("MEDIABASE_SEARCH_RERANKER_API_KEY", API_KEY)
    monkeypatch.setenv("MEDIABASE_SEARCH_RERANKER_MODEL", "")
    settings = Settings()
    assert (settings.search_reranker, settings.search_reranker_depth, settings.search_reranker_timeout) == (
        "tei", 50, 2.5)
    assert settings.search_reranker_model is None
    assert API_KEY not in repr(settings)
    reranker = get_reranker(settings)
    assert isinstance(reranker, HttpReranker)
    assert reranker is get_reranker(Settings())  # built once, shared
    assert reranker.timeout == 2.5
    reranker.score(QUERY, ["remote"])
    assert tei.requests[0].authorization == f"Bearer {API_KEY}"


@pytest.mark.parametrize("value", ["", "none", "None", " NONE "])
def test_none_spellings(value: str) -> None:
    assert Settings.model_validate({"search_reranker": value}).search_reranker == "none"


@pytest.mark.parametrize("value", ["onnx", "ms-marco-MiniLM-L-6-v2", "cohere", "flashrank"])
def test_unknown_reranker_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match=r"must be none, tei or infinity"):
        Settings.model_validate({"search_reranker": value})


@pytest.mark.parametrize(
    ("field_name", "value"),
    [("search_reranker_depth", 0), ("search_reranker_depth", 201), ("search_reranker_timeout", 0),
     ("search_reranker_timeout", 121), ("search_reranker_url", "ftp://127.0.0.1/rerank"),
     ("search_reranker_url", "127.0.0.1:8080")],
)
def test_out_of_bounds_settings_are_refused(field_name: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field_name):
        Settings.model_validate({field_name: value})


@pytest.mark.parametrize("depth", [1, 200])
def test_depth_bounds_are_inclusive(depth: int) -> None:
    assert Settings.model_validate({"search_reranker_depth": depth}).search_reranker_depth == depth


@pytest.mark.parametrize("choice", ["tei", "infinity"])
def test_a_service_without_url_is_unavailable(choice: str) -> None:
    with pytest.raises(RerankUnavailable, match="needs MEDIABASE_SEARCH_RERANKER_URL"):
        get_reranker(Settings.model_validate({"search_reranker": choice}))
