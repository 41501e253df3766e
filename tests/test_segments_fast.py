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
from smsc_frames.segments import count_measured, greedy_part_counts, measure_texts
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


# ASCII texts are read as bytes (codepoints.chunks): every ASCII kind that is counted (CR,
# extension, outside GSM-7 such as ` and controls, spaces)
_ASCII = "a Z0{}[]~\\|^`\r\n\t\x00\x1b\x7f@$_"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet=_ASCII, max_size=400) | _texts, max_size=30),
    st.sampled_from([0, 1, 2]),
    st.sampled_from([1, 50, 1 << 20]),
)
def test_measures_of_ascii_and_wider_chunks_match_a_per_character_count(
    texts: list[str], translit: int, chunk_points: int
) -> None:
    """Chunks of ASCII (bytes), BMP (UTF-16 units) and wider texts (UTF-32) side by side,
    in any order, are each counted as the reference counts them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codepoints, "CHUNK_POINTS", chunk_points)
        measure = measure_texts(texts, translit)
    got = np.array([column.tolist() for column in measure._columns()]).T.tolist()
    for text, mine in zip(texts, got):
        theirs = _reference(text, translit)
        assert mine[:2] + mine[3:] == theirs[:2] + theirs[3:], text
        assert (mine[2] > 0) >= (theirs[2] > 0), text


def test_chunks_are_read_in_the_narrowest_width() -> None:
    """ASCII as bytes, the BMP as UTF-16 units, else UTF-32; after a wide chunk a BMP one
    may be read wide, never an ASCII one."""
    texts = np.array(["ab", "яб", "a😀", "яб", "cd"], dtype=object)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codepoints, "CHUNK_POINTS", 1)
        widths = [points.dtype.name for points, _, _ in codepoints.chunks(texts)]
    assert widths == ["uint8", "uint16", "uint32", "uint32", "uint8"]


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


# (one-unit character, two-unit character, UCS-2?): GSM-7 with an extension character,
# UCS-2 with a character outside the BMP.
_ALPHABETS = [("a", "{", False), ("a", "€", False), ("я", "😀", True)]


def _boundary_texts(one: str, two: str, ucs2: bool) -> list[str]:
    """Every kind of boundary: a two-unit character ending a part, straddling its end or
    opening the next, at the first four part ends; totals around the one-part limit (with
    and without a two-unit character); texts of two-unit characters only."""
    single, multi = (70, 67) if ucs2 else (160, 153)
    texts = []
    for parts in (1, 2, 3, 4):
        for shift in (-2, -1, 0, 1):  # the two-unit character starts at unit end + shift - 1
            prefix = one * (multi * parts + shift - 1)
            texts += [prefix + two + one * tail for tail in (0, 1, 2, 3)]
    for total in range(single - 3, single + 3):
        texts += [one * total, one * (total - 2) + two, two + one * (total - 2)]
        texts.append(two * (total // 2))
    return texts


def _random_texts(one: str, two: str, rng: np.random.Generator) -> list[str]:
    """Texts of random mixes of both characters, sized within 4 units of a part boundary."""
    alphabet = np.array([one, two, one + two])
    sizes = np.array([66, 70, 134, 153, 160, 201, 306, 459])[rng.integers(0, 8, 150)]
    sizes += rng.integers(-4, 5, 150)
    return ["".join(alphabet[rng.integers(0, 3, size // 2)]) for size in sizes]


@pytest.mark.parametrize(("one", "two", "ucs2"), _ALPHABETS)
def test_greedy_counts_of_many_texts_match_the_split_of_each(
    one: str, two: str, ucs2: bool
) -> None:
    texts = _boundary_texts(one, two, ucs2) + _random_texts(one, two, np.random.default_rng(15))
    got = greedy_part_counts(np.array(texts, dtype=object), np.full(len(texts), ucs2))
    assert got.tolist() == [_greedy_reference(text, ucs2) for text in texts]


def test_greedy_counts_mix_gsm7_and_ucs2_texts_in_one_call() -> None:
    texts = [text for one, two, ucs2 in _ALPHABETS for text in _boundary_texts(one, two, ucs2)]
    ucs2 = np.array([any(ord(char) > 0x400 and char != "€" for char in t) for t in texts])
    got = greedy_part_counts(np.array(texts, dtype=object), ucs2)
    assert got.tolist() == [_greedy_reference(t, u) for t, u in zip(texts, ucs2)]


@pytest.mark.parametrize(("one", "two", "ucs2"), _ALPHABETS)
def test_counts_settled_without_the_split_match_it(one: str, two: str, ucs2: bool) -> None:
    """count_measured reads only texts whose count its bounds leave open: on texts at
    every boundary, its parts are the greedy split's."""
    texts = _boundary_texts(one, two, ucs2) + _random_texts(one, two, np.random.default_rng(16))
    texts = np.array(texts, dtype=object)
    parts = count_measured(measure_texts(texts), texts)["parts"]
    assert parts.tolist() == [_greedy_reference(text, ucs2) for text in texts]


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
            points[start:end].astype(np.uint32).tobytes().decode("utf-32-le")
            for start, end in zip(starts, ends)
        ]
    assert read == texts.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), max_size=300), st.data())
