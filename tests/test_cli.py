from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys

import pytest

from contest.settings import PROJECT_ROOT
from tests.commands import run_cli
from tests.connections import NOWHERE
from tests.test_settings import STRONG

pytestmark = [pytest.mark.unit, pytest.mark.any_database]


def test_create_organiser_makes_a_staff_account(tmp_path):
    env = {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3",
           "CONTEST_ORGANISER_PASSWORD": "committee password"}
    result = run_cli("create-organiser", "Chair@Example.org", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("Organiser Chair@Example.org is ready.")
    rows = sqlite3.connect(tmp_path / "cli.sqlite3").execute('select email, is_staff from "user"').fetchall()
    assert rows == [("chair@example.org", 1)]


def test_create_organiser_refuses_a_short_password(tmp_path):
    env = {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3",
           "CONTEST_ORGANISER_PASSWORD": "short"}
    result = run_cli("create-organiser", "chair@example.org", env=env)
    assert (result.returncode, result.stderr) == (2, "contest: password: Use at least 10 characters.\n")
    assert sqlite3.connect(tmp_path / "cli.sqlite3").execute('select count(*) from "user"').fetchone() == (0,)


@pytest.mark.parametrize(("env", "message"), [
    ({"CONTEST_SECRET_KEY": "secret"}, "CONTEST_SECRET_KEY"),
    ({"CONTEST_DEBUG": "1"}, "DEBUG"),
    ({"CONTEST_WORKERS": "2"}, "SQLite serves one worker"),
    ({}, "CONTEST_ALLOWED_HOSTS"),
    ({"CONTEST_ALLOWED_HOSTS": "contest.example.org"}, "CONTEST_PUBLIC_URL"),
])
def test_serve_in_production_refuses_unsafe_settings(tmp_path, env, message):
    base = {"CONTEST_ENV": "production", "CONTEST_DATA_DIR": str(tmp_path),
            "CONTEST_SECRET_KEY": "k3J9-xQ2m_Vb7Lp0aZr4Tn8Yc6Ws1Hd5FgE", "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/prod.sqlite3"}
    result = run_cli("serve", "--port", "1", env={**base, **env})
    assert result.returncode == 2
    assert message in result.stderr


def test_serve_in_production_refuses_demo_data(tmp_path):
    env = {"CONTEST_ENV": "production", "CONTEST_DATA_DIR": str(tmp_path),
           "CONTEST_SECRET_KEY": "k3J9-xQ2m_Vb7Lp0aZr4Tn8Yc6Ws1Hd5FgE", "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/prod.sqlite3"}
    result = run_cli("serve", "--demo", "--port", "1", env=env)
    assert (result.returncode, "demo" in result.stderr) == (2, True)


def serve_env(tmp_path, **extra: str) -> dict[str, str]:
    return {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_UPLOAD_DIR": str(tmp_path / "uploads"),
            "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/serve.sqlite3", "CONTEST_MAIL_DIR": "", **extra}


@pytest.mark.parametrize(("language", "message"), [
    ({"LANG": "C.UTF-8"}, "端口 {port} 已被占用"),
    ({"LANG": "zh_CN.UTF-8"}, "端口 {port} 已被占用"),
    ({"LANG": "en_GB.UTF-8"}, "Port {port} is already in use"),
    ({"LANG": "C", "LC_ALL": "en_US.UTF-8"}, "Port {port} is already in use"),
])
def test_serve_on_a_port_in_use_says_so_and_exits_non_zero(tmp_path, language, message):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), env={**serve_env(tmp_path), "LC_ALL": "", "LANGUAGE": "",
                                                            **language})
    assert result.returncode == 1
    assert message.format(port=port) in result.stderr
    assert f"--port {port + 1}" in result.stderr
    assert "serving on" not in result.stdout
    assert "Traceback" not in result.stderr


