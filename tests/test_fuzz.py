"""Fuzzing of what analysts feed in: any phone cell, any template, any field value.

Each must end in a clear error or a correct result: never a crash, never a wrong recipient,
never a text that differs from what the template says. (The payload codec and the sandbox's
parsers are fuzzed over HTTP in test_payloads_property.py and test_sandbox_robustness.py.)
"""

from __future__ import annotations

import string

import pandas as pd
import phonenumbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsc_frames.errors import ValidationError
from smsc_frames.phones import normalize_phones
from smsc_frames.plan import prepare
from smsc_frames.segments import normalize_text

ANY_CELL = st.one_of(
    st.text(max_size=30),
    st.text("0123456789 +-()., \u00a0eE", max_size=25),
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**16), max_value=10**16),
)
FIELD_VALUE = st.one_of(st.text(max_size=40), st.sampled_from(["{", "}", "{x}", "\\n", ":", "|"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANY_CELL, min_size=1, max_size=20))
def test_any_phone_cell_gives_a_valid_mobile_or_a_reason(cells):
    result = normalize_phones(pd.Series(cells, dtype=object, index=range(100, 100 + len(cells))))

    assert list(result.index) == list(range(100, 100 + len(cells)))
    for row in result.itertuples():
        if row.phone_ok:
            assert row.problem is None
            number = phonenumbers.parse("+" + row.phone)
            assert phonenumbers.is_valid_number(number)
            assert phonenumbers.number_type(number) in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            )
        else:
            assert isinstance(row.problem, str) and row.problem


@st.composite
def templates(draw):
    """A template of literal pieces (braces escaped) and ``{field}`` references."""
    pieces = draw(
        st.lists(
            st.one_of(
                st.text(max_size=15).map(lambda text: text.replace("{", "{{").replace("}", "}}")),
                st.sampled_from(["{name}", "{code}"]),
            ),
            min_size=1,
            max_size=6,
        )
    )
    return "".join(pieces)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates(), st.lists(st.tuples(FIELD_VALUE, FIELD_VALUE), min_size=1, max_size=8))
def test_a_template_fills_exactly_what_str_format_says(template, values):
    contacts = pd.DataFrame(
        {
            "phone": [f"+7 916 {1000000 + n:07d}" for n in range(len(values))],
            "name": [name for name, _ in values],
            "code": [code for _, code in values],
        },
        index=[f"row{n}" for n in range(len(values))],
    )
    plan = prepare(contacts, phone="phone", template=template)

    assert plan.index.equals(contacts.index)
    expected = normalize_text(
        pd.Series(
            [template.format(name=name, code=code) for name, code in values], index=plan.index
        )
    )
    filled = plan["problem"].isna() | ~plan["problem"].fillna("").str.contains("template")
    assert (plan.loc[filled, "text"] == expected[filled]).all()
    assert (plan["phone"] == [f"7916{1000000 + n:07d}" for n in range(len(values))]).all()
    # a row is sendable only with a non-blank text of at most 1000 characters
    sendable = plan[plan["sendable"]]
    assert sendable["text"].str.strip().str.len().gt(0).all()
    assert sendable["text"].str.len().le(1000).all()


@given(st.text(alphabet=string.printable + "{}абв", max_size=30))
def test_a_malformed_template_is_a_clear_error_or_a_plan(template):
    contacts = pd.DataFrame({"phone": ["+79161234567"], "name": ["Ann"]})
    try:
        plan = prepare(contacts, phone="phone", template=template)
    except ValidationError as error:
        assert error.parameter == "template" or error.parameter.startswith("template")
    else:
        assert len(plan) == 1
