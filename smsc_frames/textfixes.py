"""Costly characters: which characters of a text cost parts, and the GSM-7 to type instead.

A character outside GSM 03.38 turns the whole text into UCS-2 (70 characters per SMS instead
of 160); :func:`costly_characters` lists them per text with their replacement, and
:func:`fix_text` applies every replacement (look-alike Cyrillic letters only inside Latin
words). :mod:`smsc_frames.savings` counts and prices what fixing saves.

Examples
--------
>>> fix_text("It’s «new» — only…")
'It\\'s "new" - only...'
>>> fix_text("Pаy now")  # a Cyrillic "а" inside a Latin word
'Pay now'
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections import Counter

import pandas as pd

from smsc_frames.segments import GSM7_BASIC, GSM7_EXTENSION

__all__ = [
    "CHARACTER_COLUMNS",
    "GSM7",
    "GSM7_REPLACEMENTS",
    "LOOKALIKES",
    "costly_characters",
    "describe",
    "findings",
    "fix_text",
    "gsm7_equivalent",
]

GSM7 = GSM7_BASIC | GSM7_EXTENSION

#: Typographic characters with a GSM-7 equivalent (an empty string deletes the character).
GSM7_REPLACEMENTS: dict[str, str] = {
    # quotes and apostrophes
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u00b4": "'",
    "`": "'",
    "\u2039": "'",
    "\u203a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    # dashes and minus signs
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    # ellipsis, bullet, numero sign, multiplication sign
    "\u2026": "...",
    "\u2022": "*",
    "\u2116": "No.",
    "\u00d7": "x",
    # spaces that are not the plain space, and TAB
    "\t": " ",
    "\u00a0": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2004": " ",
    "\u2005": " ",
    "\u2006": " ",
    "\u2007": " ",
    "\u2008": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u205f": " ",
    "\u3000": " ",
    # invisible characters: zero-width space, word joiner, byte order mark, soft hyphen
    "\u200b": "",
    "\u2060": "",
    "\ufeff": "",
    "\u00ad": "",
}

#: Cyrillic and Greek letters drawn like Latin ones, replaced only inside Latin words.
LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "а": "a",
    "е": "e",
    "о": "o",
    "р": "p",
    "с": "c",
    "у": "y",
    "х": "x",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
    "ӏ": "l",
    "А": "A",
    "В": "B",
    "Е": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "Х": "X",
    "У": "Y",
    "І": "I",
    "Ј": "J",
    "Ѕ": "S",
    # Greek (the Greek capitals that GSM-7 has, such as Δ and Ω, are not look-alikes)
    "ο": "o",
    "α": "a",
    "Α": "A",
    "Β": "B",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "Ι": "I",
    "Κ": "K",
    "Μ": "M",
    "Ν": "N",
    "Ο": "O",
    "Ρ": "P",
    "Τ": "T",
    "Υ": "Y",
    "Χ": "X",
}


def _char_class(chars, *, negate: bool = False) -> str:
    """A regex character class of *chars* (or of everything else)."""
    return "[" + ("^" if negate else "") + "".join(re.escape(c) for c in sorted(chars)) + "]"


_LOOKALIKE_TABLE = str.maketrans(LOOKALIKES)
_ASCII_LETTERS = frozenset(string.ascii_letters)
_LATIN_OR_LOOKALIKE = _char_class({c for c in GSM7 if c.isalpha()} | set(LOOKALIKES))
_LOOKALIKE_WORD = re.compile(  # a whole word of GSM-7 letters and look-alikes, with one of each
    rf"(?<![^\W\d_])(?=[A-Za-z]*+{_LATIN_OR_LOOKALIKE}*?[A-Za-z])"
    rf"(?={_LATIN_OR_LOOKALIKE}*?{_char_class(LOOKALIKES)}){_LATIN_OR_LOOKALIKE}++(?![^\W\d_])"
)
_NOT_GSM = re.compile(_char_class(GSM7, negate=True))
_EXTENSION = re.compile(_char_class(GSM7_EXTENSION))


def _utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


_GROWING_TABLE = str.maketrans(GSM7_REPLACEMENTS)
_NOT_GROWING_TABLE = str.maketrans(
    {char: new for char, new in GSM7_REPLACEMENTS.items() if len(new) <= _utf16_units(char)}
)

_REASON_UCS2 = "forces UCS-2"
_REASON_NO_EQUIVALENT = "forces UCS-2; no GSM-7 equivalent"
_REASON_EXTENSION = "takes 2 septets"
_REASON_LOOKALIKE = "look-alike letter in a Latin word; forces UCS-2"

CHARACTER_COLUMNS = ["text", "char", "codepoint", "name", "count", "replacement", "reason"]


@functools.cache
def gsm7_equivalent(char: str) -> str | None:
    """The GSM-7 replacement for one character outside GSM-7, or ``None`` when there is none.

    Typographic characters come from :data:`GSM7_REPLACEMENTS`; an accented Latin letter that
    GSM-7 lacks loses its accent (``á`` -> ``a``; ``é``, which GSM-7 has, is never asked).
    Look-alike Cyrillic letters are not covered here: they depend on the word around them
    (see :func:`fix_text`).

    Examples
    --------
    >>> gsm7_equivalent("—"), gsm7_equivalent("á"), gsm7_equivalent("😀")
    ('-', 'a', None)
    """
    if char in GSM7_REPLACEMENTS:
        return GSM7_REPLACEMENTS[char]
    base = unicodedata.normalize("NFD", char)[0]
    if base != char and base in _ASCII_LETTERS:
        return base
    return None


def _latinise(text: str, found: Counter | None = None) -> str:
    """Replace look-alike letters inside Latin words, counting them in *found*."""

    def word_fix(match: re.Match) -> str:
        word = match.group()
        if found is not None:
            for char in word:
                if char in LOOKALIKES:
                    found[(char, LOOKALIKES[char], _REASON_LOOKALIKE)] += 1
        return word.translate(_LOOKALIKE_TABLE)

    return _LOOKALIKE_WORD.sub(word_fix, text)


def fix_text(text: str, *, growing: bool = True) -> str:
    """*text* with every replaceable costly character replaced by its GSM-7 equivalent.

    Parameters
    ----------
    text : str
        One message text.
    growing : bool, default True
        When false, keep replacements that would make the text longer in UCS-2 (``…`` ->
        ``...``): the right choice for a text that stays UCS-2 anyway.

    Returns
    -------
    str

    Examples
    --------
    >>> fix_text("Скидка…", growing=False), fix_text("Sale…")
    ('Скидка…', 'Sale...')
    """
    text = _latinise(text).translate(_GROWING_TABLE if growing else _NOT_GROWING_TABLE)
    accents: dict[str, str | int | None] = {
        char: base
        for char in set(_NOT_GSM.findall(text))
        if char not in GSM7_REPLACEMENTS and (base := gsm7_equivalent(char)) is not None
    }
    return text.translate(str.maketrans(accents)) if accents else text


def findings(text: str) -> tuple[Counter, int]:
    """The costly characters of one text, and how many letters have no GSM-7 spelling.

    Extension characters (two septets each) are listed only when the text is, or once fixed
    would be, GSM-7: in a text that stays UCS-2 they cost one unit like any other.
    """
    found: Counter = Counter()
    latin = _latinise(text, found)
    foreign_letters = 0
    for char, count in Counter(_NOT_GSM.findall(latin)).items():
        replacement = gsm7_equivalent(char)
        if replacement is not None:
            found[(char, replacement, _REASON_UCS2)] += count
        elif unicodedata.category(char).startswith("L"):
            foreign_letters += count
        else:
            found[(char, None, _REASON_NO_EQUIVALENT)] += count
    can_be_gsm7 = foreign_letters == 0 and all(rep is not None for _, rep, _ in found)
    if can_be_gsm7:
        for char, count in Counter(_EXTENSION.findall(latin)).items():
            found[(char, None, _REASON_EXTENSION)] += count
    return found, foreign_letters


def costly_characters(texts) -> pd.DataFrame:
    """One row per (distinct text, costly character).

    Listed: characters that force UCS-2 (with their GSM-7 replacement, or ``None``), look-alike
    letters inside Latin words, and, in GSM-7 texts, extension characters (two septets each).
    Letters of other scripts (a Cyrillic word) are not listed one by one: see
    :func:`suggest_savings`' ``foreign_letters``.

    Parameters
    ----------
    texts : pandas.Series or list of str

    Returns
    -------
    pandas.DataFrame
        Columns ``text``, ``char``, ``codepoint`` (``"U+2019"``), ``name`` (Unicode name),
        ``count``, ``replacement`` (str or ``None``), ``reason``.

    Examples
    --------
    >>> costly_characters(["It’s 5€", "ok"])[["char", "replacement", "reason"]]
      char replacement           reason
    0    ’           '     forces UCS-2
    1    €        None  takes 2 septets
    """
    distinct = pd.unique(pd.Series(texts, dtype=object).dropna())
    rows = []
    for text in distinct:
        found, _ = findings(text)
        for (char, replacement, reason), count in found.items():
            rows.append(
                {
                    "text": text,
                    "char": char,
                    "codepoint": f"U+{ord(char):04X}",
                    "name": unicodedata.name(char, "?"),
                    "count": count,
                    "replacement": replacement,
                    "reason": reason,
                }
            )
    frame = pd.DataFrame(rows, columns=CHARACTER_COLUMNS).astype({"count": "int64"})
    frame["replacement"] = pd.Series([row["replacement"] for row in rows], dtype=object)
    return frame


def _shown(text: str) -> str:
    """*text* as is, or its repr when it is empty, blank or invisible."""
    visible = text and text.isprintable() and text.strip() == text
    return text if visible else repr(text)


def describe(found: Counter) -> str:
    """``’ → ' ×2; 😀 ×1 (no GSM-7 equivalent)`` for one text."""
    parts = []
    for (char, replacement, reason), count in found.items():
        shown = _shown(char)
        if replacement is not None:
            parts.append(f"{shown} → {_shown(replacement)} ×{count}")
        else:
            parts.append(f"{shown} ×{count} ({reason})")
    return "; ".join(parts)
