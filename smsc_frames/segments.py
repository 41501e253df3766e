"""GSM-7 / UCS-2 detection and exact SMS part counting.

What an SMS costs is its number of parts, so the count follows ``spec/segments.md`` exactly:

* A text whose every character is in the GSM 03.38 basic table (:data:`GSM7_BASIC`) or its
  extension table (:data:`GSM7_EXTENSION`) is GSM-7 and counts septets (extension characters
  take two). Any other character makes the whole text UCS-2, which counts UTF-16 code units
  (a character outside the Basic Multilingual Plane takes two).
* One part holds 160 septets / 70 units; split texts hold 153 / 67 per part. A two-unit
  character never straddles two parts: packing is greedy, character by character.
* Texts are normalised first (CRLF and CR become LF, then Unicode NFC); the empty text is one
  part.

:func:`count_segments` is vectorised over a column and works once per distinct text: the
texts are joined and read as one array of code points, whose kinds (basic, extension, not GSM,
outside the BMP) give the encoding and units with numpy; ``ceil(units / 153)`` and
``ceil(units / 152)`` bound the parts, and only rows whose bounds differ *and* that hold a
two-unit character run the greedy split. :func:`normalize_text` likewise calls Python's NFC only
on the texts holding a character NFC might change.

This module counts; the pieces it counts with have modules of their own, and their public
names are importable from here too: the alphabet (:mod:`smsc_frames.gsm7`), texts as code
point arrays (:mod:`smsc_frames.codepoints`), normalisation (:mod:`smsc_frames.normalization`),
``translit`` (:mod:`smsc_frames.translit`) and :class:`TextMeasure`
(:mod:`smsc_frames.textmeasure`).

Examples
--------
>>> count_segments(["Hello", "Привет", "a" * 152 + "{" + "a" * 152])[["encoding", "parts"]]
  encoding  parts
0     gsm7      1
1     ucs2      1
2     gsm7      3
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from smsc_frames.codepoints import (
    RangeScratch,
    chunks,
    lookup,
    range_mask,
    running_count,
    table_ranges,
)
from smsc_frames.errors import ValidationError
from smsc_frames.gsm7 import (
    EXTENDED,
    GSM7_BASIC,
    GSM7_EXTENSION,
    GSM_KINDS,
    MULTI_PART_CAPACITY,
    NOT_GSM7,
    NOT_GSM_PATTERN,
    SINGLE_PART_CAPACITY,
)
from smsc_frames.normalization import normalize_one, normalize_text
from smsc_frames.objectcodes import factorize_objects
from smsc_frames.textmeasure import TextMeasure, measure_texts
from smsc_frames.translit import TRANSLIT_TABLES, transliterate, validate_translit

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "TextMeasure",
    "count_measured",
    "count_segments",
    "measure_texts",
    "normalize_text",
    "split_parts",
    "transliterate",
    "truncate_to_parts",
]


_ENCODINGS = pd.Series(["gsm7", "ucs2"])
"""The encodings' names, by ``ucs2`` (0 or 1), in the dtype pandas gives strings."""


