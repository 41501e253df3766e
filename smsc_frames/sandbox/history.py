"""``/sys/get.php?get_messages=1``: the history of sent messages, newest first, by ``prev_id``.

The page (``smsc.ru/api/http/get_data/outbox``) gives the parameters: ``start`` and ``end``
(``dd.mm.yyyy``; no ``end``: from ``start`` on; at most half a year), ``phone`` (a number or a
comma list), ``email``, ``format`` (0 SMS, 8 e-mail), ``cnt`` (at most 1000) and ``prev_id``
(a message's ``int_id``: "messages sent before" it). Its only published limit is three
identical requests a minute (error 9). The rest is the sandbox's choice, written in
``docs/sandbox.md`` (*get.php*).

An account's messages are indexed by store order (:class:`~smsc_frames.sandbox.state.Outbox`),
so a page costs a bisection plus the records it returns, however large the store.

Examples
--------
>>> from smsc_frames.sandbox.handlers import RequestContext, handle
>>> from smsc_frames.sandbox.settings import SandboxSettings, default_accounts
>>> from smsc_frames.sandbox.state import State
>>> state = State(default_accounts(), SandboxSettings(), clock=lambda: 1476794052.0)
>>> context = RequestContext(ip="127.0.0.1", fmt=1, concurrent=1)
>>> send = {"login": "demo", "psw": "demo", "phones": "79161234567,79261234567", "mes": "Hi"}
>>> handle("send.php", state, send, context)
('1,2', 0)
>>> print(handle("get.php", state, {"login": "demo", "psw": "demo", "get_messages": "1",
...     "start": "18.10.2016", "cnt": "1"}, context)[0])
-1,1476794052,0,1476794052,79261234567,5.30,,Waiting to be sent,Hi,25002,0,1,1,2
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from smsc_frames.sandbox.codes import ErrorAnswer, parameter_error
from smsc_frames.sandbox.context import MOSCOW, RequestContext
from smsc_frames.sandbox.formats import render_status
from smsc_frames.sandbox.listcodec import normalize_phone
from smsc_frames.sandbox.sendparams import CREDENTIALS
from smsc_frames.sandbox.state import MessageBatch, Outbox, State
from smsc_frames.sandbox.statusrecord import HISTORY_FIELDS, status_record

HISTORY_PARAMS = CREDENTIALS | {
    "get_messages", "start", "end", "phone", "email", "format", "cnt", "prev_id", "fmt", "charset",
}  # fmt: skip
#: The page: "the maximum value is 1000". Without ``cnt``: 100 (our choice).
MAX_COUNT, DEFAULT_COUNT = 1000, 100
#: "The maximum period ... is half a year": ours, 183 days from ``start`` to ``end``.
MAX_PERIOD = timedelta(days=183)
#: The page: error 9 for more than three identical requests a minute.
IDENTICAL_LIMIT, IDENTICAL_WINDOW = 3, 60.0
#: Parameters that do not make two requests different (credentials, the answer's shape).
NOT_IN_IDENTITY = CREDENTIALS | {"fmt", "charset"}
MAIL_KIND = 8  # ``type`` of an e-mail message: ``format=8`` lists these, ``format=0`` the rest
#: How far back past ``start`` the scan goes before it stops: concurrent requests may be stored
#: a few milliseconds out of ``sent_at`` order.
STORE_ORDER_SLACK = 60.0


def handle_history(state: State, params: dict[str, str], context: RequestContext) -> str:
    """``/sys/get.php?get_messages=1``: one page of the account's sent messages, newest first."""
    account = state.authenticate(params, context.ip)
    unknown = sorted(set(params) - HISTORY_PARAMS)
    if unknown:
        raise parameter_error(", ".join(unknown))
    if params.get("get_messages") != "1":
        raise parameter_error("get_messages")  # get.php's other questions are not modelled
    query = _Query.parse(params, state.clock())
    if state.hit(("history", account.login, _digest(params)), IDENTICAL_LIMIT, IDENTICAL_WINDOW):
        raise ErrorAnswer(9)
    with state.lock:
        now = state.clock()
        dates: dict[float, str] = {}  # a page repeats a few instants: format each once
        records = [
            _record(batch, index, now, dates)
            for batch, index in _newest_first(state.outbox(account.login), query)
        ]
    return render_status(context.fmt, records, as_list=True, reading=state.reading)


