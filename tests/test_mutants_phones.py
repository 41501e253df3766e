"""Tests that kill mutants of phone normalisation (docs/mutation.md).

A surviving mutant there could map two numbers to one key (a recipient lost: the second
looks like a duplicate) or accept a broken number (a message sent to nobody, or to a
stranger). Deterministic batches, large enough for the vectorised path, so
``scripts/mutation.sh phones`` stays fast.
"""

from __future__ import annotations

import pytest

from smsc_frames import phones
from smsc_frames.errors import ValidationError
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


#: Cells the vectorised path must settle exactly as one-by-one parsing does: Excel fractions
#: (only zeros may be cut), one junk character after a number, an unknown one-digit head
#: (first: a text's start misplaced by one would read the 10 digits after it).
TRICKY = [
    "59161234565",
    "79161234567.0",
    "+7 916 123 45 68.00",
    "79161234569.",
    "79161234560.5",
    "79161234561.50",
    "79161234562.05",
    "9161234563 0",
    "9161234564-00",
    "9161234563/0",
    "9161234563;0",
    "9161234563*0",
    "19161234566",
    "+79161234567 0",
    "8 916 123 45 6.0",
]


@pytest.fixture
def parsed(monkeypatch):
    """The cells left to the one-by-one path (``_one_phone``) by the vectorised one."""
    calls = []
    one_by_one = phones._one_phone

    def counting(text, *args, **kwargs):
        calls.append(text)
        return one_by_one(text, *args, **kwargs)

    monkeypatch.setattr(phones, "_one_phone", counting)
    return calls


@pytest.mark.parametrize("where", ["first", "among good ones", "after a bare number"])
def test_tricky_cells_in_a_batch_are_settled_as_one_by_one_parsing_would(where, parsed):
    nationals = national_numbers(60)
    good = [FORMS[n % len(FORMS)](number) for n, number in enumerate(nationals)]
    values = {
        "first": TRICKY + good,
        "among good ones": good[:20] + TRICKY + good[20:],
        "after a bare number": ["9031234567", *TRICKY, *good],
    }[where]
    result = normalize_phones(values)
    got = list(zip(result["phone"], result["phone_ok"], result["region"], result["problem"]))
    settled_fast = set(values) - set(parsed)
    assert got == [phones._one_phone(value, "RU")[:4] for value in values]
    # the vectorised path settles every clean mobile and Excel ".0"/".00" form itself
    assert settled_fast >= {*good, *TRICKY[1:3], "9031234567"} & set(values)


def test_non_geographic_numbers_have_no_region():
    """phonenumbers' "001" (Inmarsat, international freephone) is no country to group by."""
    result = normalize_phones(["+870 773 111 632", "+800 1234 5678"])
    assert result["phone_ok"].tolist() == [True, False]
    assert result["region"].tolist() == [None, None]


def test_one_phone_instead_of_a_list_is_refused_naming_the_argument_and_the_rule():
    with pytest.raises(ValidationError) as raised:
        normalize_phones("79161234567")
    assert (raised.value.parameter, raised.value.value) == ("values", "79161234567")
    assert "must be a list or Series of phones, not one" in str(raised.value)
    assert "79161234567" in str(raised.value)
