"""``mediabase music artists|producers|masters|contracts|studio …`` as a person runs them: an
artist's master, a contract refused off 10,000 bps (one line, exit 1, nothing written) and
signed, a studio session voted on."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from tests.acceptance.cli import mediabase

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def created(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode == 0, out.stderr
    found = UUID_RE.search(out.stdout)
    assert found, out.stdout
    return found.group(0)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_master_contracted_and_voted_on(migrated_url: str) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return mediabase("music", *args, "--org", "nova", url=migrated_url)

    assert mediabase("org", "create", "nova", url=migrated_url).returncode == 0
    artist = created(run("artists", "add", "Nova"))
    producer = created(run("producers", "add", "Deep Room"))
    bad = run("masters", "add", artist, "One", "--isrc", "nope")
    assert bad.returncode != 0 and "isrc" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    master = created(run("masters", "add", artist, "One"))
    assert json.loads(run("masters", "list", "--json").stdout)[0]["id"] == master
    assert run("masters", "credit", master, producer, "--role", "mixing").returncode == 0
    short = run("contracts", "add", master, "--split", f"artist:{artist}:7000", "--split", "investors:2000")
    assert short.returncode == 1 and "10,000" in short.stderr
    assert json.loads(run("contracts", "list", master, "--json").stdout) == []
    contract = created(
        run(
            "contracts",
            "add",
            master,
            "--split",
            f"artist:{artist}:7000",
            "--split",
            f"producer:{producer}:1000",
            "--split",
            "investors:2000",
        )
    )
    signed = json.loads(run("contracts", "sign", contract, "--json").stdout)
    assert (signed["version"], signed["status"]) == (1, "signed")
    assert run("contracts", "sign", contract).returncode == 1
    now = datetime.now(UTC)
    opened = json.loads(
        run(
            "studio",
            "open",
            master,
            "Which mix?",
            "--opens",
            (now - timedelta(hours=1)).isoformat(),
            "--closes",
            (now + timedelta(hours=1)).isoformat(),
            "--option",
            "Warm",
            "--option",
            "Bright",
            "--json",
        ).stdout
    )
    assert run("studio", "vote", opened["id"], opened["options"][0]["id"]).returncode == 0
    tally = json.loads(run("studio", "tally", opened["id"], "--json").stdout)
    assert [(t["label"], t["votes"]) for t in tally] == [("Warm", 1), ("Bright", 0)]
