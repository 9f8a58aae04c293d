"""A real server (`contest serve --demo`) on a free port and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 600) -> None:
    # the demo draws its images at start: minutes when another process keeps both cores busy
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer at {url}")


class LiveServer:
    def __init__(self, base_url: str, process: subprocess.Popen, log: Path, log_file) -> None:
        self.base_url, self.process, self.log, self.log_file = base_url, process, log, log_file

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log_file.close()


def server_env(work: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "CONTEST_DATA_DIR": str(work / "data"), "CONTEST_UPLOAD_DIR": str(work / "uploads"),
           "CONTEST_DATABASE_URL": f"sqlite://{work / 'data' / 'e2e.sqlite3'}", **(extra_env or {})}
    env.pop("CONTEST_TEST_DATABASE_URL", None)
    return env


def migrated_database(work: Path) -> None:
    """Put an empty, migrated database where the server of `work` will find it. Migrating from nothing takes
    about ten seconds on a busy machine, so a test process migrates once (beside its first server's folder,
    in the session's temporary folder) and copies the file for every other server."""
    template = work.parent / "migrated" / "data"
    if not template.exists():
        subprocess.run([sys.executable, "-m", "contest", "migrate"], env=server_env(template.parent), check=True)
    target = work / "data"
    target.mkdir(parents=True, exist_ok=True)
    for file in template.glob("e2e.sqlite3*"):  # with its write-ahead log, if one was left
        shutil.copy(file, target / file.name)


def start_with_state(work: Path, state: str) -> LiveServer:
    """A server without the demo, on the small state `python -m tests.browser.<state>` builds."""
    migrated_database(work)
    subprocess.run([sys.executable, "-m", f"tests.browser.{state}"], env=server_env(work), check=True)
    return start_server(work, demo=False)


def start_server(work: Path, *, demo: bool = True, extra_env: dict[str, str] | None = None) -> LiveServer:
    if not (work / "data").exists():
        migrated_database(work)
    port = free_port()
    env = server_env(work, extra_env)
    log = work / f"server-{port}.log"
    command = [sys.executable, "-m", "contest", "serve", "--port", str(port)] + (["--demo"] if demo else [])
    log_file = log.open("w")
    process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", process, log, log_file)
    try:
        wait_until_up(server.url("/healthz"), process)
    except RuntimeError:
        server.stop()
        raise RuntimeError(log.read_text()) from None
    return server


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("e2e"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing on CI; `make system-deps` installs it")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        await chromium.close()


def expected(response) -> bool:
    """Tests that provoke an error page (a 400 for a wrong password, a 404) mark nothing else as broken."""
    return response.request.resource_type == "document"


@pytest.fixture
def expected_failures() -> tuple[str, ...]:
    """Path endings whose 4xx answers a test provokes on purpose (a refused upload): none unless a test
    parametrises this fixture."""
    return ()


@pytest.fixture
async def page(browser, expected_failures) -> AsyncIterator[object]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def check(response) -> None:
        provoked = response.status < 500 and urlsplit(response.url).path.endswith(expected_failures)
        if response.status >= 400 and not expected(response) and not provoked:
            errors.append(f"{response.status} {response.url}")

    page.on("response", check)
    yield page
    await context.close()
    assert errors == [], errors


async def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)
    return path
