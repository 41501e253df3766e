"""SMSC's API as smsc_frames uses it: endpoint names, flags, pacing and retry decisions.

:class:`SmscApi` sits on a :class:`~smsc_frames.transport.Transport` (a
:class:`~smsc_frames.client.Client` is one) and is the only place that knows

* which endpoint and flags each question needs: a quote is ``send.php`` with ``cost=1&op=1``
  (nothing is sent), a submission ``cost=3&op=1``, a status list ``status.php`` with comma
  lists and ``all=1``;
* when a call may be repeated: error 9 "too many concurrent requests" always (nothing was
  done); a status question after any refusal or transport fault (it changes nothing); a
  submission whose answer was lost **never** (the caller reconciles it);
* how status list requests are paced (one per :attr:`SmscLimits.status_list_interval` per
  account, however many callers ask), and how the history (``get.php?get_messages=1``) is
  paged: page after page without waiting, since SMSC limits only *identical* history requests
  (three a minute) and each page names its own ``prev_id``.

Answers come back parsed or checked; an answer that cannot be read after a submission is a
lost answer (``SmscConnectionError(maybe_sent=True)``), never a failure to re-send.

Examples
--------
>>> from smsc_frames.sandbox import Sandbox
>>> from smsc_frames.client import Client
>>> with Sandbox() as sandbox:
...     api = SmscApi.of(Client("demo", "demo", url=sandbox.url, environ={}))
...     quote = api.quote({"phones": "79161234567", "mes": "Hi", "id": "q-1"})
...     api.balance()
Decimal('1000.00')
>>> quote["cnt"], quote["phones"][0]["mccmnc"]
(1, '25001')
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd

from smsc_frames.client import Pacer
from smsc_frames.errors import (
    DuplicateRequestError,
    SmscApiError,
    SmscConnectionError,
    ValidationError,
)
from smsc_frames.history import (
    MAX_PERIOD_DAYS,
    PAGE_SIZE,
    history_records,
    oldest_int_id,
    parse_history,
    smsc_day,
)
from smsc_frames.policy import RetryPolicy, SmscLimits
from smsc_frames.responses import parse_balance, parse_send, parse_status, phone_rows
from smsc_frames.transport import Transport

T = TypeVar("T")

SEND = "send.php"
STATUS = "status.php"
BALANCE = "balance.php"
GET = "get.php"


def too_many_concurrent(error: Exception) -> bool:
    """Error 9 "too many concurrent requests": refused before anything was done.

    (A connection that failed before the request left is already retried by the transport.)
    """
    return isinstance(error, DuplicateRequestError) and error.too_many_concurrent


def identical_refused(error: Exception) -> bool:
    """Error 9 for an identical request within SMSC's minute (not for concurrency)."""
    return isinstance(error, DuplicateRequestError) and not error.too_many_concurrent


def harmless_to_repeat(error: Exception) -> bool:
    """Any refusal for pace or any transport fault: safe to repeat a question (status.php)."""
    return isinstance(error, SmscConnectionError | DuplicateRequestError)


