"""The public award gallery under load, against a plain route of the same app, on SQLite and PostgreSQL.

    python benchmarks/gallery.py [--quick] [--databases sqlite,postgres] [--workers 1,2]

For each database: `contest migrate`, then a child process of this script (`--seed`) builds, with
rows made directly, one announced contest shaped like the demo's past edition but with 300 awarded
entries (three tracks of 100: 一等奖 1, 二等奖 2, 三等奖 3, 优秀奖 94, and one 网络人气奖), two images
each. The images' derivatives are real files: six demo artworks go through the upload pipeline
once and every entry's files are hard links to one of them (the bytes are what a visitor would
get; only the disk space is shared).

A real server (`contest serve --workers N`) is then measured with `wrk -t2 -c64`:

- cold: the gallery's first page (48 cards) from the moment the server answers, while the page
  cache is empty, and (full runs) again after another process invalidated the contest's results
  (the stamp file every worker checks): p99 and the slowest request while the cache refills;
- gallery: the same page with the cache filled;
- hello: `/lang/zh_CN?next=/`, the plainest route of the same app (every middleware, a cookie and a
  303, no database, no template), which is the reference for the ratio;
- healthz: `/healthz` (`SELECT 1`, JSON), for reference (full runs only).

The gallery and hello runs alternate, and the figures are medians of the repetitions. The last
line printed is one JSON object.

`contest serve --workers N` sets TCP_NODELAY on the shared listening socket (see
contest/__main__.py): without it every page with two workers waited ~40 ms for a delayed ACK.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_BASE = os.environ.get("CONTEST_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SLUG = "bench-2025"
TRACKS = (("ip", "工运IP赛道", "ip"), ("product", "生活实用产品赛道", "product"), ("brand", "潮玩老字号赛道", "brand"))
TIERS = (("一等奖", 1, 1), ("二等奖", 2, 2), ("三等奖", 3, 3), ("优秀奖", 4, 94))
ENTRIES_PER_TRACK = 100
IMAGES_PER_ENTRY = 2
CONNECTIONS = 64
GALLERY = f"/c/{SLUG}/gallery"
HELLO = "/lang/zh_CN?next=/"
HEALTHZ = "/healthz"
TARGET_RATIO = 0.8
TARGET_P99_MS = 50.0
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


# --- the contest (built in a child process, with rows made directly) ------------------------------

def _source_images(store, work: Path) -> list[dict]:
    """Six demo artworks through the real pipeline; returns the derivative facts of each, by name."""
    from contest import demo_art
    from contest.media.pipeline import process_image
    from contest.media.storage import new_key

    sources = []
    for n, (_, _, art) in enumerate(TRACKS * 2):
        path = work / f"source-{n}.jpg"
        demo_art.render_entry_images(2025_000 + n, track=art, count=1)[0].convert("RGB").save(path, "JPEG", quality=90)
        key = new_key()
        store.derived_dir(key).mkdir(parents=True, exist_ok=True)
        processed = process_image(path, store.derived_dir(key), key)
        sources.append({"key": key, "derivatives": {
            f"{d.name}.{d.format.lower()}": {"width": d.width, "height": d.height, "bytes": d.bytes, "sha256": d.sha256}
            for d in processed.derivatives}})
    return sources


def _link_derivatives(store, source: dict, key: str) -> None:
    from contest.media.storage import derived_filename

    target = store.derived_dir(key)
    target.mkdir(parents=True, exist_ok=True)
    for name in source["derivatives"]:
        size, ext = name.split(".")
        fmt = "JPEG" if ext == "jpeg" else ext.upper()
        os.link(store.derived_dir(source["key"]) / derived_filename(source["key"], size, fmt),
                target / derived_filename(key, size, fmt))


async def _build_contest(store, sources: list[dict]) -> int:
    from datetime import timedelta

    from tortoise.transactions import in_transaction

    from contest import clock
    from contest.accounts.models import User
    from contest.contests.models import AwardTier, Contest, Track
    from contest.entries.models import Entry, EntryImage
    from contest.entries.states import EntryState
    from contest.media.storage import new_key
    from contest.results.models import Award, AwardStatus

    now = clock.now()
    async with in_transaction():
        contest = await Contest.create(slug=SLUG, title="「人民城市 百年工运」文创设计大赛（压测）",
                                       submissions_open_at=now - timedelta(days=400),
                                       submissions_close_at=now - timedelta(days=330), announce_at=now - timedelta(days=300))
        owners = [await User.create(email=f"designer{n}@studio{n}.example.com", password_hash="!",
                                    display_name=f"设计师{n}") for n in range(20)]
        special = await AwardTier.create(contest=contest, name="网络人气奖", name_en="Popular vote award", rank=5,
                                         quota=1, is_special=True)
        for position, (slug, name, _) in enumerate(TRACKS, start=1):
            track = await Track.create(contest=contest, slug=slug, name=name, position=position)
            places = [await AwardTier.create(contest=contest, track=track, name=tier, rank=rank, quota=quota)
                      for tier, rank, quota in TIERS]
            seats = [tier for tier, (_, _, quota) in zip(places, TIERS, strict=True) for _ in range(quota)]
            for n, tier in enumerate(seats):
                entry = await Entry.create(
                    contest=contest, track=track, owner=owners[n % len(owners)], state=EntryState.SUBMITTED,
                    number=f"BENCH-{position:02d}-{n + 1:04d}", title=f"{name.removesuffix('赛道')}作品 {n + 1}",
                    concept="以百年工运为题，把劳动者的精神与上海的城市记忆带进当代生活。",
                    public_name=owners[n % len(owners)].display_name,
                    submitted_at=now - timedelta(days=340))
                for i in range(IMAGES_PER_ENTRY):
                    source, key = sources[(n + i) % len(sources)], new_key()
                    _link_derivatives(store, source, key)
                    await EntryImage.create(entry=entry, key=key, position=i, original_format="JPEG", width=1600,
                                            height=1200, size_bytes=1, sha256="0" * 64, derivatives=source["derivatives"])
                await Award.create(contest=contest, tier=tier, entry=entry, status=AwardStatus.CONFIRMED,
                                   decided_at=now - timedelta(days=309))
                if position == 1 and n == 0:
                    await Award.create(contest=contest, tier=special, entry=entry, status=AwardStatus.CONFIRMED)
    return contest.id


async def seed_main() -> None:
    from tortoise import Tortoise

    from contest.db import settings_config
    from contest.media.storage import UploadStore
    from contest.settings import load_settings

    settings = load_settings()
    store = UploadStore(settings.upload_dir)
    store.ensure_dirs()
    await Tortoise.init(config=settings_config(settings), _enable_global_fallback=True)
    try:
        with tempfile.TemporaryDirectory() as work:
            contest_id = await _build_contest(store, _source_images(store, Path(work)))
    finally:
        await Tortoise.close_connections()
    print(json.dumps({"contest_id": contest_id}))


# --- servers and wrk -----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTEST_")}
    return {**env, "PYTHONPATH": str(ROOT), "CONTEST_DATA_DIR": str(tmp / "data"),
            "CONTEST_UPLOAD_DIR": str(tmp / "uploads"), "CONTEST_DATABASE_URL": database_url}


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}{HEALTHZ}", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server not healthy after {timeout} s:\n{log.read_text()[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # its own session: the server and its worker processes
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def run_wrk(url: str, seconds: int) -> dict:
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    output = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout

    def ms(pattern: str) -> float:
        found = re.search(pattern, output, re.MULTILINE)
        if found is None:
            raise RuntimeError(f"no match for {pattern!r} in wrk output:\n{output}")
        return round(float(found.group(1)) * _UNITS_MS[found.group(2)], 2)

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": float(rate.group(1)) if rate else 0.0, "p50_ms": ms(r"^\s*50%\s+([\d.]+)(us|ms|s|m)\s*$"),
            "p99_ms": ms(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$"),
            "max_ms": ms(r"^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)"),
            "non_2xx_3xx": int(bad.group(1)) if bad else 0, "socket_errors": errors.group(1).strip() if errors else ""}


def _check_page(base: str) -> int:
    import httpx

    page = httpx.get(base + GALLERY, timeout=10)
    cards = page.text.count('class="card gallery-card"')
    if page.status_code != 200 or cards != 48:
        raise RuntimeError(f"gallery page: {page.status_code}, {cards} cards")
    return len(page.content)


def _invalidate(tmp: Path, contest_id: int, database_url: str) -> None:
    """What an organiser's action in another process does: a new stamp (a new generation on PostgreSQL)."""
    from tortoise import Tortoise

    from contest import cache_stamp
    from contest.db import tortoise_config

    async def invalidate() -> None:
        await Tortoise.init(config=tortoise_config(database_url))
        try:
            await cache_stamp.invalidate_results(contest_id)
        finally:
            await Tortoise.close_connections()

    cache_stamp.configure(tmp / "data", None if database_url.startswith("sqlite") else database_url)
    asyncio.run(invalidate())


