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

Examples
--------
>>> count_segments(["Hello", "Привет", "a" * 152 + "{" + "a" * 152])[["encoding", "parts"]]
  encoding  parts
0     gsm7      1
1     ucs2      1
2     gsm7      3
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd

from smsc_frames.errors import ValidationError
from smsc_frames.objectcodes import factorize_objects

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

_GSM7_BASIC_CHARS = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_BASIC: frozenset[str] = frozenset(_GSM7_BASIC_CHARS)
"""The 127 characters of the GSM 03.38 default alphabet (ESC excluded): one septet each."""

GSM7_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")
"""The GSM 03.38 extension table: two septets each (ESC + code)."""

SINGLE_PART_CAPACITY = {"gsm7": 160, "ucs2": 70}
"""Units one unsplit SMS holds, per encoding."""

MULTI_PART_CAPACITY = {"gsm7": 153, "ucs2": 67}
"""Units each part of a split SMS holds, per encoding (the rest is the joining header)."""


def _char_class(chars: Iterable[str], *, negate: bool) -> str:
    """A regular-expression character class of *chars*, escaped."""
    body = "".join(re.escape(char) for char in sorted(chars))
    return f"[{'^' if negate else ''}{body}]"


_NOT_GSM = re.compile(_char_class(GSM7_BASIC | GSM7_EXTENSION, negate=True))

# What a code point costs, by kind: one septet, two septets (extension), or it forces UCS-2.
_BASIC, _EXTENDED, _NOT_GSM7 = range(3)
_CHUNK = 1 << 14  # texts per vectorised pass: small arrays are reused, not freshly allocated
_NFC_CHECKED = 0x3000  # code points from here on are assumed to need Python's NFC


def _gsm_kinds() -> np.ndarray:
    """:data:`_BASIC`, :data:`_EXTENDED` or :data:`_NOT_GSM7` by code point; last: any above."""
    table = np.full(max(map(ord, GSM7_BASIC | GSM7_EXTENSION)) + 2, _NOT_GSM7, dtype=np.uint8)
    table[[ord(char) for char in GSM7_BASIC]] = _BASIC
    table[[ord(char) for char in GSM7_EXTENSION]] = _EXTENDED
    return table


_GSM_KINDS = _gsm_kinds()


@functools.cache
def _nfc_may_change() -> np.ndarray:
    """True for the code points below :data:`_NFC_CHECKED` that NFC may change or join to the
    one before (the last entry stands for those above, see :func:`_nfc_marks`).

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


def _nfc_marks(points: np.ndarray) -> np.ndarray:
    """Which code points NFC may change or join to the one before (or are a CR): the table of
    :func:`_nfc_may_change` below :data:`_NFC_CHECKED`; above it, each distinct code point
    present is asked of :func:`_nfc_sensitive` once, so an emoji is not flagged."""
    marks = _lookup(_nfc_may_change(), points)
    high = np.flatnonzero(points >= _NFC_CHECKED)
    if len(high):
        sensitive = [code for code in np.unique(points[high]).tolist() if _nfc_sensitive(code)]
        marks[high] = np.isin(points[high], sensitive)
    return marks


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


def _chunks(texts: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per :data:`_CHUNK` texts: their code points end to end, and where each text starts, ends.

    One ``join`` and one ``encode`` per chunk (UTF-32: one code point each).
    """
    for first in range(0, len(texts), _CHUNK):
        chunk = texts[first : first + _CHUNK]
        joined = "".join(chunk)
        points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ends = np.cumsum(np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk)))
        yield points, np.concatenate(([0], ends[:-1])), ends


def _running_count(mask: np.ndarray) -> np.ndarray:
    """``count[b] - count[a]`` is how many of ``mask[a:b]`` are true."""
    return np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))


