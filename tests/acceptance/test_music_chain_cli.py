"""``mediabase music chain …`` as a person runs it (issue 13): help that explains every command; a
generated feed with two reorgs registered, imported and shown (status, holders equal to the Python
fold of the same seed, the reorgs followed); imported again it changes nothing; a feed with a bad
third line exits 1 with one stderr line naming ``file:3`` and the field, and writes nothing."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer.main

from mediabase.cli.main import app
from mediabase.music.chain.feed import FeedGenerator, default_contracts
from tests.acceptance.cli import help_of, mediabase
from tests.acceptance.dbstate import changed, fingerprint

SEED, BLOCKS, PER_BLOCK, HOLDERS = 5, 30, 3, 6
REORGS = {12: 3, 24: 5}  # after block 12 a reorg of depth 3, after block 24 one of depth 5
COMMANDS = ("chains", "contract-add", "contracts", "import", "generate", "status", "holders", "nfts", "reorgs")
ADDRESS_RE = re.compile(r"^(erc721|erc20|erc1155): (0x[0-9a-f]{40})$", re.M)


def expected() -> tuple[FeedGenerator, list[str]]:
    """The feed ``generate`` writes for these options, and the generator whose fold it must give."""
    gen = FeedGenerator(SEED, default_contracts(SEED), holders=HOLDERS)
    return gen, list(gen.lines(BLOCKS, PER_BLOCK, REORGS))


def test_help_of_the_group_and_every_command() -> None:
    out = mediabase("music", "chain", "--help")
    assert out.returncode == 0 and "Usage" in out.stdout, out.stderr
    for command in COMMANDS:
        assert command in out.stdout, command
    # each command's own help in this process, on one tree of commands (a subprocess each was ~4 s)
    root = typer.main.get_command(app)
    for command in COMMANDS:
        code, output = help_of(root, ("music", "chain", command))
        assert code in (0, None) and "Usage" in output, (command, output)
    # a bad option value is a usage error, not a traceback
    bad = mediabase("music", "chain", "generate", "x.jsonl", "--reorg", "12")
    assert bad.returncode == 2 and "HEIGHT:DEPTH" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_generate_register_import_show_replay_and_refuse(migrated_url: str, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return mediabase("music", "chain", *args, "--org", "nova", url=migrated_url)

    def js(*args: str) -> Any:
        out = run(*args, "--json")
        assert out.returncode == 0, (args, out.stderr)
        return json.loads(out.stdout)

    assert mediabase("org", "create", "nova", url=migrated_url).returncode == 0
    feed = tmp_path / "feed.jsonl"
    reorg_opts = [x for h, d in REORGS.items() for x in ("--reorg", f"{h}:{d}")]
    out = mediabase(
        "music", "chain", "generate", str(feed), "--seed", str(SEED), "--blocks", str(BLOCKS),
        "--per-block", str(PER_BLOCK), "--holders", str(HOLDERS), *reorg_opts,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    gen, lines = expected()
    assert feed.read_text(encoding="utf-8").splitlines() == lines  # deterministic by seed
    printed = dict(ADDRESS_RE.findall(out.stdout))
    assert printed == {c.standard: "0x" + c.address.hex() for c in default_contracts(SEED)}, out.stdout

    for standard, address in printed.items():
        added = js("contract-add", address.upper().replace("0X", "0x"), "--standard", standard, "--name", standard)
        assert (added["address"], added["standard"], added["chain_id"]) == (address, standard, 31337)
    dup = run("contract-add", printed["erc20"], "--standard", "erc20")
    assert dup.returncode == 1 and "address" in dup.stderr and len(dup.stderr.strip().splitlines()) == 1
    contracts = {c["address"]: c["id"] for c in js("contracts")}
    assert contracts.keys() == set(printed.values())

    def holdings() -> dict[tuple[str, int, str], int]:
        out: dict[tuple[str, int, str], int] = {}
        for address, cid in contracts.items():
            for row in js("holders", cid, "--limit", "1000"):
                out[(address, int(row["token_id"]), row["address"])] = int(row["balance"])
        return out

    fold = {("0x" + c.hex(), token, "0x" + who.hex()): v for (c, token, who), v in gen.fold().items()}
    assert len(fold) > 10 and any(t == 0 for _, t, _ in fold) and any(t > 0 for _, t, _ in fold)

    first = js("import", str(feed))
    head = gen.chain[-1].number
    assert (first["head"], first["finalized"], first["lines"]) == (head, head - 12, len(lines))
    assert [r["depth"] for r in first["reorgs"]] == [3, 5]
    assert first["inserted"] > 0 and first["new_blocks"] == BLOCKS + (3 + 1) + (5 + 1)
    assert holdings() == fold

    status = js("status")
    assert (status["head"], status["head_hash"]) == (head, "0x" + gen.chain[-1].hash.hex())
    assert sorted(c["address"] for c in status["contracts"]) == sorted(contracts)
    assert all(c["last_block"] == head for c in status["contracts"])
    text = run("status")
    assert text.returncode == 0 and f"head {head}" in text.stdout, text.stderr
    reorgs = js("reorgs")
    assert [(r["fork_block"], r["depth"], r["old_head"]) for r in reorgs] == [(20, 5, 24), (10, 3, 12)]
    nfts = js("nfts", "--contract", contracts[printed["erc721"]], "--limit", "1000")
    owned = {(int(n["token_id"]), n["owner"]) for n in nfts if n["owner"]}
    assert owned == {(t, who) for (c, t, who) in fold if c == printed["erc721"]}

    # the same file again: nothing new, the same holders, status and reorgs
    before = fingerprint(migrated_url)
    again = js("import", str(feed))
    assert (again["new_blocks"], again["inserted"], again["moved"], again["reorgs"]) == (0, 0, 0, [])
    assert holdings() == fold
    assert js("status") == status
    assert js("reorgs") == reorgs
    assert changed(before, fingerprint(migrated_url)) == []

    # a bad third line: exit 1, one stderr line naming file:3 and the field, nothing written
    header = json.loads(lines[0])
    nxt = {**header, "number": hex(head + 1), "parentHash": status["head_hash"], "hash": "0x" + "ab" * 32}
    good_log = json.loads(next(x for x in lines if '"topics"' in x))
    cases = {
        "transactionHash": json.dumps({**good_log, "transactionHash": "0x" + "zz" * 32}).encode(),
        "line": b'{"number": "0x1", "hash": ',
        "hash": json.dumps({**nxt, "hash": "0x1234"}).encode(),
        "line: a NUL byte": b'{"number": "0x\x001"}',
        "line: not UTF-8": b'{"number": "0x1", "x": "\xff"}',
    }
    for i, (field, bad_line) in enumerate(cases.items()):
        bad = tmp_path / f"bad-{i}.jsonl"
        bad.write_bytes(b"\n".join([json.dumps(nxt).encode(), lines[1].encode(), bad_line, lines[2].encode()]) + b"\n")
        before = fingerprint(migrated_url)
        out = run("import", str(bad))
        assert out.returncode == 1, (field, out.stdout, out.stderr)
        err = out.stderr.strip()
        assert len(err.splitlines()) == 1 and "Traceback" not in err, err
        assert f"{bad.name}:3: {field}" in err, err
        assert changed(before, fingerprint(migrated_url)) == []
    assert holdings() == fold and js("status") == status
