"""The Citus build's cache key and its checks of the source, without building anything."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediabase.config import Settings
from mediabase.db import cluster
from mediabase.db.errors import Unavailable


@pytest.fixture
def folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="mbcitusunit-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def settings(folder: Path, source: Path | None) -> Settings:
    return Settings.model_validate({"data_dir": folder / "data", "citus_source": source})


def test_a_source_directory_is_keyed_by_its_files(folder: Path) -> None:
    src = folder / "citus-src"
    (src / "sub").mkdir(parents=True)
    (src / "configure").write_text("#!/bin/sh\n")
    (src / "sub" / "a.c").write_text("int a;\n")
    first = cluster.source_digest(src)
    (src / ".git").mkdir()
    (src / ".git" / "HEAD").write_text("ref: x\n")
    assert cluster.source_digest(src) == first, "git metadata is not the source"
    (src / "sub" / "a.c").write_text("int b;\n")
    assert cluster.source_digest(src) != first
    key = cluster.build_key(folder / "citus 14.0.1.tar.gz", "ab" * 32)
    assert key.startswith("citus-14.0.1-abababababababab-pg") and "/" not in key


def test_bad_sources_are_named(folder: Path) -> None:
    with pytest.raises(Unavailable, match="MEDIABASE_CITUS_SOURCE"):
        cluster.build_citus(settings(folder, None))
    with pytest.raises(Unavailable, match=r"nothing\.tar\.gz does not exist"):
        cluster.build_citus(settings(folder, folder / "nothing.tar.gz"))
    junk = folder / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(Unavailable, match="neither a directory nor a .tar.gz"):
        cluster.build_citus(settings(folder, junk))
    assert not (folder / "data").exists(), "nothing written"


def test_no_cluster_yet(folder: Path) -> None:
    s = settings(folder, None)
    st = cluster.cluster_status(s)
    assert not st.created and not st.all_running and not st.healthy and st.nodes == []
    assert cluster.stop_cluster(s) == []
    with pytest.raises(Unavailable, match="db cluster start"):
        cluster.add_worker(s)


def test_free_ports_are_distinct() -> None:
    ports = cluster._free_ports(5)
    assert len(set(ports)) == 5
