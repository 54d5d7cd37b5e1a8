"""Every operation of the app's OpenAPI schema, fed what PostgreSQL or Python cannot hold:
the answer is a 4xx, never a 5xx, and a refused request writes nothing (issue 11).

The targets come from ``app.openapi()``: every string field of every JSON body (nested
objects and list items too), every JSON object field (``metadata``, ``input`` …), every
string query and path parameter, every date-time field and parameter. An operation with none
gets an extra query parameter (the app-wide guard looks at every parameter). Each target is
sent with the rest of the request valid (the organization's own ids, values matching the
schema's patterns), so the bad value is the only reason to refuse it; requests alternate
between two organizations' keys (a worker key for the job worker protocol).

What must be refused (a 4xx):
- in a JSON body string: NUL, a lone surrogate (a ``\\ud800`` escape in the JSON text), a
  control character other than tab, LF, CR (the fields that sanitize instead, see
  ``SANITIZED``, need only refuse surrogates);
- in a JSON object: NUL or a lone surrogate in a key or a string;
- in a query or path parameter: NUL (a lone surrogate cannot arrive there: the URL's bytes are
  decoded as UTF-8 with replacement; control characters are allowed in a filter such as a
  search query, which cleans them);
- anywhere: a date-time outside 0001-01-02 .. 9998-12-31 UTC.
Whatever else is sent must simply not be a 5xx.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.acceptance.dbstate import Watch
from tests.factories import Tenant

Path = tuple[str | int, ...]

# Body fields that clean what they get instead of refusing it: a transcript's text and
# speaker labels keep control characters and turn NUL into U+FFFD (transcripts/formats).
SANITIZED = {
    ("POST", "/videos/{video_id}/transcripts", ("segments", 0, "text")),
    ("POST", "/videos/{video_id}/transcripts", ("segments", 0, "speaker")),
}
PATTERN_CANDIDATES = ["fuzz", "en", "#abcdef", "manual", "medium", "https://example.com/x", "s3://bucket/key", "w1",
                      "json", "team", "FUZZ", "EUR", "1", "0x" + "ab" * 20, "0x" + "ab" * 32,
                      "video.created"]
NUL, SURROGATES, CONTROLS = "\x00", ["\ud800", "\udbff", "\udc00", "\udfff"], ["\x01", "\x08", "\x0b", "\x1b", "\x7f"]


@dataclass(frozen=True)
class Target:
    method: str
    path: str
    tag: str
    where: str  # body, query or path
    at: Path  # the field's path in the body, or (parameter name,)
    kind: str  # text, instant, json or any
    schema: dict[str, Any]  # the operation's body schema (or {})

    @property
    def label(self) -> str:
        return f"{self.method} {self.path} {self.where}:{'.'.join(map(str, self.at))}"


class Spec:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        if "anyOf" in schema:
            options = [self.resolve(s) for s in schema["anyOf"] if s.get("type") != "null"]
            return options[0] if options else {}
        return schema

    def leaves(self, schema: dict[str, Any], at: Path = ()) -> list[tuple[Path, str]]:
        s = self.resolve(schema)
        kind = s.get("type")
        if kind == "string":
            return [(at, "instant" if s.get("format") == "date-time" else "text")]
        if kind == "array":
            return self.leaves(s.get("items", {}), (*at, 0))
        if "properties" in s:
            return [leaf for name, sub in s["properties"].items() for leaf in self.leaves(sub, (*at, name))]
        if kind == "object":
            return [(at, "json")]
        if kind is None and at and not {"enum", "const", "allOf", "oneOf"} & s.keys():
            return [(at, "any")]  # a JSON value of any shape
        return []

    def targets(self) -> list[Target]:
        out: list[Target] = []
        for path, ops in self.spec["paths"].items():
            for method, op in ops.items():
                tag = (op.get("tags") or [""])[0]
                found: list[Target] = []
                for p in op.get("parameters", []):
                    if p["in"] in ("query", "path"):
                        for _, kind in self.leaves(p["schema"]):
                            found.append(Target(method.upper(), path, tag, p["in"], (p["name"],), kind, {}))
                body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                if body is not None:
                    found += [
                        Target(method.upper(), path, tag, "body", at, kind, body) for at, kind in self.leaves(body)
                    ]
                out += found or [Target(method.upper(), path, tag, "query", ("fuzz",), "text", {})]
        return out

    def example(self, schema: dict[str, Any], name: str, ids: dict[str, str]) -> Any:
        """A valid value: required fields only, the organization's ids, patterns matched."""
        s = self.resolve(schema)
        if "enum" in s:
            return s["enum"][0]
        kind = s.get("type")
        if kind == "string":
            fmt = s.get("format")
            if fmt == "uuid":
                return ids.get(name, str(uuid.uuid4()))
            if fmt == "date-time":
                return (datetime.now(UTC) + timedelta(days=30)).isoformat()
            if fmt == "date":
                return "2030-01-01"
            if fmt == "email":
                return "fuzz@example.com"
            if "pattern" in s:
                return next(c for c in PATTERN_CANDIDATES if re.fullmatch(s["pattern"], c))
            return "fuzz"
        if kind in ("integer", "number"):
            return s.get("minimum", s.get("exclusiveMinimum", -1) + 1 if "exclusiveMinimum" in s else 0)
        if kind == "boolean":
            return False
        if kind == "array":
            return [self.example(s.get("items", {}), name, ids) for _ in range(s.get("minItems", 0))]
        if "properties" in s:
            return {k: self.example(v, k, ids) for k, v in s["properties"].items() if k in s.get("required", [])}
        return {} if kind == "object" else None

    def place(self, schema: dict[str, Any], at: Path, value: Any, name: str, ids: dict[str, str]) -> Any:
        """A valid value of ``schema`` with ``value`` at ``at`` (objects and lists made as needed)."""
        if not at:
            return value
        s = self.resolve(schema)
        head, rest = at[0], at[1:]
        if isinstance(head, int):
            extra = [self.example(s["items"], name, ids) for _ in range(max(0, s.get("minItems", 1) - 1))]
            return [self.place(s["items"], rest, value, name, ids), *extra]
        obj = self.example(s, name, ids)
        obj[head] = self.place(s["properties"][head], rest, value, str(head), ids)
        return obj