class SmscApi:
    """Quote, submit, status, status list, history and balance over one transport.

    Parameters
    ----------
    transport : Transport
        A :class:`~smsc_frames.client.Client` or any object with ``call``, ``is_sandbox``,
        ``identity``.
    retry : RetryPolicy, optional
    limits : SmscLimits, optional
    pacer : Pacer, optional
        Shared by every caller of one account (:meth:`of` takes the client's).
    sleep : callable, optional
        How to wait between retries (tests pass a fake).
    """

    def __init__(
        self,
        transport: Transport,
        *,
        retry: RetryPolicy | None = None,
        limits: SmscLimits | None = None,
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.transport = transport
        self.retry = retry or RetryPolicy()
        self.limits = limits or SmscLimits()
        self.pacer = pacer or Pacer()
        self._sleep = sleep

    @classmethod
    def of(
        cls, client: Any, retry: RetryPolicy | None = None, limits: SmscLimits | None = None
    ) -> SmscApi:
        """The API over *client*, pacing with the client's own status-list pacer."""
        pacer = getattr(client, "status_list_pacer", None)
        return cls(client, retry=retry, limits=limits, pacer=pacer)

    @property
    def is_sandbox(self) -> bool:
        """Whether the server said it is the sandbox (False before any answer)."""
        return bool(self.transport.is_sandbox)

    # -- send.php

    def quote(self, params: Mapping[str, str]) -> dict[str, Any]:
        """What a request would cost: ``cost=1&op=1``, nothing is sent.

        Repeated after error 9 "too many concurrent requests"; other errors are raised.
        """
        answer = self._repeating(
            lambda: self.transport.call(SEND, {**params, "cost": "1", "op": "1"}),
            too_many_concurrent,
        )
        return read_send_answer(answer)

    def submit(self, params: Mapping[str, str]) -> dict[str, Any]:
        """Send a request: ``cost=3&op=1``.

        Repeated only after error 9 "too many concurrent requests" (refused, nothing done).

        Raises
        ------
        SmscConnectionError
            ``maybe_sent=True`` when the answer was lost or could not be read: the request may
            have been accepted, and must be reconciled, never posted again blindly.
        SmscApiError
            SMSC refused the request.
        """
        answer = self._repeating(
            lambda: self.transport.call(SEND, {**params, "cost": "3", "op": "1"}),
            too_many_concurrent,
        )
        return read_send_answer(answer)

    # -- status.php

    def status(self, sms_id: str, phone: str) -> pd.Series:
        """The status of one message (single form, not paced by SMSC's list limit).

        Returns the row of :func:`~smsc_frames.responses.parse_status` (``status`` -3 when
        SMSC has no such message). Repeated after refusals for pace and transport faults.
        """
        answer = self._repeating(
            lambda: self.transport.call(STATUS, {"id": sms_id, "phone": phone, "all": "1"}),
            harmless_to_repeat,
        )
        return parse_status(answer).iloc[0]

    def status_list(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> pd.DataFrame:
        """The statuses of (id, phone) *pairs*, from paced ``status.php`` list requests.

        Batches of :attr:`SmscLimits.status_batch_size` pairs, one request at a time, at most
        one per :attr:`SmscLimits.status_list_interval` for the account; a request refused
        with error 9 or lost in transit waits for the next slot and is repeated, up to
        :attr:`RetryPolicy.retries` times, and is never read as "not sent".

        Parameters
        ----------
        pairs : sequence of (str, str)
        progress : callable, optional
            Called with the number of pairs after each answered request.

        Returns
        -------
        pandas.DataFrame
            :func:`~smsc_frames.responses.parse_status` of every answer, concatenated.
        """
        size = self.limits.status_batch_size
        frames = []
        for start in range(0, len(pairs), size):
            batch = pairs[start : start + size]
            frame = parse_status(self._list_request(batch))
            if len(frame) == len(batch) and frame["id"].tolist() == [i for i, _ in batch]:
                # One record per pair, in order, as SMSC documents: name each by our own pair,
                # whatever way the server writes the phone.
                frame["phone"] = [phone for _, phone in batch]
            frames.append(frame)
            if progress is not None:
                progress(len(batch))
        return pd.concat(frames, ignore_index=True) if frames else parse_status([])

    def _list_request(self, batch: Sequence[tuple[str, str]]) -> Any:
        tail = "," if len(batch) == 1 else ""  # a trailing comma keeps the list form
        params = {
            "id": ",".join(sms_id for sms_id, _ in batch) + tail,
            "phone": ",".join(phone for _, phone in batch) + tail,
            "all": "1",
        }
        for attempt in range(self.retry.retries + 1):
            self.pacer.wait(self.limits.status_list_interval)
            try:
                return self.transport.call(STATUS, params)
            except (DuplicateRequestError, SmscConnectionError):
                if attempt == self.retry.retries:
                    raise
            finally:  # SMSC counts from when it got the request: at the latest, now
                self.pacer.answered()
        raise AssertionError("unreachable")

    # -- get.php?get_messages=1

    def history(
        self,
        start: date,
        end: date | None = None,
        *,
        before: int | None = None,
        phones: Sequence[str] = (),
        count: int = PAGE_SIZE,
    ) -> pd.DataFrame:
        """One page of the account's history of sent messages, newest first.

        Repeated after refusals for pace and transport faults (a question changes nothing); a
        refusal as the fourth identical request of a minute is repeated once, a minute later
        (``SmscLimits.duplicate_window``), with a warning.

        Parameters
        ----------
        start, end : datetime.date
            The period (Moscow days, both included; no *end*: up to now), at most
            :data:`~smsc_frames.history.MAX_PERIOD_DAYS` long.
        before : int, optional
            ``prev_id``: only messages older than the one with this ``int_id``.
        phones : sequence of str, optional
            Only the messages to these numbers.
        count : int, default 1000
            ``cnt``, 1 to 1000.

        Returns
        -------
        pandas.DataFrame
            :func:`~smsc_frames.history.parse_history` of the answer.

        Raises
        ------
        ValidationError
            A period or count SMSC would refuse, before any request.
        """
        return parse_history(self._history_answer(start, end, before, phones, count))

    def history_pages(
        self,
        start: date,
        end: date | None = None,
        *,
        phones: Sequence[str] = (),
        group: int = 1,
    ) -> Iterator[pd.DataFrame]:
        """Every page of the history of the period, newest first, as the caller reads them.

        The first page is the newest :data:`~smsc_frames.history.PAGE_SIZE` messages; each next
        one is asked with ``prev_id`` = the smallest ``int_id`` so far, until a page comes back
        short. No page waits for the one before: SMSC's limit is on *identical* requests
        (three a minute), and a page is only repeated after a refusal or a fault, by
        :meth:`history`. A server whose next page does not go further back ends the paging
        rather than looping.

        Parameters
        ----------
        group : int, default 1
            Pages parsed together, at most: the first frame holds one page, each next one twice
            as many up to *group*, so a reader that stops early asks for little more than it
            needs and one that reads a million messages parses them in large frames (parsing
            has a fixed cost per frame).
        """
        before: int | None = None
        pending: list[Mapping[str, Any]] = []
        pages, size = 0, 1
        while True:
            answer = self._history_answer(start, end, before, phones, PAGE_SIZE)
            pending += answer
            pages += 1
            done = len(answer) < PAGE_SIZE
            if not done:
                oldest = oldest_int_id(answer)
                done = before is not None and oldest >= before
                before = oldest
            if done or pages >= size:
                if pending:
                    yield parse_history(pending)
                pending, pages, size = [], 0, min(2 * size, max(group, 1))
            if done:
                return

    def _history_answer(
        self,
        start: date,
        end: date | None,
        before: int | None,
        phones: Sequence[str],
        count: int,
    ) -> list[Mapping[str, Any]]:
        """One history request, checked first and repeated as :meth:`history` says."""
        check_history_period(start, end)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= PAGE_SIZE:
            raise ValidationError("count", f"must be an integer from 1 to {PAGE_SIZE}", count)
        params = {"get_messages": "1", "start": smsc_day(start), "cnt": str(count)}
        if end is not None:
            params["end"] = smsc_day(end)
        if before is not None:
            params["prev_id"] = str(before)
        if phones:
            params["phone"] = ",".join(phones)
        # a fourth identical page within a minute (a refresh repeated) waits the minute out
        answer = self._repeating(
            lambda: self.transport.call(GET, params),
            harmless_to_repeat,
            identical_wait=self.limits.duplicate_window,
        )
        return history_records(answer)

    # -- balance.php

    def balance(self) -> Decimal:
        """The account balance, exact."""
        return parse_balance(self.transport.call(BALANCE, {}))

    # -- retries, in one place

    def _repeating(
        self,
        call: Callable[[], T],
        retryable: Callable[[Exception], bool],
        *,
        identical_wait: float = 0.0,
    ) -> T:
        """*call*, repeated after *retryable* errors with jittered, growing back-offs.

        With *identical_wait*, a refusal of an identical request is repeated once, that many
        seconds later (a warning says so); refused again, someone else keeps asking the same,
        and the error is raised.
        """
        delays = self.retry.delays()
        waited_identical = False
        for attempt in range(len(delays) + 1):
            try:
                return call()
            except (SmscConnectionError, SmscApiError) as error:
                if attempt == len(delays) or not retryable(error):
                    raise
                wait = delays[attempt]
                if identical_wait and identical_refused(error):
                    if waited_identical:
                        raise
                    waited_identical, wait = True, max(wait, identical_wait)
                    warnings.warn(
                        f"{error}: the same request was made 3 times within a minute; "
                        f"asking again in {wait:.0f} s",
                        stacklevel=2,
                    )
            self._sleep(wait)
        raise AssertionError("unreachable")


def check_history_period(start: date, end: date | None) -> None:
    """Refuse a history period SMSC would refuse: *end* before *start*, or too long.

    Examples
    --------
    >>> check_history_period(date(2026, 1, 1), date(2026, 12, 1))
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: end: must be at most 182 days after start \
(SMSC's half year) (got datetime.date(2026, 12, 1))
    """
    if not isinstance(start, date):
        raise ValidationError("start", "must be a date", start)
    if end is None:
        return
    if not isinstance(end, date) or end < start:
        raise ValidationError("end", "must be a date on or after start", end)
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationError(
            "end",
            f"must be at most {MAX_PERIOD_DAYS} days after start (SMSC's half year)",
            end,
        )


def read_send_answer(answer: object) -> dict[str, Any]:
    """*answer* when it reads as a ``send.php`` answer; an unreadable one is a lost answer.

    SMSC's errors pass through; anything else that fails while reading the answer (a value of
    the wrong type, say) means the request reached SMSC and its outcome is unknown:
    ``SmscConnectionError(maybe_sent=True)``, so it is reconciled, never re-sent blindly.

    Examples
    --------
    >>> read_send_answer({"id": "c-1", "cnt": "many"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    smsc_frames.errors.SmscConnectionError: unreadable send.php answer (ValueError: ...)
    """
    try:
        if not isinstance(answer, Mapping):
            raise TypeError(f"not an object: {str(answer)[:80]!r}")
        parse_send({key: value for key, value in answer.items() if key != "phones"})
        phone_rows(answer)
    except (SmscApiError, SmscConnectionError):
        raise
    except Exception as error:
        raise SmscConnectionError(
            f"unreadable send.php answer ({type(error).__name__}: {error})", maybe_sent=True
        ) from error
    return dict(answer)
