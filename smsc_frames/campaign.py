"""Estimate and send a campaign, exactly once, over SMSC's ``send.php``.

:func:`estimate` posts the very payloads :func:`send` would post, with ``cost=1&op=1`` (nothing is
sent), and returns a :class:`Quote`. :func:`send` posts them with ``cost=3&op=1`` in parallel,
recording every request in a :class:`~smsc_frames.journal.Journal` before it leaves and after
every answer, so that running the same ``send`` again after a crash resumes without sending
anyone a second SMS and without forgetting anyone:

* an *accepted* request is never posted again;
* a request whose answer was lost (read timeout, dropped connection, HTTP 5xx, an answer that
  cannot be read, a process killed mid-request) is *unknown* and reconciled through
  ``status.php`` before anything is re-posted: (id, first phone) and (id, last phone) first, and
  when neither is found, one paced *list* request over (id, phone) of every recipient (a number
  refused at send may leave no trace while the others were sent). Only a request whose every
  recipient is "not found" (-3) is provably unsent and posted again, with the same id;
* error 9 "duplicate request" means an identical request was seen: reconcile, never a failure;
  error 9 "too many concurrent requests" backs off and retries;
* error 3 (no money) stops the campaign and the results say who was sent and who was not (top up
  and run the same ``send`` again to finish); error 4 (IP blocked) and error 2 (authorisation)
  stop it with an exception, the journal keeping the state.

Results keep the plan's index, so they join back onto the contacts.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from smsc_frames.delivery import STATUS_BATCH_SIZE, Pacer
from smsc_frames.delivery import balance as account_balance
from smsc_frames.errors import (
    AuthError,
    DuplicateRequestError,
    InsufficientFundsError,
    IpBlockedError,
    SmscApiError,
    SmscConnectionError,
    ValidationError,
)
from smsc_frames.journal import REFUSED_STATUSES, Journal, JournalEntry
from smsc_frames.operators import operator_names
from smsc_frames.payloads import Payload, recipient_rows
from smsc_frames.payloads import payloads as build_payloads
from smsc_frames.responses import (
    parse_send,
    parse_status,
    phone_rows,
    phones_frame,
    status_names,
)

MAX_WORKERS = 8
"""The most parallel requests :func:`send` allows (SMSC refuses 15 concurrent connections)."""

OUTCOMES = ("sent", "not sent", "unknown", "duplicate", "invalid")
"""What happened to each plan row, in the order :func:`summarize` lists them."""

NOT_FOUND = -3
"""``status.php`` status of a message SMSC does not have."""

WAITING = -1
"""SMSC's status "waiting to be sent": what :func:`send` reports for an accepted number."""


@dataclass(frozen=True)
class RetryPolicy:
    """How :func:`send` and :func:`estimate` wait and retry; the defaults suit SMSC.

    Parameters
    ----------
    backoff : float
        First back-off in seconds (doubled after each retry, jittered, capped by
        ``max_backoff``) after error 9 "too many concurrent requests", or a status check refused
        for pace or lost in transit.
    max_backoff : float
        The longest single back-off.
    retries : int
        How many times one call is retried after such refusals before the campaign stops.
    settle : float
        Seconds a posted request is given to reach SMSC's store before ``status.php`` may
        declare it unsent (a killed process's last request may still be on its way).
    duplicate_window : float
        How long SMSC refuses an identical request (60 s): a request reconciled as unsent after a
        "duplicate" answer is posted again only once this has passed since its last post.
    max_rounds : int
        How many reconcile-and-repost rounds one :func:`send` call makes before it leaves the
        remaining requests *unknown* for the next run.
    status_list_interval : float
        Seconds between the starts of two ``status.php`` list requests (SMSC answers error 9 to
        more than one a minute); a list request refused with error 9 is repeated after it, up
        to ``retries`` times, and is never read as "not sent".

    Examples
    --------
    >>> RetryPolicy(backoff=0.01).retries
    6
    """

    backoff: float = 0.5
    max_backoff: float = 30.0
    retries: int = 6
    settle: float = 3.0
    duplicate_window: float = 61.0
    max_rounds: int = 4
    status_list_interval: float = 60.0

    def delays(self) -> list[float]:
        """The jittered back-offs, one per retry.

        Examples
        --------
        >>> delays = RetryPolicy(backoff=1.0, max_backoff=3.0, retries=4).delays()
        >>> len(delays), all(0.5 <= d <= 3.0 for d in delays)
        (4, True)
        """
        return [
            min(self.backoff * 2**attempt, self.max_backoff) * random.uniform(0.5, 1.0)
            for attempt in range(self.retries)
        ]


def _is_too_many_concurrent(error: Exception) -> bool:
    """Error 9 "too many concurrent requests": the request was refused, try it again later.

    (A connection that failed before the request left is already retried by the client.)
    """
    return isinstance(error, DuplicateRequestError) and error.too_many_concurrent


def _is_transient(error: Exception) -> bool:
    """Any refusal or transport fault: safe to retry for read-only calls (status.php)."""
    return isinstance(error, (SmscConnectionError, DuplicateRequestError))


def _call_with_backoff(
    client: Any,
    endpoint: str,
    params: dict[str, str],
    policy: RetryPolicy,
    retryable: Callable[[Exception], bool] = _is_too_many_concurrent,
) -> Any:
    """``client.call`` retried after *retryable* errors with jittered, growing back-offs."""
    delays = policy.delays()
    for attempt in range(len(delays) + 1):
        try:
            return client.call(endpoint, params)
        except (SmscConnectionError, SmscApiError) as error:
            if attempt == len(delays) or not retryable(error):
                raise
        time.sleep(delays[attempt])


# --------------------------------------------------------------------------------------- quote

_QUOTES: dict[int, dict[str, dict[str, Any]]] = {}
"""``id(client)`` -> payload digest -> the ``cost=1`` answer (dropped with the client)."""


