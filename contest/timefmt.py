"""Times as people read them: "2026年2月9日 10:54（北京时间）", "February 9, 2026, 10:54 (Beijing time)".

The one formatter for pages and e-mails. A time is always shown on the contest's wall clock, to the
minute, with the zone named the way people say it: never an offset such as "+0800", never an IANA name
such as "Asia/Shanghai", never UTC unless the contest runs on it. Pure; no I/O.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.core import get_global
from babel.dates import format_date, get_timezone_gmt, get_timezone_name

from contest import clock

# How people in China name the zones they meet; CLDR calls Asia/Shanghai "中国标准时间" / "China Time".
EVERYDAY_NAMES = {
    "Asia/Shanghai": ("北京时间", "Beijing time"),
    "Asia/Chongqing": ("北京时间", "Beijing time"),
    "Asia/Harbin": ("北京时间", "Beijing time"),
    "PRC": ("北京时间", "Beijing time"),
    "Asia/Hong_Kong": ("香港时间", "Hong Kong time"),
    "Asia/Macau": ("澳门时间", "Macau time"),
    "Asia/Taipei": ("台北时间", "Taipei time"),
    "UTC": ("协调世界时", "UTC"),
    "Etc/UTC": ("协调世界时", "UTC"),
}


def babel_locale(locale: str) -> str:
    return "zh_Hans_CN" if locale == "zh_CN" else locale


def zone_name(zone: str, locale: str, *, at: datetime | None = None) -> str:
    """The zone's everyday name; else CLDR's generic name ("中欧时间", "Eastern Time"); else, for a zone
    CLDR names by no region, its offset at `at` ("GMT+06:00"; now when not given)."""
    if zone in EVERYDAY_NAMES:
        return EVERYDAY_NAMES[zone][locale == "en"]
    if get_global("meta_zones").get(zone):
        return get_timezone_name(zone, "long", locale=babel_locale(locale), zone_variant="generic")
    return get_timezone_gmt((at or clock.now()).astimezone(ZoneInfo(zone)), "long", locale=babel_locale(locale))


def format_moment(moment: datetime | None, zone: str, locale: str, *, with_zone: bool = True) -> str:
    """`moment` (aware) on `zone`'s wall clock, to the minute, in `locale`'s words; "" for None.
    `with_zone=False` leaves the zone's name out, for tables whose page names it once."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(zone))
    day = format_date(local.date(), "long", locale=babel_locale(locale))
    text = f"{day}, {local:%H:%M}" if locale == "en" else f"{day} {local:%H:%M}"
    if not with_zone:
        return text
    name = zone_name(zone, locale, at=moment)
    return f"{text} ({name})" if locale == "en" else f"{text}（{name}）"
