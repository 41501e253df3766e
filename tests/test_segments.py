"""Exact SMS part counting (spec/segments.md)."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsc_frames.errors import ValidationError
from smsc_frames.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    count_measured,
    count_segments,
    measure_texts,
    normalize_text,
    split_parts,
    transliterate,
    truncate_to_parts,
)

SANITY_TABLE = [
    ("a" * 160, 1),
    ("a" * 161, 2),
    ("a" * 158 + "€", 1),
    ("a" * 159 + "€", 2),
    ("я" * 70, 1),
    ("я" * 71, 2),
    ("я" * 68 + "😀", 1),
    ("я" * 69 + "😀", 2),
    ("a" * 100 + "’", 2),
]


def reference_count(text: str, encoding: str | None = None) -> tuple[str, int, int]:
    """Encoding, units and parts by the plain reading of the spec, one character at a time.

    *encoding* forces the encoding (a cut text keeps that of the whole text).
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if encoding is None:
        gsm = all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)
        encoding = "gsm7" if gsm else "ucs2"
    if encoding == "gsm7":
        costs = [2 if char in GSM7_EXTENSION else 1 for char in text]
        single, multi = 160, 153
    else:
        costs = [len(char.encode("utf-16-le", "surrogatepass")) // 2 for char in text]
        single, multi = 70, 67
    units = sum(costs)
    if units <= single:
        return encoding, units, 1
    parts, room = 1, multi
    for cost in costs:
        if cost > room:
            parts, room = parts + 1, multi
        room -= cost
    return encoding, units, parts


@pytest.mark.parametrize(("text", "parts"), SANITY_TABLE)
def test_sanity_table_of_the_spec(text, parts):
    assert count_segments([text])["parts"].iat[0] == parts
    assert len(split_parts(text)) == parts


def test_two_unit_characters_are_never_split_across_parts():
    counts = count_segments(["a" * 152 + "{" + "a" * 152, "я" * 66 + "😀" + "я" * 66])
    assert counts["units"].tolist() == [306, 134]
    assert counts["parts"].tolist() == [3, 3]
    first, second, _ = split_parts("a" * 152 + "{" + "a" * 152)
    assert first == "a" * 152 and second.startswith("{")
    assert split_parts("я" * 66 + "😀" + "я" * 66)[1].startswith("😀")


def test_units_count_septets_and_utf16_code_units():
    family = "👨\u200d👩\u200d👧\u200d👦"
    counts = count_segments(["[x]~", family, "Привет 😀"])
    assert counts["units"].tolist() == [7, 11, 9]
    assert counts["encoding"].tolist() == ["gsm7", "ucs2", "ucs2"]


def test_the_last_one_unit_and_the_first_two_unit_characters():
    """U+FFFF is one UTF-16 unit, U+10000 the first that takes two (a surrogate pair)."""
    texts = ["я" * 69 + "\uffff", "я" * 69 + "\U00010000", "\uffff" * 3, "\U00010000" * 3]
    # 134 units, 67 a part: a pair at units 67-68 opens the second part (3 parts), U+FFFF
    # fits as the 67th unit (2 parts)
    straddling = ["я" * 66 + "\U00010000" + "я" * 66, "я" * 66 + "\uffff" + "я" * 65 + "\U00010000"]
    counts = count_segments(texts + straddling)
    assert counts["units"].tolist() == [70, 71, 3, 6, 134, 134]
    assert counts["parts"].tolist() == [1, 2, 1, 1, 3, 2]
    assert [len(split_parts(text)) for text in straddling] == [3, 2]  # the reference split


def test_encoding_and_the_first_character_that_forces_ucs2():
    counts = count_segments(["Hello {name} €5", "Sale — today", "Cafe\tbar", "ç", "Ç"])
    assert counts["encoding"].tolist() == ["gsm7", "ucs2", "ucs2", "ucs2", "gsm7"]
    assert counts["first_ucs2_char"].tolist() == [None, "—", "\t", "ç", None]


def test_text_is_normalised_before_counting():
    assert normalize_text(pd.Series(["a\r\nb\rc"])).tolist() == ["a\nb\nc"]
    counts = count_segments(["a" * 79 + "\r\n" + "a" * 79, "cafe\u0301"])
    assert counts["units"].tolist() == [159, 4]
    assert counts["parts"].tolist() == [1, 1]
    assert counts["encoding"].tolist() == ["gsm7", "gsm7"]


def test_normalized_texts_are_not_normalised_again():
    assert count_segments(["a\r\nb"])["units"].iat[0] == 3
    assert count_segments(["a\r\nb"], normalized=True)["units"].iat[0] == 4  # taken as given
    texts = pd.Series(["cafe\u0301 {x}", "a\rb", "Привет 😀", None], index=[4, 3, 2, 1])
    normalised = normalize_text(texts)
    assert normalised.index.tolist() == [4, 3, 2, 1] and pd.isna(normalised.iat[3])
    assert count_segments(normalised, normalized=True).equals(count_segments(texts))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(), st.text("\r\nеиaAᄀ각\u1161\u11a8\u0301\u0308\u09c7\u09be"
                                            "\u0b47\u0b3e\u3099か\U0001d15e\u2126")),
                max_size=20))  # fmt: skip
