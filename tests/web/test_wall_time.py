from __future__ import annotations

from datetime import datetime, timezone

import pytest

from contest.web.templating import wall_time

pytestmark = pytest.mark.unit

MOMENT = datetime(2026, 2, 9, 2, 54, 31, tzinfo=timezone.utc)


def test_a_wall_time_reads_to_the_minute_in_the_contests_zone_named_as_people_say_it():
    assert wall_time(MOMENT, "Asia/Shanghai", locale="zh_CN") == "2026年2月9日 10:54（北京时间）"
    assert wall_time(MOMENT, "Asia/Shanghai", locale="en") == "9 Feb 2026, 10:54 (Beijing time)"
    assert wall_time(None, "Asia/Shanghai", locale="zh_CN") == ""
