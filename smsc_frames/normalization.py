"""Texts as SMSC counts them: CRLF and CR become LF, then Unicode NFC, done only where needed.

Python's NFC is called only on the texts holding a character NFC might change (or a CR),
found with array operations over their code points (:func:`nfc_marks`).

Examples
--------
>>> acute, cr, lf = chr(0x301), chr(13), chr(10)
>>> normalize_one("cafe" + acute + cr + lf + "x" + cr) == "café" + lf + "x" + lf
True
"""

from __future__ import annotations

import functools
import unicodedata

import numpy as np
import pandas as pd

from smsc_frames.codepoints import chunks, count_per_text, lookup

__all__ = ["high_nfc_marks", "nfc_marks", "normalize_one", "normalize_text"]

_NFC_CHECKED = 0x3000  # code points from here on are assumed to need Python's NFC


@functools.cache
def _nfc_may_change() -> np.ndarray:
    """True for the code points below :data:`_NFC_CHECKED` that NFC may change or join to the
    one before (the last entry stands for those above, see :func:`nfc_marks`).

    That is a combining mark, a character NFC replaces, or the second character of a canonical
    composition (``e`` + U+0301 -> ``é``, Hangul jamo), read from :mod:`unicodedata` (about
    8 ms, once); a CR is flagged too. A text without any of them is its own normalised form.
    """
    table = np.zeros(_NFC_CHECKED + 1, dtype=bool)
    table[-1] = True
    for code in range(_NFC_CHECKED):
        char = chr(code)
        if unicodedata.combining(char) or unicodedata.normalize("NFC", char) != char:
            table[code] = True
        decomposition = unicodedata.decomposition(char).split()
        if len(decomposition) == 2 and not decomposition[0].startswith("<"):
            table[min(int(decomposition[1], 16), _NFC_CHECKED)] = True
    table[0x1161:0x1176] = table[0x11A8:0x11C3] = True  # Hangul vowels and final consonants
    table[ord("\r")] = True
    return table


def nfc_marks(points: np.ndarray) -> np.ndarray:
    """Which code points NFC may change or join to the one before (or are a CR): the table of
    :func:`_nfc_may_change` below :data:`_NFC_CHECKED`; above it, each distinct code point
    present is asked of :func:`_nfc_sensitive` once, so an emoji is not flagged."""
    marks = lookup(_nfc_may_change(), points)
    high = np.flatnonzero(points >= _NFC_CHECKED)
    if len(high):
        high_marks = high_nfc_marks(points[high])
        marks[high] = False if high_marks is None else high_marks
    return marks


def high_nfc_marks(points: np.ndarray) -> np.ndarray | None:
    """:func:`nfc_marks` of code points at or above :data:`_NFC_CHECKED` (U+3000), each
    distinct one asked once; ``None`` when none is a mark (emoji), so callers skip them.

    Examples
    --------
    >>> high_nfc_marks(np.array([0x1F600, 0xFE0F, 0x1F600])) is None
    True
    >>> high_nfc_marks(np.array([0x1F600, 0x1D165])).tolist()  # a combining musical stem
    [False, True]
    """
    sensitive = [code for code in np.unique(points).tolist() if _nfc_sensitive(code)]
    return np.isin(points, sensitive) if sensitive else None


_VARIATION_SELECTORS = frozenset([*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)])


@functools.cache
def _nfc_sensitive(code: int) -> bool:
    """Whether NFC may change this character or join it to the one before: a mark (the second
    character of every canonical composition is one, Hangul jamo aside, and they lie below
    :data:`_NFC_CHECKED`) other than a variation selector (U+FE0F after an emoji: no
    composition ends in one), or a character NFC replaces (a CJK compatibility ideograph)."""
    char = chr(code)
    return (
        unicodedata.category(char).startswith("M") and code not in _VARIATION_SELECTORS
    ) or unicodedata.normalize("NFC", char) != char


def normalize_text(texts: pd.Series) -> pd.Series:
    """Normalise message texts as SMSC counts them: CRLF and CR become LF, then Unicode NFC.

    A carriage return would cost a septet of its own, and NFC turns ``e`` + combining acute
    into the GSM character ``é``.

    Parameters
    ----------
    texts : pandas.Series of str

    Returns
    -------
    pandas.Series
        Same index; missing values stay missing.

    Examples
    --------
    >>> normalize_text(pd.Series(["a\\r\\nb\\rc", "cafe\\u0301"])).tolist()
    ['a\\nb\\nc', 'café']
    """
    values = texts.to_numpy(dtype=object)
    present = np.flatnonzero(pd.notna(values))
    changing = present[_may_change(values[present])]
    if not len(changing):
        return texts.copy()
    values = values.copy()
    values[changing] = [normalize_one(text) for text in values[changing]]
    return pd.Series(values, index=texts.index, dtype=texts.dtype, name=texts.name)


def _may_change(texts: np.ndarray) -> np.ndarray:
    """Which *texts* hold a CR or a character NFC may change (:func:`nfc_marks`)."""
    flags = [
        count_per_text(nfc_marks(points), starts, ends) > 0
        for points, starts, ends in chunks(texts)
    ]
    return np.concatenate(flags) if flags else np.zeros(0, dtype=bool)


def normalize_one(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