def measure_server(tmp: Path, env: dict[str, str], workers: int, contest_id: int, *, reps: int, seconds: int,
                   cold_seconds: int, healthz: bool, invalidated: bool) -> dict:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp / f"server-{workers}.log"
    with log.open("w") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "contest", "serve", "--port", str(port), "--workers", str(workers)],
                                cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_healthy(base, proc, log)
            cold = [run_wrk(base + GALLERY, cold_seconds)]  # nothing has asked for the page yet
            page_bytes = _check_page(base)
            gallery, hello, health = [], [], []
            for _ in range(reps):
                gallery.append(run_wrk(base + GALLERY, seconds))
                hello.append(run_wrk(base + HELLO, seconds))
                if healthz:
                    health.append(run_wrk(base + HEALTHZ, seconds))
            if invalidated:
                _invalidate(tmp, contest_id, env["CONTEST_DATABASE_URL"])
                time.sleep(1.2)  # every worker checks the stamps at most once a second
                cold.append(run_wrk(base + GALLERY, cold_seconds))
        finally:
            _stop(proc)
    return summarise(workers, cold, gallery, hello, health, page_bytes)


def _median(runs: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 2)


def summarise(workers: int, cold: list[dict], gallery: list[dict], hello: list[dict], health: list[dict],
              page_bytes: int) -> dict:
    ratios = [g["rps"] / h["rps"] for g, h in zip(gallery, hello, strict=True)]
    return {
        "workers": workers, "page_bytes": page_bytes,
        "hello_rps": _median(hello, "rps"), "gallery_rps": _median(gallery, "rps"),
        "gallery_vs_hello_rps": round(statistics.median(ratios), 3),
        "hello_p99_ms": _median(hello, "p99_ms"), "gallery_p50_ms": _median(gallery, "p50_ms"),
        "gallery_p99_ms": _median(gallery, "p99_ms"),
        "cold_start_p99_ms": cold[0]["p99_ms"], "cold_start_max_ms": cold[0]["max_ms"],
        "invalidated_p99_ms": cold[1]["p99_ms"] if len(cold) > 1 else None,
        "invalidated_max_ms": cold[1]["max_ms"] if len(cold) > 1 else None,
        "healthz_rps": _median(health, "rps") if health else None,
        "errors": sum(r["non_2xx_3xx"] for r in [*cold, *gallery, *hello]) + sum(bool(r["socket_errors"])
                                                                                for r in [*cold, *gallery, *hello]),
    }


