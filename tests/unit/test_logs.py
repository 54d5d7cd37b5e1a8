"""mediabase.logs: the request context on records, the two formats, no personal data."""

from __future__ import annotations

import io
import json
import logging
import re
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
    assert re.fullmatch(r"\d\d:\d\d:\d\d WARN  key mb_abcdefghij12_<secret>  org=org-2 request_id=req-2", line), line


def test_a_job_line_names_the_job_the_organization_and_the_duration(
    logger: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = logger
    log.handlers[0].setFormatter(logs.ConsoleFormatter())
    token = logs.bind(logs.RequestContext("req-3", organization="0193a5d2-0000-7000-8000-00000000000a",
                                          route="job transcript.index", job_id="job-1", job_type="transcript.index",
                                          org_slug="demo"))
    try:
        log.info("job completed", extra={"duration_ms": 412.0})
        log.warning("job failed; it runs again later", extra={"error": "ValueError: no", "attempt": "1/4",
                                                               "duration_ms": 3.25})
    finally:
        logs.unbind(token)
    log.info("no context", extra={"duration_ms": 12_345})
    done, failed, bare = (line[9:] for line in stream.getvalue().splitlines())
    assert done == "INFO  job completed  transcript.index job-1 org=demo 0.41s"
    assert failed == "WARN  job failed; it runs again later  transcript.index job-1 org=demo attempt=1/4 3.2 ms" \
        " error=ValueError: no"
    assert bare == "INFO  no context  12.35s"


def test_the_text_format_names_a_librarys_logger_and_says_nothing_twice(
    logger: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = logger
    log.handlers[0].setFormatter(logs.ConsoleFormatter())
    other = logging.getLogger("uvicorn.error")
    other.addHandler(log.handlers[0])
    token = logs.bind(logs.RequestContext("req-4", method="GET", route="/videos/{video_id}"))
    try:
        other.propagate = False
        other.warning("a library speaks")
        log.info("GET /videos/{video_id} 200 3.1 ms", extra={"duration_ms": 3.1, "status": 200})
    finally:
        logs.unbind(token)
        other.removeHandler(log.handlers[0])
        other.propagate = True
    library, access = (line[9:] for line in stream.getvalue().splitlines())
    assert library == "WARN  uvicorn.error: a library speaks  request_id=req-4 GET /videos/{video_id}"
    assert access == "INFO  GET /videos/{video_id} 200 3.1 ms  request_id=req-4"


@pytest.mark.parametrize(
    ("level", "verbose", "ours", "theirs"),
    [("INFO", 0, logging.INFO, logging.WARNING), ("error", 0, logging.ERROR, logging.ERROR),
     ("DEBUG", 0, logging.DEBUG, logging.WARNING), ("WARNING", 1, logging.DEBUG, logging.INFO),
     ("INFO", 2, logging.DEBUG, logging.DEBUG)],
)
def test_levels_of_mediabase_and_of_the_libraries(level: str, verbose: int, ours: int, theirs: int) -> None:
    assert logs.levels(level, verbose) == (ours, theirs)


def test_configure_logging_lets_a_librarys_info_through_only_when_verbose() -> None:
    root, ours = logging.getLogger(), logging.getLogger("mediabase")
    before = root.level, ours.level
    stream = io.StringIO()
    try:
        for verbose in (0, 1):
            handler = logs.configure_logging("text", "INFO", verbose=verbose, stream=stream)
            logging.getLogger("a_library").info("library %d", verbose)
            logging.getLogger("mediabase.levels_probe").debug("debug %d", verbose)
            logging.getLogger("mediabase.levels_probe").info("info %d", verbose)
            root.removeHandler(handler)
    finally:
        root.setLevel(before[0])
        ours.setLevel(before[1])
    messages = [line.split(None, 2)[2] for line in stream.getvalue().splitlines()]
    assert messages == ["info 0", "a_library: library 1", "mediabase.levels_probe: debug 1",
                        "mediabase.levels_probe: info 1"]


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
