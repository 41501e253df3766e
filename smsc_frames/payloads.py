"""The compact ``list=`` codec: a plan's sendable rows packed into as few requests as possible.

Rows with the same ``(sender, text)`` share one ``phones:text`` line (phones joined by ``,``);
a request holding one such line goes as plain ``phones`` + ``mes``. One sender for a whole
request becomes the ``sender`` parameter; otherwise each line with a sender is written
``sender|phones:text``. A newline inside a text is written as the two characters ``\\n``. A text
that already holds a backslash followed by ``n`` (or a carriage return) cannot be written
unambiguously in a ``list=`` line, so its rows go in plain ``phones`` + ``mes`` requests of
their own. A phone never appears twice in one request, so ``(id, phone)`` names one message.

Packing is greedy: groups of rows sharing a line, biggest first, fill each request up to
``max_recipients`` recipients and ``max_bytes`` of form body; a group that does not fit
continues in the next request (its text written once more). Repeated phones (same phone, other
text) are moved to later "layers" so they never meet in one request.

``max_bytes`` bounds the whole POST body the client sends: the urlencoded ``params`` plus
:data:`CLIENT_PARAMS_MARGIN` bytes kept free for what the client adds (``login``/``psw`` or
``apikey``, ``charset``, ``fmt``, ``cost``, ``op``).

Examples
--------
>>> import pandas as pd
>>> plan = pd.DataFrame({
...     "phone": ["79161234567", "79031234567", "79261234567"],
...     "text": ["Sale today", "Sale today", "Hi Ann,\\nsee you"],
...     "sender": [None, None, None], "parts": [1, 1, 1], "sendable": [True, True, True]})
>>> from smsc_frames.options import Options
>>> [request] = payloads(plan, Options(), campaign_id="spring")  # a hand-built plan: say the options
>>> request.id, request.recipients
('spring-1', ('79031234567', '79161234567', '79261234567'))
>>> print(request.params["list"])
79031234567,79161234567:Sale today
79261234567:Hi Ann,\\nsee you
>>> decode_params(request.params)["text"].tolist()
['Sale today', 'Sale today', 'Hi Ann,\\nsee you']
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import urllib.parse
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from smsc_frames.errors import ValidationError
from smsc_frames.formencoding import chunk_urlencoded_lengths, urlencoded_length, utf8_chunks
from smsc_frames.objectcodes import factorize_objects
from smsc_frames.options import Options, validate_message_id
from smsc_frames.planoptions import plan_options
from smsc_frames.sorting import stable_argsort

CLIENT_PARAMS_MARGIN = 512
"""Bytes of form body kept free for the parameters the client adds to every request:
``&login=`` + ``&psw=`` (or ``&apikey=``) with up to ~150 urlencoded bytes of credentials, and
``&charset=utf-8&fmt=3&cost=3&op=1&err=1`` (38 bytes); 512 leaves ample room."""

_FORM_RESERVE = 16
"""Packing budgets every line as ``sender|phones:text`` plus a newline; the final form
(``phones``+``mes``, or one ``sender=`` instead of prefixes) can cost up to 9 bytes more."""

_ID_CHARS = re.compile(r"[A-Za-z0-9._-]+")
_LIST_LINE = re.compile(r"(?:(?P<sender>[^|:]*)\|)?(?P<phones>[^:]*):(?P<text>.*)", re.DOTALL)
_DEFAULT_ID_LENGTH = 12
_NO_ROWS = np.empty(0, dtype=np.int64)
_NO_ROWS.flags.writeable = False


@dataclasses.dataclass(frozen=True, repr=False)
class Payload:
    """One ``send.php`` request of a campaign (without credentials, charset, fmt, cost, op).

    Attributes
    ----------
    id : str
        The SMSC message ``id`` of every message in the request.
    params : dict of str to str
        ``id``, the campaign's option parameters, ``sender`` when the whole request has one,
        and either ``phones`` + ``mes`` or ``list``.
    recipients : tuple of str
        The distinct phones, in canonical order (by phone), whatever the plan's row order.
    messages : int
        SMS parts times recipients, counted locally.
    body_bytes : int
        Size of ``urllib.parse.urlencode(params)``.
    digest : str
        SHA-256 of the canonical params; the same request always has the same digest.
    rows : numpy.ndarray of int
        Positions in the plan (as in ``plan.iloc``) of the rows the request carries, aligned
        with ``recipients``; read-only, empty for a payload built by hand. Not part of
        equality: it says where the messages came from, not what is sent.
    """

    id: str
    params: dict[str, str]
    recipients: tuple[str, ...]
    messages: int
    body_bytes: int
    digest: str
    rows: np.ndarray = dataclasses.field(default_factory=lambda: _NO_ROWS, compare=False)

    def __repr__(self) -> str:
        form = "list" if "list" in self.params else "phones+mes"
        return (
            f"Payload(id={self.id!r}, {form}, recipients={len(self.recipients)}, "
            f"messages={self.messages}, body_bytes={self.body_bytes})"
        )


_KEY_DIGITS = 18
"""The longest digit strings keyed with array operations, not ``int()`` (``10**18 < 2**63``)."""
_POWERS_OF_TEN = 10 ** np.arange(_KEY_DIGITS + 1, dtype=np.int64)
_REPUNITS = _POWERS_OF_TEN // 9  # 0, 1, 11, 111...
_LONGEST_PHONE = 64
"""Characters a phone may have in a plan (E.164 numbers have at most 15 digits; a hand-built
plan may write them with formatting): the packing lays phones out in rows this wide."""
_PAD = 0xFF
"""Fills a phone's row of UTF-8 bytes past its end (at least once): no UTF-8 text holds it, so
it is deleted or replaced wholesale."""
_CUT = 0xFE
"""Put before each ``list=`` line but a request's first, to split the lines apart: no UTF-8
text holds it either, so it decodes (``surrogateescape``) to :data:`_CUT_CHAR` and nothing else
does."""
_CUT_CHAR = chr(0xDC00 + _CUT)
_PAD_BYTE = bytes([_PAD])
_COLON_TO_COMMA = bytes.maketrans(b":", b",")


def _check_limits(max_recipients: object, max_bytes: object) -> None:
    for name, value, low in (
        ("max_recipients", max_recipients, 1),
        ("max_bytes", max_bytes, CLIENT_PARAMS_MARGIN + 64),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValidationError(name, f"must be an integer >= {low}", value)


def _campaign_options(plan: pd.DataFrame, options: Options | None) -> Options:
    options = plan_options(plan, options)
    if not isinstance(options, Options):
        raise ValidationError("options", "must be an Options instance", type(options).__name__)
    if options.sender is not None:
        raise ValidationError(
            "sender",
            "comes from the plan's sender column; pass it to prepare(sender=...)",
            options.sender,
        )
    return options


@dataclasses.dataclass
class _Rows:
    """The plan's sendable rows, as plain arrays.

    ``canonical`` orders them (see :func:`_canonical_order`); the codes are in that order,
    the rest in plan order, so a row's strings are moved once, to their final place. Texts
    and senders come as codes (numbered in canonical order of first appearance) into their
    distinct values; a ``None`` sender is the account's default.
    """

    canonical: np.ndarray
    text_code: np.ndarray
    text_values: np.ndarray
    sender_code: np.ndarray
    sender_values: np.ndarray
    phone_code: np.ndarray  # equal for equal phones, counting up from 0 (for bincount)
    phone: np.ndarray
    parts: np.ndarray
    position: np.ndarray  # position in the plan
    phone_bytes: np.ndarray  # urlencoded bytes of each phone
    phone_utf8: np.ndarray  # uint8 (rows, width): each phone's UTF-8 bytes, then _PAD (1 or more)


def _sendable_rows(plan: pd.DataFrame) -> _Rows:
    missing = [c for c in ("phone", "text", "sender", "parts", "sendable") if c not in plan]
    if missing:
        raise ValidationError(
            "plan", f"lacks column(s) {', '.join(missing)}; build it with prepare()", missing
        )
    sendable = plan["sendable"].to_numpy(dtype=bool)
    phone = plan["phone"].to_numpy(dtype=object)[sendable]
    text = plan["text"].to_numpy(dtype=object)[sendable]
    sender = plan["sender"].to_numpy(dtype=object)[sendable]
    sender[pd.isna(sender)] = None
    phones = _phone_table(phone)
    order = _canonical_order(phones.keys, phone, sender, text)
    # coded in plan order, where the strings are read in memory order
    text_code, text_values = _renumbered(*factorize_objects(text), order)
    sender_code, sender_values = _sender_codes(sender, order)
    sorted_keys = phones.keys[order]
    phone_code = np.zeros(len(order), dtype=np.int64)
    np.cumsum(sorted_keys[1:] != sorted_keys[:-1], out=phone_code[1:])
    return _Rows(
        canonical=order,
        text_code=text_code,
        text_values=text_values,
        sender_code=sender_code,
        sender_values=sender_values,
        phone_code=phone_code,
        phone=phone,
        parts=plan["parts"].to_numpy(dtype=np.int64)[sendable],
        position=np.flatnonzero(sendable),
        phone_bytes=phones.urlencoded_bytes,
        phone_utf8=phones.utf8,
    )


def _renumbered(
    codes: np.ndarray, values: np.ndarray, order: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """*codes* taken in *order* and renumbered by first appearance there, with their values."""
    reordered, old_codes = pd.factorize(codes[order])
    return reordered, values[old_codes]


class _PhoneTable(NamedTuple):
    """The sendable rows' phones as arrays (see :func:`_phone_table`)."""

    keys: np.ndarray  # int64, equal for equal phones (see _canonical_order)
    urlencoded_bytes: np.ndarray  # each phone's bytes in a form body ("+" as %2B...)
    utf8: np.ndarray  # uint8 (rows, width): each phone's UTF-8 bytes, then _PAD (1 or more)


