"""The installation's privacy notice (个人信息处理规则) and every consent to it.

Versions are only added, like a contest's terms (contests.models.TermsText, where a contest's own
additions live as `TermsKind.PRIVACY`). Consent is given at registration, with a separate answer for
sensitive personal information (PIPL art. 29), and asked again at the first log-in after a new version:
`consent_due` decides it there, and the session carries the answer (accounts.sessions). Either consent can be
withdrawn (PIPL art. 15): a withdrawal is a new row too, so the latest row is the answer in force and the history
stays as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from contest.accounts import sessions
from contest.accounts.models import ConsentKind, PrivacyConsent, PrivacyNotice, User
from contest.accounts.privacy_default import DEFAULT_NOTICE
from contest.audit.log import record
from contest.errors import InvalidInput
from contest.form_input import FieldReader
from contest.i18n import N_

TITLE_MAX, BODY_MAX = 200, 60_000
NOT_ACCEPTED = N_("Read the privacy notice and tick the box to agree to it: without it we cannot create an account.")
NOT_ACCEPTED_AGAIN = N_("Tick the box to agree to the privacy notice, or log out.")
NOT_CONFIRMED = N_("Tick the box to confirm that you want to withdraw it.")
NOTICE_CHANGED = N_("The privacy notice was updated while you were reading it: please read the new version and agree "
                    "to it again.")


@dataclass(frozen=True)
class NoticeSpec:
    title: str
    title_en: str
    body: str
    body_en: str


def parse_notice(raw: Mapping[str, str]) -> NoticeSpec:
    """A new version from the organiser's form; raises InvalidInput with every field's problem."""
    read = FieldReader(raw)
    spec = NoticeSpec(title=read.text("title", max_length=TITLE_MAX, required=True),
                      title_en=read.text("title_en", max_length=TITLE_MAX),
                      body=read.text("body", max_length=BODY_MAX, required=True),
                      body_en=read.text("body_en", max_length=BODY_MAX))
    read.done()
    return spec


async def current_notice() -> PrivacyNotice:
    """The latest version; the one shipped with the app (version 1) is made on first use."""
    latest = await PrivacyNotice.all().order_by("-version").first()
    if latest is not None:
        return latest
    try:
        return await PrivacyNotice.create(version=1, created_at=DEFAULT_NOTICE.created_at, title=DEFAULT_NOTICE.title,
                                          title_en=DEFAULT_NOTICE.title_en, body=DEFAULT_NOTICE.body,
                                          body_en=DEFAULT_NOTICE.body_en)
    except IntegrityError:  # another request made it first
        return await PrivacyNotice.get(version=1)


async def publish_notice(spec: NoticeSpec, *, by: User, now: datetime) -> PrivacyNotice:
    """Add the next version (audited). Everyone who accepted an earlier one is asked again at their next log-in."""
    current = await current_notice()
    async with in_transaction():
        notice = await PrivacyNotice.create(version=current.version + 1, created_at=now, created_by=by,
                                            title=spec.title, title_en=spec.title_en, body=spec.body,
                                            body_en=spec.body_en)
        await record("privacy_notice.published", subject=f"privacy_notice:{notice.id}", now=now, actor=by,
                     data={"version": notice.version, "title": notice.title})
    return notice


@dataclass(frozen=True)
class Consent:
    """The answers of the notice's form: the box ticked, the version it showed, the separate sensitive consent."""

    accepted: bool
    version_read: int | None
    sensitive: bool


def consent_errors(notice: PrivacyNotice, consent: Consent, *, refused: str = NOT_ACCEPTED) -> dict[str, str]:
    """The form's problem, if any: not ticked (`refused`), or ticked under a version that is no longer current."""
    if not consent.accepted:
        return {"privacy": refused}
    return {} if consent.version_read == notice.version else {"privacy": NOTICE_CHANGED}


async def check_consent(consent: Consent | None) -> dict[str, str]:
    """`consent_errors` against the current version; none when no consent is asked (None)."""
    return {} if consent is None else consent_errors(await current_notice(), consent)


async def record_consent(user: User, notice: PrivacyNotice, *, sensitive: bool, ip: str, now: datetime,
                         kind: ConsentKind = ConsentKind.GIVEN) -> PrivacyConsent:
    """Keep who accepted which version, when and from where, and whether the separate consent to sensitive
    personal information was given. Call it in the transaction that needs the consent (registration)."""
    return await PrivacyConsent.create(user=user, notice=notice, sensitive=sensitive, ip=ip[:64], accepted_at=now,
                                       kind=kind)


async def latest_consent(user: User) -> PrivacyConsent | None:
    """The answer in force: the latest row, a consent or a withdrawal."""
    return await PrivacyConsent.filter(user_id=user.id).order_by("-accepted_at", "-id").prefetch_related(
        "notice").first()


