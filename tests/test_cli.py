from __future__ import annotations

import sqlite3

import pytest

from tests.test_db import run_cli

pytestmark = pytest.mark.unit


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
    base = {"CONTEST_ENV": "production", "CONTEST_DATA_DIR": str(tmp_path), "CONTEST_SECRET_KEY": "k3J9-xQ2m_Vb7Lp0aZr4Tn8Yc6Ws1Hd5FgE",
            "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/prod.sqlite3"}
    result = run_cli("serve", "--port", "1", env={**base, **env})
    assert result.returncode == 2
    assert message in result.stderr


def test_serve_in_production_refuses_demo_data(tmp_path):
    env = {"CONTEST_ENV": "production", "CONTEST_DATA_DIR": str(tmp_path), "CONTEST_SECRET_KEY": "k3J9-xQ2m_Vb7Lp0aZr4Tn8Yc6Ws1Hd5FgE",
           "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/prod.sqlite3"}
    result = run_cli("serve", "--demo", "--port", "1", env=env)
    assert (result.returncode, "demo" in result.stderr) == (2, True)
