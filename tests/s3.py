"""moto's standalone S3 server for tests: one process per test session (per xdist worker), a bucket per test.

It stands in for Alibaba OSS, Tencent COS, MinIO or Ceph, none of which can be installed here.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from contest.settings import Settings

ACCESS_KEY = "testing-key"
SECRET_KEY = "testing-secret"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def new_bucket(self) -> str:
        """An empty bucket of its own (moto needs no signature to create one)."""
        name = f"t-{uuid.uuid4().hex}"
        httpx.put(f"{self.endpoint}/{name}").raise_for_status()
        return name

    def settings(self, bucket: str) -> dict[str, object]:
        """The Settings fields that point the app at `bucket`."""
        return {"storage": "s3", "s3_bucket": bucket, "s3_endpoint": self.endpoint, "s3_region": REGION,
                "s3_access_key_id": ACCESS_KEY, "s3_secret_access_key": SECRET_KEY}


def environment(settings: Settings) -> dict[str, str]:
    """The environment a `contest` process needs to keep its files where `settings` keeps them."""
    if settings.storage != "s3":
        return {"CONTEST_STORAGE": "local"}
    return {"CONTEST_STORAGE": "s3", "CONTEST_S3_BUCKET": settings.s3_bucket, "CONTEST_S3_ENDPOINT": settings.s3_endpoint,
            "CONTEST_S3_REGION": settings.s3_region, "CONTEST_S3_ACCESS_KEY_ID": settings.s3_access_key_id,
            "CONTEST_S3_SECRET_ACCESS_KEY": settings.s3_secret_access_key}


@contextmanager
def running_server() -> Iterator[S3Server]:
    port = _free_port()
    command = [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        server = S3Server(f"http://127.0.0.1:{port}")
        _wait_until_up(server.endpoint, process)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(endpoint: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError("moto_server exited at start")
        try:
            httpx.get(endpoint, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("moto_server did not answer")