async def consent_history(user: User) -> list[PrivacyConsent]:
    """Every answer the user gave, newest first."""
    return await PrivacyConsent.filter(user_id=user.id).order_by("-accepted_at", "-id").prefetch_related("notice")


async def consent_due(user: User) -> bool:
    """Whether the user's answer in force is not a consent to the current version: never given, given to an earlier
    version, or withdrawn (asked at log-in, never mid-session)."""
    notice = await current_notice()
    latest = await PrivacyConsent.filter(user_id=user.id).order_by("-accepted_at", "-id").first()
    return latest is None or latest.kind is ConsentKind.WITHDRAWN or latest.notice_id != notice.id


async def has_sensitive_consent(user: User) -> bool:
    """Whether the separate consent to sensitive personal information (PIPL art. 29) is in force: given with the
    latest answer, and neither it nor the consent to the notice withdrawn since. Ask it before processing any."""
    return _sensitive_given(await latest_consent(user))


def _sensitive_given(latest: PrivacyConsent | None) -> bool:
    return latest is not None and latest.kind is ConsentKind.GIVEN and latest.sensitive


async def give_sensitive(user: User, *, ip: str, now: datetime) -> PrivacyConsent | None:
    """The separate consent to sensitive personal information, given where it is needed (a winner's payee details):
    a new row under the version in force, so the consents page and `has_sensitive_consent` say so. None when it is
    already in force, or when no consent to the notice is (the caller's page then cannot be reached)."""
    latest = await latest_consent(user)
    if latest is None or latest.kind is not ConsentKind.GIVEN or latest.sensitive:
        return None
    return await record_consent(user, latest.notice, sensitive=True, ip=ip, now=now)


async def withdraw_sensitive(user: User, *, confirmed: bool, ip: str, now: datetime) -> PrivacyConsent | None:
    """Withdraw the separate consent to sensitive personal information: a new row under the same version, audited
    as `privacy_consent.sensitive_withdrawn`. None when it was not in force. Raises InvalidInput unconfirmed."""
    if not confirmed:
        raise InvalidInput({"confirm_sensitive": NOT_CONFIRMED})
    latest = await latest_consent(user)
    if latest is None or not _sensitive_given(latest):
        return None
    return await _withdraw(user, latest, ConsentKind.SENSITIVE_WITHDRAWN, ip=ip, now=now)


async def withdraw_consent(user: User, *, confirmed: bool, ip: str, now: datetime) -> PrivacyConsent | None:
    """Withdraw the consent to the privacy notice, and with it the sensitive one: a new row, audited as
    `privacy_consent.withdrawn`, and every session of the user ends, since no account is kept without it; the next
    log-in asks for consent again (`consent_due`). None when no consent was in force. Raises InvalidInput
    unconfirmed."""
    if not confirmed:
        raise InvalidInput({"confirm_withdraw": NOT_CONFIRMED})
    latest = await latest_consent(user)
    if latest is None or latest.kind is ConsentKind.WITHDRAWN:
        return None
    withdrawal = await _withdraw(user, latest, ConsentKind.WITHDRAWN, ip=ip, now=now)
    await sessions.end_all_sessions(user)
    return withdrawal


async def _withdraw(user: User, latest: PrivacyConsent, kind: ConsentKind, *, ip: str, now: datetime
                    ) -> PrivacyConsent:
    async with in_transaction():
        row = await record_consent(user, latest.notice, sensitive=False, ip=ip, now=now, kind=kind)
        action = "privacy_consent.withdrawn" if kind is ConsentKind.WITHDRAWN else "privacy_consent.sensitive_withdrawn"
        await record(action, subject=f"user:{user.id}", now=now, actor=user, data={"version": latest.notice.version})
    return row


async def accept(user: User, consent: Consent, *, ip: str, now: datetime) -> PrivacyConsent:
    """The consent asked after a log-in: raises InvalidInput when not given to the current version."""
    notice = await current_notice()
    errors = consent_errors(notice, consent, refused=NOT_ACCEPTED_AGAIN)
    if errors:
        raise InvalidInput(errors)
    return await record_consent(user, notice, sensitive=consent.sensitive, ip=ip, now=now)


async def versions_with_consents() -> list[tuple[PrivacyNotice, int]]:
    """Every version, newest first, with how many consents given name it (withdrawals are not counted)."""
    await current_notice()
    given = PrivacyConsent.filter(kind=ConsentKind.GIVEN)
    counts = dict(await given.annotate(n=Count("id")).group_by("notice_id").values_list("notice_id", "n"))
    return [(notice, counts.get(notice.id, 0)) for notice in await PrivacyNotice.all().order_by("-version")]
