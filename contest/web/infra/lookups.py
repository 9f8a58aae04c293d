"""What a page's path names, found or a 404: the lookups more than one audience starts with."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from contest.contests import queries as contest_queries
from contest.contests.models import Contest
from contest.errors import found
from contest.results.sealing import Sealer
from contest.sms import SmsSender, SmsUnavailable


async def published_contest(conn: HTTPConnection) -> Contest:
    """The published contest the path's `{slug}` names; a 404 for any other slug."""
    return found(await contest_queries.contest_by_slug(conn.path_params["slug"]))


def sms_sender(conn: HTTPConnection) -> SmsSender:
    """The site's text message sender; SmsUnavailable where CONTEST_SMS_PROVIDER is none."""
    sender: SmsSender | None = conn.app.state.sms
    if sender is None:
        raise SmsUnavailable()
    return sender


def payout_sealer(conn: HTTPConnection) -> Sealer:
    """What seals and opens payees' numbers under the site's CONTEST_PAYOUT_KEY (contest.results.sealing)."""
    return Sealer.from_settings(conn.app.state.settings)
