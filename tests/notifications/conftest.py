"""A real SMTP server (aiosmtpd) on a free local port, in the test's own event loop."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import AsyncIterator

import pytest
from aiosmtpd.smtp import SMTP

from contest.notifications import sender


class Mailbox:
    """The local SMTP server's handler: answers with the scripted replies first, then accepts."""

    def __init__(self) -> None:
        self.replies: list[str] = []
        self.received: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.replies:
            return self.replies.pop(0)
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
async def smtp() -> AsyncIterator[tuple[Mailbox, sender.SmtpTransport]]:
    mailbox = Mailbox()
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(mailbox), "127.0.0.1", 0)
    try:
        yield mailbox, sender.SmtpTransport("127.0.0.1", server.sockets[0].getsockname()[1], timeout=5)
    finally:
        server.close()
        await server.wait_closed()