def _phone_table(phone: np.ndarray) -> _PhoneTable:
    """Each phone's integer key, its urlencoded size and its UTF-8 bytes.

    The keys are the integers the phones spell when ``int()`` reads every one (digit strings,
    but also ``"+7..."``), else the phones' ranks among the distinct phones (a hand-built plan).
    Strings of 1 to :data:`_KEY_DIGITS` ASCII digits (what :func:`~smsc_frames.plan.prepare`
    writes) are read with array operations (:func:`_digit_phones`); others one by one.

    Examples
    --------
    >>> table = _phone_table(np.array(["79031234567", "4930123456"], dtype=object))
    >>> table.keys.tolist(), table.urlencoded_bytes.tolist()
    ([79031234567, 4930123456], [11, 10])
    >>> [row.tobytes() for row in table.utf8]
    [b'79031234567\\xff', b'4930123456\\xff\\xff']
    >>> table = _phone_table(np.array(["+7903", "7903", "я"], dtype=object))
    >>> table.keys.tolist(), table.urlencoded_bytes.tolist()
    ([0, 1, 2], [7, 4, 6])
    >>> [row.tobytes() for row in table.utf8]
    [b'+7903\\xff', b'7903\\xff\\xff', b'\\xd1\\x8f\\xff\\xff\\xff\\xff']
    >>> _phone_table(np.array(["+7903", "7903"], dtype=object)).keys.tolist()
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
    return _PhoneTable(keys, length, _utf8_table(phone))


def _digit_phones(phones: list) -> _PhoneTable | None:
    """The :func:`_phone_table` of strings of 1 to :data:`_KEY_DIGITS` ASCII digits, read with
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
        table[:, -1] = _PAD
        return _PhoneTable(keys, np.full(len(phones), width - 1), table)
    length = np.diff(np.flatnonzero(data == ord(",")), prepend=-1) - 1
    if not 0 < length.min() <= length.max() <= _KEY_DIGITS:
        return None
    width = int(length.max()) + 1  # numpy copies each phone into a row, NULs after it
    table = np.array(phones, dtype=f"S{width}").view(np.uint8).reshape(len(phones), width)
    keys = _digit_keys(table[:, :-1], length)
    np.putmask(table, table == 0, _PAD)
    return _PhoneTable(keys, length, table)


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
    :data:`_PAD` after its end."""
    encoded = [str.encode(value, "utf-8") for value in phone.tolist()]
    length = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    width = int(length.max(initial=0)) + 1
    table = np.array(encoded, dtype=f"S{width}").view(np.uint8).reshape(len(encoded), width)
    table[np.arange(width) >= length[:, None]] = _PAD
    return table


def _canonical_order(
    keys: np.ndarray, phone: np.ndarray, sender: np.ndarray, text: np.ndarray
) -> np.ndarray:
    """An order of the rows that does not depend on the plan's order: by phone *keys* (from
    :func:`_phone_table`), then by phone, sender and text for a key with several rows.

    A contact list sorted another way (in Excel, say) thus packs into the very same requests,
    with the same ids and digests, so its journal resumes instead of being refused. E.164
    digit strings are keyed as integers (several times faster to sort and factorize than
    strings); two spellings of one number (``"+7..."``, ``"7..."``) may share a key, which
    only keeps them apart in packing, never together.

    Examples
    --------
    >>> phone = np.array(["79031234567", "79161234567", "79031234567"], dtype=object)
    >>> _canonical_order(_phone_table(phone).keys, phone, np.array([None, None, None]),
    ...                  np.array(["b", "a", "a"], dtype=object))
    array([2, 0, 1])
    """
    order = stable_argsort(keys)
    ranked = keys[order]
    tied = np.zeros(len(order), dtype=bool)
    same = ranked[1:] == ranked[:-1]
    tied[1:] |= same
    tied[:-1] |= same
    if tied.any():  # a phone with several rows (several texts): few rows, sorted in Python
        at = np.flatnonzero(tied)
        order[at] = sorted(
            order[at], key=lambda row: (keys[row], phone[row], sender[row] or "", text[row])
        )
    return order


def _cumcount(codes: np.ndarray) -> np.ndarray:
    """How many earlier positions hold the same code (0 for the first occurrence).

    Only codes that occur more than once are sorted; the rest are 0 at once.
    """
    counts = np.bincount(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    result = np.zeros(len(codes), dtype=np.int64)
    repeated = np.flatnonzero(counts[codes] > 1)
    if len(repeated):
        by_code = repeated[stable_argsort(codes[repeated])]
        sorted_codes = codes[by_code]
        steps = np.arange(len(by_code))
        run_start = np.ones(len(by_code), dtype=bool)
        run_start[1:] = sorted_codes[1:] != sorted_codes[:-1]
        result[by_code] = steps - np.maximum.accumulate(np.where(run_start, steps, 0))
    return result


@dataclasses.dataclass
class _Packing:
    """Rows in packing order with their line (segment) structure and byte costs."""

    phone: np.ndarray  # object: the sendable rows' phones in plan order, as _Rows.phone
    row: np.ndarray  # the row's index into phone
    phone_utf8: np.ndarray  # the row's phone's UTF-8 bytes, then _PAD
    phone_code: np.ndarray
    position: np.ndarray  # the row's position in the plan
    group: np.ndarray  # (sender, text) group per row
    layer: np.ndarray  # occurrence rank of the phone
    plain: np.ndarray  # bool: the row's text must go as phones+mes
    segment_first: np.ndarray  # bool: first row of a (group, layer) run
    parts: np.ndarray
    row_bytes: np.ndarray  # phone + one separator
    header_bytes: np.ndarray  # per row: its line's text (+ prefix, newline) as budgeted


def _order_rows(rows: _Rows, groups: pd.DataFrame, group: np.ndarray) -> _Packing:
    """Sort rows: list rows by (layer, group rank), then plain rows by group rank.

    Rows of equal rank keep their canonical order; a phone's n-th row (in rank order) is in
    layer n, so no phone meets itself within a layer.
    """
    sizes = np.bincount(group, minlength=len(groups))
    rank = np.empty(len(groups), dtype=np.int64)
    rank[stable_argsort(-sizes)] = np.arange(len(groups))
    by_rank = stable_argsort(rank[group])
    phone_code = rows.phone_code
    plain = groups["plain"].to_numpy()[group]
    layer = np.zeros(len(group), dtype=np.int64)
    layer[by_rank] = np.where(plain[by_rank], 0, _cumcount(phone_code[by_rank]))
    tier = np.where(plain, layer.max(initial=0) + 1, layer)[by_rank]  # plain after every layer
    later = np.flatnonzero(tier)  # usually few: a phone's rows after its first, plain rows
    order = np.concatenate([by_rank[tier == 0], by_rank[later[stable_argsort(tier[later])]]])
    group, layer, plain = group[order], layer[order], plain[order]
    final = rows.canonical[order]  # plan positions among the sendable rows
    first = np.ones(len(order), dtype=bool)
    first[1:] = (group[1:] != group[:-1]) | (layer[1:] != layer[:-1])
    return _Packing(
        phone=rows.phone,
        row=final,
        phone_utf8=np.take(rows.phone_utf8, final, axis=0),  # several times faster than [final]
        phone_code=phone_code[order],
        position=rows.position[final],
        group=group,
        layer=layer,
        plain=plain,
        segment_first=first,
        parts=rows.parts[final],
        row_bytes=rows.phone_bytes[final] + 3,
        header_bytes=groups["header_bytes"].to_numpy()[group],
    )


def _split_requests(
    packing: _Packing, capacity: int, max_recipients: int, needed_for_one: int
) -> np.ndarray:
    """Start positions of the requests (next-fit over rows, a group may continue)."""
    n = len(packing.row)
    weights = packing.row_bytes + np.where(packing.segment_first, packing.header_bytes, 0)
    cumulative = np.concatenate([[0], np.cumsum(weights)])
    hard = np.flatnonzero(packing.plain & packing.segment_first)
    hard = np.concatenate([hard, [n]])
    starts = []
    start = 0
    while start < n:
        continuing = 0 if packing.segment_first[start] else packing.header_bytes[start]
        limit = cumulative[start] + capacity - continuing
        end = int(np.searchsorted(cumulative, limit, side="right")) - 1
        end = min(end, start + max_recipients, int(hard[np.searchsorted(hard, start, "right")]))
        if end <= start:
            raise ValidationError(
                "max_bytes",
                f"is too small for one recipient of the longest message: needs at least "
                f"{needed_for_one + weights[start] + continuing} bytes",
                capacity + needed_for_one,
            )
        if packing.layer[start] != packing.layer[end - 1]:
            repeated = pd.Series(packing.phone_code[start:end]).duplicated().to_numpy()
            if repeated.any():
                end = start + int(repeated.argmax())
        starts.append(start)
        start = end
    return np.asarray(starts, dtype=np.int64)


@dataclasses.dataclass
class _Texts:
    """Per distinct text, aligned arrays (see :func:`_distinct_texts`)."""

    raw: np.ndarray  # object: the text
    wire: np.ndarray  # object: its list= form
    plain: np.ndarray  # bool: it must go as phones+mes
    wire_bytes: np.ndarray  # urlencoded bytes of wire
    mes_bytes: np.ndarray  # urlencoded bytes of raw


def _distinct_texts(values: np.ndarray) -> _Texts:
    """Per distinct text: the ``raw`` text, its ``list=`` form ``wire`` (newline -> ``\\n``),
    whether it must go ``plain`` (phones+mes) and the urlencoded bytes of both forms.

    One pass over the texts' UTF-8 bytes (:func:`~smsc_frames.formencoding.utf8_chunks`) gives
    the bytes; newlines, carriage returns and backslash-n are looked for only in chunks holding
    a newline, a carriage return or a backslash.
    """
    mes_bytes = np.zeros(len(values), dtype=np.int64)
    newlines = np.zeros(len(values), dtype=np.int64)
    plain = np.zeros(len(values), dtype=bool)
    for rows, encoded, byte_lengths in utf8_chunks(list(values)):
        mes_bytes[rows] = chunk_urlencoded_lengths(encoded, byte_lengths)
        if b"\n" in encoded or b"\r" in encoded or b"\\" in encoded:
            data = np.frombuffer(encoded, dtype=np.uint8)
            starts = np.cumsum(byte_lengths + 1) - byte_lengths - 1
            newlines[rows] = np.add.reduceat(data == ord("\n"), starts, dtype=np.int64)
            unsafe = data == ord("\r")
            unsafe[1:] |= (data[1:] == ord("n")) & (data[:-1] == ord("\\"))
            plain[rows] = np.add.reduceat(unsafe, starts, dtype=np.int64) > 0
    multiline = (newlines > 0) & ~plain
    wire = values
    if multiline.any():
        wire = values.copy()
        wire[multiline] = [text.replace("\n", "\\n") for text in values[multiline]]
    wire_bytes = mes_bytes + np.where(multiline, newlines, 0)  # %0A -> %5Cn
    return _Texts(raw=values, wire=wire, plain=plain, wire_bytes=wire_bytes, mes_bytes=mes_bytes)


def _distinct_senders(values: np.ndarray) -> pd.DataFrame:
    """Per distinct sender: its ``name`` (``None`` = account default) and urlencoded bytes."""
    name = pd.Series(values, dtype=object)
    name = name.where(name.notna(), None)
    named = name.notna().to_numpy()
    size = np.zeros(len(name), dtype=np.int64)
    if named.any():
        size[named] = urlencoded_length(name[named].astype(str))
    return pd.DataFrame({"name": name, "named": named, "bytes": size})


def _sender_codes(senders: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes in *order*, numbered by first appearance there, and the distinct senders, ``None``
    (the default sender) coded like any other."""
    if pd.isna(senders).all():  # the common case: one default sender
        return np.zeros(len(senders), dtype=np.int64), np.array([None], dtype=object)
    codes, values = pd.factorize(senders, use_na_sentinel=False)
    return _renumbered(codes, np.asarray(values, dtype=object), order)


