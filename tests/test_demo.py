from __future__ import annotations

import pytest

from contest import demo
from tests.factories import make_contest, make_user

pytestmark = pytest.mark.unit


async def test_a_second_start_prints_the_demo_accounts_that_exist(db, settings):
    await make_contest()
    await make_user(email="organiser@demo.wenchuang.cn")
    await make_user(email="designer@demo.wenchuang.cn")
    accounts = await demo.seed(settings, only_if_empty=True)
    assert accounts == [("organiser", "organiser@demo.wenchuang.cn", demo.PASSWORDS["organiser"]),
                        ("designer", "designer@demo.wenchuang.cn", demo.PASSWORDS["designer"])]


async def test_real_data_without_demo_accounts_prints_nothing(db, settings):
    await make_contest()
    assert await demo.seed(settings, only_if_empty=True) == []
