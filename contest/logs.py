"""Logs as one JSON object a line, each carrying the id of the request it was written in (docs/operations.md).

Every process sets itself up from `logging_config()`: uvicorn applies it in the server and again in each
worker process (it is handed over as `log_config`), and `contest send-outbox` applies it itself. The
formatter is python-json-logger's: a kept library that already handles `extra=` fields, exceptions and
non-ASCII text, which a formatter of our own would have to repeat.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

# Set once per request (web.infra.request_id). Each request runs in a task of its own, so the value never
# leaks into another request, and it is still there when an unhandled error is logged after the middleware.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
ACCESS_LOGGER = "contest.access"


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def logging_config(*, debug: bool = False, access_log: bool = False) -> dict[str, Any]:
    """A `logging.config.dictConfig` dictionary: JSON lines on stderr for the app's and uvicorn's loggers.

    `access_log` turns on contest.access's line per request; uvicorn's own access log stays off (it would log
    the raw path, query string included)."""
    level = "INFO" if debug else "WARNING"
    handler = {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"],
               "stream": "ext://sys.stderr"}
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
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            ACCESS_LOGGER: {"level": "INFO" if access_log else "WARNING"},
        },
    }
