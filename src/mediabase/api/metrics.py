"""``GET /metrics`` in Prometheus' text format: requests by route template, the pools, the job
queue and replica lag (docs/operations.md, "Metrics").

Each app has its own registry (tests build many apps in one process). Requests are counted by a
pure ASGI middleware, labelled by the route's template (``/videos/{video_id}``), never the raw
path. Pools are read at scrape time; jobs and replica lag are asked of the database at scrape
time, and a database error there costs those series and counts in
``mediabase_scrape_errors_total``: a scrape never fails.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mediabase.api.problems import problem
from mediabase.config import Settings
from mediabase.jobs.models import QueueCount
from mediabase.jobs.service import queue_counts

log = logging.getLogger("mediabase.api.metrics")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
JOB_STATES = ("ready", "scheduled", "running", "failed")


def route_template(scope: Scope) -> str:
    """The matched route's path template, or ``unmatched`` (a 404 names no route)."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class HttpMetrics:
    """The request counter and latency histogram of one app."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "mediabase_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.duration = Histogram(
            "mediabase_http_request_duration_seconds",
            "Time from a request's arrival to its last response byte, by method, route template and status class.",
            ["method", "route", "status_class"],
            buckets=BUCKETS,
            registry=registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "OTHER"  # a client may send any word: keep labels bounded
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(method, route, f"{status // 100}xx").observe(seconds)


class MetricsMiddleware:
    """Counts and times every HTTP request (pure ASGI: streaming responses pass untouched)."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what the server answers if the app raises before starting a response

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        except Exception:
            self.metrics.observe(scope["method"], route_template(scope), status, time.perf_counter() - start)
            raise
        self.metrics.observe(scope["method"], route_template(scope), status, time.perf_counter() - start)


def app_pools(state: Any) -> list[tuple[str, Any]]:
    """The app's connection pools by name: primary, system (the owner's) and, when the
    database has one, replica; each pool once."""
    db = getattr(state, "db", None)
    system = getattr(state, "system_db", None)
    holders = (("primary", db), ("system", system), ("replica", getattr(db, "replica", None)))
    pools: list[tuple[str, Any]] = []
    seen: set[int] = set()
    for name, holder in holders:
        pool = getattr(holder, "pool", holder)
        if pool is None or not hasattr(pool, "get_stats") or id(pool) in seen:
            continue
        seen.add(id(pool))
        pools.append((name, pool))
    return pools


class PoolCollector(Collector):
    """Reads ``get_stats()`` of each pool of the app at scrape time."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterable[Metric]:
        gauges = {
            "size": GaugeMetricFamily("mediabase_pool_size", "Connections the pool holds open.", labels=["pool"]),
            "in_use": GaugeMetricFamily("mediabase_pool_in_use", "Connections lent out right now.", labels=["pool"]),
            "waiting": GaugeMetricFamily(
                "mediabase_pool_waiting", "Requests waiting for a connection right now.", labels=["pool"]
            ),
            "max": GaugeMetricFamily("mediabase_pool_max", "The pool's max_size.", labels=["pool"]),
        }
        requests = CounterMetricFamily("mediabase_pool_requests", "Connections asked of the pool.", labels=["pool"])
        waited = CounterMetricFamily(
            "mediabase_pool_wait_seconds", "Time requests spent waiting for a connection.", labels=["pool"]
        )
        errors = CounterMetricFamily(
            "mediabase_pool_request_errors", "Requests that got no connection (timeout, queue full).", labels=["pool"]
        )
        for name, pool in app_pools(self.app.state):
            s = pool.get_stats()
            size, available = s.get("pool_size", 0), s.get("pool_available", 0)
            gauges["size"].add_metric([name], size)
            gauges["in_use"].add_metric([name], max(0, size - available))
            gauges["waiting"].add_metric([name], s.get("requests_waiting", 0))
            gauges["max"].add_metric([name], s.get("pool_max", 0))
            requests.add_metric([name], s.get("requests_num", 0))
            waited.add_metric([name], s.get("requests_wait_ms", 0) / 1000)
            errors.add_metric([name], s.get("requests_errors", 0))
        yield from gauges.values()
        yield from (requests, waited, errors)


def job_families(counts: list[QueueCount]) -> list[Metric]:
    """``mediabase_jobs`` (every state of every type seen, 0 included) and the ready backlog's age."""
    jobs = GaugeMetricFamily(
        "mediabase_jobs",
        "Jobs of every tenant by type and state: ready, scheduled (run_after ahead), running, "
        "failed (created in the last 24 hours).",
        labels=["type", "state"],
    )
    oldest = GaugeMetricFamily(
        "mediabase_jobs_oldest_ready_seconds", "How long the oldest ready job of a type has waited.", labels=["type"]
    )
    by_key: dict[tuple[str, str], QueueCount] = {(c.type, c.state): c for c in counts}
    for type_ in sorted({c.type for c in counts}):
        for state in JOB_STATES:
            c = by_key.get((type_, state))
            jobs.add_metric([type_, state], c.jobs if c else 0)
        ready = by_key.get((type_, "ready"))
        oldest.add_metric([type_], (ready.oldest_ready_seconds or 0.0) if ready else 0.0)
    return [jobs, oldest]


