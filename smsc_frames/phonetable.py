"""The sendable rows' phones as arrays: an integer key to sort by, urlencoded sizes, UTF-8 rows.

Phones that :func:`~smsc_frames.plan.prepare` writes (ASCII digit strings) are read with array
operations; a hand-built plan's other spellings one by one.

Examples
--------
>>> table = phone_table(np.array(["79031234567", "79161234567"], dtype=object))
>>> table.keys.tolist(), table.urlencoded_bytes.tolist(), table.utf8.shape
([79031234567, 79161234567], [11, 11], (2, 12))
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from smsc_frames.errors import ValidationError
from smsc_frames.formencoding import urlencoded_length

__all__ = ["PAD", "PhoneTable", "phone_table"]

_KEY_DIGITS = 18
"""The longest digit strings keyed with array operations, not ``int()`` (``10**18 < 2**63``)."""
_POWERS_OF_TEN = 10 ** np.arange(_KEY_DIGITS + 1, dtype=np.int64)
_REPUNITS = _POWERS_OF_TEN // 9  # 0, 1, 11, 111...
_LONGEST_PHONE = 64
"""Characters a phone may have in a plan (E.164 numbers have at most 15 digits; a hand-built
plan may write them with formatting): the packing lays phones out in rows this wide."""
PAD = 0xFF
"""Fills a phone's row of UTF-8 bytes past its end (at least once): no UTF-8 text holds it, so
it is deleted or replaced wholesale."""


class PhoneTable(NamedTuple):
    """The sendable rows' phones as arrays (see :func:`phone_table`)."""

    keys: np.ndarray  # int64, equal for equal phones (see _canonical_order)
    urlencoded_bytes: np.ndarray  # each phone's bytes in a form body ("+" as %2B...)
    utf8: np.ndarray  # uint8 (rows, width): each phone's UTF-8 bytes, then PAD (1 or more)


def phone_table(phone: np.ndarray) -> PhoneTable:
    """Each phone's integer key, its urlencoded size and its UTF-8 bytes.

    The keys are the integers the phones spell when ``int()`` reads every one (digit strings,
    but also ``"+7..."``), else the phones' ranks among the distinct phones (a hand-built plan).
    Strings of 1 to :data:`_KEY_DIGITS` ASCII digits (what :func:`~smsc_frames.plan.prepare`
    writes) are read with array operations (:func:`_digit_phones`); others one by one.

    Examples
    --------
    >>> table = phone_table(np.array(["79031234567", "4930123456"], dtype=object))
    >>> table.keys.tolist(), table.urlencoded_bytes.tolist()
    ([79031234567, 4930123456], [11, 10])
    >>> [row.tobytes() for row in table.utf8]
    [b'79031234567\\xff', b'4930123456\\xff\\xff']
    >>> table = phone_table(np.array(["+7903", "7903", "я"], dtype=object))
    >>> table.keys.tolist(), table.urlencoded_bytes.tolist()
    ([0, 1, 2], [7, 4, 6])
    >>> [row.tobytes() for row in table.utf8]
    [b'+7903\\xff', b'7903\\xff\\xff', b'\\xd1\\x8f\\xff\\xff\\xff\\xff']
    >>> phone_table(np.array(["+7903", "7903"], dtype=object)).keys.tolist()
    [7903, 7903]
    """
    digits = _digit_phones(phone.tolist())
    if digits is not None:
        return digits
    longest = max(phone.tolist(), key=len, default="")
    if len(longest) > _LONGEST_PHONE:
        raise ValidationError(
            "plan",
            f"has a phone longer than {_LONGEST_PHONE} characters",
            longest[:_LONGEST_PHONE] + "...",
        )
    length = urlencoded_length(phone)  # "+7...": the "+" goes as %2B
    try:
        keys = phone.astype(np.int64)
    except (TypeError, ValueError, OverflowError):  # not digit strings: a hand-built plan
        keys = pd.factorize(phone, sort=True)[0]
    return PhoneTable(keys, length, _utf8_table(phone))


def _digit_phones(phones: list) -> PhoneTable | None:
    """The :func:`phone_table` of strings of 1 to :data:`_KEY_DIGITS` ASCII digits, read with
    array operations; ``None`` for any other phones.

    The phones are joined, each followed by a comma, and encoded at once; when they all have
    the length of the first (one country), those bytes are the table already.
    """
    try:
        data = np.frombuffer((",".join(phones) + ",").encode("ascii"), dtype=np.uint8)
    except (TypeError, UnicodeEncodeError):  # a phone that is not a str, or not ASCII
        return None
    # uint8 arithmetic wraps around: every byte but a digit's code lands above 9, so this
    # counts the bytes that are not digits; there must be only the commas
    if np.count_nonzero(data - np.uint8(ord("0")) > 9) != len(phones):
        return None
    width = len(phones[0]) + 1
    if len(data) == len(phones) * width and (data[width - 1 :: width] == ord(",")).all():
        if not 0 < width - 1 <= _KEY_DIGITS:
            return None
        table = data.reshape(len(phones), width).copy()
        keys = _digit_keys(table[:, :-1], width - 1)
        table[:, -1] = PAD
        return PhoneTable(keys, np.full(len(phones), width - 1), table)
    length = np.diff(np.flatnonzero(data == ord(",")), prepend=-1) - 1
    if not 0 < length.min() <= length.max() <= _KEY_DIGITS:
        return None
    width = int(length.max()) + 1  # numpy copies each phone into a row, NULs after it
    table = np.array(phones, dtype=f"S{width}").view(np.uint8).reshape(len(phones), width)
    keys = _digit_keys(table[:, :-1], length)
    np.putmask(table, table == 0, PAD)
    return PhoneTable(keys, length, table)


def _digit_keys(codes: np.ndarray, length: np.ndarray | int) -> np.ndarray:
    """The integers that rows of ASCII digit *codes* spell, each row *length* digits (one
    number for all rows, or one per row) then NULs.

    Examples
    --------
    >>> _digit_keys(np.frombuffer(b"07123\\x00", dtype=np.uint8).reshape(3, 2),
    ...             np.array([2, 2, 1])).tolist()
    [7, 12, 3]
    """
    keys = np.zeros(len(codes), dtype=np.int64)
    for column in codes.T:  # on the codes, 48 to 57: at most 57 * 111...1 < 2**63
        keys *= 10
        keys += column
    shift = codes.shape[1] - length  # a shorter row's NULs (0) multiplied it by 10 each
    if np.any(shift):
        keys //= _POWERS_OF_TEN[shift]
    return keys - ord("0") * _REPUNITS[length]  # each digit's code is "0" too many


def _utf8_table(phone: np.ndarray) -> np.ndarray:
    """Each phone's UTF-8 bytes as a row of a uint8 matrix one column wider than the longest,
    :data:`PAD` after its end."""
    encoded = [str.encode(value, "utf-8") for value in phone.tolist()]
    length = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    width = int(length.max(initial=0)) + 1
    table = np.array(encoded, dtype=f"S{width}").view(np.uint8).reshape(len(encoded), width)
    table[np.arange(width) >= length[:, None]] = PAD
    return table
