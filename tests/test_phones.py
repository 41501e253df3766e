"""Phone normalisation: fast path for Russian mobiles, phonenumbers for the rest."""

from __future__ import annotations

import re

import pandas as pd
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsc_frames import phones
from smsc_frames.errors import ValidationError
from smsc_frames.phones import normalize_phones

EXAMPLES = [
    # input, phone, phone_ok, region, problem
    ("8 (916) 123-45-67", "79161234567", True, "RU", None),
    ("+7 916 1234567", "79161234567", True, "RU", None),
    ("9161234567", "79161234567", True, "RU", None),
    ("79161234567.0", "79161234567", True, "RU", None),
    ("7.9161234567E10", "79161234567", True, "RU", None),
    ("7.92E+10", None, False, None, "Excel scientific notation lost digits"),
    ("007 916 123 45 67", "79161234567", True, "RU", None),
    ("810 7 916 123 45 67", "79161234567", True, "RU", None),
    ("00 44 7911 123456", "447911123456", True, "GG", None),
    ("+8 916 123 45 67", None, False, None, "+8 is not a country code: write 8... or +7..."),
    ("+7 701 123 4567", "77011234567", True, "KZ", None),
    ("8 701 123 45 67", "77011234567", True, "KZ", None),
    ("8 (495) 123-45-67", "74951234567", False, "RU", "not a mobile number (landline)"),
    ("8-800-200-06-00", "78002000600", False, "RU", "not a mobile number (toll-free)"),
    ("+7 930 000 0000", None, False, None, "invalid number"),
    ("12345", None, False, None, "too short"),
    ("call me", None, False, None, "not a phone number"),
    ("8916abc4567", None, False, None, "contains letters"),
    ("+7 916 123 45 67 доб. 5", "79161234567", True, "RU", None),  # extension dropped
    ("0079161234567.0", "79161234567", True, "RU", None),
    ("8107 (916) 123-45-67", "79161234567", True, "RU", None),
    ("", None, False, None, "empty"),
    ("   ", None, False, None, "empty"),
]


@pytest.mark.parametrize(("value", "phone", "ok", "region", "problem"), EXAMPLES)
def test_known_shapes(value, phone, ok, region, problem):
    row = normalize_phones([value]).iloc[0]
    assert (row["phone"], row["phone_ok"], row["region"], row["problem"]) == (
        phone, ok, region, problem,
    )  # fmt: skip
    assert row["phone_input"] == value


def test_keeps_the_callers_index_and_input_text():
    values = pd.Series(["+7 916 123-45-67", None, "8 495 123 45 67"], index=["a", "b", "c"])
    result = normalize_phones(values)
    assert result.index.tolist() == ["a", "b", "c"]
    assert result.columns.tolist() == [
        "phone_input", "phone", "phone_ok", "region", "problem", "note",
    ]  # fmt: skip
    assert result["phone_input"].tolist() == ["+7 916 123-45-67", None, "8 495 123 45 67"]
    assert result["phone_ok"].tolist() == [True, False, False]
    assert result.loc["b", "problem"] == "empty"
    assert result["phone_ok"].dtype == bool


def test_numbers_from_a_float_column_are_recovered():
    column = pd.Series([79161234567.0, float("nan"), 77011234567.0])
    result = normalize_phones(column)
    assert result["phone"].tolist() == ["79161234567", None, "77011234567"]
    assert result["region"].tolist() == ["RU", None, "KZ"]
    assert normalize_phones([79161234567])["phone"].iat[0] == "79161234567"


def test_unknown_default_region_is_refused():
    with pytest.raises(ValidationError) as caught:
        normalize_phones(["9161234567"], default_region="XX")
    assert caught.value.parameter == "default_region"


def test_other_default_region():
    result = normalize_phones(["030 123456", "8 916 123 45 67"], default_region="DE")
    assert result["region"].iat[0] == "DE"
    assert result["phone"].iat[0] == "4930123456"


@pytest.fixture
def parse_calls(monkeypatch):
    calls = []
    real_parse = phonenumbers.parse

    def counting_parse(number, region=None, *args, **kwargs):
        calls.append(number)
        return real_parse(number, region, *args, **kwargs)

    monkeypatch.setattr(phones.phonenumbers, "parse", counting_parse)
    return calls