def _validate_part_limit(parameter: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValidationError(parameter, "must be a positive integer number of parts", value)
    return int(value)


def _encoding_of(text: str) -> str:
    return "ucs2" if NOT_GSM_PATTERN.search(text) else "gsm7"


def _unit_costs(text: str, encoding: str) -> list[int]:
    if encoding == "gsm7":
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _greedy_parts(text: str, encoding: str) -> list[str]:
    """Split an already normalised *text* into parts, character by character."""
    costs = _unit_costs(text, encoding)
    if sum(costs) <= SINGLE_PART_CAPACITY[encoding]:
        return [text]
    capacity = MULTI_PART_CAPACITY[encoding]
    parts, start, used = [], 0, 0
    for position, cost in enumerate(costs):
        if used + cost > capacity:
            parts.append(text[start:position])
            start, used = position, 0
        used += cost
    parts.append(text[start:])
    return parts


def greedy_part_counts(texts: np.ndarray, ucs2: np.ndarray) -> np.ndarray:
    """``len(_greedy_parts(text, encoding))`` of each normalised text, for all texts at once.

    Over each chunk's code points (:func:`~smsc_frames.codepoints.chunks`): where its
    two-unit characters are (GSM-7 extension characters, or characters beyond the BMP in
    UCS-2); a position's units before it are then the position plus the two-unit characters
    before it, and per part one ``searchsorted`` for every text still being split finds the
    furthest character that keeps the part within its capacity (153 septets or 67 UTF-16
    units). As many passes as the longest text has parts; no running count per code point.

    Examples
    --------
    >>> texts = np.array(["a" * 152 + "€" + "a" * 10, "я" * 70, "яя" + "😀" * 66], dtype=object)
    >>> greedy_part_counts(texts, np.array([False, True, True])).tolist()  # 134 units: 3 parts
    [2, 1, 3]
    """
    parts = np.ones(len(texts), dtype=np.int64)
    for in_ucs2, two_units in ((False, _extended), (True, _beyond_bmp)):
        rows = np.flatnonzero(ucs2 == in_ucs2)
        if len(rows):
            parts[rows] = _greedy_counts_of(texts[rows], two_units, in_ucs2)
    return parts


def _extended(points: np.ndarray, masks: RangeScratch) -> np.ndarray:
    """Which code points of a GSM-7 text take two septets."""
    if points.dtype == np.uint8:  # ASCII: comparisons, no lookup
        return range_mask(points, _EXTENDED_ASCII, masks)
    return lookup(_IS_EXTENDED, points)


def _beyond_bmp(points: np.ndarray, masks: RangeScratch) -> np.ndarray:
    """Which code points of a UCS-2 text take two UTF-16 units."""
    return points > 0xFFFF


_IS_EXTENDED = np.append(GSM_KINDS == EXTENDED, False)
"""Whether a code point is a GSM-7 extension character (the last entry: any above)."""

_EXTENDED_ASCII = table_ranges(_IS_EXTENDED, 0, 0x7F)


def _units_before(positions: np.ndarray, doubles: np.ndarray) -> np.ndarray:
    """The units before each position: one per code point, one more per two-unit one."""
    return positions + np.searchsorted(doubles, positions)


def _greedy_counts_of(texts: np.ndarray, two_units: Callable, in_ucs2: bool) -> np.ndarray:
    """:func:`greedy_part_counts` of texts of one encoding (*two_units*: which code points
    take two units).

    With ``E`` the chunk's two-unit positions, the units before position ``q`` are
    ``q + #(E < q)``; the two-unit characters that fit below a reach ``T`` are those with
    ``E[j] + j + 2 <= T`` (``k`` of them), so the furthest position is ``T - k``, or one
    less when the next two-unit character sits just before it (its second unit is over).
    """
    encoding = "ucs2" if in_ucs2 else "gsm7"
    capacity, single = MULTI_PART_CAPACITY[encoding], SINGLE_PART_CAPACITY[encoding]
    counts, masks = [], RangeScratch()
    for points, starts, ends in chunks(texts):
        doubles = np.flatnonzero(two_units(points, masks))
        doubles_through = doubles + np.arange(2, len(doubles) + 2)  # units through each
        sentinel = np.append(doubles, -2)  # E[k] for k == len(E): never q - 1

        parts = np.ones(len(starts), dtype=np.int64)
        units = _units_before(ends, doubles) - _units_before(starts, doubles)
        split = np.flatnonzero(units > single)
        position = starts.copy()
        parts[split] = 0
        while len(split):
            reach = _units_before(position[split], doubles) + capacity
            fitting = np.searchsorted(doubles_through, reach, side="right")
            furthest = reach - fitting
            furthest -= sentinel[fitting] == furthest - 1
            position[split] = np.minimum(furthest, ends[split])
            parts[split] += 1
            split = split[position[split] < ends[split]]
        counts.append(parts)
    return np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)


def _truncate(text: str, encoding: str, limit: int) -> str:
    """What of an already normalised *text* fits in *limit* parts."""
    parts = _greedy_parts(text, encoding)
    if len(parts) <= limit:
        return text
    if limit > 1:
        return "".join(parts[:limit])
    kept, used = 0, 0
    for cost in _unit_costs(text, encoding):
        if used + cost > SINGLE_PART_CAPACITY[encoding]:
            break
        used += cost
        kept += 1
    return text[:kept]


def split_parts(text: str) -> list[str]:
    """Split a message into the SMS parts it is sent as (greedy, no character split).

    The text is normalised first (:func:`normalize_text`), so ``"".join(split_parts(t))``
    is the normalised text.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of str
        One string per part; the empty text is one (empty) part.

    Examples
    --------
    >>> [len(part) for part in split_parts("a" * 152 + "€" + "a" * 10)]
    [152, 11]
    >>> split_parts("")
    ['']
    """
    text = normalize_one(text)
    return _greedy_parts(text, _encoding_of(text))


