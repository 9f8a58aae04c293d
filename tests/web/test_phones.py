"""Phone codes through the site, with the SMS adapter talking to a local server that speaks the provider's
protocol: a voter proving a number on the vote page (a vote counted per number), the provider refusing,
the organiser's setting, and a designer verifying their number. Codes are read from what the fake
provider received, and no page ever shows one."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from contest.accounts.models import ContestRole, ContestRoleKind, PhoneCode, User
from contest.app import create_app
from contest.contests.models import Contest
from contest.results.models import Vote, Voter
from contest.settings import Settings
from tests.factories import login_as, make_user
from tests.sms_servers import FakeSms, running
from tests.web.helpers import form_token
from tests.web.test_vote import CANDIDATE, open_vote, vote_url

pytestmark = pytest.mark.web

PHONE = "13812345678"


@pytest.fixture(params=["aliyun"])
def provider(request: pytest.FixtureRequest) -> Iterator[FakeSms]:
    with running(request.param) as fake:
        yield fake


def texting_client(settings: Settings, fake: FakeSms) -> httpx.AsyncClient:
    app = create_app(dataclasses.replace(settings, sms=fake.settings), manage_database=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def browser(settings: Settings, db: str, provider: FakeSms) -> AsyncIterator[httpx.AsyncClient]:
    async with texting_client(settings, provider) as http:
        yield http


async def phone_vote(**fields) -> Contest:
    contest, _ = await open_vote(**fields)
    await Contest.filter(id=contest.id).update(popular_vote_phone=True)
    return await Contest.get(id=contest.id)


async def prove_number(client: httpx.AsyncClient, contest: Contest, fake: FakeSms, typed: str) -> list[str]:
    """Prove `typed` through the vote page's forms; returns every page the visitor was shown."""
    token = await form_token(client, vote_url(contest))
    sent = await client.post(vote_url(contest, "/phone/code"), data={"csrf_token": token, "phone": typed})
    assert (sent.status_code, 'name="code"' in sent.text) == (200, True)
    code = fake.codes_to(PHONE)[-1]
    verified = await client.post(vote_url(contest, "/phone/verify"),
                                 data={"csrf_token": token, "phone": PHONE, "code": code})
    assert verified.status_code == 303
    page = await client.get(vote_url(contest))
    assert all(code not in text for text in (sent.text, verified.text, page.text))
    return [sent.text, page.text]


async def test_a_voter_proves_a_number_by_text_message_and_votes(browser, provider):
    contest = await phone_vote(quota=2)
    before = (await browser.get(vote_url(contest))).text
    assert ('name="phone"' in before, 'name="email"' in before, 'name="candidate"' in before) == (True, False, False)
    sent, page = await prove_number(browser, contest, provider, "+86 138-1234-5678")
    assert "138****5678" in sent and "138****5678" in page
    assert [(m.phone, m.sign, m.template) for m in provider.received] == [(PHONE, "文创赛", "SMS_123456")]
    keys = CANDIDATE.findall(page)
    token = await form_token(browser, vote_url(contest))
    voted = await browser.post(vote_url(contest, "/cast"), data={"csrf_token": token, "candidate": keys[0]})
    assert voted.status_code == 303
    assert await Vote.filter(voter__email=f"tel:+86{PHONE}").count() == 1


async def test_the_quota_follows_the_number_into_another_browser(settings, db, provider):
    contest = await phone_vote(quota=2)
    async with texting_client(settings, provider) as phone, texting_client(settings, provider) as laptop:
        for client in (phone, laptop):
            await prove_number(client, contest, provider, PHONE)
        keys = CANDIDATE.findall((await phone.get(vote_url(contest))).text)
        token = await form_token(phone, vote_url(contest))
        await phone.post(vote_url(contest, "/cast"), data={"csrf_token": token, "candidate": keys[0]})
        token = await form_token(laptop, vote_url(contest))
        await laptop.post(vote_url(contest, "/cast"), data={"csrf_token": token, "candidate": keys[1]})
        await laptop.post(vote_url(contest, "/cast"), data={"csrf_token": token, "candidate": keys[2]})
        page = (await phone.get(vote_url(contest))).text
    assert ("您今天的票数已用完" in page, 'name="candidate"' in page) == (True, False)
    assert (await Voter.all().count(), await Vote.all().count()) == (1, 2)