def test_fast_path_settles_russian_mobiles_without_phonenumbers(parse_calls):
    mobiles = [f"8 (9{n % 100:02d}) {n:03d}-45-67" for n in range(300) if n % 100 != 30]
    result = normalize_phones(mobiles)
    assert result["phone_ok"].all()
    assert parse_calls == []
    normalize_phones(["8 930 123 45 67", "8 495 123 45 67", "+7 701 123 4567"])
    assert len(parse_calls) == 3


def test_fast_path_reads_international_prefixes_and_excel_floats(parse_calls):
    typed = [
        "007 916 123 45 67",
        "00 7 (916) 1234567",
        "810 7 916 123 45 67",
        "+7 916 123 45 67.00",
        "8916\u00a0123\u201045\u201167",
        "79161234567.0",
    ]
    result = normalize_phones(typed)
    assert result["phone"].tolist() == ["79161234567"] * len(typed)
    assert parse_calls == []


def test_letters_are_not_read_as_keypad_digits():
    result = normalize_phones(["8916abc4567", "8 916 ABC-45-67", "+7 FLOWERS", "нет телефона"])
    assert result["phone"].tolist() == [None] * 4
    assert not result["phone_ok"].any()
    assert result["problem"].tolist() == ["contains letters"] * 3 + ["not a phone number"]


def test_missing_values_nul_characters_and_empty_input():
    values = pd.Series(["8 916 123 45 67", pd.NA, "8916\x001234567", None, "+79161234568"],
                       dtype=object)  # fmt: skip
    result = normalize_phones(values)
    assert result["phone_input"].tolist() == [values[0], None, values[2], None, values[4]]
    with_nul = phones._one_phone(values[2], "RU")[0]  # the slow path, as before
    assert result["phone"].tolist()[::2] == ["79161234567", with_nul, "79161234568"]
    assert result["problem"].tolist()[:2] == [None, "empty"]
    strings = normalize_phones(pd.Series(["", "+7 916 123 45 67", None], dtype="string"))
    assert strings["phone_input"].tolist() == ["", "+7 916 123 45 67", None]
    assert strings["problem"].tolist() == ["empty", None, "empty"]
    empty = normalize_phones([])
    assert empty.columns.tolist() == phones.COLUMNS and len(empty) == 0


@pytest.mark.parametrize(
    "dtype", [object, "string", "str", pd.StringDtype("python"), pd.StringDtype("pyarrow")]
)
def test_missing_values_and_nul_characters_in_every_chunk_and_column_type(dtype, monkeypatch):
    monkeypatch.setattr(phones, "_CHUNK", 2)  # missing values and the NUL in different chunks
    values = ["8 916 123 45 67", None, None, "8916\x001234567", "+79161234568", None]
    result = normalize_phones(pd.Series(values, dtype=dtype), keys=True)
    assert result["phone_input"].tolist() == [values[0], None, None, values[3], values[4], None]
    assert result["phone"].tolist() == ["79161234567", None, None, None, "79161234568", None]
    assert result["phone_key"].tolist() == [79161234567, -1, -1, -1, 79161234568, -1]
    assert result["problem"].tolist() == [None, "empty", "empty", "not a phone number", None,
                                          "empty"]  # fmt: skip


def test_work_is_done_once_per_distinct_value(parse_calls):
    result = normalize_phones(["8 495 123 45 67", "+44 20 7946 0958"] * 500)
    assert len(parse_calls) == 2
    assert result["problem"].eq("not a mobile number (landline)").all()


def test_safe_prefixes_are_proved_from_the_metadata():
    safe = phones._safe_russian_mobile_prefixes()
    assert {"900", "916", "931", "999"} <= safe
    assert "930" not in safe  # RU's mobile pattern depends on later digits there
    assert not {prefix for prefix in safe if not prefix.startswith("9")}


def test_the_wildcard_proofs_are_sound_on_small_patterns():
    every = re.compile(phones._wildcard_where_every_digit(r"9(?:[0-24-9]\d|3[1-9])\d{2}"))
    assert every.fullmatch("91xxx") and every.fullmatch("931xx")
    assert not every.fullmatch("93xxx")  # 930xx is not: validity depends on the 3rd digit
    some = re.compile(phones._wildcard_where_some_digit(r"8(?:0[39]|[1-3]\d)[\d]{2}"))
    assert some.fullmatch("803xx") and some.fullmatch("82xxx") and some.fullmatch("8xxxx")
    assert not some.fullmatch("9xxxx") and not some.fullmatch("84xxx")


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(phones._safe_russian_mobile_prefixes())),
    st.text("0123456789", min_size=7, max_size=7),
)
def test_every_number_with_a_safe_prefix_is_a_valid_russian_mobile(prefix, rest):
    number = phonenumbers.parse("+7" + prefix + rest)
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    assert phonenumbers.region_code_for_number(number) == "RU"


