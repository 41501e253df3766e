"""The sandbox's reference part counter and transliteration.

A plain greedy loop, character by character, exactly as ``spec/segments.md`` states it. It is
deliberately simple (no vectorisation): the client's fast counter is tested against it.

Examples
--------
>>> count_parts("a" * 160), count_parts("a" * 161), count_parts("я" * 70)
(1, 2, 1)
>>> count_parts("a" * 152 + "{" + "a" * 152)
3
"""

from __future__ import annotations

import unicodedata

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_CAPACITY = (160, 153)
UCS2_CAPACITY = (70, 67)


def normalize(text: str) -> str:
    """CRLF and lone CR become LF, then Unicode NFC (``e`` + combining acute becomes ``é``).

    Examples
    --------
    >>> normalize("a\\r\\nb\\rc") == "a\\nb\\nc", normalize("e\\u0301") == "é"
    (True, True)
    """
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM 03.38 basic or extension table.

    Examples
    --------
    >>> is_gsm7("Hello {world} €5"), is_gsm7("Привет"), is_gsm7("it’s")
    (True, False, False)
    """
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _units(text: str, gsm: bool) -> list[int]:
    if gsm:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _prefix_length(units: list[int], capacity: int) -> int:
    """How many characters fit in *capacity* units without splitting one."""
    used = 0
    for index, unit in enumerate(units):
        if used + unit > capacity:
            return index
        used += unit
    return len(units)


def split_parts(text: str) -> list[str]:
    """Split *text* into SMS parts, greedily, never splitting an escape pair or surrogate pair.

    Examples
    --------
    >>> [len(p) for p in split_parts("a" * 306)]
    [153, 153]
    >>> [len(p) for p in split_parts("я" * 66 + "😀" + "я" * 66)]  # the emoji is 1 char, 2 units
    [66, 66, 1]
    >>> split_parts("")
    ['']
    """
    gsm = is_gsm7(text)
    single, multi = GSM7_CAPACITY if gsm else UCS2_CAPACITY
    units = _units(text, gsm)
    if sum(units) <= single:
        return [text]
    parts: list[str] = []
    while units:
        taken = _prefix_length(units, multi)
        parts.append(text[:taken])
        text, units = text[taken:], units[taken:]
    return parts


def count_parts(text: str) -> int:
    """Number of SMS parts *text* takes (an empty text takes one).

    Examples
    --------
    >>> count_parts("a" * 158 + "€"), count_parts("a" * 159 + "€"), count_parts("a" * 100 + "’")
    (1, 2, 2)
    """
    return len(split_parts(text))


def truncate_to_parts(text: str, max_parts: int) -> str:
    """What ``maxsms=max_parts`` keeps of *text*: the longest prefix that fits in that many parts.

    Examples
    --------
    >>> len(truncate_to_parts("a" * 400, 2)), len(truncate_to_parts("a" * 400, 1))
    (306, 160)
    >>> truncate_to_parts("short", 1)
    'short'
    """
    parts = split_parts(text)
    if len(parts) <= max_parts:
        return text
    if max_parts == 1:
        gsm = is_gsm7(text)
        single = (GSM7_CAPACITY if gsm else UCS2_CAPACITY)[0]
        return text[: _prefix_length(_units(text, gsm), single)]
    return "".join(parts[:max_parts])


_TRANSLIT_LOWER = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "'", "ы": "y", "ь": "'", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
_LOOKALIKE_LOWER = {
    "а": "a", "б": "6", "в": "B", "г": "r", "д": "g", "е": "e", "ё": "e", "ж": ">|<",
    "з": "3", "и": "u", "й": "u'", "к": "k", "л": "/I", "м": "M", "н": "H", "о": "o",
    "п": "n", "р": "p", "с": "c", "т": "m", "у": "y", "ф": "cp", "х": "x", "ц": "U,",
    "ч": "4", "ш": "LLI", "щ": "LLL", "ъ": "'b", "ы": "bI", "ь": "b", "э": "-)", "ю": "I-O",
    "я": "9I",
}  # fmt: skip
_LOOKALIKE_UPPER = {
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "Х": "X", "Д": "D", "У": "Y", "И": "U", "Й": "U'",
}  # fmt: skip


def _with_capitals(lower: dict[str, str], upper: dict[str, str]) -> dict[int, str]:
    table = {ord(k): v for k, v in lower.items()}
    for letter, latin in lower.items():
        table.setdefault(ord(letter.upper()), latin[:1].upper() + latin[1:])
    table.update({ord(k): v for k, v in upper.items()})
    return table


TRANSLIT_TABLES: dict[int, dict[int, str]] = {
    1: _with_capitals(_TRANSLIT_LOWER, {}),
    2: _with_capitals(_LOOKALIKE_LOWER, _LOOKALIKE_UPPER),
}


def transliterate(text: str, mode: int) -> str:
    """Apply ``translit=mode``: 0 keeps the text, 1 ``translit``, 2 ``mpaHc/Ium`` look-alikes.

    Only Cyrillic letters change; the tables are printed in ``docs/sandbox.md``.

    Examples
    --------
    >>> transliterate("Щука и ёж", 1)
    'Schuka i yozh'
    >>> transliterate("транслит", 2)
    'mpaHc/Ium'
    """
    if mode == 0:
        return text
    return text.translate(TRANSLIT_TABLES[mode])
