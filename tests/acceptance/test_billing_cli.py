"""``mediabase billing …`` as an operator runs it: every command explains itself; a catalog is made;
an organization subscribes; a generated provider log is replayed twice (the second time nothing is
new); a bad line is named as file:line: field: problem, exit 1, nothing written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mediabase.cli.main import app
from tests.acceptance.cli import mediabase
from tests.acceptance.dbstate import fingerprint

GROUPS = [(), ("plans",), ("prices",), ("features",), ("usage",)]
COMMANDS = {
    (): ["subscribe", "cancel", "change-plan", "subscriptions", "invoices", "invoice", "payments", "refunds",
         "events", "entitlements", "advance", "replay", "generate"],
    ("plans",): ["list", "add", "archive", "restore", "limit", "unlimit"],
    ("prices",): ["add", "archive", "restore"],
    ("features",): ["list", "add"],
    ("usage",): ["record", "list"],
}


@pytest.mark.timeout(600)
def test_every_billing_command_explains_itself() -> None:
    runner = CliRunner()
    for group, commands in COMMANDS.items():
        out = mediabase("billing", *group, "--help")  # as a user runs it
        assert out.returncode == 0 and "Usage" in out.stdout, out.stderr
        for c in commands:  # each command's own help, in-process (33 interpreters would take minutes)
            one = runner.invoke(app, ["billing", *group, c, "--help"], env={"COLUMNS": "200"})
            assert one.exit_code == 0 and len(one.output.split("\n")) > 4, (group, c, one.output)
            assert c in one.output


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_catalog_a_subscription_and_a_replayed_log(migrated_url: str, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        out = mediabase("billing", *args, url=migrated_url)
        assert out.returncode == 0, (args, out.stderr)
        return out

    assert mediabase("org", "create", "acme", url=migrated_url).returncode == 0
    run("plans", "add", "pro", "--name", "Pro")
    run("prices", "add", "pro-monthly-usd", "--plan", "pro", "--amount", "1500", "--currency", "usd")
    run("prices", "add", "pro-yearly-usd", "--plan", "pro", "--amount", "15000", "--currency", "USD",
        "--interval", "year")
    run("plans", "limit", "pro", "transcription_minutes", "600")
    float_price = mediabase("billing", "prices", "add", "x", "--plan", "pro", "--amount", "15.00", "--currency",
                            "USD", url=migrated_url)
    assert float_price.returncode != 0 and "amount" in float_price.stderr
    plans = json.loads(run("plans", "list", "--json").stdout)
    assert [(p["code"], len(p["prices"]), p["limits"][0]["limit"]) for p in plans] == [("pro", 2, 600)]

    sub = json.loads(run("subscribe", "--org", "acme", "--price", "pro-monthly-usd", "--json").stdout)
    assert sub["status"] == "active" and sub["plan_code"] == "pro"
    twice = mediabase("billing", "subscribe", "--org", "acme", "--price", "pro-monthly-usd", url=migrated_url)
    assert twice.returncode == 1 and "live subscription" in twice.stderr
    assert len(twice.stderr.strip().splitlines()) == 1
    run("cancel", sub["id"], "--org", "acme")
    run("usage", "record", "transcription_minutes", "12", "--org", "acme")
    assert json.loads(run("usage", "list", "--org", "acme", "--json").stdout)[0]["quantity"] == 12

    log = tmp_path / "stripe.jsonl"
    # another organization's customers (acme has its customer already: one per subscriber)
    assert mediabase("org", "create", "globex", url=migrated_url).returncode == 0
    wrote = run("generate", str(log), "--org", "globex", "--members", "--events", "300", "--seed", "3").stdout
    n = int(wrote.split()[0])
    assert 20 < n <= 300 and len(log.read_text().splitlines()) == n
    first = json.loads(run("replay", str(log), "--json").stdout)
    assert (first["read"], first["recorded"]) == (n, n) and first["invoices"] > 0
    before = fingerprint(migrated_url)
    second = json.loads(run("replay", str(log), "--json").stdout)
    assert (second["recorded"], second["subscriptions"], second["invoices"]) == (0, 0, 0)
    assert fingerprint(migrated_url) == before
    invoices = json.loads(run("invoices", "--org", "globex", "--json").stdout)
    assert invoices and all(isinstance(i["total"], int) for i in invoices)
    shown = json.loads(run("invoice", invoices[0]["id"], "--org", "globex", "--json").stdout)
    assert sum(line["amount"] for line in shown["lines"]) == shown["total"]

    lines = log.read_text().splitlines()
    doc = json.loads(lines[6])
    doc["id"], doc["data"]["object"]["id"] = "evt_never_seen", "not an id"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([*lines[:6], json.dumps(doc), "{}"]) + "\n")
    out = mediabase("billing", "replay", str(bad), url=migrated_url)
    assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "bad.jsonl:7: data.object.id: must be an id" in out.stderr
    assert fingerprint(migrated_url) == before
    missing = mediabase("billing", "replay", str(tmp_path / "nope.jsonl"), url=migrated_url)
    assert missing.returncode == 1 and "no such file" in missing.stderr