def reference(value: str) -> tuple[str | None, bool, str | None]:
    """phone, phone_ok, region straight from phonenumbers (a leading ``00`` read as ``+``)."""
    digits = re.sub(r"[\s()\-]", "", value)
    if digits.startswith("00"):
        value = "+" + digits[2:]
    try:
        number = phonenumbers.parse(value, "RU")
    except phonenumbers.NumberParseException:
        return None, False, None
    if not phonenumbers.is_valid_number(number):
        return None, False, None
    kind = phonenumbers.number_type(number)
    mobile = kind in (phonenumbers.PhoneNumberType.MOBILE,
                      phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)  # fmt: skip
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
    region = phonenumbers.region_code_for_number(number)
    return e164, mobile, None if region == "001" else region  # 001: no country (e.g. +800)


_separator = st.sampled_from(["", "", " ", "-", "\u00a0"])
_national = st.one_of(
    st.tuples(st.sampled_from(["9", "93", "930", "9300", "7", "70", "495", "800", "812", "3"]),
              st.text("0123456789", min_size=10, max_size=10)).map(lambda p: (p[0] + p[1])[:10]),
    st.text("0123456789", min_size=1, max_size=12),
)  # fmt: skip


@st.composite
def russian_looking(draw):
    national = draw(_national)
    prefix = draw(st.sampled_from(["+7", "7", "8", "", "+7 ", "8 "]))
    cut = draw(st.integers(0, len(national)))
    head, tail = national[:cut], national[cut:]
    if draw(st.booleans()) and head:
        head = f"({head})"
    return f"{prefix}{head}{draw(_separator)}{tail}"


_foreign = st.tuples(
    st.sampled_from(["1", "44", "49", "380", "375", "998", "86", "84"]),
    st.text("0123456789", min_size=6, max_size=11),
).map(lambda p: f"+{p[0]} {p[1]}")


@st.composite
def through_an_international_prefix(draw):
    """``007 916 ...``, ``810 7 916 ...`` and near misses, with formatting."""
    prefix = draw(st.sampled_from(["007", "00 7 ", "00 (7) ", "810 7 ", "8107", "8-10-7-", "810",
                                   "00", "0 07", "+007", "8108", "0070"]))  # fmt: skip
    national = draw(_national)
    cut = draw(st.integers(0, len(national)))
    return f"{prefix}{national[:cut]}{draw(_separator)}{national[cut:]}"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(russian_looking(), through_an_international_prefix(), _foreign),
                min_size=1, max_size=30))  # fmt: skip
def test_fast_path_and_phonenumbers_agree_on_every_row(values):
    result = normalize_phones(values)
    got = list(zip(result["phone"], result["phone_ok"], result["region"], strict=True))
    expected = []
    for value, (phone, ok, region) in zip(values, map(reference, values), strict=True):
        expected.append((phone, ok, region if phone else None))
        assert result["phone_input"].tolist()[len(expected) - 1] == value
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(russian_looking())
def test_excel_float_forms_give_the_same_number(value):
    digits = "".join(char for char in value if char.isdigit())
    if value.startswith("+") or not digits or len(digits) > 15:
        return
    as_float = normalize_phones([digits + ".0"]).iloc[0]
    plain = normalize_phones([digits]).iloc[0]
    assert as_float[["phone", "phone_ok", "region", "problem"]].tolist() == (
        plain[["phone", "phone_ok", "region", "problem"]].tolist()
    )
    if digits[0] != "0" and len(digits) > 1:
        scientific = f"{digits[0]}.{digits[1:]}E{len(digits) - 1}"
        assert normalize_phones([scientific])["phone"].iat[0] == plain["phone"]


