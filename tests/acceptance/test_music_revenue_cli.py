"""``mediabase music revenue|dividends|payouts`` as a person runs them: help that explains, a bad
statement line named by file:line and field with nothing written and exit 1."""

from __future__ import annotations

from pathlib import Path

from tests.acceptance.cli import mediabase


def test_help_and_a_bad_statement(tmp_path: Path) -> None:
    for group in ("revenue", "dividends", "payouts"):
        out = mediabase("music", group, "--help")
        assert out.returncode == 0 and "Usage" in out.stdout, out.stderr
    bad = tmp_path / "jan.csv"
    bad.write_text(
        "master_id,source,external_id,period_start,period_end,amount,currency\n"
        "01a24c70-2d7f-78f9-9b81-56477595283f,spotify,s1,2026-01-01,2026-02-01,1.5,EUR\n",
        encoding="utf-8",
    )
    out = mediabase("music", "revenue", "import", str(bad), "--org", "label")
    assert out.returncode == 1
    assert "jan.csv:2: amount" in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
