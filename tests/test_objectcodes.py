"""objectcodes: identity-first factorization gives exactly ``pd.factorize``'s codes and uniques."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsc_frames.objectcodes import factorize_objects, object_addresses


def assert_like_pandas(values: np.ndarray) -> None:
    codes, uniques = factorize_objects(values)
    expected_codes, expected_uniques = pd.factorize(values)
    np.testing.assert_array_equal(codes, expected_codes)
    assert uniques.dtype == object
    assert uniques.tolist() == list(expected_uniques)
    assert [type(value) for value in uniques] == [type(value) for value in expected_uniques]


def test_addresses_are_the_ids_and_keep_the_array_alive():
    words = np.array(["a", "b" * 3, "a", None], dtype=object)
    addresses = object_addresses(words)
    assert addresses.tolist() == [id(word) for word in words]
    assert not addresses.flags.writeable
    del words
    assert addresses.base.objects[1] == "bbb"  # still readable: the view holds the array


def test_addresses_follow_strides():
    words = np.array(["x", "y", "z", "w"], dtype=object)
    assert object_addresses(words[::2]).tolist() == [id("x"), id("z")]


def test_addresses_refuse_other_dtypes():
    with pytest.raises(TypeError, match="object array"):
        object_addresses(np.arange(3))


def test_equal_values_in_different_objects_share_a_code():
    first, second = "".join(["hel", "lo"]), "".join(["he", "llo"])
    assert first is not second
    codes, uniques = factorize_objects(np.array([first, "bye", second], dtype=object))
    assert codes.tolist() == [0, 1, 0] and uniques.tolist() == ["hello", "bye"]


def test_equal_hashes_of_different_values_keep_apart():
    assert hash(-1) == hash(-2)  # CPython: -1 is reserved, so hash(-1) is -2
    assert_like_pandas(np.array([-1, -2, -1, "a", -2], dtype=object))


def test_missing_values_of_every_kind():
    assert_like_pandas(np.array([None, "a", pd.NA, float("nan"), np.nan, "a", None], dtype=object))


def test_empty_and_all_missing():
    assert_like_pandas(np.array([], dtype=object))
    assert_like_pandas(np.array([None, None], dtype=object))


POOL = ["", "a", "да", "да ", "Привет, {name}!", "😀", "a\nb", "-1"]


@st.composite
def object_columns(draw):
    """Values from a small pool, each row either the pool's object or a fresh equal copy."""
    picks = draw(
        st.lists(
            st.one_of(
                st.sampled_from(POOL),
                st.sampled_from([None, pd.NA, float("nan"), 1, 1.0, True, -1, -2, 0.0, -0.0]),
            ),
            max_size=60,
        )
    )
    fresh = draw(st.lists(st.booleans(), min_size=len(picks), max_size=len(picks)))
    values = [
        "".join(list(value)) if copy and isinstance(value, str) and len(value) > 1 else value
        for value, copy in zip(picks, fresh)
    ]
    return np.array(values + [None], dtype=object)[:-1]  # keeps every row an object


@settings(max_examples=300, deadline=None)
@given(object_columns())
def test_same_as_pandas_factorize(values):
    assert_like_pandas(values)


def test_other_dtypes_are_factorized_by_pandas():
    for values in (np.array([3, 1, 3]), np.array(["b", "a", "b"])):
        codes, uniques = factorize_objects(values)
        expected_codes, expected_uniques = pd.factorize(values)
        np.testing.assert_array_equal(codes, expected_codes)
        np.testing.assert_array_equal(uniques, expected_uniques)
        assert uniques.dtype == expected_uniques.dtype


@settings(max_examples=200, deadline=None)
@given(object_columns())
def test_strings_with_one_known_missing_value_code_as_pandas_does(values):
    """A string column's values (texts and its ``na_value``), missing told by identity."""
    texts = np.array(
        [value if isinstance(value, str) else pd.NA for value in values] + [None], dtype=object
    )[:-1]
    codes, uniques = factorize_objects(texts, missing=pd.NA)
    expected_codes, expected_uniques = pd.factorize(texts)
    assert codes.tolist() == expected_codes.tolist()
    assert uniques.tolist() == list(expected_uniques)


def test_many_equal_texts_in_different_objects_number_by_first_appearance():
    """Repeats across objects (read_csv's chunks): each row to its value's first row."""
    rng = np.random.default_rng(5)
    words = [f"text {number}" for number in rng.integers(0, 300, 3000)]
    values = np.array(["".join(list(word)) for word in words], dtype=object)  # fresh objects
    assert_like_pandas(values)
