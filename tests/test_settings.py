from __future__ import annotations

import pytest

from contest.settings import ConfigurationError, load_settings

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

STRONG = "k3J9-xQ2m_Vb7Lp0aZr4Tn8Yc6Ws1Hd5FgE"


def production(tmp_path, **env):
    base = {"CONTEST_ENV": "production", "CONTEST_SECRET_KEY": STRONG, "CONTEST_DATA_DIR": str(tmp_path),
            "CONTEST_DATABASE_URL": "postgres://u@127.0.0.1/db", "CONTEST_ALLOWED_HOSTS": "contest.example.org",
            "CONTEST_PUBLIC_URL": "https://contest.example.org/"}
    return {**base, **env}


def test_production_with_strong_secret_starts(tmp_path):
    settings = load_settings(production(tmp_path))
    assert (settings.production, settings.workers) == (True, 1)


@pytest.mark.parametrize("secret", ["", "secret", "short-but-random", "a" * 40])
def test_production_refuses_a_weak_secret(tmp_path, secret):
    with pytest.raises(ConfigurationError, match="CONTEST_SECRET_KEY"):
        load_settings(production(tmp_path, CONTEST_SECRET_KEY=secret))


def test_production_refuses_debug(tmp_path):
    with pytest.raises(ConfigurationError, match="DEBUG"):
        load_settings(production(tmp_path, CONTEST_DEBUG="1"))


def test_production_refuses_demo_data(tmp_path):
    with pytest.raises(ConfigurationError, match="demo"):
        load_settings(production(tmp_path, CONTEST_DEMO="1"))


def test_production_refuses_sqlite_with_several_workers(tmp_path):
    env = production(tmp_path, CONTEST_DATABASE_URL=f"sqlite://{tmp_path}/db.sqlite3", CONTEST_WORKERS="2")
    with pytest.raises(ConfigurationError, match="SQLite"):
        load_settings(env)
    assert load_settings({**env, "CONTEST_WORKERS": "1"}).workers == 1


def test_development_generates_a_secret_once_and_keeps_it(tmp_path):
    first = load_settings({"CONTEST_DATA_DIR": str(tmp_path)})
    second = load_settings({"CONTEST_DATA_DIR": str(tmp_path)})
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_defaults_are_sqlite_under_the_data_folder_and_shanghai_time(tmp_path):
    settings = load_settings({"CONTEST_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite://{tmp_path}/contest.sqlite3"
    assert settings.default_tz == "Asia/Shanghai"
    assert settings.upload_dir.name == "uploads"


def test_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(ConfigurationError):
        load_settings({"CONTEST_ENV": "staging", "CONTEST_DATA_DIR": str(tmp_path)})


@pytest.mark.parametrize("hosts", ["*", "contest.example.org,*", "", "contest.example.org,"])
def test_production_refuses_any_host(tmp_path, hosts):
    with pytest.raises(ConfigurationError, match="CONTEST_ALLOWED_HOSTS"):
        load_settings(production(tmp_path, CONTEST_ALLOWED_HOSTS=hosts))


@pytest.mark.parametrize("url", ["", "http://contest.example.org", "https://elsewhere.example.org",
                                 "https://contest.example.org/contest", "contest.example.org"])
def test_production_needs_the_sites_public_https_address(tmp_path, url):
    with pytest.raises(ConfigurationError, match="CONTEST_PUBLIC_URL"):
        load_settings(production(tmp_path, CONTEST_PUBLIC_URL=url))


def test_the_public_address_is_kept_without_its_trailing_slash(tmp_path):
    settings = load_settings(production(tmp_path))
    assert (settings.public_url, settings.allowed_hosts) == ("https://contest.example.org", ("contest.example.org",))


def test_the_access_log_is_on_in_production_and_off_in_development_unless_asked(tmp_path):
    development = {"CONTEST_DATA_DIR": str(tmp_path)}
    assert [load_settings(production(tmp_path)).access_log, load_settings(development).access_log,
            load_settings(production(tmp_path, CONTEST_ACCESS_LOG="0")).access_log,
            load_settings({**development, "CONTEST_ACCESS_LOG": "1"}).access_log] == [True, False, False, True]


def test_the_metrics_token_is_read_and_kept_out_of_the_settings_repr(tmp_path):
    settings = load_settings({"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_METRICS_TOKEN": "scrape-" + STRONG})
    assert settings.metrics_token == "scrape-" + STRONG
    assert STRONG not in repr(settings)


def test_the_results_signal_goes_through_postgresql_and_stays_in_files_on_sqlite(tmp_path):
    sqlite = load_settings({"CONTEST_DATA_DIR": str(tmp_path)})
    assert (sqlite.results_signal, load_settings(production(tmp_path)).results_signal) == ("files", "database")
    one_machine = load_settings(production(tmp_path, CONTEST_RESULTS_SIGNAL="files"))
    assert one_machine.results_signal == "files"


@pytest.mark.parametrize("env", [{"CONTEST_RESULTS_SIGNAL": "redis"},
                                 {"CONTEST_RESULTS_SIGNAL": "database", "CONTEST_DATABASE_URL": "sqlite:///x.db"}])
def test_a_results_signal_that_cannot_work_is_refused(tmp_path, env):
    with pytest.raises(ConfigurationError, match="CONTEST_RESULTS_SIGNAL"):
        load_settings({"CONTEST_DATA_DIR": str(tmp_path), **env})
