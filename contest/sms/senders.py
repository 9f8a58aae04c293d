"""Which sender CONTEST_SMS_PROVIDER names, and the development one."""

from __future__ import annotations

import time
from pathlib import Path

import anyio.to_thread

from contest.settings import Settings
from contest.sms import SmsSender, log, masked
from contest.sms.aliyun import AliyunSender
from contest.sms.tencent import TencentSender


class ConsoleSender:
    """Development: the message goes to a file in `folder` (like the outbox's Maildir); the log says only that
    a code went to a masked number."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send_code(self, phone: str, code: str, locale: str) -> None:
        await anyio.to_thread.run_sync(self._write, phone, code)
        log.info("sms: a verification code was sent to %s (%s), see %s", masked(phone), locale, self.folder)

    def _write(self, phone: str, code: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{time.time_ns()}-{phone}.txt").write_text(f"{phone}: {code}\n", encoding="utf-8")


def sender_for(settings: Settings) -> SmsSender | None:
    """The configured sender; None when phone verification is off (CONTEST_SMS_PROVIDER=none)."""
    provider = settings.sms.provider
    if provider == "aliyun":
        return AliyunSender(settings.sms)
    if provider == "tencent":
        return TencentSender(settings.sms)
    return ConsoleSender(settings.data_dir / "sms") if provider == "console" else None
