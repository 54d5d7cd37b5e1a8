"""Malformed step arrays and filters, generated: always one clear ``Invalid`` naming a path in the
steps (or the filter), never a crash or a database error; what Python accepts the database's CHECKs
accept, and what bypasses Python is still held to the shape by them (0039)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediabase.common.errors import Invalid, MediabaseError
from mediabase.db.connection import Database
from mediabase.db.rows import Jsonb
from mediabase.workflows import service
from mediabase.workflows.models import TemplateCreate
from mediabase.workflows.steps import validate_filter, validate_steps
from tests.conftest import make_settings
from tests.factories import make_tenant

scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(max_size=12))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
uuids = st.uuids().map(str)
withs = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={"message": json_values | st.text(max_size=1100), "seconds": json_values
                                        | st.integers(-5, 3 * 10**6)}),
    st.fixed_dictionaries({}, optional={"title": json_values | st.text(max_size=20),
                                        "roles": st.lists(st.sampled_from(["OWNER", "ADMIN", "MEMBER", "CEO"])
                                                          | json_values, max_size=4),
                                        "users": st.lists(uuids | json_values, max_size=3),
                                        "endpoint_id": uuids | json_values}),
)
step_like = st.fixed_dictionaries(
    {"type": st.sampled_from(["log", "notify", "wait", "search.index", "webhook", "insights.refresh_topics",
                              "nope", "Log", "", "log\n"]) | json_values},
    optional={"name": st.text(max_size=110) | json_values, "with": withs, "retries": st.integers(-2, 12) | json_values,
              "extra": json_values},
)
valid_steps = st.one_of(
    st.builds(lambda m: {"type": "log", "with": {"message": m}}, st.text(min_size=1, max_size=40)),
    st.builds(lambda n: {"type": "wait", "with": {"seconds": n}, "retries": 0}, st.integers(0, 100)),
    st.builds(lambda r: {"type": "notify", "with": {"title": "t", "roles": r}},
              st.lists(st.sampled_from(["OWNER", "ADMIN", "MEMBER"]), min_size=1, max_size=3, unique=True)),
)
step_arrays = st.one_of(json_values, st.lists(valid_steps, min_size=1, max_size=5),
                        st.lists(step_like | json_values, max_size=22), st.lists(step_like, min_size=1, max_size=4))
filters = st.one_of(json_values, st.dictionaries(st.text(max_size=110), json_values, max_size=22))


def refusal(fn: Callable[[Any], Any], value: Any) -> Invalid | None:
    try:
        fn(value)
    except Invalid as exc:
        return exc
    return None


@settings(max_examples=400, deadline=None)
@given(steps=step_arrays, flt=filters)
def test_the_validators_answer_invalid_with_a_path_or_a_clean_value(steps: Any, flt: Any) -> None:
    bad = refusal(validate_steps, steps)
    if bad is not None:
        assert bad.field is not None and bad.field.startswith("steps") and str(bad).startswith(bad.field)
    else:
        out = validate_steps(steps)
        assert 1 <= len(out) <= 20 and all({"type", "name", "with"} <= set(s) for s in out)
    bad = refusal(validate_filter, flt)
    assert bad is None or (bad.field is not None and bad.field.startswith("filter"))


async def _scenario(url: str, cases: list[tuple[Any, Any]]) -> None:
    async with Database(url, make_settings(url)) as db, Database(url, make_settings(url), role="") as owner:
        t = await make_tenant(db, owner, f"w-{uuid.uuid4().hex[:10]}")
        org = t.owner.organization_id
        for i, (steps, flt) in enumerate(cases):
            data = TemplateCreate.model_construct(name=f"t{i}", description="", trigger="video.created",
                                                  filter=flt, enabled=True, steps=steps)
            python_ok = refusal(validate_steps, steps) is None and refusal(validate_filter, flt) is None
            error: MediabaseError | None = None
            try:
                created = await service.create_template(db, t.owner, data)
            except MediabaseError as exc:
                error = exc
            if error is None:
                assert python_ok and created.steps == validate_steps(steps)
            else:  # refused by Python (never first by a CHECK)
                assert isinstance(error, Invalid) and not python_ok, error
                assert error.field is not None and error.field.split(".")[0].split("[")[0] in ("steps", "filter")
            # the same JSON written past Python: the CHECKs take it or refuse it as Invalid
            error = None
            try:
                async with db.transaction(org, t.owner.user_id) as conn:
                    await conn.execute(
                        "INSERT INTO workflow_templates (organization_id, name, trigger_event_type, filter, steps)"
                        " VALUES (%s, %s, 'video.created', %s, %s)", (org, f"raw{i}", Jsonb(flt), Jsonb(steps)))
            except MediabaseError as exc:
                error = exc
            except (ValueError, TypeError):
                pass  # not JSON at all (NaN, a lone surrogate): the driver refuses to send it
            assert error is None or isinstance(error, Invalid), repr(error)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(step_arrays, filters | st.just({})), min_size=1, max_size=8))
def test_malformed_templates_are_refused_cleanly_by_the_service_and_the_database(
        migrated_url: str, cases: list[tuple[Any, Any]]) -> None:
    asyncio.run(_scenario(migrated_url, cases))