class _Families(Collector):
    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


class AppMetrics:
    """One app's registry and what it scrapes from the database."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.registry = CollectorRegistry()
        self.http = HttpMetrics(self.registry)
        self.scrape_errors = Counter(
            "mediabase_scrape_errors",
            "Scrapes whose database part failed (its series are missing from that scrape).",
            ["part"],
            registry=self.registry,
        )
        for part in ("jobs", "replica_lag"):
            self.scrape_errors.labels(part)
        self.registry.register(PoolCollector(app))

    async def database_families(self) -> list[Metric]:
        """Jobs (through the owner's pool: every tenant) and replica lag, asked now; a part
        that fails is left out and counted."""
        families: list[Metric] = []
        state = self.app.state
        system = getattr(state, "system_db", None)
        if system is not None:
            try:
                async with system.transaction() as conn:
                    await conn.execute("SET LOCAL statement_timeout = '5s'")  # a scrape never waits long
                    families += job_families(await queue_counts(conn))
            except Exception as exc:  # a scrape reports, never fails
                self._failed("jobs", exc)
        families += await self._replica_families(getattr(state, "db", None))
        return families

    async def _replica_families(self, db: Any) -> list[Metric]:
        """The replica's lag (``db.replica_lag()`` where the database offers it, else the
        router's last measurement, taken once a second) and whether reads go to it."""
        router = getattr(db, "replica", None)
        if router is None:
            return []
        families: list[Metric] = []
        try:
            lag = await db.replica_lag() if hasattr(db, "replica_lag") else getattr(router, "lag_s", None)
        except Exception as exc:  # a scrape reports, never fails
            self._failed("replica_lag", exc)
            lag = None
        if lag is not None:
            gauge = GaugeMetricFamily(
                "mediabase_replica_lag_seconds", "How far the read replica's replay is behind the primary."
            )
            gauge.add_metric([], float(lag))
            families.append(gauge)
        healthy = getattr(router, "healthy", None)
        if isinstance(healthy, bool):
            up = GaugeMetricFamily(
                "mediabase_replica_healthy",
                "1 while read-only work may go to the replica (it answers, is a standby, lags under the limit).",
            )
            up.add_metric([], 1.0 if healthy else 0.0)
            families.append(up)
        return families

    def _failed(self, part: str, exc: Exception) -> None:
        self.scrape_errors.labels(part).inc()
        log.warning("metrics: %s could not be read: %s", part, exc)

    async def exposition(self) -> bytes:
        """The whole text exposition: the app's registry, then what the database said."""
        extra = CollectorRegistry(auto_describe=False)
        extra.register(_Families(await self.database_families()))
        return generate_latest(self.registry) + generate_latest(extra)


def _authorized(request: Request, settings: Settings) -> JSONResponse | None:
    """None when the caller may read the metrics, else the problem to answer."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    if token:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and secrets.compare_digest(presented.strip().encode(), token.encode()):
            return None
        return problem(401, "Unauthorized", "send Authorization: Bearer <MEDIABASE_METRICS_TOKEN>", code="unauthorized")
    if settings.metrics_public:
        return None
    return problem(
        403, "Forbidden", "metrics are not public: set MEDIABASE_METRICS_TOKEN and scrape with it", code="forbidden"
    )


def install(app: FastAPI, settings: Settings) -> AppMetrics:
    """Give ``app`` its registry, the request middleware and ``GET /metrics``."""
    # no *_created series: the text format makes each a gauge of its own, doubling what is stored
    disable_created_metrics()  # type: ignore[no-untyped-call]  # the library leaves it unannotated
    metrics = AppMetrics(app)
    app.state.metrics = metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics.http)

    @app.get("/metrics", include_in_schema=False)
    async def scrape(request: Request) -> Response:
        denied = _authorized(request, settings)
        if denied is not None:
            return denied
        return Response(await metrics.exposition(), media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return metrics
