"""A small webhook receiver on loopback for the tests and the benchmark: plain asyncio HTTP/1.1
(keep-alive, Content-Length bodies), in a thread of its own or a process of its own.

Each request to ``/<name>`` is recorded (name, webhook-id, timestamp, whether its signature
verified against the secret given for that name, the body); what it answers is set per name
(``status``, ``delay`` seconds). The signature is checked with the Standard Webhooks algorithm
written here from the spec (https://www.standardwebhooks.com), and with the ``standardwebhooks``
package too when it is installed.

    python -m tests.webhook_receiver PORT_FILE   # a process of its own (the bench): prints nothing,
                                                 # writes its port to PORT_FILE, answers 204 fast
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def verify(secret: str, msg_id: str, timestamp: str, body: bytes, signature_header: str) -> bool:
    """The spec's check: any ``v1,<sig>`` of the header equals base64(HMAC-SHA256(key,
    f"{id}.{timestamp}.{body}")), the key being the base64-decoded part after ``whsec_``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return any(part.startswith("v1,") and hmac.compare_digest(part[3:], expected)
               for part in signature_header.split(" "))


def verify_with_package(secret: str, headers: dict[str, str], body: bytes) -> bool | None:
    """The ``standardwebhooks`` package's verdict (None when it is not installed)."""
    try:
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError
    except ImportError:
        return None
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


@dataclass
class Received:
    name: str
    webhook_id: str
    timestamp: str
    signature: str
    verified: bool
    body: dict[str, Any]


@dataclass
class Receiver:
    secrets: dict[str, str] = field(default_factory=dict)  # name -> whsec_… (verify when given)
    status: dict[str, int] = field(default_factory=dict)  # name -> status code (default 204)
    delay: dict[str, float] = field(default_factory=dict)  # name -> seconds before answering
    record_bodies: bool = True
    received: list[Received] = field(default_factory=list)
    count: int = 0
    port: int = 0
    _server: asyncio.Server | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for w in list(self._writers):
                w.close()
            await self._server.wait_closed()

    def start_in_thread(self) -> Receiver:
        started = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self.start())
            started.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self.stop())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="webhook-receiver", daemon=True)
        self._thread.start()
        started.wait(10)
        return self

    def stop_thread(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                _, path, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (h := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                name = path.strip("/")
                await self._record(name, headers, body)
                if (d := self.delay.get(name)):
                    await asyncio.sleep(d)
                code = self.status.get(name, 204)
                text = b"" if code == 204 else b"nope" if code >= 300 else b"ok"
                writer.write(b"HTTP/1.1 %d X\r\ncontent-length: %d\r\n\r\n%s" % (code, len(text), text))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _record(self, name: str, headers: dict[str, str], body: bytes) -> None:
        with self._lock:
            self.count += 1
        if not self.record_bodies:
            return
        secret = self.secrets.get(name)
        wid, ts, sig = headers.get("webhook-id", ""), headers.get("webhook-timestamp", ""), \
            headers.get("webhook-signature", "")
        ok = bool(secret) and verify(secret or "", wid, ts, body, sig)
        if ok and secret:
            pkg = verify_with_package(secret, {"webhook-id": wid, "webhook-timestamp": ts,
                                               "webhook-signature": sig}, body)
            ok = pkg is not False
        with self._lock:
            self.received.append(Received(name, wid, ts, sig, ok, json.loads(body or b"{}")))


async def _main(port_file: str) -> None:
    r = Receiver(record_bodies=False)
    await r.start()
    tmp = Path(port_file + ".tmp")
    tmp.write_text(str(r.port))  # noqa: ASYNC240 - once, before serving
    tmp.replace(port_file)  # noqa: ASYNC240
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1]))
