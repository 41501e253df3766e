"""Normalise phone numbers to E.164 digits, fast for Russian mobiles and exact for the rest.

Two steps:

* the **fast path** settles, with numpy operations over all the values at once (no Python per
  value), the numbers that are certainly valid Russian mobiles: formatting dropped, then
  ``+7``, ``7``, ``8``, ``007``, ``8107`` or nothing, then 10 digits whose 3-digit prefix is in
  a set *proved* from phonenumbers' own RU metadata to make every such number a valid mobile,
  so the two cannot disagree (an Excel float such as ``79161234567.0`` too);
* the leftovers are cleaned (formatting dropped, an Excel ``79161234567.0`` float or a
  ``7.9161234567E10`` recovered, a leading ``00`` read as ``+``) and go through
  ``phonenumbers`` (``parse``, ``is_valid_number``, ``number_type``) once per distinct value.
  A value with letters is refused first: phonenumbers would read them as keypad digits. Before
  that, an extension after the number (``доб. 12``, ``ext. 12``, ``x12``, ``#12``, ``вн. 12``)
  is cut off and noted, and a cell holding several numbers (``89161234567, 89161234568``) is
  refused naming all of them (:func:`split_phone_cell`), never cut to its first number.

Only ``MOBILE`` and ``FIXED_LINE_OR_MOBILE`` numbers are SMS targets; a landline or an 8-800
number keeps its E.164 form but gets ``phone_ok=False`` and a reason.

Examples
--------
>>> typed = ["8 (916) 123-45-67", "+7 701 123 4567", "8 800 200-06-00", "7.92E+10"]
>>> normalize_phones(typed)[["phone", "region", "problem"]]
         phone region                                problem
0  79161234567     RU                                   None
1  77011234567     KZ                                   None
2  78002000600     RU        not a mobile number (toll-free)
3         None   None  Excel scientific notation lost digits
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from typing import TypeGuard

import numpy as np
import pandas as pd
import phonenumbers
from numpy.lib.stride_tricks import sliding_window_view
from phonenumbers import (
    NumberParseException,
    PhoneMetadata,
    PhoneNumberDesc,
    PhoneNumberType,
    ValidationResult,
)

from smsc_frames.errors import ValidationError
from smsc_frames.objectcodes import is_identical

__all__ = ["normalize_phones", "split_phone_cell"]

COLUMNS = ["phone_input", "phone", "phone_ok", "region", "problem", "note"]

_FORMATTING_CHARS = " \t-()\u00a0\u2007\u2009\u202f\u2010\u2011\u2012\u2013\u2014"
_FORMATTING = str.maketrans("", "", _FORMATTING_CHARS)
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_EXCEL_FLOAT = re.compile(r"(\+?\d+)[.,]0+")  # "79161234567,00": a "0.00" format, ru
_EXCEL_SCIENTIFIC = re.compile(r"\+?(\d)[.,](\d+)[eE]\+?(\d{1,2})")
MIN_DIGITS_IN_A_NUMBER = 7
"""Fewer digits between separators are not a phone number of their own."""
_SEPARATORS = re.compile(r"[,;/|\n]+|\s+(?:и|или|or|and)\s+", re.IGNORECASE)
_SEPARATOR_CHARACTER = re.compile(r"[,;/|\n]")
_CELL_EDGES = re.compile(r"^[\s,;/|]+|[\s,;/|]+$")
"""Separators with no number beyond them: ``79161234567,`` or a line break after it."""
_EXCEL_TEXT_GUARD = re.compile(r'="(.*)"', re.DOTALL)
"""``="0079161234567"``: a cell written so Excel keeps it as text when it opens the CSV."""
_EXTENSION = re.compile(
    r"(.*?\d[^,;/|]*?)[\s,;]*(?:доб(?:авочный)?|доп|вн(?:утр)?|ext(?:ension)?|x|#)"
    r"\s*\.?\s*:?\s*(\d{1,6})\s*",
    re.IGNORECASE | re.DOTALL,
)
_EXTENSION_HINT = re.compile(r"[#xдв]|ext", re.IGNORECASE)  # cheap: _EXTENSION may match
_SEPARATOR_HINT = re.compile(r"[,;/|\n]|\s(?:и|или|or|and)\s", re.IGNORECASE)
# "+8 916 ...": a national number typed with a "+". No country code starts with 89, and SMSC
# never corrects a number written with "+", so it is refused with a hint, not guessed.
_PLUS_TRUNK_PREFIX = re.compile(r"\+89\d{9}")

_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.TOLL_FREE: "toll-free",
    PhoneNumberType.PREMIUM_RATE: "premium-rate",
    PhoneNumberType.SHARED_COST: "shared-cost",
    PhoneNumberType.VOIP: "VoIP",
    PhoneNumberType.PERSONAL_NUMBER: "personal number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "UAN",
    PhoneNumberType.VOICEMAIL: "voicemail",
}
_PARSE_PROBLEMS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_LENGTH_PROBLEMS = {
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
}
# number_type() tries these before mobile; a match (a fixed-line one too, conservatively)
# keeps a prefix out of the fast path.
_TYPES_BEFORE_MOBILE = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail", "fixed_line",
)  # fmt: skip


def _clean(text: str) -> str:
    """Drop formatting and Excel's text guard (``="0079..."``), recover an Excel float, read a
    leading ``00`` as ``+``."""
    cleaned = text.strip().translate(_FORMATTING)
    guarded = _EXCEL_TEXT_GUARD.fullmatch(cleaned)
    if guarded:
        cleaned = guarded.group(1)
    excel_float = _EXCEL_FLOAT.fullmatch(cleaned)
    if excel_float:
        cleaned = excel_float.group(1)
    return "+" + cleaned[2:] if cleaned.startswith("00") else cleaned


def _matches_length_10(desc: PhoneNumberDesc | None) -> TypeGuard[PhoneNumberDesc]:
    return desc is not None and (not desc.possible_length or 10 in desc.possible_length)


def _plain(patterns: list[str | None]) -> list[str] | None:
    """*patterns*, when every one is a plain pattern (:data:`_PLAIN_PATTERN`); else ``None``."""
    plain = [p for p in patterns if p is not None and _PLAIN_PATTERN.fullmatch(p)]
    return plain if len(plain) == len(patterns) else None


_WILDCARD = "x"  # stands for "any digit" in the prefix proof below
_PLAIN_PATTERN = re.compile(r"(?:[0-9\[\]()?:|{},-]|\\d)*")  # digits, classes, groups, repeats


def _wildcard_where_some_digit(pattern: str) -> str:
    """*pattern* accepting the wildcard wherever *some* digit is accepted (to prove "no match")."""
    out: list[str] = []
    in_class, in_braces = False, False
    for char in pattern:
        if char == "[":
            in_class = True
        elif char == "]":
            in_class, char = False, _WILDCARD + "]"
        elif char in "{}":
            in_braces = char == "{"
        elif char == "d" and out[-1:] == ["\\"]:
            out[-1], char = "[\\", "d" + _WILDCARD + "]"
            if in_class:
                out[-1], char = "\\", "d"  # the class itself already gets the wildcard
        elif char.isdigit() and not (in_class or in_braces):
            char = f"[{char}{_WILDCARD}]"
        out.append(char)
    return "".join(out)


def _wildcard_where_every_digit(pattern: str) -> str:
    """*pattern* accepting the wildcard only where any digit is (to prove "all match")."""
    return pattern.replace("\\d", f"[\\d{_WILDCARD}]").replace("[0-9]", f"[0-9{_WILDCARD}]")


@functools.cache
def _safe_russian_mobile_prefixes() -> frozenset[str]:
    """The 3-digit prefixes P such that phonenumbers calls *every* P + 7 digits a valid RU mobile.

    Proved from the RU metadata patterns, not sampled. With the wildcard ``x`` for "any digit",
    ``P + "xxxxxxx"`` must match RU's leading digits, general and mobile patterns where only
    "any digit" accepts the wildcard (then every suffix matches them), and must match none of the
    patterns ``number_type`` tries before mobile where every digit accepts it (then no suffix
    matches those). Conservative: a prefix the proof cannot cover (930, whose validity depends on
    later digits) is left to phonenumbers, and so is everything when the metadata no longer has
    this plain shape.
    """
    meta = PhoneMetadata.metadata_for_region("RU")
    if (
        meta is None
        or phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(7, ())[:1] != ("RU",)
        or meta.leading_digits is None
        or not _matches_length_10(meta.general_desc)
        or not _matches_length_10(meta.mobile)
    ):
        return frozenset()
    blockers = _plain(
        [
            getattr(meta, name).national_number_pattern
            for name in _TYPES_BEFORE_MOBILE
            if _matches_length_10(getattr(meta, name))
        ]
    )
    patterns = _plain(
        [
            meta.leading_digits,
            meta.general_desc.national_number_pattern,
            meta.mobile.national_number_pattern,
        ]
    )
    if blockers is None or patterns is None:
        return frozenset()
    leading_digits, general, mobile = patterns
    needed = [f"(?:{leading_digits})[{_WILDCARD}0-9]*", general, mobile]
    all_match = [re.compile(_wildcard_where_every_digit(pattern)) for pattern in needed]
    none_match = [re.compile(_wildcard_where_some_digit(pattern)) for pattern in blockers]
    candidates = (str(prefix) + _WILDCARD * 7 for prefix in range(900, 1000))
    return frozenset(
        candidate[:3]
        for candidate in candidates
        if all(pattern.fullmatch(candidate) for pattern in all_match)
        and not any(pattern.fullmatch(candidate) for pattern in none_match)
    )


# What the fast path reads for each code point of the joined texts (its code): a digit's value,
# or one of these, all above 9.
_PLUS, _POINT, _END, _OTHER, _DROPPED = range(10, 15)
# Digits the fast path accepts before the 10-digit national number (without a "+"): none, the
# trunk prefix 7 or 8, or the country code 7 after the international prefix 00 or 810.
_NATIONAL_HEADS = ("", "7", "8", "007", "8107")
# The codes of a head are read as one little-endian word (numpy: 1, 2, 4 or 8 bytes).
_HEAD_WIDTH = max(map(len, _NATIONAL_HEADS))
_CHUNK = 1 << 16  # texts per vectorised pass: small arrays are reused, not freshly allocated
_REFUSED = "\x01"  # what the fast path reads for a missing value or a NUL inside a text


def _code_table() -> np.ndarray:
    """The code of each code point (:data:`_PLUS`...); the last entry stands for any above."""
    table = np.full(max(map(ord, _FORMATTING_CHARS)) + 2, _OTHER, dtype=np.uint8)
    table[[ord(char) for char in _FORMATTING_CHARS]] = _DROPPED
    table[ord("0") : ord("9") + 1] = range(10)
    table[ord("+")] = _PLUS
    table[ord(".")] = _POINT
    table[0] = _END
    return table


_CODES = _code_table()
# By length + 1, for lengths from -1 to _HEAD_WIDTH + 1: the low `length` bytes of a word.
_HEAD_MASKS = np.array([0, *((1 << 8 * length) - 1 for length in range(_HEAD_WIDTH + 1)), 0])


def _head_key(length: np.ndarray, word: np.ndarray) -> np.ndarray:
    """One integer for a run of *length* digits, so that ``7`` and ``007`` differ.

    *word* holds the codes of the :data:`_HEAD_WIDTH` characters from the run's start as a
    little-endian integer; a *length* below 0 or above :data:`_HEAD_WIDTH` gets a key no head
    has.
    """
    length = np.clip(length, -1, _HEAD_WIDTH + 1) + 1  # from 0 to 6: fits in the low 3 bits
    return (word & _HEAD_MASKS[length]) * 8 + length


_HEAD_KEYS = _head_key(
    np.array([len(head) for head in _NATIONAL_HEADS]),
    np.array([int.from_bytes(bytes(map(int, head)), "little") for head in _NATIONAL_HEADS]),
)


@functools.cache
def _safe_prefix_table() -> np.ndarray:
    """Indexed by the codes of 3 characters: whether they spell a safe prefix.

    The prefixes are those of :func:`_safe_russian_mobile_prefixes`. Every code has a slot,
    not only digits: the prefix is read for every text at once, refused ones included.
    """
    table = np.zeros((_DROPPED + 1,) * 3, dtype=bool)  # _DROPPED is the largest code
    for prefix in _safe_russian_mobile_prefixes():
        table[tuple(map(int, prefix))] = True
    return table


def _codes_and_ends(values: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The codes of all *values* with formatting dropped, each value followed by :data:`_END`.

    One ``join``, one ``encode``, one table lookup, one ``bytes.translate`` that drops the
    formatting. A NUL inside a value is read as :data:`_REFUSED`, which the fast path refuses.

    Returns
    -------
    codes : numpy.ndarray of uint8
        Followed by 10 zeros, so that 10 codes read from any position before them exist
        (they read as the digit 0, but only for texts the head and digit checks refuse).
    not_digits : numpy.ndarray of int
        Where the codes above 9 are, in order.
    ends : numpy.ndarray of int
        Which of *not_digits* is the :data:`_END` after each value.
    """
    joined = "\0".join(values) + "\0" if values else ""
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kept = _CODES.take(points, mode="clip").tobytes().translate(None, bytes([_DROPPED]))
    codes = np.frombuffer(kept + bytes(10), dtype=np.uint8)
    not_digits = np.flatnonzero(codes > 9)
    ends = np.flatnonzero(codes[not_digits] == _END)
    if len(ends) > len(values):
        return _codes_and_ends([value.replace("\0", _REFUSED) for value in values])
    return codes, not_digits, ends


