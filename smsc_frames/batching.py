"""Batching: which sendable rows go in which ``send.php`` request, within which budgets, and
the requests' ids.

Rows are put in a canonical order (by phone, then sender and text), so the same plan, however
sorted, packs the same. Rows sharing a ``(sender, text)`` form a group (one ``list=`` line);
groups, biggest first, fill each request up to ``max_recipients`` and the byte capacity, a
group that does not fit continuing in the next request. A phone's second row (another text)
goes to a later "layer", so no request holds a phone twice. How the requests are then written
is :mod:`smsc_frames.wireformat`'s job.

Examples
--------
>>> plan = pd.DataFrame({"phone": ["79161234567", "79031234567"], "text": ["Hi", "Hi"],
...                      "sender": [None, None], "parts": [1, 1], "sendable": [True, True]})
>>> rows = sendable_rows(plan)
>>> rows.phone[rows.canonical].tolist()  # by phone, whatever the plan's order
['79031234567', '79161234567']
>>> check_campaign_id("spring", requests=12)
'spring'
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from smsc_frames.errors import ValidationError
from smsc_frames.objectcodes import factorize_objects, first_positions, is_none
from smsc_frames.phonetable import phone_table
from smsc_frames.sorting import stable_argsort

if TYPE_CHECKING:
    from smsc_frames.wireformat import Texts

__all__ = [
    "DEFAULT_ID_LENGTH",
    "FORM_RESERVE",
    "Groups",
    "Packing",
    "Rows",
    "check_campaign_id",
    "default_campaign_id",
    "first_appearance_codes",
    "group_table",
    "order_rows",
    "sendable_rows",
    "split_requests",
]

FORM_RESERVE = 16
"""Packing budgets every line as ``sender|phones:text`` plus a newline; the final form
(``phones``+``mes``, or one ``sender=`` instead of prefixes) can cost up to 9 bytes more."""

_RELEASED = np.zeros(0, dtype=np.int64)
"""Put in place of a :class:`Rows` array once :func:`order_rows` has reordered it."""
_ID_CHARS = re.compile(r"[A-Za-z0-9._-]+")
DEFAULT_ID_LENGTH = 12


@dataclasses.dataclass
class Rows:
    """The plan's sendable rows, as plain arrays.

    ``canonical`` orders them (see :func:`canonical_order`); the codes are in that order,
    the rest in plan order, so a row's strings are moved once, to their final place. Texts
    and senders come as codes into their distinct values: the texts numbered in plan order
    of first appearance (where they lie in memory, for the passes over their characters),
    the senders in canonical order; a ``None`` sender is the account's default.
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


