"""Judges' autosave under load, on SQLite and on PostgreSQL: nothing lost, nothing doubled, no errors.

    python benchmarks/scoring.py [--quick] [--databases postgres,sqlite] [--judges N]

For each database: `contest migrate`, then the benchmark process builds one open round in the same
database through the domain services (a contest, 200 judges on one panel, 200 submitted entries,
two criteria 0-10, `open_round_entries` + `assign_round` with 5 judges per entry, so 5 entries and
10 scores per judge) and starts one server session per judge (no argon2 logins). A real server
(`contest serve`: 1 worker on SQLite, 2 on PostgreSQL) then takes:

1. 200 judges at once, each with its own session and connection, opening its queue page and then
   saving its 10 scores one request at a time, as the scoring page's autosave does, plus 3 changes
   of a value saved earlier (`--quick`: 1), with no pause between requests: a closed-loop stress
   test, so latency is mostly queueing (Little's law: 200 in flight / throughput). Three passes,
   medians reported (`--quick`: one); then, in the full run, one paced pass where each judge
   pauses 0-4 s (2 s on average) before each save, which is closer to people scoring.
2. 50 writes to one score at the same moment, from 50 connections.

Afterwards the database is read: one row per acknowledged score, with the last acknowledged value;
the audit log (one `score.saved` event per save, appended in the same transaction) gives the commit
order of the 50 racing writes, and its hash chain must still verify.

Last, `wrk` measures one judge's queue page (`GET /judge/r/<id>`) on a server with one worker,
alternating with `/healthz` under the same session cookie as the plain reference: the same
middleware and session lookup plus `SELECT 1`, no page.

The last lines printed are one JSON object per database, PostgreSQL first, SQLite last. The exit
status is 1 when anything was lost, doubled or refused; the queue page's speed target (1,000
requests/s) is reported in the JSON, not enforced, because the figure depends on what else runs.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import random
import re
import secrets
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("CONTEST_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/bench_scoring")
JUDGES = 200
ENTRIES_PER_JUDGE = 5
CRITERIA = 2
OVERWRITES = 3  # per judge: values saved again with a new value (the judge changes their mind); --quick: 1
HOT_WRITERS = 50
QUEUE_RPS_TARGET = 1000
WRK_CONNECTIONS = 32
_WRK_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


# --- the round (built in this process, through the domain services) -------------------------------

@dataclass
class Scene:
    round_id: int
    criteria: list[int]
    # per judge: (session key, [(alias, assignment id)])
    judges: list[tuple[str, list[tuple[str, int]]]]


async def build_scene(n_judges: int) -> Scene:
    from tortoise.transactions import in_transaction

    from contest import clock
    from contest.accounts import sessions
    from contest.accounts.models import User
    from contest.contests.models import Contest, Track
    from contest.entries.models import Entry
    from contest.entries.states import EntryState, LeakStatus
    from contest.judging import round_assignments, round_entries
    from contest.judging.models import (
        Assignment,
        AssignmentMode,
        Criterion,
        Panel,
        PanelMember,
        Round,
        RoundEntry,
    )

    now = clock.now()
    n_entries = n_judges  # k = ENTRIES_PER_JUDGE judges per entry gives each judge ENTRIES_PER_JUDGE entries
    async with in_transaction():
        contest = await Contest.create(slug="bench-scoring", title="评分压测", submissions_open_at=now - timedelta(days=30),
                                       submissions_close_at=now - timedelta(days=2), announce_at=now + timedelta(days=30))
        track = await Track.create(contest=contest, slug="ip", name="工运IP")
        organiser = await User.create(email="organiser@bench.example.org", password_hash="!", display_name="组织者",
                                      is_staff=True)
        designers = [await User.create(email=f"designer{n}@studio{n}.example.com", password_hash="!",
                                       display_name=f"设计师{n}") for n in range(20)]
        judges = [await User.create(email=f"judge{n}@jury{n}.example.net", password_hash="!", display_name=f"评委{n}")
                  for n in range(n_judges)]
        for n in range(n_entries):
            await Entry.create(contest=contest, track=track, owner=designers[n % len(designers)], state=EntryState.SUBMITTED,
                               leak_status=LeakStatus.CLEAR, title=f"作品 {n}", concept="海派文化与百年工运。",
                               number=f"WC-BENCH-{n:04d}", submitted_at=now - timedelta(days=3))
        round_ = await Round.create(contest=contest, kind="preliminary", name="初评", position=1,
                                    secret=secrets.token_hex(16), opens_at=now - timedelta(days=1),
                                    closes_at=now + timedelta(days=1), assignment_mode=AssignmentMode.K_PER_ENTRY,
                                    judges_per_entry=ENTRIES_PER_JUDGE)
        criteria = [await Criterion.create(round=round_, name=name, scale_min=0, scale_max=10, position=n)
                    for n, name in enumerate(["创意", "工艺", "文化内涵"][:CRITERIA])]
        panel = await Panel.create(round=round_, name="评审组")
        await PanelMember.bulk_create([PanelMember(panel_id=panel.id, judge_id=j.id) for j in judges])
    await round_entries.open_round_entries(round_, now=now)
    summary = await round_assignments.assign_round(round_, by=organiser, now=now)
    if summary.shortfalls or summary.detected_conflicts:
        raise RuntimeError(f"unexpected assignment: {summary}")
    aliases = dict(await RoundEntry.filter(round_id=round_.id).values_list("entry_id", "alias"))
    mine: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for assignment_id, entry_id, judge_id in await Assignment.filter(round_id=round_.id).order_by("id").values_list(
            "id", "entry_id", "judge_id"):
        mine[judge_id].append((aliases[entry_id], assignment_id))
    if sorted(len(v) for v in mine.values()) != [ENTRIES_PER_JUDGE] * n_judges:
        raise RuntimeError(f"each judge should have exactly {ENTRIES_PER_JUDGE} entries")
    async with in_transaction():
        keys = [await sessions.start_session(j, now=now, user_agent="benchmarks/scoring.py") for j in judges]
    return Scene(round_.id, [c.id for c in criteria], [(key, mine[j.id]) for key, j in zip(keys, judges, strict=True)])


# --- the judges ------------------------------------------------------------------------------------

@dataclass
class Phase:
    """One pass of every judge through its plan."""

    latencies_ms: list[float] = field(default_factory=list)  # autosave requests only
    saves_acknowledged: int = 0
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    def summary(self) -> dict:
        ordered = sorted(self.latencies_ms)
        return {"saves_acknowledged": self.saves_acknowledged, "errors": len(self.errors), "wall_s": round(self.wall_s, 2),
                "saves_per_s": round(self.saves_acknowledged / self.wall_s, 1) if self.wall_s else None,
                "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
                "p99_ms": round(ordered[max(0, -(-len(ordered) * 99 // 100) - 1)], 1) if ordered else None,
                "max_ms": round(ordered[-1], 1) if ordered else None}


def plain(value: Decimal | str) -> str:
    return f"{Decimal(value).normalize():f}"


def judge_plan(rng: random.Random, assignments: list[tuple[str, int]], criteria: list[int],
               overwrites: int) -> list[tuple[str, int, int, str]]:
    """(alias, assignment, criterion, value) in autosave order: each score once, and `overwrites` of them changed
    again later (the judge goes back to an earlier entry), so the stored value must be the last one."""
    firsts = [(alias, a, c, f"{rng.randint(0, 1000) / 100:.2f}") for alias, a in assignments for c in criteria]
    plan = list(firsts)
    for alias, a, c, old in rng.sample(firsts, overwrites):
        value = old
        while value == old:
            value = f"{rng.randint(0, 1000) / 100:.2f}"
        first = plan.index((alias, a, c, old))
        plan.insert(rng.randint(first + 1, len(plan)), (alias, a, c, value))
    return plan


def _client(base: str, key: str, secret: str):
    """One judge's browser: its session cookie and CSRF token on every request."""
    import httpx
    return httpx.AsyncClient(base_url=base, headers=_headers(key, secret), timeout=120.0, verify=_tls())


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # unused on plain HTTP, but each client would build its own (30 ms)