def truncate_to_parts(text: str, k: int) -> str:
    """What ``maxsms=k`` keeps of a message: the longest prefix that fits in *k* parts.

    The text is normalised first; its encoding is that of the whole text.

    Parameters
    ----------
    text : str
    k : int
        The most parts the message may take (``maxsms``).

    Returns
    -------
    str
        The normalised text, cut to fit.

    Examples
    --------
    >>> len(truncate_to_parts("a" * 400, 2))
    306
    >>> len(truncate_to_parts("я" * 100, 1))
    70
    """
    limit = _validate_part_limit("k", k)
    text = normalize_one(text)
    return _truncate(text, _encoding_of(text), limit)


def _distinct_texts(
    texts: pd.Series | Iterable[str],
) -> tuple[pd.Index, np.ndarray, pd.Series]:
    """The caller's index, each row's code and the distinct texts (missing -> empty text)."""
    if isinstance(texts, (str, bytes)):
        raise ValidationError("texts", "must be a list or Series of texts, not one text", texts)
    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    codes, uniques = factorize_objects(series.to_numpy(dtype=object))
    distinct = np.append(uniques, "")
    if pd.api.types.infer_dtype(distinct, skipna=False) != "string":
        not_text = next(value for value in distinct if not isinstance(value, str))
        raise ValidationError("texts", "every text must be a string", not_text)
    codes = np.where(codes < 0, len(distinct) - 1, codes)
    return series.index, codes, pd.Series(distinct, dtype=object)


