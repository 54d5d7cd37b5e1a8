"""Where webhook deliveries may go (webhooks/egress.py): every address is classified, literal
addresses are refused when an endpoint is written, and every connection the delivery client makes
is checked after DNS — tried here with real sockets: a refused address is never connected to."""

from __future__ import annotations

import asyncio
import ipaddress

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediabase.common.errors import Invalid
from mediabase.webhooks.egress import GuardedTransport, kind
from mediabase.webhooks.settings import WebhookSettings
from mediabase.webhooks.signing import check_url


@pytest.mark.parametrize(("address", "expected"), [
    ("93.184.216.34", "public"), ("2606:2800:220:1::", "public"), ("8.8.8.8", "public"),
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"), ("100.64.0.1", "private"),
    ("fd00::1", "private"), ("::ffff:10.1.2.3", "private"), ("192.0.2.2", "private"),
    ("169.254.169.254", "never"), ("fe80::1", "never"), ("0.0.0.0", "never"), ("::", "never"),  # noqa: S104
    ("224.0.0.1", "never"), ("ff02::1", "never"), ("240.0.0.1", "never"), ("::ffff:169.254.169.254", "never"),
])
def test_every_address_has_a_kind(address: str, expected: str) -> None:
    assert kind(ipaddress.ip_address(address)) == expected


DEFAULT = WebhookSettings()
OPEN = WebhookSettings(allow_http_loopback=True, allow_private_networks=True)


@pytest.mark.parametrize("url", [
    "https://10.0.0.1/x", "https://192.168.0.10:8443/x", "https://[fd00::1]/x", "https://169.254.169.254/latest",
    "https://127.0.0.1/x", "https://localhost/x", "https://[::1]/x", "https://[::ffff:10.0.0.1]/x",
    "https://0.0.0.0/x", "https://100.64.3.4/x",
])
def test_a_literal_address_that_deliveries_may_not_reach_is_refused_when_written(url: str) -> None:
    with pytest.raises(Invalid) as err:
        check_url(url, DEFAULT)
    assert err.value.field == "url"
    assert "may not point there" in str(err.value) or "https://" in str(err.value)


def test_the_settings_open_loopback_and_private_but_never_link_local() -> None:
    assert check_url("https://10.0.0.1/x", OPEN) == "https://10.0.0.1/x"
    assert check_url("http://127.0.0.1:9/x", OPEN) == "http://127.0.0.1:9/x"
    assert check_url("https://hooks.example.com/x", DEFAULT) == "https://hooks.example.com/x"
    with pytest.raises(Invalid, match="never"):
        check_url("https://169.254.169.254/latest/meta-data", OPEN)
    with pytest.raises(Invalid, match="https://"):  # private, but plain http only to the loopback
        check_url("http://10.0.0.1/x", OPEN)


@given(st.integers(0, 2**24 - 1))
def test_no_address_of_10_8_is_accepted_by_default(n: int) -> None:
    with pytest.raises(Invalid):
        check_url(f"https://{ipaddress.IPv4Address((10 << 24) + n)}/hook", DEFAULT)


async def _get(url: str) -> httpx.Response:
    transport = GuardedTransport(limits=httpx.Limits(max_connections=2))
    async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(2.0, connect=0.3)) as client:
        return await client.get(url)


@pytest.fixture
async def server() -> object:
    hits: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hits.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    yield port, hits
    srv.close()
    await srv.wait_closed()


async def test_a_name_is_checked_after_it_is_resolved(server: tuple[int, list[bytes]],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    port, hits = server
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK", "false")
    for url in (f"http://localhost:{port}/x", f"http://127.0.0.1:{port}/x", f"http://[::ffff:127.0.0.1]:{port}/x"):
        with pytest.raises(httpx.ConnectError, match="refused.*loopback"):
            await _get(url)
    assert hits == []  # never connected
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK", "true")
    answer = await _get(f"http://localhost:{port}/x")
    assert answer.status_code == 200 and len(hits) == 1
    assert b"host: localhost:" in hits[0].lower()  # the request still names the host it was sent to


async def test_private_networks_only_by_the_setting_and_link_local_never(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "false")
    with pytest.raises(httpx.ConnectError, match="refused.*private"):
        await _get("http://10.255.255.1:9/x")
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK", "true")
    try:  # allowed: a real attempt, answered or not depending on the network around this machine
        await _get("http://10.255.255.1:9/x")
    except httpx.TransportError as exc:
        error = str(exc)
    else:
        error = ""
    assert "refused:" not in error
    for url in ("http://169.254.169.254/latest/meta-data", "http://[fe80::1]:80/", "http://0.0.0.0:80/"):
        with pytest.raises(httpx.ConnectError, match="never go there"):
            await _get(url)