def _headers(key: str, secret: str) -> dict[str, str]:
    from contest.web.infra import csrf
    return {"cookie": f"contest_session={key}", "x-csrf-token": csrf.make_token(secret, key),
            "accept": "application/json"}


async def _save(client, scene: Scene, alias: str, criterion: int, value: str) -> tuple[int, dict | None]:
    from contest.judging.scoring import field_name
    response = await client.post(f"/judge/r/{scene.round_id}/{alias}/scores", data={field_name(criterion): value})
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
    return response.status_code, body


@dataclass
class Judging:
    """What the server acknowledged, over all phases: (assignment, criterion) -> the last value."""

    base: str
    secret: str
    scene: Scene
    overwrites: int
    acknowledged: dict[tuple[int, int], str] = field(default_factory=dict)


async def _open_queue(client, judging: Judging, index: int, phase: Phase) -> None:
    import httpx
    scene = judging.scene
    try:
        page = await client.get(f"/judge/r/{scene.round_id}", headers={"accept": "text/html"})
    except httpx.HTTPError as exc:
        phase.errors.append(f"judge {index}: queue page {exc!r}")
        return
    shown = set(re.findall(rf'/judge/r/{scene.round_id}/([A-Z0-9-]+)"', page.text))
    if page.status_code != 200 or shown != {alias for alias, _ in scene.judges[index][1]}:
        phase.errors.append(f"judge {index}: queue page {page.status_code}, {len(shown)} aliases")