def test_normalize_text_is_crlf_to_lf_then_nfc(texts):
    expected = [unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
                for text in texts]  # fmt: skip
    assert normalize_text(pd.Series(texts, dtype=object)).tolist() == expected
    assert list(zip(*count_segments(texts).iloc[:, :3].to_dict("list").values())) == [
        reference_count(text) for text in texts
    ]


def test_empty_and_missing_texts_are_one_part():
    counts = count_segments(pd.Series(["", None, float("nan")]))
    assert counts["parts"].tolist() == [1, 1, 1]
    assert counts["units"].tolist() == [0, 0, 0]
    beside_texts = count_segments(["a" * 200, None, "я"])  # not counted as a neighbour's text
    assert beside_texts["units"].tolist() == [200, 0, 1]
    assert beside_texts["encoding"].tolist() == ["gsm7", "gsm7", "ucs2"]


def test_result_keeps_the_callers_index_and_repeats_are_counted_alike():
    texts = pd.Series(["Привет", "Hi", "Привет"], index=["x", "y", "z"])
    counts = count_segments(texts)
    assert counts.index.tolist() == ["x", "y", "z"]
    assert counts.loc["x"].tolist() == counts.loc["z"].tolist()
    assert counts.loc["y", "encoding"] == "gsm7"


def test_maxsms_truncates_to_what_fits():
    counts = count_segments(["a" * 500, "я" * 100, "short"], maxsms=2)
    assert counts["parts"].tolist() == [2, 2, 1]
    assert counts["units"].tolist() == [306, 100, 5]
    assert counts["truncated"].tolist() == [True, False, False]
    one = count_segments(["я" * 100], maxsms=1)
    assert (one["parts"].iat[0], one["units"].iat[0], one["truncated"].iat[0]) == (1, 70, True)


def test_a_cut_before_the_first_cyrillic_letter_is_sent_as_gsm7():
    counts = count_segments(["a" * 134 + "я" * 10], maxsms=2)
    assert counts.iloc[0].tolist() == ["gsm7", 134, 1, None, True]


def test_truncate_to_parts_keeps_a_prefix_without_splitting_a_character():
    text = "a" * 152 + "€" + "a" * 300
    kept = truncate_to_parts(text, 1)
    assert kept == "a" * 152 + "€" + "a" * 6
    assert truncate_to_parts(text, 2) == "a" * 152 + "€" + "a" * 151
    assert truncate_to_parts("short", 3) == "short"