def _windows(codes: np.ndarray, width: int, dtype: str) -> np.ndarray:
    """A view whose element *i* is ``codes[i : i + width]`` read as one *dtype* value."""
    return sliding_window_view(codes, width).view(dtype)[:, 0]


def _cut_excel_fraction(
    codes: np.ndarray, last: np.ndarray, ends: np.ndarray, candidate: np.ndarray
) -> np.ndarray:
    """Whether each text ends with an Excel ``.0`` (a point, then only zeros) to cut off.

    *last* is where each text's last non-digit is, *ends* where its :data:`_END` is; only the
    *candidate* texts, whose last non-digit is a point, are looked at.
    """
    cut = np.zeros(len(ends), dtype=bool)
    if candidate.any():
        # The largest code of each span from after the point to the end (odd spans, from an end
        # to the next point, are skipped): 0 for only zeros, _END for nothing after the point.
        spans = np.column_stack((last[candidate] + 1, ends[candidate])).ravel()
        cut[candidate] = np.maximum.reduceat(codes, spans)[::2] == 0
    return cut


def _settle_russian_mobiles(
    texts: np.ndarray, missing: np.ndarray, columns: dict[str, np.ndarray]
) -> np.ndarray:
    """Fill *columns* for the *texts* that are certainly valid RU mobiles, vectorised.

    Accepts formatting (:data:`_FORMATTING_CHARS`) anywhere, then ``+7`` or one of
    :data:`_NATIONAL_HEADS`, then 10 digits with a safe prefix
    (:func:`_safe_russian_mobile_prefixes`), optionally followed by an Excel ``.0``. The
    *missing* texts are refused.

    Returns
    -------
    numpy.ndarray of bool
        Which texts were settled.
    """
    settled = np.zeros(len(texts), dtype=bool)
    for start in range(0, len(texts), _CHUNK):
        rows = slice(start, start + _CHUNK)
        certain, phones, keys = _certain_in_chunk(texts[rows], missing[rows])
        settled[rows] = certain
        at = start + np.flatnonzero(certain)
        columns["phone"][at] = phones
        columns["phone_key"][at] = keys
    columns["phone_ok"][settled] = True
    columns["region"][settled] = "RU"
    return settled


