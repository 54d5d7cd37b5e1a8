"""The ``mediabase`` command imports only the module of the command that is run
(mediabase.cli.root): its map of root commands to modules is exactly what the modules register,
and a command's run leaves the other modules unimported."""

from __future__ import annotations

import subprocess
import sys

import typer
import typer.main

from mediabase.cli import root
from mediabase.cli.main import app


def test_the_map_names_what_every_module_registers() -> None:
    for module, names in root.COMMANDS.items():
        assert tuple(root.group_of(module).commands) == names, module
    whole = typer.main.get_group(app)
    assert sorted(whole.commands) == sorted(n for names in root.COMMANDS.values() for n in names)


def _run(*args: str) -> tuple[int, str, set[str]]:
    code = (
        "import sys\n"
        "from mediabase.cli import root\n"
        f"sys.argv = ['mediabase', *{list(args)!r}]\n"
        "try:\n"
        "    root.main()\n"
        "except SystemExit as e:\n"
        "    rc = e.code or 0\n"
        "print('\\0MODULES', *sorted(m for m in sys.modules if m.startswith('mediabase.cli.')))\n"
        "sys.exit(rc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                         env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"})
    text, _, modules = out.stdout.partition("\0MODULES")
    return out.returncode, text + out.stderr, set(modules.split())


def test_a_command_loads_only_its_module() -> None:
    rc, text, modules = _run("videos", "--help")
    assert rc == 0 and "list" in text, text
    loaded = {m.removeprefix("mediabase.cli.") for m in modules} & set(root.COMMANDS)
    assert loaded == {"content"}, modules
    rc, text, modules = _run("users", "--help")  # added by admin's register
    assert rc == 0 and "erase" in text, text
    assert "mediabase.cli.music" not in modules


def test_the_roots_help_and_a_typo_see_every_command() -> None:
    rc, text, _ = _run("--help")
    assert rc == 0
    for names in root.COMMANDS.values():
        for name in names:
            if name != "user":  # hidden
                assert f" {name} " in text, name
    rc, text, _ = _run("vidoes")
    assert rc == 2 and "No such command 'vidoes'" in text, text
    rc, text, _ = _run("--version")
    assert rc == 0 and text.startswith("mediabase ")
