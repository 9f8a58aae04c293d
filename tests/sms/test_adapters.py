from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from contest.settings import PRODUCTION_RULES, ConfigurationError, load_settings, production_problems
from contest.sms import SmsLimited, SmsNotSent
from contest.sms.aliyun import AliyunSender
from contest.sms.senders import ConsoleSender, sender_for
from contest.sms.tencent import TencentSender
from tests.sms_servers import APP_ID, SIGN, TEMPLATE, Message, running

pytestmark = pytest.mark.unit

ADAPTERS = {"aliyun": AliyunSender, "tencent": TencentSender}
SENT = {"aliyun": Message("13812345678", SIGN, TEMPLATE, ["402913"]),
        "tencent": Message("+8613812345678", SIGN, TEMPLATE, ["402913", "5"], APP_ID)}
LIMIT = {"aliyun": "isv.BUSINESS_LIMIT_CONTROL", "tencent": "LimitExceeded.PhoneNumberDailyLimit"}


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
async def test_send_code_reaches_the_provider_signed_with_the_fields(provider: str):
    with running(provider) as fake:
        await ADAPTERS[provider](fake.settings).send_code("13812345678", "402913", "zh_CN")
    assert (fake.received, fake.bad_signatures) == ([SENT[provider]], 0)


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
async def test_english_pages_use_the_english_template_when_there_is_one(provider: str):
    with running(provider) as fake:
        settings = dataclasses.replace(fake.settings, template_en="SMS_EN")
        await ADAPTERS[provider](settings).send_code("13812345678", "402913", "en")
        await ADAPTERS[provider](settings).send_code("13812345678", "402913", "zh_CN")
    assert [m.template for m in fake.received] == ["SMS_EN", TEMPLATE]


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
async def test_a_wrong_secret_is_refused_by_the_provider_and_reported_as_not_sent(provider: str, caplog):
    with running(provider) as fake:
        sender = ADAPTERS[provider](dataclasses.replace(fake.settings, secret="not-the-secret"))
        with pytest.raises(SmsNotSent) as refused:
            await sender.send_code("13812345678", "402913", "zh_CN")
    assert (type(refused.value), fake.received, fake.bad_signatures) == (SmsNotSent, [], 1)
    assert "402913" not in caplog.text


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
async def test_a_provider_limit_is_a_limit_for_the_user(provider: str, caplog):
    with running(provider) as fake:
        fake.refusals.append(LIMIT[provider])
        with pytest.raises(SmsLimited) as refused:
            await ADAPTERS[provider](fake.settings).send_code("13812345678", "402913", "zh_CN")
    assert refused.value.message == "This number has received too many text messages. Please try again later."
    assert LIMIT[provider] in caplog.text and "138****5678" in caplog.text
    assert "402913" not in caplog.text and "13812345678" not in caplog.text


def test_sender_for_picks_the_configured_adapter(tmp_path: Path):
    def sender(provider: str) -> object:
        env = {"CONTEST_SMS_PROVIDER": provider, "CONTEST_SMS_ACCESS_KEY": "ak", "CONTEST_SMS_SECRET": "sk",
               "CONTEST_SMS_SIGN_NAME": SIGN, "CONTEST_SMS_TEMPLATE": TEMPLATE, "CONTEST_SMS_APP_ID": APP_ID}
        return sender_for(load_settings(env, secret_key="k" * 40, data_dir=tmp_path))

    assert [type(sender(p)).__name__ for p in ("aliyun", "tencent", "console", "none")] == \
        ["AliyunSender", "TencentSender", "ConsoleSender", "NoneType"]


TENCENT_NEEDS = "CONTEST_SMS_SECRET, CONTEST_SMS_TEMPLATE, CONTEST_SMS_APP_ID"


@pytest.mark.parametrize(("provider", "missing"), [("aliyun", "CONTEST_SMS_SECRET, CONTEST_SMS_TEMPLATE"),
                                                     ("tencent", TENCENT_NEEDS), ("smoke-signals", "")])
def test_an_sms_provider_without_its_keys_is_refused_at_start(tmp_path: Path, provider: str, missing: str):
    env = {"CONTEST_SMS_PROVIDER": provider, "CONTEST_SMS_ACCESS_KEY": "ak", "CONTEST_SMS_SIGN_NAME": SIGN}
    with pytest.raises(ConfigurationError) as refused:
        load_settings(env, secret_key="k" * 40, data_dir=tmp_path)
    assert str(refused.value) == (f"CONTEST_SMS_PROVIDER={provider} needs {missing}" if missing else
                                  "CONTEST_SMS_PROVIDER must be one of none, console, aliyun, tencent")


async def test_console_sender_logs_a_masked_number_and_never_the_code(tmp_path: Path, caplog):
    caplog.set_level(logging.INFO, logger="contest.sms")
    await ConsoleSender(tmp_path / "sms").send_code("13812345678", "402913", "zh_CN")
    assert [r.getMessage() for r in caplog.records] == \
        [f"sms: a verification code was sent to 138****5678 (zh_CN), see {tmp_path / 'sms'}"]
    assert [p.read_text() for p in (tmp_path / "sms").iterdir()] == ["13812345678: 402913\n"]


def test_production_refuses_the_console_sender(tmp_path: Path):
    settings = load_settings({"CONTEST_SMS_PROVIDER": "console"}, secret_key="k" * 40, data_dir=tmp_path)
    assert production_problems(dataclasses.replace(settings, env="production"))[-1] == \
        "production refuses CONTEST_SMS_PROVIDER=console: no text message would reach anyone"
    assert PRODUCTION_RULES[-1].message not in production_problems(
        dataclasses.replace(settings, env="production", sms=dataclasses.replace(settings.sms, provider="none")))
