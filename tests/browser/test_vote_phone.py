"""On a phone, a voter proves a mobile number by the code in a text message and votes. The server's SMS
adapter talks to a local server speaking Alibaba Cloud's protocol; the test reads the code from what that
server received, never from the page."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from contest.settings import SmsSettings
from tests.browser.conftest import LiveServer, migrated_database, screenshot, server_env, start_server
from tests.browser.helpers import phone_page
from tests.browser.vote_phone_state import SLUG
from tests.sms_servers import FakeSms, running

pytestmark = pytest.mark.browser

PHONE = "13812345678"


def sms_env(settings: SmsSettings) -> dict[str, str]:
    return {f"CONTEST_SMS_{name.upper()}": getattr(settings, name)
            for name in ("provider", "access_key", "secret", "sign_name", "template", "region", "endpoint")}


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeSms]:
    with running("aliyun") as fake:
        yield fake


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, provider: FakeSms) -> Iterator[LiveServer]:
    work = tmp_path_factory.mktemp("vote-phone")
    migrated_database(work)
    subprocess.run([sys.executable, "-m", "tests.browser.vote_phone_state"], env=server_env(work), check=True)
    server = start_server(work, demo=False, extra_env=sms_env(provider.settings))
    yield server
    server.stop()


async def test_a_voter_proves_a_phone_number_and_votes_on_a_phone(browser, live_server, provider):
    page, errors = await phone_page(browser)
    await page.goto(live_server.url(f"/c/{SLUG}/vote"))
    await expect(page.get_by_role("button", name="投票")).to_have_count(0)
    await page.get_by_label("手机号码").fill("+86 138-1234-5678")
    await page.get_by_role("button", name="发送短信验证码").click()
    await expect(page.get_by_role("status")).to_have_text("验证码已发送至 138****5678，5 分钟内有效。")
    [message] = provider.received
    code = message.params[0]
    assert (message.phone, message.sign, message.template) == (PHONE, "文创赛", "SMS_123456")
    assert code not in await page.content()
    await page.get_by_label("短信验证码").fill(code)
    await screenshot(page, "vote-phone-code")
    await page.get_by_role("button", name="确认并投票").click()
    await expect(page.get_by_text("手机号码已验证。您每天有 2 票。")).to_be_visible()
    await expect(page.get_by_text("您正在以号码 138****5678 投票。")).to_be_visible()
    await page.get_by_role("button", name="投票").first.click()
    await expect(page.get_by_text("投票成功。今日剩余 1 票。")).to_be_visible()
    await expect(page.get_by_text("今日已投")).to_have_count(1)
    assert code not in await page.content()
    await screenshot(page, "vote-phone-voted")
    await page.context.close()
    assert errors == []