def make_world(c: TestClient, t: Tenant) -> dict[str, str]:
    """One of each object of an organization, so that every path parameter names a real one."""
    h = {"X-API-Key": t.owner_key}

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = c.post(path, json=body, headers=h)
        assert r.status_code in (200, 201), (path, r.text)
        out: dict[str, Any] = r.json()
        return out

    v = post("/videos", {"title": "fuzz", "duration_ms": 60_000})["id"]
    segs = [{"start_ms": 0, "end_ms": 900, "text": "hello there", "speaker": "A"}]
    post(f"/videos/{v}/transcripts", {"segments": segs})
    layer = post(f"/videos/{v}/ai-layers", {"kind": "topics", "model": "m", "topics": [{"topic": "Fuzz"}]})["id"]
    clip = post(f"/videos/{v}/clips", {"title": "c", "start_ms": 0, "end_ms": 500})["id"]
    link = post(f"/videos/{v}/share-links", {})
    members = c.get("/members", headers=h).json()
    ids = {
        "video_id": v,
        "speaker_id": c.get(f"/videos/{v}/speakers", headers=h).json()[0]["id"],
        "user_id": next(m["user_id"] for m in members if m["role"] != "OWNER"),
        "key_id": c.get("/keys", headers=h).json()[-1]["id"],
        "group_id": post("/channels", {"name": "fuzz"})["id"],
        "job_id": post("/jobs", {"type": "fuzz.job"})["id"],
        "comment_id": post(f"/videos/{v}/comments", {"body": "hi"})["id"],
        "moment_id": post(f"/videos/{v}/moments", {"title": "m", "start_ms": 0, "end_ms": 1})["id"],
        "clip_id": clip,
        "clip_ids": clip,
        "reel_id": post("/reels", {"title": "r", "clip_ids": [clip]})["id"],
        "card_id": post(f"/videos/{v}/quote-cards", {"quote_text": "q", "start_ms": 0})["id"],
        "link_id": link["id"],
        "token": link["token"],
        "layer_id": layer,
        "decision_id": post("/decisions", {"summary": "one"})["id"],
        "target_id": post("/decisions", {"summary": "two"})["id"],
        "tag_id": post("/decision-tags", {"name": "fuzz"})["id"],
        "topic_id": c.get("/topics", headers=h).json()[0]["id"],
        "item_id": post(f"/videos/{v}/action-items", {"title": "a"})["id"],
        "emoji": "👍",
        "worker_key": post("/keys", {"name": "worker", "scope": "worker"})["key"],
        "key": t.owner_key,
    }
    ids["target_decision_id"] = ids["target_id"]
    ids["ids"] = ids["job_id"]
    return ids