def _quote_cache(client: Any) -> dict[str, dict[str, Any]]:
    key = id(client)
    if key not in _QUOTES:
        _QUOTES[key] = {}
        weakref.finalize(client, _QUOTES.pop, key, None)
    return _QUOTES[key]


def quote_cache_key(client: Any, digest: str) -> str:
    """The key of a payload's ``cost=1`` answer in an :func:`estimate` ``cache=`` mapping.

    Server URL, account identity (the login, or a sha256 of the API key: never a secret) and
    the payload digest, so answers of another server or account are never reused.

    Examples
    --------
    >>> from smsc_frames.client import Client
    >>> quote_cache_key(Client("shop", "secret", url="https://smsc.ru"), "ab12")
    'quote1 https://smsc.ru login:shop ab12'
    >>> "my-key" in quote_cache_key(Client(apikey="my-key", url="https://smsc.ru"), "ab12")
    False
    """
    auth = getattr(client, "_auth", None) or {}
    if auth.get("apikey"):
        identity = "apikey-sha256:" + hashlib.sha256(auth["apikey"].encode("utf-8")).hexdigest()
    else:
        identity = f"login:{auth.get('login', '')}"
    return f"quote1 {getattr(client, 'url', '')} {identity} {digest}"


@dataclass(frozen=True)
class Quote:
    """What a campaign would cost, from SMSC's ``cost=1&op=1`` answers (nothing was sent).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per plan row, on the plan's index: ``phone``, ``payload_id``, ``mccmnc``,
        ``operator``, ``parts`` (local count), ``cost`` (Decimal, SMSC's price for the row),
        ``status``/``error`` (SMSC's objection to a number, else missing), ``sendable`` and
        ``problem`` (why a row will not be sent), ``cnt_agrees`` (SMSC's ``cnt`` for the row's
        request equals the local count of parts).
    total_cost : Decimal
        The sum of SMSC's per-request costs.
    total_parts : int
        The sum of SMSC's ``cnt`` (SMS parts that would be billed).
    recipients : int
        Plan rows that would be sent.
    by_operator : pandas.DataFrame
        Per operator: ``recipients``, ``parts``, ``cost``.
    sandbox : bool
        True when the quote came from the sandbox (its prices are made up).
    balance : Decimal or None
        The account balance when the quote was made (``balance.php``), None when it could not
        be read.
    """

    table: pd.DataFrame
    total_cost: Decimal
    total_parts: int
    recipients: int
    by_operator: pd.DataFrame = field(repr=False)
    sandbox: bool = False
    balance: Decimal | None = None

    @property
    def affordable(self) -> bool | None:
        """Whether the balance covers :attr:`total_cost` (None when the balance is unknown).

        SMSC refuses a whole request with error 3 when the balance cannot pay for all of it.
        """
        return None if self.balance is None else self.total_cost <= self.balance

    def _balance_line(self) -> str:
        if self.balance is None:
            return "balance unknown (balance.php did not answer)"
        if self.affordable:
            return f"balance {self.balance:.2f}: enough"
        return (
            f"balance {self.balance:.2f}: NOT ENOUGH, {self.total_cost - self.balance:.2f} "
            "short (SMSC refuses whole requests with error 3; top up first)"
        )

    def __str__(self) -> str:
        where = " (sandbox prices, nothing is real)" if self.sandbox else ""
        return (
            f"{self.recipients} recipients, {self.total_parts} SMS parts, total cost "
            f"{self.total_cost:.2f}{where}; {self._balance_line()}"
        )

    def _repr_html_(self) -> str:
        from html import escape

        where = " <b>(sandbox prices, nothing is real)</b>" if self.sandbox else ""
        line = escape(self._balance_line())
        if self.affordable is False:
            line = f'<b style="color:#b00">{line}</b>'
        head = (
            f"<p>{self.recipients} recipients, {self.total_parts} SMS parts, "
            f"total cost {self.total_cost:.2f}{where}</p><p>{line}</p>"
        )
        return head + self.by_operator.to_html(formatters={"cost": "{:.2f}".format})


