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
units come from string operations, ``ceil(units / 153)`` and ``ceil(units / 152)`` bound the
parts, and only rows whose bounds differ *and* that hold a two-unit character run the greedy
split.

Examples
--------
>>> count_segments(["Hello", "Привет", "a" * 152 + "{" + "a" * 152])[["encoding", "parts"]]
  encoding  parts
0     gsm7      1
1     ucs2      1
2     gsm7      3
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from smsc_frames.errors import ValidationError

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "count_segments",
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


_NOT_BASIC = _char_class(GSM7_BASIC, negate=True)
_NOT_GSM = re.compile(_char_class(GSM7_BASIC | GSM7_EXTENSION, negate=True))
_EXTENSION = _char_class(GSM7_EXTENSION, negate=False)

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
    return texts.map(_normalize_one, na_action="ignore")


def _normalize_one(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _encoding_of(text: str) -> str:
    return "ucs2" if _NOT_GSM.search(text) else "gsm7"


def _first_ucs2_char(text: str) -> str | None:
    found = _NOT_GSM.search(text)
    return found.group() if found else None


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


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
    codes, uniques = pd.factorize(series)
    distinct = list(uniques) + [""]
    not_text = [value for value in distinct if not isinstance(value, str)]
    if not_text:
        raise ValidationError("texts", "every text must be a string", not_text[0])
    codes = np.where(codes < 0, len(distinct) - 1, codes)
    return series.index, codes, pd.Series(distinct, dtype=object)


def _counts_of_distinct(distinct: pd.Series) -> pd.DataFrame:
    """Encoding, units, parts and first UCS-2 character of normalised distinct texts."""
    distinct = distinct.astype(object)
    texts = distinct.to_numpy()
    length = distinct.str.len().to_numpy(dtype=np.int64)
    has_special = distinct.str.contains(_NOT_BASIC, regex=True).to_numpy(dtype=bool)
    first_ucs2 = np.full(len(texts), None, dtype=object)
    first_ucs2[has_special] = [_first_ucs2_char(text) for text in texts[has_special]]
    ucs2 = pd.notna(first_ucs2)
    extension = has_special & ~ucs2
    units = length.copy()
    units[extension] += distinct[extension].str.count(_EXTENSION).to_numpy(dtype=np.int64)
    units[ucs2] = [_utf16_units(text) for text in texts[ucs2]]
    double = units - length

    single = np.where(ucs2, SINGLE_PART_CAPACITY["ucs2"], SINGLE_PART_CAPACITY["gsm7"])
    multi = np.where(ucs2, MULTI_PART_CAPACITY["ucs2"], MULTI_PART_CAPACITY["gsm7"])
    fewest = -(-units // multi)  # greedy packing wastes at most one unit per part,
    most = -(-units // (multi - 1))  # so the count lies between these two bounds
    parts = np.where(units <= single, 1, fewest)
    ambiguous = (units > single) & (double > 0) & (fewest != most)
    encoding = np.where(ucs2, "ucs2", "gsm7")
    for row in np.flatnonzero(ambiguous):
        parts[row] = len(_greedy_parts(texts[row], encoding[row]))
    return pd.DataFrame(
        {
            "encoding": encoding,
            "units": units,
            "parts": parts,
            "first_ucs2_char": pd.Series(first_ucs2, dtype=object),
        },
        index=distinct.index,
    )


def _apply_maxsms(counts: pd.DataFrame, distinct: pd.Series, maxsms: int) -> pd.DataFrame:
    """Cut the texts over *maxsms* parts, then count what is sent, as the server does."""
    over = np.flatnonzero(counts["parts"].to_numpy() > maxsms)
    kept = [_truncate(distinct.iat[row], counts["encoding"].iat[row], maxsms) for row in over]
    if len(over):
        recounted = _counts_of_distinct(pd.Series(kept, dtype=object))
        recounted["truncated"] = True
        counts.iloc[over] = recounted.to_numpy()
    return counts.astype({"units": np.int64, "parts": np.int64, "truncated": bool})


def count_segments(
    texts: pd.Series | Iterable[str], *, maxsms: int | None = None, translit: int = 0
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
    if maxsms is not None:
        maxsms = _validate_part_limit("maxsms", maxsms)
    index, codes, distinct = _distinct_texts(texts)
    distinct = normalize_text(distinct)
    if translit:
        distinct = distinct.str.translate(_TRANSLIT_TABLES[translit])
    counts = _counts_of_distinct(distinct)
    counts["truncated"] = False
    if maxsms is not None:
        counts = _apply_maxsms(counts, distinct, maxsms)
    result = counts.take(codes)
    result.index = index
    return result
