from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contest.timefmt import format_moment, zone_name

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

MOMENT = datetime(2026, 2, 9, 2, 54, 37, tzinfo=UTC)


@pytest.mark.parametrize(("locale", "expected"), [
    ("zh_CN", "2026年2月9日 10:54（北京时间）"),
    ("en", "February 9, 2026, 10:54 (Beijing time)"),
])
def test_a_moment_reads_in_the_contest_zone_to_the_minute_with_its_everyday_name(locale, expected):
    assert format_moment(MOMENT, "Asia/Shanghai", locale) == expected


def test_without_the_zone_only_the_wall_clock_is_left():
    assert format_moment(MOMENT, "Asia/Shanghai", "zh_CN", with_zone=False) == "2026年2月9日 10:54"


def test_the_day_is_the_contest_zone_s_day_not_utc_s():
    assert format_moment(datetime(2026, 2, 9, 20, 5, tzinfo=UTC), "Asia/Shanghai", "zh_CN") == (
        "2026年2月10日 04:05（北京时间）")


def test_nothing_for_no_moment():
    assert format_moment(None, "Asia/Shanghai", "zh_CN") == ""


@pytest.mark.parametrize(("zone", "locale", "expected"), [
    ("Asia/Hong_Kong", "zh_CN", "香港时间"),
    ("UTC", "en", "UTC"),
    ("Europe/Berlin", "zh_CN", "中欧时间"),
    ("America/New_York", "en", "Eastern Time"),
    ("Asia/Urumqi", "en", "China (Ürümqi) Time"),
    ("Etc/GMT-3", "en", "GMT+03:00"),
])
def test_other_zones_have_a_human_name_or_else_their_offset(zone, locale, expected):
    assert zone_name(zone, locale, at=MOMENT) == expected


def test_a_zone_with_summer_time_reads_its_local_hour():
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert format_moment(summer, "Europe/Berlin", "en") == "July 1, 2026, 14:00 (Central European Time)"
