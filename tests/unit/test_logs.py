"""mediabase.logs: the request context on records, the two formats, no personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from mediabase import logs
from tests.log_privacy import leaks

KEY = "mb_abcdefghij12_Zm9vYmFyYmF6cXV4cXV1eF8tLWFiY2RlZmdo"


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.ContextFilter())
    log = logging.getLogger("mediabase.test_logs")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield log, stream
    finally:
        log.removeHandler(handler)
        log.propagate = True


def test_json_records_carry_the_bound_request_and_no_personal_data(
    logger: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = logger
    log.handlers[0].setFormatter(logs.JsonFormatter())
    token = logs.bind(logs.RequestContext("req-1", organization="org-1", method="GET",
                                          route_of=lambda: "/videos/{video_id}"))
    try:
        log.info("user %s used %s", "ada@example.org", KEY, extra={"status": 201, "duration_ms": 3.5})
        try:
            raise ValueError("Key (email)=(ada@example.org) already exists")
        except ValueError:
            log.exception("boom")
    finally:
        logs.unbind(token)
    log.info("outside")
    first, second, third = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "user <email> used mb_abcdefghij12_<secret>"
    assert (first["request_id"], first["organization"], first["method"], first["route"]) == (
        "req-1", "org-1", "GET", "/videos/{video_id}")
    assert first["status"] == 201 and first["duration_ms"] == 3.5 and first["level"] == "info"
    assert first["timestamp"].endswith("+00:00") and first["logger"] == "mediabase.test_logs"
    assert "ValueError" in second["exception"] and "ada@" not in second["exception"]
    assert "request_id" not in third
    assert not leaks(stream.getvalue().splitlines())
    assert leaks(['{"message": "ada@example.org"}', KEY]) == ['{"message": "ada@example.org"}', KEY]


def test_console_lines_are_readable_and_redacted(logger: tuple[logging.Logger, io.StringIO]) -> None:
    log, stream = logger
    log.handlers[0].setFormatter(logs.ConsoleFormatter())
    token = logs.bind(logs.RequestContext("req-2", organization="org-2"))
    try:
        log.warning("key %s", KEY)
    finally:
        logs.unbind(token)
    line = stream.getvalue().strip()
    assert "WARNING mediabase.test_logs: key mb_abcdefghij12_<secret> [request_id=req-2 org=org-2]" in line


@pytest.mark.parametrize(
    ("given", "kept"),
    [("9f1c2e", True), ("Root=1-5759e988-bd862e3f", True), ("a" * 128, True), ("a" * 129, False),
     ("", False), ("two words", False), ("x\nforged log line", False), ("ü", False)],
)
def test_a_proxys_request_id_is_kept_only_if_it_is_one(given: str | None, kept: bool) -> None:
    assert (logs.accepted_request_id(given) == given) is kept


def test_client_addresses_are_keyed_hashes() -> None:
    one = logs.client_hash("203.0.113.7")
    assert one is not None and "203" not in one and one == logs.client_hash("203.0.113.7")
    assert one != logs.client_hash("203.0.113.8") and logs.client_hash(None) is None
