"""``mediabase db cluster …``: a Citus dev cluster (a coordinator and workers on 127.0.0.1)."""

from __future__ import annotations

from typing import Annotated

import typer

from mediabase.cli.common import JsonOpt, console, fail, print_json, settings
from mediabase.db import cluster
from mediabase.db.errors import MediabaseError

app = typer.Typer(
    help="A Citus dev cluster on this machine: a coordinator and workers on 127.0.0.1, to try and test "
    "mediabase scaled out. Citus is the PostgreSQL extension that spreads tenants' rows over several "
    "servers (workers) behind one that applications talk to (the coordinator). Built from "
    "MEDIABASE_CITUS_SOURCE against the embedded PostgreSQL; trust authentication on loopback, so for "
    "development only. See docs/scale-out.md.",
    short_help="A Citus dev cluster (a coordinator and workers on 127.0.0.1) to try and test scale-out.",
    no_args_is_help=True,
)

WorkersOpt = Annotated[
    int, typer.Option("--workers", min=1, help="How many workers a new cluster gets (an existing one keeps its own).")
]


@app.command("start")
def start(workers: WorkersOpt = 2) -> None:
    """Create (the first time) or start the dev cluster, and print the coordinator's URL.

    The first start builds Citus from MEDIABASE_CITUS_SOURCE (a .tar.gz or a source directory;
    needs gcc and make, about a minute, cached in MEDIABASE_CITUS_BUILD_DIR or DATA_DIR/citus),
    then makes one data directory per node under DATA_DIR/citus-cluster, each on a free port of
    127.0.0.1, creates the database with the citus extension on every node and registers the
    workers with the coordinator. Later starts start the stopped nodes on the same ports.
    """
    s = settings()
    try:
        url = cluster.start_cluster(s, workers)
        st = cluster.cluster_status(s)
    except MediabaseError as exc:
        fail(str(exc))
    for node in st.nodes:
        console.print(f"{node.name:<12} 127.0.0.1:{node.port}  pid {node.pid}  {node.pgdata}", soft_wrap=True)
    if len(st.nodes) - 1 != workers:
        console.print(f"the existing cluster has {len(st.nodes) - 1} workers (--workers applies to a new one; "
                      "'mediabase db cluster add-worker' adds one)", soft_wrap=True)
    console.print(f"coordinator url: {url}", soft_wrap=True)
    console.print(f"use it: export MEDIABASE_DATABASE_URL='{url}'", soft_wrap=True)


@app.command("stop")
def stop() -> None:
    """Stop every node of the dev cluster (fast shutdown; data and ports are kept for the next start)."""
    try:
        stopped = cluster.stop_cluster(settings())
    except MediabaseError as exc:
        fail(str(exc))
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "the Citus dev cluster was not running")


@app.command("status")
def status(as_json: JsonOpt = False) -> None:
    """Show each node (running, healthy, shard placements) of the dev cluster.

    Healthy: the node answers, has the citus extension, is registered with the coordinator
    and reaches (and is reached by) every other node (citus_check_cluster_node_health()).
    Exit 0 when every node runs and is healthy, 1 otherwise.
    """
    try:
        st = cluster.cluster_status(settings())
    except MediabaseError as exc:
        fail(str(exc))
    if as_json:
        print_json(st.as_dict())
    elif not st.created:
        console.print(f"no Citus dev cluster in {st.cluster_dir} ('mediabase db cluster start' makes one)")
    else:
        console.print(f"Citus dev cluster in {st.cluster_dir}: "
                      + ("healthy" if st.healthy else "running, not healthy" if st.all_running
                         else "partly running" if any(n.running for n in st.nodes) else "not running"),
                      soft_wrap=True)
        for n in st.nodes:
            state = ("healthy" if n.healthy else "unhealthy") if n.running else "stopped"
            extra = f"  ({n.error})" if n.error else ""
            console.print(f"  {n.name:<12} 127.0.0.1:{n.port}  {state:<9}  shards {n.shards}{extra}", soft_wrap=True)
        console.print(f"coordinator url: {st.coordinator_url}", soft_wrap=True)
    raise typer.Exit(0 if st.healthy else 1)


@app.command("add-worker")
def add_worker() -> None:
    """Add one more worker to the dev cluster (started, registered with the coordinator).

    Existing shards stay where they are until a rebalance moves some to it:
    SELECT citus_rebalance_start(); on the coordinator.
    """
    try:
        name = cluster.add_worker(settings())
        st = cluster.cluster_status(settings())
    except MediabaseError as exc:
        fail(str(exc))
    node = next(n for n in st.nodes if n.name == name)
    console.print(f"added {name} on 127.0.0.1:{node.port} ({node.pgdata})")
