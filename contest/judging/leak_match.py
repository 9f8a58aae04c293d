"""Finding an entrant's identity in a piece of text the way a person reading it would. Pure.

`identity_needles` turns who the entrant is into patterns; `find` says which kinds of identity a
text shows. Beyond the literal fields a reader also recognises a Latin name joined, hyphenated or
reversed, a surname on its own, an organisation or school without its legal or descriptive suffix,
phone numbers however they are spaced (or written in Chinese numerals), and contact details that
are not in the profile at all: any e-mail address, mobile number, QQ or WeChat id, or a link to a
personal portfolio site.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import permutations

MIN_CJK_NEEDLE = 2
MIN_LATIN_NEEDLE = 3
MIN_LATIN_CORE = 4  # an organisation's remaining word, e.g. "northlight" of "Northlight Design Studio"
MIN_PHONE_DIGITS = 7
MIN_QQ_DIGITS = 5
MAX_NAME_PARTS = 4

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LETTER = r"[^\W\d_]"
_NAME_SEPARATORS = r"[\s\-_.·,，]*"
_NOT_DIGIT = re.compile(r"\D+")
_PHONE_RUN = re.compile(r"\d[\d\s\-()（）.]*\d")
_CJK_DIGITS = str.maketrans("〇零一二三四五六七八九幺", "001234567891")

_ORG_SUFFIXES = (  # stripped repeatedly from the end, longest first
    "股份有限公司", "有限责任公司", "设计工作室", "设计事务所", "有限公司", "集团公司", "文化传播", "工作室",
    "事务所", "研究院", "研究所", "公司", "集团", "设计", "文化", "传播", "传媒", "科技", "创意", "大学", "学院",
    "学校", "中心",
)
_LATIN_ORG_WORDS = frozenset({
    "academy", "art", "arts", "college", "co", "company", "corp", "corporation", "creative", "design", "designs",
    "gmbh", "group", "inc", "institute", "lab", "limited", "llc", "ltd", "of", "school", "studio", "studios",
    "the", "university", "and", "&",
})
_PLACES = frozenset(
    "中国 北京 上海 天津 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 "
    "贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 南京 杭州 苏州 广州 深圳 武汉 成都 西安 "
    "厦门 青岛 宁波 无锡 长沙 郑州 济南 合肥 福州 昆明 大连 沈阳 哈尔滨 长春 石家庄 太原 南昌 南宁 贵阳 兰州 东莞 "
    "佛山 温州 绍兴 嘉兴 金华 常州 徐州 扬州 南通 珠海 景德镇".split()
)
# What is left of a name once its place is taken away, and says nothing about who it is.
_GENERIC_CORES = frozenset(
    "理工 师范 美术 艺术 设计 文化 科技 工业 工程 财经 传媒 农业 医科 交通 外国语 职业技术 建筑 创意 民族 中医药 "
    "体育 音乐 电子 信息 城市 国际 青年 第一 人民 工艺美术 纺织 服装".split()
)
_FREE_MAIL = frozenset({
    "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com", "139.com",
    "aliyun.com", "gmail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com", "me.com",
    "protonmail.com", "proton.me",
})
_SECOND_LEVEL = frozenset({"ac", "co", "com", "edu", "gov", "net", "org"})  # as in edu.cn, co.uk
# Sites where a link leads to a person's own page of work.
PORTFOLIO_HOSTS = frozenset({
    "behance.net", "dribbble.com", "zcool.com.cn", "artstation.com", "deviantart.com", "instagram.com",
    "weibo.com", "weibo.cn", "xiaohongshu.com", "xhslink.com", "lofter.com", "huaban.com", "pinterest.com",
    "github.com", "linkedin.com", "douyin.com", "bilibili.com", "b23.tv", "facebook.com", "x.com", "twitter.com",
    "tiktok.com", "vimeo.com", "gcores.com", "tuchong.com", "ui.cn", "cargo.site", "carbonmade.com",
})

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s\-]?)?1[3-9]\d(?:[\s\-.]?\d){8}(?!\d)")
_MESSENGER_ID = re.compile(
    r"(?<![a-z])(微信|wechat|weixin|vx|wx|qq|扣扣)\s*(号码|账号|号|id)?\s*([:：])?\s*"
    r"([a-z][-_a-z0-9]{5,19}|\d[\d \-]{3,14}\d)(?![\w])"
)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。；）]+|\b[\w.-]+\.(?:com|net|cn|site|me|tv)(?:/[^\s<>\"'，。；）]*)?")


@dataclass(frozen=True)
class Needle:
    kind: str
    needle: str  # as shown to organisers
    pattern: re.Pattern[str]
    capitalised: bool = False  # a surname alone: only where the text writes it with a capital


@dataclass(frozen=True)
class Identity:
    needles: tuple[Needle, ...]
    phones: frozenset[str]  # digit strings
    numeric_ids: frozenset[tuple[str, str]]  # (kind, digits): a QQ number used as an e-mail name


def fold(text: str) -> str:
    """NFKC, casefolded, whitespace collapsed to one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _is_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def _long_enough(needle: str) -> bool:
    return len(needle.replace(" ", "")) >= (MIN_CJK_NEEDLE if _is_cjk(needle) else MIN_LATIN_NEEDLE)