def _group_table(rows: _Rows) -> tuple[pd.DataFrame, np.ndarray, _Texts, pd.DataFrame]:
    """Distinct (sender, text) groups, each row's group, the distinct texts and senders.

    ``groups`` has per group the codes of its ``text`` and ``sender``, whether the text must go
    ``plain`` (phones+mes) and the ``header_bytes`` its line is budgeted. The pairs of codes
    are factorized only when there are several senders.
    """
    text_code, sender_code = rows.text_code, rows.sender_code
    texts = _distinct_texts(rows.text_values)
    senders = _distinct_senders(rows.sender_values)
    if len(senders) == 1:  # the groups are the texts, already in order of appearance
        group = text_code
        group_text = np.arange(len(texts.raw))
        group_sender = np.zeros(len(texts.raw), dtype=np.int64)
    else:
        group, pairs = pd.factorize(text_code.astype(np.int64) * len(senders) + sender_code)
        group_text, group_sender = np.divmod(np.asarray(pairs, dtype=np.int64), len(senders))
    prefix_bytes = np.where(senders["named"], senders["bytes"] + 3, 0)
    groups = pd.DataFrame(
        {
            "text": group_text,
            "sender": group_sender,
            "plain": texts.plain[group_text],
            "header_bytes": texts.wire_bytes[group_text] + prefix_bytes[group_sender] + 3,
        }
    )
    return groups, group, texts, senders


