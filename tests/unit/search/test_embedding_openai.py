"""OpenAICompatibleEmbedder against a real HTTP server on 127.0.0.1 (no mocks of httpx)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mediabase.search.embedding import (
    Embedder,
    EmbeddingServiceError,
    OpenAICompatibleEmbedder,
    clear_embedder_cache,
    get_embedder,
    l2_normalise,
)

API_KEY = "sk-test-secret-123"


def fake_vector(text: str, dimension: int) -> list[float]:
    """A deterministic, deliberately non-normalised vector for ``text``."""
    digest = hashlib.sha256(text.encode()).digest()
    return [(digest[i % len(digest)] - 127.5) / 10.0 for i in range(dimension)]


@dataclass
class Reply:
    """One scripted answer: status, JSON (or text) body, headers, delay before it."""

    status: int = 200
    body: Any = None  # None: the normal embeddings answer
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Recorded:
    path: str
    authorization: str | None
    payload: dict[str, Any]


class FakeEmbeddingServer:
    """``POST /v1/embeddings`` on 127.0.0.1; answers from ``script`` first, then normally."""

    def __init__(self, dimension: int = 8) -> None:
        self.dimension = dimension
        self.script: list[Reply] = []
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _answer(self, payload: dict[str, Any]) -> dict[str, Any]:
        inputs = payload["input"]
        # Reversed on purpose: clients must order by "index", not by position.
        data = [
            {"object": "embedding", "index": i, "embedding": fake_vector(t, self.dimension)}
            for i, t in enumerate(inputs)
        ][::-1]
        return {"object": "list", "data": data, "model": payload["model"], "usage": {}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length))
                with server._lock:
                    server.requests.append(
                        Recorded(self.path, self.headers.get("Authorization"), payload)
                    )
                    reply = server.script.pop(0) if server.script else Reply()
                if reply.delay:
                    time.sleep(reply.delay)
                if self.path != "/v1/embeddings":
                    reply = Reply(404, {"error": {"message": f"no route {self.path}"}})
                body = server._answer(payload) if reply.body is None else reply.body
                raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(reply.status)
                ctype = "text/plain" if isinstance(body, str) else "application/json"
                self.send_header("Content-Type", ctype)
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
def fake_server() -> Iterator[FakeEmbeddingServer]:
    server = FakeEmbeddingServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make(fake_server: FakeEmbeddingServer) -> Iterator[Any]:
    """Build embedders pointed at the fake server; closed after the test."""
    built: list[OpenAICompatibleEmbedder] = []

    def factory(**kwargs: Any) -> OpenAICompatibleEmbedder:
        options: dict[str, Any] = {
            "base_url": fake_server.base_url,
            "api_key": API_KEY,
            "backoff": 0.01,
            "max_backoff": 0.05,
        }
        options.update(kwargs)
        embedder = OpenAICompatibleEmbedder(options.pop("model", "fake-model"), **options)
        built.append(embedder)
        return embedder

    yield factory
    for embedder in built:
        embedder.close()


def norm(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


def test_success_batches_orders_and_normalises(make: Any, fake_server: FakeEmbeddingServer) -> None:
    embedder = make(dimension=8, batch_size=2)
    texts = ["the remote costs twelve fifty", "yeah", "okay, so", "um the buttons", "last one"]

    vectors = embedder.embed(texts)

    assert isinstance(embedder, Embedder)
    assert embedder.name == "openai:fake-model"
    assert embedder.dimension == 8
    assert [r.payload["input"] for r in fake_server.requests] == [
        texts[0:2],
        texts[2:4],
        texts[4:5],
    ]
    for request in fake_server.requests:
        assert request.path == "/v1/embeddings"
        assert request.authorization == f"Bearer {API_KEY}"
        assert request.payload["model"] == "fake-model"
    for text, vector in zip(texts, vectors, strict=True):
        assert len(vector) == 8
        assert norm(vector) == pytest.approx(1.0, abs=1e-12)
        assert vector == pytest.approx(l2_normalise(fake_vector(text, 8)), abs=1e-12)


def test_no_texts_makes_no_request(make: Any, fake_server: FakeEmbeddingServer) -> None:
    assert make(dimension=8).embed([]) == []
    assert fake_server.requests == []


def test_empty_string_is_sent_as_a_space(make: Any, fake_server: FakeEmbeddingServer) -> None:
    (vector,) = make(dimension=8).embed([""])
    assert fake_server.requests[0].payload["input"] == [" "]
    assert norm(vector) == pytest.approx(1.0)


def test_no_key_no_authorization_header(make: Any, fake_server: FakeEmbeddingServer) -> None:
    make(dimension=8, api_key=None).embed(["hello"])
    assert fake_server.requests[0].authorization is None


def test_dimension_is_discovered_by_one_probe(make: Any, fake_server: FakeEmbeddingServer) -> None:
    fake_server.dimension = 12
    embedder = make()
    assert embedder.dimension == 12
    assert embedder.dimension == 12
    assert len(fake_server.requests) == 1
    assert len(embedder.embed(["a", "b"])[1]) == 12
    assert len(fake_server.requests) == 2


def test_first_answer_sets_the_dimension_without_a_probe(
    make: Any, fake_server: FakeEmbeddingServer
) -> None:
    embedder = make()
    embedder.embed(["hello"])
    assert embedder.dimension == 8
    assert len(fake_server.requests) == 1


def test_429_then_success_is_retried(make: Any, fake_server: FakeEmbeddingServer) -> None:
    fake_server.script = [
        Reply(429, {"error": {"message": "Rate limit reached"}}, {"Retry-After": "0"}),
        Reply(503, "service warming up"),
    ]
    vectors = make(dimension=8).embed(["the remote control", "price"])
    assert len(vectors) == 2
    assert len(fake_server.requests) == 3
    assert vectors[0] == pytest.approx(l2_normalise(fake_vector("the remote control", 8)))


def test_500_error_reports_status_and_body(make: Any, fake_server: FakeEmbeddingServer) -> None:
    fake_server.script = [Reply(500, {"error": {"message": "upstream model crashed"}})] * 3
    embedder = make(dimension=8, max_retries=2)
    with pytest.raises(EmbeddingServiceError) as info:
        embedder.embed(["hello"])
    message = str(info.value)
    assert info.value.status_code == 500
    assert "HTTP 500" in message
    assert "upstream model crashed" in message
    assert "after 3 attempts" in message
    assert fake_server.base_url in message
    assert API_KEY not in message
    assert len(fake_server.requests) == 3


def test_4xx_is_not_retried(make: Any, fake_server: FakeEmbeddingServer) -> None:
    fake_server.script = [Reply(401, {"error": {"message": "Incorrect API key provided"}})]
    with pytest.raises(EmbeddingServiceError, match=r"HTTP 401 .*Incorrect API key provided"):
        make(dimension=8).embed(["hello"])
    assert len(fake_server.requests) == 1


def test_long_error_body_is_cut(make: Any, fake_server: FakeEmbeddingServer) -> None:
    fake_server.script = [Reply(400, "x" * 5000)]
    with pytest.raises(EmbeddingServiceError) as info:
        make(dimension=8).embed(["hello"])
    assert len(str(info.value)) < 600


def test_wrong_dimension_is_an_error(make: Any, fake_server: FakeEmbeddingServer) -> None:
    embedder = make(dimension=16)
    with pytest.raises(EmbeddingServiceError, match=r"dimension 8, expected 16"):
        embedder.embed(["hello"])


def test_dimension_change_between_answers_is_an_error(
    make: Any, fake_server: FakeEmbeddingServer
) -> None:
    embedder = make()
    embedder.embed(["first"])
    fake_server.dimension = 4
    with pytest.raises(EmbeddingServiceError, match=r"dimension 4, expected 8"):
        embedder.embed(["second"])


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"data": [{"index": 0, "embedding": [1.0, 0.0]}]}, "1 embeddings for 2 inputs"),
        ({"data": [{"index": 0, "embedding": [1.0]}, {"index": 0, "embedding": [1.0]}]}, "index"),
        ({"data": [{"index": 0, "embedding": "AAAA"}, {"index": 1}]}, "not a list of numbers"),
        ({"data": [{"index": 0, "embedding": [0.0]}, {"index": 1, "embedding": [1.0]}]}, "norm"),
        ({"object": "list"}, "no 'data' list"),
        ("<html>gateway</html>", "not JSON"),
    ],
)
def test_malformed_answers_are_errors(
    make: Any, fake_server: FakeEmbeddingServer, body: Any, problem: str
) -> None:
    fake_server.script = [Reply(200, body)]
    with pytest.raises(EmbeddingServiceError, match=problem):
        make().embed(["one", "two"])


def test_timeout_is_retried_then_reported(make: Any, fake_server: FakeEmbeddingServer) -> None:
    fake_server.script = [Reply(delay=1.0), Reply(delay=1.0)]
    embedder = make(dimension=8, timeout=0.2, max_retries=1)
    with pytest.raises(EmbeddingServiceError, match=r"after 2 attempt\(s\): ReadTimeout"):
        embedder.embed(["slow"])


def test_connection_refused_is_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        OpenAICompatibleEmbedder(
            "m", base_url=f"http://127.0.0.1:{port}/v1", dimension=8, max_retries=1, backoff=0.0
        ) as embedder,
        pytest.raises(EmbeddingServiceError, match=r"ConnectError"),
    ):
        embedder.embed(["hello"])


def test_a_bare_string_is_refused(make: Any, fake_server: FakeEmbeddingServer) -> None:
    with pytest.raises(TypeError, match="not a single string"):
        make(dimension=8).embed("hello")
    assert fake_server.requests == []


def test_api_key_not_in_repr(make: Any) -> None:
    assert API_KEY not in repr(make(dimension=8))


def test_get_embedder_builds_and_caches_http_embedders(fake_server: FakeEmbeddingServer) -> None:
    clear_embedder_cache()
    try:
        first = get_embedder("text-embed-small", base_url=fake_server.base_url + "/", api_key="k")
        again = get_embedder("text-embed-small", base_url=fake_server.base_url, api_key="k")
        prefixed = get_embedder("openai:other", base_url=fake_server.base_url, dimension=8)
        assert first is again
        assert isinstance(first, OpenAICompatibleEmbedder)
        assert first.name == "openai:text-embed-small"
        assert first.dimension == 8  # one probe
        assert prefixed.name == "openai:other"
        prefixed.embed(["x"])
        assert [r.payload["model"] for r in fake_server.requests] == ["text-embed-small", "other"]
    finally:
        clear_embedder_cache()