async def run_judge(judging: Judging, index: int, phase: Phase, start: asyncio.Event, *, seed: str,
                    think_s: float) -> None:
    import httpx

    from contest.judging.scoring import field_name
    key, assignments = judging.scene.judges[index]
    rng = random.Random(f"{seed}:{index}")
    plan = judge_plan(rng, assignments, judging.scene.criteria, judging.overwrites)
    async with _client(judging.base, key, judging.secret) as client:
        await start.wait()
        if think_s:  # people do not all open the page in the same millisecond
            await asyncio.sleep(rng.uniform(0, 2 * think_s))
        await _open_queue(client, judging, index, phase)
        for alias, assignment, criterion, value in plan:
            if think_s:
                await asyncio.sleep(rng.uniform(0, 2 * think_s))
            started = time.perf_counter()
            try:
                status, body = await _save(client, judging.scene, alias, criterion, value)
            except httpx.HTTPError as exc:
                phase.errors.append(f"judge {index}: {exc!r}")
                continue
            phase.latencies_ms.append((time.perf_counter() - started) * 1000)
            if status != 200 or (body or {}).get("saved", {}).get(field_name(criterion)) != plain(value):
                phase.errors.append(f"judge {index}: {status} {body}")
                continue
            phase.saves_acknowledged += 1
            judging.acknowledged[(assignment, criterion)] = value


async def run_phase(judging: Judging, *, seed: str, think_s: float = 0.0) -> Phase:
    """Every judge at once, each opening its queue and then saving its plan one request at a time."""
    phase, start = Phase(), asyncio.Event()
    tasks = [asyncio.create_task(run_judge(judging, i, phase, start, seed=seed, think_s=think_s))
             for i in range(len(judging.scene.judges))]
    await asyncio.sleep(0.2)  # clients built; all judges start together
    started = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    phase.wall_s = time.perf_counter() - started
    return phase


async def hot_score(base: str, secret: str, scene: Scene) -> dict:
    """HOT_WRITERS saves of one score at the same moment, from as many connections; each a different value."""
    key, assignments = scene.judges[0]
    alias, assignment = assignments[0]
    criterion = scene.criteria[0]
    values = [f"{(n + 1) * 10 / HOT_WRITERS:.2f}" for n in range(HOT_WRITERS)]
    clients = [_client(base, key, secret) for _ in values]
    try:
        await asyncio.gather(*(c.get("/healthz") for c in clients))  # connections open before the race
        results = await asyncio.gather(*(_save(c, scene, alias, criterion, v) for c, v in zip(clients, values, strict=True)),
                                       return_exceptions=True)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    acknowledged, errors = [], []
    for value, result in zip(values, results, strict=True):
        if isinstance(result, BaseException):
            errors.append(repr(result))
        elif result[0] == 200 and (result[1] or {}).get("saved"):
            acknowledged.append(value)
        else:
            errors.append(f"{result[0]} {result[1]}")
    return {"assignment": assignment, "criterion": criterion, "acknowledged": acknowledged, "errors": errors}


