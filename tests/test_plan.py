"""prepare(): the plan from a text column or a template, problems flagged, duplicates marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smsc_frames.plan as plan_module
import smsc_frames.templates as templates_module
from smsc_frames.errors import ValidationError
from smsc_frames.options import Options
from smsc_frames.plan import COLUMNS, mark_duplicates, prepare
from smsc_frames.planoptions import plan_options
from smsc_frames.segments import count_segments, normalize_text

GOOD = "+7 916 123-45-67"


def contacts(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_text_column_plan_keeps_the_index_and_has_the_contract_columns():
    df = contacts(tel=[GOOD, "8 903 765 43 21"], msg=["Hi\r\nthere", "Скидка"]).set_axis(["x", "y"])
    plan = prepare(df, phone="tel", text="msg")
    assert list(plan.columns) == COLUMNS
    assert list(plan.index) == ["x", "y"]
    assert plan["phone"].tolist() == ["79161234567", "79037654321"]
    assert plan["text"].tolist() == ["Hi\nthere", "Скидка"]  # CRLF normalised
    assert plan["encoding"].tolist() == ["gsm7", "ucs2"]
    assert plan["sendable"].tolist() == [True, True]
    assert plan["problem"].tolist() == [None, None]
    assert plan["sender"].tolist() == [None, None]


def test_template_fills_per_row_and_shows_whole_floats_as_integers():
    df = contacts(
        phone=[GOOD] * 3,
        name=["Anna", "Ivan", "Anna"],
        bonus=[5.0, 2.5, 5.0],
        price=[10.0, 3.0, 10.0],
    )
    plan = prepare(
        df,
        phone="phone",
        template="{name}: +{bonus} points, {price:.2f} rub {{ok}}",
        duplicates="phone+text",
    )
    assert plan["text"].tolist() == [
        "Anna: +5 points, 10.00 rub {ok}",
        "Ivan: +2.5 points, 3.00 rub {ok}",
        "Anna: +5 points, 10.00 rub {ok}",
    ]
    assert plan["duplicate_of"].tolist() == [None, None, 0]


def test_template_is_rendered_once_per_distinct_value(monkeypatch):
    calls = []
    original = templates_module._render

    def counting(value, spec, conversion):
        calls.append(value)
        return original(value, spec, conversion)

    monkeypatch.setattr(templates_module, "_render", counting)
    n = 2_000
    df = contacts(
        phone=[f"7916{i:07d}" for i in range(n)],
        name=np.array(["Anna", "Ivan", "Olga"])[np.arange(n) % 3],
        code=np.arange(n) % 10,
    )
    plan = prepare(df, phone="phone", template="{name} #{code}")
    assert sorted(calls) == list(range(10))  # each code once; plain strings need no format
    assert plan["text"].nunique() == 30
    assert plan.loc[4, "text"] == "Ivan #4"


def test_a_missing_template_column_is_refused_listing_the_available_ones():
    df = contacts(phone=[GOOD], name=["Anna"])
    with pytest.raises(ValidationError) as caught:
        prepare(df, phone="phone", template="Hi {first_name}")
    assert caught.value.parameter == "template"
    assert "{first_name}" in caught.value.rule and "phone, name" in caught.value.rule


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("Hi {}", "must name a column"),
        ("Hi {0}", "must name a column"),
        ("Hi {name", "not a valid str.format"),
        ("Hi {name:{width}}", "nested"),
        (42, "must be a str.format string"),
    ],
)
def test_bad_templates_are_refused(template, words):
    with pytest.raises(ValidationError, match=words):
        prepare(contacts(phone=[GOOD], name=["Anna"]), phone="phone", template=template)


def test_missing_field_values_and_unformattable_values_become_row_problems():
    df = contacts(phone=[GOOD, GOOD, GOOD], name=["Anna", None, "Ivan"], price=[1.0, 2.0, "free"])
    plan = prepare(df, phone="phone", template="{name} {price:.1f}")
    assert plan["text"].tolist() == ["Anna 1.0", None, None]
    assert plan.loc[1, "problem"] == "template field 'name' is missing"
    assert plan.loc[2, "problem"].startswith("template field 'price' cannot be formatted")
    assert plan["sendable"].tolist() == [True, False, False]


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"text": "msg", "template": "{msg}"}, "text"),
        ({}, "text"),
        ({"text": "message"}, "text"),
    ],
)
def test_text_or_template_exactly_one_and_existing(kwargs, parameter):
    with pytest.raises(ValidationError) as caught:
        prepare(contacts(phone=[GOOD], msg=["Hi"]), phone="phone", **kwargs)
    assert caught.value.parameter == parameter


def test_a_missing_phone_column_is_refused():
    with pytest.raises(ValidationError, match="available columns: tel, msg") as caught:
        prepare(contacts(tel=[GOOD], msg=["Hi"]), phone="phone", text="msg")
    assert caught.value.parameter == "phone"


def test_rows_with_problems_are_flagged_never_dropped():
    df = contacts(
        phone=[GOOD, "12", GOOD, GOOD, "8 495 123-45-67", None],
        msg=["ok", "ok", "   ", "я" * 1001, "ok", None],
    )
    plan = prepare(df, phone="phone", text="msg")
    assert len(plan) == 6
    assert plan["problem"].tolist() == [
        None,
        "phone: too short",
        "empty text",
        "text over 1000 characters (1001)",
        "phone: not a mobile number (landline)",
        "phone: empty; empty text",
    ]
    assert plan["sendable"].tolist() == [True, False, False, False, False, False]


def test_exact_duplicates_point_at_the_first_row_and_are_not_sendable():
    df = contacts(
        phone=[GOOD, "89161234567", GOOD, GOOD, "12", "12"],
        msg=["Hi", "Hi", "Bye", "Hi", "Hi", "Hi"],
        who=["A", "A", "A", "B", "A", "A"],
    ).set_axis(list("abcdef"))
    plan = prepare(df, phone="phone", text="msg", sender="who", duplicates="phone+text")
    assert plan["duplicate_of"].tolist() == [None, "a", None, None, None, None]
    assert plan["sendable"].tolist() == [True, False, True, True, False, False]


def test_sender_column_values_are_checked_per_row():
    df = contacts(phone=[GOOD] * 3, msg=["a", "b", "c"], who=["Shop", "Bad|Name", None])
    plan = prepare(df, phone="phone", text="msg", sender="who", duplicates="phone+text")
    assert plan["sender"].tolist() == ["Shop", "Bad|Name", None]
    assert plan.loc[1, "problem"].startswith("sender: ")
    assert plan["sendable"].tolist() == [True, False, True]


def test_constant_sender_is_validated_before_anything_runs():
    df = contacts(phone=[GOOD], msg=["a"])
    assert prepare(df, phone="phone", text="msg", sender="Shop")["sender"].tolist() == ["Shop"]
    with pytest.raises(ValidationError) as caught:
        prepare(df, phone="phone", text="msg", sender="Way Too Long Name")
    assert caught.value.parameter == "sender"


def test_options_are_validated_merged_and_kept_without_the_sender():
    df = contacts(phone=[GOOD], msg=["я" * 200])
    plan = prepare(
        df, phone="phone", text="msg", options=Options(translit=0, sender="Shop"), maxsms=2
    )
    assert plan_options(plan) == Options(translit=0, maxsms=2)
    assert plan.attrs["options"] == {"translit": "0", "maxsms": "2"}  # JSON-able (parquet)
    assert plan["sender"].tolist() == ["Shop"]
    assert plan["parts"].tolist() == [2]
    with pytest.raises(ValidationError) as caught:
        prepare(df, phone="phone", text="msg", cost=1)
    assert caught.value.parameter == "cost"
    with pytest.raises(ValidationError, match="given twice"):
        prepare(df, phone="phone", text="msg", sender="Other", options=Options(sender="Shop"))
    with pytest.raises(ValidationError, match="given twice") as caught:  # not silently 3
        prepare(df, phone="phone", text="msg", options=Options(maxsms=2), maxsms=3)
    assert caught.value.parameter == "maxsms"
    same = prepare(df, phone="phone", text="msg", options=Options(translit=1), translit="1")
    assert same.attrs["options"] == {"translit": "1"}  # the same value, however written


def test_translit_counts_cyrillic_as_latin_parts():
    df = contacts(phone=[GOOD], msg=["Привет" * 20])
    assert prepare(df, phone="phone", text="msg")["parts"].tolist() == [2]
    assert prepare(df, phone="phone", text="msg", translit=1)["parts"].tolist() == [1]


def test_texts_equal_after_normalisation_are_duplicates():
    df = contacts(phone=[GOOD, GOOD], msg=["cafe\u0301\r\n", "café\n"])
    plan = prepare(df, phone="phone", text="msg")
    assert plan["text"].tolist() == ["café\n", "café\n"]
    assert plan["duplicate_of"].tolist() == [None, 0]


def test_mark_duplicates_applies_prepares_rule_to_changed_texts():
    df = contacts(
        phone=[GOOD, GOOD, GOOD, "12"], msg=["Hi!", "Hi", "Hi", "Hi"], shop=["A", "A", "B", "A"]
    )
    plan = prepare(df, phone="phone", text="msg", sender="shop", duplicates="phone+text")
    assert plan["duplicate_of"].tolist() == [None, None, None, None]
    plan.loc[0, "text"] = "Hi"  # a text edited to equal a later row's
    marked = mark_duplicates(plan)
    assert marked["duplicate_of"].tolist() == [None, 0, None, None]  # other sender: kept
    assert marked["sendable"].tolist() == [True, False, True, False]  # row 3: bad phone
    assert marked.attrs["options"] == plan.attrs["options"]
    assert plan["duplicate_of"].tolist() == [None] * 4  # the given plan is unchanged


@pytest.mark.parametrize("labels", [[np.nan, 1.0], [None, "b"]])
def test_a_duplicate_of_a_row_labelled_missing_is_still_not_sent(labels):
    df = pd.DataFrame({"phone": [GOOD, GOOD], "msg": ["Hi", "Hi"]}, index=labels)
    plan = prepare(df, phone="phone", text="msg")
    assert plan["sendable"].tolist() == [True, False]
    assert mark_duplicates(plan)["sendable"].tolist() == [True, False]


# Pieces mixing what changes a count: GSM-7 basic and extension characters, Cyrillic (UCS-2,
# transliterated), astral emoji (two UTF-16 units), combining marks and CR (normalised
# away), whitespace, and NUL (the row separator of templates.concatenate).
PIECE_ALPHABET = st.sampled_from(list("aeZ 5{€\\\nщЖяё😀\u0301\r\t\u3000\x00"))
PIECES = st.text(PIECE_ALPHABET, max_size=90)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(PIECES, PIECES), min_size=1, max_size=8),
    literal=PIECES,
    translit=st.sampled_from([0, 1, 2]),
    maxsms=st.sampled_from([None, 1, 2]),
)
def test_template_counts_from_pieces_equal_counting_the_whole_texts(
    rows, literal, translit, maxsms
):
    """prepare measures a template's pieces, never its texts: the counts must still be those
    of count_segments on the texts it shows, which are those str.format gives, normalised."""
    df = contacts(phone=[GOOD] * len(rows), a=[a for a, _ in rows], b=[b for _, b in rows])
    template = "{a}" + literal.replace("{", "{{").replace("}", "}}") + "{b}!"
    plan = prepare(df, phone="phone", template=template, translit=translit, maxsms=maxsms)
    expected_texts = normalize_text(pd.Series([template.format(a=a, b=b) for a, b in rows]))
    assert plan["text"].fillna("").tolist() == expected_texts.tolist()
    counts = count_segments(expected_texts, translit=translit, maxsms=maxsms, normalized=True)
    for column in ("encoding", "units", "parts"):
        assert plan[column].tolist() == counts[column].tolist(), column
    blank_or_long = [text.isspace() or len(text) > 1000 for text in expected_texts]
    assert plan["problem"].notna().tolist() == blank_or_long


def test_concatenate_survives_nul_inside_values():
    columns = [np.array(["a\x00", "b"], dtype=object), np.array(["1", "\x002"], dtype=object)]
    assert templates_module.concatenate(columns).tolist() == ["a\x001", "b\x002"]


def test_different_field_values_filling_the_same_text_are_duplicates():
    df = contacts(phone=[GOOD, GOOD, GOOD], a=["x", "xy", "x"], b=["yz", "z", "q"])
    plan = prepare(df, phone="phone", template="{a}{b}", duplicates="phone+text")
    assert plan["text"].tolist() == ["xyz", "xyz", "xq"]
    assert plan["duplicate_of"].tolist() == [None, 0, None]


def test_a_bad_default_region_fails_before_any_text_is_filled(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the texts were filled before the region was checked")

    monkeypatch.setattr(plan_module, "fill_template", never)
    with pytest.raises(ValidationError) as caught:
        prepare(contacts(phone=[GOOD], msg=["Hi"]), phone="phone", text="msg", default_region="XX")
    assert caught.value.parameter == "default_region"
