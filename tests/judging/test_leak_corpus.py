"""The leak check against a labelled corpus: does it flag what a person reading the entry would?

Each text is scanned as the concept of an entry of one of three entrants. Half the texts name their
entrant the way people actually do (joined, hyphenated or reversed Latin names, a surname alone, an
organisation or school without its suffix, team members, the supervisor, contact numbers and ids,
personal links); the other half are ordinary entry texts that only look close.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from contest.judging.leaks import scan_entry

pytestmark = pytest.mark.unit

ENTRANTS = {
    "berg": (
        SimpleNamespace(display_name="Anna Berg", email="anna.berg@northlight.studio", phone="+86 139 1234 5678"),
        SimpleNamespace(organisation="Northlight Design Studio", school="Tongji University",
                        supervisor_name="Lukas Meyer", supervisor_email="l.meyer@tongji.edu.cn", public_name="Anna Berg"),
        [SimpleNamespace(name="Tom Fischer", organisation="")],
    ),
    "chen": (
        SimpleNamespace(display_name="陈晓明", email="chenxm88@163.com", phone="13800138000"),
        SimpleNamespace(organisation="青禾设计工作室", school="", supervisor_name="王建国", supervisor_email="",
                        public_name="陈晓明"),
        [SimpleNamespace(name="李小红", organisation="上海蓝印文化传播有限公司")],
    ),
    "zhao": (
        SimpleNamespace(display_name="赵雨桐", email="2750112233@qq.com", phone=""),
        SimpleNamespace(organisation="", school="浙江理工大学", supervisor_name="", supervisor_email="",
                        public_name="雨桐"),
        [],
    ),
}

NAMING = [
    ("berg", "Poster series by AnnaBerg, 2024."),
    ("berg", "anna-berg_final_v3"),
    ("berg", "Berg, Anna — silk screen print"),
    ("berg", "BERG ANNA"),
    ("berg", "Made in the workshop of Berg on a hand press."),
    ("berg", "Northlight 出品"),
    ("berg", "团队：Tom Fischer 与朋友们"),
    ("berg", "Supervised by Prof. Meyer."),
    ("berg", "Portfolio: https://www.behance.net/lightfox"),
    ("berg", "See https://northlight.studio/work for the full set."),
    ("berg", "Write to anna.berg for the files."),
    ("berg", "Tongji 2023 studio course"),
    ("berg", "Call 139-1234-5678 for samples."),
    ("chen", "作者：陈 晓 明"),
    ("chen", "青禾出品，版权所有"),
    ("chen", "团队成员：李小红"),
    ("chen", "指导老师：王建国教授"),
    ("chen", "联系电话 138 0013 8000"),
    ("chen", "电话：+86-138-0013-8000"),
    ("chen", "邮箱 chenxm88"),
    ("chen", "微信号：qinghe_design01"),
    ("chen", "vx: chenxm88"),
    ("chen", "蓝印文化出品"),
    ("chen", "手机一三八〇〇一三八〇〇〇"),
    ("chen", "更多作品见 https://www.zcool.com.cn/u/16273849"),
    ("zhao", "浙江理工2022级视觉传达作品"),
    ("zhao", "QQ：2750 1122 33"),
    ("zhao", "作者雨桐"),
    ("zhao", "欢迎交流 QQ 号 88776655"),
]

CLEAN = [
    ("berg", "A poster about the annual lantern rituals."),
    ("berg", "The iceberg series explores a warming climate."),
    ("berg", "Northern light over the harbour, in six colours."),
    ("berg", "Studio photography of paper cuts."),
    ("berg", "Printed at 1380 x 1000 mm on cotton rag."),
    ("berg", "The team tried 12 techniques before this one."),
    ("berg", "Bergamot and tea: a packaging line."),
    ("berg", "Reference: https://www.dpm.org.cn/collection/paint/228300"),
    ("berg", "Anniversary edition, 2025, numbered 1 to 300."),
    ("berg", "Annals of a river town, told in woodcut."),
    ("chen", "海派剪纸，以剪纸讲述百年工运。"),
    ("chen", "青花瓷与禾苗的对话"),
    ("chen", "晓风明月，江南印象"),
    ("chen", "建国七十周年纪念海报"),
    ("chen", "微信小程序界面设计，适配手机与平板"),
    ("chen", "QQ糖包装的再设计"),
    ("chen", "电话亭改造方案，1号线2号口"),
    ("chen", "设计说明：以蓝色印染为灵感，工作室手工完成。"),
    ("chen", "作品编号 2024-0815，尺寸 60 x 90 cm，共 3 件"),
    ("chen", "上海弄堂里的设计学院旧址"),
    ("zhao", "理工科学生的设计思维"),
    ("zhao", "浙江山水与江南园林"),
    ("zhao", "雨中梧桐，秋色满城"),
    ("zhao", "2750 米高的山上拍下的云"),
    ("zhao", "扫码关注公众号了解更多"),
    ("zhao", "微信红包封面设计"),
    ("zhao", "参考 https://en.wikipedia.org/wiki/Paper_cutting"),
    ("zhao", "1998—2024 的城市记忆"),
]


def flagged(key: str, text: str) -> bool:
    owner, entry, members = ENTRANTS[key]
    subject = SimpleNamespace(title="作品", concept=text, answers={}, **vars(entry))
    return bool(scan_entry(subject, owner=owner, members=members))


def test_the_corpus_is_big_enough_and_bilingual():
    assert len(NAMING) + len(CLEAN) >= 40
    assert len(NAMING) >= 20 and len(CLEAN) >= 20


def test_the_check_flags_what_a_person_would():
    missed = [text for key, text in NAMING if not flagged(key, text)]
    false_alarms = [text for key, text in CLEAN if flagged(key, text)]
    recall = 1 - len(missed) / len(NAMING)
    false_rate = len(false_alarms) / len(CLEAN)
    assert recall >= 0.95 and false_rate <= 0.05, (
        f"naming texts flagged {recall:.0%} (missed {missed}); clean texts flagged {false_rate:.0%} ({false_alarms})")