def _literal(kind: str, folded: str) -> Needle:
    if _is_cjk(folded):
        pattern = r"\s*".join(map(re.escape, folded.replace(" ", "")))
    else:
        pattern = rf"(?<!\w){re.escape(folded)}(?!\w)"
    return Needle(kind, folded, re.compile(pattern))


def _word(kind: str, word: str, *, capitalised: bool = False) -> Needle:
    flags = re.IGNORECASE if capitalised else 0
    return Needle(kind, word, re.compile(rf"(?<!{_LETTER}){re.escape(word)}(?!{_LETTER})", flags), capitalised)


# --- people ----------------------------------------------------------------------------------------

_PINYIN_SURNAMES = frozenset(
    "chen wang zhang liu yang huang zhao zhou sun zhu guo lin gao luo zheng liang xie song tang han feng deng cao "
    "peng zeng xiao tian dong pan yuan cai jiang du cheng wei ding shen zhong cui tan fan liao jin jia xia fang zou "
    "xiong meng qin qiu hou yin xue duan lei long tao mao hao gong shao qian kong".split()
)


def _surname(raw: str, parts: list[str]) -> str:
    """Written in capitals ("CHEN Xiaoming"), first when a Chinese surname, else last ("Anna Berg")."""
    shouting = [p for p in raw.split() if p.isupper() and len(p) > 1]
    if len(shouting) == 1 and len(parts) > 1:
        return fold(shouting[0])
    return parts[0] if parts[0] in _PINYIN_SURNAMES and len(parts) == 2 else parts[-1]


def person_needles(kind: str, raw: str) -> list[Needle]:
    """A name as written, and for a Latin name its parts in any order, joined or not, and the surname alone."""
    folded = fold(raw)
    if not folded or not _long_enough(folded):
        return []
    if _is_cjk(folded):
        return [_literal(kind, folded)]
    parts = [p for p in re.split(r"[\s\-_.·]+", folded) if p][:MAX_NAME_PARTS]
    if len(parts) < 2:
        return [_word(kind, folded)]
    orders = [rf"(?<!{_LETTER}){_NAME_SEPARATORS.join(map(re.escape, order))}(?!{_LETTER})"
              for order in permutations(parts)]
    needles = [Needle(kind, folded, re.compile("|".join(orders)))]
    surname = _surname(raw, parts)
    if len(surname) >= MIN_LATIN_NEEDLE:
        needles.append(_word(kind, surname, capitalised=True))
    return needles


# --- organisations ---------------------------------------------------------------------------------

def _strip_cjk(name: str) -> list[str]:
    """Shorter and shorter forms: 上海青禾文化传播有限公司 → 上海青禾文化传播 → 上海青禾 → 青禾."""
    forms = [name]
    stripped = True
    while stripped:
        stripped = False
        for suffix in _ORG_SUFFIXES:
            if forms[-1].endswith(suffix) and len(forms[-1]) > len(suffix):
                forms.append(forms[-1][: -len(suffix)])
                stripped = True
                break
    for place in sorted(_PLACES, key=len, reverse=True):
        rest = forms[-1].removeprefix(place).lstrip("省市")
        if rest != forms[-1] and len(rest) >= MIN_CJK_NEEDLE:
            forms.append(rest)
            break
    return [f for f in forms if f not in _PLACES and f not in _GENERIC_CORES and len(f) >= MIN_CJK_NEEDLE]


def organisation_needles(kind: str, raw: str) -> list[Needle]:
    """The name as written, then without legal form, descriptive words ("设计", "Studio") or place."""
    folded = fold(raw)
    if not folded or not _long_enough(folded):
        return []
    if _is_cjk(folded):
        return [_literal(kind, form) for form in _strip_cjk(folded.replace(" ", ""))]
    needles = [_literal(kind, folded)]
    core = [w for w in re.split(r"[\s,.\-()]+", folded) if w and w not in _LATIN_ORG_WORDS]
    if core and " ".join(core) != folded and len("".join(core)) >= MIN_LATIN_CORE:
        needles.append(_word(kind, " ".join(core)))
    return needles


# --- contact details -------------------------------------------------------------------------------

def email_needles(kind: str, raw: str) -> tuple[list[Needle], set[str]]:
    """The address, its name part and a domain of one's own; a numeric name part (a QQ number) as digits."""
    email = fold(raw)
    local, at, domain = email.rpartition("@")
    if not at:
        return [], set()
    needles = [_literal(kind, email)]
    if len(local) >= MIN_LATIN_NEEDLE:
        needles.append(_literal(f"{kind}_local" if kind == "email" else kind, local))
    if domain not in _FREE_MAIL and "." in domain:
        label = _own_label(domain)
        needles.append(_literal(f"{kind}_domain" if kind == "email" else kind, domain))
        if len(label) >= MIN_LATIN_CORE and not label.isdigit():
            needles.append(_word(f"{kind}_domain" if kind == "email" else kind, label))
    digits = {local} if local.isdigit() and len(local) >= MIN_QQ_DIGITS else set()
    return needles, digits


