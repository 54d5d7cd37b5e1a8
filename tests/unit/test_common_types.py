"""The shared input types: text PostgreSQL can store, instants Python can read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any

import pytest
from pydantic import StringConstraints, TypeAdapter, ValidationError

from mediabase.common.types import LINE, Expiry, Instant, JsonObject, JsonValue, Line, Text, in_range

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20), LINE]


def refused(t: Any, value: Any, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        TypeAdapter(t).validate_python(value)
    assert words in str(info.value), info.value


@pytest.mark.parametrize("t", [Line, Text, Title])
@pytest.mark.parametrize(
    ("value", "words"),
    [("a\x00b", "NUL character (U+0000)"), ("a\ud800", "lone surrogate (U+D800)"), ("\udfffb", "U+DFFF")],
)
def test_nul_and_lone_surrogates_are_refused_everywhere(t: Any, value: str, words: str) -> None:
    refused(t, value, words)


@pytest.mark.parametrize("c", ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"])
def test_other_control_characters_are_refused_in_lines_and_text(c: str) -> None:
    refused(Line, f"a{c}b", f"U+{ord(c):04X}")
    refused(Text, f"a{c}b", f"U+{ord(c):04X}")


def test_text_keeps_tabs_and_line_breaks_a_line_does_not() -> None:
    assert TypeAdapter(Text).validate_python("a\tb\nc\r\nd") == "a\tb\nc\r\nd"
    for c in "\t\n\r":
        refused(Line, f"a{c}b", "control character")


def test_a_line_is_checked_after_stripping_and_keeps_what_is_fine() -> None:
    assert TypeAdapter(Title).validate_python("  padded\n") == "padded"
    refused(Title, "\x0bstripped away, still refused", "U+000B")  # str.strip() takes VT, FF, U+001C..U+001F
    assert TypeAdapter(Line).validate_python("é 😀 \u200b \x85") == "é 😀 \u200b \x85"  # C1 and format chars stay


def test_json_is_checked_in_every_key_and_string() -> None:
    ok = {"a": [1, "x\ty", {"b": None}], "c": "\x01 is fine in JSON"}
    assert TypeAdapter(JsonObject).validate_python(ok) == ok
    refused(JsonObject, {"a": {"b": ["ok", "x\x00"]}}, "a.b[1] contains a NUL")
    refused(JsonObject, {"k\ud800": 1}, "the key")
    refused(JsonValue, ["\udc00"], "lone surrogate")


@pytest.mark.parametrize(
    "value",
    [
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-12))),  # year 10000 in UTC
        datetime(9999, 6, 1, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),  # year 0 in UTC
        datetime(1, 1, 1, 12),
        "9999-12-31T23:00:00-12:00",
    ],
)
def test_instants_outside_the_shared_range_are_refused(value: Any) -> None:
    refused(Instant, value, "between 0001-01-02 and 9998-12-31 (UTC)")


def test_instants_inside_the_range_pass_unchanged() -> None:
    for value in (datetime(1, 1, 2, tzinfo=UTC), datetime(9998, 12, 31, 23, 59, tzinfo=UTC), datetime(2024, 5, 1)):
        assert in_range(value)
        assert TypeAdapter(Instant).validate_python(value) == value


def test_an_expiry_must_be_in_the_future_and_in_range() -> None:
    refused(Expiry, datetime.now(UTC) - timedelta(seconds=1), "must be in the future")
    refused(Expiry, "9999-12-31T23:00:00-12:00", "between")
    soon = datetime.now(UTC) + timedelta(minutes=5)
    assert TypeAdapter(Expiry).validate_python(soon) == soon
