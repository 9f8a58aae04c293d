from __future__ import annotations

from datetime import timedelta

import pytest

from contest.accounts import privacy, service, sessions
from contest.accounts.models import ConsentKind, PrivacyConsent, PrivacyNotice, User
from contest.accounts.privacy_default import DEFAULT_NOTICE
from contest.audit.models import AuditEvent
from contest.errors import InvalidInput
from tests.factories import NOW, make_user

pytestmark = pytest.mark.unit

REGISTRATION = {"password": "long enough pw", "display_name": "梅", "ip": "10.0.0.9", "now": NOW,
                "login_url": "https://contest.example/account/login"}
SPEC = privacy.NoticeSpec(title="个人信息处理规则（2027）", title_en="Privacy notice (2027)",
                          body="## 一、收集的信息\n\n电子邮箱。", body_en="## 1. What we collect\n\nE-mail.")


def consent(version: int | None = 1, *, accepted: bool = True, sensitive: bool = False) -> privacy.Consent:
    return privacy.Consent(accepted=accepted, version_read=version, sensitive=sensitive)


async def test_the_first_notice_is_the_shipped_default_in_both_languages(db):
    notice = await privacy.current_notice()
    assert (notice.version, notice.title, notice.title_en, notice.created_by_id) == (1, "个人信息处理规则", "Privacy notice",
                                                                                     None)
    assert (notice.body, notice.body_en) == (DEFAULT_NOTICE.body, DEFAULT_NOTICE.body_en)
    assert (await privacy.current_notice()).id == notice.id
    assert await PrivacyNotice.all().count() == 1


def test_the_default_notice_names_what_pipl_asks_for():
    headings = [line for line in DEFAULT_NOTICE.body.splitlines() if line.startswith("## ")]
    assert [h.split("、", 1)[1] for h in headings] == [
        "我们处理哪些个人信息", "敏感个人信息", "处理目的和方式", "谁能看到您的信息", "保存期限", "您的权利", "未成年人",
        "安全措施", "存储地点", "联系我们", "本规则的更新"]
    assert len([line for line in DEFAULT_NOTICE.body_en.splitlines() if line.startswith("## ")]) == len(headings)
    assert "不满十四周岁" in DEFAULT_NOTICE.body and "身份证件号码" in DEFAULT_NOTICE.body


async def test_registering_records_the_version_the_time_the_account_and_the_sensitive_answer(db):
    await service.register_designer(email="mei@example.org", consent=consent(sensitive=True), **REGISTRATION)
    user = await User.get(email="mei@example.org")
    rows = await PrivacyConsent.all().values("user_id", "notice__version", "sensitive", "accepted_at", "ip")
    assert rows == [{"user_id": user.id, "notice__version": 1, "sensitive": True, "accepted_at": NOW, "ip": "10.0.0.9"}]
    assert await privacy.consent_due(user) is False


@pytest.mark.parametrize(("given", "message"), [
    (consent(accepted=False), privacy.NOT_ACCEPTED),
    (consent(version=None, accepted=False), privacy.NOT_ACCEPTED),
    (consent(version=0), privacy.NOTICE_CHANGED),
])
async def test_registering_without_consent_to_the_current_version_creates_nothing(db, given, message):
    with pytest.raises(InvalidInput) as refused:
        await service.register_designer(email="mei@example.org", consent=given, **{**REGISTRATION, "password": "short"})
    assert refused.value.field_errors == {"privacy": message, "password": "Use at least 10 characters."}
    assert (await User.all().count(), await PrivacyConsent.all().count()) == (0, 0)


async def test_registering_while_a_new_version_came_out_asks_to_read_the_new_one(db):
    organiser = await make_user(is_staff=True)
    await privacy.publish_notice(SPEC, by=organiser, now=NOW)
    with pytest.raises(InvalidInput) as refused:
        await service.register_designer(email="mei@example.org", consent=consent(1), **REGISTRATION)
    assert refused.value.field_errors == {"privacy": privacy.NOTICE_CHANGED}
    await service.register_designer(email="mei@example.org", consent=consent(2), **REGISTRATION)
    assert await PrivacyConsent.filter(user__email="mei@example.org").values_list("notice__version", flat=True) == [2]


