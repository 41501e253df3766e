"""prepare's shortcuts for a string text column: its distinct values are not factorized a
second time, and problem columns are tested for None by identity. Each is checked against
the general path (an object column of the same texts, factorized)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from smsc_frames.objectcodes import is_none
from smsc_frames.plan import prepare

# texts that NFC makes equal ("é" and "e" + U+0301, CR LF and LF), empty, blank, long, emoji,
# a GSM-7 extension character and an emoji where they open a part
_TEXTS = ["é", "e\u0301", "a\r\nb", "a\nb", "", "  ", "x" * 1001, "я😀" * 40, None, "Hi",
          "a" * 152 + "{" + "a" * 10, "я" * 69 + "😀"]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_TEXTS), min_size=1, max_size=40), st.sampled_from([0, 1]))
def test_a_string_column_plans_as_an_object_column_does(texts: list, translit: int) -> None:
    phones = [f"8916{number:07d}" for number in range(len(texts))]
    as_string = pd.DataFrame({"phone": phones, "text": pd.array(texts, dtype="string")})
    as_object = as_string.astype({"text": object})
    as_object["text"] = as_object["text"].where(as_object["text"].notna(), None)
    for duplicates in ("phone", "phone+text"):
        fast = prepare(as_string, phone="phone", text="text", translit=translit,
                       duplicates=duplicates)  # fmt: skip
        general = prepare(as_object, phone="phone", text="text", translit=translit,
                          duplicates=duplicates)  # fmt: skip
        pd.testing.assert_frame_equal(fast, general)


def test_texts_equal_after_normalising_are_one_text_to_the_duplicate_rule() -> None:
    contacts = pd.DataFrame(
        {"phone": ["89161234567"] * 2, "text": pd.array(["é", "e\u0301"], dtype="string")}
    )
    plan = prepare(contacts, phone="phone", text="text", duplicates="phone+text")
    assert plan["text"].tolist() == ["é", "é"]
    assert plan["duplicate_of"].tolist() == [None, 0]


def test_is_none_tells_none_from_every_other_value() -> None:
    values = np.array([None, "None", "", float("nan"), pd.NA, 0, None], dtype=object)
    assert is_none(values).tolist() == [True, False, False, False, False, False, True]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(_TEXTS), st.booleans()), min_size=1, max_size=40),
    st.sampled_from(["python", "pyarrow"]),
    st.sampled_from([0, 2]),
)
@example(picks=[(text, False) for text in _TEXTS], storage="pyarrow", translit=0)
def test_string_columns_of_every_storage_plan_as_an_object_column_does(
    picks: list, storage: str, translit: int
) -> None:
    """Repeats as fresh objects (read_csv's chunks), missing values told by identity
    (``pd.NA``) or by ``pd.isna`` (the ``str`` dtype's NaN), texts read as a slice."""
    texts = [
        "".join(list(text)) if fresh and isinstance(text, str) else text for text, fresh in picks
    ]
    phones = [f"8916{number:07d}" for number in range(len(texts))]
    as_object = pd.DataFrame({"phone": phones, "text": pd.Series(texts, dtype=object)})
    general = prepare(as_object, phone="phone", text="text", translit=translit)
    dtypes = [pd.StringDtype(storage), pd.StringDtype(storage, na_value=np.nan)]
    if storage == "pyarrow":
        dtypes += [pd.ArrowDtype(pa.string()), pd.ArrowDtype(pa.large_string())]
    general_templated = prepare(as_object, phone="phone", template="Hi {text}!",
                                translit=translit)  # fmt: skip
    for dtype in dtypes:
        contacts = pd.DataFrame({"phone": phones, "text": pd.array(texts, dtype=dtype)})
        plan = prepare(contacts, phone="phone", text="text", translit=translit)
        templated = prepare(contacts, phone="phone", template="Hi {text}!", translit=translit)
        pd.testing.assert_frame_equal(plan, general)
        pd.testing.assert_frame_equal(templated, general_templated)


@pytest.mark.parametrize(
    "dtype",
    [pd.StringDtype("pyarrow", na_value=np.nan), pd.ArrowDtype(pa.string())],
    ids=["str", "string[pyarrow]"],
)
def test_arrow_columns_are_coded_by_arrow_not_by_python_strings(
    dtype: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pandas' own read_csv gives Arrow-backed ``str`` columns: values that repeat are coded
    by ``pd.factorize`` (Arrow's hash), never turned into a Python string per row and coded
    as objects (1.2 s per 1M-row field against 0.03 s)."""
    import smsc_frames.templates as templates

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an Arrow column was coded as Python objects")

    phones = [f"8916{number:07d}" for number in range(12)]
    names = ["Анна", "Ivan", None, "Анна", "😀", "Ivan"] * 2
    frame = pd.DataFrame({"phone": phones, "name": names, "text": names}, dtype=object)
    general = {
        "text": prepare(frame, phone="phone", text="text"),
        "template": prepare(frame, phone="phone", template="{name}, hi", sender="name"),
    }
    arrow = frame.astype({"name": dtype, "text": dtype})
    monkeypatch.setattr(templates, "factorize_objects", refuse)
    pd.testing.assert_frame_equal(prepare(arrow, phone="phone", text="text"), general["text"])
    pd.testing.assert_frame_equal(
        prepare(arrow, phone="phone", template="{name}, hi", sender="name"), general["template"]
    )


@pytest.mark.parametrize("repeating_in_sample", [True, False])
def test_the_path_a_sample_picks_never_changes_the_plan(repeating_in_sample: bool) -> None:
    """Arrow coding is chosen from ten runs of rows spread over the column: a column that
    repeats in those runs only (or everywhere but there) plans as its object column does."""
    import smsc_frames.templates as templates

    rows = 60_000
    run, step = templates._REPEAT_SAMPLE // 10, rows // 10  # the sample's ten runs
    in_sample = (np.arange(rows) % step) < run
    repeated = in_sample if repeating_in_sample else ~in_sample
    texts = np.array([f"Заказ {row} 😀" for row in range(rows)], dtype=object)
    texts[repeated] = np.array(["Hi", "Hi {", None], dtype=object)[np.arange(repeated.sum()) % 3]
    phones = [f"8916{row:07d}" for row in range(rows)]
    as_object = pd.DataFrame({"phone": phones, "text": pd.Series(texts, dtype=object)})
    general = prepare(as_object, phone="phone", text="text")  # (pandas 3 infers str from texts)
    for dtype in (pd.StringDtype("pyarrow", na_value=np.nan), pd.ArrowDtype(pa.string())):
        contacts = pd.DataFrame({"phone": phones, "text": pd.array(texts, dtype=dtype)})
        pd.testing.assert_frame_equal(prepare(contacts, phone="phone", text="text"), general)
