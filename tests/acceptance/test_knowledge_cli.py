"""``mediabase graph …`` as a subprocess on the demo: the AMI meetings' knowledge graph shows its
nodes with evidence at their moments; bad input exits non-zero with one line naming the field
(file:line for a file) and writes nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.acceptance.cli import mediabase

PRICE = "The remote will sell for 25 Euro."


@pytest.mark.timeout(900)  # the first test of a session to ask for demo_url seeds the demo template
def test_the_demo_graph_from_the_command_line(demo_url: str, demo_seed: subprocess.CompletedProcess[str],
                                              tmp_path: Path) -> None:
    url, seeded = demo_url, demo_seed  # as `mediabase seed demo` left it, and what it said
    assert seeded.returncode == 0, seeded.stderr
    assert "knowledge graph of" in seeded.stdout

    [layer] = json.loads(mediabase("graph", "layers", "--json", url=url).stdout)
    assert layer["status"] == "ready" and layer["nodes"] > 50 and layer["edges"] > 100

    shown = mediabase("graph", "show", f"decision:{PRICE}", url=url)
    assert shown.returncode == 0, shown.stderr
    assert "ES2002a" in shown.stdout and any(f" {m}:" in shown.stdout for m in range(6, 11))  # said at 6–10 min

    who = json.loads(mediabase("graph", "neighbours", f"decision:{PRICE}", "--direction", "in", "--json",
                               url=url).stdout)
    assert [n["relation"] for n in who] == ["decided"] and who[0]["node"]["type"] == "person"
    owns = json.loads(mediabase("graph", "neighbours", "person:Industrial Designer", "--relation", "owns",
                                "--json", url=url).stdout)
    assert owns and all(n["node"]["type"] == "action_item" for n in owns)

    moment = mediabase("graph", "video", "ES2002a", "--from-ms", "400000", "--to-ms", "600000", url=url)
    assert moment.returncode == 0 and PRICE in moment.stdout and "-decided->" in moment.stdout, moment.stderr

    path = mediabase("graph", "path", "person:Marketing Expert", "person:Industrial Designer", url=url)
    assert path.returncode == 0 and path.stdout.startswith("2: Marketing Expert -spoke_in-> ES2002"), path.stdout
    found = json.loads(mediabase("graph", "search", "how much the remote costs", "--type", "decision", "--json",
                                 url=url).stdout)
    assert any("Euro" in m["node"]["name"] for m in found[:3])

    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{\n  "model": "x",\n  "nodes": [,]\n}\n')
    loop = tmp_path / "loop.json"
    loop.write_text(json.dumps({"model": "x", "nodes": [{"key": "a", "type": "concept", "name": "A"}],
                                "edges": [{"source": "a", "target": "a", "relation": "is"}]}))
    for args, says in (
        (("graph", "path", "person:Marketing Expert", "person:Marketing Expert"), "two different nodes"),
        (("graph", "path", "person:Marketing Expert", "x:y", "--max-depth", "9"), "--max-depth"),
        (("graph", "show", "nonsense"), "neither a node id nor type:name"),
        (("graph", "show", "person:Nobody"), "no person named 'Nobody'"),
        (("graph", "show", "person:A\x01"), "no person named"),
        (("graph", "video", "ES2099z"), "no video titled 'ES2099z'"),
        (("graph", "video", "ES2002a", "--from-ms", "-5"), "--from-ms"),
        (("graph", "neighbours", "person:Marketing Expert", "--direction", "up"), "--direction"),
        (("graph", "write", str(bad_json)), f"{bad_json}:3:"),
        (("graph", "write", str(loop)), "edges[0].target"),
        (("graph", "write", str(tmp_path / "missing.json")), "missing.json"),
        (("graph", "delete-layer", "not-an-id"), "not a layer id"),
    ):
        r = mediabase(*args, url=url)
        assert r.returncode != 0 and says in r.stderr, (args, r.returncode, r.stdout, r.stderr)
    assert len(json.loads(mediabase("graph", "layers", "--json", url=url).stdout)) == 1  # nothing was written
    assert "graph" in mediabase("graph", "--help").stdout
