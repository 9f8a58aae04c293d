"""Logs as one JSON object a line, each carrying the id of the request it was written in (docs/operations.md).

Every process sets itself up from `logging_config()`: uvicorn applies it in the server and again in each
worker process (it is handed over as `log_config`), and `contest send-outbox` applies it itself. The
formatter is python-json-logger's: a kept library that already handles `extra=` fields, exceptions and
non-ASCII text, which a formatter of our own would have to repeat.
"""

from __future__ import annotations

import logging
import os
import time
from contextvars import ContextVar
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path
from typing import Any

from contest.settings import ACCESS_LOG_DAYS

# Set once per request (web.infra.request_id). Each request runs in a task of its own, so the value never
# leaks into another request, and it is still there when an unhandled error is logged after the middleware.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
ACCESS_LOGGER = "contest.access"


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class SharedDailyFileHandler(TimedRotatingFileHandler):
    """A file rotated at midnight (UTC) that every worker process appends to: the first worker past midnight
    renames it to `<name>.<day>`, and the others, finding that day's file already there, only reopen the new
    one instead of renaming it over the first's (which the standard handler would do, losing a day)."""

    def __init__(self, filename: str, days: int) -> None:
        super().__init__(filename, when="midnight", backupCount=days, encoding="utf-8", utc=True)

    def doRollover(self) -> None:
        began = time.gmtime(self.rolloverAt - self.interval)
        day = self.rotation_filename(f"{self.baseFilename}.{time.strftime(self.suffix, began)}")
        if not os.path.exists(day):
            super().doRollover()
            return
        if self.stream:
            self.stream.close()
        self.stream = self._open()
        self.rolloverAt = self.computeRollover(int(time.time()))


def _access_file(path: Path, days: int) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {"()": "contest.logs.SharedDailyFileHandler", "filename": str(path), "days": days, "formatter": "json",
            "filters": ["request_id"]}


def logging_config(*, debug: bool = False, access_log: bool = False, access_file: Path | None = None,
                   access_days: int = ACCESS_LOG_DAYS) -> dict[str, Any]:
    """A `logging.config.dictConfig` dictionary: JSON lines on stderr for the app's and uvicorn's loggers.

    `access_log` turns on contest.access's line per request; uvicorn's own access log stays off (it would log
    the raw path, query string included). With `access_file` the access lines also go to that file, rotated
    daily and kept `access_days` days."""
    level = "INFO" if debug else "WARNING"
    handler = {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"],
               "stream": "ext://sys.stderr"}
    files = {"access_file": _access_file(access_file, access_days)} if access_file else {}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "contest.logs.RequestIdFilter"}},
        "formatters": {"json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
            "json_ensure_ascii": False,
        }},
        "handlers": {"stderr": handler, **files},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            ACCESS_LOGGER: {"level": "INFO" if access_log else "WARNING", "handlers": list(files)},
        },
    }