def _count_per_text(mask: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """How many of ``mask[start:end]`` are true, per text."""
    running = _running_count(mask)
    return running[ends] - running[starts]


def _lookup(table: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``table[point]``, the last entry for every code point beyond the table."""
    return table[np.minimum(points, len(table) - 1)]


# translit=1: the familiar "translit" spelling.
_TRANSLIT_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "'", "ы": "y", "ь": "'", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
# translit=2: the look-alike "mpaHc/Ium" spelling (the same table as the sandbox's).
_TRANSLIT_LOOKALIKE = {
    "а": "a", "б": "6", "в": "B", "г": "r", "д": "g", "е": "e", "ё": "e", "ж": ">|<",
    "з": "3", "и": "u", "й": "u'", "к": "k", "л": "/I", "м": "M", "н": "H", "о": "o",
    "п": "n", "р": "p", "с": "c", "т": "m", "у": "y", "ф": "cp", "х": "x", "ц": "U,",
    "ч": "4", "ш": "LLI", "щ": "LLL", "ъ": "'b", "ы": "bI", "ь": "b", "э": "-)", "ю": "I-O",
    "я": "9I",
}  # fmt: skip
_TRANSLIT_LOOKALIKE_CAPITALS = {
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "Х": "X", "Д": "D", "У": "Y", "И": "U", "Й": "U'",
}  # fmt: skip


def _translit_table(lower: dict[str, str], capitals: dict[str, str]) -> dict[int, str]:
    """A ``str.translate`` table; a capital not listed capitalises its small letter's spelling."""
    table = {ord(letter): spelling for letter, spelling in lower.items()}
    for letter, spelling in lower.items():
        table[ord(letter.upper())] = spelling[:1].upper() + spelling[1:]
    table.update({ord(letter): spelling for letter, spelling in capitals.items()})
    return table


_TRANSLIT_TABLES = {
    1: _translit_table(_TRANSLIT_LATIN, {}),
    2: _translit_table(_TRANSLIT_LOOKALIKE, _TRANSLIT_LOOKALIKE_CAPITALS),
}


def _validate_translit(mode: object) -> int:
    if isinstance(mode, bool) or mode not in (0, 1, 2):
        raise ValidationError("translit", "must be 0 (none), 1 (translit) or 2 (mpaHc/Ium)", mode)
    return int(mode)


def _validate_part_limit(parameter: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValidationError(parameter, "must be a positive integer number of parts", value)
    return int(value)


def transliterate(text: str, mode: int) -> str:
    """Turn Russian Cyrillic into Latin letters the way ``translit=mode`` asks SMSC to.

    SMSC does not publish its tables, so this is an **estimate** for previewing the cost; the
    server's ``cnt`` decides. Letters outside the Russian alphabet are left as they are.

    Parameters
    ----------
    text : str
        The message.
    mode : {0, 1, 2}
        0 leaves the text alone, 1 spells it in ``translit`` (ж -> zh, щ -> sch, я -> ya), 2 in
        look-alike characters, ``mpaHc/Ium`` (т -> m, н -> H, л -> /I).

    Returns
    -------
    str

    Examples
    --------
    >>> transliterate("Щука и ёжик", 1)
    'Schuka i yozhik'
    >>> transliterate("транслит", 2)
    'mpaHc/Ium'
    """
    mode = _validate_translit(mode)
    return text if mode == 0 else text.translate(_TRANSLIT_TABLES[mode])


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
    values[changing] = [_normalize_one(text) for text in values[changing]]
    return pd.Series(values, index=texts.index, dtype=texts.dtype, name=texts.name)


def _may_change(texts: np.ndarray) -> np.ndarray:
    """Which *texts* hold a CR or a character NFC may change (:func:`_nfc_marks`)."""
    flags = [
        _count_per_text(_nfc_marks(points), starts, ends) > 0
        for points, starts, ends in _chunks(texts)
    ]
    return np.concatenate(flags) if flags else np.zeros(0, dtype=bool)


def _normalize_one(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _encoding_of(text: str) -> str:
    return "ucs2" if _NOT_GSM.search(text) else "gsm7"


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
    text = _normalize_one(text)
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
    text = _normalize_one(text)
    return _truncate(text, _encoding_of(text), limit)


def _distinct_texts(texts: object) -> tuple[pd.Index, np.ndarray, pd.Series]:
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

    def __getitem__(self, rows: object) -> TextMeasure:
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
    translit = _validate_translit(translit)
    values = np.asarray(
        list(texts) if not isinstance(texts, pd.Series) else texts.to_numpy(), dtype=object
    )
    if pd.api.types.infer_dtype(values, skipna=False) not in ("string", "empty"):
        not_text = next(value for value in values if not isinstance(value, str))
        raise ValidationError("texts", "every text must be a string", not_text)
    length, spaces, nfc_marks = _measure_columns(values, [_whitespace, _nfc_marks])
    sent = (
        values
        if not translit
        else np.array([text.translate(_TRANSLIT_TABLES[translit]) for text in values], dtype=object)
    )
    sent_length, extended, astral, not_gsm = _measure_columns(
        sent, [_gsm7_extension, _beyond_bmp, _outside_gsm7]
    )
    return TextMeasure(
        length,
        spaces,
        nfc_marks,
        sent_length,
        sent_length + extended,
        sent_length + astral,
        not_gsm,
    )


def _measure_columns(texts: np.ndarray, flags: list) -> list[np.ndarray]:
    """Per text: its length, then how many of its code points each of *flags* (a function of
    the code points giving a bool per code point) marks."""
    columns: list[list[np.ndarray]] = [[] for _ in range(len(flags) + 1)]
    for points, starts, ends in _chunks(texts):
        columns[0].append(ends - starts)
        for column, flag in zip(columns[1:], flags):
            column.append(_count_per_text(flag(points), starts, ends))
    return [np.concatenate(column) if column else np.zeros(0, dtype=np.int64) for column in columns]


def _whitespace(points: np.ndarray) -> np.ndarray:
    return _lookup(_SPACES, points)


def _gsm7_extension(points: np.ndarray) -> np.ndarray:
    return _lookup(_GSM_KINDS, points) == _EXTENDED


def _outside_gsm7(points: np.ndarray) -> np.ndarray:
    return _lookup(_GSM_KINDS, points) == _NOT_GSM7


def _beyond_bmp(points: np.ndarray) -> np.ndarray:
    return points > 0xFFFF


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
    translit = _validate_translit(translit)
    if maxsms is not None:
        maxsms = _validate_part_limit("maxsms", maxsms)
    ucs2 = measure.not_gsm > 0
    units = np.where(ucs2, measure.utf16, measure.septets)
    single = np.where(ucs2, SINGLE_PART_CAPACITY["ucs2"], SINGLE_PART_CAPACITY["gsm7"])
    multi = np.where(ucs2, MULTI_PART_CAPACITY["ucs2"], MULTI_PART_CAPACITY["gsm7"])
    fewest = -(-units // multi)  # greedy packing wastes at most one unit per part,
    most = -(-units // (multi - 1))  # so the count lies between these two bounds
    parts = np.where(units <= single, 1, fewest)
    ambiguous = (units > single) & (units > measure.sent_length) & (fewest != most)
    encoding = np.where(ucs2, "ucs2", "gsm7")
    for row in np.flatnonzero(ambiguous):
        parts[row] = len(_greedy_parts(transliterate(texts[row], translit), encoding[row]))
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
    translit = _validate_translit(translit)
    index, codes, distinct = _distinct_texts(texts)
    if not normalized:
        distinct = normalize_text(distinct)
    sent = distinct.str.translate(_TRANSLIT_TABLES[translit]) if translit else distinct
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
    for points, starts, _ in _chunks(texts):
        outside = _running_count(_lookup(_GSM_KINDS, points) == _NOT_GSM7)
        first = np.searchsorted(outside, outside[starts], side="right") - 1  # where it grows
        chars.append(points[first].view("<U1").astype(object))
    return np.concatenate(chars) if chars else np.full(0, None, dtype=object)
