"""Results generation stamps, shared by every worker process: one small file per contest.

Whatever caches a results page (contest.web.infra.page_cache) keeps the stamp it saw and drops the
contest's pages when the stamp changes. `invalidate_results` is the one call that announces a
change: awards confirmed or revoked, an objection's outcome applied, tiers, names or the
announcement time edited. Call it after the change is committed, never inside the transaction,
or a page rendered in between would be cached with the old data and the new stamp.

The files live in `<data dir>/results-stamps/<contest id>`, each written by a rename, so the
folder's modification time moves with every change: a cache stats the folder on each lookup and
reads the stamps only when it moved (and at least once a second, for file systems whose times
are coarse), so a page served from memory costs no database query and a change reaches every
worker at once.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from contest.settings import PROJECT_ROOT

STAMP_FOLDER = "results-stamps"


@dataclass
class _Process:
    directory: Path | None = None
    local_changes: int = 0


_process = _Process()


def configure(data_dir: Path) -> None:
    """Point this process at the data directory the app's settings name."""
    _process.directory = data_dir / STAMP_FOLDER


def stamp_directory() -> Path:
    # Before configure() (a process that changes results but has served no results page yet),
    # the same default as contest.settings.load_settings reads from the environment.
    if _process.directory is not None:
        return _process.directory
    return Path(os.environ.get("CONTEST_DATA_DIR", PROJECT_ROOT / "data")).resolve() / STAMP_FOLDER


def invalidate_results(contest_id: int) -> None:
    """Every worker drops the cached results pages of `contest_id` before its next results page."""
    directory = stamp_directory()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / str(contest_id)
    temporary = directory / f".{contest_id}.{secrets.token_hex(4)}"
    temporary.write_text(secrets.token_hex(8))
    os.replace(temporary, target)
    _process.local_changes += 1


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
