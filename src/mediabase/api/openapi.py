"""The OpenAPI schema as the API behaves: every error status an operation can answer, declared
as ``application/problem+json``, and links from what creates a resource to what reads,
changes and deletes it (schemathesis follows them; docs/operations.md, "Fuzzing the API").
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from mediabase.api.problems import PROBLEM, problem_codes

Operation = dict[str, Any]


class Problem(BaseModel):
    """An error (RFC 9457 problem details)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["https://mediabase.dev/problems/not-found"])
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="urn:mediabase:request:<request id> (5xx)")
    request_id: str | None = Field(default=None, description="the X-Request-ID of the request (5xx)")
    field: str | None = Field(default=None, description="the input field at fault")
    constraint: str | None = None
    errors: list[dict[str, Any]] | None = Field(default=None, description="every invalid field (422)")


_DESCRIPTIONS = {
    400: "the body cannot be read (not JSON, not UTF-8)",
    401: "no or an unknown API key",
    403: "the caller's role (or key) may not do this",
    404: "not found (or in another organization)",
    409: "conflicts with the current state",
    413: "the upload is too large",
    422: "invalid input (the field is named)",
    503: "unavailable for the moment",
}
_WRITES = ("post", "put", "patch", "delete")
_PARAM = re.compile(r"\{([^}]+)\}")


_NAMED = {
    ("GET", "/videos/{video_id}/segments"): "videos.segments",
    ("POST", "/videos/{video_id}/comments"): "comments.create",
    ("GET", "/search"): "search",
    ("GET", "/music/chain/contracts"): "music.listChainContracts",  # beside music.listContracts (rights)
    ("GET", "/music/chain/verify"): "music.verifyChain",
    ("GET", "/music/ledger/verify"): "music.verifyLedger",
}
"""operations whose rule-made name would not read as what a client calls them"""


def _camel(words: list[str]) -> str:
    words = [w for w in words if w]
    return words[0].lower() + "".join(w.capitalize() for w in words[1:]) if words else ""


def operation_id(route: APIRoute) -> str:
    """``<tag>.<function name less the tag's words>``, camel-cased, so that a generated client reads
    as methods (``videos.list``, ``decisions.create``, ``music.listMasters``); :data:`_NAMED` where that
    reads badly. FastAPI's default (``list_videos_videos_get``) repeated the path and the method."""
    method = sorted(route.methods or {"GET"})[0]
    if (method, route.path) in _NAMED:
        return _NAMED[(method, route.path)]
    tag = re.split(r"[ _-]+", str(route.tags[0])) if route.tags else ["api"]
    known = {form for word in tag for form in (word, word.removesuffix("s"))}
    return f"{_camel(tag)}.{_camel([w for w in route.name.split('_') if w not in known]) or 'get'}"


def problem_statuses(operation: Operation, method: str) -> set[int]:
    """The error statuses an operation can answer, from what it takes: a key (401, 403), any
    input, which may name a row that is not there or not the caller's (404) or be invalid (422),
    a body that may not parse (400), a write (409)."""
    statuses: set[int] = set()
    takes_input = bool(operation.get("parameters")) or "requestBody" in operation
    if operation.get("security"):
        statuses |= {401, 403}
    if takes_input:
        statuses |= {404, 422}
    if "requestBody" in operation:
        statuses.add(400)
    if method in _WRITES:
        statuses.add(409)
    return statuses