def estimate(
    plan: pd.DataFrame,
    client: Any,
    *,
    payloads: Sequence[Payload] | None = None,
    max_workers: int = 4,
    retry: RetryPolicy | None = None,
    cache: MutableMapping[str, dict] | None = None,
) -> Quote:
    """Ask SMSC what the campaign would cost, with the very payloads :func:`send` would post.

    Each payload goes out with ``cost=1&op=1`` (nothing is sent). Answers are kept per client
    object and payload digest, and in *cache* when given, so estimating an unchanged plan again
    asks nothing (SMSC refuses more than 5 identical ``cost=1`` requests a minute).

    Parameters
    ----------
    plan : pandas.DataFrame
        From :func:`smsc_frames.plan.prepare`.
    client : smsc_frames.client.Client
    payloads : sequence of Payload, optional
        The requests to quote (default ``payloads(plan)``); pass the ones you will send.
    max_workers : int
        Parallel requests, 1 to :data:`MAX_WORKERS`.
    retry : RetryPolicy, optional
    cache : MutableMapping[str, dict], optional
        Answers kept beyond this client object, e.g. across processes
        (:class:`smsc_frames.quotecache.QuoteCache`, a file the command line uses): maps
        :func:`quote_cache_key` (server URL, login or a sha256 of the API key, payload digest;
        never a secret) to the ``cost=1`` answer. Looked up for every payload the client has
        not quoted yet, and given every new answer. An entry the mapping no longer holds (the
        file cache expires them after 10 minutes) is asked again.

    Returns
    -------
    Quote

    Warns
    -----
    UserWarning
        When SMSC counts a request's parts differently from the local count, and when the
        account balance (one ``balance.php`` call; ``Quote.balance``) does not cover the total
        cost.

    Examples
    --------
    >>> from smsc_frames.sandbox import Sandbox
    >>> from smsc_frames.client import Client
    >>> from smsc_frames.plan import prepare
    >>> contacts = pd.DataFrame({"phone": ["+7 916 123-45-67", "bad"], "text": ["Hi", "Hi"]})
    >>> with Sandbox() as sandbox:
    ...     quote = estimate(prepare(contacts, phone="phone", text="text"),
    ...                      Client("demo", "demo", url=sandbox.url))
    >>> quote.recipients, quote.total_parts, quote.table["sendable"].tolist()
    (1, 1, [True, False])
    """
    _check_workers(max_workers)
    policy = retry or RetryPolicy()
    requests = list(build_payloads(plan) if payloads is None else payloads)
    known = _quote_cache(client)
    for request in requests:
        if request.digest not in known and cache is not None:
            stored = cache.get(quote_cache_key(client, request.digest))
            if isinstance(stored, dict):
                known[request.digest] = stored
    missing = list({r.digest: r for r in requests if r.digest not in known}.values())

    def quote_one(request: Payload) -> tuple[Payload, Any]:
        params = {**request.params, "cost": "1", "op": "1"}
        answer = _call_with_backoff(client, "send.php", params, policy)
        known[request.digest] = answer
        return request, answer

    if missing:
        with ThreadPoolExecutor(max_workers=min(max_workers, len(missing))) as pool:
            for future in as_completed([pool.submit(quote_one, r) for r in missing]):
                request, answer = future.result()
                if cache is not None and isinstance(answer, dict):
                    cache[quote_cache_key(client, request.digest)] = answer
    answers = {request.id: known[request.digest] for request in requests}
    quote = _quote(plan, requests, answers, sandbox=bool(client.is_sandbox))
    quote = replace(quote, balance=_balance_or_none(client))
    if quote.affordable is False:
        warnings.warn(
            f"the campaign costs {quote.total_cost:.2f} but the balance is {quote.balance:.2f}: "
            "SMSC would refuse whole requests with error 3 (no money); top up first",
            stacklevel=2,
        )
    return quote


def _balance_or_none(client: Any) -> Decimal | None:
    """The account balance, or None when ``balance.php`` fails (a quote is still useful)."""
    try:
        return account_balance(client)
    except Exception:  # noqa: BLE001 - any failure only means "balance unknown"
        return None


def _quote(
    plan: pd.DataFrame, requests: list[Payload], answers: dict[str, dict], *, sandbox: bool
) -> Quote:
    rows = recipient_rows(plan, requests)
    merged = _per_row(rows, _per_phone(answers)).reindex(plan.index)

    table = pd.DataFrame(index=plan.index)
    table["phone"] = plan["phone"]
    table["payload_id"] = rows["payload_id"]
    table["mccmnc"] = merged["mccmnc"]
    table["operator"] = operator_names(table["mccmnc"])
    table["parts"] = plan["parts"]
    table["cost"] = merged["cost"].astype(object).where(merged["cost"].notna(), None)
    table["status"] = merged["status"].astype("Int64")
    table["error"] = merged["error"].astype("Int64")
    refused = table["status"].notna()
    table["sendable"] = plan["sendable"].astype(bool) & ~refused
    table["problem"] = _plan_problems(plan)
    table.loc[refused, "problem"] = "SMSC: " + status_names(table.loc[refused, "status"])

    parsed = {payload_id: _totals(answer) for payload_id, answer in answers.items()}
    server_cnt = pd.Series({payload_id: cnt for payload_id, (cnt, _) in parsed.items()})
    local_cnt = (
        table.loc[table["sendable"], "parts"]
        .groupby(table["payload_id"])
        .sum()
        .reindex(server_cnt.index, fill_value=0)
    )
    agrees = server_cnt == local_cnt
    table["cnt_agrees"] = table["payload_id"].map(agrees).astype("boolean")
    if not agrees.all():
        disagreeing = ", ".join(
            f"{pid}: SMSC {server_cnt[pid]} vs local {local_cnt[pid]}"
            for pid in agrees.index[~agrees]
        )
        warnings.warn(
            f"SMSC counts the parts of some requests differently ({disagreeing}); SMSC's "
            "count is what is billed (see the cnt_agrees column)",
            stacklevel=3,
        )

    sendable = table[table["sendable"]]
    by_operator = (
        sendable.assign(cost=sendable["cost"].where(sendable["cost"].notna(), Decimal(0)))
        .groupby("operator", dropna=False)
        .agg(recipients=("phone", "size"), parts=("parts", "sum"), cost=("cost", "sum"))
        .sort_values("recipients", ascending=False)
    )
    total_cost = sum((cost for _, cost in parsed.values()), Decimal(0))
    return Quote(
        table=table,
        total_cost=total_cost,
        total_parts=int(server_cnt.sum()) if len(server_cnt) else 0,
        recipients=int(table["sendable"].sum()),
        by_operator=by_operator,
        sandbox=sandbox,
    )


def _without_phones(answer: Any) -> Any:
    """*answer* without its ``op=1`` list (read separately, all answers' lists at once)."""
    if not isinstance(answer, Mapping):
        return answer
    return {key: value for key, value in answer.items() if key != "phones"}


def _check_send(answer: Any) -> None:
    """Raise what :func:`~smsc_frames.responses.parse_send` would, without converting the list."""
    parse_send(_without_phones(answer))
    phone_rows(answer)


