"""HTTP reads at 50 concurrent clients: direct vs through pgbouncer, and primary alone vs
primary + a streaming replica — in one run, on one machine, printing ratios (issue 10).

For each configuration a real ``mediabase serve`` process answers a load of ``--clients``
concurrent HTTP clients (httpx, one event loop in this process) for ``--seconds`` per
endpoint: ``GET /videos`` (a read endpoint) and ``GET /search?q=…&mode=keyword``. Configurations
are measured in ``--rounds`` interleaved rounds; medians of requests/s are reported.

    PYTHONPATH=src:. python bench/pool_bench.py                 # embedded server in a temp dir
    PYTHONPATH=src:. python bench/pool_bench.py --seconds 20 --rounds 3

Needs Debian's ``pgbouncer`` (transaction mode, started by this script in front of the
embedded server) and makes a streaming replica of it (``mediabase db replica start``).
On a 2-core machine the API process, the load generator, the primary and the replica share
the same two cores, so a replica cannot add capacity here; the figure is reported as measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from tests.servers import PgBouncer, free_port

from mediabase.config import Settings
from mediabase.db import embedded

ENDPOINTS = {"videos": "/videos?limit=20", "search": "/search?q=remote+control&mode=keyword&limit=10"}


def cli(env: dict[str, str], *args: str) -> str:
    r = subprocess.run([sys.executable, "-m", "mediabase", *args], env=env, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise SystemExit(f"mediabase {' '.join(args)} failed: {r.stderr}")
    return r.stdout


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = Path(env["MEDIABASE_DATA_DIR"]) / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mediabase", "serve", "--port", str(port)], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/ready", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the API did not become ready: {log.read_text(errors='replace')[-2000:]}")


async def load(base: str, path: str, key: str, clients: int, seconds: float) -> tuple[float, float, float]:
    """Requests/s, p50 and p95 latency (ms) of ``clients`` closed-loop clients. A connection
    the server closed under a request (seen now and then from uvicorn under this load, with the
    API process alive) is counted and the request sent again; any non-200 answer aborts."""
    latencies: list[float] = []
    errors = dropped = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": key}, limits=limits, timeout=30) as http:
        await asyncio.gather(*(http.get(path) for _ in range(clients)))  # warm every connection
        stop = time.perf_counter() + seconds

        async def client() -> None:
            nonlocal errors, dropped
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                try:
                    r = await http.get(path)
                except httpx.TransportError:
                    dropped += 1
                    continue
                if r.status_code != 200:
                    errors += 1
                latencies.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"{errors} requests to {path} failed")
    if dropped:
        print(f"  ({dropped} connections closed by the server under a request; sent again)", flush=True)
    q = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, q[49] * 1000, q[94] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="mbpoolbench-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    base_env.update(MEDIABASE_DATA_DIR=str(data_dir), MEDIABASE_LOG_LEVEL="WARNING")
    settings = Settings.model_validate({"data_dir": data_dir})
    bouncer: PgBouncer | None = None
    try:
        cli(base_env, "migrate")
        cli(base_env, "seed", "demo")
        key = json.loads(cli(base_env, "key", "create", "--org", "demo", "--json"))["key"]
        url = embedded.start(settings)
        admin = embedded.server_url(settings)
        bouncer = PgBouncer(admin, pool_size=20).start()
        replica = embedded.start_replica(settings)
        configs = {
            "direct": {"MEDIABASE_DATABASE_URL": url},
            "pgbouncer": {
                "MEDIABASE_DATABASE_URL": bouncer.url(url),
                "MEDIABASE_APP_DATABASE_URL": bouncer.url(url, user="mediabase_api"),
                "MEDIABASE_DIRECT_URL": url,
                "MEDIABASE_PREPARED_STATEMENTS": "false",
            },
            "primary+replica": {"MEDIABASE_DATABASE_URL": url, "MEDIABASE_DATABASE_REPLICA_URL": replica,
                                "MEDIABASE_REPLICA_READ_YOUR_WRITES_S": "0"},
        }
        results: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
        for rnd in range(args.rounds):
            order = list(configs) if rnd % 2 == 0 else list(reversed(configs))
            for name in order:
                proc, base = serve({**base_env, **configs[name]})
                try:
                    if name == "primary+replica":
                        ready = httpx.get(base + "/ready").json()
                        assert ready.get("replica", {}).get("healthy"), ready
                    for ep, path in ENDPOINTS.items():
                        try:
                            r = asyncio.run(load(base, path, key, args.clients, args.seconds))
                        except httpx.HTTPError as exc:
                            log = next(data_dir.glob(f"serve-{base.rsplit(':', 1)[1]}.log"))
                            raise SystemExit(f"{name} {ep}: {exc!r} (API exit status {proc.poll()}); its log:\n"
                                             f"{log.read_text(errors='replace')[-3000:]}") from exc
                        results.setdefault((name, ep), []).append(r)
                        print(f"round {rnd + 1} {name:16} {ep:7} {r[0]:8.0f} req/s  p50 {r[1]:6.1f} ms"
                              f"  p95 {r[2]:6.1f} ms", flush=True)
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
        print(f"\n{args.clients} clients, {args.seconds:g} s per endpoint, medians of {args.rounds} rounds "
              f"({os.cpu_count()} cores)")
        print(f"{'endpoint':8} {'direct':>10} {'pgbouncer':>10} {'ratio':>7} {'+replica':>10} {'ratio':>7}")
        for ep in ENDPOINTS:
            med = {n: statistics.median(r[0] for r in results[(n, ep)]) for n in configs}
            print(f"{ep:8} {med['direct']:10.0f} {med['pgbouncer']:10.0f} {med['pgbouncer'] / med['direct']:6.2f}x"
                  f" {med['primary+replica']:10.0f} {med['primary+replica'] / med['direct']:6.2f}x")
    finally:
        if bouncer is not None:
            bouncer.stop()
        embedded.stop_replica(settings)
        embedded.stop(settings)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