def _declare_problems(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components["Problem"]["x-problem-codes"] = problem_codes()  # type = https://mediabase.dev/problems/<code>
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for method, _path, operation in _operations(schema):
        responses: dict[str, Any] = operation["responses"]
        declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
        for status in sorted(problem_statuses(operation, method) | declared):
            description = responses.get(str(status), {}).get("description") or _DESCRIPTIONS.get(status, "error")
            responses[str(status)] = {
                "description": description,
                "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, Operation]]:
    return [
        (method, path, op)
        for path, item in schema.get("paths", {}).items()
        for method, op in item.items()
        if isinstance(op, dict) and "responses" in op
    ]


def _success(operation: Operation) -> tuple[str, dict[str, Any]] | None:
    """The first 2xx response and the properties of its JSON body (an object or a list's items)."""
    for code, response in operation["responses"].items():
        if not code.startswith("2"):
            continue
        body = response.get("content", {}).get("application/json", {}).get("schema", {})
        return code, body
    return None


def _properties(schema: dict[str, Any], body: dict[str, Any]) -> tuple[set[str], bool]:
    """The property names of a response body, and whether it is a list (of objects)."""
    many = body.get("type") == "array"
    inner: dict[str, Any] = (body.get("items") or {}) if many else body
    ref = inner.get("$ref", "")
    model = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}) if ref else {}
    return set(model.get("properties", {})), many


def _created_param(path: str, paths: list[str]) -> tuple[str, str]:
    """The path parameter that names what ``POST path`` creates, and the prefix of the paths
    that take it: the parameter of its item path, only under it (``/channels`` ->
    ``/channels/{group_id}``, ``/notifications`` -> ``/notifications/{notification_id}/read``),
    else ``<last word of the collection>_id`` anywhere (``/videos/{video_id}/quote-cards`` ->
    ``card_id``)."""
    for other in paths:
        match = re.fullmatch(re.escape(path) + r"/\{([^}]+)\}(/[a-z-]+)?", other)
        if match:
            return match.group(1), path + "/"
    word = path.rstrip("/").rsplit("/", 1)[-1].rsplit("-", 1)[-1]
    return (word[:-1] if word.endswith("s") else word) + "_id", "/"


def _ref(body: dict[str, Any]) -> str | None:
    ref = body.get("$ref")
    return ref if isinstance(ref, str) else None


def _add_links(schema: dict[str, Any]) -> None:
    """Link each creating POST (and each list) to every operation that takes the id it answers
    with: the id from the response body, the other path parameters from the request."""
    ops = _operations(schema)
    paths = sorted(schema.get("paths", {}))
    reads = {path: _success(op) for method, path, op in ops if method == "get"}
    for method, path, source in ops:
        is_list = method == "get" and not path.endswith("}")
        success = _success(source)
        if success is None or not (is_list or (method == "post" and success[0] in ("201", "202"))):
            continue
        code, body = success
        props, many = _properties(schema, body)
        if is_list != many or not props:
            continue
        parent = reads.get(path.rsplit("/", 1)[0]) if path.rsplit("/", 1)[0].endswith("}") else None
        if parent is not None and _ref(parent[1]) == _ref(body):
            continue  # it answers with the row it belongs to (POST /decisions/{decision_id}/links)
        created, prefix = _created_param(path, paths)
        field = created if created in props else "id"
        if field not in props or (is_list and prefix == "/"):
            continue
        given = set(_PARAM.findall(path))
        links: dict[str, Any] = {}
        for target_method, target_path, target in ops:
            needed = _PARAM.findall(target_path)
            if created not in needed or not target_path.startswith(prefix):
                continue
            if any(name != created and name not in given for name in needed):
                continue
            parameters = {
                f"path.{name}": f"$response.body#/{'0/' if many else ''}{field}" if name == created
                else f"$request.path.{name}"
                for name in needed
            }
            name = f"{target_method.upper()} {target_path}"
            links[re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")] = {
                "operationId": target["operationId"],
                "parameters": parameters,
                "description": f"{name} of what this answered with",
            }
        if links:
            source["responses"][code].setdefault("links", {}).update(links)


def complete_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI schema with problems declared and links added (made once, then kept)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, summary=app.summary, description=app.description,
        routes=app.routes, openapi_version=app.openapi_version, tags=app.openapi_tags, servers=app.servers,
    )
    _declare_problems(schema)
    _add_links(schema)
    app.openapi_schema = schema
    return schema
