"""Recipients on the wire: the ``phones`` parameter, the ``list`` parameter and the phone rule.

The sandbox's own phone rule (not phonenumbers): after an optional leading ``+``, 10 to 15
digits. Without ``+`` two common slips are corrected, as SMSC says it may do: 11 digits
starting with ``8`` become ``7...``, and 10 digits starting with ``9`` get a leading ``7``.
With ``+`` the number is taken as written.

Examples
--------
>>> normalize_phone("+79161234567"), normalize_phone("89161234567"), normalize_phone("9161234567")
('79161234567', '79161234567', '79161234567')
>>> normalize_phone("+8916123456"), normalize_phone("12-34") is None
('8916123456', True)
>>> split_phones("79161234567;+79161234568,")
['79161234567', '+79161234568']
>>> lines = parse_list("SHOP,2|79161234567,79161234568:Hi\\\\nthere: 10% off\\n79031234567:Bye")
>>> lines  # doctest: +NORMALIZE_WHITESPACE
[ListLine(phones=('79161234567', '79161234568'), text='Hi\\nthere: 10% off',
          sender='SHOP', tz='2'),
 ListLine(phones=('79031234567',), text='Bye', sender=None, tz=None)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VALID_PHONE = re.compile(r"\+?[0-9]{10,15}")
_SEPARATORS = re.compile(r"[,;]")


def normalize_phone(token: str) -> str | None:
    """E.164 digits of *token*, or ``None`` when it is not a valid-format number."""
    if not (
        token.isascii() and token.isdigit() and 10 <= len(token) <= 15
    ) and not _VALID_PHONE.fullmatch(token):
        return None
    if token.startswith("+"):
        return token[1:]
    if len(token) == 11 and token.startswith("8"):
        return "7" + token[1:]
    if len(token) == 10 and token.startswith("9"):
        return "7" + token
    return token


def normalize_phones(tokens: list[str]) -> list[str | None]:
    """:func:`normalize_phone` of each token; one pass over them all when none needs a change.

    That is the usual request: numbers already written as 11 to 15 digits, none of 11 starting
    with ``8``.

    Examples
    --------
    >>> normalize_phones(["79161234567", "380501234567"]), normalize_phones(["89161234567", "1"])
    (['79161234567', '380501234567'], ['79161234567', None])
    """
    joined = "".join(tokens)
    if (
        joined.isascii()
        and joined.isdigit()
        and set(map(len, tokens)) <= _KEPT_LENGTHS
        and not any(token[0] == "8" and len(token) == 11 for token in tokens)
    ):
        return list(tokens)
    return [normalize_phone(token) for token in tokens]


#: Lengths of all-digit tokens that are valid as written (11 digits unless they start with 8).
_KEPT_LENGTHS = frozenset(range(11, 16))


def split_phones(value: str) -> list[str]:
    """Split a ``phones`` value on ``,`` and ``;``; surrounding spaces and empty items go."""
    tokens = value.split(",") if ";" not in value else _SEPARATORS.split(value)
    return [token for token in map(str.strip, tokens) if token]


@dataclass(frozen=True)
class ListLine:
    """One line of ``list``: its phone tokens, its text (``\\n`` escapes decoded), its prefix."""

    phones: tuple[str, ...]
    text: str
    sender: str | None
    tz: str | None


class ListSyntaxError(ValueError):
    """A ``list`` line that cannot be read (no ``:``, no phone)."""


def parse_list(value: str, *, decode_newlines: bool = True) -> list[ListLine]:
    """Parse a ``list`` value: lines ``[sender[,tz]|]phones:text``; blank lines are skipped.

    The first ``:`` of a line ends the phones; the text may hold ``:`` and ``;``. With
    *decode_newlines* (``nl`` absent or 0) the two characters ``\\n`` become a newline.

    Raises
    ------
    ListSyntaxError
        When a line has no ``:`` or no phone before it.
    """
    lines = []
    for raw_line in value.split("\n"):
        line = raw_line.removesuffix("\r")
        if not line.strip():
            continue
        head, colon, text = line.partition(":")
        if not colon:
            raise ListSyntaxError("a line has no ':' between phones and text")
        sender = tz = None
        if "|" in head:
            prefix, _, head = head.partition("|")
            sender, comma, tz_text = prefix.partition(",")
            tz = tz_text if comma else None
        phones = tuple(split_phones(head))
        if not phones:
            raise ListSyntaxError("a line has no phone")
        if decode_newlines:
            text = text.replace("\\n", "\n")
        lines.append(ListLine(phones, text, sender, tz))
    return lines