def _own_label(domain: str) -> str:
    """The name its owner chose: "tsinghua" of mail.tsinghua.edu.cn, "northlight" of northlight.studio."""
    labels = domain.split(".")[:-1]
    if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
        labels.pop()
    return labels[-1]


def phone_digits(raw: str) -> frozenset[str]:
    phone = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", raw or ""))
    phones = {phone, phone[2:] if phone.startswith("86") and len(phone) == 13 else phone}
    return frozenset(p for p in phones if len(p) >= MIN_PHONE_DIGITS)


def _digit_runs(text: str) -> set[str]:
    return {_NOT_DIGIT.sub("", run) for run in _PHONE_RUN.findall(text.translate(_CJK_DIGITS))}


def _host(url: str) -> str:
    return re.sub(r"^(?:https?://)?", "", url).split("/")[0].split(":")[0].removeprefix("www.")


def _stranger_contacts(folded: str) -> list[tuple[str, str]]:
    """Contact details anyone would read as identifying, whoever's they are."""
    found: list[tuple[str, str]] = []
    found += [("contact", m.group()) for m in _EMAIL.finditer(folded)]
    found += [("contact", m.group()) for m in _MOBILE.finditer(folded.translate(_CJK_DIGITS))]
    for m in _MESSENGER_ID.finditer(folded):
        _label, qualifier, colon, handle = m.groups()
        digits = re.sub(r"\D", "", handle)
        plain = handle.isalpha() and not (qualifier or colon)
        if not plain and (not handle[0].isdigit() or len(digits) >= MIN_QQ_DIGITS):
            found.append(("contact", m.group().strip()))
    for m in _URL.finditer(folded):
        host = _host(m.group())
        if any(host == h or host.endswith("." + h) for h in PORTFOLIO_HOSTS):
            found.append(("personal_url", m.group()))
    return found


# --- the whole identity ----------------------------------------------------------------------------

def identity_needles(entry: object, owner: object, members: list[object]) -> Identity:
    """Everything that would name the entrant, as needles in report order."""
    needles: list[Needle] = []
    needles += person_needles("name", getattr(owner, "display_name", "") or "")
    needles += person_needles("name", getattr(entry, "public_name", "") or "")
    owner_mail, numeric = email_needles("email", getattr(owner, "email", "") or "")
    needles += owner_mail
    for kind in ("organisation", "school"):
        needles += organisation_needles(kind, getattr(entry, kind, "") or "")
    needles += person_needles("supervisor_name", getattr(entry, "supervisor_name", "") or "")
    needles += email_needles("supervisor_email", getattr(entry, "supervisor_email", "") or "")[0]
    for member in members:
        needles += person_needles("member_name", getattr(member, "name", "") or "")
        needles += organisation_needles("member_organisation", getattr(member, "organisation", "") or "")
    return Identity(tuple(_unique(needles)), phone_digits(getattr(owner, "phone", "") or ""),
                    frozenset(("email_local", d) for d in numeric))


def _unique(needles: list[Needle]) -> list[Needle]:
    seen: set[tuple[str, str, bool]] = set()
    out = []
    for n in needles:
        if (n.kind, n.pattern.pattern, n.capitalised) not in seen:
            seen.add((n.kind, n.pattern.pattern, n.capitalised))
            out.append(n)
    return out


def _matches(needle: Needle, folded: str, cased: str) -> bool:
    if not needle.capitalised:
        return needle.pattern.search(folded) is not None
    return any(m.group()[0].isupper() for m in needle.pattern.finditer(cased))


def find(text: str, identity: Identity) -> dict[str, str]:
    """Kind → the needle (or the text) that shows it, in report order; one per kind."""
    folded = fold(text)
    cased = " ".join(unicodedata.normalize("NFKC", text).split())
    kinds: dict[str, str] = {}
    for needle in identity.needles:
        if needle.kind not in kinds and _matches(needle, folded, cased):
            kinds[needle.kind] = needle.needle
    runs = _digit_runs(folded)
    phone = next((p for p in sorted(identity.phones, key=len, reverse=True) if any(p in r for r in runs)), None)
    if phone:
        kinds.setdefault("phone", max(identity.phones, key=len))
    for kind, digits in identity.numeric_ids:
        if any(digits in r for r in runs):
            kinds.setdefault(kind, digits)
    covered = bool(kinds.keys() & {"phone", "email", "email_local"})
    for kind, shown in _stranger_contacts(folded):
        if kind == "personal_url" or not covered:
            kinds.setdefault(kind, shown)
    return kinds
