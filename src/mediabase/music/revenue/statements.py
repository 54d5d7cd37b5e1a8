"""Revenue statements read from files: CSV with a header, or JSON lines (docs/music-revenue.md).

Columns / keys: ``master_id, source, external_id, period_start, period_end, amount, currency`` and
optionally ``received_at``; amounts are integers of minor units (cents). A bad line is an error
naming ``file:line`` and the field; nothing is returned (so nothing is written) unless every line
is good.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mediabase.common.errors import Invalid
from mediabase.music.revenue.models import RevenueEventCreate

COLUMNS = ("master_id", "source", "external_id", "period_start", "period_end", "amount", "currency")
OPTIONAL = ("received_at",)
MAX_BYTES = 200 * 1024 * 1024
MAX_LINES = 1_000_000


def _problem(name: str, line: int, exc: ValidationError) -> Invalid:
    e = exc.errors()[0]
    field = ".".join(str(x) for x in e["loc"]) or None
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return Invalid(f"{name}:{line}: {field or 'line'}: {e['msg']}{more}", field=field)


def _event(name: str, line: int, data: dict[str, Any]) -> RevenueEventCreate:
    unknown = sorted(set(data) - set(COLUMNS) - set(OPTIONAL))
    if unknown:
        raise Invalid(
            f"{name}:{line}: {unknown[0]}: unknown field (expected {', '.join(COLUMNS + OPTIONAL)})", field=unknown[0]
        )
    if isinstance(data.get("amount"), str) and data["amount"].strip().lstrip("-").isdigit():
        data = {**data, "amount": int(data["amount"])}
    if data.get("received_at") in ("", None):
        data = {k: v for k, v in data.items() if k != "received_at"}
    try:
        return RevenueEventCreate.model_validate(data)
    except ValidationError as exc:
        raise _problem(name, line, exc) from None


def parse_csv(name: str, text: str) -> list[tuple[str, RevenueEventCreate]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(
            f"{name}:1: {missing[0]}: the header lacks this column (needs {', '.join(COLUMNS)})", field=missing[0]
        )
    out: list[tuple[str, RevenueEventCreate]] = []
    for row in reader:
        line = reader.line_num
        if None in row or any(v is None for v in row.values()):
            raise Invalid(f"{name}:{line}: line: not as many values as the header has columns", field=None)
        if not any(v.strip() for v in row.values()):
            continue
        out.append((f"{name}:{line}", _event(name, line, dict(row))))
    return out


def parse_json_lines(name: str, text: str) -> list[tuple[str, RevenueEventCreate]]:
    out: list[tuple[str, RevenueEventCreate]] = []
    for line, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise Invalid(f"{name}:{line}: line: not JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise Invalid(f"{name}:{line}: line: a JSON object per line is expected")
        out.append((f"{name}:{line}", _event(name, line, data)))
    return out


def parse_statement(path: Path) -> list[tuple[str, RevenueEventCreate]]:
    """The lines of a statement file (``.csv``; anything else is read as JSON lines), each with
    its ``file:line``."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise Invalid(f"{path.name}: larger than {MAX_BYTES // 1024 // 1024} MiB; split it", field="file")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})", field="file") from None
    except OSError as exc:
        raise Invalid(f"{path}: {exc.strerror or exc}", field="file") from None
    if "\x00" in text:
        raise Invalid(f"{path.name}: contains a NUL byte (not a text statement)", field="file")
    rows = parse_csv(path.name, text) if path.suffix.lower() == ".csv" else parse_json_lines(path.name, text)
    if len(rows) > MAX_LINES:
        raise Invalid(f"{path.name}: more than {MAX_LINES:,} lines; split it", field="file")
    if not rows:
        raise Invalid(f"{path.name}: no revenue lines", field="file")
    return rows