@pytest.mark.parametrize("provider", ["aliyun", "tencent"], indirect=True)
async def test_a_provider_refusal_is_said_in_the_visitors_language_and_keeps_the_number(browser, provider):
    contest = await phone_vote()
    provider.refusals.append("isv.BUSINESS_LIMIT_CONTROL" if provider.provider == "aliyun"
                             else "LimitExceeded.PhoneNumberDailyLimit")
    token = await form_token(browser, vote_url(contest))
    refused = await browser.post(vote_url(contest, "/phone/code"), data={"csrf_token": token, "phone": "138 1234 5678"})
    assert refused.status_code == 429
    assert re.search(r'<p class="field-error" id="e-phone">([^<]*)</p>', refused.text).group(1) == \
        "该号码收到的短信过多，请稍后再试。"
    assert 'value="138 1234 5678"' in refused.text and 'name="code"' not in refused.text
    assert (provider.received, await PhoneCode.all().count()) == ([], 0)
    browser.headers["accept-language"] = "en"
    provider.refusals.append("isv.BUSINESS_LIMIT_CONTROL" if provider.provider == "aliyun"
                             else "LimitExceeded.PhoneNumberDailyLimit")
    token = await form_token(browser, vote_url(contest))
    refused = await browser.post(vote_url(contest, "/phone/code"), data={"csrf_token": token, "phone": PHONE})
    assert "This number has received too many text messages. Please try again later." in refused.text


async def test_a_wrong_code_keeps_the_number_and_proves_nothing(browser, provider):
    contest = await phone_vote()
    token = await form_token(browser, vote_url(contest))
    await browser.post(vote_url(contest, "/phone/code"), data={"csrf_token": token, "phone": PHONE})
    wrong = f"{(int(provider.codes_to(PHONE)[-1]) + 1) % 10**6:06d}"
    answer = await browser.post(vote_url(contest, "/phone/verify"),
                                data={"csrf_token": token, "phone": PHONE, "code": wrong})
    assert answer.status_code == 400 and 'id="e-code"' in answer.text
    assert f'name="phone" value="{PHONE}"' in answer.text and "contest_vote" not in answer.headers.get("set-cookie", "")
    assert await Voter.all().count() == 0


async def test_while_the_vote_counts_numbers_e_mail_neither_asks_for_codes_nor_votes(browser, settings):
    contest = await phone_vote()
    token = await form_token(browser, vote_url(contest))
    asked = await browser.post(vote_url(contest, "/code"), data={"csrf_token": token, "email": "fan@example.com"})
    assert asked.status_code == 409 and "本次投票按手机号计票，请填写手机号码而非电子邮箱。" in asked.text
    await Contest.filter(id=contest.id).update(popular_vote_phone=False)
    from tests.web.test_vote import become_voter  # an e-mail voter while the vote still took e-mail

    token = await become_voter(browser, contest, "fan@example.com")
    await Contest.filter(id=contest.id).update(popular_vote_phone=True)
    page = (await browser.get(vote_url(contest))).text
    assert ('name="phone"' in page, 'name="candidate"' in page) == (True, False)
    keys = CANDIDATE.findall(page)
    cast = await browser.post(vote_url(contest, "/cast"), data={"csrf_token": token, "candidate": keys[0]})
    assert cast.status_code == 303
    assert await Vote.all().count() == 0


