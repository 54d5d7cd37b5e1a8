"""Operation ids read as a client's methods (issue 25): ``<namespace>.<method>`` in camel case,
unique, the named ones as the TypeScript client calls them; the problem codes a client narrows
errors by are listed in the document."""

from __future__ import annotations

import re
from collections import Counter

from mediabase.api.app import create_app
from mediabase.api.problems import problem_codes
from mediabase.common.errors import MediabaseError

SCHEMA = create_app().openapi()
IDS = [(method, path, op["operationId"]) for path, item in SCHEMA["paths"].items() for method, op in item.items()]


def test_every_operation_id_is_a_unique_method_name() -> None:
    counts = Counter(op_id for _, _, op_id in IDS)
    assert [op_id for op_id, n in counts.items() if n > 1] == []
    bad = [(m, p, op_id) for m, p, op_id in IDS if not re.fullmatch(r"[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)?", op_id)]
    assert bad == []


def test_the_named_operations() -> None:
    named = {(m.upper(), p): op_id for m, p, op_id in IDS}
    assert named[("GET", "/videos")] == "videos.list"
    assert named[("GET", "/videos/{video_id}/segments")] == "videos.segments"
    assert named[("GET", "/search")] == "search"
    assert named[("POST", "/videos/{video_id}/comments")] == "comments.create"
    assert named[("GET", "/videos/{video_id}")] == "videos.get"


def test_non_json_answers_declare_their_content() -> None:
    export = SCHEMA["paths"]["/videos/{video_id}/export"]["get"]["responses"]["200"]["content"]
    assert export["text/vtt"]["schema"] == {"type": "string"} and "application/x-subrip" in export
    png = SCHEMA["paths"]["/videos/{video_id}/retention.png"]["get"]["responses"]["200"]["content"]
    assert png["image/png"]["schema"]["format"] == "binary"


def test_the_document_lists_every_problem_code() -> None:
    listed = SCHEMA["components"]["schemas"]["Problem"]["x-problem-codes"]
    assert listed == problem_codes() == sorted(set(listed))
    for code in ("not-found", "invalid", "conflict", "forbidden", "terms-required", "not-ready", "method-not-allowed"):
        assert code in listed

    class Teapot(MediabaseError):
        status, code = 418, "teapot-test"

    assert "teapot-test" in problem_codes()  # a new error class is listed without a word more