def _certain_in_chunk(
    texts: np.ndarray, missing: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which of a few thousand *texts* are certainly valid RU mobiles, and their E.164 digits.

    Returns
    -------
    certain : numpy.ndarray of bool
    phones : numpy.ndarray of str
        The E.164 digits of the certain ones, in order.
    keys : numpy.ndarray of int
        The same digits as integers.
    """
    values = texts.tolist()
    for at in np.flatnonzero(missing).tolist():
        values[at] = _REFUSED
    codes, not_digits, at_end = _codes_and_ends(values)
    ends = not_digits[at_end]
    starts = np.concatenate(([0], ends[:-1] + 1))
    others = np.diff(at_end, prepend=-1) - 1  # how many non-digits each text has
    last = not_digits[at_end - 1]  # where its last one is, if it has one

    plus = codes[starts] == _PLUS  # an empty text reads its _END
    candidate = (others - plus == 1) & (codes[last] == _POINT)
    cut = _cut_excel_fraction(codes, last, ends, candidate)
    only_digits = others - plus == cut  # apart from the "+" and a cut-off fraction's point
    starts = starts + plus
    national = np.where(cut, last, ends) - 10
    words = _windows(codes, _HEAD_WIDTH, f"<u{_HEAD_WIDTH}")
    key = _head_key(national - starts, words[starts])
    known_head = np.where(plus, key == _HEAD_KEYS[_NATIONAL_HEADS.index("7")],
                          np.isin(key, _HEAD_KEYS))  # fmt: skip
    digits = _windows(codes, 10, "V10")[np.maximum(national, 0)].view(np.uint8).reshape(-1, 10)
    safe = _safe_prefix_table()[digits[:, 0], digits[:, 1], digits[:, 2]]
    certain = only_digits & known_head & safe
    return (certain, *_e164_of_national(digits[certain]))


def _e164_of_national(national: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``"7"`` and each row of 10 *national* digit values, as Python strings and as integers."""
    digits = np.empty((len(national), 11), dtype=np.uint8)
    digits[:, 0] = 7
    digits[:, 1:] = national
    keys = np.zeros(len(digits), dtype=np.int64)
    for column in digits.T:
        keys *= 10
        keys += column
    digits += ord("0")
    return digits.astype(np.uint32).view("<U11").ravel().astype(object), keys


def _from_excel_scientific(text: str) -> tuple[str | None, str | None]:
    """Digits of ``7.9161234567E10`` when all of them survived, else the problem."""
    found = _EXCEL_SCIENTIFIC.fullmatch(text)
    if found is None:
        return None, None
    first, rest, exponent = found.group(1), found.group(2), int(found.group(3))
    if len(rest) < exponent:
        return None, "Excel scientific notation lost digits"
    if len(rest) > exponent and rest[exponent:].strip("0"):
        return None, "not a whole number"
    return first + rest[:exponent], None


def _digit_count(text: str) -> int:
    return len(_DIGIT.findall(text))


def split_phone_cell(text: str) -> list[str]:
    """The phone numbers written in one cell: ``["8916...", "8916..."]`` for
    ``"89161234567, 89161234568"``, else ``[text]``.

    Numbers are separated by ``,``, ``;``, ``/``, ``|``, a line break, `` и ``/`` или ``, or
    by spaces when every piece has at least 10 digits. A piece of fewer than
    :data:`MIN_DIGITS_IN_A_NUMBER` digits is not a number of its own (``"..., доб. 12"``).

    Examples
    --------
    >>> split_phone_cell("89161234567, +7 916 123-45-68"), split_phone_cell("89161234567")
    (['89161234567', '+7 916 123-45-68'], ['89161234567'])
    """
    pieces = [piece.strip() for piece in _SEPARATORS.split(text) if piece and piece.strip()]
    if len(pieces) < 2:
        pieces = text.split()
        if len(pieces) < 2 or any(_digit_count(piece) < 10 for piece in pieces):
            return [text]
    if sum(_digit_count(piece) >= MIN_DIGITS_IN_A_NUMBER for piece in pieces) < 2:
        return [text]
    return pieces


def _without_extension(text: str) -> tuple[str, str | None]:
    """*text* without a trailing extension (``доб. 12``, ``ext 12``, ``x12``, ``#12``,
    ``вн. 12``), and the extension's digits."""
    found = _EXTENSION.fullmatch(text)
    if found is None or _digit_count(found.group(1)) < MIN_DIGITS_IN_A_NUMBER:
        return text, None
    return found.group(1), found.group(2)


def _one_phone(
    text: str, region: str
) -> tuple[str | None, bool, str | None, str | None, str | None]:
    """``(phone, phone_ok, region, problem, note)`` of one input through phonenumbers."""
    text = _CELL_EDGES.sub("", text)
    separated = _SEPARATOR_HINT.search(text) is not None
    if separated or len(text) > 20:  # two numbers take 21 characters at least
        numbers = split_phone_cell(text)
        if len(numbers) > 1:
            shown = ", ".join((_one_phone(number, region)[0] or number) for number in numbers)
            return None, False, None, f"{len(numbers)} numbers in one cell: {shown}", None
    extension = None
    if _EXTENSION_HINT.search(text):
        text, extension = _without_extension(text.strip())
    phone, ok, country, problem = _one_number(text, region)
    if (
        problem is None and separated and _SEPARATOR_CHARACTER.search(_EXCEL_FLOAT.sub(r"\1", text))
    ):  # phonenumbers read only a part of the cell
        return None, False, None, "more than a phone number in the cell", None
    note = None if extension is None or phone is None else f"extension {extension} dropped"
    return phone, ok, country, problem, note


def _one_number(text: str, region: str) -> tuple[str | None, bool, str | None, str | None]:
    """``(phone, phone_ok, region, problem)`` of one number through phonenumbers."""
    cleaned = _clean(text)
    if not cleaned:
        return None, False, None, "empty"
    digits, problem = _from_excel_scientific(cleaned)
    if problem:
        return None, False, None, problem
    if digits is None and _LETTER.search(cleaned):  # phonenumbers reads letters as keypad digits
        problem = "contains letters" if _DIGIT.search(cleaned) else "not a phone number"
        return None, False, None, problem
    if _PLUS_TRUNK_PREFIX.fullmatch(cleaned):
        return None, False, None, "+8 is not a country code: write 8... or +7..."
    try:
        number = phonenumbers.parse(digits or cleaned, region)
    except NumberParseException as error:
        return None, False, None, _PARSE_PROBLEMS.get(error.error_type, "not a phone number")
    if not phonenumbers.is_valid_number(number):
        reason = phonenumbers.is_possible_number_with_reason(number)
        return None, False, None, _LENGTH_PROBLEMS.get(reason, "invalid number")
    phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
    country = phonenumbers.region_code_for_number(number)
    country = None if country in (None, phonenumbers.UNKNOWN_REGION, "001") else country
    kind = phonenumbers.number_type(number)
    if kind in _MOBILE_TYPES:
        return phone, True, country, None
    return phone, False, country, f"not a mobile number ({_TYPE_NAMES.get(kind, 'unknown type')})"


def _as_text(value: object) -> str | None:
    """The text a cell stands for: floats keep Python's exact digits (``79161234567.0``)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def _validate_region(region: object) -> str:
    if not isinstance(region, str) or region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError("default_region", "must be an ISO country code such as 'RU'", region)
    return region.upper()


def _texts_of(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The values as an object array of text, and a mask of the missing ones (left as they are)."""
    values = series.to_numpy(dtype=object)
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.na_value is pd.NA:
        return values, is_identical(values, pd.NA)  # its only non-str value
    if isinstance(series.dtype, pd.StringDtype):
        return values, series.isna().to_numpy()
    if pd.api.types.infer_dtype(values) in ("string", "empty"):
        return values, pd.isna(values)
    codes, uniques = pd.factorize(values)
    texts = np.array([*map(_as_text, uniques), None], dtype=object)
    return texts[codes], codes < 0  # code -1 (missing) picks the trailing None


def _normalize_the_rest(
    texts: np.ndarray, rows: np.ndarray, region: str, columns: dict[str, np.ndarray]
) -> None:
    """Fill *columns* at *rows* through phonenumbers, once per distinct text."""
    codes, uniques = pd.factorize(texts[rows])
    answers = [_one_phone(text, region) for text in uniques]
    answers.append((None, False, None, "empty", None))  # picked by code -1: a missing value
    for name, answer in zip(["phone", "phone_ok", "region", "problem", "note"], zip(*answers)):
        columns[name][rows] = np.array(answer, dtype=object)[codes]
    keys = np.array([-1 if phone is None else int(phone) for phone, *_ in answers])
    columns["phone_key"][rows] = keys[codes]
    columns["phone_input"][rows[codes < 0]] = None


def normalize_phones(
    values: pd.Series | Iterable[object], default_region: str = "RU", *, keys: bool = False
) -> pd.DataFrame:
    """Normalise phone numbers to E.164 digits and say which ones can receive an SMS.

    Parameters
    ----------
    values : pandas.Series or list
        Phone numbers as typed by people or exported by Excel: ``8 (916) 123-45-67``,
        ``+7 916 1234567``, ``9161234567``, ``00 44 20 7946 0958``, ``810 44 ...``,
        ``79161234567.0``, ``7.9161234567E10``. Numbers (int/float) are accepted too.
    default_region : str
        Where numbers without a country code are assumed to be (ISO code).
    keys : bool
        Add the column ``phone_key``.

    Returns
    -------
    pandas.DataFrame
        On the input's index, columns

        - ``phone_input``: the input as text (``None`` when missing);
        - ``phone``: E.164 digits without ``+`` when the number is valid (also for a valid
          landline), else ``None``;
        - ``phone_ok``: whether an SMS can be sent to it (a valid mobile number);
        - ``region``: ISO country of the number (``"RU"``, ``"KZ"``...) or ``None``;
        - ``problem``: ``None`` or why ``phone_ok`` is false (``"empty"``, ``"too short"``,
          ``"not a mobile number (landline)"``, ``"Excel scientific notation lost digits"``,
          ``"2 numbers in one cell: 79161234567, 79161234568"``...);
        - ``note``: ``None`` or what was left out of a valid number (``"extension 12
          dropped"`` for ``8 916 123-45-67 доб. 12``: an SMS goes to the number, not to the
          extension);
        - ``phone_key`` (with ``keys=True``): ``phone`` as an integer, ``-1`` without one;
          equal exactly where ``phone`` is, and far cheaper to sort, join or deduplicate on.

    Raises
    ------
    ValidationError
        For an unknown ``default_region``.

    Examples
    --------
    >>> phones = pd.Series(["79161234567.0", "+7 495 123-45-67", ""], index=[5, 6, 7])
    >>> normalize_phones(phones)[["phone", "phone_ok", "problem"]]
             phone  phone_ok                         problem
    5  79161234567      True                            None
    6  74951234567     False  not a mobile number (landline)
    7         None     False                           empty
    >>> normalize_phones(["8 916 123-45-67", "12"], keys=True)["phone_key"].tolist()
    [79161234567, -1]
    """
    region = _validate_region(default_region)
    if isinstance(values, (str, bytes)):
        raise ValidationError("values", "must be a list or Series of phones, not one", values)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    texts, missing = _texts_of(series)
    columns = {
        "phone_input": texts.copy(),
        "phone": np.full(len(texts), None, dtype=object),
        "phone_ok": np.zeros(len(texts), dtype=bool),
        "region": np.full(len(texts), None, dtype=object),
        "problem": np.full(len(texts), None, dtype=object),
        "note": np.full(len(texts), None, dtype=object),
        "phone_key": np.full(len(texts), -1, dtype=np.int64),
    }
    settled = np.zeros(len(texts), dtype=bool)
    if region == "RU":
        settled = _settle_russian_mobiles(texts, missing, columns)
    _normalize_the_rest(texts, np.flatnonzero(~settled), region, columns)
    if not keys:
        del columns["phone_key"]
    return pd.concat(  # one block per column: the (fresh) arrays are neither copied nor combined
        {
            name: pd.Series(values, index=series.index, dtype=values.dtype, copy=False)
            for name, values in columns.items()
        },
        axis=1,
    )
