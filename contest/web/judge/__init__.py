"""The judges' area (/judge): their rounds, queues and scoring pages, and the final meeting."""

from __future__ import annotations

from contest.web.judge import meeting, scoring

routes = [*meeting.routes, *scoring.routes]
