from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest

from contest.console import checks
from contest.media.stores import open_store
from contest.results.sealing import new_key
from contest.settings import PRODUCTION_RULES, Settings
from tests.connections import NOWHERE, database_at
from tests.factories import make_contest
from tests.test_cli import MIGRATIONS
from tests.test_settings import production

pytestmark = pytest.mark.unit

def texts(problems: list[checks.Problem], locale: str = "en") -> list[str]:
    return [problem.text(locale) for problem in problems]


async def test_a_sound_production_configuration_has_no_problem(tmp_path):
    from contest.settings import load_settings

    assert await checks.configuration(load_settings(production(tmp_path))) == []


async def test_every_broken_production_rule_is_reported_not_only_the_first(tmp_path, settings):
    broken = replace(settings, env="production", secret_key="changeme", debug=True, allowed_hosts=("*",),
                     public_url="http://contest.example.org")
    assert [problem.message for problem in await checks.configuration(broken)] == [
        PRODUCTION_RULES[1].message, PRODUCTION_RULES[2].message, PRODUCTION_RULES[5].message,
        PRODUCTION_RULES[6].message]


def addressed(settings: Settings) -> Settings:
    return replace(settings, allowed_hosts=("contest.example.org",), public_url="https://contest.example.org")


async def test_development_is_reported_as_not_production(settings):
    assert texts(await checks.configuration(addressed(settings))) == [
        "CONTEST_ENV is not production: set CONTEST_ENV=production on a server"]


async def test_a_migrated_reachable_database_passes(db, settings):
    assert await checks.database(settings) == []


async def test_an_unreachable_database_is_reported(settings):
    with database_at(NOWHERE):
        problems = await checks.database(settings)
    assert [problem.message for problem in problems] == [checks.DATABASE_UNREACHABLE]
    assert "Connect call failed" in texts(problems)[0]


async def test_missing_and_unknown_migrations_are_reported(settings, tmp_path):
    with database_at(f"sqlite://{tmp_path}/empty.sqlite3") as empty:
        assert texts(await checks.database(settings)) == [
            f"The database lacks {len(MIGRATIONS)} migration(s) ({MIGRATIONS[0]} … {MIGRATIONS[-1]}): run contest migrate"]
        await empty.execute_script('CREATE TABLE tortoise_migrations (app TEXT, name TEXT, applied_at TEXT);'
                                   "INSERT INTO tortoise_migrations VALUES ('models', '0099_future', '2026-12-06');")
        problems = await checks.database(settings)
        await empty.close()
    assert texts(problems)[1:] == [("The database has migrations this version of the code does not know "
                                    "(0099_future): install the matching version")]


async def test_storage_writes_and_removes_a_probe(settings):
    assert await checks.storage(settings) == []
    assert list(settings.upload_dir.rglob("*")) == [settings.upload_dir / "tmp"]


async def test_storage_that_cannot_be_written_is_reported(settings, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert texts(await checks.storage(replace(settings, upload_dir=blocked / "uploads"))) == [
        f"The upload folder {blocked / 'uploads'} is not writable: Not a directory"]


@asynccontextmanager
async def smtp_server() -> AsyncIterator[int]:
    """Just enough SMTP to greet, answer EHLO and QUIT (no STARTTLS offered)."""
    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 mail.test ESMTP\r\n")
        while line := await reader.readline():
            verb = line.split()[0].upper() if line.strip() else b""
            writer.write({b"EHLO": b"250-mail.test\r\n250 8BITMIME\r\n", b"QUIT": b"221 bye\r\n"}.get(verb, b"502 no\r\n"))
            await writer.drain()
            if verb == b"QUIT":
                break
        writer.close()

    server = await asyncio.start_server(session, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


async def test_smtp_is_checked_only_when_a_mail_server_is_set(settings):
    assert await checks.smtp(replace(settings, smtp_host="")) == []


async def test_a_mail_server_that_answers_ehlo_passes(settings):
    async with smtp_server() as port:
        assert await checks.smtp(replace(settings, smtp_host="127.0.0.1", smtp_port=port)) == []


async def test_a_mail_server_that_does_not_answer_is_reported_in_both_languages(settings):
    problems = await checks.smtp(replace(settings, smtp_host="127.0.0.1", smtp_port=1))
    (english,), (chinese,) = texts(problems, "en"), texts(problems, "zh_CN")
    assert english.startswith("The mail server 127.0.0.1:1 does not answer: Error connecting to 127.0.0.1")
    assert chinese.startswith("邮件服务器 127.0.0.1:1 无应答：Error connecting to 127.0.0.1")


async def test_run_checks_names_each_check_with_its_problems(db, settings):
    found = await checks.run_checks(addressed(settings))
    assert {name: texts(problems) for name, problems in found.items()} == {
        "configuration": ["CONTEST_ENV is not production: set CONTEST_ENV=production on a server"],
        "database": [], "storage": [], "smtp": [], "broker": [], "payout_key": []}


async def test_production_without_a_payout_key_is_reported_once_a_contest_takes_payouts(db, settings):
    production = replace(settings, env="production", payout_key="")
    assert await checks.payout_key(production) == []
    await make_contest(payouts_open=True)
    assert texts(await checks.payout_key(production)) == [checks.PAYOUT_KEY_MISSING]
    assert await checks.payout_key(replace(production, payout_key=new_key())) == []
    assert await checks.payout_key(replace(production, env="development")) == []  # derived from the secret key


async def test_the_storage_check_writes_and_removes_a_probe_object_in_the_bucket(settings, s3_server):
    bucketed = replace(settings, **s3_server.settings(s3_server.new_bucket()))
    assert await checks.storage(bucketed) == []
    assert await open_store(bucketed).stored_names() == []  # the probe is gone again


async def test_a_bucket_that_cannot_be_written_is_named_with_the_reason(settings, s3_server):
    missing = replace(settings, **s3_server.settings("no-such-bucket"))
    assert [problem.message for problem in await checks.storage(missing)] == [checks.BUCKET_NOT_WRITABLE]
    assert "no-such-bucket" in texts(await checks.storage(missing))[0]