def test_translit_converts_cyrillic_before_counting():
    assert transliterate("Щука, ёж и ЖЖ", 1) == "Schuka, yozh i ZhZh"
    assert transliterate("Привет", 2) == "NpuBem"
    assert transliterate("Тест", 2) == "Tecm"
    counts = count_segments(["Привет, мир!"] * 2, translit=1)
    assert counts["encoding"].tolist() == ["gsm7", "gsm7"]
    assert counts["units"].iat[0] == len("Privet, mir!")
    assert count_segments(["я" * 70], translit=1)["parts"].iat[0] == 1  # "ya" * 70 = 140
    assert count_segments(["я" * 81], translit=1)["parts"].iat[0] == 2


@pytest.mark.parametrize("translit", [1, 2])
def test_a_transliterated_text_near_a_part_boundary_is_split_as_transliterated(translit):
    # prepare() counts the texts as written, measured after transliteration: a text the
    # measure cannot settle is split again, and that split must read the transliterated text
    # ("ж" is two or three septets then, one "character" before), or parts are misreported.
    phrase = "Жаркая {акция}: щедрый [VIP] чек, "
    texts = np.array(
        ["a" * before + phrase * 6 + "a" * after for before in range(45) for after in range(45)],
        dtype=object,
    )
    measured = count_measured(measure_texts(texts, translit), texts, translit=translit)
    sent = [transliterate(text, translit) for text in texts]
    expected = [len(split_parts(text)) for text in sent]
    assert measured["parts"].tolist() == expected
    assert measured["units"].tolist() == count_segments(sent)["units"].tolist()
    # the hard kind is there: texts whose parts the greedy split decides, not units / 153
    fewest = -(-measured["units"] // 153)
    assert (measured["parts"] > fewest).sum() >= 2


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [({"maxsms": 0}, "maxsms"), ({"maxsms": 1.5}, "maxsms"), ({"translit": 3}, "translit")],
)
def test_bad_options_are_refused(kwargs, parameter):
    with pytest.raises(ValidationError) as caught:
        count_segments(["hi"], **kwargs)
    assert caught.value.parameter == parameter


def test_non_text_values_are_refused():
    with pytest.raises(ValidationError, match="string"):
        count_segments(["hi", 5])
    with pytest.raises(ValidationError, match="not one text"):
        count_segments("hello")


def test_gsm_tables_match_the_spec():
    assert len(GSM7_BASIC) == 127 and "\x1b" not in GSM7_BASIC
    assert "Ç" in GSM7_BASIC and "ç" not in GSM7_BASIC
    assert GSM7_EXTENSION == frozenset("\f^{}\\[~]|€")
    assert not GSM7_BASIC & GSM7_EXTENSION


