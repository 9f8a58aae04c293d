"""Local servers speaking the SMS providers' protocols, for the adapters' tests: Alibaba Cloud's SendSms
(RPC style, ACS3-HMAC-SHA256 signed, the fields in the query string) and Tencent Cloud's SendSms (a JSON
body, TC3-HMAC-SHA256 signed). Each checks the request's signature with the secret it was given and
answers as the provider does: success, or the error shape a test asks for. What arrived is kept in
`received`, the only place a test may read a code from."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

from contest.settings import SmsSettings

ACCESS_KEY, SECRET = "test-access-key", "test-secret-key"
SIGN, TEMPLATE, APP_ID = "文创赛", "SMS_123456", "1400000001"


@dataclass(frozen=True)
class Message:
    phone: str
    sign: str
    template: str
    params: list[str]  # Alibaba: the values of TemplateParam in order; Tencent: TemplateParamSet
    app_id: str = ""


@dataclass
class FakeSms:
    provider: str
    port: int = 0
    received: list[Message] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # the provider's error codes to answer with, in turn
    bad_signatures: int = 0

    @property
    def settings(self) -> SmsSettings:
        return SmsSettings(provider=self.provider, access_key=ACCESS_KEY, secret=SECRET, sign_name=SIGN,
                           template=TEMPLATE, app_id=APP_ID, region="ap-guangzhou",
                           endpoint=f"http://127.0.0.1:{self.port}")

    def codes_to(self, phone: str) -> list[str]:
        return [m.params[0] for m in self.received if m.phone.removeprefix("+86") == phone]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def aliyun_signature_ok(method: str, path: str, headers: dict[str, str], body: bytes) -> bool:
    """ACS3-HMAC-SHA256 (Alibaba Cloud's signature v3) over the canonical request."""
    authorization = headers.get("authorization", "")
    scheme, _, rest = authorization.partition(" ")
    parts = dict(part.split("=", 1) for part in rest.split(","))
    url = urlsplit(path)
    query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(parse_qsl(url.query, keep_blank_values=True)))
    signed = parts.get("SignedHeaders", "").split(";")
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed)
    canonical = "\n".join([method, url.path or "/", query, canonical_headers, ";".join(signed), _sha256(body)])
    expected = hmac.new(SECRET.encode(), f"ACS3-HMAC-SHA256\n{_sha256(canonical.encode())}".encode(),
                        hashlib.sha256).hexdigest()
    return scheme == "ACS3-HMAC-SHA256" and parts.get("Credential") == ACCESS_KEY and \
        hmac.compare_digest(parts.get("Signature", ""), expected)


def tencent_signature_ok(headers: dict[str, str], body: bytes) -> bool:
    """TC3-HMAC-SHA256 over the canonical request, with the key derived from the date and the service."""
    scheme, _, rest = headers.get("authorization", "").partition(" ")
    parts = dict(part.strip().split("=", 1) for part in rest.split(","))
    access_key, date, service, _ = parts.get("Credential", "///").split("/")
    signed = parts.get("SignedHeaders", "").split(";")
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed)
    canonical = "\n".join(["POST", "/", "", canonical_headers, ";".join(signed), _sha256(body)])
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", headers.get("x-tc-timestamp", ""), scope, _sha256(canonical.encode())])
    key = _hmac(_hmac(_hmac(f"TC3{SECRET}".encode(), date), service), "tc3_request")
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return scheme == "TC3-HMAC-SHA256" and access_key == ACCESS_KEY and \
        hmac.compare_digest(parts.get("Signature", ""), expected)


def _aliyun(fake: FakeSms, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
    if headers.get("x-acs-action") != "SendSms" or headers.get("x-acs-version") != "2017-05-25":
        return 400, {"Code": "InvalidAction.NotFound", "Message": "Specified api is not found", "RequestId": "r"}
    if not aliyun_signature_ok(method, path, headers, body):
        fake.bad_signatures += 1
        return 400, {"Code": "IncompleteSignature", "Message": "The request signature does not conform to "
                     "Aliyun standards.", "RequestId": "r"}
    query = dict(parse_qsl(urlsplit(path).query))
    if fake.refusals:
        code = fake.refusals.pop(0)
        return 200, {"Code": code, "Message": "触发分钟级流控Permits:1", "RequestId": "r"}
    fake.received.append(Message(query["PhoneNumbers"], query["SignName"], query["TemplateCode"],
                                 list(json.loads(query["TemplateParam"]).values())))
    return 200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r"}


def _tencent(fake: FakeSms, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
    if headers.get("x-tc-action") != "SendSms" or headers.get("x-tc-version") != "2021-01-11":
        return 200, {"Response": {"Error": {"Code": "InvalidAction", "Message": "no such action"}, "RequestId": "r"}}
    if not tencent_signature_ok(headers, body):
        fake.bad_signatures += 1
        return 200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                            "Message": "The provided credentials could not be validated."},
                                  "RequestId": "r"}}
    data = json.loads(body)
    phone = data["PhoneNumberSet"][0]
    if fake.refusals:
        status = {"Code": fake.refusals.pop(0), "Message": "the number's daily limit is reached"}
    else:
        fake.received.append(Message(phone, data["SignName"], data["TemplateId"], data["TemplateParamSet"],
                                     data["SmsSdkAppId"]))
        status = {"Code": "Ok", "Message": "send success"}
    return 200, {"Response": {"SendStatusSet": [{**status, "SerialNo": "2645:1", "PhoneNumber": phone, "Fee": 1,
                                                 "SessionContext": "", "IsoCode": "CN"}], "RequestId": "r"}}


@contextmanager
def running(provider: str) -> Iterator[FakeSms]:
    fake = FakeSms(provider)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, answer = (_aliyun(fake, "POST", self.path, headers, body) if provider == "aliyun"
                              else _tencent(fake, headers, body))
            out = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Inbox:
    """An SmsSender that keeps what it sends (the domain's tests; the adapters are tested above)."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (phone, code, locale)
    refuse_with: Exception | None = None

    async def send_code(self, phone: str, code: str, locale: str) -> None:
        if self.refuse_with is not None:
            raise self.refuse_with
        self.sent.append((phone, code, locale))

    def last_code(self, phone: str) -> str:
        return [code for to, code, _ in self.sent if to == phone][-1]