def _fixed_params(options: Options, id_length: int) -> dict[str, str]:
    return {"id": "x" * id_length, **options.to_params()}


def _params_hash(params: dict[str, str]) -> hashlib._Hash:
    """SHA-256 of *params* in a canonical form: by name, each value's UTF-8 length-prefixed
    (``name=length:value``), so no two different dicts hash the same bytes."""
    content = hashlib.sha256()
    for name in sorted(params):
        value = params[name].encode("utf-8")
        content.update(b"%s=%d:" % (name.encode("utf-8"), len(value)))
        content.update(value)
    return content


def _default_campaign_id(contents: list[str]) -> str:
    combined = hashlib.sha256()
    for content in contents:
        combined.update(content.encode("ascii"))
    return combined.hexdigest()[:_DEFAULT_ID_LENGTH]


def _check_campaign_id(campaign_id: object, requests: int) -> str:
    if not isinstance(campaign_id, str) or not _ID_CHARS.fullmatch(campaign_id):
        raise ValidationError("campaign_id", "must be a string of A-Z a-z 0-9 . _ -", campaign_id)
    longest = f"{campaign_id}-{requests}"
    if len(longest) > 40:
        raise ValidationError(
            "campaign_id",
            f"is too long: ids like {longest!r} must stay within 40 characters",
            campaign_id,
        )
    return campaign_id


