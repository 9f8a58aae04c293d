"""Alibaba Cloud SMS (短信服务, API 2017-05-25 SendSms) through its official SDK, alibabacloud_dysmsapi20170525.

The template has one parameter, `code`. The SDK answers a refused message with HTTP 200 and a `Code` other
than OK (a business limit, an unknown number); a refused request (a bad key or signature) it raises, as
it does when the network fails.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import anyio.to_thread
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import SendSmsRequest
from alibabacloud_tea_openapi.models import Config
from Tea.exceptions import TeaException

from contest.settings import SmsSettings
from contest.sms import SmsLimited, SmsNotSent, SmsNumberRefused, log, masked

LIMITED = {"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH"}
BAD_NUMBER = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.BLACK_KEY_CONTROL_LIMIT"}


def refusal(code: str) -> SmsNotSent:
    if code in LIMITED:
        return SmsLimited()
    return SmsNumberRefused() if code in BAD_NUMBER else SmsNotSent()


class AliyunSender:
    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings
        config = Config(access_key_id=settings.access_key, access_key_secret=settings.secret,
                        region_id=settings.region, endpoint="dysmsapi.aliyuncs.com", connect_timeout=5000,
                        read_timeout=10000)
        if settings.endpoint:
            where = urlsplit(settings.endpoint)
            config.endpoint, config.protocol = where.netloc, where.scheme
        self.client = Client(config)

    async def send_code(self, phone: str, code: str, locale: str) -> None:
        template = self.settings.template_en if locale.startswith("en") and self.settings.template_en \
            else self.settings.template
        request = SendSmsRequest(phone_numbers=phone, sign_name=self.settings.sign_name, template_code=template,
                                 template_param=json.dumps({"code": code}))
        try:
            response = await anyio.to_thread.run_sync(self.client.send_sms, request)
        except TeaException as exc:  # the service's refusals and the network's failures alike
            log.warning("sms: aliyun refused the request for %s: %s %s", masked(phone), type(exc).__name__,
                        getattr(exc, "code", ""))
            raise SmsNotSent() from None
        body = response.body
        if body is None or body.code != "OK":
            answer = (body.code, body.message) if body else ("", "no body")
            log.warning("sms: aliyun did not send to %s: %s %s", masked(phone), *answer)
            raise refusal(answer[0])
