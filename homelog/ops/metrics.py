"""Metrics for Prometheus at /metrics, served only to loopback or HOMELOG_METRICS_ALLOW.

Counted in each process: request latency by route pattern (never a path, which could name a
family's record) and failed submissions from phones (visits, photos, events), by status.
Read from the database when scraped, so every worker answers the same: open flags by
severity, the last engine run's duration and when it finished, and emails waiting or given
up. Under gunicorn's several workers, PROMETHEUS_MULTIPROC_DIR (set by deploy/gunicorn.conf.py)
makes the per-process counts add up across workers.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, abort, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from homelog.alerts.models import OutboxMessage
from homelog.core.job_models import JobRun
from homelog.engine.models import ACTIVE_STATES, Flag
from homelog.extensions import db
from homelog.ops.logs import REQUEST_STARTED

_LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
# Where phones send what was recorded: a failure here is something a practitioner's phone
# will try again (or, for a 4xx, show them).
_SUBMISSIONS = ("/api/v1/families/<id:family_id>/visits",
                "/api/v1/visits/<id:visit_id>/photos",
                "/api/v1/families/<id:family_id>/events",
                "/api/v1/visits/<id:visit_id>/amendments")

REQUEST_SECONDS = Histogram(
    "homelog_request_seconds", "Time to answer a request, by route pattern",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
SYNC_FAILURES = Counter(
    "homelog_sync_failures", "Submissions from phones that were refused or failed",
    ["route", "status"])


class _DatabaseCollector(Collector):
    """What the database says, read at each scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        flags = GaugeMetricFamily("homelog_open_flags", "Flags open or acknowledged, by "
                                  "severity", labels=["severity"])
        for severity, count in db.session.execute(
                select(Flag.severity, func.count()).where(Flag.state.in_(ACTIVE_STATES))
                .group_by(Flag.severity)):
            flags.add_metric([severity], count)
        yield flags
        last = db.session.execute(
            select(JobRun.started_at, JobRun.finished_at).where(
                JobRun.name == "engine", JobRun.finished_at.is_not(None))
            .order_by(JobRun.finished_at.desc()).limit(1)).first()
        took = GaugeMetricFamily("homelog_engine_last_run_seconds",
                                 "How long the last finished engine run took")
        finished = GaugeMetricFamily("homelog_engine_last_run_finished_timestamp_seconds",
                                     "When the last engine run finished (Unix time)")
        if last is not None:
            took.add_metric([], (last.finished_at - last.started_at).total_seconds())
            finished.add_metric([], last.finished_at.timestamp())
        yield took
        yield finished
        outbox = GaugeMetricFamily("homelog_outbox_messages", "Emails by state",
                                   labels=["status"])
        for status, count in db.session.execute(
                select(OutboxMessage.status, func.count()).where(
                    OutboxMessage.status.in_(("pending", "failed", "uncertain")))
                .group_by(OutboxMessage.status)):
            outbox.add_metric([status], count)
        yield outbox


def _allowed(config: Any) -> bool:
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    allowed = [*_LOOPBACK, *(ipaddress.ip_network(entry, strict=False)
                             for entry in config["HOMELOG_METRICS_ALLOW"])]
    return any(address in network for network in allowed)


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
        registry.register(SYNC_FAILURES)
    registry.register(_DatabaseCollector())
    return registry


def init_metrics(app: Flask) -> None:
    """Count every request, and serve /metrics to the addresses allowed to read it (call
    after ops.logs.configure_logging, whose clock every request is timed by)."""

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.get(REQUEST_STARTED)
        if started is None or request.url_rule is None:
            return response
        route = request.url_rule.rule
        status = str(response.status_code)
        REQUEST_SECONDS.labels(request.method, route, status).observe(
            time.perf_counter() - started)
        if request.method == "POST" and route in _SUBMISSIONS and response.status_code >= 400:
            SYNC_FAILURES.labels(route, status).inc()
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        # Anyone else is told there is nothing here: the page's existence is not a secret,
        # but there is no reason to answer it either.
        if not _allowed(app.config):
            abort(404)
        return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)