def _check_readable(answer: Any) -> None:
    """:func:`_check_send`, an answer it cannot understand being a lost answer.

    SMSC's errors pass through; anything else that fails while reading the answer (a value of
    the wrong type, say) means the request reached SMSC and its outcome is unknown:
    ``SmscConnectionError(maybe_sent=True)``, so it is reconciled, never re-sent blindly.

    Examples
    --------
    >>> _check_readable({"id": "c-1", "cnt": "many"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    smsc_frames.errors.SmscConnectionError: unreadable send.php answer (ValueError: ...)
    """
    try:
        _check_send(answer)
        if not isinstance(answer, Mapping):
            raise TypeError(f"not an object: {str(answer)[:80]!r}")
    except SmscApiError:
        raise
    except SmscConnectionError:
        raise
    except Exception as error:
        raise SmscConnectionError(
            f"unreadable send.php answer ({type(error).__name__}: {error})", maybe_sent=True
        ) from error


def _totals(answer: dict[str, Any]) -> tuple[int, Decimal]:
    """``cnt`` and ``cost`` of a ``cost=1`` answer (its per-phone list is read separately)."""
    summary = parse_send(_without_phones(answer))
    return summary.cnt, summary.cost or Decimal(0)


def _per_phone(answers: dict[str, dict]) -> pd.DataFrame:
    """The ``op=1`` lists of several send answers as one frame, with a ``payload_id`` column.

    The raw lists are concatenated first and converted in one vectorised pass.
    """
    lists = [phone_rows(answer) for answer in answers.values()]
    frame = phones_frame([row for rows in lists for row in rows])
    payload_ids = np.repeat(np.array(list(answers), dtype=object), [len(rows) for rows in lists])
    frame.insert(0, "payload_id", pd.Series(payload_ids, index=frame.index, dtype=object))
    return frame


