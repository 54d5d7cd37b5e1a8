"""The step registry and the validation of a template's steps and filter (docs/workflows.md).

A step type is a coroutine registered with :func:`step`::

    from mediabase.workflows.steps import StepContext, step

    @step("slack.post", schema={"type": "object", "required": ["channel"],
                                "properties": {"channel": {"type": "string"}},
                                "additionalProperties": False},
          description="post the event to a Slack channel (by an outbox row of yours)")
    async def post(ctx: StepContext) -> dict[str, Any]:
        await ctx.conn.execute(...)          # the step job's transaction, in the run's tenant
        return {"posted": True}               # the step run's output (a JSON object)

``schema`` is the JSON Schema (draft 2020-12) of the step's ``with`` parameters. Put the module in
``MEDIABASE_JOBS_IMPORTS`` (the worker imports it to run the step; the API and the CLI import it to
validate templates that use it). A step runs inside the ``workflow.step`` job's transaction: its
database writes commit with the step's outcome and the next step's job, exactly once. A step that
reaches outside the database (an HTTP call, a long computation on its own transactions) runs at
least once: make it idempotent (the run id and position make a good key, ``ctx.key``).
"""

from __future__ import annotations

import importlib
import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, best_match

from mediabase.common.errors import Invalid
from mediabase.common.types import bad_character
from mediabase.db.connection import Database
from mediabase.db.rows import Conn
from mediabase.jobs import JobContext

log = logging.getLogger("mediabase.workflows")

MAX_STEPS = 20
STEP_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_NUL = re.compile("[\x00\ud800-\udfff]")
_NAME_BAD = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


