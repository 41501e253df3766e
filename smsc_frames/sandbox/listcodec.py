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
    """A ``list`` line that cannot be read (no ``:`` or ``;``, no phone)."""


#: What a recipient looks like at the head of a line (``nl=1`` tells new lines by it): a
#: number (digits, spaces, ``()-`` and a leading ``+``), ``G<n>``, ``#ID``, ``@nick`` or an
#: e-mail address. Matched token by token (no nested repeats: linear on any line).
_RECIPIENT = re.compile(
    r"\+?[0-9][0-9 ()-]*|G[0-9]+|#[0-9]+|@[A-Za-z0-9_]+|[^\s@:;,|]+@[^\s@:;,|]+"
)
_HEAD_END = re.compile(r"[:;]")


def _starts_message(line: str) -> bool:
    """Whether *line* begins ``[sender[,tz]|]recipients`` followed by ``:`` or ``;``.

    Examples
    --------
    >>> _starts_message("SHOP|79161234567, G2:Hi"), _starts_message("Note: soon")
    (True, False)
    """
    separator = _HEAD_END.search(line)
    if separator is None:
        return False
    head = line[: separator.start()].rpartition("|")[2]
    tokens = [token.strip() for token in head.split(",")]
    if len(tokens) > 1 and not tokens[-1]:
        tokens.pop()  # "79161234567,:text"
    return all(_RECIPIENT.fullmatch(token) for token in tokens)


def _physical_lines(value: str) -> list[str]:
    return [line.removesuffix("\r") for line in value.split("\n")]


def _joined_lines(value: str) -> list[str]:
    """``nl=1``: a line that does not start with recipients and ``:``/``;`` continues the
    text of the line before it (joined by a newline)."""
    lines: list[str] = []
    for line in _physical_lines(value):
        if lines and not _starts_message(line):
            lines[-1] += "\n" + line
        else:
            lines.append(line)
    return lines


def parse_list(value: str, *, nl: bool = False) -> list[ListLine]:
    r"""Parse a ``list`` value: lines ``[sender[,tz]|]phones:text`` (or ``phones;text``).

    The first ``:`` or ``;`` of a line ends the phones (the page: "separated by a colon or a
    semicolon"); the text may hold both. Phones of one line are separated by ``,``. Without
    *nl* the two characters ``\n`` in a text become a newline and blank lines are skipped;
    with *nl* (``nl=1``, the page's mode for multi-line texts) a physical line that does not
    start with recipients and ``:``/``;`` continues the previous message, and ``\n`` stays
    as written.

    Examples
    --------
    >>> parse_list("79161234567;Hi; there\n79161234567:Again")  # doctest: +NORMALIZE_WHITESPACE
    [ListLine(phones=('79161234567',), text='Hi; there', sender=None, tz=None),
     ListLine(phones=('79161234567',), text='Again', sender=None, tz=None)]
    >>> [line.text for line in parse_list("79161234567:Dear Ann,\nSee you\\n", nl=True)]
    ['Dear Ann,\nSee you\\n']

    Raises
    ------
    ListSyntaxError
        When a line has no ``:``/``;`` or no phone before it.
    """
    lines = []
    for line in _joined_lines(value) if nl else _physical_lines(value):
        if not line.strip():
            continue
        separator = _HEAD_END.search(line)
        if separator is None:
            raise ListSyntaxError("a line has no ':' or ';' between phones and text")
        head, text = line[: separator.start()], line[separator.end() :]
        sender = tz = None
        if "|" in head:
            prefix, _, head = head.partition("|")
            sender, comma, tz_text = prefix.partition(",")
            tz = tz_text if comma else None
        phones = tuple(token for token in map(str.strip, head.split(",")) if token)
        if not phones:
            raise ListSyntaxError("a line has no phone")
        if not nl:
            text = text.replace("\\n", "\n")
        lines.append(ListLine(phones, text, sender, tz))
    return lines