def _pair_keys(rows: pd.DataFrame, per_phone: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """One integer per distinct (``payload_id``, ``phone``) pair, for *rows* and for *per_phone*.

    Both sides are factorized together, so equal pairs get equal keys; missing values get their
    own.
    """

    def both(column: str) -> np.ndarray:
        return np.concatenate([rows[column].to_numpy(dtype=object),
                               per_phone[column].to_numpy(dtype=object)])  # fmt: skip

    request, _ = pd.factorize(both("payload_id"), use_na_sentinel=True)
    phone, phones = pd.factorize(both("phone"), use_na_sentinel=True)
    keys = request.astype(np.int64) * (len(phones) + 1) + (phone + 1)
    return keys[: len(rows)], keys[len(rows) :]


def _per_row(rows: pd.DataFrame, per_phone: pd.DataFrame) -> pd.DataFrame:
    """*per_phone* values (keyed by payload id and phone) on the index of *rows*.

    The first answer row of each (payload id, phone) pair counts; rows that no answer names get
    missing values. Both sides are keyed together by :func:`_pair_keys` (a hash join, no sort).
    """
    values = per_phone.drop(columns=["payload_id", "phone"])
    position = np.full(len(rows), -1)
    if len(per_phone):
        row_keys, answer_keys = _pair_keys(rows, per_phone)
        first = ~pd.Index(answer_keys).duplicated()
        position = pd.Index(answer_keys[first]).get_indexer(row_keys)
        values = values[first].reset_index(drop=True)
    found = values.reindex(position)
    found.index = rows.index
    return found


def _plan_problems(plan: pd.DataFrame) -> pd.Series:
    """Why each plan row will not be sent (``None`` for sendable rows)."""
    problem = plan["problem"].astype(object).where(plan["problem"].notna(), None)
    duplicate = plan["duplicate_of"].notna() & problem.isna()
    problem[duplicate] = "duplicate of row " + plan.loc[duplicate, "duplicate_of"].astype(str)
    return problem


def _check_workers(max_workers: int) -> None:
    if not isinstance(max_workers, int) or not 1 <= max_workers <= MAX_WORKERS:
        raise ValidationError(
            "max_workers",
            f"must be an integer from 1 to {MAX_WORKERS} (SMSC refuses 15 concurrent requests)",
            max_workers,
        )


# ---------------------------------------------------------------------------------------- send

_RECONCILE_PENDING = ("in_flight", "unknown")


def _error_answer(error: SmscApiError) -> dict[str, Any]:
    return {"error_code": error.code, "error": error.message}


def _transport_answer(error: SmscConnectionError) -> dict[str, Any]:
    return {"transport_error": str(error), "maybe_sent": error.maybe_sent}


def _is_to_send(entry: JournalEntry) -> bool:
    """Planned, or refused for lack of money (worth another try once topped up)."""
    if entry.state == "planned":
        return True
    return entry.state == "rejected" and (entry.answer or {}).get("error_code") == 3


def _seconds_since(timestamp: str | None) -> float:
    if timestamp is None:
        return float("inf")
    return (pd.Timestamp.now(tz="UTC") - pd.Timestamp(timestamp)).total_seconds()


class _Sender:
    """One :func:`send` run: posts, reconciles and records, the journal being the truth."""

    def __init__(
        self,
        client: Any,
        journal: Journal,
        requests: list[Payload],
        policy: RetryPolicy,
        max_workers: int,
        progress: bool,
    ) -> None:
        self.client = client
        self.journal = journal
        self.params = {request.id: request.params for request in requests}
        self.policy = policy
        self.max_workers = max_workers
        self.progress = progress
        self.stop_reason: str | None = None
        self.fatal: SmscApiError | None = None
        self.list_pacer = Pacer(policy.status_list_interval)
        self.duplicate_wait = 0.0
        self._lock = threading.Lock()

    def stop(self, reason: str, fatal: SmscApiError | None = None) -> None:
        with self._lock:
            if self.stop_reason is None:
                self.stop_reason, self.fatal = reason, fatal

    def run(self) -> list[JournalEntry]:
        """Reconcile what a previous attempt left open, post what is provably unsent, repeat.

        Returns the journal's entries as the run left them (read after its last change).
        """
        for round_number in range(self.policy.max_rounds + 1):
            entries = self.journal.entries()
            open_entries = [entry for entry in entries if entry.state in _RECONCILE_PENDING]
            if open_entries:
                self.reconcile(open_entries)
                entries = self.journal.entries()
            pending = [entry for entry in entries if _is_to_send(entry)]
            if self.stop_reason or not pending or round_number == self.policy.max_rounds:
                return entries
            self.dispatch(pending)
        return self.journal.entries()  # max_rounds < 0: no round at all

    # -- posting

    def dispatch(self, pending: list[JournalEntry]) -> None:
        workers = min(self.max_workers, len(pending))
        bar = tqdm(
            total=sum(len(entry.recipients) for entry in pending),
            desc="send",
            unit="phone",
            disable=not self.progress,
        )
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="smsc-send")
        failures: list[BaseException] = []
        try:
            futures = {pool.submit(self.post, entry): entry for entry in pending}
            for future in as_completed(futures):
                error = future.exception()
                if error is not None:  # a bug, not an SMSC answer: stop posting, keep them all
                    self.stop(f"internal error: {type(error).__name__}: {error}")
                    failures.append(error)
                bar.update(len(futures[future].recipients))
        except BaseException:
            self.stop("interrupted")
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            bar.close()
        if failures:
            first = failures[0]
            for other in failures[1:]:
                first.add_note(f"another send worker failed too: {type(other).__name__}: {other}")
            raise first

    def post(self, entry: JournalEntry) -> None:
        if self.stop_reason:
            return
        params = {**self.params[entry.payload_id], "cost": "3", "op": "1"}
        self.journal.mark(entry.payload_id, "in_flight")
        try:
            answer = _call_with_backoff(self.client, "send.php", params, self.policy)
            _check_readable(answer)
        except DuplicateRequestError as error:
            if error.too_many_concurrent:
                self.journal.mark(entry.payload_id, "planned", answer=_error_answer(error))
                self.stop("SMSC kept refusing: too many concurrent requests")
            else:  # an identical request was seen: it may well have been accepted
                self.journal.mark(entry.payload_id, "unknown", answer=_error_answer(error))
        except SmscConnectionError as error:
            if error.maybe_sent:
                self.journal.mark(entry.payload_id, "unknown", answer=_transport_answer(error))
            else:
                self.journal.mark(entry.payload_id, "planned", answer=_transport_answer(error))
                self.stop(f"could not reach SMSC ({error})")
        except InsufficientFundsError as error:
            self.journal.mark(entry.payload_id, "rejected", answer=_error_answer(error))
            self.stop("insufficient funds")
        except (IpBlockedError, AuthError) as error:
            self.journal.mark(entry.payload_id, "planned", answer=_error_answer(error))
            self.stop(f"SMSC error {error.code}: {error.message}", fatal=error)
        except SmscApiError as error:
            self.journal.mark(entry.payload_id, "rejected", answer=_error_answer(error))
        else:
            answer = {**answer, "sandbox": bool(self.client.is_sandbox)}
            self.journal.mark(entry.payload_id, "accepted", answer=answer)

    # -- reconciling

    def reconcile(self, open_entries: list[JournalEntry]) -> None:
        """Settle each open request through ``status.php``: accepted, or provably unsent.

        Cheap single checks of the first and last recipient come first; a request they do not
        find is confirmed with list requests over (id, phone) of *every* recipient, since a
        number refused at send may have left no trace while the others were sent. Only a request
        whose every recipient is "not found" goes back to ``planned``; any doubt (an error, an
        answer that does not cover every pair) leaves it ``unknown``. After an error 9
        "duplicate" the same rule holds.

        Sequential on purpose: SMSC refuses 5+ concurrent status requests.
        """
        if not open_entries:
            return
        youngest = min(_seconds_since(entry.posted_at) for entry in open_entries)
        if youngest < self.policy.settle:
            time.sleep(self.policy.settle - youngest)
        to_confirm = []
        for entry in open_entries:
            try:
                found = self.probe(entry)
            except (IpBlockedError, AuthError) as error:
                self.stop(f"SMSC error {error.code}: {error.message}", fatal=error)
                return
            except Exception as error:  # noqa: BLE001 - any doubt keeps the request unknown
                self.still_unknown(entry, error)
                continue
            if found is not None:
                self.confirmed(entry, found)
            elif set(entry.recipients) <= {entry.recipients[0], entry.recipients[-1]}:
                self.unsent(entry)  # the probes covered every recipient
            else:
                to_confirm.append(entry)
        if to_confirm:
            try:
                statuses = self.list_statuses(to_confirm)
            except (IpBlockedError, AuthError) as error:
                self.stop(f"SMSC error {error.code}: {error.message}", fatal=error)
                return
            except Exception as error:  # noqa: BLE001 - never read a failure as "not sent"
                for entry in to_confirm:
                    self.still_unknown(entry, error)
                statuses = None
            for entry in to_confirm if statuses is not None else []:
                known = {
                    phone: statuses.get((entry.payload_id, phone)) for phone in entry.recipients
                }
                if any(value is None for value in known.values()):
                    self.still_unknown(entry, "status.php did not report every recipient")
                elif all(status == NOT_FOUND for status, _, _ in known.values()):
                    self.unsent(entry)
                else:
                    self.confirmed(entry, {"statuses": known})
        if self.duplicate_wait > 0:
            time.sleep(self.duplicate_wait)
            self.duplicate_wait = 0.0

    def still_unknown(self, entry: JournalEntry, error: object) -> None:
        answer = {**(entry.answer or {}), "reconcile_error": str(error)}
        self.journal.mark(entry.payload_id, "unknown", answer=answer)

    def unsent(self, entry: JournalEntry) -> None:
        """Provably unsent: planned again (after SMSC's duplicate window, if it said duplicate)."""
        if (entry.answer or {}).get("error_code") == 9:
            left = self.policy.duplicate_window - _seconds_since(entry.posted_at)
            self.duplicate_wait = max(self.duplicate_wait, left)
        self.journal.mark(entry.payload_id, "planned", answer={"reconciled": "not found"})

    def confirmed(self, entry: JournalEntry, found: dict[str, Any]) -> None:
        """Record *entry* as accepted, with when it was posted when that is known.

        The journal's in-flight stamp is the post that SMSC stored, unless our post was
        refused as a duplicate (then an earlier post was stored: SMSC's ``send_timestamp`` if
        the list answer gave one, else unknown). Never the time of the check.
        """
        posted_at = None if (entry.answer or {}).get("error_code") == 9 else entry.posted_at
        if posted_at is None:
            stamps = [stamp for _, _, stamp in found.get("statuses", {}).values() if stamp]
            if stamps:
                posted_at = pd.Timestamp(min(stamps), unit="s", tz="UTC").isoformat()
        answer = {
            "reconciled": found,
            "posted_at": posted_at,
            "sandbox": bool(self.client.is_sandbox),
        }
        self.journal.mark(entry.payload_id, "accepted", answer=answer)

    def probe(self, entry: JournalEntry) -> dict[str, Any] | None:
        """The status of the request's first (or last) message, or None when SMSC has neither."""
        for phone in dict.fromkeys((entry.recipients[0], entry.recipients[-1])):
            answer = _call_with_backoff(
                self.client,
                "status.php",
                {"id": entry.payload_id, "phone": phone},
                self.policy,
                retryable=_is_transient,
            )
            row = parse_status(answer).iloc[0]
            if pd.notna(row["status"]) and row["status"] != NOT_FOUND:
                err = None if pd.isna(row["err"]) else int(row["err"])
                return {"phone": phone, "status": int(row["status"]), "err": err}
        return None

    def list_statuses(
        self, entries: list[JournalEntry]
    ) -> dict[tuple[str, str], tuple[int, int | None, int | None]]:
        """(status, err, send timestamp) of every (id, phone) of *entries*, from list requests.

        Pairs SMSC's answer leaves out are missing from the result (the caller keeps such a
        request unknown).
        """
        pairs = [(e.payload_id, phone) for e in entries for phone in dict.fromkeys(e.recipients)]
        statuses: dict[tuple[str, str], tuple[int, int | None, int | None]] = {}
        for start in range(0, len(pairs), STATUS_BATCH_SIZE):
            batch = pairs[start : start + STATUS_BATCH_SIZE]
            frame = parse_status(self.list_request(batch))
            ids = frame["id"].astype(object).tolist()
            if len(frame) == len(batch) and ids == [pid for pid, _ in batch]:
                keys = batch  # one record per pair, in order (as SMSC documents)
            else:
                keys = list(zip(ids, frame["phone"].astype(object).tolist()))
            stamps = frame.get("send_timestamp", pd.Series(pd.NA, index=frame.index))
            for key, status, err, stamp in zip(keys, frame["status"], frame["err"], stamps):
                if pd.notna(status):
                    statuses[key] = (
                        int(status),
                        None if pd.isna(err) else int(err),
                        None if pd.isna(stamp) or int(stamp) <= 0 else int(stamp),
                    )
        return statuses

    def list_request(self, batch: list[tuple[str, str]]) -> Any:
        """One paced ``status.php`` list request; error 9 or a lost answer: wait and repeat."""
        tail = "," if len(batch) == 1 else ""  # a trailing comma keeps the list form
        params = {
            "id": ",".join(pid for pid, _ in batch) + tail,
            "phone": ",".join(phone for _, phone in batch) + tail,
            "all": "1",
        }
        for attempt in range(self.policy.retries + 1):
            self.list_pacer.wait()
            try:
                return self.client.call("status.php", params)
            except (DuplicateRequestError, SmscConnectionError):
                if attempt == self.policy.retries:
                    raise
        raise AssertionError("unreachable")


