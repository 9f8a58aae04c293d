"""Pure rules of a prize payout: the payee's details as typed (checked field by field), the checksums of a
resident ID card number and a unified social credit code, the masked forms shown after saving, and the tax
withheld.

Tax: an individual's prize is incidental income (偶然所得) taxed at the contest's rate, 20 % unless the
organisers set another, on the whole amount and withheld by the organisers; a team member who receives the
prize for the team is an individual receiving it. An organisation receives the prize before tax and accounts
for it itself. Amounts are whole fen, rounded half up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from contest.accounts.phones import normalise_phone
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.results.models import PayeeKind

BASIS = 10_000  # basis points in one whole
DEFAULT_TAX_BP = 2000  # 20 %: 偶然所得 (Individual Income Tax Law art. 3)
MAX_PRIZE_FEN = 100_000_000_00  # a hundred million yuan: more is a typing mistake
MONEY = re.compile(r"(\d{1,12})(?:\.(\d{1,2}))?")
LIMITS = {"payee_name": 200, "bank_name": 200, "account_holder": 200}


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证
    PASSPORT = "passport"
    HK_MACAU = "hk_macau"  # 港澳居民来往内地通行证 / 港澳居民居住证
    TAIWAN = "taiwan"  # 台湾居民来往大陆通行证
    OTHER = "other"
    USCC = "uscc"  # 统一社会信用代码, an organisation's


PERSON_ID_TYPES = (IdType.RESIDENT_ID, IdType.PASSPORT, IdType.HK_MACAU, IdType.TAIWAN, IdType.OTHER)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
RESIDENT_ID = re.compile(r"\d{17}[\dX]")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC = re.compile(rf"[{USCC_ALPHABET}]{{18}}")
OTHER_ID = re.compile(r"[A-Z0-9()\-]{5,30}")
ACCOUNT = re.compile(r"\d{8,32}")

BAD_RESIDENT_ID = N_("This is not a valid resident ID card number: check its 18 characters (the last may be X).")
BAD_USCC = N_("This is not a valid unified social credit code: check its 18 characters.")
BAD_OTHER_ID = N_("Enter the document's number: 5 to 30 letters and digits.")
BAD_ACCOUNT = N_("Enter the account number: 8 to 32 digits.")
NOT_A_MEMBER = N_("Name one of the team's members, as the entry lists them.")
REQUIRED = N_("This field is required.")


def normalised(raw: str) -> str:
    """Full-width characters made ASCII, spaces and dashes between groups dropped, letters upper-case."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", raw)).upper()


def resident_id_valid(number: str) -> bool:
    """An 18-character resident ID card number whose last character is its ISO 7064 MOD 11-2 check."""
    if not RESIDENT_ID.fullmatch(number):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == number[17]