async def test_a_new_version_is_due_for_everyone_until_each_accepts_it(db):
    designer, judge = await make_user(), await make_user()
    organiser = await make_user(is_staff=True)
    assert [await privacy.consent_due(u) for u in (designer, judge)] == [False, False]
    later = NOW + timedelta(days=30)
    notice = await privacy.publish_notice(SPEC, by=organiser, now=later)
    assert (notice.version, notice.created_by_id, notice.created_at) == (2, organiser.id, later)
    assert (await privacy.current_notice()).id == notice.id
    assert [await privacy.consent_due(u) for u in (designer, judge)] == [True, True]
    await privacy.accept(designer, consent(2, sensitive=True), ip="10.0.0.7", now=later)
    assert [await privacy.consent_due(u) for u in (designer, judge)] == [False, True]
    latest = await privacy.latest_consent(designer)
    assert (latest.notice.version, latest.sensitive, latest.accepted_at) == (2, True, later)
    versions = await privacy.versions_with_consents()
    assert [(n.version, count) for n, count in versions] == [(2, 1), (1, 3)]


async def test_accepting_an_old_version_or_without_the_tick_is_refused(db):
    user = await make_user()
    await privacy.publish_notice(SPEC, by=await make_user(is_staff=True), now=NOW)
    for given, message in ((consent(1), privacy.NOTICE_CHANGED), (consent(2, accepted=False), privacy.NOT_ACCEPTED_AGAIN)):
        with pytest.raises(InvalidInput) as refused:
            await privacy.accept(user, given, ip="", now=NOW)
        assert refused.value.field_errors == {"privacy": message}
    assert await privacy.consent_due(user) is True


async def test_publishing_is_audited_and_an_earlier_version_stays_as_it_was(db):
    organiser = await make_user(is_staff=True)
    first = await privacy.current_notice()
    await privacy.publish_notice(SPEC, by=organiser, now=NOW)
    assert await PrivacyNotice.get(id=first.id).values("version", "body") == {"version": 1, "body": DEFAULT_NOTICE.body}
    events = await AuditEvent.filter(action="privacy_notice.published").values("actor_id", "data", "contest_id")
    assert events == [{"actor_id": organiser.id, "data": {"version": 2, "title": SPEC.title}, "contest_id": None}]


def test_a_new_version_needs_a_title_and_a_text():
    with pytest.raises(InvalidInput) as refused:
        privacy.parse_notice({"title": " ", "title_en": "Privacy", "body": "", "body_en": "Text"})
    assert sorted(refused.value.field_errors) == ["body", "title"]
    assert privacy.parse_notice({"title": " 规则 ", "body": "正文"}) == privacy.NoticeSpec("规则", "", "正文", "")


async def test_a_session_opened_with_consent_due_keeps_it_until_given(db):
    user = await make_user()
    key = await sessions.start_session(user, now=NOW, consent_due=True)
    other = await sessions.start_session(user, now=NOW)
    assert [(await sessions.resume_session(k, now=NOW)).consent_due for k in (key, other)] == [True, False]
    await sessions.consent_given(key)
    assert (await sessions.resume_session(key, now=NOW)).consent_due is False


async def _consented(*, sensitive: bool) -> User:
    user = await make_user(consented=False)
    await privacy.record_consent(user, await privacy.current_notice(), sensitive=sensitive, ip="10.0.0.9", now=NOW)
    return user


def _rows(user: User):
    return PrivacyConsent.filter(user_id=user.id).order_by("id").values_list(
        "notice__version", "kind", "sensitive", "accepted_at", "ip")


async def test_withdrawing_the_sensitive_consent_adds_a_row_and_never_changes_the_old_one(db):
    user = await _consented(sensitive=True)
    assert await privacy.has_sensitive_consent(user) is True
    later = NOW + timedelta(days=3)
    withdrawal = await privacy.withdraw_sensitive(user, confirmed=True, ip="10.0.0.7", now=later)
    assert withdrawal is not None
    assert await _rows(user) == [(1, ConsentKind.GIVEN, True, NOW, "10.0.0.9"),
                                 (1, ConsentKind.SENSITIVE_WITHDRAWN, False, later, "10.0.0.7")]
    assert (await privacy.has_sensitive_consent(user), await privacy.consent_due(user)) == (False, False)
    events = await AuditEvent.filter(action="privacy_consent.sensitive_withdrawn").values("actor_id", "subject", "data")
    assert events == [{"actor_id": user.id, "subject": f"user:{user.id}", "data": {"version": 1}}]