def payloads(
    plan: pd.DataFrame,
    options: Options | None = None,
    *,
    campaign_id: str | None = None,
    max_recipients: int = 1000,
    max_bytes: int = 262144,
) -> list[Payload]:
    """Pack the plan's sendable rows into the fewest ``send.php`` requests.

    Parameters
    ----------
    plan : pandas.DataFrame
        From :func:`smsc_frames.plan.prepare` (columns ``phone``, ``text``, ``sender``,
        ``parts``, ``sendable``); only sendable rows are packed.
    options : Options, optional
        The campaign's parameters, added to every request; default ``plan.attrs["options"]``.
    campaign_id : str, optional
        Prefix of the request ids ``"{campaign_id}-{n}"``; default a 12-hex-digit hash of the
        requests' contents (so of the sendable rows, the options and the limits, but not of
        the rows' order): the same plan, however sorted, always gets the same ids.
    max_recipients : int
        Recipients per request at most.
    max_bytes : int
        Form body per request at most, :data:`CLIENT_PARAMS_MARGIN` of it kept for the client.

    Returns
    -------
    list of Payload
        In sending order (biggest groups first).

    Raises
    ------
    ValidationError
        For bad limits, a bad ``campaign_id``, ``options`` carrying a sender, or a message
        too long to fit ``max_bytes`` with one recipient.

    Examples
    --------
    >>> plan = pd.DataFrame({"phone": ["79161234567", "79161234567", "79031234567"],
    ...                      "text": ["Hello", "Bye", "Hello"], "sender": ["Shop", "Shop", "Bar"],
    ...                      "parts": [1, 1, 1], "sendable": [True, True, True]})
    >>> for request in payloads(plan, Options(), campaign_id="c1"):
    ...     print(request.id, request.params)
    c1-1 {'id': 'c1-1', 'list': 'Bar|79031234567:Hello\\nShop|79161234567:Bye'}
    c1-2 {'id': 'c1-2', 'sender': 'Shop', 'phones': '79161234567', 'mes': 'Hello'}
    """
    _check_limits(max_recipients, max_bytes)
    rows = _sendable_rows(plan)
    options = _campaign_options(plan, options)
    if len(rows.phone) == 0:
        return []
    groups, group, texts, senders = _group_table(rows)
    packing = _order_rows(rows, groups, group)

    id_length = (len(campaign_id) if isinstance(campaign_id, str) else _DEFAULT_ID_LENGTH) + 1
    id_length += len(str(len(rows.phone)))
    fixed = len(urllib.parse.urlencode({**_fixed_params(options, id_length), "list": ""}))
    overhead = fixed + _FORM_RESERVE + CLIENT_PARAMS_MARGIN
    starts = _split_requests(packing, max_bytes - overhead, max_recipients, overhead)
    built = _build_requests(packing, starts, groups, texts, senders)

    option_params = options.to_params()
    contents = [  # the params without the id; the digest adds the id below
        _params_hash({**option_params, **params}) for params, *_ in built
    ]
    if campaign_id is None:
        campaign_id = _default_campaign_id([h.hexdigest() for h in contents])
    campaign_id = _check_campaign_id(campaign_id, len(built))
    positions = packing.position
    positions.flags.writeable = False
    result = []
    for number, ((line_params, recipients, messages, line_bytes), content, start) in enumerate(
        zip(built, contents, starts), start=1
    ):
        request_id = validate_message_id(f"{campaign_id}-{number}")
        small = {"id": request_id, **option_params}
        params = {**small, **line_params}
        body_bytes = line_bytes + len(urllib.parse.urlencode(small)) + 1
        digest = content.copy()
        digest.update(b"\x00id\x00" + request_id.encode("ascii"))
        result.append(
            Payload(
                request_id,
                params,
                recipients,
                messages,
                body_bytes,
                digest.hexdigest(),
                positions[start : start + len(recipients)],
            )
        )
    return result


