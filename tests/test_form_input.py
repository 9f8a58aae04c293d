"""Reading numbers typed by users: ASCII digits only, and never more than a column holds."""

from __future__ import annotations

import pytest

from contest.errors import InvalidInput
from contest.form_input import MAX_ID, FieldReader, parse_integer

pytestmark = [pytest.mark.unit, pytest.mark.any_database]


@pytest.mark.parametrize(("raw", "expected"), [
    ("42", 42), ("0", 0), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("²", None), ("٣", None), ("１２", None),
    ("-1", None), ("+1", None), (" 1", None), ("1\n", None), ("", None), ("9" * 19, None), ("9" * 5000, None),
])
def test_parse_integer_reads_ascii_digits_within_an_id_column(raw, expected):
    assert parse_integer(raw) == expected


def test_parse_integer_takes_a_range_with_negative_numbers():
    assert [parse_integer(raw, low=-10, high=10) for raw in ("-10", "10", "-11", "-٣")] == [-10, 10, None, None]


def test_a_form_number_explains_a_unicode_digit_and_a_huge_number_by_the_field():
    read = FieldReader({"rank": "²", "quota": "9" * 5000, "n": "7"})
    assert [read.integer(name, low=1, high=100, default=1) for name in ("rank", "quota", "n")] == [1, 1, 7]
    with pytest.raises(InvalidInput) as caught:
        read.done()
    assert caught.value.field_errors == {"rank": "Enter a whole number.",
                                         "quota": "This number is outside the allowed range."}