async def test_has_sensitive_consent_follows_the_latest_answer(db):
    never, given = await make_user(consented=False), await _consented(sensitive=True)
    declined = await _consented(sensitive=False)
    assert [await privacy.has_sensitive_consent(u) for u in (never, given, declined)] == [False, True, False]
    await privacy.accept(declined, consent(1, sensitive=True), ip="", now=NOW + timedelta(days=1))
    await privacy.withdraw_sensitive(given, confirmed=True, ip="", now=NOW + timedelta(days=1))
    assert [await privacy.has_sensitive_consent(u) for u in (given, declined)] == [False, True]
    await privacy.accept(given, consent(1, sensitive=True), ip="", now=NOW + timedelta(days=2))
    await privacy.withdraw_consent(declined, confirmed=True, ip="", now=NOW + timedelta(days=2))
    assert [await privacy.has_sensitive_consent(u) for u in (given, declined)] == [True, False]


async def test_withdrawing_the_notice_consent_ends_every_session_and_asks_again_at_the_next_log_in(db):
    user, other = await _consented(sensitive=True), await _consented(sensitive=False)
    keys = [await sessions.start_session(u, now=NOW) for u in (user, user, other)]
    later = NOW + timedelta(minutes=10)
    await privacy.withdraw_consent(user, confirmed=True, ip="10.0.0.7", now=later)
    assert await _rows(user) == [(1, ConsentKind.GIVEN, True, NOW, "10.0.0.9"),
                                 (1, ConsentKind.WITHDRAWN, False, later, "10.0.0.7")]
    assert [await sessions.resume_session(k, now=later) is None for k in keys] == [True, True, False]
    assert (await privacy.consent_due(user), await privacy.has_sensitive_consent(user)) == (True, False)
    events = await AuditEvent.filter(action="privacy_consent.withdrawn").values("actor_id", "subject", "data")
    assert events == [{"actor_id": user.id, "subject": f"user:{user.id}", "data": {"version": 1}}]
    await privacy.accept(user, consent(1), ip="", now=later + timedelta(days=1))
    assert await privacy.consent_due(user) is False


async def test_a_withdrawal_needs_the_confirmation_and_a_consent_in_force(db):
    user = await _consented(sensitive=False)
    with pytest.raises(InvalidInput) as sensitive_refused:
        await privacy.withdraw_sensitive(user, confirmed=False, ip="", now=NOW)
    with pytest.raises(InvalidInput) as notice_refused:
        await privacy.withdraw_consent(user, confirmed=False, ip="", now=NOW)
    assert (sensitive_refused.value.field_errors, notice_refused.value.field_errors) == (
        {"confirm_sensitive": privacy.NOT_CONFIRMED}, {"confirm_withdraw": privacy.NOT_CONFIRMED})
    assert await privacy.withdraw_sensitive(user, confirmed=True, ip="", now=NOW) is None
    assert await privacy.withdraw_consent(user, confirmed=True, ip="", now=NOW) is not None
    assert await privacy.withdraw_consent(user, confirmed=True, ip="", now=NOW) is None
    assert [kind for _, kind, *_ in await _rows(user)] == [ConsentKind.GIVEN, ConsentKind.WITHDRAWN]
    assert await AuditEvent.filter(action__startswith="privacy_consent.").count() == 1


async def test_after_a_withdrawal_a_new_version_is_still_due_and_the_history_is_newest_first(db):
    user = await _consented(sensitive=True)
    await privacy.withdraw_sensitive(user, confirmed=True, ip="", now=NOW + timedelta(days=1))
    await privacy.publish_notice(SPEC, by=await make_user(is_staff=True), now=NOW + timedelta(days=2))
    assert await privacy.consent_due(user) is True
    await privacy.accept(user, consent(2), ip="", now=NOW + timedelta(days=3))
    history = await privacy.consent_history(user)
    assert [(row.notice.version, row.kind) for row in history] == [
        (2, ConsentKind.GIVEN), (1, ConsentKind.SENSITIVE_WITHDRAWN), (1, ConsentKind.GIVEN)]
    assert [(n.version, count) for n, count in await privacy.versions_with_consents()] == [(2, 1), (1, 2)]
