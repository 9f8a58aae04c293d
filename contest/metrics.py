"""The app's Prometheus metrics, and the functions any package calls to feed them (docs/operations.md).

With several worker processes (CONTEST_WORKERS > 1) each process writes its values to files in one folder
(prometheus-client's multiprocess mode) and /metrics adds them up, whichever worker answers. The folder must
be named in the environment before prometheus_client is first imported, so `contest serve` calls
`use_multiprocess_dir()` before it starts the workers.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import generate_latest as _generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "(unmatched)"  # the route of a request no route took (a 404): its path is never a label

REQUESTS = Counter("contest_http_requests", "HTTP requests answered, by route template and status",
                   ["method", "route", "status"])
LATENCY = Histogram("contest_http_request_duration_seconds",
                    "Time from a request's arrival to the end of its response (a live stream: its whole life)",
                    ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
UPLOADS = Counter("contest_uploads", "Files accepted into entries, by kind", ["kind"])
UPLOAD_BYTES = Counter("contest_upload_bytes", "Bytes of the files accepted into entries, by kind", ["kind"])
OUTBOX = Gauge("contest_outbox_messages", "Messages in the outbox by state, read from the database at each scrape",
               ["state"], multiprocess_mode="mostrecent")
QUEUE_DEPTH = Gauge("contest_job_queue_depth", "Jobs waiting in a queue", ["queue"], multiprocess_mode="mostrecent")
JOB_DURATION = Histogram("contest_job_duration_seconds", "Time a job ran, by job and outcome", ["job", "outcome"],
                         buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800))


# the labelled series of each (method, route, status) seen: finding them again costs more than counting
_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """One answered request. `route` is the route's template (`/c/{slug}`), never the path asked for."""
    method = method if method in METHODS else "OTHER"
    series = _series.get((method, route, status))
    if series is None:
        series = _series[method, route, status] = (REQUESTS.labels(method, route, str(status)),
                                                   LATENCY.labels(method, route))
    series[0].inc()
    series[1].observe(seconds)


def observe_upload(kind: str, size: int) -> None:
    """A file accepted into an entry (image, pdf, video, source) and its size in bytes."""
    UPLOADS.labels(kind).inc()
    UPLOAD_BYTES.labels(kind).inc(size)


def observe_job(name: str, seconds: float, outcome: str) -> None:
    """A job ran for `seconds`; `outcome` is a small fixed word such as "ok", "failed", "retried" or "timeout".

    Job metrics appear on /metrics when the job ran in a web process, or in a process on the same machine
    that shares the web server's PROMETHEUS_MULTIPROC_DIR."""
    JOB_DURATION.labels(name, outcome).observe(seconds)


def set_queue_depth(queue: str, depth: int) -> None:
    """How many jobs wait in `queue`: best read from the queue's engine just before a scrape
    (web.infra.metrics_endpoint.READERS) so that every worker reports the same figure."""
    QUEUE_DEPTH.labels(queue).set(depth)


def set_outbox(counts: Mapping[str, int]) -> None:
    for state, count in counts.items():
        OUTBOX.labels(state).set(count)


def use_multiprocess_dir(path: Path) -> None:
    """Empty `path` (values of an earlier run would be added in) and name it for the processes started next."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(path)


def exposition() -> bytes:
    """Every metric in Prometheus's text format: this process's, or all workers' in multiprocess mode."""
    folder = os.environ.get(MULTIPROC_ENV)
    if not folder:
        return _generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=folder)
    return _generate_latest(registry)
