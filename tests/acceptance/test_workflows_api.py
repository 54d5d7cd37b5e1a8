"""Workflow templates and runs over HTTP and from the CLI (docs/workflows.md): ADMINs and OWNERs
write templates, members read them; every bad input is a 4xx naming the field (the JSON path of a
bad step), writes nothing, never a 500; another tenant's template or run is a 404."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.acceptance.cli import mediabase
from tests.factories import Tenant

LOG = [{"type": "log", "with": {"message": "new video {{title}}"}}]


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def test_templates_and_runs_over_http(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    body = {"name": "announce", "trigger": "video.created", "steps": LOG, "filter": {"language": "en"}}
    r = client.post("/workflows/templates", headers=h(a.owner_key), json=body)
    assert r.status_code == 201, r.text
    t = r.json()
    assert (t["version"], t["steps"][0]["name"], t["enabled"]) == (1, "log", True)

    for bad, status, field in (
        ({**body, "name": "x", "steps": [{"type": "notify", "with": {"title": "t", "roles": ["CEO"]}}]}, 422,
         "steps[0].with.roles[0]"),
        ({**body, "name": "x", "steps": []}, 422, "steps"),
        ({**body, "name": "x", "steps": [{"type": "log", "with": {"message": "a\u0000b"}}]}, 422, "steps[0]"),
        ({**body, "name": "x", "steps": [{"type": "teleport"}]}, 422, "steps[0].type"),
        ({**body, "name": "x", "steps": [{"type": "log", "with": {"message": "m"}, "retries": 99}]}, 422, "retries"),
        ({**body, "name": "x", "trigger": "video.exploded"}, 422, "trigger"),
        ({**body, "name": "x", "trigger": "Video"}, 422, "trigger"),
        ({**body, "name": "x", "filter": {"a": [1]}}, 422, "filter.a"),
        ({**body, "name": "x\u0000"}, 422, "name"),
        ({**body, "name": "ANNOUNCE"}, 409, "name"),
        ({**body, "name": "x", "steps": "log"}, 422, "steps"),
    ):
        r = client.post("/workflows/templates", headers=h(a.owner_key), json=bad)
        assert r.status_code == status and field in r.text, (bad, r.status_code, r.text)
    assert client.post("/workflows/templates", headers=h(a.member_key), json={**body, "name": "m"}).status_code == 403
    assert [x["name"] for x in client.get("/workflows/templates", headers=h(a.member_key)).json()] == ["announce"]

    r = client.patch(f"/workflows/templates/{t['id']}", headers=h(a.owner_key),
                     json={"steps": [*LOG, {"type": "wait", "with": {"seconds": 5}}]})
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    r = client.patch(f"/workflows/templates/{t['id']}", headers=h(a.owner_key), json={"steps": None})
    assert r.status_code == 422 and "steps" in r.text
    assert client.post(f"/workflows/templates/{t['id']}/disable", headers=h(a.owner_key)).json()["enabled"] is False
    assert client.post(f"/workflows/templates/{t['id']}/enable", headers=h(a.owner_key)).json()["enabled"] is True
    assert client.post(f"/workflows/templates/{t['id']}/disable", headers=h(a.member_key)).status_code == 403
    types = {s["type"]: s for s in client.get("/workflows/step-types", headers=h(a.member_key)).json()}
    assert {"log", "wait", "notify", "search.index", "insights.refresh_topics", "webhook"} <= set(types)
    assert "roles" in types["notify"]["schema"]["properties"]

    # run now on an event of its type (filter or not); progress shows
    video = client.post("/videos", headers=h(a.member_key), json={"title": "kick-off"}).json()["id"]
    ev = client.get(f"/outbox?subject={video}", headers=h(a.member_key)).json()["items"][0]["id"]
    r = client.post(f"/workflows/templates/{t['id']}/runs", headers=h(a.owner_key), json={"event_id": ev})
    assert r.status_code == 201, r.text
    run = r.json()
    assert (run["status"], run["progress"], run["template_version"], len(run["steps"])) == ("running", 0, 2, 2)
    assert run["steps"][0]["job_id"] and run["steps"][1]["job_id"] is None
    r = client.get(f"/workflows/runs?template={t['id']}&status=running", headers=h(a.member_key))
    assert [x["id"] for x in r.json()["items"]] == [run["id"]]
    assert client.get("/workflows/runs?status=failed", headers=h(a.member_key)).json()["items"] == []
    for query, field in (("status=done", "status"), ("template=x", "template"), ("limit=0", "limit"),
                         ("cursor=%00", "cursor"), ("cursor=abc", "cursor")):
        r = client.get(f"/workflows/runs?{query}", headers=h(a.member_key))
        assert r.status_code == 422 and field in r.text, (query, r.text)
    r = client.post(f"/workflows/templates/{t['id']}/runs", headers=h(a.owner_key), json={"event_id": t["id"]})
    assert r.status_code == 404 and "event" in r.text

    # another tenant: 404 everywhere
    for method, path in (("get", f"/workflows/templates/{t['id']}"), ("get", f"/workflows/runs/{run['id']}"),
                         ("post", f"/workflows/runs/{run['id']}/cancel"),
                         ("post", f"/workflows/templates/{t['id']}/enable"),
                         ("delete", f"/workflows/templates/{t['id']}")):
        assert getattr(client, method)(path, headers=h(b.owner_key)).status_code == 404, path
    assert client.get("/workflows/runs", headers=h(b.owner_key)).json()["items"] == []

    assert client.post(f"/workflows/runs/{run['id']}/cancel", headers=h(a.member_key)).status_code == 403
    r = client.post(f"/workflows/runs/{run['id']}/cancel", headers=h(a.owner_key))
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    assert client.post(f"/workflows/runs/{run['id']}/cancel", headers=h(a.owner_key)).status_code == 409
    assert client.delete(f"/workflows/templates/{t['id']}", headers=h(a.owner_key)).status_code == 204
    assert client.get(f"/workflows/runs/{run['id']}", headers=h(a.owner_key)).status_code == 404


@pytest.mark.timeout(900)  # about twenty CLI processes, each a Python start on a busy machine
def test_workflows_from_the_cli(client: TestClient, migrated_url: str, tenants: tuple[Tenant, Tenant],
                                tmp_path: Path) -> None:
    a, _ = tenants
    assert client.post("/videos", headers=h(a.member_key), json={"title": "kick-off"}).status_code == 201
    bad = tmp_path / "bad.json"
    bad.write_text('[\n  {"type": "log",\n   "with": {"message": 1}}\n]\n')
    out = mediabase("workflows", "create", "--org", a.slug, "--name", "n", "--trigger", "video.created",
                    "--steps", str(bad), url=migrated_url)
    assert out.returncode != 0 and f"{bad}: steps[0].with.message: 1 is not of type 'string'" in out.stderr, out.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('[\n  {"type": "log",,}\n]\n')
    out = mediabase("workflows", "create", "--org", a.slug, "--name", "n", "--trigger", "video.created",
                    "--steps", str(broken), url=migrated_url)
    assert out.returncode != 0 and f"{broken}:2:" in out.stderr, out.stderr
    out = mediabase("workflows", "create", "--org", a.slug, "--name", "n", "--trigger", "video.nope",
                    "--steps", json.dumps(LOG), url=migrated_url)
    assert out.returncode != 0 and "unknown event type" in out.stderr, out.stderr

    good = tmp_path / "steps.json"
    good.write_text(json.dumps(LOG))
    out = mediabase("workflows", "create", "--org", a.slug, "--name", "announce", "--trigger", "video.created",
                    "--steps", str(good), "--filter", '{"language": "en"}', "--json", url=migrated_url)
    assert out.returncode == 0, out.stderr
    tid = json.loads(out.stdout)["id"]
    out = mediabase("workflows", "list", "--org", a.slug, "--json", url=migrated_url)
    assert [t["name"] for t in json.loads(out.stdout)] == ["announce"]
    out = mediabase("workflows", "update", tid, "--org", a.slug, "--steps", json.dumps(LOG * 2), "--json",
                    url=migrated_url)
    assert out.returncode == 0 and json.loads(out.stdout)["version"] == 2, out.stderr
    assert mediabase("workflows", "disable", tid, "--org", a.slug, url=migrated_url).returncode == 0
    out = mediabase("workflows", "show", tid, "--org", a.slug, url=migrated_url)
    assert out.returncode == 0 and "disabled" in out.stdout and "log-2" in out.stdout, out.stderr
    out = mediabase("workflows", "steps", url=migrated_url)
    assert out.returncode == 0 and "search.index" in out.stdout

    out = mediabase("events", "list", "--org", a.slug, "--type", "video.created", "--json", url=migrated_url)
    [event] = json.loads(out.stdout)["items"]
    out = mediabase("workflows", "run", tid, "--org", a.slug, "--event", event["id"], "--json", url=migrated_url)
    assert out.returncode == 0, out.stderr
    rid = json.loads(out.stdout)["id"]
    out = mediabase("workflows", "runs", "list", "--org", a.slug, "--json", url=migrated_url)
    assert [r["id"] for r in json.loads(out.stdout)["items"]] == [rid]
    out = mediabase("workflows", "runs", "show", rid, "--org", a.slug, url=migrated_url)
    assert out.returncode == 0 and "0/2 steps" in out.stdout, out.stdout
    out = mediabase("workflows", "runs", "cancel", rid, "--org", a.slug, url=migrated_url)
    assert out.returncode == 0 and "cancelled" in out.stdout, out.stderr
    out = mediabase("workflows", "runs", "show", "nope", "--org", a.slug, url=migrated_url)
    assert out.returncode != 0 and "RUN_ID" in out.stderr
    out = mediabase("workflows", "run", tid, "--org", a.slug, "--event", tid, url=migrated_url)
    assert out.returncode != 0 and "event not found" in out.stderr
    assert mediabase("workflows", "delete", tid, "--org", a.slug, url=migrated_url).returncode == 0
    out = mediabase("workflows", "show", tid, "--org", a.slug, url=migrated_url)
    assert out.returncode != 0 and "not found" in out.stderr