def _build_requests(
    packing: _Packing,
    starts: np.ndarray,
    groups: pd.DataFrame,
    texts: _Texts,
    senders: pd.DataFrame,
) -> list[tuple[dict[str, str], tuple[str, ...], int, int]]:
    """Render each request: its line params (without id/options), recipients, parts, bytes.

    The byte count covers the line params only, joined to the rest by one ``&``.
    """
    n = len(packing.row)
    ends = np.append(starts[1:], n)
    request = np.repeat(np.arange(len(starts)), ends - starts)
    piece_first = packing.segment_first.copy()
    piece_first[starts] = True
    piece_last = np.append(piece_first[1:], True)

    sender_code = groups["sender"].to_numpy()[packing.group]
    uniform = np.minimum.reduceat(sender_code, starts) == np.maximum.reduceat(sender_code, starts)
    text_code = groups["text"].to_numpy()[packing.group]
    named = senders["named"].to_numpy()
    sender_bytes = senders["bytes"].to_numpy()
    sender_name = senders["name"].to_numpy(dtype=object)
    prefixed = piece_first & ~uniform[request] & named[sender_code]

    table = _line_table(packing.phone_utf8, starts, piece_first, piece_last, prefixed)
    piece_text = texts.wire[text_code[piece_last]]
    first_piece = np.append(0, np.cumsum(piece_last)[ends - 1])
    # "sender|" before each prefixed line's head (with the newline the head lacks), by line
    prefix_at = np.flatnonzero(prefixed)
    line_of_prefix = np.cumsum(piece_first)[prefix_at] - 1 - first_piece[request[prefix_at]]
    prefix = (
        np.where(line_of_prefix > 0, "\n", "").astype(object)
        + sender_name[sender_code[prefix_at]]
        + "|"
    )
    prefix_bounds = np.searchsorted(prefix_at, starts).tolist() + [len(prefix_at)]
    line_of_prefix, prefix = line_of_prefix.tolist(), prefix.tolist()
    first_piece = first_piece.tolist()

    list_bytes = (
        packing.row_bytes
        + np.where(piece_last, texts.wire_bytes[text_code] + 3, 0)
        + np.where(prefixed, sender_bytes[sender_code] + 3, 0)
    )
    per_request_list_bytes = np.add.reduceat(list_bytes, starts) - 3  # no final newline
    messages = np.add.reduceat(packing.parts, starts)

    built = []
    for k, (start, end) in enumerate(zip(starts, ends)):
        lines = _line_heads(table, start, end)
        recipients = _recipients(table, packing, start, end)
        sender = sender_name[sender_code[start]] if uniform[k] else None
        line_params: dict[str, str] = {} if sender is None else {"sender": sender}
        if len(lines) == 1:
            line_params["phones"] = lines[0][:-1]  # without the ":" that ends a line's phones
            line_params["mes"] = texts.raw[text_code[start]]
            line_bytes = (
                len("phones=")
                + int(packing.row_bytes[start:end].sum())
                - 3
                + len("&mes=")
                + int(texts.mes_bytes[text_code[start]])
            )
        else:
            low, high = prefix_bounds[k], prefix_bounds[k + 1]
            for line, text in zip(line_of_prefix[low:high], prefix[low:high]):
                lines[line] = text + lines[line]
            tokens = [None] * (2 * len(lines))
            tokens[::2] = lines
            tokens[1::2] = piece_text[first_piece[k] : first_piece[k + 1]].tolist()
            line_params["list"] = "".join(tokens)
            line_bytes = len("list=") + int(per_request_list_bytes[k])
        if sender is not None:
            line_bytes += len("&sender=") + int(sender_bytes[sender_code[start]])
        built.append((line_params, recipients, int(messages[k]), line_bytes))
    return built