def sendable_rows(plan: pd.DataFrame) -> Rows:
    missing = [c for c in ("phone", "text", "sender", "parts", "sendable") if c not in plan]
    if missing:
        raise ValidationError(
            "plan", f"lacks column(s) {', '.join(missing)}; build it with prepare()", missing
        )
    sendable = plan["sendable"].to_numpy(dtype=bool)
    phone = plan["phone"].to_numpy(dtype=object)[sendable]
    text = plan["text"].to_numpy(dtype=object)[sendable]
    sender = plan["sender"].to_numpy(dtype=object)[sendable]
    default_sender = bool(is_none(sender).all())  # the common case, told without pd.isna
    if not default_sender:
        sender[pd.isna(sender)] = None
    phones = phone_table(phone)
    order = canonical_order(phones.keys, phone, sender, text)
    # coded in plan order, where the strings are read in memory order
    text_codes, text_values = factorize_objects(text)
    text_code = text_codes[order]
    del text, text_codes
    sender_code, sender_values = _sender_codes(sender, order, default_sender)
    sorted_keys = phones.keys[order]
    phone_code = np.zeros(len(order), dtype=np.int64)
    np.cumsum(sorted_keys[1:] != sorted_keys[:-1], out=phone_code[1:])
    return Rows(
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
    new_codes, old_codes = first_appearance_codes(codes[order], len(values))
    return new_codes, values[old_codes]


def first_appearance_codes(codes: np.ndarray, distinct: int) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(codes)``: *codes* renumbered by first appearance, and the old code of
    each new one.

    Codes ``0..distinct-1`` that all occur (as factorizing gives them) are renumbered with
    array operations: where each first occurs, ranked by a running count of first
    occurrences (no hash table, no sort); other codes go through ``pd.factorize``.

    Examples
    --------
    >>> new_codes, old_codes = first_appearance_codes(np.array([2, 0, 0, 1]), 3)
    >>> new_codes.tolist(), old_codes.tolist()
    ([0, 1, 1, 2], [2, 0, 1])
    """
    first = first_positions(codes, distinct) if len(codes) else codes
    if len(codes) == 0 or codes.min() < 0 or first.max() >= len(codes):
        new_codes, old_codes = pd.factorize(codes)  # a code missing or out of range
        return new_codes, np.asarray(old_codes, dtype=np.int64)
    starts = np.zeros(len(codes), dtype=bool)
    starts[first] = True
    new_code = (np.cumsum(starts) - 1)[first]  # per old code
    old_codes = np.empty(distinct, dtype=np.int64)
    old_codes[new_code] = np.arange(distinct)
    return new_code[codes], old_codes


def canonical_order(
    keys: np.ndarray, phone: np.ndarray, sender: np.ndarray, text: np.ndarray
) -> np.ndarray:
    """An order of the rows that does not depend on the plan's order: by phone *keys* (from
    :func:`~smsc_frames.phonetable.phone_table`), then by phone, sender and text for a key
    with several rows.

    A contact list sorted another way (in Excel, say) thus packs into the very same requests,
    with the same ids and digests, so its journal resumes instead of being refused. E.164
    digit strings are keyed as integers (several times faster to sort and factorize than
    strings); two spellings of one number (``"+7..."``, ``"7..."``) may share a key, which
    only keeps them apart in packing, never together.

    Examples
    --------
    >>> phone = np.array(["79031234567", "79161234567", "79031234567"], dtype=object)
    >>> canonical_order(phone_table(phone).keys, phone, np.array([None, None, None]),
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


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """:func:`~smsc_frames.sorting.stable_argsort` of *keys*, told without sorting when they
    are in order already (one text for every row, say)."""
    if (keys[1:] >= keys[:-1]).all():
        return np.arange(len(keys))
    return stable_argsort(keys)


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
class Packing:
    """Rows in packing order with their line (segment) structure and byte costs."""

    phone: np.ndarray  # object: the sendable rows' phones in plan order, as Rows.phone
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

    def release_split_arrays(self) -> None:
        """Drop the arrays only :func:`split_requests` reads, once the requests are split:
        the requests are then written with ~25 MB per 1M rows less held."""
        self.phone_code = self.layer = self.plain = self.header_bytes = _RELEASED


def order_rows(rows: Rows, groups: Groups, group: np.ndarray) -> Packing:
    """Sort rows: list rows by (layer, group rank), then plain rows by group rank.

    Rows of equal rank keep their canonical order; a phone's n-th row (in rank order) is in
    layer n, so no phone meets itself within a layer.
    """
    sizes = np.bincount(group, minlength=len(groups))
    rank = np.empty(len(groups), dtype=np.int64)
    rank[stable_argsort(-sizes)] = np.arange(len(groups))
    by_rank = _stable_order(rank[group])
    phone_code = rows.phone_code
    group_plain = groups.plain
    repeated_phone = len(phone_code) > 0 and phone_code[-1] < len(phone_code) - 1
    if repeated_phone or group_plain.any():
        plain = group_plain[group]
        layer = np.zeros(len(group), dtype=np.int64)
        layer[by_rank] = np.where(plain[by_rank], 0, _cumcount(phone_code[by_rank]))
        tier = np.where(plain, layer.max(initial=0) + 1, layer)[by_rank]  # plain after all
        later = np.flatnonzero(tier)  # usually few: a phone's rows after its first, plain rows
        order = np.concatenate([by_rank[tier == 0], by_rank[later[stable_argsort(tier[later])]]])
        group, layer, plain = group[order], layer[order], plain[order]
        phone_code = phone_code[order]
    else:  # every phone once, every text in list= lines: one layer, in rank order
        order = by_rank
        group = group[order]
        layer = np.zeros(len(group), dtype=np.int64)
        plain = np.zeros(len(group), dtype=bool)
        phone_code = phone_code[order]
    rows.phone_code = rows.text_code = rows.sender_code = _RELEASED
    final = rows.canonical[order]  # plan positions among the sendable rows
    del order
    first = np.ones(len(final), dtype=bool)
    first[1:] = (group[1:] != group[:-1]) | (layer[1:] != layer[:-1])
    phone_utf8 = np.take(rows.phone_utf8, final, axis=0)  # several times faster than [final]
    rows.phone_utf8 = _RELEASED
    position = rows.position[final]
    rows.position = _RELEASED
    parts = rows.parts[final]
    rows.parts = _RELEASED
    row_bytes = rows.phone_bytes[final] + 3
    rows.phone_bytes = _RELEASED
    return Packing(
        phone=rows.phone,
        row=final,
        phone_utf8=phone_utf8,
        phone_code=phone_code,
        position=position,
        group=group,
        layer=layer,
        plain=plain,
        segment_first=first,
        parts=parts,
        row_bytes=row_bytes,
        header_bytes=groups.header_bytes[group],
    )


def split_requests(
    packing: Packing, capacity: int, max_recipients: int, needed_for_one: int
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


def _sender_codes(
    senders: np.ndarray, order: np.ndarray, default_only: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Codes in *order*, numbered by first appearance there, and the distinct senders, ``None``
    (the default sender) coded like any other; *default_only*: every sender is ``None``."""
    if default_only:  # the common case: one default sender
        return np.zeros(len(senders), dtype=np.int64), np.array([None], dtype=object)
    codes, values = pd.factorize(senders, use_na_sentinel=False)
    return _renumbered(codes, np.asarray(values, dtype=object), order)


@dataclasses.dataclass(frozen=True)
class Groups:
    """Per (sender, text) group, aligned arrays (see :func:`group_table`)."""

    text: np.ndarray  # the code of its text
    sender: np.ndarray  # the code of its sender
    plain: np.ndarray  # bool: its text must go as phones+mes
    header_bytes: np.ndarray  # what its line is budgeted besides the phones

    def __len__(self) -> int:
        return len(self.text)


def group_table(rows: Rows, texts: Texts, senders: pd.DataFrame) -> tuple[Groups, np.ndarray]:
    """Distinct (sender, text) groups and each row's group, from the wire sizes of the distinct
    *texts* and *senders* (:func:`~smsc_frames.wireformat.distinct_texts`, ``distinct_senders``).

    The :class:`Groups` have the codes of their ``text`` and ``sender``, whether the text must
    go ``plain`` (phones+mes) and the ``header_bytes`` its line is budgeted. The pairs of codes
    are factorized only when there are several senders.
    """
    text_code, sender_code = rows.text_code, rows.sender_code
    if len(senders) == 1:  # the groups are the texts, numbered in order of appearance
        group, group_text = first_appearance_codes(text_code, len(texts.raw))
        group_sender = np.broadcast_to(np.int64(0), group_text.shape)  # no memory
    else:
        group, pairs = pd.factorize(text_code.astype(np.int64) * len(senders) + sender_code)
        group_text, group_sender = np.divmod(np.asarray(pairs, dtype=np.int64), len(senders))
    prefix_bytes = np.where(senders["named"], senders["bytes"] + 3, 0)
    header_bytes = texts.wire_bytes[group_text] + prefix_bytes[group_sender] + 3
    return Groups(group_text, group_sender, texts.plain[group_text], header_bytes), group


def default_campaign_id(contents: list[str]) -> str:
    combined = hashlib.sha256()
    for content in contents:
        combined.update(content.encode("ascii"))
    return combined.hexdigest()[:DEFAULT_ID_LENGTH]


def check_campaign_id(campaign_id: object, requests: int) -> str:
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
