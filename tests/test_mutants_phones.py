"""Tests that kill mutants of phone normalisation (docs/mutation.md).

A surviving mutant there could map two numbers to one key (a recipient lost: the second
looks like a duplicate) or accept a broken number (a message sent to nobody, or to a
stranger). Deterministic batches, large enough for the vectorised path, so
``scripts/mutation.sh phones`` stays fast.
"""

from __future__ import annotations

import pytest

from smsc_frames import phones
from smsc_frames.phones import normalize_phones

FORMS = (
    lambda n: "8" + n,
    lambda n: "+7" + n,
    lambda n: n,
    lambda n: "7" + n,
    lambda n: f"8 ({n[:3]}) {n[3:6]}-{n[6:8]}-{n[8:]}",
    lambda n: f"+7 {n[:3]} {n[3:]}",
)


def national_numbers(count: int) -> list[str]:
    """*count* distinct 10-digit national mobile numbers over several safe prefixes."""
    prefixes = sorted(phones._safe_russian_mobile_prefixes())
    step = max(1, len(prefixes) // 7)
    chosen = prefixes[::step][:7]
    numbers = []
    for n in range(count):
        prefix = chosen[n % len(chosen)]
        tail = f"{(n * 7919) % 10**7:07d}"
        numbers.append((prefix + tail)[:10] if len(prefix) + 7 >= 10 else prefix + tail)
    return numbers


@pytest.mark.parametrize("count", [3, 150])
def test_distinct_numbers_in_any_written_form_keep_distinct_keys_of_their_own_digits(count):
    nationals = national_numbers(count)
    written = [FORMS[n % len(FORMS)](number) for n, number in enumerate(nationals)]
    result = normalize_phones(written)
    assert result["phone_ok"].all(), result.loc[~result["phone_ok"]].to_string()
    assert result["phone"].tolist() == ["7" + number for number in nationals]
    assert result["phone"].nunique() == len(set(nationals))


BROKEN = [
    "7916123456",  # one digit short
    "791612345678",  # one digit too many
    "8916123456",
    "+7 916 123 45 6",
    "+7 930 000 0000",
    "8916abc4567",
    "7.92E+10",
]


@pytest.mark.parametrize("count", [1, 120])
def test_broken_numbers_among_good_ones_are_refused_row_by_row(count):
    good = ["7" + number for number in national_numbers(count)]
    values = good + BROKEN
    result = normalize_phones(values)
    assert result["phone_ok"].tolist() == [True] * len(good) + [False] * len(BROKEN)
    assert result["phone"].tolist()[: len(good)] == good
    assert result["problem"].iloc[len(good) :].notna().all()


def test_a_number_with_junk_after_a_separator_is_not_ok_and_has_no_phone():
    row = normalize_phones(["79161234567; 12"]).iloc[0]
    assert (row["phone"], row["phone_ok"]) == (None, False)
    assert row["problem"] == "more than a phone number in the cell"


def test_two_ten_digit_numbers_in_21_characters_are_flagged_as_two():
    row = normalize_phones(["9161234567 9161234568"]).iloc[0]
    assert (row["phone"], row["phone_ok"]) == (None, False)
    assert row["problem"] == "2 numbers in one cell: 79161234567, 79161234568"


def test_only_a_kept_number_with_an_extension_gets_a_note():
    values = ["+44 7911 123456", "+44 7911 123456 доб. 5", "+44 79 доб. 5", "+7 916 123 45 67"]
    result = normalize_phones(values)
    assert result["note"].tolist() == [None, "extension 5 dropped", None, None]
    assert result["phone"].tolist() == ["447911123456", "447911123456", None, "79161234567"]


@pytest.mark.parametrize(
    ("value", "problem"), [("+999 123 4567", "unknown country code"), ("+7", "not a phone number")]
)
def test_a_number_phonenumbers_cannot_parse_is_refused_saying_why(value, problem):
    row = normalize_phones([value]).iloc[0]
    assert (row["phone"], row["phone_ok"], row["problem"]) == (None, False, problem)