def encode(value: str) -> str:
    """Percent-encoded UTF-8; a lone surrogate as the three bytes it would be (never valid)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def request(c: TestClient, spec: Spec, target: Target, value: Any, ids: dict[str, str]) -> Any:
    op = spec.spec["paths"][target.path][target.method.lower()]
    params = {p["name"]: p for p in op.get("parameters", [])}
    path_values = {n: ids.get(n, str(uuid.uuid4())) for n, p in params.items() if p["in"] == "path"}
    query = [(n, spec.example(p["schema"], n, ids)) for n, p in params.items() if p["in"] == "query" and p["required"]]
    if target.where == "path":
        path_values[str(target.at[0])] = value
    elif target.where == "query":
        query = [(n, v) for n, v in query if n != target.at[0]] + [(str(target.at[0]), value)]
    url = target.path.format(**{k: encode(v) for k, v in path_values.items()})
    if query:
        url += "?" + "&".join(f"{encode(k)}={encode(str(v))}" for k, v in query)
    headers = {"X-API-Key": ids["worker_key"] if target.tag == "job workers" else ids["key"]}
    content = None
    if target.schema:
        body = spec.place(target.schema, target.at, value, "", ids) if target.where == "body" else None
        if body is None:
            body = spec.example(target.schema, "", ids)
        content = json.dumps(body).encode()  # ASCII JSON: a surrogate travels as its \\u escape
        headers["Content-Type"] = "application/json"
    return c.request(target.method, url, content=content, headers=headers)


KINDS = ["nul", "surrogate", "control"]


def bad_text(kind: str) -> st.SearchStrategy[tuple[str, str]]:
    chars = {"nul": [NUL], "surrogate": SURROGATES, "control": CONTROLS}
    return st.tuples(
        st.just(kind),
        st.builds(
            lambda a, c, b: a + c + b,
            st.sampled_from(["", "a", "ok "]),
            st.sampled_from(chars[kind]),
            st.sampled_from(["", "b", " tail"]),
        ),
    )


def out_of_range() -> st.SearchStrategy[str]:
    late = st.datetimes(min_value=datetime(9999, 1, 1, 0, 0, 1), max_value=datetime(9999, 12, 31, 23, 59))
    early = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1, 1, 1, 9, 59))
    return st.one_of(
        st.sampled_from(["9999-12-31T23:00:00-12:00", "0001-01-01T00:00:00+14:00"]),
        late.map(lambda d: d.replace(tzinfo=UTC).isoformat()),
        early.map(lambda d: d.replace(tzinfo=timezone(timedelta(hours=14))).isoformat()),
    )


def payload(target: Target, kind: str) -> st.SearchStrategy[tuple[str, Any, bool]]:
    """(what, the value, whether it must be refused) for a target; ``kind`` of bad text."""
    if target.kind == "instant":
        return out_of_range().map(lambda v: ("instant", v, True))
    if target.at == ("fuzz",):
        return bad_text("nul").map(lambda kv: (kv[0], kv[1], True))
    if target.where != "body":
        return bad_text(kind).map(lambda kv: (kv[0], kv[1], kv[0] == "nul"))
    if target.kind in ("json", "any"):
        shaped = bad_text(kind).flatmap(
            lambda kv: st.sampled_from(
                [(kv[0], {"k": kv[1]}), (kv[0], {kv[1]: 1}), (kv[0], {"k": [1, {"x": kv[1]}]})]
                if target.kind == "json"
                else [kv]
            )
        )
        return shaped.map(lambda kv: (kv[0], kv[1], kv[0] != "control"))
    sanitized = (target.method, target.path, target.at) in SANITIZED
    return bad_text(kind).map(
        lambda kv: (kv[0], kv[1], kv[0] == "surrogate" or not sanitized)
    )


@pytest.fixture
def fuzz(client: TestClient, tenants: tuple[Tenant, Tenant], migrated_url: str) -> Any:
    spec = Spec(client.app.openapi())  # type: ignore[attr-defined]
    targets = spec.targets()
    operations = {(m, p) for p, ops in spec.spec["paths"].items() for m in ops}
    assert {(t.method.lower(), t.path) for t in targets} == operations  # every endpoint
    assert {t.kind for t in targets} == {"text", "instant", "json", "any"}
    assert any(t.at == ("segments", 0, "text") for t in targets)  # list items of nested objects too
    worlds = [make_world(client, t) for t in tenants]
    watch = Watch(migrated_url)
    # the watch sees a write (and nothing when there is none)
    assert watch.changes() == []
    client.post("/channels", json={"name": "watched"}, headers={"X-API-Key": tenants[0].owner_key})
    assert "channels" in watch.changes() and watch.changes() == []
    yield spec, targets, worlds, watch
    watch.close()


ROUNDS = len(KINDS)  # each round sends every target once (~360 requests), each kind of bad text in turn


def test_every_operation_refuses_what_it_cannot_store_and_writes_nothing(client: TestClient, fuzz: Any) -> None:
    """Hypothesis draws the bad values (derandomized); over the rounds every target meets
    every kind of bad text. Every failure of every round is collected and reported at the
    end, each with its request and answer. Each round is a run of its own: which kind a
    target gets depends on the round, and one run's examples must draw alike (hypothesis
    refuses a strategy that depends on outside state)."""
    spec, targets, worlds, watch = fuzz
    problems: list[str] = []
    rounds: list[int] = []

    def make_round(shift: int) -> Any:
        @settings(
            max_examples=1,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: each failure is one request already
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(data=st.data())
        def one_round(data: st.DataObject) -> None:
            watch.changes()  # whatever an earlier round wrote (a tolerated value) is the new baseline
            rounds.append(shift)
            for i, target in enumerate(targets):
                kind = KINDS[(shift + i) % len(KINDS)]
                what, value, must_refuse = data.draw(payload(target, kind), label=target.label)
                org = data.draw(st.integers(0, 1), label="organization")
                r = request(client, spec, target, value, worlds[org])
                where = f"{target.label} = {value!r} ({what}): {r.status_code} {r.text[:200]}"
                wrote = watch.changes()
                if r.status_code >= 500 or (must_refuse and not 400 <= r.status_code < 500):
                    problems.append(where)
                elif r.status_code >= 400 and wrote:
                    problems.append(f"{where} wrote to {wrote}")

        return one_round

    for shift in range(ROUNDS):
        make_round(shift)()
    assert rounds == list(range(ROUNDS))
    assert not problems, f"{len(problems)} failing requests:\n" + "\n".join(problems)
