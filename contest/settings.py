"""Settings read once from the environment (CONTEST_*)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from contest.i18n import N_

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32
WEAK_SECRETS = frozenset({"", "secret", "changeme", "change-me", "dev", "development", "password"})


ACCESS_LOG_DAYS = 190
ACCESS_LOG_MIN_DAYS = 180  # 网络安全法 art. 21: network logs kept no less than six months


class ConfigurationError(RuntimeError):
    """The environment asks for something this installation must refuse to run with."""


SMS_PROVIDERS = ("none", "console", "aliyun", "tencent")
SMS_NEEDS = {"aliyun": ("access_key", "secret", "sign_name", "template"),
             "tencent": ("access_key", "secret", "sign_name", "template", "app_id")}


@dataclass(frozen=True)
class SmsSettings:
    """The text-message provider for phone codes (contest.sms, docs/sms.md), from CONTEST_SMS_*."""

    provider: str = "none"  # none: no phone verification offered; console: development, logs that a code was sent
    access_key: str = ""  # Alibaba AccessKey ID, Tencent SecretId
    secret: str = field(default="", repr=False)  # Alibaba AccessKey secret, Tencent SecretKey
    sign_name: str = ""  # the approved signature (签名), e.g. 文创赛
    template: str = ""  # the approved template id; its one parameter is the code (Tencent: then the minutes)
    template_en: str = ""  # a template for English pages, if the account has one; else `template`
    region: str = "cn-hangzhou"  # Alibaba region id; Tencent e.g. ap-guangzhou
    app_id: str = ""  # Tencent's SmsSdkAppId (Alibaba has none)
    endpoint: str = ""  # e.g. http://127.0.0.1:9000 for a local server (tests); empty: the provider's own


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = ""
    # how a results change reaches every process's page cache: "files" (one disk) or "database" (PostgreSQL)
    results_signal: str = "files"
    upload_dir: Path = PROJECT_ROOT / "uploads"
    data_dir: Path = PROJECT_ROOT / "data"
    secret_key: str = ""
    default_tz: str = "Asia/Shanghai"
    debug: bool = False
    workers: int = 1
    demo: bool = False
    allowed_hosts: tuple[str, ...] = ("*",)
    public_url: str = "http://127.0.0.1:8000"  # absolute URLs (link previews, e-mails) start with it
    # slow clients (contest.web.infra.server, contest.web.infra.limits); the README gives nginx the same numbers
    header_timeout: float = 10.0  # seconds from a request's first byte to the end of its headers
    keep_alive_timeout: int = 5  # seconds an idle connection is kept between requests
    max_connections: int = 1000  # per worker process; more are answered 503
    body_timeout: float = 20.0  # seconds a request body may stall
    body_min_rate: int = 8 * 1024  # bytes a second a request body must keep up, on average
    # a live stream (the meeting's screens) ends after this long and the browser reconnects at once: a worker
    # can restart or a proxy time out without a screen noticing (each event is the whole state)
    event_stream_seconds: float = 300.0
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = "noreply@localhost"
    # Without SMTP, development delivers the outbox into this Maildir (one file a message, secrets included)
    mail_dir: Path | None = None
    # /metrics (docs/operations.md): with a token, only `Authorization: Bearer <token>`; without, only loopback
    metrics_token: str = field(default="", repr=False)
    access_log: bool = False  # one JSON line per request (contest.logs); on by default in production
    # the access lines also go to this file, rotated at midnight (UTC) and kept access_log_days days: the
    # cybersecurity rules ask for six months of network logs (docs/privacy.md)
    access_log_file: Path | None = None
    access_log_days: int = ACCESS_LOG_DAYS
    # Stored files (contest.media.storage): "local" keeps them under upload_dir, "s3" in an S3-compatible bucket
    # (upload_dir/tmp/ stays local on every machine). Public images may be served from public_media_url, a CDN
    # or the bucket's public address, under the same names as in the bucket.
    storage: str = "local"
    s3_bucket: str = ""
    s3_endpoint: str = ""  # e.g. https://oss-cn-hangzhou.aliyuncs.com; empty: AWS
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = field(default="", repr=False)
    s3_virtual_hosted: bool = False  # bucket.endpoint addressing (Alibaba OSS requires it) instead of endpoint/bucket
    s3_signed_downloads: bool = False  # organisers fetch originals from a signed bucket URL, not through the app
    public_media_url: str = ""
    # where image and PDF derivatives, fingerprints and text are made: "request" (the upload waits for them) or
    # "jobs" (held for a job on any worker; contest.entries.held). Videos are always jobs.
    media_work: str = "request"
    sms: SmsSettings = SmsSettings()
    # the filings every page's footer shows (empty: none): ICP备案号, e.g. 京ICP备12345678号-1, and
    # 公安备案号, e.g. 京公网安备11010502000001号
    icp_filing: str = ""
    psb_filing: str = ""
    # Fernet keys that seal prize winners' ID and bank account numbers (contest.results.sealing), comma-separated:
    # the first seals, all open (a new key goes first, the old one stays until every payout is saved again).
    # Empty in development: derived from the secret key; production refuses payouts without it (`contest check`).
    payout_key: str = field(default="", repr=False)

    @property
    def psb_filing_code(self) -> str:
        """The digits of the public-security filing number, which its search page is asked with."""
        return "".join(re.findall(r"\d", self.psb_filing))

    @property
    def media_in_jobs(self) -> bool:
        return self.media_work == "jobs"

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.default_tz)


def _secret_file_key(data_dir: Path) -> str:
    """In development the secret is generated once and kept beside the database."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _mail_dir(env: Mapping[str, str], data_dir: Path, *, production: bool) -> Path | None:
    """CONTEST_MAIL_DIR when given (empty: none); in development without SMTP, <data dir>/mail."""
    if "CONTEST_MAIL_DIR" in env:
        return Path(env["CONTEST_MAIL_DIR"]).resolve() if env["CONTEST_MAIL_DIR"] else None
    return None if production or env.get("CONTEST_SMTP_HOST") else data_dir / "mail"


