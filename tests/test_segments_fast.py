"""The vectorised counting against plain per-character readings: packed measures
(textmeasure), the greedy split of many texts at once (segments.greedy_part_counts) and
chunks sized by code points (codepoints.chunks)."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsc_frames import codepoints
from smsc_frames.gsm7 import GSM7_BASIC, GSM7_EXTENSION
from smsc_frames.segments import greedy_part_counts, measure_texts
from smsc_frames.translit import TRANSLIT_TABLES

# Characters where the counts differ: GSM basic and extension, whitespace (U+3000 the last),
# NFC marks below and above U+3000, a CJK compatibility ideograph, emoji with a variation
# selector, Cyrillic, a lone surrogate, CR.
_ALPHABET = "a {}€\r\n\t\u3000\u3001é\u0301\u1161Ящ😀\ufe0f\U0002f800\uff21\x00\ud800가"
_texts = st.text(alphabet=_ALPHABET, max_size=400)


def _reference(text: str, translit: int) -> list[int]:
    """The seven counts of one text, one character at a time."""
    sent = text.translate(TRANSLIT_TABLES[translit]) if translit else text
    marks = sum(
        char == "\r"
        or unicodedata.combining(char) > 0
        or unicodedata.normalize("NFC", "a" + char) != "a" + char
        or unicodedata.normalize("NFC", "\u1100" + char) != "\u1100" + char
        or (unicodedata.normalize("NFC", char) != char)
        for char in text
    )
    return [
        len(text),
        sum(char.isspace() for char in text),
        marks,
        len(sent),
        sum(2 if char in GSM7_EXTENSION else 1 for char in sent),
        sum(2 if ord(char) > 0xFFFF else 1 for char in sent),
        sum(char not in GSM7_BASIC and char not in GSM7_EXTENSION for char in sent),
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(_texts, max_size=30), st.sampled_from([0, 1, 2]))
def test_packed_measures_match_a_per_character_count(texts: list[str], translit: int) -> None:
    measure = measure_texts(texts, translit)
    got = np.array([column.tolist() for column in measure._columns()]).T.tolist()
    want = [_reference(text, translit) for text in texts]
    for text, mine, theirs in zip(texts, got, want):
        # NFC marks may over-flag (a mark is a hint to normalise), never miss one
        assert mine[:2] + mine[3:] == theirs[:2] + theirs[3:], text
        assert (mine[2] > 0) >= (theirs[2] > 0), text


def test_a_text_longer_than_the_packing_is_counted_exactly() -> None:
    text = "{" * 70_000 + " " * 3 + "я"
    measure = measure_texts([text, "a{"])
    assert measure.septets.tolist() == [140_000 + 4, 3]
    assert measure.spaces.tolist() == [3, 0]
    assert measure.not_gsm.tolist() == [1, 0]


def _greedy_reference(text: str, ucs2: bool) -> int:
    if ucs2:
        costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
        single, multi = 70, 67
    else:
        costs = [2 if char in GSM7_EXTENSION else 1 for char in text]
        single, multi = 160, 153
    if sum(costs) <= single:
        return 1
    parts, room = 1, multi
    for cost in costs:
        if cost > room:
            parts, room = parts + 1, multi
        room -= cost
    return parts


_near_boundaries = st.integers(min_value=0, max_value=3).flatmap(
    lambda parts: st.integers(min_value=max(0, 66 * parts - 4), max_value=153 * parts + 4)
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(_near_boundaries, st.sampled_from(["a{", "a€", "я😀", "😀", "a"]), st.randoms()),
        max_size=20,
    )
)
def test_greedy_counts_of_many_texts_match_the_split_of_each(cases: list) -> None:
    texts = ["".join(random.choice(chars) for _ in range(n)) for n, chars, random in cases]
    ucs2 = np.array([any(ord(char) > 0x400 and char != "€" for char in t) for t in texts])
    got = greedy_part_counts(np.array(texts, dtype=object), ucs2)
    assert got.tolist() == [_greedy_reference(t, u) for t, u in zip(texts, ucs2)]


@pytest.mark.parametrize("chunk_points", [1, 7, 1 << 20])
def test_chunks_cover_every_text_once_whatever_their_size(
    monkeypatch: pytest.MonkeyPatch, chunk_points: int
) -> None:
    monkeypatch.setattr(codepoints, "CHUNK_POINTS", chunk_points)
    monkeypatch.setattr(codepoints, "CHUNK", 3)
    texts = np.array(["abc", "", "x" * 20, "я", "", "😀z"], dtype=object)
    read = []
    for points, starts, ends in codepoints.chunks(texts):
        read += [
            points[start:end].tobytes().decode("utf-32-le") for start, end in zip(starts, ends)
        ]
    assert read == texts.tolist()