# --- reading back ------------------------------------------------------------------------------------

async def score_rows(round_id: int) -> list[tuple[int, int, Decimal]]:
    from contest.judging.models import Score
    return list(await Score.filter(assignment__round_id=round_id).values_list("assignment_id", "criterion_id", "value"))


async def audit_saves() -> list[tuple[int, int, str]]:
    """(assignment, criterion, value) of every score.saved event, in chain (commit) order."""
    from contest.audit.models import AuditEvent
    rows = await AuditEvent.filter(action="score.saved").order_by("seq").values_list("subject", "data")
    return [(int(subject.split(":")[1]), data["criterion"], data["value"]) for subject, data in rows]


async def audit_chain_ok() -> bool:
    from contest.audit.queries import verify_whole_log
    return (await verify_whole_log()).ok


def check_judges(judging: Judging, saves: int, rows: list[tuple[int, int, Decimal]],
                 audit: list[tuple[int, int, str]]) -> dict:
    """Rows against what was acknowledged: one row per score, holding the last acknowledged value."""
    stored: dict[tuple[int, int], list[str]] = defaultdict(list)
    for assignment, criterion, value in rows:
        stored[(assignment, criterion)].append(plain(value))
    lost = [k for k, v in judging.acknowledged.items() if stored.get(k) != [plain(v)]]
    last_audited = {(a, c): plain(v) for a, c, v in audit}
    return {"scores_acknowledged": len(judging.acknowledged), "saves_acknowledged": saves,
            "rows": len(rows), "lost": len(lost), "duplicates": sum(len(v) - 1 for v in stored.values()),
            "unexpected_rows": len([k for k in stored if k not in judging.acknowledged]), "audit_saves": len(audit),
            "audit_matches_rows": all(last_audited.get(k) == v[-1] for k, v in stored.items())}


def check_hot(hot: dict, rows: list[tuple[int, int, Decimal]], audit: list[tuple[int, int, str]],
              audit_before: int) -> dict:
    key = (hot["assignment"], hot["criterion"])
    values = [plain(v) for a, c, v in rows if (a, c) == key]
    race = [plain(v) for a, c, v in audit[audit_before:] if (a, c) == key]
    acknowledged = sorted(plain(v) for v in hot["acknowledged"])
    return {"writers": HOT_WRITERS, "acknowledged": len(acknowledged), "errors": len(hot["errors"]),
            "rows": len(values), "value": values[0] if values else None,
            "value_acknowledged": len(values) == 1 and values[0] in acknowledged,
            "value_is_last_committed": bool(race) and values == [race[-1]],
            "audit_events": len(race), "audit_events_match_acks": sorted(race) == acknowledged,
            "ok": len(values) == 1 and values[0] in acknowledged and values == race[-1:] and not hot["errors"]}


# --- server and wrk ------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(tmp: Path, database_url: str, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTEST_")}
    path = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONPATH": path, "CONTEST_DATA_DIR": str(tmp / "data"), "CONTEST_UPLOAD_DIR": str(tmp / "uploads"),
            "CONTEST_DATABASE_URL": database_url, "CONTEST_SECRET_KEY": secret, "CONTEST_ALLOWED_HOSTS": "127.0.0.1"}


