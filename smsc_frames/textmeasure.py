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

from smsc_frames.codepoints import (
    RangeScratch,
    Scratch,
    chunks,
    count_per_text,
    lookup,
    range_mask,
    table_ranges,
)
from smsc_frames.errors import ValidationError
from smsc_frames.gsm7 import EXTENDED, GSM_KINDS, NOT_GSM7
from smsc_frames.normalization import high_nfc_marks, nfc_marks
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
    if isinstance(texts, np.ndarray) and texts.dtype == object and texts.ndim == 1:
        values = texts  # read only: no copy of a million references
    else:
        values = np.asarray(
            list(texts) if not isinstance(texts, pd.Series) else texts.to_numpy(), dtype=object
        )
    if pd.api.types.infer_dtype(values, skipna=False) not in ("string", "empty"):
        not_text = next(value for value in values if not isinstance(value, str))
        raise ValidationError("texts", "every text must be a string", not_text)
    length, spaces, marks, extended, not_gsm, astral = _count_kinds(values)
    sent_length = length
    if translit:
        sent = np.array(
            [text.translate(TRANSLIT_TABLES[translit]) for text in values], dtype=object
        )
        sent_length, _, _, extended, not_gsm, astral = _count_kinds(sent)
    return TextMeasure(
        length,
        spaces,
        marks,
        sent_length,
        sent_length + extended,
        sent_length + astral,
        not_gsm,
    )


_FIELD_BITS = 16
"""Bits per count in a packed weight: the counts of a text shorter than ``2**16`` code points
cannot spill into one another (longer texts are summed field by field)."""

_FIELD_MASK = (1 << _FIELD_BITS) - 1
_SPACE, _NFC_MARK, _EXTENDED, _NOT_GSM = (1 << (_FIELD_BITS * field) for field in range(4))
_TABLE_END = 0x3001
"""Code points from here on (U+3000 is the last space) are neither whitespace nor GSM-7;
whether NFC may change them is asked per distinct code point present
(:func:`~smsc_frames.normalization.nfc_marks`)."""


def _packed_weights() -> np.ndarray:
    """Per code point below :data:`_TABLE_END` (the last entry: any above, but its NFC mark),
    its whitespace, NFC mark, GSM-7 extension and not-GSM-7 flags packed in one integer."""
    points = np.arange(_TABLE_END + 1, dtype=np.uint32)
    kinds = lookup(GSM_KINDS, points)
    flags = [
        (lookup(_SPACES, points), _SPACE),
        (nfc_marks(points), _NFC_MARK),
        (kinds == EXTENDED, _EXTENDED),
        (kinds == NOT_GSM7, _NOT_GSM),
    ]
    weights = sum(flag.astype(np.uint64) * np.uint64(weight) for flag, weight in flags)
    weights[-1] = _NOT_GSM  # above the table: NFC marks added one by one
    return weights


_WEIGHTS = _packed_weights()


def _count_kinds(texts: np.ndarray) -> list[np.ndarray]:
    """Per text: its length, whitespace, NFC marks, GSM-7 extension characters, characters
    outside GSM-7 and outside the BMP; one table lookup and one sum per code point.

    Each code point's flags are packed in one ``uint64`` (:func:`_packed_weights`), so one
    ``np.add.reduceat`` over a chunk's weights sums the four counts of every text at once.
    Printable ASCII chunks are counted from comparisons instead (:func:`_printable_counts`).
    """
    columns: list[list[np.ndarray]] = [[] for _ in range(6)]
    scratch, masks = Scratch(np.uint64), RangeScratch()
    for points, starts, ends in chunks(texts):
        columns[0].append(ends - starts)
        astral = np.zeros(len(starts), dtype=np.int64)
        if points.dtype == np.uint8 and points.min(initial=_PRINTABLE) >= _PRINTABLE:
            counts = _printable_counts(points, starts, ends, masks)
        else:
            # clip: above the table, its last
            weights = np.take(_WEIGHTS, points, mode="clip", out=scratch.take(len(points)))
            high = np.zeros(0, dtype=np.intp)
            if points.max(initial=0) >= _TABLE_END:  # one pass when none is that high
                high = np.flatnonzero(points >= _TABLE_END)
            if len(high):  # rare: emoji, CJK
                high_points = points[high]
                marks = high_nfc_marks(high_points)  # all above U+3000: asked per code point
                if marks is not None:
                    weights[high] += marks.astype(np.uint64) * np.uint64(_NFC_MARK)
                beyond = high[high_points > 0xFFFF]
                astral = np.bincount(
                    np.searchsorted(ends, beyond, side="right"), minlength=len(starts)
                )
            counts = _counts_per_text(weights, starts, ends)
        for column, count in zip(columns[1:5], counts):
            column.append(count)
        columns[5].append(astral)
    return [np.concatenate(column) if column else np.zeros(0, dtype=np.int64) for column in columns]


_PRINTABLE = 0x20
"""ASCII from here on (the space) holds no control character."""

_PRINTABLE_RANGES = [
    table_ranges((_WEIGHTS[:0x80] >> np.uint64(_FIELD_BITS * field)) & np.uint64(1) > 0,
                 _PRINTABLE, 0x7F)
    for field in range(4)
]  # fmt: skip
"""Per packed field, the runs of printable ASCII code points that have it (the space; none;
``[\\]^`` and ``{|}~``; the backquote and DEL)."""


def _printable_counts(
    points: np.ndarray, starts: np.ndarray, ends: np.ndarray, masks: RangeScratch
) -> list:
    """The four counts of :func:`_counts_per_text` for ASCII code points without control
    characters: each from a few comparisons and :func:`~smsc_frames.codepoints.count_per_text`
    (0.5 ms per million code points against 3.2 for the lookup and ``reduceat``)."""
    counts = []
    for ranges in _PRINTABLE_RANGES:
        mask = range_mask(points, ranges, masks)
        if mask.any():  # (the backquote and DEL seldom are: no bits packed for them)
            counts.append(count_per_text(mask, starts, ends))
        else:
            counts.append(np.zeros(len(starts), dtype=np.int64))
    return counts


def _unpack(packed: np.ndarray) -> list[np.ndarray]:
    """The four counts held in packed sums of weights."""
    return [
        ((packed >> np.uint64(_FIELD_BITS * field)) & np.uint64(_FIELD_MASK)).astype(np.int64)
        for field in range(4)
    ]


def _counts_per_text(weights: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list:
    """The four counts of each text from its code points' weights: one ``reduceat`` over the
    non-empty texts; a text too long for the packing (never an SMS) is summed field by field."""
    sums = np.zeros(len(starts), dtype=np.uint64)
    filled = np.flatnonzero(ends > starts)
    if len(filled):
        sums[filled] = np.add.reduceat(weights, starts[filled])
    counts = _unpack(sums)
    for text in np.flatnonzero(ends - starts > _FIELD_MASK).tolist():
        for column, field in zip(counts, _unpack(weights[starts[text] : ends[text]])):
            column[text] = field.sum()
    return counts