# Texts that cross part boundaries with two-unit characters in every position.
_GSM_ALPHABET = "".join(sorted(GSM7_BASIC)) + "".join(sorted(GSM7_EXTENSION))
_ALPHABET = _GSM_ALPHABET + "яЖ’—😀👍\r\u0301"
_texts = st.one_of(
    st.text(alphabet=_GSM_ALPHABET, max_size=700),
    st.text(alphabet=_ALPHABET, max_size=400),
    st.lists(st.sampled_from(["a" * 50, "€", "я" * 30, "😀", "{}", "b"]), max_size=40).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_split_parts_is_a_greedy_packing_of_the_normalised_text(text):
    normalised = normalize_text(pd.Series([text])).iat[0]
    parts = split_parts(text)
    assert "".join(parts) == normalised
    encoding, units, count = reference_count(text)
    capacity = (
        (160 if encoding == "gsm7" else 70)
        if len(parts) == 1
        else (153 if encoding == "gsm7" else 67)
    )
    sizes = [reference_count(part, encoding)[1] for part in parts]
    assert all(size <= capacity for size in sizes)
    assert all(
        size + reference_count(after[:1], encoding)[1] > capacity
        for size, after in zip(sizes, parts[1:])
    )  # greedy: the next one did not fit
    assert len(parts) == count


@settings(max_examples=100, deadline=None)
@given(st.lists(_texts, max_size=20))
def test_vectorised_count_equals_the_reference_for_every_text(texts):
    counts = count_segments(texts)
    expected = [reference_count(text) for text in texts]
    assert list(zip(counts["encoding"], counts["units"], counts["parts"], strict=True)) == expected


@settings(max_examples=200, deadline=None)
@given(_texts, st.integers(min_value=1, max_value=4))
def test_truncation_keeps_the_longest_prefix_that_fits(text, limit):
    normalised = normalize_text(pd.Series([text])).iat[0]
    encoding = reference_count(text)[0]
    kept = truncate_to_parts(text, limit)
    assert normalised.startswith(kept)
    assert reference_count(kept, encoding)[2] <= limit
    assert reference_count(kept, encoding)[2] <= limit
    counted = count_segments([text], maxsms=limit)
    sent = reference_count(kept)  # what is kept is counted as sent, in its own encoding
    assert (counted["encoding"].iat[0], counted["units"].iat[0], counted["parts"].iat[0]) == sent
    assert counted["truncated"].iat[0] == (kept != normalised)
    if kept != normalised:
        assert reference_count(normalised[: len(kept) + 1], encoding)[2] > limit


_sandbox_phone_numbers = iter(range(10**6))
_wire_texts = st.one_of(_texts, st.text(max_size=300)).filter(
    lambda text: normalize_text(pd.Series([text])).iat[0].strip() and len(text) <= 1000
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # one sandbox is meant
@given(
    text=_wire_texts,
    maxsms=st.sampled_from([None, 1, 2, 3]),
    translit=st.sampled_from([0, 0, 1, 2]),
)
def test_the_sandbox_bills_the_parts_we_count(sandbox, text, maxsms, translit):
    phone = f"7916{next(_sandbox_phone_numbers):07d}"  # never an identical cost=1 request twice
    form = {"login": "demo", "psw": "demo", "phones": phone, "mes": text, "charset": "utf-8",
            "fmt": 3, "cost": 1, "translit": translit}  # fmt: skip
    if maxsms is not None:
        form["maxsms"] = maxsms
    answer = requests.post(sandbox.url + "/sys/send.php", data=form, timeout=10).json()
    expected = count_segments([text], maxsms=maxsms, translit=translit)["parts"].iat[0]
    assert answer.get("cnt") == expected, answer


def test_nfc_marks_above_the_table_flag_marks_and_replaced_characters_not_emoji():
    texts = ["Gift 🎁\ufe0f", "が", "か\u3099", "\uf900", "\U0001d165"]
    assert measure_texts(texts).nfc_marks.tolist() == [0, 0, 1, 1, 1]
    assert normalize_text(pd.Series(texts)).tolist() == [
        "Gift 🎁\ufe0f",
        "が",
        "が",
        "\u8c48",
        "\U0001d165",
    ]


def test_measure_texts_refuses_what_is_not_text():
    with pytest.raises(ValidationError, match="every text must be a string"):
        measure_texts(["ok", None])


NFC_PROBES = [
    "e",
    "\u0301",
    "か",
    "\u3099",
    "가",
    "\u11a8",
    "\U00011131",
    "\U00011127",
    "\uf900",
    "🎁",
    "\ufe0f",
    "\r",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.one_of(st.characters(), st.sampled_from(NFC_PROBES)), max_size=12))
def test_a_text_without_nfc_marks_is_its_own_normal_form(text):
    if measure_texts([text]).nfc_marks[0] == 0:
        assert unicodedata.normalize("NFC", text) == text
        assert "\r" not in text


def test_count_measured_encoding_column_is_what_pandas_makes_of_the_names() -> None:
    """The names are taken by position from two strings: the column must be the one pandas
    builds from a list of the names (its string dtype, every value, a fresh RangeIndex)."""
    texts = np.array(["Hi", "Привет", "", "a{", "😀"], dtype=object)
    got = count_measured(measure_texts(texts), texts)["encoding"]
    want = pd.Series(["gsm7", "ucs2", "gsm7", "gsm7", "ucs2"], name="encoding")
    pd.testing.assert_series_equal(got, want)