def _line_table(
    phone_utf8: np.ndarray,
    starts: np.ndarray,
    piece_first: np.ndarray,
    piece_last: np.ndarray,
    prefixed: np.ndarray,
) -> np.ndarray:
    """The ``list=`` lines up to their texts, as bytes: a row of a uint8 matrix per row.

    :data:`_CUT` (to split the lines apart at once) and a newline before a line's first phone,
    but on a request's first line (and no newline on a *prefixed* one: its prefix brings it),
    the phone, then ``,`` or, ending a line, ``:``; :data:`_PAD` where nothing goes.
    """
    rows, width = phone_utf8.shape
    table = np.full((rows, width + 3), _PAD, dtype=np.uint8)
    table[:, 2:-1] = phone_utf8
    table[:, -1] = np.where(piece_last, ord(":"), ord(","))
    line_start = piece_first.copy()
    line_start[starts] = False
    table[line_start, 0] = _CUT
    table[line_start & ~prefixed, 1] = ord("\n")
    return table


def _line_heads(table: np.ndarray, start: int, end: int) -> list[str]:
    """The ``list=`` lines of rows *start* to *end* up to their texts, ``[\\n]phone,...:``, from
    their bytes in a :func:`_line_table`: :data:`_PAD` deleted, one decode, one split at the
    cuts (no Python step per line or per phone)."""
    text = table[start:end].tobytes().translate(None, _PAD_BYTE)
    return text.decode("utf-8", "surrogateescape").split(_CUT_CHAR)


def _recipients(table: np.ndarray, packing: _Packing, start: int, end: int) -> tuple[str, ...]:
    """The phones of rows *start* to *end*, read back from their bytes in a :func:`_line_table`:
    one decode and one split at the commas (``:`` made one, :data:`_PAD` deleted), or, if a
    phone holds a comma or a colon, the plan's phones.

    New strings, next to each other in memory, are much faster for the garbage collector,
    which visits every string a tuple holds, than the plan's, scattered over its rows.
    """
    text = table[start:end, 2:].tobytes().translate(_COLON_TO_COMMA, _PAD_BYTE)
    phones = text.decode("utf-8").split(",")
    if len(phones) == end - start + 1:  # no comma or colon in a phone
        return tuple(phones[:-1])
    return tuple(packing.phone[packing.row[start:end]].tolist())