class _Query:
    """The checked parameters of one request: a period, filters, a page size and a cursor."""

    def __init__(
        self,
        start: float,
        end: float,
        keys: frozenset[str] | None,
        mail: bool,
        count: int,
        before: int | None,
    ) -> None:
        self.start, self.end, self.keys = start, end, keys
        self.mail, self.count, self.before = mail, count, before

    @classmethod
    def parse(cls, params: dict[str, str], now: float) -> _Query:
        if "start" not in params:
            raise parameter_error("start")
        start = _day(params, "start")
        end = _day(params, "end") + timedelta(days=1) if "end" in params else None
        until = datetime.fromtimestamp(now, MOSCOW) if end is None else end
        if end is not None and end <= start:
            raise parameter_error("end")
        if until - start > MAX_PERIOD + timedelta(days=1):
            raise parameter_error("start")
        mail = _choice(params, "format", {"0": False, "8": True}, False)
        field = "email" if mail else "phone"
        if ("phone" if mail else "email") in params:
            raise parameter_error("phone" if mail else "email")
        keys = None
        if params.get(field):
            tokens = [token.strip() for token in params[field].split(",") if token.strip()]
            if not tokens:
                raise parameter_error(field)
            keys = frozenset(token if mail else normalize_phone(token) or token for token in tokens)
        count = _positive(params, "cnt", DEFAULT_COUNT)
        if count > MAX_COUNT:
            raise parameter_error("cnt")
        before = _positive(params, "prev_id", None) if "prev_id" in params else None
        return cls(start.timestamp(), until.timestamp(), keys, mail, count, before)


def _day(params: dict[str, str], name: str) -> datetime:
    """Midnight (Moscow) of ``dd.mm.yyyy``; anything else is error 1 naming *name*."""
    try:
        return datetime.strptime(params[name].strip(), "%d.%m.%Y").replace(tzinfo=MOSCOW)
    except ValueError:
        raise parameter_error(name) from None


def _positive(params: dict[str, str], name: str, default: int | None) -> int:
    value = params.get(name, "")
    if value == "" and default is not None:
        return default
    if not (value.isascii() and value.isdigit() and int(value) >= 1):
        raise parameter_error(name)
    return int(value)


def _choice(params: dict[str, str], name: str, choices: dict[str, bool], default: bool) -> bool:
    if name not in params:
        return default
    if params[name] not in choices:
        raise parameter_error(name)
    return choices[params[name]]


def _digest(params: dict[str, str]) -> bytes:
    """sha256 of what makes two history requests identical (kept instead of the parameters)."""
    identity = sorted((k, v) for k, v in params.items() if k not in NOT_IN_IDENTITY)
    return hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode("utf-8")).digest()


def _newest_first(outbox: Outbox, query: _Query) -> Iterator[tuple[MessageBatch, int]]:
    """``(batch, index)`` of up to ``query.count`` messages, newest first.

    Bisects the account's batches to the first one the cursor (``prev_id``) and the period's end
    exclude, then walks back until the page is full or the batches are older than ``start``.
    """
    stop = len(outbox.batches)
    if query.before is not None:
        stop = bisect_left(outbox.first_int_ids, query.before)
    stop = min(stop, bisect_right(outbox.sent_ats, query.end + STORE_ORDER_SLACK))
    wanted = _kind_filter(query.mail)
    left = query.count
    for position in range(stop - 1, -1, -1):
        batch = outbox.batches[position]
        if batch.sent_at < query.start - STORE_ORDER_SLACK:
            return
        if not (query.start <= batch.sent_at <= query.end) or not wanted(batch.kind):
            continue
        last = len(batch)
        if query.before is not None:
            last = min(last, query.before - batch.first_int_id)
        for index in _indexes(batch, last, query.keys):
            yield batch, index
            left -= 1
            if not left:
                return


def _kind_filter(mail: bool) -> Callable[[int], bool]:
    return (lambda kind: kind == MAIL_KIND) if mail else (lambda kind: kind != MAIL_KIND)


def _indexes(batch: MessageBatch, last: int, keys: frozenset[str] | None) -> list[int]:
    """Indexes below *last* of the batch's stored messages (to *keys*, if given), newest first.

    With a filter, each wanted number is found by bisection in the batch's own sort order
    rather than every message read.
    """
    deleted = batch.deleted
    if keys is None:
        candidates: range | list[int] = range(last - 1, -1, -1)
    else:
        candidates = [i for i in reversed(batch.positions_of(keys)) if i < last]
    if not deleted:
        return list(candidates)
    return [index for index in candidates if index not in deleted]


def _record(
    batch: MessageBatch, index: int, now: float, dates: dict[float, str]
) -> list[tuple[str, object]]:
    """One message as the history gives it (:data:`HISTORY_FIELDS`)."""
    return status_record(batch.message(index), HISTORY_FIELDS, now=now, dates=dates,
                         int_id=batch.first_int_id + index)  # fmt: skip
