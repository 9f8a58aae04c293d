from __future__ import annotations

from datetime import timedelta

import pytest

from contest.accounts import privacy, service, sessions
from contest.accounts.models import PrivacyConsent, PrivacyNotice, User
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
