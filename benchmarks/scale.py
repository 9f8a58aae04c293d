"""Two app machines against one: a deadline rush of uploads, then an announcement spike on the gallery.

    python benchmarks/scale.py [--quick] [--uploads N] [--single-uploads N]

Cluster: a fresh PostgreSQL database, moto's standalone S3 server with one bucket (started as tests/s3.py starts
it), two `contest serve --no-worker` processes as two machines (data and upload folders of their own, the one
database, the bucket, one secret) and a `contest worker` beside each, all with CONTEST_MEDIA_WORK=jobs: an image
upload answers once its original is stored, and a job makes the derivatives, fingerprint and text. Until the
app has that setting the work is done in the request and the workers idle; the harness measures either.
Single process, same run, same machine: one `contest serve` on a fresh SQLite folder with local storage and the
work in the request (CONTEST_MEDIA_WORK=request).

Each side's database is migrated and seeded by a child process of this script (`--seed`, both sides at once,
with rows made directly through tests/factories.py): an open contest with one image track, and per designer a
draft entry and a session made as the log-in form makes one (`sessions.start_session`; no password is hashed,
argon2 would dominate). Then the five app processes start together (the single process idles through the
cluster's part), and nothing is measured until every serve answers.

- rush: an upload per machine first warms each process up (its OCR engine loads at first use), then designers,
  64 at once, each send 1–2 distinct JPEGs (random crops, up to 2500 px wide, of six generated posters, each with
  coloured blocks of its own) to the entry page's raw-body upload route with the CSRF header the page's script
  sends; the cluster's designers alternate between its machines. Timed from the rush's first request until every
  upload is finished: answered, no held upload (`held_upload` table) still processing, and every image row's
  original and derivatives in the store. uploads_per_min = uploads / those minutes. The cluster goes first and is
  stopped before the single process's rush.
- lost: an upload not answered 2xx, or answered 2xx with no image row of its bytes once the work is finished
  (a held upload its job refused is one); half-made: an image row whose original, or a derivative its
  `derivatives` lists, is missing from the store, or a held upload still processing. "lost" in the JSON counts
  both, on both sides; details are printed.
- spike (cluster): the results made public with rows made directly (entries with images submitted and awarded,
  then the results signal), then `wrk -t2 -c64` on the gallery of both machines at once: requests per second
  in all, p99 per machine and the worse of the two (medians of 3 rounds; 1 with --quick).
- stale (cluster): an organiser renames the first prize's tier through one machine's settings form, and the
  gallery is read at once from the other (the machines take turns), as tests/test_results_signal.py does: a page
  still showing the old name is stale. 20 changes (5 with --quick).

Each upload of a full run's size costs about 2 s of CPU here (derivatives, fingerprint, and OCR of the judging
copy), so on this 2-core machine the rushes are small: 300 and 100 uploads in a full run. --quick sends 16 and 8
smaller images (at most 1280 px); it still takes over a minute, since two databases migrated and five processes
started take about 40 s before anything is measured.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.gallery import (  # noqa: E402 - after the path is set, as when run as a script
    GALLERY,
    SLUG,
    TIERS,
    _create_pg,
    _drop_pg,
    _env,
    _free_port,
    _median,
    _stop,
    _wait_healthy,
    run_wrk,
)

SECRET = "scale-benchmark-" + "q7Lm2" * 8  # one secret for every machine: a session's CSRF token is valid on both
CONCURRENCY = 64
SLOT = "images"  # the default image slot tests' make_track gives a track
HELD_TABLE = "held_upload"  # uploads whose job has not finished (CONTEST_MEDIA_WORK=jobs)
BASE_IMAGES = 6
WARM_UP = 1  # uploads per machine before the clock starts: each process loads its OCR engine (~2 s) at first use
UPLOAD_TIMEOUT = 600.0  # with the work in the request, the last of a rush waits for every one before it
FINISH_TIMEOUT = 1800.0  # with the work in jobs, a full rush is answered in seconds and its jobs take minutes
POLL = 0.2
STARTED = time.monotonic()
# `edge`: the largest long edge of the designers' images. The quick run's are smaller (copies and OCR cost less, so
# it still takes a few uploads per designer slot in its minute); the full run's are what phones and exports give.
SIZES = {"quick": {"uploads": 16, "single_uploads": 8, "wrk_seconds": 2, "spikes": 1, "changes": 5, "edge": 1280},
         "full": {"uploads": 300, "single_uploads": 100, "wrk_seconds": 10, "spikes": 3, "changes": 20, "edge": 2500}}


# --- child processes: the contest, and its results made public (rows made directly) ----------------------

async def seed(designers: int) -> dict:
    """An open contest with one image track; per designer a draft entry and a session key."""
    from tortoise.transactions import in_transaction

    from contest import clock
    from tests.factories import make_contest, make_track

    now = clock.now()
    async with in_transaction():
        contest = await make_contest(slug=SLUG, title="文创设计大赛（截稿压测）", submissions_open_at=now - timedelta(days=1),
                                     submissions_close_at=now + timedelta(days=1), announce_at=now + timedelta(days=2))
        track = await make_track(contest, slug="poster", name="海报赛道", position=1, min_width=640, min_height=480)
        people = [await _designer(contest, track, n) for n in range(designers)]
    return {"contest": contest.id, "designers": people}


async def _designer(contest: Any, track: Any, n: int) -> dict:
    from contest import clock
    from contest.accounts import sessions
    from tests.factories import make_entry, make_user

    user = await make_user(email=f"designer{n}@studio.example.org", display_name=f"设计师{n}", password_hash="!")
    entry = await make_entry(contest, track, user, title=f"截稿作品 {n + 1}")
    return {"entry": entry.id, "session": await sessions.start_session(user, now=clock.now())}


async def announce(contest_id: int, settings: Any) -> dict:
    """Results public: entries with images submitted and awarded in TIERS' seats, the results signal sent, and
    an organiser's session for the stale check."""
    from contest import cache_stamp, clock
    from contest.accounts import sessions
    from contest.contests.models import AwardTier, Contest, Track
    from contest.entries.models import Entry, EntryImage
    from contest.entries.states import EntryState
    from contest.results.models import Award, AwardStatus
    from tests.factories import make_user

    now = clock.now()
    await Contest.filter(id=contest_id).update(submissions_open_at=now - timedelta(days=3),
                                               submissions_close_at=now - timedelta(days=2),
                                               announce_at=now - timedelta(days=1))
    track = await Track.get(contest_id=contest_id)
    tiers = [await AwardTier.create(contest_id=contest_id, track=track, name=name, name_en=f"Prize {rank}", rank=rank,
                                    quota=quota) for name, rank, quota in TIERS]
    seats = [tier for tier in tiers for _ in range(tier.quota)]
    entries = sorted(set(await EntryImage.filter(entry__contest_id=contest_id).values_list("entry_id", flat=True)))
    for n, (entry_id, tier) in enumerate(zip(entries, seats, strict=False)):  # fewer entries than seats: all win
        await Entry.filter(id=entry_id).update(state=EntryState.SUBMITTED, number=f"S-{n + 1:04d}",
                                               submitted_at=now - timedelta(days=2), public_name=f"设计师{n}")
        await Award.create(contest_id=contest_id, tier=tier, entry_id=entry_id, status=AwardStatus.CONFIRMED)
    cache_stamp.configure_for(settings)
    await cache_stamp.invalidate_results(contest_id)
    organiser = await make_user(is_staff=True, password_hash="!")
    return {"tier": tiers[0].id, "track": track.id, "name": tiers[0].name, "name_en": tiers[0].name_en,
            "quota": tiers[0].quota, "awarded": min(len(entries), len(seats)),
            "session": await sessions.start_session(organiser, now=now)}


