"""Where the worker may send a delivery: public addresses only, unless a setting says otherwise.

An endpoint's URL is written by a tenant's admin, and the worker POSTs to it from inside the
deployment's network and records the answer's first bytes where that admin can read them. Left
open, that is a way into internal services and the cloud's metadata endpoint (server-side request
forgery). So every connection is checked where it is made, after DNS:

* public (globally routable) addresses: always;
* loopback (127.0.0.0/8, ::1): only with ``MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK`` (tests, a
  receiver on the same host);
* private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7 and other non-global
  ranges): only with ``MEDIABASE_WEBHOOKS_ALLOW_PRIVATE_NETWORKS`` (a receiver inside your network);
* link-local (169.254.0.0/16 — the metadata endpoint — and fe80::/10), multicast, unspecified and
  reserved addresses: never.

A name is resolved once per connection and refused if any of its addresses is refused (a name
that also points inside is not trusted for its public half); the connection goes to the address
that was checked, so a second lookup (DNS rebinding) cannot change it. TLS still verifies the
certificate against the URL's host name. IPv4-mapped IPv6 addresses are judged as the IPv4 address
they carry. The same rule refuses a literal address when an endpoint is created or changed
(:func:`refusal`), so most mistakes are a 422 rather than a failed delivery.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from typing import Literal

import httpcore
import httpx

from mediabase.webhooks.settings import WebhookSettings, webhook_settings

Kind = Literal["public", "loopback", "private", "never"]
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598): not global, not "private"


def kind(ip: Address) -> Kind:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "never"
    if ip.is_global and ip not in _SHARED:
        return "public"
    return "private"


def refusal(ip: Address, s: WebhookSettings) -> str | None:
    """Why a delivery may not go to ``ip`` (None: it may)."""
    k = kind(ip)
    if k == "public" or (k == "loopback" and s.allow_http_loopback) or (k == "private" and s.allow_private_networks):
        return None
    if k == "loopback":
        return f"{ip} is a loopback address (MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK=true allows it)"
    if k == "private":
        return f"{ip} is a private address (MEDIABASE_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true allows it)"
    return f"{ip} is a link-local, multicast, unspecified or reserved address: webhooks never go there"


def literal(host: str) -> Address | None:
    """``host`` as an IP address, if it is one (brackets and an IPv6 zone allowed)."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


class Refused(httpcore.ConnectError):
    """A connection the rules above do not allow (httpx reports it as a ConnectError)."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend, with every TCP connection checked (module docstring)."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,  # noqa: ASYNC109 (httpcore's)
                          local_address: str | None = None,
                          socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        s = webhook_settings()
        ip = literal(host)
        if ip is not None:
            addresses = [ip]
        else:
            try:
                infos = await asyncio.wait_for(
                    asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
            except (OSError, TimeoutError) as exc:
                raise httpcore.ConnectError(f"{host}: cannot be resolved ({exc})") from exc
            addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos))
        for a in addresses:
            why = refusal(a, s)
            if why is not None:
                raise Refused(f"refused: {host} → {why}" if ip is None else f"refused: {why}")
        last: Exception | None = None
        for a in addresses:
            try:
                return await self._inner.connect_tcp(str(a), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # the next address, as a resolver's list is meant
                last = exc
        raise last or httpcore.ConnectError(f"{host}: no address")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,  # noqa: ASYNC109 (httpcore's)
                                  socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        raise Refused("refused: webhooks are not delivered to unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over :class:`GuardedBackend`: no proxy from the environment, HTTP/1.1."""

    def __init__(self, *, limits: httpx.Limits, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections, max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, http1=True, http2=False, network_backend=GuardedBackend())