def count_measured(
    measure: TextMeasure,
    texts: np.ndarray,
    *,
    maxsms: int | None = None,
    translit: int = 0,
) -> pd.DataFrame:
    """Encoding, units and parts of normalised texts from their :class:`TextMeasure`.

    The measure settles almost every text; a text is read only when its parts depend on
    where a two-unit character falls (the greedy split) or when ``maxsms`` cuts it.

    Parameters
    ----------
    measure : TextMeasure
        Of the normalised *texts*, with the same ``translit``.
    texts : numpy.ndarray of str
        The normalised texts, aligned with *measure*.
    maxsms : int, optional
        As in :func:`count_segments`.
    translit : {0, 1, 2}
        As in :func:`count_segments`.

    Returns
    -------
    pandas.DataFrame
        Columns ``encoding``, ``units``, ``parts``, ``truncated``, one row per text.

    Examples
    --------
    >>> texts = np.array(["a" * 161, "Скидка"], dtype=object)
    >>> count_measured(measure_texts(texts), texts)
      encoding  units  parts  truncated
    0     gsm7    161      2      False
    1     ucs2      6      1      False
    """
    translit = validate_translit(translit)
    if maxsms is not None:
        maxsms = _validate_part_limit("maxsms", maxsms)
    ucs2 = measure.not_gsm > 0
    units = np.where(ucs2, measure.utf16, measure.septets)
    single = np.where(ucs2, SINGLE_PART_CAPACITY["ucs2"], SINGLE_PART_CAPACITY["gsm7"])
    multi = np.where(ucs2, MULTI_PART_CAPACITY["ucs2"], MULTI_PART_CAPACITY["gsm7"])
    fewest = -(-units // multi)
    # A part the greedy split closes short wastes one unit, and only before a two-unit
    # character (opening the next part): after fewest - 1 parts at most that many units,
    # and no more than there are two-unit characters, are wasted. If the rest then fits
    # one part, the count is `fewest` without reading the text.
    two_unit = units - measure.sent_length
    settled = units + np.minimum(fewest - 1, two_unit) <= fewest * multi
    parts = np.where(units <= single, 1, fewest)
    ambiguous = (units > single) & ~settled
    # the two names taken by position: pandas infers the column's dtype from two strings,
    # not from a million (converting them to its string storage took 0.5 s of 4 s)
    encoding = _ENCODINGS.take(ucs2.astype(np.intp)).reset_index(drop=True)
    if ambiguous.any():
        rows = np.flatnonzero(ambiguous)
        read = texts[rows]
        if translit:
            read = np.array([transliterate(text, translit) for text in read], dtype=object)
        parts[rows] = greedy_part_counts(read, ucs2[rows])
    counts = pd.DataFrame(
        {
            "encoding": encoding,
            "units": units,
            "parts": parts,
            "truncated": np.zeros(len(units), dtype=bool),
        }
    )
    if maxsms is not None:
        _apply_maxsms(counts, texts, maxsms, translit)
    return counts


def _apply_maxsms(counts: pd.DataFrame, texts: np.ndarray, maxsms: int, translit: int) -> None:
    """Cut the texts over *maxsms* parts, then count what is sent, as the server does."""
    over = np.flatnonzero(counts["parts"].to_numpy() > maxsms)
    if not len(over):
        return
    kept = np.array(
        [
            _truncate(transliterate(texts[row], translit), counts["encoding"].iat[row], maxsms)
            for row in over
        ],
        dtype=object,
    )
    recounted = count_measured(measure_texts(kept), kept)
    for column in ("encoding", "units", "parts"):
        counts.iloc[over, counts.columns.get_loc(column)] = recounted[column].to_numpy()
    counts.iloc[over, counts.columns.get_loc("truncated")] = True


def count_segments(
    texts: pd.Series | Iterable[str],
    *,
    maxsms: int | None = None,
    translit: int = 0,
    normalized: bool = False,
) -> pd.DataFrame:
    """Count the SMS parts of each text exactly, as SMSC bills them.

    Parameters
    ----------
    texts : pandas.Series or list of str
        The messages. Missing values count as the empty text (one part).
    maxsms : int, optional
        ``maxsms``: a longer text is cut to what fits in this many parts (of the whole text's
        encoding), and what is kept is then counted as sent (a UCS-2 text cut before its
        first Cyrillic letter goes out as GSM-7, in fewer parts).
    translit : {0, 1, 2}
        ``translit``: Cyrillic is converted first with :func:`transliterate` (an estimate).
    normalized : bool
        ``True`` when the texts already went through :func:`normalize_text` (as a caller that
        shows the normalised texts does), so it is not done a second time. The counts of a text
        that is *not* normalised are then those of the text as given.

    Returns
    -------
    pandas.DataFrame
        On the input's index (a ``RangeIndex`` for a list), columns

        - ``encoding``: ``"gsm7"`` or ``"ucs2"``;
        - ``units``: septets (GSM-7) or UTF-16 code units (UCS-2) of what is sent;
        - ``parts``: the number of SMS parts;
        - ``first_ucs2_char``: the first character that forces UCS-2, or ``None``;
        - ``truncated``: whether ``maxsms`` cut the text.

    Raises
    ------
    ValidationError
        For a value that is not text, a bad ``maxsms`` or ``translit``.

    Examples
    --------
    >>> count_segments(["a" * 161, "Скидка 10%", "Sale’s on"])
      encoding  units  parts first_ucs2_char  truncated
    0     gsm7    161      2            None      False
    1     ucs2     10      1               С      False
    2     ucs2      9      1               ’      False
    >>> count_segments(["я" * 200], maxsms=2)[["units", "parts", "truncated"]]
       units  parts  truncated
    0    134      2       True
    """
    translit = validate_translit(translit)
    index, codes, distinct = _distinct_texts(texts)
    if not normalized:
        distinct = normalize_text(distinct)
    sent = distinct.str.translate(TRANSLIT_TABLES[translit]) if translit else distinct
    sent = sent.to_numpy(dtype=object)
    measure = measure_texts(sent)
    counts = count_measured(measure, sent, maxsms=maxsms)
    first_ucs2 = np.full(len(sent), None, dtype=object)
    ucs2 = np.flatnonzero(counts["encoding"].to_numpy() == "ucs2")
    first_ucs2[ucs2] = _first_not_gsm(sent[ucs2])
    counts.insert(3, "first_ucs2_char", pd.Series(first_ucs2, dtype=object))
    result = counts.take(codes)
    result.index = index
    return result


def _first_not_gsm(texts: np.ndarray) -> np.ndarray:
    """Per text, its first character outside GSM-7 (every text holds one)."""
    chars = []
    for points, starts, _ in chunks(texts):
        outside = running_count(lookup(GSM_KINDS, points) == NOT_GSM7)
        first = np.searchsorted(outside, outside[starts], side="right") - 1  # where it grows
        chars.append(points[first].astype(np.uint32).view("<U1").astype(object))
    return np.concatenate(chars) if chars else np.full(0, None, dtype=object)