class Server:
    """`contest serve` in its own session, stopped with its children."""

    def __init__(self, env: dict[str, str], log: Path, workers: int) -> None:
        self.port, self.log, self.workers = _free_port(), log, workers
        self.base = f"http://127.0.0.1:{self.port}"
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "contest", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(workers)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)

    def wait_healthy(self, timeout: float = 30.0) -> None:
        import httpx
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not healthy after {timeout} s:\n{self.log.read_text()[-2000:]}")

    def cpu_seconds(self) -> float:
        """User + system CPU of the serving process (with one worker, uvicorn serves in this process)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def run_wrk(url: str, cookie: str, seconds: int, server: Server) -> dict:
    cmd = ["wrk", "-t2", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url]
    cpu_before = server.cpu_seconds()
    output = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    cpu = server.cpu_seconds() - cpu_before

    def ms(label: str) -> float:
        found = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        if found is None:
            raise RuntimeError(f"no {label} latency in wrk output:\n{output}")
        return round(float(found.group(1)) * _WRK_UNITS_MS[found.group(2)], 2)

    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]  # wrk always says it
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": float(rate.group(1)) if rate else 0.0, "p50_ms": ms("50%"), "p99_ms": ms("99%"),
            "requests": requests, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1).strip() if errors else "",
            "server_cpu_ms_per_request": round(cpu * 1000 / requests, 3) if requests else None}


def measure_queue(server: Server, scene: Scene, reps: int, seconds: int) -> dict:
    """The judge's queue page against /healthz (same cookie), alternating, `reps` times each."""
    import httpx
    cookie = f"contest_session={scene.judges[0][0]}"
    page, reference = f"{server.base}/judge/r/{scene.round_id}", f"{server.base}/healthz"
    for _ in range(20):  # warm-up: templates compiled, connections open
        status = httpx.get(page, headers={"cookie": cookie}).status_code
        if status != 200:
            raise RuntimeError(f"queue page answered {status}")
    runs: dict[str, list[dict]] = {"queue": [], "healthz": []}
    for _ in range(reps):
        runs["queue"].append(run_wrk(page, cookie, seconds, server))
        runs["healthz"].append(run_wrk(reference, cookie, seconds, server))

    def median(name: str, key: str) -> float:
        return round(statistics.median(r[key] for r in runs[name]), 3)

    ratios = [q["rps"] / h["rps"] for q, h in zip(runs["queue"], runs["healthz"], strict=True) if h["rps"]]
    return {"wrk": f"-t2 -c{WRK_CONNECTIONS} -d{seconds}s", "reps": reps,
            "queue_rps": median("queue", "rps"), "queue_p50_ms": median("queue", "p50_ms"),
            "queue_p99_ms": median("queue", "p99_ms"), "queue_cpu_ms": median("queue", "server_cpu_ms_per_request"),
            "healthz_rps": median("healthz", "rps"), "healthz_p99_ms": median("healthz", "p99_ms"),
            "healthz_cpu_ms": median("healthz", "server_cpu_ms_per_request"),
            "ratio_to_healthz": round(statistics.median(ratios), 3) if ratios else None,
            "non_2xx": sum(r["non_2xx"] for rs in runs.values() for r in rs), "runs": runs}


# --- one database ------------------------------------------------------------------------------------

async def _init_orm(database_url: str) -> None:
    from tortoise import Tortoise
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    from contest.db import tortoise_config
    EXECUTOR_CACHE.clear()  # SQLite and PostgreSQL in one process (docs/stack.md, "Tortoise with two databases")
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def _close_orm() -> None:
    from tortoise import Tortoise
    await Tortoise.close_connections()


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "contest", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"contest migrate failed:\n{done.stderr[-2000:]}")


class Stopwatch:
    def __init__(self) -> None:
        self.last, self.laps = time.perf_counter(), {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name], self.last = round(now - self.last, 1), now


def _median(phases: list[dict], key: str) -> float | None:
    values = [p[key] for p in phases if p[key] is not None]
    return round(statistics.median(values), 1) if values else None


