"""The doctor finds diagnoses as she types: by code prefix or by words."""

import pytest

from referrals import icd10


def codes(term):
    return [hit["code"] for hit in icd10.search(term)]


@pytest.mark.parametrize("term", ["M54.5", "m545", "M54.5 "])
def test_a_code_prefix_finds_the_billable_codes_under_it(term):
    assert codes(term) == ["M54.50", "M54.51", "M54.59"]


def test_words_find_descriptions_holding_each_word_shortest_first():
    found = icd10.search("low back pain")
    assert {"M54.50", "M54.51", "M54.59"} <= {hit["code"] for hit in found}
    assert [len(h["description"]) for h in found] == sorted(len(h["description"]) for h in found)


def test_a_word_may_be_the_start_of_a_longer_word():
    assert "G44.209" in codes("tension head")


def test_inclusion_terms_are_searched_too():
    assert codes("lumbago")[0] == "M54.50"  # "Lumbago NOS" is included under M54.50


def test_only_billable_codes_come_back():
    assert all(icd10.is_billable(code) for code in codes("M54"))
    assert "M54" not in codes("M54") and "M54.5" not in codes("M54")


def test_nothing_for_nonsense_and_at_most_fifty():
    assert codes("zzzz") == [] and codes("") == [] and codes("!!") == []
    assert len(codes("neck")) == 50
