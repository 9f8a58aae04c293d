"""Pointing the app's "default" connection at another database for a while: an empty one, or none at all."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections

from contest.db import connection_config

NOWHERE = "postgres://contest@127.0.0.1:1/contest"  # nothing listens on port 1


def client_for(url: str) -> BaseDBAsyncClient:
    config = connection_config(url)
    return importlib.import_module(config["engine"]).client_class(connection_name="default", **config["credentials"])


@contextmanager
def database_at(url: str) -> Iterator[BaseDBAsyncClient]:
    """Code run in this context (and requests made from it through httpx's ASGI transport) uses `url`."""
    client = client_for(url)
    token = connections.set("default", client)
    try:
        yield client
    finally:
        connections.reset(token)
