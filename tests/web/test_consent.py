"""The consents page (/account/consent): every answer a person gave, and withdrawing the sensitive consent or the
consent to the notice itself (PIPL art. 15). Pages in English: the Chinese comes with the catalogue."""

from __future__ import annotations

import pytest

from contest.accounts import privacy
from contest.accounts.models import ConsentKind, ContestRole, ContestRoleKind, PrivacyConsent, User
from contest.audit.models import AuditEvent
from tests.factories import NOW, PASSWORD, login_as, make_contest, make_user
from tests.web.helpers import form_token

pytestmark = pytest.mark.web


async def _person(client, settings, *, sensitive: bool = True, **fields) -> User:
    user = await make_user(consented=False, email="mei@example.org", **fields)
    await privacy.record_consent(user, await privacy.current_notice(), sensitive=sensitive, ip="10.0.0.9", now=NOW)
    client.cookies.set("contest_lang", "en", domain="testserver.local", path="/")
    await login_as(client, user, secret=settings.secret_key)
    return user


def _rows(user: User):
    return PrivacyConsent.filter(user_id=user.id).order_by("id").values_list("kind", "sensitive", "accepted_at", "ip")


async def test_the_page_shows_the_answer_in_force_the_history_and_both_withdrawals(client, settings):
    await _person(client, settings)
    page = await client.get("/account/consent")
    assert (page.status_code, page.headers["cache-control"]) == (200, "no-store")
    assert "The privacy notice: you agreed to version 1." in page.text
    assert "Sensitive personal information: you gave your separate consent." in page.text
    forms = ['action="/account/consent/sensitive"', 'action="/account/consent/withdraw"', 'href="/account/delete"']
    assert [form in page.text for form in forms] == [True, True, True]
    assert "Agreed, with the consent to sensitive personal information" in page.text
    assert "we ask you to agree to the notice again before anything else" in page.text


async def test_my_data_and_the_privacy_page_lead_to_it(client, settings):
    await _person(client, settings)
    for path in ("/me/data", "/privacy"):
        assert 'href="/account/consent"' in (await client.get(path)).text


async def test_withdrawing_the_sensitive_consent_unconfirmed_is_refused_by_the_box(client, settings):
    user = await _person(client, settings)
    token = await form_token(client, "/account/consent")
    refused = await client.post("/account/consent/sensitive", data={"csrf_token": token})
    assert refused.status_code == 400
    assert "Tick the box to confirm that you want to withdraw it." in refused.text
    assert 'id="s-confirm_sensitive"' in refused.text
    assert await _rows(user) == [(ConsentKind.GIVEN, True, NOW, "10.0.0.9")]


async def test_no_withdrawal_without_the_forms_token(client, settings):
    user = await _person(client, settings)
    for path, box in (("/account/consent/sensitive", "confirm_sensitive"), ("/account/consent/withdraw", "confirm_withdraw")):
        answer = await client.post(path, data={"csrf_token": "0" * 64, box: "1"})
        assert answer.status_code == 403
    assert await _rows(user) == [(ConsentKind.GIVEN, True, NOW, "10.0.0.9")]
    assert await AuditEvent.filter(action__startswith="privacy_consent.").count() == 0


async def test_withdrawing_the_sensitive_consent_adds_an_answer_and_the_old_one_stays(client, settings):
    user = await _person(client, settings)
    token = await form_token(client, "/account/consent")
    done = await client.post("/account/consent/sensitive", data={"csrf_token": token, "confirm_sensitive": "1"})
    assert (done.status_code, done.headers["location"]) == (303, "http://testserver/account/consent")
    page = await client.get("/account/consent")
    assert "Your consent to sensitive personal information is withdrawn." in page.text
    assert "Sensitive personal information: you have not given your separate consent, or withdrew it." in page.text
    assert 'action="/account/consent/sensitive"' not in page.text
    assert "Withdrew the consent to sensitive personal information" in page.text
    [old, new] = await _rows(user)
    assert old == (ConsentKind.GIVEN, True, NOW, "10.0.0.9")
    assert new[:2] == (ConsentKind.SENSITIVE_WITHDRAWN, False)
    assert await privacy.has_sensitive_consent(user) is False
    assert (await client.get("/me/")).status_code == 200  # the account goes on as before
    again = await client.post("/account/consent/sensitive", data={"csrf_token": token, "confirm_sensitive": "1"})
    assert "was already withdrawn" in (await client.get(again.headers["location"])).text
    assert len(await _rows(user)) == 2


async def test_withdrawing_the_notice_logs_out_and_the_next_log_in_lands_on_the_notice(client, settings):
    user = await _person(client, settings)
    token = await form_token(client, "/account/consent")
    refused = await client.post("/account/consent/withdraw", data={"csrf_token": token})
    assert (refused.status_code, 'id="w-confirm_withdraw"' in refused.text) == (400, True)
    done = await client.post("/account/consent/withdraw", data={"csrf_token": token, "confirm_withdraw": "1"})
    assert (done.status_code, done.headers["location"]) == (303, "http://testserver/")
    home = await client.get("/")
    assert "Your consent to the privacy notice is withdrawn and you are logged out." in home.text
    assert (await client.get("/me/")).headers["location"].startswith("http://testserver/account/login")
    assert [kind for kind, *_ in await _rows(user)] == [ConsentKind.GIVEN, ConsentKind.WITHDRAWN]
    assert await AuditEvent.filter(action="privacy_consent.withdrawn", actor_id=user.id).count() == 1
    login_token = await form_token(client, "/account/login")
    logged_in = await client.post("/account/login", data={"csrf_token": login_token, "email": "mei@example.org",
                                                          "password": PASSWORD})
    held = await client.get(logged_in.headers["location"])
    assert (held.status_code, held.headers["location"]) == (303, "http://testserver/account/privacy?next=%2Fme%2F")
    notice = await client.get(held.headers["location"])
    assert "You withdrew your consent to the privacy notice." in notice.text
    assert 'name="sensitive" value="1" checked' not in notice.text
    token = await form_token(client, "/account/privacy")
    await client.post("/account/privacy", data={"csrf_token": token, "privacy_version": "1", "privacy": "1"})
    assert (await client.get("/me/")).status_code == 200
    assert [kind for kind, *_ in await _rows(user)] == [ConsentKind.GIVEN, ConsentKind.WITHDRAWN, ConsentKind.GIVEN]


async def test_a_judge_withdraws_like_anyone(client, settings):
    judge = await _person(client, settings)
    await ContestRole.create(user=judge, contest=await make_contest(), role=ContestRoleKind.JUDGE)
    token = await form_token(client, "/account/consent")
    await client.post("/account/consent/sensitive", data={"csrf_token": token, "confirm_sensitive": "1"})
    assert await privacy.has_sensitive_consent(judge) is False
