"""Tencent Cloud SMS (API 2021-01-11 SendSms, TC3-HMAC-SHA256 signed) through its official SDK,
tencentcloud-sdk-python-sms.

The template has two parameters: the code, then the minutes it is valid. A request the service refuses (a
bad key, signature or template) raises; a message it will not send is a `SendStatusSet` entry whose `Code`
is not "Ok" (a daily limit, an unknown number).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import anyio.to_thread
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111.models import SendSmsRequest
from tencentcloud.sms.v20210111.sms_client import SmsClient

from contest.settings import SmsSettings
from contest.sms import CODE_MINUTES, SmsLimited, SmsNotSent, SmsNumberRefused, log, masked


def refusal(code: str) -> SmsNotSent:
    if code.startswith("LimitExceeded."):
        return SmsLimited()
    return SmsNumberRefused() if code.startswith("InvalidParameterValue.IncorrectPhoneNumber") else SmsNotSent()


class TencentSender:
    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings
        http = HttpProfile(endpoint="sms.tencentcloudapi.com", reqTimeout=10)
        if settings.endpoint:
            where = urlsplit(settings.endpoint)
            http.endpoint, http.protocol, http.scheme = where.netloc, where.scheme, where.scheme
        profile = ClientProfile(httpProfile=http)
        self.client = SmsClient(Credential(settings.access_key, settings.secret), settings.region, profile)

    async def send_code(self, phone: str, code: str, locale: str) -> None:
        request = SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = self.settings.app_id
        request.SignName = self.settings.sign_name
        request.TemplateId = self.settings.template_en if locale.startswith("en") and self.settings.template_en \
            else self.settings.template
        request.TemplateParamSet = [code, str(CODE_MINUTES)]
        try:
            response = await anyio.to_thread.run_sync(self.client.SendSms, request)
        except TencentCloudSDKException as exc:  # the service's refusals and the network's failures alike
            log.warning("sms: tencent refused the request for %s: %s %s", masked(phone), type(exc).__name__,
                        getattr(exc, "code", ""))
            raise SmsNotSent() from None
        statuses = response.SendStatusSet or []
        if len(statuses) != 1 or statuses[0].Code != "Ok":
            answer = (statuses[0].Code, statuses[0].Message) if statuses else ("", "no status")
            log.warning("sms: tencent did not send to %s: %s %s", masked(phone), *answer)
            raise refusal(answer[0])
