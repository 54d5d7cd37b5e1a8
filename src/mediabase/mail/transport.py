"""How a message leaves: an RFC 5322 message handed to SMTP, or written as an ``.eml`` file.

The transport is chosen by ``MEDIABASE_MAIL_URL`` (:func:`parse_mail_url`):

- ``smtp://host[:port]`` (port 25): plain SMTP, as to a relay on the same host or network;
- ``smtp+starttls://[user:password@]host[:port]`` (port 587): the conversation is upgraded to
  TLS first (refused if the server cannot), then the login;
- ``smtps://[user:password@]host[:port]`` (port 465): TLS from the first byte;
- ``file:///absolute/folder``, or unset: the file transport, one ``<message id>.eml`` file per
  message in ``MEDIABASE_MAIL_DIR`` (default ``DATA_DIR/mail``): what a laptop, a test or a
  deployment without mail uses, and a record one can open in any mail client.

SMTP runs the standard library's :mod:`smtplib` in a thread (one conversation per message, with
``MEDIABASE_MAIL_TIMEOUT``). A failure is a :class:`TransportError`; ``permanent`` says a retry
cannot help (the server answered 5xx to the sender, the recipient or the content). The password
of the URL is never part of an error, a log line or :meth:`MailConfig.describe`.
"""

from __future__ import annotations

import asyncio
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import unquote, urlsplit
from uuid import UUID

from mediabase.config import Settings
from mediabase.db.errors import Invalid

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


class MailConfigError(Invalid):
    """MEDIABASE_MAIL_URL (or another mail setting) cannot be used; the message says which and why."""


class TransportError(Exception):
    """A message could not be handed over. ``permanent``: sending it again cannot succeed."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def scrub(text: str) -> str:
    """``text`` without e-mail addresses (what goes into a log line: servers echo recipients)."""
    return _ADDRESS.sub("<address>", text)


@dataclass(frozen=True, slots=True)
class MailConfig:
    """Where mail goes: ``kind`` file (``folder``) or smtp (host, port, tls, login)."""

    kind: Literal["file", "smtp"]
    folder: Path | None = None
    host: str = ""
    port: int = 0
    tls: Literal["none", "starttls", "implicit"] = "none"
    username: str | None = None
    password: str | None = None

    def describe(self) -> str:
        """A line for humans, without the password."""
        if self.kind == "file":
            return f"file transport: .eml files in {self.folder}"
        login = f" as {self.username}" if self.username else ""
        return f"SMTP {self.host}:{self.port} (TLS: {self.tls}){login}"


def parse_mail_url(url: str | None, default_folder: Path) -> MailConfig:
    """The transport a ``MEDIABASE_MAIL_URL`` value names (None or empty: files in ``default_folder``).

    Raises :class:`MailConfigError` with one line naming the setting and what is wrong."""
    if url is None or url.strip() == "":
        return MailConfig("file", folder=default_folder)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise MailConfigError(f"MEDIABASE_MAIL_URL is not a valid URL ({exc})", field="MEDIABASE_MAIL_URL") from None
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise MailConfigError("MEDIABASE_MAIL_URL: a file URL names an absolute folder: file:///var/mail/mediabase",
                                  field="MEDIABASE_MAIL_URL")
        return MailConfig("file", folder=Path(unquote(parts.path)))
    if scheme not in SCHEMES:
        shown = scheme or "(none)"
        raise MailConfigError(
            f"MEDIABASE_MAIL_URL has the unknown scheme {shown!r}: use smtp://host:port, "
            "smtp+starttls://user:password@host:port, smtps://user:password@host:port or file:///folder",
            field="MEDIABASE_MAIL_URL",
        )
    host = parts.hostname
    if not host:
        raise MailConfigError(f"MEDIABASE_MAIL_URL names no host ({scheme}://host:port)", field="MEDIABASE_MAIL_URL")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise MailConfigError("MEDIABASE_MAIL_URL: an SMTP URL is scheme://[user:password@]host[:port], nothing after",
                              field="MEDIABASE_MAIL_URL")
    if port == 0:
        raise MailConfigError("MEDIABASE_MAIL_URL: the port must be between 1 and 65535", field="MEDIABASE_MAIL_URL")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and not username:
        raise MailConfigError("MEDIABASE_MAIL_URL has a password but no user name", field="MEDIABASE_MAIL_URL")
    if username and scheme == "smtp":
        raise MailConfigError("MEDIABASE_MAIL_URL: a login is only sent over TLS (smtp+starttls:// or smtps://)",
                              field="MEDIABASE_MAIL_URL")
    tls: Literal["none", "starttls", "implicit"] = {"smtp": "none", "smtp+starttls": "starttls"}.get(
        scheme, "implicit")  # type: ignore[assignment]
    return MailConfig("smtp", host=host, port=port or SCHEMES[scheme], tls=tls, username=username, password=password)


def config_from_settings(settings: Settings) -> MailConfig:
    url = settings.mail_url.get_secret_value() if settings.mail_url is not None else None
    return parse_mail_url(url, settings.mail_dir or settings.data_dir / "mail")


# -- the message ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What a transport sends: one message of the outbox, as queued."""

    id: UUID
    organization_id: UUID
    to_address: str
    subject: str
    body_text: str
    body_html: str | None
    kind: str
    created_at: datetime


