"""The CLI's tables: sized to the terminal (important columns whole, text wrapped by words), plain in a pipe."""

from __future__ import annotations

import io
import uuid

import pytest
from rich.console import Console
from rich.table import Table

from mediabase.cli.common import fit_table, plain_table

IDS = [str(uuid.UUID(int=n * 0x1234_5678_9ABC_DEF0_1234_5678_9ABC_DEF)) for n in range(1, 4)]
TITLES = [
    "Quarterly planning: the remote control's price, its case and who builds the prototype",
    "Kick-off",
    "Detailed design [draft] with the marketing expert and the industrial designer",
]


def sample() -> Table:
    table = Table("title", "status", "recorded", "tags", "id")
    for n, (title, id_) in enumerate(zip(TITLES, IDS, strict=True)):
        table.add_row(title.replace("[", "\\["), "processed", f"2004-12-1{n}", "ami, design, meeting", id_)
    return table


def rendered(table: Table, width: int) -> list[str]:
    out = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    out.print(table)
    return [line.rstrip() for line in out.file.getvalue().splitlines()]  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_a_table_fits_the_terminal_with_its_titles_and_ids_whole(width: int) -> None:
    fitted, dropped = fit_table(sample(), width, titles=["title"], drop=["tags", "recorded", "status"])
    lines = rendered(fitted, width)
    assert all(len(line) <= width for line in lines), "\n".join(lines)
    assert not any("…" in line for line in lines)
    for id_ in IDS:  # on one line, never folded or cut
        assert sum(id_ in line for line in lines) == 1, "\n".join(lines)
    shown = " ".join(lines).split()
    for title in TITLES:  # wrapped by words, none lost, the escaped bracket shown as written
        position = 0
        for word in title.split():
            position = shown.index(word, position) + 1
    assert [c.header for c in fitted.columns] == [h for h in ("title", "status", "recorded", "tags", "id")
                                                  if h not in dropped]
    assert dropped == ["tags", "recorded", "status"][: len(dropped)]  # in the order given, only as needed
    if width >= 200:
        assert dropped == []
    if width == 80:  # the title keeps a readable width, not a word per line
        assert dropped and min(len(line.split("  ")[0]) for line in lines[2:] if line) >= 8


def test_short_values_are_never_wrapped_and_running_text_wraps_by_words() -> None:
    table = Table("when", "who", "what")
    table.add_row("2026-12-07 11:24:03", "demo-artist", "a " * 60 + "end")
    lines = rendered(fit_table(table, 80, titles=[], drop=[])[0], 80)
    assert lines[2].startswith("2026-12-07 11:24:03  demo-artist  a a a")
    assert all(not line.startswith(" ") or line.split() == ["a"] * len(line.split())
               or line.split()[-1] == "end" for line in lines[3:])


def test_past_the_named_columns_others_go_from_the_right_but_never_the_first_a_title_or_an_id() -> None:
    table = Table("when", "status", "id", "kind", "note", "title")
    table.add_row("2026-12-07 11:24:03", "processed", IDS[0], "meeting", "from the zoom import", TITLES[0])
    fitted, dropped = fit_table(table, 80, titles=["title"], drop=["status"])
    assert dropped == ["status", "note", "kind"]
    assert [c.header for c in fitted.columns] == ["when", "id", "title"]


def test_when_nothing_more_may_be_dropped_ids_fold_rather_than_cut() -> None:
    fitted, dropped = fit_table(sample(), 40, titles=["title"], drop=["tags"])
    lines = rendered(fitted, 40)
    assert dropped == ["tags", "recorded", "status"] and all(len(line) <= 40 for line in lines)
    assert not any("…" in line for line in lines)
    assert all(ch in "".join(lines) for id_ in IDS for ch in id_)


def test_a_pipe_gets_every_value_in_full_aligned_two_spaces_apart() -> None:
    table = Table("title", "id")
    table.add_column("n", justify="right")
    for title, id_, n in zip(TITLES, IDS, ("1", "22", "333"), strict=True):
        table.add_row(title.replace("[", "\\["), id_, n)
    lines = plain_table(table).splitlines()
    assert lines[0].split() == ["title", "id", "n"] and lines[0].index("id") == len(TITLES[0]) + 2
    for line, title, id_ in zip(lines[1:], TITLES, IDS, strict=True):
        assert line.startswith(title + "  ") and f"  {id_}  " in line
        assert "…" not in line and "│" not in line
    assert [line[-3:] for line in lines[1:]] == ["  1", " 22", "333"]
    assert len({len(line) for line in lines}) == 1


def test_a_pipe_gets_the_title_and_a_header_even_without_rows() -> None:
    assert plain_table(Table("a", "bb", title="nothing yet")) == "nothing yet\na  bb\n"