def send(
    plan: pd.DataFrame,
    client: Any,
    *,
    journal: str | os.PathLike[str] | None = None,
    progress: bool = True,
    max_workers: int = 4,
    payloads: Sequence[Payload] | None = None,
    retry: RetryPolicy | None = None,
) -> pd.DataFrame:
    """Send the campaign exactly once, resumably, and say what happened to every plan row.

    Parameters
    ----------
    plan : pandas.DataFrame
        From :func:`smsc_frames.plan.prepare`.
    client : smsc_frames.client.Client
    journal : str or path-like, optional
        The journal file (created ``0o600``). Running the same ``send`` with the same journal
        after a crash, a stop for lack of money or lost answers resumes: accepted requests are
        skipped, lost answers reconciled through ``status.php``, only provably unsent requests
        posted. Without one, the bookkeeping lives in memory for this call only.
    progress : bool
        Show a ``tqdm`` progress bar over recipients.
    max_workers : int
        Parallel requests, 1 to :data:`MAX_WORKERS` (SMSC refuses 15 concurrent ones).
    payloads : sequence of Payload, optional
        The requests to post (default ``payloads(plan)``), e.g. built with a smaller
        ``max_recipients``; a journal is tied to them.
    retry : RetryPolicy, optional

    Returns
    -------
    pandas.DataFrame
        On the plan's index: ``phone``, ``sms_id`` (the request id: with the phone it names the
        message on SMSC), ``mccmnc``, ``parts``, ``cost`` (Decimal), ``status`` (Int64, SMSC's
        status code, the same column :func:`smsc_frames.delivery.refresh_status` updates
        later), ``status_name``, ``error`` (Int64, SMSC's error for a refused number),
        ``sent_at`` (UTC: when the request was posted; missing when unknown), ``outcome`` (one
        of :data:`OUTCOMES`) and ``reason``. ``attrs["sandbox"]`` is True when the server was
        the sandbox (the reasons say so too).

        ``status`` right after sending: ``-1`` ("waiting", SMSC's "waiting to be sent") for
        every number SMSC accepted, SMSC's refusal for a number it refused inside an accepted
        request (22 wrong number, 23 forbidden, 20 undeliverable, ...; outcome ``not sent``,
        ``error`` says why), and for a request confirmed through ``status.php`` after a lost
        answer, the status that check reported (-3 "not found" for a number SMSC kept no trace
        of). Rows of requests that were not accepted have no status.

    Raises
    ------
    ValidationError
        The journal belongs to another plan, or ``max_workers`` is out of range.
    IpBlockedError, AuthError
        SMSC blocked the IP (wait up to 30 min) or refused the credentials; the journal keeps
        the state and the exception's ``results`` attribute holds the results so far.

    Warns
    -----
    UserWarning
        When some rows were not sent (no money, no connection) or their outcome is unknown.

    Examples
    --------
    >>> from smsc_frames.sandbox import Sandbox
    >>> from smsc_frames.client import Client
    >>> from smsc_frames.plan import prepare
    >>> contacts = pd.DataFrame({"phone": ["+7 916 123-45-67", "bad"], "text": ["Hi", "Hi"]})
    >>> with Sandbox() as sandbox:
    ...     results = send(prepare(contacts, phone="phone", text="text"),
    ...                    Client("demo", "demo", url=sandbox.url), progress=False)
    >>> results["outcome"].tolist(), results.attrs["sandbox"]
    (['sent', 'invalid'], True)
    """
    _check_workers(max_workers)
    requests = list(build_payloads(plan) if payloads is None else payloads)
    with Journal.open(journal, requests) as opened:
        sender = _Sender(client, opened, requests, retry or RetryPolicy(), max_workers, progress)
        entries = sender.run()
    results = _results(plan, requests, entries, client=client, stop_reason=sender.stop_reason)
    if journal is not None:
        results.attrs["journal"] = str(journal)
    if sender.fatal is not None:
        error = type(sender.fatal)(sender.fatal.code, _fatal_message(sender.fatal, journal))
        error.results = results
        raise error
    _warn_about_leftovers(results, entries, journal)
    return results


