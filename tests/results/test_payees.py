"""The pure rules of a payout: checksums, masks, tax, money as typed and the payee form field by field."""

from __future__ import annotations

import pytest

from contest.errors import InvalidInput
from contest.results import payees
from contest.results.models import PayeeKind
from contest.results.payees import IdType
from tests.results.payout_builders import ACCOUNT, ORGANISATION_CODE, RESIDENT_ID, payee_form

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("number", "valid"), [
    (RESIDENT_ID, True), ("11010519491231002X", True), ("110101199003077476", False),
    ("11010519491231002Y", False), ("11010119900307747", False), ("1101011990030774755", False)])
def test_a_resident_id_number_is_checked_by_its_last_character(number, valid):
    assert payees.resident_id_valid(number) is valid


@pytest.mark.parametrize(("code", "valid"), [
    (ORGANISATION_CODE, True), ("91110000600037341L", True), ("91350100M000100Y44", False),
    ("91350100M000100YI3", False), ("91350100M000100Y4", False)])
def test_a_unified_social_credit_code_is_checked_by_its_last_character(code, valid):
    assert payees.uscc_valid(code) is valid


def test_numbers_are_masked_to_what_a_person_recognises():
    assert payees.masked_id(RESIDENT_ID) == "1101**********7475"
    assert payees.masked_id("E12345678") == "E1*****78"
    assert payees.masked_account(ACCOUNT) == "****4455"


def test_an_individual_pays_the_rate_on_the_whole_prize_and_an_organisation_nothing():
    assert payees.amounts(800_000, PayeeKind.INDIVIDUAL, 2000) == payees.Amounts(800_000, 160_000)
    assert payees.amounts(800_000, PayeeKind.INDIVIDUAL, 2000).after_tax_fen == 640_000
    assert payees.amounts(800_000, PayeeKind.TEAM_PROXY, 2000).tax_fen == 160_000
    assert payees.amounts(800_000, PayeeKind.ORGANISATION, 2000) == payees.Amounts(800_000, 0)
    assert payees.tax_fen(333, PayeeKind.INDIVIDUAL, 2000) == 67  # 66.6 fen, rounded half up
    assert payees.tax_fen(25, PayeeKind.INDIVIDUAL, 2000) == 5
    assert payees.tax_fen(100_000, PayeeKind.INDIVIDUAL, 325) == 3250


@pytest.mark.parametrize(("typed", "fen"), [("5000", 500_000), ("5,000.5", 500_050), ("５０００", 500_000),
                                            ("0.01", 1), ("5000.123", None), ("-5", None), ("abc", None),
                                            ("1000000001", None)])
def test_a_prize_is_read_in_whole_fen(typed, fen):
    assert payees.fen_of(typed) == fen


def test_a_tax_rate_is_read_in_basis_points_and_shown_as_typed():
    assert [payees.basis_points(t) for t in ("20", "20.5", "3.25", "100", "100.01", "x")] == [
        2000, 2050, 325, 10_000, None, None]
    assert [payees.percent(bp) for bp in (2000, 2050, 325, 0)] == ["20", "20.5", "3.25", "0"]
    assert payees.yuan(640_000) == "6,400.00"


def test_a_complete_form_gives_the_payee_with_its_numbers_normalised():
    payee = payees.parse_payee(payee_form(id_number="1101 0119 9003 0774 75", account="6222 0210 0112 2334 455",
                                          phone="+86 138-0013-8000"), team_members=None, keeps_numbers=False)
    assert (payee.kind, payee.id_type, payee.id_number, payee.account, payee.phone) == (
        PayeeKind.INDIVIDUAL, IdType.RESIDENT_ID, RESIDENT_ID, ACCOUNT, "13800138000")


def test_every_wrong_field_has_its_message():
    with pytest.raises(InvalidInput) as raised:
        payees.parse_payee(payee_form(id_number="110101199003077476", account="12ab", phone="123", bank_name="",
                                      consent=""), team_members=None, keeps_numbers=False)
    assert raised.value.field_errors == {
        "id_number": payees.BAD_RESIDENT_ID, "account": payees.BAD_ACCOUNT, "bank_name": payees.REQUIRED,
        "phone": "Enter a mainland China mobile number: 11 digits starting with 1.",
        "consent": "The prize can be paid only with your consent to processing these details for it."}


def test_an_organisation_gives_its_credit_code_whatever_document_the_form_names():
    payee = payees.parse_payee(payee_form(payee_kind="organisation", payee_name="上海电气集团", id_type="passport",
                                          id_number=ORGANISATION_CODE.lower()), team_members=None, keeps_numbers=False)
    assert (payee.id_type, payee.id_number) == (IdType.USCC, ORGANISATION_CODE)
    with pytest.raises(InvalidInput) as raised:
        payees.parse_payee(payee_form(payee_kind="organisation", id_number=RESIDENT_ID), team_members=None,
                           keeps_numbers=False)
    assert raised.value.field_errors == {"id_number": payees.BAD_USCC}


def test_a_proxy_is_only_for_a_team_and_names_one_of_its_members_with_its_agreement():
    with pytest.raises(InvalidInput) as raised:
        payees.parse_payee(payee_form(payee_kind="team_proxy"), team_members=None, keeps_numbers=False)
    assert list(raised.value.field_errors) == ["payee_kind"]
    with pytest.raises(InvalidInput) as raised:
        payees.parse_payee(payee_form(payee_kind="team_proxy", payee_name="王五"), team_members=["陈晓雯", "李工"],
                           keeps_numbers=False)
    assert raised.value.field_errors == {
        "payee_name": payees.NOT_A_MEMBER,
        "team_agreed": "Confirm that the team agreed that this member receives the prize for it."}
    payee = payees.parse_payee(payee_form(payee_kind="team_proxy", payee_name="李工", account_holder="李工",
                                          team_agreed="1"), team_members=["陈晓雯", "李工"], keeps_numbers=False)
    assert (payee.kind, payee.name, payee.team_agreed) == (PayeeKind.TEAM_PROXY, "李工", True)


def test_saved_numbers_may_be_left_empty_only_when_they_are_kept():
    kept = payees.parse_payee(payee_form(id_number="", account=""), team_members=None, keeps_numbers=True)
    assert (kept.id_number, kept.account) == ("", "")
    with pytest.raises(InvalidInput) as raised:
        payees.parse_payee(payee_form(id_number="", account=""), team_members=None, keeps_numbers=False)
    assert raised.value.field_errors == {"id_number": payees.REQUIRED, "account": payees.REQUIRED}


def test_another_document_takes_letters_and_digits():
    payee = payees.parse_payee(payee_form(id_type="passport", id_number="e12345678"), team_members=None,
                               keeps_numbers=False)
    assert payee.id_number == "E12345678"