@dataclass(slots=True)
class StepContext:
    """What a step gets: the job's open transaction in the run's tenant, the run and the step."""

    conn: Conn
    db: Database
    job: JobContext
    org: UUID
    run_id: UUID
    position: int
    name: str
    params: dict[str, Any]
    event: dict[str, Any]  # id, type, subject_type, subject_id, data (the run's copy of its event)
    outputs: dict[str, Any]  # earlier steps' outputs by step name
    # seconds the next step waits before it runs (the wait step sets it)
    delay_next: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A key unique to this step of this run: an idempotency key for what the step does."""
        return f"workflow:{self.run_id}:{self.position}"


StepFn = Callable[[StepContext], Awaitable["dict[str, Any] | None"]]


@dataclass(frozen=True, slots=True)
class StepType:
    name: str
    fn: StepFn
    schema: dict[str, Any]
    description: str
    validator: Draft202012Validator


_STEPS: dict[str, StepType] = {}


def step(name: str, *, schema: dict[str, Any] | None = None, description: str = "",
         replace: bool = False) -> Callable[[StepFn], StepFn]:
    """Make the decorated coroutine the step type ``name``; ``schema`` checks its ``with``."""
    if not STEP_TYPE.match(name) or len(name) > 64:
        raise ValueError(f"step type {name!r} must look like 'search.index' (lowercase words and dots)")
    schema = schema if schema is not None else {"type": "object", "additionalProperties": False}
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise ValueError(f"step {name!r}: its schema is not a valid JSON Schema: {exc.message}") from exc

    def deco(fn: StepFn) -> StepFn:
        if name in _STEPS and not replace and _STEPS[name].fn is not fn:
            raise ValueError(f"step type {name!r} is registered already")
        _STEPS[name] = StepType(name, fn, schema, description or (fn.__doc__ or "").strip().split("\n")[0],
                                Draft202012Validator(schema))
        return fn

    return deco


def unregister_step(name: str) -> None:
    _STEPS.pop(name, None)


_imported = False


def ensure_step_modules() -> None:
    """Import the modules of ``MEDIABASE_JOBS_IMPORTS`` once (their steps register themselves), so
    the API and the CLI know the same step types as the worker. One that fails is logged."""
    global _imported
    if _imported:
        return
    _imported = True
    from mediabase.jobs.settings import JobSettings

    for name in JobSettings().imports.split(","):
        if name.strip():
            try:
                importlib.import_module(name.strip())
            except ImportError as exc:
                log.warning("workflow steps of %s not available: %s", name.strip(), exc)


def step_types() -> dict[str, StepType]:
    ensure_step_modules()
    return dict(sorted(_STEPS.items()))


def get_step(name: str) -> StepType | None:
    if name not in _STEPS:
        ensure_step_modules()
    return _STEPS.get(name)


# -- validation ------------------------------------------------------------------------------------

_SHAPE: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_STEPS,
    "items": {
        "type": "object",
        "required": ["type"],
        "additionalProperties": False,
        "properties": {
            "type": {"type": "string", "maxLength": 64, "pattern": STEP_TYPE.pattern},
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "with": {"type": "object"},
            "retries": {"type": "integer", "minimum": 0, "maximum": 10},
        },
    },
}
_SHAPE_VALIDATOR = Draft202012Validator(_SHAPE)

_FILTER: dict[str, Any] = {
    "type": "object",
    "maxProperties": 20,
    "propertyNames": {"minLength": 1, "maxLength": 100},
    "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
}
_FILTER_VALIDATOR = Draft202012Validator(_FILTER)


def _path(root: str, parts: Iterable[Any]) -> str:
    out = root
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _refuse(path: str, message: str) -> Invalid:
    return Invalid(f"{path}: {message[:300]}", field=path)


def _plain_json(value: Any, path: str) -> None:
    """Refuse what JSON in PostgreSQL cannot hold (NUL, lone surrogates, NaN and infinities) and
    what is no JSON at all, naming the path."""
    if isinstance(value, str):
        if (why := bad_character(value, _NUL)) is not None:
            raise _refuse(path, why)
    elif isinstance(value, bool) or value is None or isinstance(value, int):
        return
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _refuse(path, "is not a finite number")
    elif isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise _refuse(path, f"the key {k!r} is not a string")
            if (why := bad_character(k, _NUL)) is not None:
                raise _refuse(path, f"the key {k!r} {why}")
            _plain_json(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _plain_json(v, f"{path}[{i}]")
    else:
        raise _refuse(path, f"{type(value).__name__} is not JSON")


def validate_steps(steps: Any) -> list[dict[str, Any]]:
    """``steps`` checked: the shape (1..20 objects with a known ``type``, ``name``, ``with``,
    ``retries``), every step's ``with`` against its type's schema, names unique; each step gets
    its name (the type, numbered when repeated, when not given). ``Invalid`` names the JSON path
    of the first error: ``steps[1].with.role: 'CEO' is not one of ['OWNER', 'ADMIN', 'MEMBER']``."""
    _plain_json(steps, "steps")
    error = best_match(_SHAPE_VALIDATOR.iter_errors(steps))
    if error is not None:
        raise _refuse(_path("steps", error.absolute_path), error.message)
    out: list[dict[str, Any]] = []
    names: dict[str, int] = {}
    for i, s in enumerate(steps):
        kind = get_step(s["type"])
        if kind is None:
            raise _refuse(f"steps[{i}].type", f"unknown step type {s['type']!r} (known: {', '.join(step_types())})")
        if "name" in s and (why := bad_character(s["name"], _NAME_BAD)) is not None:
            raise _refuse(f"steps[{i}].name", why)
        params = s.get("with", {})
        error = best_match(kind.validator.iter_errors(params))
        if error is not None:
            raise _refuse(_path(f"steps[{i}].with", error.absolute_path), error.message)
        name = s.get("name") or _default_name(s["type"], names)
        if name.lower() in names:
            raise _refuse(f"steps[{i}].name", f"{name!r} is the name of steps[{names[name.lower()]}] too")
        names[name.lower()] = i
        out.append({"type": s["type"], "name": name, "with": params, **({"retries": s["retries"]}
                                                                        if "retries" in s else {})})
    return out


def _default_name(kind: str, names: dict[str, int]) -> str:
    if kind.lower() not in names:
        return kind
    n = 2
    while f"{kind}-{n}" in names:
        n += 1
    return f"{kind}-{n}"


def validate_filter(value: Any) -> dict[str, Any]:
    """A filter is a JSON object of at most 20 keys, each with a scalar value (equality)."""
    _plain_json(value, "filter")
    error = best_match(_FILTER_VALIDATOR.iter_errors(value))
    if error is not None:
        raise _refuse(_path("filter", error.absolute_path), error.message)
    return dict(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def matches(flt: dict[str, Any], data: dict[str, Any]) -> bool:
    """An event's data matches a filter when it has every key of the filter with an equal value
    (top-level keys only; ``1`` equals ``1.0``, ``true`` is not ``1``, a missing key is not ``null``)."""
    return all(k in data and _same(data[k], v) for k, v in flt.items())


def render(text: str, event: dict[str, Any]) -> str:
    """``{{key}}`` replaced by the event data's top-level value (``{{event.type}}`` and
    ``{{event.subject_id}}`` too); unknown keys are left as they are."""
    data = event.get("data") or {}

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        v = event.get(key[6:]) if key.startswith("event.") else data.get(key)
        return m.group(0) if v is None else str(v)

    return re.sub(r"\{\{\s*([a-z_][a-z0-9_.]{0,60})\s*\}\}", sub, text)