async def child_main(action: str, value: int) -> None:
    from tortoise import Tortoise

    from contest.db import apply_migrations, settings_config
    from contest.settings import load_settings

    settings = load_settings()
    if action == "seed":
        await apply_migrations(settings)  # what `contest migrate` does, without another interpreter's start
    await Tortoise.init(config=settings_config(settings), _enable_global_fallback=True)
    try:
        result = await (seed(value) if action == "seed" else announce(value, settings))
    finally:
        await Tortoise.close_connections()
    print(json.dumps(result))


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def run_child(action: str, value: int, env: dict[str, str]) -> dict:
    done = _run([__file__, f"--{action}", str(value)], env)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- processes ---------------------------------------------------------------------------------------

def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} exited with {done.returncode}:\n{done.stderr[-3000:]}")
    return done


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:  # the child keeps its own descriptor
        return subprocess.Popen([sys.executable, "-m", "contest", *args], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


@dataclass
class Machine:
    env: dict[str, str]
    serve: list[str]  # `contest serve`'s options besides the port
    workers: int = 0  # `contest worker` processes beside it
    base: str = ""
    procs: list[subprocess.Popen] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return Path(self.env["CONTEST_DATA_DIR"])

    def start(self) -> None:
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.procs.append(_spawn(["serve", "--port", str(port), *self.serve], self.env, self.folder / "serve.log"))
        self.procs.extend(_spawn(["worker"], self.env, self.folder / f"worker-{n}.log") for n in range(self.workers))

    def require_running(self) -> None:
        for proc in self.procs:
            if proc.poll() is not None:
                logs = "\n".join(log.read_text()[-1500:] for log in self.folder.glob("*.log"))
                raise RuntimeError(f"{' '.join(map(str, proc.args))} exited with {proc.returncode}:\n{logs}")

    def stop(self) -> None:
        for proc in self.procs:
            _stop(proc)


def start_all(machines: list[Machine]) -> None:
    """Every machine's processes started together; back once each serve answers /healthz."""
    for machine in machines:
        machine.start()
    for machine in machines:
        _wait_healthy(machine.base, machine.procs[0], machine.folder / "serve.log")


def machine_env(folder: Path, database_url: str, **extra: str) -> dict[str, str]:
    # both folders exist before anything starts: `contest worker` exits when the upload folder is missing
    (folder / "data").mkdir(parents=True)
    (folder / "uploads").mkdir()
    return {**_env(folder, database_url), "CONTEST_SECRET_KEY": SECRET, "CONTEST_MAIL_DIR": "", **extra}


# --- the designers' files --------------------------------------------------------------------------------

def make_images(count: int, edge: int, rng: random.Random) -> list[bytes]:
    """`count` distinct JPEGs: random crops of a few generated posters, each with coloured blocks of its own."""
    from tests import imagegen

    bases = [imagegen.poster((edge, edge * 18 // 25), seed=n) for n in range(BASE_IMAGES)]
    images = [imagegen.encode(_variant(rng.choice(bases), rng), "JPEG", quality=88) for _ in range(count)]
    assert len({hashlib.sha256(data).digest() for data in images}) == count
    return images


def _variant(base: Any, rng: random.Random) -> Any:
    from PIL import ImageDraw

    width, height = rng.randint(base.width * 3 // 5, base.width), rng.randint(base.height * 5 // 9, base.height)
    left, top = rng.randint(0, base.width - width), rng.randint(0, base.height - height)
    image = base.crop((left, top, left + width, top + height))
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y = rng.randrange(width - 240), rng.randrange(height - 240)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle((x, y, x + rng.randint(40, 240), y + rng.randint(40, 240)), fill=colour)
    return image


def upload_plans(machines: int, uploads: int, rng: random.Random) -> tuple[list[list[int]], list[list[int]]]:
    """Which images each designer sends: WARM_UP designers per machine with one each, then the rush's designers
    with one or two each; every image once."""
    warm = [[n] for n in range(machines * WARM_UP)]
    plan: list[list[int]] = []
    sent = len(warm)
    while sent < len(warm) + uploads:
        count = min(rng.choice((1, 2)), len(warm) + uploads - sent)
        plan.append(list(range(sent, sent + count)))
        sent += count
    return warm, plan


# --- the rush ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    sha256: str
    status: int  # 0: no answer (the connection failed or timed out)
    seconds: float
    at: float  # time.monotonic() when it came
    detail: str


async def send_files(base: str, designer: dict, files: list[bytes], limiter: asyncio.Semaphore) -> list[Answer]:
    """One designer's browser: their files one after another, as the entry page's script sends them."""
    import httpx

    from contest.web.infra import csrf

    headers = {"cookie": f"contest_session={designer['session']}", "origin": base, "accept": "application/json",
               "x-csrf-token": csrf.make_token(SECRET, designer["session"]), "content-type": "application/octet-stream"}
    url = f"/me/entries/{designer['entry']}/slots/{SLOT}/files"
    answers = []
    async with limiter, httpx.AsyncClient(base_url=base, headers=headers, timeout=UPLOAD_TIMEOUT) as client:
        for n, data in enumerate(files):
            began = time.monotonic()
            try:
                response = await client.post(url, params={"name": f"design-{n + 1}.jpg"}, content=data)
                status, detail = response.status_code, "" if response.is_success else response.text[:300]
            except httpx.HTTPError as exc:
                status, detail = 0, f"no answer to file {n + 1} of {len(files)}: {exc!r}"
            answers.append(Answer(hashlib.sha256(data).hexdigest(), status, time.monotonic() - began,
                                  time.monotonic(), detail))
    return answers


async def rush(bases: list[str], designers: list[dict], plan: list[list[int]], images: list[bytes]) -> list[Answer]:
    limiter = asyncio.Semaphore(CONCURRENCY)
    sent = await asyncio.gather(*(send_files(bases[n % len(bases)], designer, [images[i] for i in files], limiter)
                                  for n, (designer, files) in enumerate(zip(designers, plan, strict=True))))
    return [answer for answers in sent for answer in answers]


async def held_uploads() -> dict[str, int]:
    """Held uploads by status; empty when the app has no such table (the work is done in the request)."""
    from tortoise import Tortoise
    from tortoise.exceptions import OperationalError

    try:
        rows = await Tortoise.get_connection("default").execute_query_dict(
            f"SELECT status, count(*) AS n FROM {HELD_TABLE} GROUP BY status")
    except OperationalError:
        return {}
    return {row["status"]: row["n"] for row in rows}


async def image_rows(contest_id: int) -> list[dict]:
    from contest.entries.models import EntryImage

    return await EntryImage.filter(entry__contest_id=contest_id).values("key", "sha256", "derivatives")


async def missing_files(store: Any, rows: list[dict]) -> list[str]:
    """Stored names the image rows point to that the store does not have."""
    from contest.media.storage import derived_name, original_name

    stored = set(await store.stored_names())
    wanted = [name for row in rows for name in (original_name(row["key"]), *(
        derived_name(row["key"], size, ext.upper()) for size, ext in (kind.split(".") for kind in row["derivatives"])))]
    return [name for name in wanted if name not in stored]


async def until_finished(store: Any, contest_id: int, last_answer: float) -> tuple[float, dict]:
    """When every upload was finished (nothing held processing, every row's files stored), and what was left
    when FINISH_TIMEOUT passed first."""
    deadline = time.monotonic() + FINISH_TIMEOUT
    while True:
        looked = time.monotonic()
        held = await held_uploads()
        missing = [] if held.get("processing") else await missing_files(store, await image_rows(contest_id))
        if not held.get("processing") and not missing:
            return max(looked, last_answer), held
        if looked > deadline:
            return looked, held
        await asyncio.sleep(POLL)


def tally(answers: list[Answer], rows: list[dict], missing: list[str], held: dict) -> dict:
    """Uploads lost (not answered 2xx, or no image row of their bytes: a held upload its job refused is one) and
    half-made (an image row with a stored file missing, or a held upload still processing)."""
    from contest.media.storage import key_of_name

    kept = {row["sha256"] for row in rows}
    lost = [a for a in answers if not 200 <= a.status < 300 or a.sha256 not in kept]
    for answer in lost:
        print(f"lost: {answer.status} {answer.sha256[:12]} {answer.detail}", file=sys.stderr)
    for name in missing:
        print(f"half-made: {name} is not stored", file=sys.stderr)
    if held.get("processing") or held.get("failed"):
        print(f"held uploads left: {held}", file=sys.stderr)
    return {"lost": len(lost), "half_made": len({key_of_name(name) for name in missing}) + held.get("processing", 0),
            "held_left": held, "server_errors": sum(a.status >= 500 or a.status == 0 for a in answers),
            "statuses": dict(Counter(str(answer.status) for answer in answers))}


async def measure_rush(env: dict[str, str], bases: list[str], scene: dict, plans: tuple[list[list[int]], ...],
                       images: list[bytes]) -> dict:
    """The warm-up, then the rush through `bases` until its work is finished: its rate, answer times, and what
    was lost of either."""
    from tortoise import Tortoise

    from contest.db import settings_config
    from contest.media.stores import open_store
    from contest.settings import load_settings

    settings = load_settings(env)
    store = open_store(settings)
    await Tortoise.init(config=settings_config(settings), _enable_global_fallback=True)
    warm, plan = plans
    try:
        warmed = await rush(bases, scene["designers"][:len(warm)], warm, images)
        await until_finished(store, scene["contest"], max(a.at for a in warmed))
        progress(f"warmed up with {len(warmed)} uploads; the rush of {len(plan)} designers starts")
        started = time.monotonic()
        answers = await rush(bases, scene["designers"][len(warm):], plan, images)
        finished, held = await until_finished(store, scene["contest"], max(a.at for a in answers))
        rows = await image_rows(scene["contest"])
        missing = await missing_files(store, rows)
    finally:
        await Tortoise.close_connections()
    seconds = finished - started
    times = sorted(a.seconds for a in answers)
    progress(f"{len(answers)} uploads finished in {seconds:.1f} s")
    return {"uploads": len(answers), "designers": len(plan), "seconds": round(seconds, 2),
            "uploads_per_min": round(len(answers) / seconds * 60, 1),
            "answer_p50_s": round(statistics.median(times), 2), "answer_p99_s": round(_p99(times), 2),
            "answered_after_s": round(max(a.at for a in answers) - started, 2),
            **tally([*warmed, *answers], rows, missing, held)}


def _p99(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


# --- the announcement: spike and stale pages -------------------------------------------------------------

def check_gallery(bases: list[str], awarded: int) -> None:
    import httpx

    for base in bases:
        page = httpx.get(base + GALLERY, timeout=30)
        cards = page.text.count('class="card gallery-card"')
        if page.status_code != 200 or cards != min(awarded, 48):
            raise RuntimeError(f"{base}{GALLERY}: {page.status_code}, {cards} cards for {awarded} awards")


def spike(bases: list[str], seconds: int, reps: int) -> dict:
    """wrk on every machine's gallery at once, `reps` times: medians of the rate in all and of the worse p99."""
    with ThreadPoolExecutor(len(bases)) as pool:
        rounds = [list(pool.map(lambda base: run_wrk(base + GALLERY, seconds), bases)) for _ in range(reps)]
    return {"gallery_rps": round(statistics.median(sum(r["rps"] for r in runs) for runs in rounds), 1),
            "gallery_p99_ms": round(statistics.median(max(r["p99_ms"] for r in runs) for runs in rounds), 2),
            "gallery_errors": sum(r["non_2xx_3xx"] + bool(r["socket_errors"]) for runs in rounds for r in runs),
            "machines": [{key: _median(list(runs), key) for key in ("rps", "p50_ms", "p99_ms")}
                         for runs in zip(*rounds, strict=True)]}


async def stale_pages(bases: list[str], scene: dict, changes: int) -> int:
    """Rename the first prize's tier through one machine, read the gallery from the other: pages still old."""
    import httpx

    stale = 0
    # two browsers, as in tests/test_results_signal.py: the organiser's cookies never reach the visitor's reads
    async with httpx.AsyncClient(timeout=30) as visitor, httpx.AsyncClient(timeout=30) as organiser:
        for n in range(changes):
            writer, reader = bases[n % 2], bases[(n + 1) % 2]
            for _ in range(2):  # the second answer comes from the reader's memory
                await visitor.get(reader + GALLERY)
            name = f"{scene['name']}{n + 1}号"
            await rename_tier(organiser, writer, scene, name)
            stale += name not in (await visitor.get(reader + GALLERY)).text
    return stale


async def rename_tier(organiser: Any, base: str, scene: dict, name: str) -> None:
    """What the contest settings page's tier form sends."""
    from contest.web.infra import csrf

    form = {"track": str(scene["track"]), "name": name, "name_en": scene["name_en"], "rank": "1",
            "quota": str(scene["quota"])}
    headers = {"cookie": f"contest_session={scene['session']}", "origin": base,
               "x-csrf-token": csrf.make_token(SECRET, scene["session"])}
    changed = await organiser.post(f"{base}/admin/c/{SLUG}/tiers/{scene['tier']}", data=form, headers=headers)
    if changed.status_code != 303:
        raise RuntimeError(f"renaming the tier: {changed.status_code} {changed.text[:300]}")


# --- the run ---------------------------------------------------------------------------------------------

def run_cluster(cluster: list[Machine], scene: dict, plans: tuple[list[list[int]], ...], images: list[bytes],
                sizes: dict) -> dict:
    bases = [machine.base for machine in cluster]
    result = asyncio.run(measure_rush(cluster[0].env, bases, scene, plans, images))
    for machine in cluster:
        machine.require_running()
    results = run_child("announce", scene["contest"], cluster[0].env)
    check_gallery(bases, results["awarded"])
    figures = spike(bases, sizes["wrk_seconds"], sizes["spikes"])
    stale = asyncio.run(stale_pages(bases, results, sizes["changes"]))
    progress("cluster: gallery spike and stale check done")
    return {**result, **figures, "awarded": results["awarded"], "stale": stale, "stale_checks": sizes["changes"]}


def run(tmp: Path, url: str, bucket: dict[str, str], sizes: dict, rng: random.Random) -> tuple[dict, dict]:
    """Both sides set up at once (nothing is measured then), the cluster measured and stopped, then the single
    process measured alone."""
    cluster = [Machine(machine_env(tmp / name, url, CONTEST_MEDIA_WORK="jobs", **bucket), ["--no-worker"], workers=1)
               for name in ("machine-a", "machine-b")]
    single = Machine(machine_env(tmp / "single", f"sqlite://{tmp / 'single' / 'data' / 'contest.sqlite3'}",
                                 CONTEST_MEDIA_WORK="request", CONTEST_STORAGE="local"), [])
    plans = [upload_plans(2, sizes["uploads"], rng), upload_plans(1, sizes["single_uploads"], rng)]
    images = make_images(1 + max(n for warm, plan in plans for files in warm + plan for n in files), sizes["edge"], rng)
    with ThreadPoolExecutor(2) as pool:
        scenes = list(pool.map(lambda env, p: run_child("seed", sum(map(len, p)), env),
                               (cluster[0].env, single.env), plans))
    progress(f"{len(images)} images made; both databases migrated and seeded")
    try:
        start_all([*cluster, single])
        progress("serving: two machines with a worker each, and the single process")
        figures = run_cluster(cluster, scenes[0], plans[0], images, sizes)
        for machine in cluster:
            machine.stop()
        return figures, asyncio.run(measure_rush(single.env, [single.base], scenes[1], plans[1], images))
    finally:
        for machine in [*cluster, single]:
            machine.stop()


# --- report ------------------------------------------------------------------------------------------------

def print_table(cluster: dict, single: dict) -> None:
    head = ("run", "uploads", "designers", "seconds", "uploads/min", "answer p50 / p99", "lost", "half-made", "answers")
    rows = (("cluster: 2 serve + 2 workers, PostgreSQL, S3", cluster), ("single: 1 serve, SQLite, local", single))
    print(" | ".join(head))
    for name, r in rows:
        print(" | ".join(str(v) for v in (
            name, r["uploads"], r["designers"], r["seconds"], r["uploads_per_min"],
            f"{r['answer_p50_s']} / {r['answer_p99_s']} s", r["lost"], r["half_made"], r["statuses"])))
    print(f"cluster / single uploads per minute: {cluster['uploads_per_min'] / single['uploads_per_min']:.2f}")
    for name, run in zip("ab", cluster["machines"], strict=True):
        print(f"gallery on machine {name}: {run['rps']} rps, p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms")
    print(f"gallery, both machines at once: {cluster['gallery_rps']} rps, worse p99 {cluster['gallery_p99_ms']} ms, "
          f"{cluster['gallery_errors']} errors")
    print(f"stale pages after a results change: {cluster['stale']} of {cluster['stale_checks']}")


def measure(sizes: dict) -> tuple[dict, dict]:
    """The run, in a PostgreSQL database, a bucket and temporary folders of its own, all removed afterwards."""
    from contest.settings import load_settings
    from tests import s3

    url = asyncio.run(_create_pg(f"contest_scale_{secrets.token_hex(4)}"))
    try:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as name, s3.running_server() as server:
            bucket = load_settings({}, check=False, secret_key=SECRET, **server.settings(server.new_bucket()))
            return run(Path(name), url, s3.environment(bucket), sizes, random.Random(2025))
    finally:
        asyncio.run(_drop_pg(url))


def summary(cluster: dict, single: dict, *, quick: bool) -> dict:
    return {
        "benchmark": "scale", "quick": quick, "concurrency": CONCURRENCY,
        "lost": cluster["lost"] + cluster["half_made"] + single["lost"] + single["half_made"],
        "half_made": cluster["half_made"] + single["half_made"], "stale": cluster["stale"],
        "stale_checks": cluster["stale_checks"], "uploads": cluster["uploads"], "single_uploads": single["uploads"],
        "uploads_per_min": cluster["uploads_per_min"], "single_process_uploads_per_min": single["uploads_per_min"],
        "cluster_vs_single": round(cluster["uploads_per_min"] / single["uploads_per_min"], 2),
        "gallery_rps": cluster["gallery_rps"], "gallery_p99_ms": cluster["gallery_p99_ms"],
        "gallery_errors": cluster["gallery_errors"], "seconds": round(time.monotonic() - STARTED, 1),
        "load_average": [round(load, 2) for load in os.getloadavg()],  # other work on the machine skews the figures
        "cluster": {k: v for k, v in cluster.items() if k != "machines"}, "single": single,
        "gallery_machines": cluster["machines"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small rush and short wrk runs")
    parser.add_argument("--uploads", type=int, help="uploads in the cluster's rush")
    parser.add_argument("--single-uploads", type=int, help="uploads in the single process's rush")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--announce", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed is not None or args.announce is not None:
        asyncio.run(child_main("seed" if args.seed is not None else "announce", args.seed or args.announce))
        return 0
    sizes = dict(SIZES["quick" if args.quick else "full"])
    sizes.update({key: value for key, value in (("uploads", args.uploads), ("single_uploads", args.single_uploads))
                  if value})
    cluster, single = measure(sizes)
    print_table(cluster, single)
    print(json.dumps(summary(cluster, single, quick=args.quick), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