_typed = st.one_of(russian_looking(), through_an_international_prefix()).flatmap(
    lambda value: st.sampled_from([value, value + ".0", value + ".00", value + ".", value + ".01",
                                   "+" + value, " " + value + "\u2009", value + "\n", "(" + value])
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_typed, min_size=1, max_size=30))
def test_the_vectorised_fast_path_settles_rows_as_phonenumbers_would(values):
    result = normalize_phones(values)
    got = list(zip(result["phone"], result["phone_ok"], result["region"], result["problem"],
                   strict=True))  # fmt: skip
    assert got == [phones._one_phone(value, "RU")[:4] for value in values]


def test_phone_keys_are_the_phones_as_integers_on_both_paths():
    typed = [
        "8 (916) 123-45-67",
        "+7 701 123 4567",
        "+44 20 7946 0958",
        "8 800 200-06-00",
        "нет",
        None,
        "79161234567.0",
        "12",
    ]
    result = normalize_phones(typed, keys=True)
    expected = [-1 if phone is None else int(phone) for phone in result["phone"]]
    assert result["phone_key"].tolist() == expected
    assert expected[0] == 79161234567 and expected[4:6] == [-1, -1]
    assert "phone_key" not in normalize_phones(typed).columns


@pytest.mark.parametrize(
    "value, extension",
    [("79161234567 доб. 12", "12"), ("+7 916 123-45-67 #12", "12"),
     ("8 916 123 45 67 ext. 5", "5"), ("8 (916) 123-45-67 x123", "123"),
     ("8 916 123-45-67, доб. 12", "12"), ("+7 916 123 45 67 вн. 7", "7"),
     ("89161234567 ДОБ 44", "44")],
)  # fmt: skip
def test_an_extension_after_a_valid_mobile_is_dropped_with_a_note(value, extension):
    row = normalize_phones([value]).iloc[0]
    assert (row["phone"], row["phone_ok"], row["problem"]) == ("79161234567", True, None)
    assert row["note"] == f"extension {extension} dropped"


@pytest.mark.parametrize(
    "value, shown",
    [("89161234567, 89161234568", "79161234567, 79161234568"),
     ("79161234567;79161234568", "79161234567, 79161234568"),
     ("8 916 123-45-67 / +7 903 765-43-21", "79161234567, 79037654321"),
     ("89161234567 89161234568", "79161234567, 79161234568"),
     ("89161234567 или 89161234568\n89161234569", "79161234567, 79161234568, 79161234569"),
     ("89161234567, 12345678", "79161234567, 12345678")],
)  # fmt: skip
def test_a_cell_with_several_numbers_is_flagged_never_cut_to_one(value, shown):
    row = normalize_phones([value]).iloc[0]
    assert row["phone"] is None and not row["phone_ok"]
    assert row["problem"] == f"{shown.count(',') + 1} numbers in one cell: {shown}"


def test_a_number_with_trailing_junk_after_a_separator_is_refused():
    row = normalize_phones(["79161234567; 12"]).iloc[0]
    assert row["problem"] == "more than a phone number in the cell"
    assert normalize_phones(["79161234567,00"])["phone"].iat[0] == "79161234567"


@pytest.mark.parametrize(
    "value",
    ["+79161234567\n", "\n89161234567", "89161234567\r\n", "79161234567,", "8(916)1234567;",
     " 79161234567 / ", "+79161234567\t"],
)  # fmt: skip
def test_a_separator_with_no_number_beyond_it_leaves_one_number(value):
    # a line break or a comma after the number (Excel cells, pasted lists) was read as
    # "more than a phone number in the cell", and a valid contact was not sent
    row = normalize_phones([value]).iloc[0]
    assert (row["phone"], row["problem"]) == ("79161234567", None)
    assert row["phone_input"] == value


@pytest.mark.parametrize("number", ["+79161234567", "0079161234567", "89161234567"])
def test_excels_text_guard_around_a_number_is_dropped(number):
    # ="0079..." keeps a CSV cell text when Excel opens it; its 00 was not read as + before
    row = normalize_phones([f'="{number}"']).iloc[0]
    assert (row["phone"], row["problem"]) == ("79161234567", None)


def test_split_phone_cell():
    assert phones.split_phone_cell("89161234567, 89161234568") == ["89161234567", "89161234568"]
    assert phones.split_phone_cell("8 (916) 123-45-67") == ["8 (916) 123-45-67"]
    assert phones.split_phone_cell("8 916 123-45-67, доб. 12") == ["8 916 123-45-67, доб. 12"]