def default_media_work(database_url: str) -> str:
    """Jobs on PostgreSQL (workers may run on other machines); in the request on SQLite, the one-machine default."""
    return "request" if database_url.startswith("sqlite") else "jobs"


def default_results_signal(database_url: str) -> str:
    """Through the database when it is PostgreSQL (the processes may be on several machines), else files."""
    return "files" if database_url.startswith("sqlite") else "database"


def sms_settings(env: Mapping[str, str]) -> SmsSettings:
    names = ("provider", "access_key", "secret", "sign_name", "template", "template_en", "region", "app_id",
             "endpoint")
    given = {name: env[f"CONTEST_SMS_{name.upper()}"] for name in names if f"CONTEST_SMS_{name.upper()}" in env}
    return SmsSettings(**given)


def load_settings(environ: dict[str, str] | None = None, *, check: bool = True, **overrides: object) -> Settings:
    """`check=False` leaves the refusals to the caller (`contest check` lists them all instead of the first)."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("CONTEST_DATA_DIR", PROJECT_ROOT / "data")).resolve()
    mode = env.get("CONTEST_ENV", "development")
    values: dict[str, object] = {
        "env": mode,
        "data_dir": data_dir,
        "database_url": env.get("CONTEST_DATABASE_URL", f"sqlite://{data_dir / 'contest.sqlite3'}"),
        "upload_dir": Path(env.get("CONTEST_UPLOAD_DIR", PROJECT_ROOT / "uploads")).resolve(),
        "secret_key": env.get("CONTEST_SECRET_KEY", ""),
        "default_tz": env.get("CONTEST_TIME_ZONE", "Asia/Shanghai"),
        "debug": env.get("CONTEST_DEBUG", "") in {"1", "true", "yes"},
        "workers": int(env.get("CONTEST_WORKERS", "1")),
        "demo": env.get("CONTEST_DEMO", "") in {"1", "true", "yes"},
        "allowed_hosts": tuple(h.strip() for h in env.get("CONTEST_ALLOWED_HOSTS", "*").split(",")),
        "public_url": env.get("CONTEST_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        "header_timeout": float(env.get("CONTEST_HEADER_TIMEOUT", "10")),
        "keep_alive_timeout": int(env.get("CONTEST_KEEP_ALIVE_TIMEOUT", "5")),
        "event_stream_seconds": float(env.get("CONTEST_EVENT_STREAM_SECONDS", "300")),
        "max_connections": int(env.get("CONTEST_MAX_CONNECTIONS", "1000")),
        "body_timeout": float(env.get("CONTEST_BODY_TIMEOUT", "20")),
        "body_min_rate": int(env.get("CONTEST_BODY_MIN_RATE", str(8 * 1024))),
        "smtp_host": env.get("CONTEST_SMTP_HOST", ""),
        "smtp_port": int(env.get("CONTEST_SMTP_PORT", "587")),
        "smtp_user": env.get("CONTEST_SMTP_USER", ""),
        "smtp_password": env.get("CONTEST_SMTP_PASSWORD", ""),
        "smtp_from": env.get("CONTEST_SMTP_FROM", "noreply@localhost"),
        "mail_dir": _mail_dir(env, data_dir, production=mode == "production"),
        "metrics_token": env.get("CONTEST_METRICS_TOKEN", ""),
        "access_log": (env.get("CONTEST_ACCESS_LOG", "1" if mode == "production" else "") in {"1", "true", "yes"}
                       or bool(env.get("CONTEST_ACCESS_LOG_FILE"))),
        "access_log_file": Path(env["CONTEST_ACCESS_LOG_FILE"]) if env.get("CONTEST_ACCESS_LOG_FILE") else None,
        "access_log_days": int(env.get("CONTEST_ACCESS_LOG_DAYS", str(ACCESS_LOG_DAYS))),
        "storage": env.get("CONTEST_STORAGE", "local"),
        "s3_bucket": env.get("CONTEST_S3_BUCKET", ""),
        "s3_endpoint": env.get("CONTEST_S3_ENDPOINT", "").rstrip("/"),
        "s3_region": env.get("CONTEST_S3_REGION", "us-east-1"),
        "s3_access_key_id": env.get("CONTEST_S3_ACCESS_KEY_ID", ""),
        "s3_secret_access_key": env.get("CONTEST_S3_SECRET_ACCESS_KEY", ""),
        "s3_virtual_hosted": env.get("CONTEST_S3_VIRTUAL_HOSTED", "") in {"1", "true", "yes"},
        "s3_signed_downloads": env.get("CONTEST_S3_SIGNED_DOWNLOADS", "") in {"1", "true", "yes"},
        "public_media_url": env.get("CONTEST_PUBLIC_MEDIA_URL", "").rstrip("/"),
        "sms": sms_settings(env),
        "icp_filing": env.get("CONTEST_ICP_FILING", "").strip(),
        "psb_filing": env.get("CONTEST_PSB_FILING", "").strip(),
        "payout_key": env.get("CONTEST_PAYOUT_KEY", "").strip(),
    }
    values.update(overrides)
    if "media_work" not in values:
        values["media_work"] = env.get("CONTEST_MEDIA_WORK", default_media_work(str(values["database_url"])))
    if "results_signal" not in values:
        values["results_signal"] = env.get("CONTEST_RESULTS_SIGNAL", default_results_signal(str(values["database_url"])))
    if not values["secret_key"] and mode != "production":
        values["secret_key"] = _secret_file_key(data_dir)
    settings = Settings(**values)  # type: ignore[arg-type]  # each value has its field's type; the dict can only say object
    if check:
        check_settings(settings)
    return settings


def payout_keys(settings: Settings) -> list[str]:
    """The Fernet keys payouts are sealed with (the first seals): CONTEST_PAYOUT_KEY's, or outside production one
    derived from the secret key, so development and tests need nothing set; [] in production without it."""
    given = [key.strip() for key in settings.payout_key.split(",") if key.strip()]
    if given or settings.production:
        return given
    derived = hmac.new(settings.secret_key.encode(), b"contest payout key", hashlib.sha256).digest()
    return [base64.urlsafe_b64encode(derived).decode()]


def _bad_payout_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) != 32
    except (ValueError, binascii.Error):
        return True


def _weak_secret(settings: Settings) -> bool:
    key = settings.secret_key
    return len(key) < MIN_SECRET_LENGTH or key.lower() in WEAK_SECRETS or len(set(key)) < 10


def _any_host(settings: Settings) -> bool:
    return "*" in settings.allowed_hosts or not all(settings.allowed_hosts)


def _bad_public_url(settings: Settings) -> bool:
    """Links in e-mails and previews are built from CONTEST_PUBLIC_URL, and only its hosts may be asked for."""
    public = urlsplit(settings.public_url)
    return public.scheme != "https" or public.hostname not in settings.allowed_hosts or bool(public.path)


@dataclass(frozen=True)
class Rule:
    message: str  # an English msgid (N_): `contest check` prints it translated, start-up refuses with it
    broken: Callable[[Settings], bool]


# What production refuses to start with; `contest check` reports every one that is broken (contest.console.checks).
PRODUCTION_RULES = (
    Rule(N_("CONTEST_ENV is not production: set CONTEST_ENV=production on a server"), lambda s: not s.production),
    Rule(N_("production needs CONTEST_SECRET_KEY: at least 32 random characters"), _weak_secret),
    Rule(N_("production refuses CONTEST_DEBUG"), lambda s: s.debug),
    Rule(N_("production refuses demo data (CONTEST_DEMO / --demo)"), lambda s: s.demo),
    Rule(N_("SQLite serves one worker process; use PostgreSQL for CONTEST_WORKERS > 1"),
         lambda s: s.uses_sqlite and s.workers > 1),
    Rule(N_("production needs CONTEST_ALLOWED_HOSTS: the site's host names, not *"), _any_host),
    Rule(N_("production needs CONTEST_PUBLIC_URL: the site's https:// address, its host in CONTEST_ALLOWED_HOSTS"),
         _bad_public_url),
    Rule(N_("production refuses CONTEST_SMS_PROVIDER=console: no text message would reach anyone"),
         lambda s: s.sms.provider == "console"),
)


def production_problems(settings: Settings) -> list[str]:
    """The msgids of the production rules these settings break."""
    return [rule.message for rule in PRODUCTION_RULES if rule.broken(settings)]


def check_settings(settings: Settings) -> None:
    """Refuse configurations that would be unsafe in production."""
    if settings.env not in {"development", "production"}:
        raise ConfigurationError(f"CONTEST_ENV must be development or production, not {settings.env!r}")
    ZoneInfo(settings.default_tz)
    if settings.storage not in {"local", "s3"} or (settings.storage == "s3" and not settings.s3_bucket):
        raise ConfigurationError("CONTEST_STORAGE must be local, or s3 with CONTEST_S3_BUCKET")
    if settings.media_work not in {"request", "jobs"}:
        raise ConfigurationError(f"CONTEST_MEDIA_WORK must be request or jobs, not {settings.media_work!r}")
    if settings.results_signal not in {"files", "database"}:
        raise ConfigurationError(f"CONTEST_RESULTS_SIGNAL must be files or database, not {settings.results_signal!r}")
    if settings.results_signal == "database" and settings.uses_sqlite:
        raise ConfigurationError("CONTEST_RESULTS_SIGNAL=database needs PostgreSQL (CONTEST_DATABASE_URL)")
    if settings.sms.provider not in SMS_PROVIDERS:
        raise ConfigurationError(f"CONTEST_SMS_PROVIDER must be one of {', '.join(SMS_PROVIDERS)}")
    missing = [f"CONTEST_SMS_{name.upper()}" for name in SMS_NEEDS.get(settings.sms.provider, ())
               if not getattr(settings.sms, name)]
    if missing:
        raise ConfigurationError(f"CONTEST_SMS_PROVIDER={settings.sms.provider} needs {', '.join(missing)}")
    if any(_bad_payout_key(key) for key in payout_keys(settings)):
        raise ConfigurationError("CONTEST_PAYOUT_KEY must be Fernet keys (32 bytes in URL-safe base64), comma-separated: "
                                 "make one with `contest payout-key`")
    if settings.access_log_days < ACCESS_LOG_MIN_DAYS:
        raise ConfigurationError(f"CONTEST_ACCESS_LOG_DAYS must be at least {ACCESS_LOG_MIN_DAYS} (six months, "
                                 f"as the cybersecurity rules require), not {settings.access_log_days}")
    problems = production_problems(settings) if settings.production else []
    if problems:
        raise ConfigurationError(problems[0])
