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
  A value with letters is refused first: phonenumbers would read them as keypad digits.

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

import numpy as np
import pandas as pd
import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberType, ValidationResult

from smsc_frames.errors import ValidationError

__all__ = ["normalize_phones"]

COLUMNS = ["phone_input", "phone", "phone_ok", "region", "problem"]

_FORMATTING_CHARS = " \t-()\u00a0\u2007\u2009\u202f\u2010\u2011\u2012\u2013\u2014"
_FORMATTING = str.maketrans("", "", _FORMATTING_CHARS)
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_EXCEL_FLOAT = re.compile(r"(\+?\d+)\.0+")
_EXCEL_SCIENTIFIC = re.compile(r"\+?(\d)[.,](\d+)[eE]\+?(\d{1,2})")
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
    """Drop formatting, recover an Excel float, read a leading ``00`` as ``+``."""
    cleaned = text.strip().translate(_FORMATTING)
    excel_float = _EXCEL_FLOAT.fullmatch(cleaned)
    if excel_float:
        cleaned = excel_float.group(1)
    return "+" + cleaned[2:] if cleaned.startswith("00") else cleaned


def _matches_length_10(desc: object) -> bool:
    return desc is not None and (not desc.possible_length or 10 in desc.possible_length)


_WILDCARD = "x"  # stands for "any digit" in the prefix proof below
_PLAIN_PATTERN = re.compile(r"(?:[0-9\[\]()?:|{},-]|\\d)*")  # digits, classes, groups, repeats


def _wildcard_where_some_digit(pattern: str) -> str:
    """*pattern* accepting the wildcard wherever *some* digit is accepted (to prove "no match")."""
    out, in_class, in_braces = [], False, False
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
    blockers = [
        getattr(meta, name).national_number_pattern
        for name in _TYPES_BEFORE_MOBILE
        if _matches_length_10(getattr(meta, name))
    ]
    needed = [
        f"(?:{meta.leading_digits})[{_WILDCARD}0-9]*",
        meta.general_desc.national_number_pattern,
        meta.mobile.national_number_pattern,
    ]
    plain = [meta.leading_digits, *needed[1:], *blockers]
    if not all(_PLAIN_PATTERN.fullmatch(pattern) for pattern in plain):
        return frozenset()
    all_match = [re.compile(_wildcard_where_every_digit(pattern)) for pattern in needed]
    none_match = [re.compile(_wildcard_where_some_digit(pattern)) for pattern in blockers]
    candidates = (str(prefix) + _WILDCARD * 7 for prefix in range(900, 1000))
    return frozenset(
        candidate[:3]
        for candidate in candidates
        if all(pattern.fullmatch(candidate) for pattern in all_match)
        and not any(pattern.fullmatch(candidate) for pattern in none_match)
    )


# What the fast path sees in each code point of the joined texts.
_OTHER, _DROPPED, _DIGIT_KIND, _PLUS, _POINT, _END = range(6)
# Digits the fast path accepts before the 10-digit national number (without a "+"): none, the
# trunk prefix 7 or 8, or the country code 7 after the international prefix 00 or 810.
_NATIONAL_HEADS = ("", "7", "8", "007", "8107")
_CHUNK = 1 << 16  # texts per vectorised pass: small arrays are reused, not freshly allocated


def _head_key(length: np.ndarray | int, value: np.ndarray | int) -> np.ndarray | int:
    """One integer for a run of digits, so that ``7`` and ``007`` differ."""
    return length * 10_000 + value


_HEAD_KEYS = [_head_key(len(head), int(head or 0)) for head in _NATIONAL_HEADS]


def _kind_table() -> np.ndarray:
    """:data:`_OTHER`, :data:`_DROPPED`... by code point; the last entry stands for any above."""
    table = np.full(max(map(ord, _FORMATTING_CHARS)) + 2, _OTHER, dtype=np.uint8)
    table[[ord(char) for char in _FORMATTING_CHARS]] = _DROPPED
    table[ord("0") : ord("9") + 1] = _DIGIT_KIND
    table[ord("+")] = _PLUS
    table[ord(".")] = _POINT
    table[0] = _END
    return table


_KINDS = _kind_table()


def _joined_code_points(texts: np.ndarray) -> np.ndarray:
    """The code points of all *texts*, each text followed by a NUL: one ``join``, one ``encode``.

    A missing value reads as ``"None"``, ``"<NA>"`` or ``"nan"``, which the fast path refuses,
    and so is a NUL inside a text (it is read as ``"\\x01"``).
    """
    joined = "\0".join(map(str, texts)) + "\0"
    if joined.count("\0") != len(texts):
        joined = "\0".join(str(text).replace("\0", "\x01") for text in texts) + "\0"
    return np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _running_count(mask: np.ndarray) -> np.ndarray:
    """``count[b] - count[a]`` is how many of ``mask[a:b]`` are true."""
    return np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))