def test_serve_says_serving_on_only_once_it_accepts_connections(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "contest", "serve", "--port", str(port)]
    with subprocess.Popen(command, env={**os.environ, **serve_env(tmp_path)}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as server:
        try:
            lines = []
            for line in server.stdout:  # type: ignore[union-attr]  # stdout=PIPE: a stream, never None
                lines.append(line)
                if "serving on" in line:
                    break
            assert lines and lines[-1].strip() == f"文创赛 serving on http://127.0.0.1:{port}/", lines
            with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                assert connection.recv(64).startswith(b"HTTP/1.1 200")
        finally:
            server.terminate()
            server.wait(timeout=20)


MIGRATIONS = sorted(path.stem for path in (PROJECT_ROOT / "contest" / "migrations").glob("[0-9]*.py"))


def check_env(tmp_path, **extra: str) -> dict[str, str]:
    return {"CONTEST_ENV": "production", "CONTEST_SECRET_KEY": STRONG, "CONTEST_DATA_DIR": str(tmp_path),
            "CONTEST_UPLOAD_DIR": str(tmp_path / "uploads"), "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/c.sqlite3",
            "CONTEST_ALLOWED_HOSTS": "contest.example.org", "CONTEST_PUBLIC_URL": "https://contest.example.org",
            "CONTEST_SMTP_HOST": "", "CONTEST_MAIL_DIR": "", "LC_ALL": "en_US.UTF-8", **extra}


def test_check_passes_a_migrated_production_installation(tmp_path):
    env = check_env(tmp_path)
    assert run_cli("migrate", env=env).returncode == 0
    result = run_cli("check", env=env)
    assert (result.returncode, result.stdout, result.stderr) == (
        0, "OK: nothing to fix (configuration, database, storage, smtp, broker, payout_key).\n", "")


@pytest.mark.parametrize(("locale", "expected"), [
    ("en_US.UTF-8", ["2 problem(s) to fix before serving:",
                     "- production needs CONTEST_SECRET_KEY: at least 32 random characters",
                     "- The database cannot be reached: [Errno 111] Connect call failed ('127.0.0.1', 1)"]),
    ("zh_CN.UTF-8", ["上线前需要修复 2 个问题：",
                     "- 生产环境需要 CONTEST_SECRET_KEY：至少 32 个随机字符",
                     "- 无法连接数据库：[Errno 111] Connect call failed ('127.0.0.1', 1)"]),
])
def test_check_lists_every_problem_in_the_terminals_language_and_exits_1(tmp_path, locale, expected):
    env = check_env(tmp_path, CONTEST_SECRET_KEY="changeme", CONTEST_DATABASE_URL=NOWHERE, LC_ALL=locale)
    result = run_cli("check", env=env)
    assert (result.returncode, result.stdout, result.stderr.splitlines()) == (1, "", expected)


def test_check_reports_unapplied_migrations(tmp_path):
    result = run_cli("check", env=check_env(tmp_path))
    assert (result.returncode, result.stderr.splitlines()) == (1, [
        "1 problem(s) to fix before serving:",
        f"- The database lacks {len(MIGRATIONS)} migration(s) ({MIGRATIONS[0]} … {MIGRATIONS[-1]}): run contest migrate"])


def test_purge_counts_on_a_dry_run_and_then_anonymises_a_contest_past_its_retention(tmp_path):
    env = {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3"}
    assert run_cli("migrate", env=env).returncode == 0
    database = sqlite3.connect(tmp_path / "cli.sqlite3")
    with database:
        database.executemany("insert into contest (slug, title, announce_at, retention_days, created_at, "
                             "organisers_text, rules_md, rules_md_en) "
                             "values (?, ?, ?, ?, '2020-01-01 00:00:00+00:00', '', '', '')",
                             [("old", "往届", "2021-01-01 00:00:00+00:00", 365),
                              ("kept", "永久保存", "2021-01-01 00:00:00+00:00", 0)])
    planned = run_cli("purge", "--dry-run", env=env)
    assert planned.returncode == 0, planned.stderr
    assert "将要匿名化 / would anonymise:\n  大赛 / contests: 1\n" in planned.stdout
    assert database.execute("select count(*) from contest where purged_at is not null").fetchone() == (0,)
    done = run_cli("purge", env=env)
    assert "已匿名化 / anonymised:\n  大赛 / contests: 1\n" in done.stdout
    assert database.execute("select slug from contest where purged_at is not null").fetchall() == [("old",)]