def build_email(msg: Outgoing, sender: str) -> EmailMessage:
    """The RFC 5322 message: From, To, Subject, Date (the message's creation), a Message-ID made
    of the outbox id (so a message sent twice, after a crash, is the same message to the
    receiver), the text body and, when there is one, the HTML alternative."""
    # an internationalized address (RFC 6531/6532) is written as UTF-8; anything else as ASCII
    email = EmailMessage(policy=policy.default if msg.to_address.isascii() else policy.SMTPUTF8)
    email["From"] = sender
    email["To"] = msg.to_address
    email["Subject"] = msg.subject
    email["Date"] = format_datetime(msg.created_at)
    email["Message-ID"] = f"<{msg.id}@mediabase>"
    email["X-Mediabase-Kind"] = msg.kind
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(msg.body_text)
    if msg.body_html is not None:
        email.add_alternative(msg.body_html, subtype="html")
    return email


# -- transports -------------------------------------------------------------------------------------


class Transport(Protocol):
    async def send(self, email: EmailMessage, *, message_id: UUID) -> None:
        """Hand ``email`` over; raise :class:`TransportError` when it could not be."""


class FileTransport:
    """One ``<message id>.eml`` per message in ``folder`` (created, owner-only). A message sent
    again replaces its file: the folder holds each message once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, email: EmailMessage, *, message_id: UUID) -> None:
        data = email.as_bytes(policy=email.policy.clone(linesep="\r\n"))  # RFC 5322 lines end in CRLF
        await asyncio.to_thread(self._write, data, f"{message_id}.eml")

    def _write(self, data: bytes, name: str) -> None:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.folder / name)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise TransportError(f"cannot write {self.folder / name}: {exc.strerror or exc}") from None


class SmtpTransport:
    """One SMTP conversation per message (:mod:`smtplib`, in a thread)."""

    def __init__(self, config: MailConfig, *, timeout: float) -> None:
        self.config = config
        self.timeout = timeout

    async def send(self, email: EmailMessage, *, message_id: UUID) -> None:
        await asyncio.to_thread(self._send, email)

    def _send(self, email: EmailMessage) -> None:
        c = self.config
        context = ssl.create_default_context()
        try:
            smtp: smtplib.SMTP
            if c.tls == "implicit":
                smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=self.timeout)
            with smtp:
                smtp.ehlo()
                if c.tls == "starttls":
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if c.username:
                    smtp.login(c.username, c.password or "")
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise TransportError(f"the recipient was refused ({', '.join(map(str, codes))})",
                                 permanent=all(500 <= code < 600 for code in codes)) from None
        except smtplib.SMTPNotSupportedError:
            raise TransportError("the server does not take internationalized addresses (SMTPUTF8)",
                                 permanent=True) from None
        except smtplib.SMTPAuthenticationError as exc:
            # the operator fixes the login; the message waits (it is not its fault)
            raise TransportError(f"SMTP login refused ({exc.smtp_code})") from None
        except smtplib.SMTPResponseException as exc:
            raw = exc.smtp_error
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            raise TransportError(f"SMTP {exc.smtp_code} {text}"[:500], permanent=500 <= exc.smtp_code < 600) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP {c.host}:{c.port}: {type(exc).__name__}: {exc}"[:500]) from None


def transport_for(config: MailConfig, *, timeout: float) -> Transport:
    if config.kind == "file":
        assert config.folder is not None
        return FileTransport(config.folder)
    return SmtpTransport(config, timeout=timeout)


def transport_from_settings(settings: Settings) -> Transport:
    """The transport the settings name; :class:`MailConfigError` when they name none that works."""
    return transport_for(config_from_settings(settings), timeout=settings.mail_timeout)
