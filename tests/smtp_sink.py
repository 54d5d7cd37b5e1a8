"""A real SMTP server on loopback for the mail tests (aiosmtpd, in a thread of its own).

It keeps what it receives (:attr:`Sink.messages`, parsed) and can refuse recipients with a given
reply (``sink.rcpt_reply = "550 5.1.1 no such user"``) to exercise the sender's failures.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller

from tests.servers import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Sink:
    port: int = 0
    messages: list[Received] = field(default_factory=list)
    rcpt_reply: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def received(self) -> list[Received]:
        with self.lock:
            return list(self.messages)


@contextmanager
def smtp_sink() -> Iterator[Sink]:
    """An SMTP server on 127.0.0.1 while the block runs."""
    sink = Sink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
