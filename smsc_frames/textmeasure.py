"""Per-text counts that add up over concatenation, so texts built from pieces are measured
from their pieces: :class:`TextMeasure` and :func:`measure_texts`.

Examples
--------
>>> measure_texts(["Hi {you}", "Привет"]).septets.tolist()
[10, 6]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
import pandas as pd

from smsc_frames.codepoints import chunks, count_per_text, lookup
from smsc_frames.errors import ValidationError
from smsc_frames.gsm7 import EXTENDED, GSM_KINDS, NOT_GSM7
from smsc_frames.normalization import nfc_marks
from smsc_frames.translit import TRANSLIT_TABLES, validate_translit

__all__ = ["TextMeasure", "measure_texts"]

_SPACES = np.array([chr(code).isspace() for code in range(0x3001)] + [False])
"""Whether each code point is whitespace (``str.isspace``; none above U+3000); last: above."""


@dataclasses.dataclass(frozen=True)
class TextMeasure:
    """Per-text counts that add up over concatenation: ``measure(a + b) = measure(a) +
    measure(b)``, so a template's texts are measured from its pieces without reading them.

    Every attribute is an integer array, one entry per text.

    Attributes
    ----------
    length, spaces, nfc_marks
        Characters, whitespace characters, and the characters NFC may change or join (or a
        CR): a text without ``nfc_marks`` is its own normalised form.
    sent_length, septets, utf16, not_gsm
        Of the text as sent (after ``translit``): characters, GSM-7 septets (extension
        characters count two), UTF-16 code units, and characters outside GSM-7.

    Examples
    --------
    >>> pieces = measure_texts(["Привет, ", "Ann{"])
    >>> whole = pieces[[0]] + pieces[[1]]  # the measure of "Привет, Ann{"
    >>> whole.length.tolist(), whole.not_gsm.tolist(), whole.septets.tolist()
    ([12], [6], [13])
    """

    length: np.ndarray
    spaces: np.ndarray
    nfc_marks: np.ndarray
    sent_length: np.ndarray
    septets: np.ndarray
    utf16: np.ndarray
    not_gsm: np.ndarray

    def __add__(self, other: TextMeasure) -> TextMeasure:
        return TextMeasure(
            *(mine + theirs for mine, theirs in zip(self._columns(), other._columns()))
        )

    def __getitem__(self, rows: slice | list[int] | np.ndarray) -> TextMeasure:
        """The measures of some texts (an index, a slice, positions or a mask)."""
        return TextMeasure(*(column[rows] for column in self._columns()))

    def appended(self, other: TextMeasure) -> TextMeasure:
        """The measures of these texts, then *other*'s."""
        return TextMeasure(
            *(np.concatenate(pair) for pair in zip(self._columns(), other._columns()))
        )

    def replaced(self, rows: np.ndarray, other: TextMeasure) -> TextMeasure:
        """A copy whose entries at *rows* are *other*'s."""
        columns = [column.copy() for column in self._columns()]
        for column, new in zip(columns, other._columns()):
            column[rows] = new
        return TextMeasure(*columns)

    def _columns(self) -> tuple[np.ndarray, ...]:
        return tuple(getattr(self, field.name) for field in dataclasses.fields(self))


def measure_texts(texts: pd.Series | Iterable[str], translit: int = 0) -> TextMeasure:
    """Measure texts as they are (not normalised), vectorised over their code points.

    Parameters
    ----------
    texts : pandas.Series or list of str
    translit : {0, 1, 2}
        The ``sent_*``, ``septets``, ``utf16`` and ``not_gsm`` counts are of the texts after
        :func:`transliterate`.

    Returns
    -------
    TextMeasure

    Examples
    --------
    >>> measure = measure_texts(["a{b", "щ"], translit=1)
    >>> measure.septets.tolist(), measure.sent_length.tolist(), measure.not_gsm.tolist()
    ([4, 3], [3, 3], [0, 0])
    """
    translit = validate_translit(translit)
    values = np.asarray(
        list(texts) if not isinstance(texts, pd.Series) else texts.to_numpy(), dtype=object
    )
    if pd.api.types.infer_dtype(values, skipna=False) not in ("string", "empty"):
        not_text = next(value for value in values if not isinstance(value, str))
        raise ValidationError("texts", "every text must be a string", not_text)
    length, spaces, marks = _measure_columns(values, [_whitespace, nfc_marks])
    sent = (
        values
        if not translit
        else np.array([text.translate(TRANSLIT_TABLES[translit]) for text in values], dtype=object)
    )
    sent_length, extended, astral, not_gsm = _measure_columns(
        sent, [_gsm7_extension, _beyond_bmp, _outside_gsm7]
    )
    return TextMeasure(
        length,
        spaces,
        marks,
        sent_length,
        sent_length + extended,
        sent_length + astral,
        not_gsm,
    )


def _measure_columns(texts: np.ndarray, flags: list) -> list[np.ndarray]:
    """Per text: its length, then how many of its code points each of *flags* (a function of
    the code points giving a bool per code point) marks."""
    columns: list[list[np.ndarray]] = [[] for _ in range(len(flags) + 1)]
    for points, starts, ends in chunks(texts):
        columns[0].append(ends - starts)
        for column, flag in zip(columns[1:], flags):
            column.append(count_per_text(flag(points), starts, ends))
    return [np.concatenate(column) if column else np.zeros(0, dtype=np.int64) for column in columns]


def _whitespace(points: np.ndarray) -> np.ndarray:
    return lookup(_SPACES, points)


def _gsm7_extension(points: np.ndarray) -> np.ndarray:
    return lookup(GSM_KINDS, points) == EXTENDED


def _outside_gsm7(points: np.ndarray) -> np.ndarray:
    return lookup(GSM_KINDS, points) == NOT_GSM7


def _beyond_bmp(points: np.ndarray) -> np.ndarray:
    return points > 0xFFFF
