"""How the sandbox keeps stored messages: one columnar batch per accepted ``send.php`` request.

A :class:`MessageBatch` holds its messages in numpy columns, ~25 bytes a message, rather than
a Python object (or tuple slot, string and dict entry) per message, which took ~10 times more:
20,000,000 stored messages fit in ~0.5 GB. Numbers are kept as integers (E.164 digits); the
rare key that is not one (a wrong-format token as written, an e-mail, a Telegram ``@nick``)
is kept as written beside them. Costs and routes are coded against the batch's few distinct
values. Each batch has its phones' sort order, so a phone is found by bisection.

Examples
--------
>>> from decimal import Decimal
>>> from smsc_frames.sandbox.pricing import MAIL_ROUTE
>>> batch = MessageBatch(
...     sms_id="7", login="demo", kind=0, sent_at=100.0, phones=("79161234567", "7916x"),
...     lines=(0, 0), costs=(Decimal("5.30"), Decimal(0)), routes=(MAIL_ROUTE, MAIL_ROUTE),
...     fixed_statuses=(None, 22), final_statuses=(1, 1), final_errors=(0, 249),
...     texts=("Hi",), senders=(None,), parts=(1,), operator_at=(101.0,), final_at=(102.0,))
>>> batch.phone(1), batch.position("79161234567"), batch.position("79160000000")
('7916x', 0, None)
>>> batch.message(0).status_at(101.5)
(0, 0, 101.0)
>>> batch.stored_numbers().tolist()
[79161234567]
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

import numpy as np

from smsc_frames.sandbox.pricing import Route

#: ``fixed_statuses`` code of a message that moves (no fixed status)
MOVING = -1
#: number code of a key kept as written (not E.164 digits): ``-1 - its index in odd_keys``
_LONGEST_NUMBER = 18  # digits that still fit an int64
T = TypeVar("T", bound=Hashable)


@dataclass(slots=True)
class StoredMessage:
    """One stored message to one phone, with its delivery timeline.

    :meth:`MessageBatch.message` builds it. ``fixed_status`` is set for messages refused at
    send time (status 20, 22 or 23): they never move. A wrong-format number (22) keeps the
    token as written in ``phone``. Others show -1 until ``operator_at``, 0 until ``final_at``,
    then ``final_status``.
    """

    sms_id: str
    phone: str
    text: str
    sender: str | None
    parts: int
    cost: Decimal
    route: Route
    login: str
    kind: int
    sent_at: float
    operator_at: float
    final_at: float
    final_status: int
    final_error: int
    fixed_status: int | None = None
    files: tuple[int, ...] = ()

    def status_at(self, now: float) -> tuple[int, int, float]:
        """``(status, err, time of the last change)`` at unix time *now*."""
        if self.fixed_status is not None:
            return self.fixed_status, self.final_error, self.sent_at
        if now < self.operator_at:
            return -1, 0, self.sent_at
        if now < self.final_at:
            return 0, 0, self.operator_at
        return self.final_status, self.final_error, self.final_at

    def as_dict(self, now: float) -> dict[str, object]:
        """The public record of :meth:`Sandbox.messages`."""
        status, error, _ = self.status_at(now)
        return {
            "id": self.sms_id,
            "phone": self.phone,
            "text": self.text,
            "sender": self.sender,
            "parts": self.parts,
            "cost": self.cost,
            "mccmnc": self.route.mccmnc,
            "status": status,
            "error": error,
            "login": self.login,
            "sent_at": datetime.fromtimestamp(self.sent_at, UTC),
            "files": self.files,
        }


class MessageBatch:
    """The messages one accepted ``send.php`` request stored, in numpy columns.

    Built from one sequence per attribute. Per message, in request order: ``phones`` (E.164
    digits, or the key as written for a wrong-format number), ``lines`` (index into the
    per-line values), ``costs``, ``routes``, ``fixed_statuses`` (None: the message moves),
    ``final_statuses``, ``final_errors``. Per line of the request: ``texts``, ``senders``,
    ``parts``, ``operator_at``, ``final_at``. ``files``: sizes in bytes of the files the
    request attached (their contents are not kept). ``delays``: per message, seconds its
    sending waits after its line is due (``period``/``freq`` spreading); empty: none waits.
    """

    __slots__ = (
        "sms_id", "login", "kind", "sent_at", "numbers", "odd_keys", "order", "lines",
        "cost_values", "cost_codes", "route_values", "route_codes", "fixed_statuses",
        "final_statuses", "final_errors", "texts", "senders", "parts", "operator_at",
        "final_at", "files", "delays", "deleted", "first_int_id",
    )  # fmt: skip

    def __init__(
        self,
        *,
        sms_id: str,
        login: str,
        kind: int,
        sent_at: float,
        phones: Sequence[str],
        lines: Sequence[int],
        costs: Sequence[Decimal],
        routes: Sequence[Route],
        fixed_statuses: Sequence[int | None],
        final_statuses: Sequence[int],
        final_errors: Sequence[int],
        texts: Sequence[str],
        senders: Sequence[str | None],
        parts: Sequence[int],
        operator_at: Sequence[float],
        final_at: Sequence[float],
        files: tuple[int, ...] = (),
        delays: Sequence[float] = (),
    ) -> None:
        self.sms_id, self.login, self.kind, self.sent_at = sms_id, login, kind, sent_at
        #: per message: the phone as an integer, or ``-1 - i`` for ``odd_keys[i]``
        self.numbers, self.odd_keys = _encode_keys(phones)
        #: message indexes in ascending ``numbers`` (stable: equal numbers in request order)
        self.order = np.argsort(self.numbers, kind="stable").astype(np.int32)
        self.lines = np.asarray(lines, dtype=np.int32)
        self.cost_values, self.cost_codes = _factorize(costs, key=str)  # 0 and 0.00 kept apart
        self.route_values, self.route_codes = _factorize(routes)
        self.fixed_statuses = np.array(
            [MOVING if status is None else status for status in fixed_statuses], dtype=np.int16
        )
        self.final_statuses = np.asarray(final_statuses, dtype=np.int16)
        self.final_errors = np.asarray(final_errors, dtype=np.int16)
        self.texts, self.senders = tuple(texts), tuple(senders)
        self.parts = tuple(parts)
        self.operator_at = np.asarray(operator_at, dtype=np.float64)
        self.final_at = np.asarray(final_at, dtype=np.float64)
        self.files = files
        self.delays: Sequence[float] = delays
        #: indexes of the messages ``del=1`` removed
        self.deleted: set[int] = set()
        #: the store-wide number (SMSC's ``int_id``) of the first message; message *i* has
        #: this + i. :meth:`State.store` sets it.
        self.first_int_id = 0

    def __len__(self) -> int:
        return len(self.numbers)

    def phone(self, index: int) -> str:
        """The phone (or key as written) of message *index*."""
        number = int(self.numbers[index])
        return str(number) if number >= 0 else self.odd_keys[-1 - number]

    def message(self, index: int) -> StoredMessage:
        """Message *index* of the request."""
        line = int(self.lines[index])
        delay = float(self.delays[index]) if len(self.delays) else 0.0
        fixed = int(self.fixed_statuses[index])
        return StoredMessage(
            self.sms_id, self.phone(index), self.texts[line], self.senders[line],
            self.parts[line], self.cost_values[self.cost_codes[index]],
            self.route_values[self.route_codes[index]], self.login, self.kind, self.sent_at,
            float(self.operator_at[line]) + delay, float(self.final_at[line]) + delay,
            int(self.final_statuses[index]), int(self.final_errors[index]),
            None if fixed == MOVING else fixed, self.files,
        )  # fmt: skip

    def position(self, phone: str) -> int | None:
        """Index of the (last) message to *phone*, or None; deleted ones count."""
        found = self.positions_of([phone])
        return found[-1] if found else None

    def positions_of(self, phones: Iterable[str]) -> list[int]:
        """Ascending indexes of every message to one of *phones* (a bisection per phone)."""
        codes = _codes_of(phones, self.odd_keys)
        if not codes:
            return []
        wanted = np.array(codes, dtype=np.int64)
        low = np.searchsorted(self.numbers, wanted, side="left", sorter=self.order)
        high = np.searchsorted(self.numbers, wanted, side="right", sorter=self.order)
        found = [self.order[start:stop] for start, stop in zip(low, high) if stop > start]
        return sorted(int(index) for part in found for index in part)

    def stored(self) -> Iterator[int]:
        """Indexes of the messages not deleted, in request order."""
        deleted = self.deleted
        return (index for index in range(len(self.numbers)) if index not in deleted)

    def stored_numbers(self) -> np.ndarray:
        """The integer phones of the messages not deleted (keys as written left out)."""
        kept = np.ones(len(self.numbers), dtype=bool)
        kept[list(self.deleted)] = False
        numbers = self.numbers[kept]
        return numbers[numbers >= 0]


@dataclass(slots=True)
class Outbox:
    """One account's batches in store order, with two ascending keys to bisect on.

    ``first_int_ids[i]`` is ``batches[i].first_int_id``; ``sent_ats[i]`` its ``sent_at`` (one
    clock, read as requests arrive: ascending up to the few milliseconds by which concurrent
    requests may be stored out of order).
    """

    batches: list[MessageBatch] = field(default_factory=list)
    first_int_ids: list[int] = field(default_factory=list)
    sent_ats: list[float] = field(default_factory=list)

    def add(self, batch: MessageBatch) -> None:
        """Append *batch* (already numbered by :meth:`State.store`)."""
        self.batches.append(batch)
        self.first_int_ids.append(batch.first_int_id)
        self.sent_ats.append(batch.sent_at)


def _is_number(key: str) -> bool:
    """Whether *key* round-trips through an int64: digits, no leading zero, at most 18."""
    return key.isascii() and key.isdigit() and key[0] != "0" and len(key) <= _LONGEST_NUMBER


def _encode_keys(keys: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes of *keys* (the number itself, or ``-1 - i`` for the i-th odd key)."""
    odd: dict[str, int] = {}
    codes = [int(key) if _is_number(key) else -1 - odd.setdefault(key, len(odd)) for key in keys]
    return np.array(codes, dtype=np.int64), tuple(odd)


def chain_key(phone: str) -> int | str:
    """How the flood chains key *phone*: as its number, or as written if it is not one."""
    return int(phone) if _is_number(phone) else phone


def _codes_of(phones: Iterable[str], odd_keys: tuple[str, ...]) -> list[int]:
    """The codes *phones* have in a batch whose odd keys are *odd_keys* (unknown ones left out)."""
    odd = {key: -1 - index for index, key in enumerate(odd_keys)} if odd_keys else {}
    codes = []
    for phone in phones:
        if _is_number(phone):
            codes.append(int(phone))
        elif phone in odd:
            codes.append(odd[phone])
    return codes


def _factorize(
    values: Sequence[T], key: Callable[[T], Hashable] | None = None
) -> tuple[tuple[T, ...], np.ndarray]:
    """The distinct *values* (by ``key(value)``) in order of appearance, and each one's index."""
    seen: dict[Hashable, int] = {}
    distinct: list[T] = []
    codes = []
    for value in values:
        code = seen.setdefault(value if key is None else key(value), len(distinct))
        if code == len(distinct):
            distinct.append(value)
        codes.append(code)
    dtype = np.uint8 if len(distinct) <= 256 else np.int32
    return tuple(distinct), np.array(codes, dtype=dtype)