async def run_database(name: str, database_url: str, *, workers: int, n_judges: int, reps: int, seconds: int,
                       think_s: float, overwrites: int) -> dict:
    """Migrate, build the round, then the judges (`reps` stress passes, a paced one when `think_s`), the race
    on one score and the queue page, each against a real server; the database is read after each."""
    secret = secrets.token_urlsafe(48)
    with tempfile.TemporaryDirectory(prefix="contest-bench-scoring-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "data").mkdir()
        env, log = server_env(tmp, database_url, secret), tmp / "server.log"
        clock, load_before = Stopwatch(), os.getloadavg()[0]
        migrate(env)
        await _init_orm(database_url)
        servers: list[Server] = []
        try:
            scene = await build_scene(n_judges)
            clock.lap("setup")
            servers.append(Server(env, log, workers))
            if workers != 1:  # the queue page is measured with one worker; started now, it waits idle
                servers.append(Server(env, log, 1))
            for server in servers:
                server.wait_healthy()
            clock.lap("servers")
            judging = Judging(servers[0].base, secret, scene, overwrites)
            stress = [await run_phase(judging, seed=f"stress{n}") for n in range(reps)]
            paced = await run_phase(judging, seed="paced", think_s=think_s) if think_s else None
            phases = [*stress, *([paced] if paced else [])]
            clock.lap("judges")
            rows, audit = await score_rows(scene.round_id), await audit_saves()
            judged = check_judges(judging, sum(p.saves_acknowledged for p in phases), rows, audit)
            hot = await hot_score(servers[0].base, secret, scene)
            hot_check = check_hot(hot, await score_rows(scene.round_id), await audit_saves(), len(audit))
            chain_ok = await audit_chain_ok()
            clock.lap("checks")
            if len(servers) > 1:
                servers[0].stop()  # its two workers would compete with the one measured
            queue = measure_queue(servers[-1], scene, reps, seconds)
            clock.lap("queue_page")
            if servers[-1].proc.poll() is not None:
                raise RuntimeError(f"server died:\n{log.read_text()[-2000:]}")
        finally:
            for server in servers:
                server.stop()
            await _close_orm()
    runs = [p.summary() for p in stress]
    errors = sum(len(p.errors) for p in phases) + len(hot["errors"])
    ok = (not errors and judged["lost"] == 0 and judged["duplicates"] == 0 and judged["unexpected_rows"] == 0
          and judged["audit_matches_rows"] and hot_check["ok"] and chain_ok and not queue["non_2xx"])
    return {
        "benchmark": "scoring", "database": name, "judges": n_judges, "workers": workers,
        "saves_per_judge_and_pass": ENTRIES_PER_JUDGE * CRITERIA + overwrites, **judged, "errors": errors,
        "saves_per_s": _median(runs, "saves_per_s"), "p50_ms": _median(runs, "p50_ms"), "p99_ms": _median(runs, "p99_ms"),
        "max_ms": max(r["max_ms"] or 0 for r in runs), "stress_runs": runs,
        "paced": {"think_s_mean": think_s, **paced.summary()} if paced else None, "seconds": clock.laps,
        "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "hot_score": hot_check, "audit_chain_ok": chain_ok,
        "judge_queue_rps": queue["queue_rps"], "judge_queue_rps_target": QUEUE_RPS_TARGET,
        "judge_queue_meets_target": queue["queue_rps"] >= QUEUE_RPS_TARGET,
        "judge_queue": {k: v for k, v in queue.items() if k != "runs"},
        "error_samples": ([e for p in phases for e in p.errors] + hot["errors"])[:5], "ok": ok,
    }


# --- PostgreSQL database of the run -----------------------------------------------------------------

def _split_pg(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    return f"{base}/postgres", name


async def recreate_pg(url: str) -> None:
    import asyncpg
    admin, name = _split_pg(url)
    connection = await asyncpg.connect(admin, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_pg(url: str) -> None:
    import asyncpg
    admin, name = _split_pg(url)
    connection = await asyncpg.connect(admin, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


# --- report ----------------------------------------------------------------------------------------------

def print_result(r: dict) -> None:
    q, hot, paced = r["judge_queue"], r["hot_score"], r["paced"]
    print(f"\n{r['database']} ({r['workers']} worker(s) for the judges, 1 for the queue page)")
    print(f"  {r['judges']} judges: {r['saves_acknowledged']} saves acknowledged ({r['scores_acknowledged']} scores), "
          f"rows {r['rows']}, lost {r['lost']}, duplicates {r['duplicates']}, unexpected {r['unexpected_rows']}, "
          f"errors {r['errors']}")
    for n, run in enumerate(r["stress_runs"], 1):
        print(f"  stress {n}: {run['saves_per_s']} saves/s, p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms, "
              f"max {run['max_ms']} ms ({run['wall_s']} s)")
    if paced:
        print(f"  paced (think {paced['think_s_mean']} s): {paced['saves_per_s']} saves/s, p50 {paced['p50_ms']} ms, "
              f"p99 {paced['p99_ms']} ms, max {paced['max_ms']} ms ({paced['wall_s']} s)")
    print(f"  {hot['writers']} writes to one score: {hot['acknowledged']} acknowledged, {hot['rows']} row, "
          f"value {hot['value']} (the last committed: {hot['value_is_last_committed']}); "
          f"audit chain verifies: {r['audit_chain_ok']}")
    print(f"  queue page (wrk {q['wrk']}, median of {q['reps']}): {q['queue_rps']:.0f} req/s, p50 {q['queue_p50_ms']} ms, "
          f"p99 {q['queue_p99_ms']} ms, {q['queue_cpu_ms']} ms CPU each; /healthz {q['healthz_rps']:.0f} req/s, "
          f"{q['healthz_cpu_ms']} ms CPU; ratio {q['ratio_to_healthz']}")
    print(f"  seconds: {r['seconds']}; 1-min load average before / after: {r['loadavg_1min']}")
    for sample in r["error_samples"]:
        print(f"  error: {sample}")


def run_on_postgres(run: Callable[..., Awaitable[dict]], url: str, **options: object) -> dict | None:
    """`run("postgres", <url>, **options)` on a database made for it and dropped after; None without PostgreSQL."""
    try:
        asyncio.run(recreate_pg(url))
    except Exception as exc:  # noqa: BLE001 - whatever the refusal, there is no PostgreSQL to measure here
        print(f"skipped: PostgreSQL at {url} is unreachable ({exc!r})", flush=True)
        return None
    try:
        return asyncio.run(run("postgres", url, **options))
    finally:
        asyncio.run(drop_pg(url))


def run_on_sqlite(run: Callable[..., Awaitable[dict]], **options: object) -> dict:
    """`run("sqlite", <url>, **options)` on a SQLite file in a folder removed after."""
    with tempfile.TemporaryDirectory(prefix="contest-bench-sqlite-") as tmp:
        return asyncio.run(run("sqlite", f"sqlite://{Path(tmp) / 'bench.sqlite3'}", **options))


def run_databases(parser: argparse.ArgumentParser, args: argparse.Namespace, run: Callable[..., Awaitable[dict]],
                  report: Callable[[dict], None], **options: object) -> list[dict]:
    """`run` on each database of `--databases` in order (PostgreSQL with `--pg-workers` workers, SQLite with one),
    each result reported as it comes; a PostgreSQL that does not answer is skipped."""
    results = []
    for name in [d.strip() for d in args.databases.split(",") if d.strip()]:
        if name == "postgres":
            result = run_on_postgres(run, args.pg_url, workers=args.pg_workers, **options)
        elif name == "sqlite":
            result = run_on_sqlite(run, workers=1, **options)
        else:
            parser.error(f"unknown database {name!r}")
        if result is not None:
            report(result)
            results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="one stress pass with 1 overwrite per judge, no paced pass, 2 s wrk windows (< 1 min)")
    parser.add_argument("--databases", default="postgres,sqlite", help="comma-separated, run in this order")
    parser.add_argument("--judges", type=int, default=JUDGES)
    parser.add_argument("--reps", type=int, default=3, help="stress passes and wrk windows per page (full run)")
    parser.add_argument("--think", type=float, default=2.0, help="mean pause (s) before each save in the paced pass")
    parser.add_argument("--pg-workers", type=int, default=2)
    parser.add_argument("--pg-url", default=PG_URL)
    args = parser.parse_args(argv)
    options = {"n_judges": args.judges, "reps": 1 if args.quick else args.reps, "seconds": 2 if args.quick else 5,
               "think_s": 0.0 if args.quick else args.think, "overwrites": 1 if args.quick else OVERWRITES}
    results = run_databases(parser, args, run_database, print_result, **options)
    for result in results:
        result["quick"] = args.quick
        print(json.dumps(result))
    return 0 if results and all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