def _digits_at(points: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The digit values at *positions* (clipped to the array)."""
    return points[np.clip(positions, 0, len(points) - 1)].astype(np.int64) - ord("0")


def _end_before_excel_fraction(
    points: np.ndarray, kinds: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """Where each text ends once an Excel ``.0`` (a point, then only zeros) is cut off."""
    point_at = np.flatnonzero(kinds == _POINT)
    if not len(point_at):
        return ends
    fraction_at = np.full(len(starts), -1)
    fraction_at[np.searchsorted(starts, point_at, side="right") - 1] = point_at
    zeros = _running_count(points == ord("0"))
    after = fraction_at + 1  # with several points, the text is refused anyway
    only_zeros = (fraction_at >= 0) & (after < ends) & (zeros[ends] - zeros[after] == ends - after)
    return np.where(only_zeros, fraction_at, ends)


def _certain_russian_mobiles(texts: np.ndarray
                             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which *texts* are certainly valid RU mobiles, and their E.164 digits, vectorised.

    Accepts formatting (:data:`_FORMATTING_CHARS`) anywhere, then ``+7`` or one of
    :data:`_NATIONAL_HEADS`, then 10 digits with a safe prefix
    (:func:`_safe_russian_mobile_prefixes`), optionally followed by an Excel ``.0``.

    Returns
    -------
    certain : numpy.ndarray of bool
    phones : numpy.ndarray of str
        The E.164 digits of the certain ones, in order.
    keys : numpy.ndarray of int
        The same digits as integers.
    """
    chunks = [_certain_in_chunk(texts[start : start + _CHUNK])
              for start in range(0, len(texts), _CHUNK)]  # fmt: skip
    return tuple(np.concatenate(column) for column in zip(*chunks))


def _certain_in_chunk(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_certain_russian_mobiles` on a few thousand texts at once."""
    points = _joined_code_points(texts)
    kinds = _KINDS[np.minimum(points, len(_KINDS) - 1)]
    kept = kinds != _DROPPED
    points, kinds = points[kept], kinds[kept]
    ends = np.flatnonzero(kinds == _END)
    starts = np.concatenate(([0], ends[:-1] + 1))

    plus = kinds[starts] == _PLUS  # an empty text reads its NUL
    starts = starts + plus
    ends = _end_before_excel_fraction(points, kinds, starts, ends)
    digits = _running_count(kinds == _DIGIT_KIND)
    only_digits = digits[ends] - digits[starts] == ends - starts
    national = ends - 10
    head_length = national - starts
    head = np.zeros(len(starts), dtype=np.int64)
    for offset in range(max(map(len, _NATIONAL_HEADS))):
        digit = _digits_at(points, starts + offset)
        head = np.where(offset < head_length, head * 10 + digit, head)
    key = _head_key(head_length, head)
    known_head = np.where(plus, key == _head_key(1, 7), np.isin(key, _HEAD_KEYS))
    prefix = sum(_digits_at(points, national + k) * 10 ** (2 - k) for k in range(3))
    safe = np.isin(prefix, [int(prefix) for prefix in _safe_russian_mobile_prefixes()])
    certain = only_digits & known_head & safe
    return (certain, *_e164_of_national(points, national[certain]))


def _e164_of_national(points: np.ndarray, national: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``"7"`` and the 10 digits from each of the *national* positions, as Python strings and
    as integers."""
    digits = np.empty((len(national), 11), dtype=np.uint32)
    digits[:, 0] = ord("7")
    digits[:, 1:] = points[national[:, None] + np.arange(10)]
    keys = (digits.astype(np.int64) - ord("0")) @ (10 ** np.arange(10, -1, -1, dtype=np.int64))
    return digits.view("<U11").ravel().astype(object), keys


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


def _one_phone(text: str, region: str) -> tuple[str | None, bool, str | None, str | None]:
    """``(phone, phone_ok, region, problem)`` of one input through phonenumbers."""
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


def _texts_of(series: pd.Series) -> np.ndarray:
    """The values as an object array of text (missing values stay missing)."""
    values = series.to_numpy(dtype=object)
    if isinstance(series.dtype, pd.StringDtype) or pd.api.types.infer_dtype(values) in (
        "string", "empty"
    ):
        return values
    codes, uniques = pd.factorize(values)
    texts = np.array([*map(_as_text, uniques), None], dtype=object)
    return texts[codes]  # code -1 (missing) picks the trailing None


def _normalize_the_rest(
    texts: np.ndarray, rows: np.ndarray, region: str, columns: dict[str, np.ndarray]
) -> None:
    """Fill *columns* at *rows* through phonenumbers, once per distinct text."""
    codes, uniques = pd.factorize(texts[rows])
    answers = [_one_phone(text, region) for text in uniques]
    answers.append((None, False, None, "empty"))  # picked by code -1: a missing value
    for name, answer in zip(["phone", "phone_ok", "region", "problem"], zip(*answers)):
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
          ``"not a mobile number (landline)"``, ``"Excel scientific notation lost digits"``...);
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
    texts = _texts_of(series)
    columns = {
        "phone_input": texts.copy(),
        "phone": np.full(len(texts), None, dtype=object),
        "phone_ok": np.zeros(len(texts), dtype=bool),
        "region": np.full(len(texts), None, dtype=object),
        "problem": np.full(len(texts), None, dtype=object),
        "phone_key": np.full(len(texts), -1, dtype=np.int64),
    }
    settled = np.zeros(len(texts), dtype=bool)
    if region == "RU" and len(texts):
        settled, phones, phone_keys = _certain_russian_mobiles(texts)
        columns["phone"][settled] = phones
        columns["phone_key"][settled] = phone_keys
        columns["phone_ok"][settled] = True
        columns["region"][settled] = "RU"
    _normalize_the_rest(texts, np.flatnonzero(~settled), region, columns)
    if not keys:
        del columns["phone_key"]
    return pd.concat(  # one block per column: the arrays are not copied into a 2-D block
        {name: pd.Series(values, index=series.index, dtype=values.dtype)
         for name, values in columns.items()}, axis=1
    )