def _fatal_message(error: SmscApiError, journal: object) -> str:
    again = (
        f"run the same send with journal={str(journal)!r} to resume"
        if journal is not None
        else "pass journal=... next time so a run can resume"
    )
    if isinstance(error, IpBlockedError):
        return (
            f"{error.message}: SMSC blocks an IP for up to 30 minutes after frequent errors; "
            f"wait, then {again}"
        )
    return f"{error.message}: check the login, password or API key, then {again}"


def _warn_about_leftovers(
    results: pd.DataFrame, entries: list[JournalEntry], journal: object
) -> None:
    counts = results["outcome"].value_counts()
    unsent, unknown = int(counts["not sent"]), int(counts["unknown"])
    if not (unsent or unknown):
        return
    message = (
        f"{unsent} rows not sent and {unknown} with an unknown outcome (see the reason column)"
    )
    if any(_is_to_send(entry) or entry.state in _RECONCILE_PENDING for entry in entries):
        again = f"run the same send with journal={str(journal)!r}" if journal else "use a journal"
        message += f"; {again} to finish without sending anyone twice"
    warnings.warn(message, stacklevel=3)


def _request_reasons(entries: list[JournalEntry], stop_reason: str | None) -> dict[str, str]:
    """Why each request's rows were not (or not surely) sent, by payload id."""
    reasons = {}
    for entry in entries:
        answer = entry.answer or {}
        if entry.state in _RECONCILE_PENDING:
            reasons[entry.payload_id] = (
                "answer lost and not yet confirmed through status.php; run the same send with "
                "the journal to settle it (nothing is re-sent blindly)"
            )
        elif entry.state == "rejected" and answer.get("error_code") == 3:
            reasons[entry.payload_id] = (
                "insufficient funds (SMSC error 3): top up and run the same send with the journal"
            )
        elif entry.state == "rejected":
            code, text = answer.get("error_code"), answer.get("error")
            reasons[entry.payload_id] = f"SMSC error {code}: {text}"
        elif entry.state == "planned":
            reasons[entry.payload_id] = (
                f"not posted: campaign stopped ({stop_reason})"
                if stop_reason
                else "not posted yet; run the same send with the journal"
            )
    return reasons


