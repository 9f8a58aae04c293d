"""The judges' area (/judge): their rounds, queues and scoring pages."""

from __future__ import annotations

from contest.web.judge import scoring

routes = scoring.routes