# --- databases -----------------------------------------------------------------------------------

async def _create_pg(name: str) -> str:
    from tests import pg

    return await pg.create_database(PG_BASE, name)


async def _drop_pg(url: str) -> None:
    from tests import pg

    await pg.drop_database(PG_BASE, url)


def bench_database(kind: str, workers: list[int], args: argparse.Namespace) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-gallery-") as name:
        tmp = Path(name)
        (tmp / "data").mkdir()
        url = f"sqlite://{tmp / 'data' / 'bench.sqlite3'}"
        if kind == "postgres":
            url = asyncio.run(_create_pg(f"bench_gallery_{secrets.token_hex(4)}"))
        try:
            env = _env(tmp, url)
            subprocess.run([sys.executable, "-m", "contest", "migrate"], cwd=ROOT, env=env, check=True,
                           capture_output=True)
            seeded = subprocess.run([sys.executable, __file__, "--seed"], cwd=ROOT, env=env, check=True,
                                    capture_output=True, text=True)
            contest_id = json.loads(seeded.stdout.strip().splitlines()[-1])["contest_id"]
            reps, seconds, cold = (1, 2, 2) if args.quick else (3, 5, 3)
            return [{"database": kind,
                     **measure_server(tmp, env, n, contest_id, reps=reps, seconds=seconds, cold_seconds=cold,
                                      healthz=not args.quick, invalidated=not args.quick)}
                    for n in workers]
        finally:
            if kind == "postgres":
                asyncio.run(_drop_pg(url))


def print_table(rows: list[dict]) -> None:
    head = ("database", "workers", "hello rps", "gallery rps", "ratio", "gallery p50", "gallery p99",
            "cold p99 / max", "invalidated p99 / max", "healthz rps")
    print(" | ".join(head))
    for r in rows:
        print(" | ".join(str(v) for v in (
            r["database"], r["workers"], r["hello_rps"], r["gallery_rps"], r["gallery_vs_hello_rps"],
            f"{r['gallery_p50_ms']} ms", f"{r['gallery_p99_ms']} ms",
            f"{r['cold_start_p99_ms']} / {r['cold_start_max_ms']} ms",
            f"{r['invalidated_p99_ms']} / {r['invalidated_max_ms']} ms" if r["invalidated_p99_ms"] else "-",
            r["healthz_rps"] or "-")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short repetition of each run (under a minute)")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed:
        asyncio.run(seed_main())
        return 0
    started = time.monotonic()
    workers = [int(n) for n in args.workers.split(",")]
    rows = [row for kind in args.databases.split(",") for row in bench_database(kind, workers, args)]
    print_table(rows)
    worst_ratio = min(r["gallery_vs_hello_rps"] for r in rows)
    worst_cold_p99 = max(max(r["cold_start_p99_ms"], r["invalidated_p99_ms"] or 0) for r in rows)
    print(json.dumps({
        "benchmark": "gallery", "quick": args.quick, "connections": CONNECTIONS, "entries": len(TRACKS) * ENTRIES_PER_TRACK,
        "gallery_vs_hello_rps": worst_ratio, "gallery_p99_ms": worst_cold_p99,
        "warm_gallery_p99_ms": max(r["gallery_p99_ms"] for r in rows),
        "targets": {"gallery_vs_hello_rps": TARGET_RATIO, "gallery_p99_ms": TARGET_P99_MS},
        "meets_targets": worst_ratio >= TARGET_RATIO and worst_cold_p99 < TARGET_P99_MS,
        "seconds": round(time.monotonic() - started, 1), "runs": rows,
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