def decode_params(params: dict[str, str]) -> pd.DataFrame:
    """The messages one request carries, as SMSC reads its ``phones``/``mes`` or ``list``.

    The inverse of the codec: ``list`` lines split at the first ``:`` (a ``sender|`` prefix
    before it), phones at ``,``, and ``\\n`` in a text turned back into a newline.

    Parameters
    ----------
    params : dict
        A :attr:`Payload.params`.

    Returns
    -------
    pandas.DataFrame
        Columns ``phone``, ``text``, ``sender`` (``None`` when not set), one row per message.

    Examples
    --------
    >>> decode_params({"list": "Shop|7901,7902:a:b\\n7903:c\\\\nd", "sender": "X"})
      phone  text sender
    0  7901   a:b   Shop
    1  7902   a:b   Shop
    2  7903  c\\nd      X
    """
    default_sender = params.get("sender")
    if "list" in params:
        lines = pd.Series(params["list"].split("\n"), dtype=object)
        parts = lines.str.extract(_LIST_LINE)
        texts = parts["text"].str.replace("\\n", "\n", regex=False)
        senders = parts["sender"].astype(object)
        senders = senders.where(senders.notna(), default_sender)
        frame = pd.DataFrame(
            {"phone": parts["phones"].str.split(","), "text": texts, "sender": senders}
        )
    else:
        frame = pd.DataFrame(
            {
                "phone": [params["phones"].split(",")],
                "text": [params["mes"]],
                "sender": [default_sender],
            }
        )
    frame = frame.explode("phone", ignore_index=True)
    return frame.astype(object).where(frame.notna(), None)


def recipient_rows(plan: pd.DataFrame, payloads: Sequence[Payload]) -> pd.DataFrame:
    """Which request carries each sendable plan row.

    A payload's :attr:`Payload.rows` says it directly when they are sendable rows of *plan*
    holding its recipients; a payload without them (built by hand, or for another plan) is
    decoded and matched on (phone, text, sender).

    Parameters
    ----------
    plan : pandas.DataFrame
        The plan the payloads were built from.
    payloads : sequence of Payload

    Returns
    -------
    pandas.DataFrame
        On the plan's index, columns ``payload_id`` and ``phone``; rows that are not
        sendable (or that no payload carries) have ``payload_id`` ``None``.

    Examples
    --------
    >>> plan = pd.DataFrame({"phone": ["79161234567", "79031234567"], "text": ["Hi", "Hi"],
    ...                      "sender": [None, None], "parts": [1, 1], "sendable": [True, False]},
    ...                     index=["a", "b"])
    >>> recipient_rows(plan, payloads(plan, Options(), campaign_id="c"))
      payload_id        phone
    a        c-1  79161234567
    b       None  79031234567
    """
    sendable = plan["sendable"].to_numpy(dtype=bool)
    phones = plan["phone"].to_numpy(dtype=object)
    payload_id = np.full(len(plan), None, dtype=object)
    decode = []
    for payload in payloads:
        if _rows_match(payload, sendable, phones):
            payload_id[payload.rows] = payload.id
        else:
            decode.append(payload)
    if decode:
        _match_decoded(plan, decode, payload_id)
    return pd.DataFrame(
        {
            "payload_id": pd.Series(payload_id, index=plan.index, dtype=object),
            "phone": plan["phone"],
        }
    )


def _rows_match(payload: Payload, sendable: np.ndarray, phones: np.ndarray) -> bool:
    """Whether ``payload.rows`` names sendable plan rows holding its recipients, in order."""
    rows = payload.rows
    return (
        0 < len(rows) == len(payload.recipients)
        and 0 <= rows.min()
        and rows.max() < len(phones)
        and bool(sendable[rows].all())
        and bool((phones[rows] == np.asarray(payload.recipients, dtype=object)).all())
    )


def _match_decoded(plan: pd.DataFrame, payloads: list[Payload], payload_id: np.ndarray) -> None:
    """Fill *payload_id* for the sendable rows these payloads carry, found by decoding their
    params and matching (phone, text, sender): for payloads built without ``rows``."""
    carried = pd.concat(
        [decode_params(p.params).assign(payload_id=p.id) for p in payloads], ignore_index=True
    )
    rows = _sendable_rows(plan)
    keys = ["phone", "text", "sender"]
    sendable = pd.DataFrame(
        {
            "phone": rows.phone[rows.canonical],
            "text": rows.text_values[rows.text_code],
            "sender": rows.sender_values[rows.sender_code],
            "position": rows.position[rows.canonical],
        }
    )
    for frame in (sendable, carried):
        frame["sender"] = frame["sender"].astype(object).where(frame["sender"].notna(), "\x00")
    matched = sendable.merge(
        carried[keys + ["payload_id"]], on=keys, how="left", validate="one_to_one"
    )
    found = matched["payload_id"].notna().to_numpy()
    payload_id[matched["position"].to_numpy()[found]] = matched["payload_id"].to_numpy()[found]
