"""README's tour can be pasted as is: every ``mediabase …`` it runs is a command with those options, and
every file it names is in the repository. (It does not run the tour: the CLI tests do the commands.)"""

from __future__ import annotations

import re
import shlex
from itertools import pairwise
from typing import Any

import typer.main

from mediabase.cli.main import app
from mediabase.transcripts.formats import parse_bytes
from tests.conftest import REPO

SHELL = {"&&", "||", "|", ";", "&", "(", ")", "$", ">", "<", ">>"}
PATH = re.compile(r"(?<![\w./-])((?:tests|docs|src|bench)/[\w./-]*\w)")
FILE = re.compile(r"[\w./-]+\.(?:srt|vtt|json|jsonl|txt|csv|xml|png|svg|md)")  # a file a command reads or writes
OUTPUT_OPTIONS = {"-o", "--output", "--plot", ">"}


def tour() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## A tour\n")
    return readme[start: readme.index("\n## ", start + 1)]


def commands(section: str) -> list[str]:
    """The tour's ```bash blocks as logical lines (continuations joined)."""
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    assert blocks, "the tour has no ```bash block"
    return [line for block in blocks for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def words_of(line: str) -> list[str]:
    """A shell line's words and operators (quotes removed, comments dropped)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)


def invocations(line: str) -> list[list[str]]:
    """Each ``mediabase`` in a shell line with the words after it, up to the next shell operator."""
    tokens = words_of(line)
    found = []
    for i, token in enumerate(tokens):
        if token == "mediabase":
            words = []
            for word in tokens[i + 1:]:
                if word in SHELL or set(word) <= set("&|;()<>$"):
                    break
                words.append(word)
            found.append(words)
    return found


def is_group(cmd: Any) -> bool:
    return hasattr(cmd, "commands")


def resolve(root: Any, words: list[str]) -> tuple[tuple[str, ...], Any, list[str]]:
    """The command ``words`` name in the tree, and the words left for it."""
    cmd = root
    path: tuple[str, ...] = ()
    rest = list(words)
    while is_group(cmd) and rest and rest[0] in cmd.commands:
        path += (rest[0],)
        cmd = cmd.commands[rest.pop(0)]
    return path, cmd, rest


def test_every_mediabase_command_of_the_tour_exists_with_its_options() -> None:
    root = typer.main.get_command(app)
    lines = commands(tour())
    checked = []
    for line in lines:
        for words in invocations(line):
            path, cmd, rest = resolve(root, words)
            shown = f"mediabase {' '.join(words)}  (in: {line.strip()})"
            assert path, f"not a command: {shown}"
            if is_group(cmd):
                assert cmd.invoke_without_command and not rest, f"a group, not a command: {shown}"
            options = {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)} | {"--help", "-h"}
            # a command that passes its options on (psql) has none of its own to check
            passes_on = (cmd.context_settings or {}).get("ignore_unknown_options", False)
            for word in rest:
                if word.startswith("-") and word != "-" and not passes_on:
                    assert word.split("=", 1)[0] in options, f"no option {word} of mediabase {' '.join(path)}: {shown}"
            required = [p for p in cmd.params if p.param_type_name == "argument" and p.required]
            assert len(_positionals(cmd, rest)) >= len(required), f"missing arguments: {shown}"
            given = {w.split("=", 1)[0] for w in rest}
            for p in cmd.params:
                if p.param_type_name == "option" and p.required and not getattr(p, "envvar", None):
                    assert given & {*p.opts, *p.secondary_opts}, f"missing {p.opts[0]}: {shown}"
            checked.append(path)
    assert ("videos", "list") in checked and ("decisions", "list") in checked and len(checked) > 50


def _positionals(cmd: Any, rest: list[str]) -> list[str]:
    """The words that are not options or an option's value."""
    takes_value = {o for p in cmd.params if p.param_type_name == "option" and not p.is_flag
                   for o in (*p.opts, *p.secondary_opts)}
    out, skip = [], False
    for word in rest:
        if skip:
            skip = False
        elif word.startswith("-") and word != "-":
            skip = word in takes_value
        else:
            out.append(word)
    return out


def test_every_file_the_tour_names_is_in_the_repository() -> None:
    section = tour()
    named = sorted(set(PATH.findall(section)))  # in its commands and its prose
    assert "tests/data/zoom/recordings.json" in named
    missing = [p for p in named if not (REPO / p).exists()]
    assert not missing, f"the tour names files that are not there: {missing}"


def test_every_file_a_tour_command_reads_is_there_or_written_before() -> None:
    root = typer.main.get_command(app)
    written: set[str] = set()
    for line in commands(tour()):
        tokens = words_of(line)
        written |= {t for before, t in pairwise(tokens) if before in OUTPUT_OPTIONS}
        for words in invocations(line):  # 'mediabase … generate FILE' writes FILE
            path, cmd, rest = resolve(root, words)
            if path and path[-1] == "generate" and (files := _positionals(cmd, rest)):
                written.add(files[0])
        for token in tokens:
            if FILE.fullmatch(token) and token not in written:
                assert (REPO / token).is_file(), f"{token} is neither in the repository nor written before: {line}"


def test_the_tour_asks_nobody_to_fill_in_a_placeholder() -> None:
    for line in commands(tour()):
        code = line.split("  #")[0]
        assert "…" not in code and "path/to" not in code, f"not pasteable as is: {line.strip()}"


def test_the_tours_whisper_transcript_reads_as_whisper_with_words() -> None:
    path = REPO / "tests" / "data" / "whisper" / "standup.json"
    parsed = parse_bytes(path.read_bytes(), source=path.name)
    assert parsed.format == "whisper" and parsed.language == "en" and len(parsed.segments) == 5
    assert all(s.words for s in parsed.segments) and parsed.segments[-1].end_ms == 24_500
