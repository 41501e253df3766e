"""The record of one stored message as ``status.php`` and ``get.php`` give it: one builder.

Each answer names its fields in order (:data:`STATUS_FIELDS` for ``status.php`` by ``all``,
:data:`HISTORY_FIELDS` for the history); :func:`status_record` gives their values at one
instant, formatting each date once per answer (the *dates* cache an answer shares).

Examples
--------
>>> from smsc_frames.sandbox.pricing import MAIL_ROUTE
>>> from smsc_frames.sandbox.store import MessageBatch
>>> from decimal import Decimal
>>> batch = MessageBatch(
...     sms_id="7", login="demo", kind=0, sent_at=1476794052.0, phones=("79161234567",),
...     lines=(0,), costs=(Decimal("5.30"),), routes=(MAIL_ROUTE,), fixed_statuses=(None,),
...     final_statuses=(1,), final_errors=(0,), texts=("Hi",), senders=(None,), parts=(1,),
...     operator_at=(1476794053.0,), final_at=(1476794054.0,))
>>> status_record(batch.message(0), STATUS_FIELDS[0], now=1476794060.0, dates={})
[('status', 1), ('last_date', '18.10.2016 15:34:14'), ('last_timestamp', 1476794054), ('err', 0)]
"""

from __future__ import annotations

from collections.abc import Callable

from smsc_frames.sandbox.codes import STATUS_NAMES
from smsc_frames.sandbox.context import money, moscow_date
from smsc_frames.sandbox.store import StoredMessage

__all__ = ["HISTORY_FIELDS", "STATUS_FIELDS", "status_record"]

_SHORT = ("status", "last_date", "last_timestamp", "err")
_SENT = ("send_date", "send_timestamp", "phone", "cost", "sender_id", "status_name", "message")
#: ``status.php``'s fields by ``all`` (0, 1, 2)
STATUS_FIELDS = (
    _SHORT,
    (*_SHORT, *_SENT, "comment", "type"),
    (*_SHORT, *_SENT, "comment", "type", "country", "operator", "region"),
)
#: ``get.php?get_messages=1``'s fields (order: see ``docs/sandbox.md``)
HISTORY_FIELDS = (*_SHORT, *_SENT, "mccmnc", "type", "sms_cnt", "id", "int_id")


class _Moment:
    """One message at one instant: what the field getters read."""

    __slots__ = ("message", "status", "error", "changed", "dates", "int_id")

    def __init__(
        self, message: StoredMessage, now: float, dates: dict[float, str], int_id: int | None
    ) -> None:
        self.message, self.dates, self.int_id = message, dates, int_id
        self.status, self.error, self.changed = message.status_at(now)

    def date(self, timestamp: float) -> str:
        text = self.dates.get(timestamp)
        if text is None:
            text = self.dates[timestamp] = moscow_date(timestamp)
        return text


_GETTERS: dict[str, Callable[[_Moment], object]] = {
    "status": lambda m: m.status,
    "last_date": lambda m: m.date(m.changed),
    "last_timestamp": lambda m: int(m.changed),
    "err": lambda m: m.error,
    "send_date": lambda m: m.date(m.message.sent_at),
    "send_timestamp": lambda m: int(m.message.sent_at),
    "phone": lambda m: m.message.phone,
    "cost": lambda m: money(m.message.cost),
    "sender_id": lambda m: m.message.sender or "",
    "status_name": lambda m: STATUS_NAMES[m.status],
    "message": lambda m: m.message.text,
    "comment": lambda m: "",
    "type": lambda m: m.message.kind,
    "country": lambda m: m.message.route.country,
    "operator": lambda m: m.message.route.operator,
    "region": lambda m: m.message.route.region,
    "mccmnc": lambda m: m.message.route.mccmnc,
    "sms_cnt": lambda m: m.message.parts,
    "id": lambda m: m.message.sms_id,
    "int_id": lambda m: m.int_id,
}


def status_record(
    message: StoredMessage,
    fields: tuple[str, ...],
    *,
    now: float,
    dates: dict[float, str],
    int_id: int | None = None,
) -> list[tuple[str, object]]:
    """``(name, value)`` of each of *fields* for *message* at unix time *now*.

    *dates* caches formatted dates across the records of one answer; *int_id* is the
    message's store-wide number (the history's ``int_id``).
    """
    moment = _Moment(message, now, dates, int_id)
    return [(name, _GETTERS[name](moment)) for name in fields]
