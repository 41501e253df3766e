"""What each kind of message counts and bills: SMS parts, seconds of a call, bytes, one per number.

SMSC's ``send.php`` page says what ``cnt`` means ("the number of parts, or of seconds for a
voice message") and that ``hlr``/``ping`` do not use ``mes``; where it is silent the counts
follow the sandbox's documented choices (``docs/sandbox.md``, *Message kinds*), so a plan's
counts agree with the sandbox's ``cost=1`` answers:

* **SMS** (also ``flash``, ``push``, ``soc``, ``viber``, ``whatsapp``; ``bot`` without
  ``tg=1`` too, as the sandbox counts it: the page is silent): SMS parts.
* **``hlr=1`` / ``ping=1``**: no text (the page: "mes is not used"); 1 per number.
* **``call=1``**: ``cnt`` counts seconds of speech, an **estimate** at
  :data:`CALL_CHARS_PER_SECOND` characters a second (the page gives no rate; 15 is the
  sandbox's); billed per started minute (the sandbox's choice, the page does not say), so the
  plan's ``units`` are seconds and ``parts`` the billed minutes.
* **``bin=1`` / ``bin=2``**: bytes (``bin=2``: hex, two digits a byte); 140 bytes in one part,
  134 a part when split; the page's ``\\n~~~\\npid: P, dcs: D`` trailer is checked, not counted.
* **``mms=1``, ``mail=1``, ``tg=1``**: one message per recipient (the sandbox's model).
* **``push=1``**: SMS parts; the page wants "a link and a title separated by a newline", so a
  text without both is a row problem.
* **``tinyurl=1``**: links (``http://``, ``https://``, ``www.``) are counted as
  :data:`SHORT_LINK_LENGTH` characters. The page does not say how long SMSC's short links
  are: 20 is the sandbox's length and only a guess for the real service.

Examples
--------
>>> from smsc_frames.options import Options
>>> message_kind(Options(call=1)), message_kind(Options(bin=2, flash=1)), message_kind(Options())
('call', 'bin', 'sms')
>>> call_seconds("Your order is ready" * 4)
6
>>> binary_size("050A0307056048656C6C6F\\n~~~\\npid: 0, dcs: 4", 2)
11
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from smsc_frames.errors import ValidationError
from smsc_frames.objectcodes import factorize_objects, first_positions
from smsc_frames.options import Options
from smsc_frames.segments import TextMeasure, count_segments, transliterate

__all__ = [
    "CALL_CHARS_PER_SECOND",
    "SHORT_LINK_LENGTH",
    "billed_label",
    "binary_size",
    "call_seconds",
    "check_kind_options",
    "count_label",
    "distinct_as_given",
    "kind_counts",
    "message_kind",
    "params_kind",
    "shorten_links",
    "textless",
]

CALL_CHARS_PER_SECOND = 15
"""Characters of text a second of a voice message takes: an estimate (the sandbox's rate)."""

SHORT_LINK_LENGTH = 20
"""Characters a link shortened by ``tinyurl=1`` takes: the sandbox's length, a guess for SMSC."""

BINARY_SINGLE_PART = 140
BINARY_MULTI_PART = 134
BIN_TRAILER_MARK = "\n~~~\n"
_BIN_TRAILER = re.compile(r"pid: ([0-9]{1,3}), dcs: ([0-9]{1,3})")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_SHORT_LINK = "h" * SHORT_LINK_LENGTH
_FLAG_KINDS = ("hlr", "ping", "call", "mms", "mail", "tg")
_ONE_PER_RECIPIENT = frozenset({"hlr", "ping", "mms", "mail", "tg"})

_LABELS = {
    "sms": "SMS parts",
    "bin": "SMS parts (binary)",
    "call": "seconds of speech",
    "hlr": "HLR requests",
    "ping": "ping SMS",
    "mms": "MMS",
    "mail": "e-mails",
    "tg": "Telegram messages",
}


_BILLED = {"sms": "SMS", "bin": "SMS", "call": "billed call minutes"}


def message_kind(options: Options) -> str:
    """The kind that decides what is counted: ``"bin"`` for a binary message, else the kind
    flag set to 1 among ``hlr ping call mms mail tg``, else ``"sms"``.

    Examples
    --------
    >>> message_kind(Options(hlr=1)), message_kind(Options(flash=1))
    ('hlr', 'sms')
    """
    return params_kind(options.to_params())


def params_kind(params: Mapping[str, str]) -> str:
    """:func:`message_kind` of a request's wire parameters (a payload's ``params``).

    Examples
    --------
    >>> params_kind({"call": "1", "phones": "79161234567"}), params_kind({"bin": "0"})
    ('call', 'sms')
    """
    if params.get("bin", "0") != "0":
        return "bin"
    return next((kind for kind in _FLAG_KINDS if params.get(kind) == "1"), "sms")


def textless(options: Options) -> bool:
    """Whether the kind sends no text (``hlr=1``, ``ping=1``: the page says mes is not used)."""
    return message_kind(options) in ("hlr", "ping")


def count_label(kind: str) -> str:
    """What SMSC's ``cnt`` counts for *kind*, in words.

    Examples
    --------
    >>> count_label("call"), count_label("sms")
    ('seconds of speech', 'SMS parts')
    """
    return _LABELS[kind]


def billed_label(kind: str) -> str:
    """What a plan's ``parts`` count for *kind* (the unit the price is per), in words.

    Examples
    --------
    >>> billed_label("call"), billed_label("bin")
    ('billed call minutes', 'SMS')
    """
    return _BILLED.get(kind, _LABELS[kind])


def check_kind_options(options: Options, sender: object) -> None:
    """Refuse, before any request, what the page requires of a kind and the options lack.

    ``mail=1``: a subject (``subj``) and a sender (an e-mail address) are required.

    Examples
    --------
    >>> check_kind_options(Options(mail=1), "shop@example.org")
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: subj: is required with mail=1 ...
    """
    if options.mail == 1:
        if options.subj is None:
            raise ValidationError(
                "subj",
                "is required with mail=1 (the page: an e-mail needs a subject, a text and a "
                "sender address)",
            )
        if sender is None:
            raise ValidationError(
                "sender", "is required with mail=1: the sender's e-mail address (the page)"
            )


def distinct_as_given(
    texts: np.ndarray, measure: TextMeasure, translit: int = 0
) -> tuple[np.ndarray, np.ndarray, TextMeasure]:
    """Each text's code (``-1`` for ``None``), the distinct texts and their measures, the texts
    **as given**: a binary message's bytes are sent and counted exactly (no CRLF -> LF, no NFC,
    which would change them). *translit* is unused: SMSC transliterates no binary message.

    Examples
    --------
    >>> from smsc_frames.segments import measure_texts
    >>> texts = np.array(["\\x00A\\r\\nB", None, "\\x00A\\r\\nB"], dtype=object)
    >>> codes, distinct, _ = distinct_as_given(texts, measure_texts(["", "", ""]))
    >>> codes.tolist(), distinct.tolist()
    ([0, -1, 0], ['\\x00A\\r\\nB'])
    """
    codes, distinct = factorize_objects(texts)
    return codes, distinct, measure[first_positions(codes, len(distinct))]


def call_seconds(text: str, chars_per_second: int = CALL_CHARS_PER_SECOND) -> int:
    """Estimated seconds of speech of a voice message's text (at least 1).

    Examples
    --------
    >>> call_seconds("Hi"), call_seconds("a" * 61)
    (1, 5)
    """
    return max(1, -(-len(text) // chars_per_second))


def shorten_links(text: str, placeholder: str = _SHORT_LINK) -> str:
    """*text* with each link replaced by *placeholder* (:data:`SHORT_LINK_LENGTH` GSM-7
    characters), as ``tinyurl=1`` shortens it before counting.

    Examples
    --------
    >>> len(shorten_links("Sale: https://example.org/a/very/long/path?utm=1 today"))
    32
    """
    return LINK.sub(lambda _: placeholder, text)


def binary_size(text: str, binary: int) -> int:
    """Bytes a binary message carries (``bin=1``: a character a byte; ``bin=2``: hex), checked.

    The first byte is the UDH length and must fit in the message; a zero there says "no UDH"
    ("нулевой байт в начале") and is not counted. The page's ``\\n~~~\\npid: P, dcs: D``
    trailer (P, D decimal 0-255) is checked and not counted. ``bin=1`` takes bytes up to
    0x7F only: the page wants its bytes urlencoded as they are, and this client's form is
    UTF-8, which would send a higher byte as two; such bytes go as hex with ``bin=2``.

    Raises
    ------
    ValueError
        Naming the rule broken (not hex, odd length, UDH too long, bad trailer).

    Examples
    --------
    >>> binary_size("0048656C6C6F", 2), binary_size("\\x00Hello", 1)
    (5, 5)
    >>> binary_size("0G", 2)
    Traceback (most recent call last):
    ...
    ValueError: bin=2: the message must be pairs of hex digits (0-9, A-F)
    """
    body, mark, trailer = text.partition(BIN_TRAILER_MARK)
    if mark:
        match = _BIN_TRAILER.fullmatch(trailer)
        if match is None or int(match[1]) > 255 or int(match[2]) > 255:
            raise ValueError(
                "bin: after '\\n~~~\\n' the page's trailer 'pid: P, dcs: D' must follow "
                "(P and D 0-255, exactly these spaces)"
            )
    if binary == 2:
        if not _HEX.fullmatch(body):
            raise ValueError("bin=2: the message must be pairs of hex digits (0-9, A-F)")
        data = bytes.fromhex(body)
    else:
        if not body:
            raise ValueError("bin=1: the message is empty")
        if not body.isascii():
            raise ValueError(
                "bin=1: every character must be a byte up to 0x7F (a form in UTF-8 would send "
                "a higher one as two bytes); write the message as hex with bin=2"
            )
        data = body.encode("ascii")
    if data[0] + 1 > len(data):
        raise ValueError(f"bin: the UDH length (first byte, {data[0]}) exceeds the message")
    return len(data) - 1 if data[0] == 0 else len(data)


def _binary_counts(texts: np.ndarray, binary: int) -> tuple[pd.DataFrame, np.ndarray]:
    sizes = np.zeros(len(texts), dtype=np.int64)
    problems = np.full(len(texts), None, dtype=object)
    for row, text in enumerate(texts):
        if not text:
            continue  # "empty text" is said by the plan
        try:
            sizes[row] = binary_size(text, binary)
        except ValueError as error:
            problems[row] = str(error)
    parts = np.where(sizes <= BINARY_SINGLE_PART, 1, -(-sizes // BINARY_MULTI_PART))
    return _frame("binary", sizes, parts), problems


def _frame(encoding: object, units: np.ndarray, parts: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "encoding": np.broadcast_to(np.asarray(encoding, dtype=object), units.shape).copy(),
            "units": units.astype(np.int64),
            "parts": parts.astype(np.int64),
            "truncated": np.zeros(len(units), dtype=bool),
        }
    )


def _with_short_links(
    counts: pd.DataFrame, texts: np.ndarray, options: Options
) -> tuple[pd.DataFrame, np.ndarray]:
    """*counts* recounted for the texts holding a link, and every text as sent (links short)."""
    translit = options.translit or 0
    sent = np.array([transliterate(text, translit) for text in texts], dtype=object)
    linked = np.flatnonzero([LINK.search(text) is not None for text in sent])
    if not len(linked):
        return counts, sent
    sent[linked] = [shorten_links(text) for text in sent[linked]]
    recounted = count_segments(list(sent[linked]), maxsms=options.maxsms, normalized=True)
    counts = counts.copy()
    for column in ("encoding", "units", "parts", "truncated"):
        counts.iloc[linked, counts.columns.get_loc(column)] = recounted[column].to_numpy()
    return counts, sent


def kind_counts(
    counts: pd.DataFrame, texts: np.ndarray, options: Options
) -> tuple[pd.DataFrame, np.ndarray]:
    """The SMS counts of normalised *texts* (:func:`~smsc_frames.segments.count_measured`)
    turned into what the options' kind counts, and a problem per text (``None`` when fine).

    Returns
    -------
    counts : pandas.DataFrame
        ``encoding`` (``"binary"``, ``"voice"``... for those kinds), ``units`` (bytes for a
        binary message, seconds for a call), ``parts`` (what is billed per unit of price:
        SMS parts, billed minutes of a call, 1 for a message per recipient), ``truncated``.
    problems : numpy.ndarray of object
        A binary message that breaks the page's rules, else ``None``.

    Examples
    --------
    >>> texts = np.array(["a" * 200], dtype=object)
    >>> from smsc_frames.segments import count_measured, measure_texts
    >>> sms = count_measured(measure_texts(texts), texts)
    >>> kind_counts(sms, texts, Options(call=1))[0][["encoding", "units", "parts"]]
      encoding  units  parts
    0    voice     14      1
    """
    kind = message_kind(options)
    problems = np.full(len(texts), None, dtype=object)
    if kind == "bin":
        return _binary_counts(texts, int(options.bin or 0))
    sent = texts
    if options.tinyurl == 1:
        counts, sent = _with_short_links(counts, texts, options)
    elif kind == "call" and options.translit:
        sent = np.array([transliterate(text, options.translit) for text in texts], dtype=object)
    if kind == "call":
        seconds = np.array([call_seconds(text) for text in sent], dtype=np.int64)
        return _frame("voice", seconds, -(-seconds // 60)), problems
    if options.push == 1:
        lacking = [i for i, text in enumerate(texts) if text and "\n" not in text.strip("\n")]
        problems[lacking] = "push=1 needs a link and a title separated by a newline (the page)"
    if kind in _ONE_PER_RECIPIENT:
        counts = counts.copy()
        counts["parts"] = 1
        counts["truncated"] = False
    return counts, problems
