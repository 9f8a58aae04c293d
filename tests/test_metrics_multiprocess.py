"""Several worker processes: each counts into files, /metrics adds them up whichever worker answers, and
`contest serve` starts from an empty folder. The workers' log lines are JSON with their request ids."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from contest import metrics
from tests.browser.conftest import start_server

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

REPO = Path(__file__).resolve().parents[1]
RECORD = """
import sys
from contest import metrics
for _ in range(int(sys.argv[1])):
    metrics.observe_request("GET", "/c/{slug}", 404, 0.02)
metrics.observe_upload("image", 1000)
"""


def record_in(folder: Path, count: int) -> None:
    """`count` requests and one upload, counted by a process of its own into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, metrics.MULTIPROC_ENV: str(folder)}
    subprocess.run([sys.executable, "-c", RECORD, str(count)], env=env, cwd=REPO, check=True, timeout=60)


def value(text: str, name: str, **labels: str) -> float:
    found = [s.value for family in text_string_to_metric_families(text) for s in family.samples
             if s.name == name and s.labels == labels]
    return found[0] if found else 0.0


def test_the_counts_of_several_processes_are_added_up(tmp_path, monkeypatch):
    folder = tmp_path / "prometheus"
    # monkeypatch first, so that it records the variable unset and unsets it afterwards: left set, it turned the
    # metrics of every later test in this process to the folder's (tests/web/test_metrics.py then read nothing)
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(folder))
    metrics.use_multiprocess_dir(folder)
    record_in(folder, 3)
    record_in(folder, 4)
    text = metrics.exposition().decode()
    assert value(text, "contest_http_requests_total", method="GET", route="/c/{slug}", status="404") == 7
    assert value(text, "contest_http_request_duration_seconds_count", method="GET", route="/c/{slug}") == 7
    assert value(text, "contest_uploads_total", kind="image") == 2
    assert value(text, "contest_upload_bytes_total", kind="image") == 2000


@pytest.mark.slow
def test_serve_with_two_workers_reports_every_workers_requests_from_a_clean_start(tmp_path):
    record_in(tmp_path / "data" / "prometheus", 1000)  # left by an earlier run: must not be added in
    server = start_server(tmp_path, demo=False, extra_env={"CONTEST_WORKERS": "2", "CONTEST_ACCESS_LOG": "1"})
    try:
        for n in range(20):  # a connection each, so both workers take some
            assert httpx.get(server.url(f"/c/missing-{n}"), timeout=10).status_code == 404
        scrapes = [httpx.get(server.url("/metrics"), timeout=10).text for _ in range(4)]
    finally:
        server.stop()
    assert [value(text, "contest_http_requests_total", method="GET", route="/c/{slug}", status="404")
            for text in scrapes] == [20] * 4
    assert [value(text, "contest_http_requests_total", method="GET", route="/metrics", status="200")
            for text in scrapes] == [0, 1, 2, 3]
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("logger") == "contest.access" and line["route"] == "/c/{slug}"]
    assert [line["status"] for line in requests] == [404] * 20
    assert len({line["request_id"] for line in requests}) == 20
    assert all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) for line in requests)
