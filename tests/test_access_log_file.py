"""The access lines kept in a file for six months (网络安全法 art. 21): rotated at midnight, 190 days kept unless
configured otherwise, never fewer than 180; several worker processes share the file without losing a day."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from contest.logs import ACCESS_LOGGER, SharedDailyFileHandler, logging_config
from contest.settings import ConfigurationError, load_settings

pytestmark = pytest.mark.unit

DAY_FILE = re.compile(r"access\.log\.\d{4}-\d{2}-\d{2}")
WRITE_TWO_LINES = """
import logging.config, sys
from pathlib import Path
from contest.logs import logging_config
logging.config.dictConfig(logging_config(access_log=True, access_file=Path(sys.argv[1]), access_days=200))
log = logging.getLogger("contest.access")
log.info("request", extra={"method": "GET", "route": "/c/{slug}", "status": 200})
log.info("request", extra={"method": "POST", "route": "/me/data/download", "status": 200})
[handler] = log.handlers
print(type(handler).__name__, handler.when, handler.backupCount, handler.utc)
"""


def test_a_configured_process_writes_its_access_lines_to_the_rotated_file(tmp_path):
    path = tmp_path / "logs" / "access.log"
    done = subprocess.run([sys.executable, "-c", WRITE_TWO_LINES, str(path)], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).parent.parent)
    assert done.stdout.split() == ["SharedDailyFileHandler", "MIDNIGHT", "200", "True"]
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["logger"], line["method"], line["route"]) for line in lines] == [
        ("contest.access", "GET", "/c/{slug}"), ("contest.access", "POST", "/me/data/download")]


def test_without_a_file_the_access_lines_go_to_stderr_only():
    config = logging_config(access_log=True)
    assert (set(config["handlers"]), config["loggers"][ACCESS_LOGGER]["handlers"]) == ({"stderr"}, [])


def line(text: str) -> logging.LogRecord:
    return logging.LogRecord(ACCESS_LOGGER, logging.INFO, __file__, 0, text, None, None)


def test_two_workers_rolling_over_keep_both_days_lines(tmp_path):
    path = tmp_path / "access.log"
    first, second = SharedDailyFileHandler(str(path), 190), SharedDailyFileHandler(str(path), 190)
    try:
        first.emit(line("before midnight, first worker"))
        second.emit(line("before midnight, second worker"))
        first.doRollover()
        second.doRollover()  # finds the day's file made by the first and only reopens
        first.emit(line("after midnight"))
    finally:
        first.close()
        second.close()
    [rotated] = [p for p in tmp_path.iterdir() if p.name != "access.log"]
    assert DAY_FILE.fullmatch(rotated.name)
    assert rotated.read_text().splitlines() == ["before midnight, first worker", "before midnight, second worker"]
    assert path.read_text().splitlines() == ["after midnight"]


def test_old_days_beyond_the_kept_number_are_deleted_at_rollover(tmp_path):
    path = tmp_path / "access.log"
    for day in ("2025-01-01", "2025-01-02", "2025-01-03"):
        (tmp_path / f"access.log.{day}").write_text(day)
    handler = SharedDailyFileHandler(str(path), 2)
    try:
        handler.emit(line("today"))
        handler.doRollover()
    finally:
        handler.close()
    kept = sorted(p.name for p in tmp_path.iterdir() if p.name != "access.log")
    assert kept[0] == "access.log.2025-01-03" and DAY_FILE.fullmatch(kept[1]) and len(kept) == 2


def test_the_settings_read_the_file_and_days_and_refuse_fewer_than_180(tmp_path):
    env = {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_ACCESS_LOG_FILE": str(tmp_path / "access.log")}
    settings = load_settings(env)
    assert (settings.access_log_file, settings.access_log_days, settings.access_log) == (
        tmp_path / "access.log", 190, True)
    assert load_settings({**env, "CONTEST_ACCESS_LOG_DAYS": "365"}).access_log_days == 365
    with pytest.raises(ConfigurationError, match="CONTEST_ACCESS_LOG_DAYS must be at least 180"):
        load_settings({**env, "CONTEST_ACCESS_LOG_DAYS": "30"})