def _results(
    plan: pd.DataFrame,
    requests: list[Payload],
    entries: list[JournalEntry],
    *,
    client: Any,
    stop_reason: str | None,
) -> pd.DataFrame:
    """The per-row results of a campaign, rebuilt from the journal alone."""
    rows = recipient_rows(plan, requests)
    by_id = {entry.payload_id: entry for entry in entries}
    accepted = {pid: e.answer or {} for pid, e in by_id.items() if e.state == "accepted"}
    sandbox = bool(client.is_sandbox) or any(a.get("sandbox") for a in accepted.values())

    payload_id = rows["payload_id"].reindex(plan.index)
    request = _RowRequests(payload_id)
    is_accepted = request.spread({pid: e.state == "accepted" for pid, e in by_id.items()}, False)
    is_open = request.spread(
        {pid: e.state in _RECONCILE_PENDING for pid, e in by_id.items()}, False
    )
    per_phone = _per_row(rows, _per_phone(accepted)).reindex(plan.index)

    results = pd.DataFrame(index=plan.index)
    results["phone"] = plan["phone"]
    results["sms_id"] = payload_id.where(is_accepted | is_open)
    results["mccmnc"] = per_phone["mccmnc"]
    results["parts"] = plan["parts"]
    results["cost"] = per_phone["cost"].astype(object).where(per_phone["cost"].notna(), None)
    status = per_phone["status"].astype("Int64")
    error = per_phone["error"].astype("Int64")
    refused = is_accepted & status.notna()  # op=1 fills status only for refusals
    found = _reconciled_statuses(rows, accepted).reindex(plan.index)
    status = status.where(found["status"].isna(), found["status"])
    found_refused = found["status"].isin(list(REFUSED_STATUSES)).astype(bool)
    error = error.where(~found_refused, found["err"])
    refused |= found_refused
    status[is_accepted & status.isna()] = WAITING
    results["status"] = status.astype("Int64")
    results["status_name"] = status_names(results["status"])
    results["error"] = error.astype("Int64")
    posted = {
        pid: answer.get("posted_at") if "reconciled" in answer else by_id[pid].answered_at
        for pid, answer in accepted.items()
    }
    results["sent_at"] = request.spread_dates(posted)

    reconciled = request.spread({pid: "reconciled" in a for pid, a in accepted.items()}, False)
    outcome = np.full(len(plan), OUTCOMES.index("not sent"), dtype=np.int8)
    outcome[is_accepted & ~refused.to_numpy()] = OUTCOMES.index("sent")
    outcome[is_open] = OUTCOMES.index("unknown")
    outcome[plan["duplicate_of"].notna() & ~plan["sendable"]] = OUTCOMES.index("duplicate")
    outcome[plan["problem"].notna() & ~plan["sendable"]] = OUTCOMES.index("invalid")
    sent = outcome == OUTCOMES.index("sent")

    reasons = request.spread(_request_reasons(entries, stop_reason))
    reason = pd.Series(reasons, index=plan.index, dtype=object)
    reason[sent] = "sandbox: accepted, no real SMS was sent" if sandbox else None
    reason[sent & reconciled] = (
        "sandbox: " if sandbox else ""
    ) + "accepted (answer lost, confirmed through status.php; cost and operator unknown)"
    reason[refused] = (
        "SMSC refused this number: "
        + results.loc[refused, "status_name"].astype(str)
        + " (error "
        + results.loc[refused, "error"].astype(str)
        + ")"
    )
    not_sendable = ~plan["sendable"].astype(bool)
    reason[not_sendable] = _plan_problems(plan)[not_sendable]
    results["outcome"] = pd.Categorical.from_codes(outcome, categories=OUTCOMES)
    results["reason"] = reason.where(reason.notna(), None)
    results.attrs["sandbox"] = sandbox
    return results


class _RowRequests:
    """Per-request values spread over the plan rows each request carries.

    The rows' payload ids are factorized once, so each spread is an array take rather than a
    dictionary lookup per row.
    """

    def __init__(self, payload_id: pd.Series) -> None:
        self.codes, self.ids = pd.factorize(payload_id)  # code -1: the row has no request
        self.index = payload_id.index

    def spread(self, values: Mapping[str, Any], missing: Any = None) -> np.ndarray:
        """``values[payload id]`` of every row; *missing* where the row has no request or value.

        A bool *missing* gives a bool array, anything else an object array.
        """
        table = np.empty(len(self.ids) + 1, dtype=bool if isinstance(missing, bool) else object)
        for position, pid in enumerate(self.ids):
            table[position] = values.get(pid, missing)
        table[-1] = missing  # what code -1 takes
        return table[self.codes]

    def spread_dates(self, stamps: Mapping[str, str | None]) -> pd.Series:
        """ISO timestamps per request as UTC datetimes of every row (each parsed once)."""
        texts = pd.Series([*(stamps.get(pid) for pid in self.ids), None], dtype=object)
        dates = pd.to_datetime(texts, utc=True, format="ISO8601")
        return pd.Series(dates.array.take(self.codes), index=self.index)


def _reconciled_statuses(rows: pd.DataFrame, accepted: dict[str, dict]) -> pd.DataFrame:
    """``status`` and ``err`` that ``status.php`` reported for reconciled rows, on *rows*' index.

    Only pairs the reconciliation asked about have values (the probed phone, or every phone of
    a request confirmed with a list request); other rows get missing values.
    """
    records = []
    for pid, answer in accepted.items():
        found = answer.get("reconciled")
        if not isinstance(found, dict):
            continue
        for phone, value in (found.get("statuses") or {}).items():
            records.append((pid, phone, value[0], value[1]))
        if "phone" in found:
            records.append((pid, found["phone"], found.get("status"), found.get("err")))
    frame = pd.DataFrame(records, columns=["payload_id", "phone", "status", "err"])
    frame = frame.astype({"payload_id": object, "phone": object, "status": "Int64", "err": "Int64"})
    return _per_row(rows, frame)


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """Count the rows, parts and cost of each outcome of :func:`send`.

    Returns
    -------
    pandas.DataFrame
        Indexed by outcome (every one of :data:`OUTCOMES`), columns ``recipients``, ``parts``
        (local count), ``cost`` (Decimal) and ``note`` (the most frequent reason).
        ``attrs["sandbox"]`` is carried over.

    Examples
    --------
    >>> results = pd.DataFrame({
    ...     "parts": [1, 2, 1], "cost": [Decimal("1.70"), Decimal("3.40"), None],
    ...     "outcome": pd.Categorical(["sent", "sent", "invalid"], categories=OUTCOMES),
    ...     "reason": [None, None, "too short"]})
    >>> summary = summarize(results)
    >>> summary.loc["sent"].to_dict()["cost"], int(summary.loc["sent", "parts"])
    (Decimal('5.10'), 3)
    >>> summary.loc["invalid", "note"], int(summary.loc["unknown", "recipients"])
    ('too short', 0)
    """
    grouped = results.groupby("outcome", observed=False)
    summary = pd.DataFrame(
        {
            "recipients": grouped.size(),
            "parts": grouped["parts"].sum(),
            "cost": grouped["cost"].agg(
                lambda costs: sum((c for c in costs if c is not None), Decimal(0))
            ),
            "note": grouped["reason"].agg(
                lambda reasons: reasons.mode().iloc[0] if reasons.notna().any() else None
            ),
        }
    )
    summary.attrs["sandbox"] = results.attrs.get("sandbox", False)
    return summary
