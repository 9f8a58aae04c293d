"""The AI disclosure a track's policy asks for, and the label the public sees."""

from __future__ import annotations

import pytest

from contest.entries.disclosure import Disclosure, ai_label, disclosure_problems, mismatch

pytestmark = pytest.mark.unit

NONE = Disclosure("none")
ASSISTED = Disclosure("assisted", "Midjourney v7", "纹样草图")
GENERATED_SIGNAL = {"c2pa": None, "digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/"
                    "trainedAlgorithmicMedia", "aigc_label": None, "generator": None}
NO_SIGNAL = {"c2pa": None, "digital_source_type": None, "aigc_label": None, "generator": None}


@pytest.mark.parametrize(("policy", "disclosure", "problems"), [
    ("banned", Disclosure(), []),  # nothing is asked: the originality declaration covers it
    ("banned", ASSISTED, ["This track does not accept AI-generated work."]),
    ("disclose", Disclosure(), ["Say whether AI tools were used for the work."]),
    ("disclose", NONE, []),
    ("disclose", Disclosure("assisted"), ["Name the AI tools used and the parts of the work they were used for."]),
    ("disclose", ASSISTED, []),
    ("aigc", NONE, ["Say how AI was used: this is an AIGC track."]),
    ("aigc", Disclosure("generated", "通义万相", "全部画面"), []),
])
def test_each_policy_asks_for_what_it_needs(policy, disclosure, problems):
    assert disclosure_problems(policy, disclosure) == problems


def test_the_public_label_is_the_stronger_of_the_declaration_and_the_files():
    assert ai_label(NONE, [NO_SIGNAL, {}]) is None
    assert ai_label(ASSISTED, [NO_SIGNAL]) == "assisted"
    assert ai_label(NONE, [NO_SIGNAL, GENERATED_SIGNAL]) == "generated"
    assert ai_label(ASSISTED, [GENERATED_SIGNAL]) == "generated"


def test_files_that_say_ai_disagree_with_a_ban_or_with_declaring_none():
    assert mismatch("banned", Disclosure(), [GENERATED_SIGNAL]) is not None
    assert mismatch("disclose", NONE, [GENERATED_SIGNAL]) is not None
    assert mismatch("disclose", ASSISTED, [GENERATED_SIGNAL]) is None
    assert mismatch("banned", Disclosure(), [NO_SIGNAL]) is None


def test_a_disclosure_is_stored_and_read_back_as_it_was_typed():
    assert Disclosure.of(ASSISTED.as_json()) == ASSISTED
    assert Disclosure.of({}) == Disclosure()
