"""Text messages carrying a phone verification code, through one small interface (docs/sms.md).

`contest.sms.senders.sender_for(settings)` picks the adapter CONTEST_SMS_PROVIDER names: Alibaba Cloud SMS
(`aliyun`), Tencent Cloud SMS (`tencent`), `console` for development (it logs that a code went to a masked
number, never the code, and leaves the message in <data dir>/sms/, as the outbox does with mail) or `none`
(no phone verification is offered). The providers' SDKs are synchronous: the adapters run them in a worker
thread. A provider's refusal is an `SmsNotSent` with a message for the user; its own code and message go to
the log.
"""

from __future__ import annotations

import logging
from typing import Protocol

from contest.errors import ContestError
from contest.i18n import N_

log = logging.getLogger("contest.sms")
CODE_MINUTES = 5  # how long a code lives; Tencent's template says it to the reader


class SmsNotSent(ContestError):
    status_code = 502
    message = N_("The text message could not be sent just now. Please try again in a few minutes.")


class SmsLimited(SmsNotSent):
    status_code = 429
    message = N_("This number has received too many text messages. Please try again later.")


class SmsNumberRefused(SmsNotSent):
    status_code = 400
    message = N_("The text message service cannot deliver to this number. Check the number.")


class SmsUnavailable(SmsNotSent):
    status_code = 503
    message = N_("This site cannot send text messages, so it cannot verify phone numbers.")


class SmsSender(Protocol):
    async def send_code(self, phone: str, code: str, locale: str) -> None:
        """Send `code` to the mainland number `phone` (11 digits). Raises SmsNotSent and its kinds."""


def masked(phone: str) -> str:
    """138****5678: enough for a person to recognise their number, and for a log."""
    return f"{phone[:3]}****{phone[-4:]}"