def test_counts_per_text_from_packed_bits_match_a_sum_of_each_slice(
    mask: list[bool], data: st.DataObject
) -> None:
    """Texts starting and ending anywhere in the 64-bit words, empty ones, the last bit."""
    bounds = sorted(data.draw(st.lists(st.integers(0, len(mask)), min_size=2, max_size=20)))
    starts, ends = np.array(bounds[:-1]), np.array(bounds[1:])
    flags = np.array(mask, dtype=bool)
    got = codepoints.count_per_text(flags, starts, ends)
    assert got.tolist() == [int(flags[a:b].sum()) for a, b in zip(starts, ends)]
    assert codepoints.count_per_text(flags.astype(np.uint8) * 7, starts, ends).tolist() == (
        got.tolist()
    )


def test_bit_counts_without_bitwise_count_match_numpys() -> None:
    words = np.random.default_rng(3).integers(0, 2**63, 500, dtype=np.int64).view(np.uint64)
    words[:3] = [0, 2**64 - 1, 2**63]
    want = [bin(int(word)).count("1") for word in words]
    assert codepoints.bit_counts(words).tolist() == want
    assert codepoints.bytes_bit_counts(words).tolist() == want


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32])
def test_range_masks_match_the_table_they_were_taken_from(dtype: type) -> None:
    table = np.zeros(256, dtype=bool)
    table[[0, 5, 6, 7, 91, 92, 93, 94, 96, 255]] = True
    ranges = codepoints.table_ranges(table, 0, 255)
    assert ranges == [(0, 0), (5, 7), (91, 94), (96, 96), (255, 255)]
    points = np.arange(256).astype(dtype)
    assert (codepoints.range_mask(points, ranges) == table).all()
    assert not codepoints.range_mask(points, []).any()


def test_printable_ascii_is_counted_as_the_lookup_counts_it() -> None:
    """Every printable ASCII character, alone and in a text, by comparisons (one chunk of
    bytes without a control character) and by the packed table (one with a control)."""
    from smsc_frames import textmeasure

    printable = [chr(code) for code in range(0x20, 0x80)]
    texts = np.array([*printable, "".join(printable) * 3, ""], dtype=object)
    fast = textmeasure._count_kinds(texts)
    slow = textmeasure._count_kinds(np.append(texts, "\x00"))
    assert [column.tolist() for column in fast] == [column[:-1].tolist() for column in slow]


@pytest.mark.parametrize("chunk_points", [1, 200, 1 << 20])
def test_greedy_counts_match_whatever_the_chunks(
    monkeypatch: pytest.MonkeyPatch, chunk_points: int
) -> None:
    """Texts of every width side by side, read in chunks of one text or of several."""
    monkeypatch.setattr(codepoints, "CHUNK_POINTS", chunk_points)
    rng = np.random.default_rng(17)
    texts, ucs2 = [], []
    for one, two, in_ucs2 in _ALPHABETS:
        for text in _random_texts(one, two, rng)[:40]:
            texts.append(text)
            ucs2.append(in_ucs2)
    order = rng.permutation(len(texts))
    texts = [texts[i] for i in order]
    ucs2_flags = np.array(ucs2)[order]
    got = greedy_part_counts(np.array(texts, dtype=object), ucs2_flags)
    assert got.tolist() == [_greedy_reference(t, u) for t, u in zip(texts, ucs2_flags)]


def test_range_masks_in_reused_arrays_hold_only_the_last_call() -> None:
    """Each call overwrites what the previous (longer, other ranges) left in the arrays."""
    scratch = codepoints.RangeScratch()
    points = np.arange(200, dtype=np.uint8)
    first = codepoints.range_mask(points, [(0, 199)], scratch)
    assert first.all()
    shorter = np.array([5, 96, 127, 50], dtype=np.uint8)
    assert codepoints.range_mask(shorter, [(96, 96), (127, 127)], scratch).tolist() == [
        False, True, True, False
    ]  # fmt: skip
    assert not codepoints.range_mask(points, [], scratch).any()
