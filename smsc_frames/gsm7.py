"""The GSM 03.38 alphabet: which characters one septet holds, which take two, and part sizes.

:data:`GSM_KINDS` classes code points for array work (:data:`BASIC`, :data:`EXTENDED`,
:data:`NOT_GSM7`); :data:`NOT_GSM_PATTERN` finds the characters that force UCS-2 in one text.

Examples
--------
>>> "€" in GSM7_EXTENSION, "é" in GSM7_BASIC, int(GSM_KINDS[ord("{")]) == EXTENDED
(True, True, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

__all__ = [
    "BASIC",
    "EXTENDED",
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "GSM_KINDS",
    "MULTI_PART_CAPACITY",
    "NOT_GSM7",
    "NOT_GSM_PATTERN",
    "SINGLE_PART_CAPACITY",
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


NOT_GSM_PATTERN = re.compile(_char_class(GSM7_BASIC | GSM7_EXTENSION, negate=True))
"""Matches a character outside GSM-7 (one that forces UCS-2)."""

# What a code point costs, by kind: one septet, two septets (extension), or it forces UCS-2.
BASIC, EXTENDED, NOT_GSM7 = range(3)


def _gsm_kinds() -> np.ndarray:
    """:data:`BASIC`, :data:`EXTENDED` or :data:`NOT_GSM7` by code point; last: any above."""
    table = np.full(max(map(ord, GSM7_BASIC | GSM7_EXTENSION)) + 2, NOT_GSM7, dtype=np.uint8)
    table[[ord(char) for char in GSM7_BASIC]] = BASIC
    table[[ord(char) for char in GSM7_EXTENSION]] = EXTENDED
    return table


GSM_KINDS = _gsm_kinds()
"""The kind of each code point (look it up with :func:`smsc_frames.codepoints.lookup`)."""
