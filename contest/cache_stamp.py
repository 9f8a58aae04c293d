"""Results generation stamps: what tells every worker process that a contest's results changed.

Whatever caches a results page (contest.web.infra.page_cache) watches the stamps and drops the
contest's pages when its stamp changes. `invalidate_results` is the one call that announces a
change: awards confirmed or revoked, an objection's outcome applied, tiers, names or the
announcement time edited. Call it after the change is committed, never inside the transaction,
or a page rendered in between would be cached with the old data and the new stamp.

Two carriers, one promise (a page is never served stale after a change), chosen by
CONTEST_RESULTS_SIGNAL:

- `files` (the default on SQLite: one machine, one disk): one small file per contest in
  `<data dir>/results-stamps/<contest id>`, each written by a rename, so the folder's modification
  time moves with every change. A cache stats the folder on each lookup and reads the stamps only
  when it moved (and at least once a second, for file systems whose times are coarse), so a page
  served from memory costs no database query and a change reaches every worker at once.
- `database` (the default on PostgreSQL, needed when several machines serve one contest): a
  generation per contest in the database, LISTEN/NOTIFY, and a lease per process; the argument for
  why it is never stale is in contest.cache_stamp_db.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from contest import cache_stamp_db
from contest.settings import PROJECT_ROOT, Settings, default_results_signal

STAMP_FOLDER = "results-stamps"
CHECK_EVERY = 1.0

Outdate = Callable[[set[int]], None]


class Watch(Protocol):
    async def check(self) -> None:
        """Before a cached page is served: the pages of contests whose results changed are dropped."""


@dataclass
class _Process:
    directory: Path | None = None
    database: cache_stamp_db.DatabaseWatch | None = None
    configured: bool = False
    local_changes: int = 0


_process = _Process()


def configure(data_dir: Path, database_url: str | None = None) -> None:
    """Point this process at the data directory the app's settings name, or (`database_url`, for
    CONTEST_RESULTS_SIGNAL=database) at the database."""
    _process.directory = data_dir / STAMP_FOLDER
    if database_url is None:
        _process.database = None
    elif _process.database is None or _process.database.url != database_url:
        _process.database = cache_stamp_db.DatabaseWatch(database_url)
    _process.configured = True


def configure_for(settings: Settings) -> None:
    """As the app's settings say: their data directory, and the database when CONTEST_RESULTS_SIGNAL=database."""
    configure(settings.data_dir, settings.database_url if settings.results_signal == "database" else None)


def _database() -> cache_stamp_db.DatabaseWatch | None:
    # Before configure() (a process that changes results but has served no results page yet),
    # the same choice as contest.settings.load_settings makes from the environment.
    if not _process.configured:
        url = os.environ.get("CONTEST_DATABASE_URL", "sqlite://")
        if os.environ.get("CONTEST_RESULTS_SIGNAL", default_results_signal(url)) == "database":
            _process.database = cache_stamp_db.DatabaseWatch(url)
        _process.configured = True
    return _process.database


def stamp_directory() -> Path:
    # Before configure() (a process that changes results but has served no results page yet),
    # the same default as contest.settings.load_settings reads from the environment.
    if _process.directory is not None:
        return _process.directory
    return Path(os.environ.get("CONTEST_DATA_DIR", PROJECT_ROOT / "data")).resolve() / STAMP_FOLDER


async def invalidate_results(contest_id: int) -> None:
    """Every worker drops the cached results pages of `contest_id` before its next results page."""
    if _database() is not None:
        await cache_stamp_db.announce(contest_id)
    else:
        _write_stamp(contest_id)
    _process.local_changes += 1


def _write_stamp(contest_id: int) -> None:
    directory = stamp_directory()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / str(contest_id)
    temporary = directory / f".{contest_id}.{secrets.token_hex(4)}"
    temporary.write_text(secrets.token_hex(8))
    os.replace(temporary, target)


def local_changes() -> int:
    """How many invalidations this process made: a cache re-reads the stamps when it moves."""
    return _process.local_changes


def folder_version(directory: Path) -> int:
    """Changes whenever a stamp is written (the rename changes the folder): one stat call."""
    try:
        return os.stat(directory).st_mtime_ns
    except FileNotFoundError:
        return 0


def read_stamps(directory: Path) -> dict[int, str]:
    """Contest id → its current stamp; a contest never invalidated has none."""
    try:
        names = [entry for entry in os.scandir(directory) if entry.name.isdigit()]
    except FileNotFoundError:
        return {}
    stamps = {}
    for entry in names:
        try:
            stamps[int(entry.name)] = Path(entry.path).read_text()
        except FileNotFoundError:
            continue
    return stamps


@dataclass
class FolderWatch:
    """One page cache's view of the stamp folder."""

    outdate: Outdate
    check_every: float = CHECK_EVERY
    _stamps: dict[int, str] = field(default_factory=dict)
    _checked_at: float = float("-inf")
    _local_changes: int = -1
    _folder_version: int = -1

    async def check(self) -> None:
        now, local = time.monotonic(), _process.local_changes
        directory = stamp_directory()
        version = folder_version(directory)
        if (now - self._checked_at < self.check_every and local == self._local_changes
                and version == self._folder_version):
            return
        self._checked_at, self._local_changes, self._folder_version = now, local, version
        stamps = read_stamps(directory)
        changed = {cid for cid in stamps.keys() | self._stamps.keys() if stamps.get(cid) != self._stamps.get(cid)}
        self._stamps = stamps
        if changed:
            self.outdate(changed)


def watch_for(outdate: Outdate) -> Watch:
    """What a page cache asks before each lookup; `outdate` drops the pages of the contests named."""
    database = _database()
    if database is None:
        return FolderWatch(outdate)
    database.subscribe(outdate)
    return database


def start_listening() -> None:
    """In a serving process with CONTEST_RESULTS_SIGNAL=database: listen, so lookups need no query."""
    database = _database()
    if database is not None:
        database.start()


async def stop_listening() -> None:
    database = _database()
    if database is not None:
        await database.stop()
