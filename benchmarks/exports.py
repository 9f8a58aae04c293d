"""Exports of a large contest: time and peak memory of the XLSX and of the streamed ZIP of originals.

    python benchmarks/exports.py [--quick]

Two contests are built in bulk in throwaway SQLite databases: one with 2,000 entries, 10 judges
(two groups) and 3 rounds (初评: every entry, 3 judges each; 复评: 300 entries, all 10 judges; 终评:
30 entries, all 10 judges; 4 criteria per round), three tracks with four form fields each and
one original per entry, and one a tenth of that size. Originals are JPEG-headed random bytes,
1 MiB each (64 KiB with --quick); the files are hard links to a few distinct payloads, so the
disk holds little while the ZIP still reads and streams every byte.

Each case runs in a fresh child process (peak RSS from ``os.wait4``), through the export
services the web handlers call:
- ``base``: the child's floor (interpreter, app modules, ORM connected),
- ``xlsx``: the entries and the scores workbooks of the whole contest, read back to a sink,
- ``zip``: every track's originals ZIP, streamed to a sink.
Memory is flat when the full contest's peaks are close to the tenth-size contest's.

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

JUDGES = 10
CRITERIA = 4
TRACKS = 3
DISTINCT_PAYLOADS = 8
SINK_CHUNK = 1 << 20
NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Size:
    entries: int
    file_bytes: int

    @property
    def rounds(self) -> tuple[int, int, int]:  # entries per round
        return self.entries, max(self.entries * 3 // 20, 1), max(self.entries // 67, 1)


# --- building a contest in bulk ---------------------------------------------------------------------

async def _init_orm(database_url: str, *, migrate: bool) -> None:
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate as run_migrations

    from contest.db import tortoise_config

    config = tortoise_config(database_url)
    if migrate:
        await run_migrations(config=config)
        await Tortoise.close_connections()
    await Tortoise.init(config=config, _enable_global_fallback=True)


def _payloads(folder: Path, size: int) -> list[tuple[Path, str]]:
    import hashlib

    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for n in range(DISTINCT_PAYLOADS):
        data = b"\xff\xd8\xff\xe0" + random.Random(n).randbytes(size - 4)
        path = folder / f"payload-{n}.jpg"
        path.write_bytes(data)
        made.append((path, hashlib.sha256(data).hexdigest()))
    return made


async def _people(contest) -> tuple[list, list]:
    from contest.accounts.models import ContestRole, ContestRoleKind, User
    from contest.judging.models import JudgeGroup

    judges = await User.bulk_create([User(email=f"judge{n}@jury{n}.example.net", password_hash="-",
                                          display_name=f"评委{n}") for n in range(JUDGES)], batch_size=500)
    judges = await User.filter(email__startswith="judge").order_by("id")
    await ContestRole.bulk_create([ContestRole(contest=contest, user=j, role=ContestRoleKind.JUDGE) for j in judges])
    groups = [await JudgeGroup.create(contest=contest, name="专家组", weight=0.7),
              await JudgeGroup.create(contest=contest, name="组委会代表", weight=0.3)]
    return list(judges), groups


async def _tracks(contest) -> list:
    from contest.contests.models import FieldKind, Track, TrackField

    tracks = []
    for n, name in enumerate(("工运IP赛道", "生活实用产品赛道", "潮玩老字号赛道")[:TRACKS]):
        track = await Track.create(contest=contest, slug=f"t{n}", name=name, position=n)
        await TrackField.bulk_create([
            TrackField(track=track, key="name", kind=FieldKind.TEXT, label="名称", position=1),
            TrackField(track=track, key="story", kind=FieldKind.LONG_TEXT, label="说明", position=2),
            TrackField(track=track, key="kind", kind=FieldKind.CHOICE, label="类型", position=3,
                       options=[{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}]),
            TrackField(track=track, key="size", kind=FieldKind.NUMBER, label="尺寸", position=4)])
        tracks.append(track)
    return tracks


async def _entries(contest, tracks: list, size: Size, uploads: Path) -> list[int]:
    from contest.accounts.models import User
    from contest.entries.models import Entry, EntryImage
    from contest.entries.states import EntryState
    from contest.media.storage import UploadStore, new_key

    await User.bulk_create([User(email=f"designer{n}@example.org", password_hash="-", display_name=f"设计者{n}")
                            for n in range(size.entries)], batch_size=1000)
    owners = await User.filter(email__startswith="designer").order_by("id").values_list("id", flat=True)
    await Entry.bulk_create([Entry(
        contest=contest, track=tracks[n % len(tracks)], owner_id=owner, state=EntryState.SUBMITTED,
        number=f"B-{n + 1:05d}", title=f"作品{n}", concept="以剪纸讲述百年工运。" * 20,
        answers={"name": f"角色{n}", "story": "故事" * 100, "kind": "a", "size": n}, organisation=f"单位{n % 50}",
        submitted_at=NOW - timedelta(minutes=n)) for n, owner in enumerate(owners)], batch_size=1000)
    ids = list(await Entry.filter(contest_id=contest.id).order_by("id").values_list("id", flat=True))
    store, payloads = UploadStore(uploads), _payloads(uploads / "payloads", size.file_bytes)
    images = []
    for n, entry_id in enumerate(ids):
        key = new_key()
        path, digest = payloads[n % len(payloads)]
        store.original_path(key).parent.mkdir(parents=True, exist_ok=True)
        os.link(path, store.original_path(key))
        images.append(EntryImage(entry_id=entry_id, key=key, position=1, original_name=f"设计稿{n}.jpg",
                                 original_format="JPEG", width=3000, height=2000, size_bytes=size.file_bytes,
                                 sha256=digest))
    await EntryImage.bulk_create(images, batch_size=1000)
    return ids


async def _round(contest, position: int, entry_ids: list[int], judges: list, groups: list, per_entry: int) -> None:
    from contest.judging.models import (
        Assignment,
        Criterion,
        Panel,
        PanelMember,
        Round,
        RoundEntry,
        Score,
    )

    rng = random.Random(position)
    round_ = await Round.create(contest=contest, kind=("preliminary", "second", "final")[position], position=position,
                                name=("初评", "复评", "终评")[position], secret=f"s{position}")
    criteria = [await Criterion.create(round=round_, name=f"标准{c}", weight=c + 1, position=c) for c in range(CRITERIA)]
    panel = await Panel.create(round=round_, name="评审组")
    await PanelMember.bulk_create([PanelMember(panel=panel, judge=j, group=groups[n * 10 // JUDGES >= 7])
                                   for n, j in enumerate(judges)])
    await RoundEntry.bulk_create([RoundEntry(round=round_, entry_id=e, alias=f"A{position}-{n:05d}")
                                  for n, e in enumerate(entry_ids)], batch_size=1000)
    await Assignment.bulk_create([
        Assignment(round=round_, entry_id=e, judge=judges[(n + k) % JUDGES], panel=panel, completed_at=NOW)
        for n, e in enumerate(entry_ids) for k in range(per_entry)], batch_size=1000)
    assignment_ids = await Assignment.filter(round_id=round_.id).values_list("id", flat=True)
    await Score.bulk_create([Score(assignment_id=a, criterion=c, value=Decimal(rng.randint(0, 20)) / 2, updated_at=NOW)
                             for a in assignment_ids for c in criteria], batch_size=2000)


async def build(database_url: str, uploads: Path, size: Size) -> dict:
    from tortoise import Tortoise

    from contest.contests.models import Contest
    from contest.judging.models import Score

    await _init_orm(database_url, migrate=True)
    try:
        contest = await Contest.create(slug="bench", title="基准大赛")
        judges, groups = await _people(contest)
        entry_ids = await _entries(contest, await _tracks(contest), size, uploads)
        for position, (count, per_entry) in enumerate(zip(size.rounds, (3, JUDGES, JUDGES), strict=True)):
            await _round(contest, position, entry_ids[:count], judges, groups, per_entry)
        return {"entries": len(entry_ids), "scores": await Score.all().count()}
    finally:
        await Tortoise.close_connections()


# --- the measured cases (each in its own process) ----------------------------------------------------

async def child(case: str, database_url: str, uploads: Path) -> dict:
    from tortoise import Tortoise

    from contest.accounts.models import User
    from contest.contests.models import Contest
    from contest.contests.queries import tracks_in_order
    from contest.exports import service
    from contest.media.storage import UploadStore

    await _init_orm(database_url, migrate=False)
    try:
        contest = await Contest.get(slug="bench")
        by = await User.filter(email__startswith="judge").first()
        start_mb = reset_peak()
        started, streamed = time.perf_counter(), 0
        if case == "xlsx":
            for table in ("entries", "scores"):
                with await service.workbook(contest, table, anonymised=False, headers=("zh",), by=by, now=NOW) as file:
                    while chunk := file.read(SINK_CHUNK):
                        streamed += len(chunk)
        elif case == "zip":
            for track in await tracks_in_order(contest):
                async for chunk in await service.track_originals(contest, track, UploadStore(uploads), anonymised=False,
                                                                 by=by, now=NOW):
                    streamed += len(chunk)
        return {"seconds": time.perf_counter() - started, "bytes": streamed, "start_mb": start_mb,
                "peak_mb": status_mb("VmHWM")}
    finally:
        await Tortoise.close_connections()


def status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def reset_peak() -> float:
    """Reset the kernel's peak-RSS mark (VmHWM), so the peak read afterwards is the work's own; the RSS now."""
    Path("/proc/self/clear_refs").write_text("5")
    return status_mb("VmRSS")


def measure(case: str, database_url: str, uploads: Path) -> dict:
    """Run one case in a fresh process: its wall time, bytes produced, RSS before the work and peak RSS
    during it (the process's lifetime peak from wait4 also counts the imports, so it is kept apart)."""
    process = subprocess.Popen([sys.executable, __file__, "--child", case, "--db", database_url, "--uploads",
                                str(uploads)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"child {case} failed with status {status}")
    result = json.loads(output.strip().splitlines()[-1])
    return {**result, "process_peak_mb": usage.ru_maxrss / 1024}


def run_size(size: Size, folder: Path) -> dict:
    folder.mkdir(parents=True)
    database_url, uploads = f"sqlite://{folder / 'bench.sqlite3'}", folder / "uploads"
    started = time.perf_counter()
    built = asyncio.run(build(database_url, uploads, size))
    figures = {**built, "build_s": time.perf_counter() - started}
    for case in ("base", "xlsx", "zip"):
        figures[case] = measure(case, database_url, uploads)
        print(f"  {size.entries} entries · {case}: {figures[case]['seconds']:.2f} s, "
              f"{figures[case]['bytes'] / 2**20:.0f} MiB out, RSS {figures[case]['start_mb']:.0f} MB before, "
              f"peak {figures[case]['peak_mb']:.0f} MB",
              file=sys.stderr, flush=True)
    return figures


def report(full: dict, small: dict, file_bytes: int) -> dict:
    print("\n| contest | entries | scores | XLSX s | XLSX MB before / peak | ZIP s | ZIP GiB | ZIP MB/s "
          "| ZIP MB before / peak |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, f in (("full", full), ("tenth", small)):
        z = f["zip"]
        x = f["xlsx"]
        print(f"| {label} | {f['entries']} | {f['scores']} | {x['seconds']:.2f} | {x['start_mb']:.0f} / {x['peak_mb']:.0f} | "
              f"{z['seconds']:.2f} | {z['bytes'] / 2**30:.2f} | {z['bytes'] / 2**20 / z['seconds']:.0f} | "
              f"{z['start_mb']:.0f} / {z['peak_mb']:.0f} |")
    return {
        "benchmark": "exports", "entries": full["entries"], "scores": full["scores"], "judges": JUDGES, "rounds": 3,
        "original_bytes": file_bytes,
        "xlsx_s": round(full["xlsx"]["seconds"], 3), "xlsx_peak_mb": round(full["xlsx"]["peak_mb"], 1),
        "zip_s": round(full["zip"]["seconds"], 3), "zip_bytes": full["zip"]["bytes"],
        "zip_peak_mb": round(full["zip"]["peak_mb"], 1), "floor_mb": round(full["base"]["peak_mb"], 1),
        "xlsx_start_mb": round(full["xlsx"]["start_mb"], 1), "zip_start_mb": round(full["zip"]["start_mb"], 1),
        "entries_small": small["entries"], "xlsx_s_small": round(small["xlsx"]["seconds"], 3),
        "xlsx_peak_mb_small": round(small["xlsx"]["peak_mb"], 1), "zip_s_small": round(small["zip"]["seconds"], 3),
        "zip_bytes_small": small["zip"]["bytes"], "zip_peak_mb_small": round(small["zip"]["peak_mb"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller originals (64 KiB), under a minute")
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--uploads", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.child, args.db, Path(args.uploads))) if args.child != "base"
                         else asyncio.run(_floor(args.db))))
        return
    file_bytes = 64 * 1024 if args.quick else 1 << 20
    folder = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    try:
        full = run_size(Size(args.entries, file_bytes), folder / "full")
        small = run_size(Size(args.entries // 10, file_bytes), folder / "small")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(report(full, small, file_bytes)))


async def _floor(database_url: str) -> dict:
    from tortoise import Tortoise

    import contest.exports.service  # noqa: F401 - the modules a real case loads

    await _init_orm(database_url, migrate=False)
    await Tortoise.close_connections()
    rss = status_mb("VmRSS")
    return {"seconds": 0.0, "bytes": 0, "start_mb": rss, "peak_mb": rss}


if __name__ == "__main__":
    main()
