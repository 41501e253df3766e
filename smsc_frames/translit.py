"""``translit=1`` / ``translit=2``: Russian Cyrillic spelt in Latin letters, as SMSC is asked to.

SMSC does not publish its tables: these are estimates for previewing the cost.

Examples
--------
>>> transliterate("Жёлтый", 1), transliterate("Жёлтый", 2)
('Zhyoltyj', ">|<e/ImbIu'")
"""

from __future__ import annotations

from smsc_frames.errors import ValidationError

__all__ = ["TRANSLIT_TABLES", "transliterate", "validate_translit"]

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


TRANSLIT_TABLES = {
    1: _translit_table(_TRANSLIT_LATIN, {}),
    2: _translit_table(_TRANSLIT_LOOKALIKE, _TRANSLIT_LOOKALIKE_CAPITALS),
}


def validate_translit(mode: object) -> int:
    """*mode* as an int, if it is a ``translit`` value (0, 1 or 2)."""
    if isinstance(mode, bool) or mode not in (0, 1, 2):
        raise ValidationError("translit", "must be 0 (none), 1 (translit) or 2 (mpaHc/Ium)", mode)
    return int(mode)


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
    mode = validate_translit(mode)
    return text if mode == 0 else text.translate(TRANSLIT_TABLES[mode])