def uscc_valid(code: str) -> bool:
    """An 18-character unified social credit code (GB 32100-2015) whose last character is its check."""
    if not USCC.fullmatch(code):
        return False
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def masked_id(number: str) -> str:
    """1101**********1234: the first and last four of an 18-character number, fewer of a short one."""
    keep = min(4, len(number) // 4)
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[len(number) - keep:] if keep else "*" * len(number)


def masked_account(number: str) -> str:
    """****1234: the last four digits, which a person recognises their card by."""
    return "****" + number[-4:]


def tax_fen(pre_tax_fen: int, kind: PayeeKind, rate_bp: int) -> int:
    """The tax withheld: the rate on the whole prize for a person, none for an organisation."""
    if kind == PayeeKind.ORGANISATION:
        return 0
    return int((Decimal(pre_tax_fen) * rate_bp / BASIS).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Amounts:
    pre_tax_fen: int
    tax_fen: int

    @property
    def after_tax_fen(self) -> int:
        return self.pre_tax_fen - self.tax_fen


def amounts(pre_tax_fen: int, kind: PayeeKind, rate_bp: int) -> Amounts:
    return Amounts(pre_tax_fen, tax_fen(pre_tax_fen, kind, rate_bp))


def fen_of(text: str) -> int | None:
    """Yuan as typed (5000, 5,000.5, ５０００) in whole fen; None for anything else or more than MAX_PRIZE_FEN."""
    fen = _hundredths(unicodedata.normalize("NFKC", text).replace(",", ""))
    return fen if fen is not None and fen <= MAX_PRIZE_FEN else None


def basis_points(text: str) -> int | None:
    """A percentage as typed (20, 20.5, 3.25) in basis points; None unless 0 to 100 with at most two decimals."""
    bp = _hundredths(unicodedata.normalize("NFKC", text).removesuffix("%"))
    return bp if bp is not None and bp <= BASIS else None


def _hundredths(text: str) -> int | None:
    """A number with at most two decimals in hundredths; None for anything else."""
    match = MONEY.fullmatch(text.strip())
    if match is None:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def percent(bp: int) -> str:
    """20, 20.5: basis points as the percentage typed."""
    return f"{Decimal(bp) / 100:f}".rstrip("0").rstrip(".") if bp % 100 else str(bp // 100)


def plain_yuan(fen: int) -> str:
    """5000.50: fen as yuan the way a form takes them back."""
    return f"{Decimal(fen) / 100:.2f}"


def yuan(fen: int) -> str:
    """10,000.00: fen as yuan with two decimals, for pages."""
    return f"{Decimal(fen) / 100:,.2f}"


@dataclass(frozen=True)
class Payee:
    """The payee's details as checked: numbers normalised, in full (the caller seals them)."""

    kind: PayeeKind
    name: str
    id_type: IdType
    id_number: str  # "" when left empty to keep the saved one
    bank_name: str
    account: str  # "" likewise
    account_holder: str
    phone: str
    team_agreed: bool


def _id_problem(id_type: IdType, number: str) -> str | None:
    if id_type == IdType.RESIDENT_ID:
        return None if resident_id_valid(number) else BAD_RESIDENT_ID
    if id_type == IdType.USCC:
        return None if uscc_valid(number) else BAD_USCC
    return None if OTHER_ID.fullmatch(number) else BAD_OTHER_ID


def _kind(raw: Mapping[str, str], *, team: bool, errors: dict[str, str]) -> PayeeKind:
    try:
        kind = PayeeKind((raw.get("payee_kind") or "").strip())
    except ValueError:
        errors["payee_kind"] = N_("Choose one of the options.")
        return PayeeKind.INDIVIDUAL
    if kind == PayeeKind.TEAM_PROXY and not team:
        errors["payee_kind"] = N_("Only a team's entry can be paid to one of its members for the team.")
    return kind


def _id_type(raw: Mapping[str, str], kind: PayeeKind, errors: dict[str, str]) -> IdType:
    if kind == PayeeKind.ORGANISATION:
        return IdType.USCC
    try:
        id_type = IdType((raw.get("id_type") or "").strip())
    except ValueError:
        id_type = IdType.OTHER
        errors["id_type"] = N_("Choose one of the options.")
    if id_type not in PERSON_ID_TYPES:
        errors["id_type"] = N_("Choose one of the options.")
    return id_type


def parse_payee(raw: Mapping[str, str], *, team_members: Collection[str] | None, keeps_numbers: bool) -> Payee:
    """The form's payee, or InvalidInput with a message by every field that is wrong. `team_members` are the
    names a proxy may have (None: not a team's entry); with `keeps_numbers` an empty ID or account number keeps
    the one saved."""
    errors: dict[str, str] = {}
    kind = _kind(raw, team=team_members is not None, errors=errors)
    text = {name: (raw.get(name) or "").strip() for name in ("payee_name", "bank_name", "account_holder")}
    errors.update({name: REQUIRED for name, value in text.items() if not value})
    errors.update({name: N_("Too long for this field.") for name, limit in LIMITS.items() if len(text[name]) > limit})
    id_type = _id_type(raw, kind, errors)
    id_number, account = normalised(raw.get("id_number") or ""), normalised(raw.get("account") or "")
    if id_number or not keeps_numbers:
        problem = _id_problem(id_type, id_number) if id_number else REQUIRED
        errors.update({"id_number": problem} if problem else {})
    if account or not keeps_numbers:
        problem = (None if ACCOUNT.fullmatch(account) else BAD_ACCOUNT) if account else REQUIRED
        errors.update({"account": problem} if problem else {})
    phone = _phone(raw.get("phone") or "", errors)
    agreed = raw.get("team_agreed") in {"1", "on"}
    if kind == PayeeKind.TEAM_PROXY and team_members is not None:
        if text["payee_name"] and text["payee_name"] not in team_members:
            errors["payee_name"] = NOT_A_MEMBER
        if not agreed:
            errors["team_agreed"] = N_("Confirm that the team agreed that this member receives the prize for it.")
    if raw.get("consent") not in {"1", "on"}:
        errors["consent"] = N_("The prize can be paid only with your consent to processing these details for it.")
    if errors:
        raise InvalidInput(errors)
    return Payee(kind, text["payee_name"], id_type, id_number, text["bank_name"], account, text["account_holder"],
                 phone, agreed and kind == PayeeKind.TEAM_PROXY)


def _phone(raw: str, errors: dict[str, str]) -> str:
    if not raw.strip():
        errors["phone"] = REQUIRED
        return ""
    try:
        return normalise_phone(raw)
    except InvalidInput as exc:
        errors["phone"] = next(iter(exc.field_errors.values()))
        return raw