async def test_without_the_setting_the_phone_forms_send_nothing(browser, provider):
    contest, _ = await open_vote()
    page = (await browser.get(vote_url(contest))).text
    assert ('name="email"' in page, 'name="phone"' in page) == (True, False)
    token = await form_token(browser, vote_url(contest))
    asked = await browser.post(vote_url(contest, "/phone/code"), data={"csrf_token": token, "phone": PHONE})
    assert asked.status_code == 409 and provider.received == []


async def organiser_of(client: httpx.AsyncClient, settings: Settings, contest: Contest) -> str:
    organiser = await make_user()
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    return await form_token(client, f"/admin/c/{contest.slug}/settings")


SETTINGS_FORM = {"title": "2027 工会文创大赛", "time_zone": "Asia/Shanghai", "notice_days": "0",
                 "max_entries_per_designer": "20", "max_mb_per_designer": "500", "popular_vote_enabled": "1",
                 "popular_vote_daily_quota": "3", "popular_vote_share": "0", "popular_vote_phone": "1"}


async def test_the_organiser_turns_on_votes_per_number_where_the_site_sends_texts(browser, client, settings):
    contest, _ = await open_vote()
    token = await organiser_of(browser, settings, contest)
    saved = await browser.post(f"/admin/c/{contest.slug}/settings", data={"csrf_token": token, **SETTINGS_FORM})
    assert saved.status_code == 303 and (await Contest.get(id=contest.id)).popular_vote_phone is True
    page = (await browser.get(f"/admin/c/{contest.slug}/settings")).text
    assert re.search(r'id="c-popular_vote_phone" name="popular_vote_phone" value="1" checked', page)
    await Contest.filter(id=contest.id).update(popular_vote_phone=False)
    token = await organiser_of(client, settings, contest)  # the default app: CONTEST_SMS_PROVIDER=none
    refused = await client.post(f"/admin/c/{contest.slug}/settings", data={"csrf_token": token, **SETTINGS_FORM})
    assert refused.status_code == 400 and "本站不发送短信（CONTEST_SMS_PROVIDER），无法验证手机号码。" in refused.text
    assert (await Contest.get(id=contest.id)).popular_vote_phone is False


async def test_a_designer_verifies_their_number(browser, settings, provider):
    designer = await make_user(phone="010-6512 3456")
    await login_as(browser, designer, secret=settings.secret_key)
    page = (await browser.get("/me/phone")).text
    assert ("未验证" in page, 'value="010-6512 3456"' in page) == (True, True)
    token = await form_token(browser, "/me/phone")
    bad = await browser.post("/me/phone/code", data={"csrf_token": token, "phone": "010-6512 3456"})
    assert bad.status_code == 400 and 'value="010-6512 3456"' in bad.text and provider.received == []
    sent = await browser.post("/me/phone/code", data={"csrf_token": token, "phone": "138 1234 5678"})
    code = provider.codes_to(PHONE)[-1]
    wrong = await browser.post("/me/phone/verify", data={"csrf_token": token, "phone": PHONE, "code": "000000"
                                                         if code != "000000" else "000001"})
    assert wrong.status_code == 400 and f'name="phone" value="{PHONE}"' in wrong.text
    done = await browser.post("/me/phone/verify", data={"csrf_token": token, "phone": PHONE, "code": code})
    assert done.status_code == 303 and done.headers["location"] == "http://testserver/me/phone"
    shown = (await browser.get("/me/phone")).text
    assert "已验证" in shown and "138****5678" in shown
    assert all(code not in text for text in (sent.text, wrong.text, shown))
    stored = await User.get(id=designer.id)
    assert (stored.phone, stored.phone_verified_at is not None) == (PHONE, True)


async def test_a_site_without_texts_offers_no_phone_form(client, settings):
    designer = await make_user()
    await login_as(client, designer, secret=settings.secret_key)
    page = (await client.get("/me/phone")).text
    assert 'name="code"' not in page and 'name="phone"' not in page and "本站无法发送短信" in page
