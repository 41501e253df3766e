"""Delivery statuses and the account balance, asked of SMSC within its documented limits.

:func:`refresh_status` has two ways to ask, and picks one by the campaign's size
(:func:`choose_method`):

* ``"list"``: ``status.php`` in its *list form* through
  :meth:`smsc_frames.api.SmscApi.status_list`: batches of ``SmscLimits.status_batch_size``
  (id, phone) pairs, one request at a time and at most one per
  ``SmscLimits.status_list_interval`` for the account (SMSC answers error 9 to "more than one
  list request per minute"): 1,000 messages a minute, 17 hours for a million.
* ``"history"``: the account's history of sent messages (``get.php?get_messages=1``) over the
  campaign's days, through :meth:`smsc_frames.api.SmscApi.history_pages`: 1,000 messages a
  request and no wait between requests, newest first, until every message asked about has been
  seen. Messages the history does not give (sent more than half a year ago, deleted, never
  accepted) are then asked by the list form, so every row gets the answer the list path gives.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from smsc_frames.api import SmscApi
from smsc_frames.campaign import NOT_FOUND, WAITING
from smsc_frames.errors import ValidationError
from smsc_frames.history import MAX_PERIOD_DAYS, MOSCOW, moscow_day
from smsc_frames.policy import RetryPolicy, SmscLimits
from smsc_frames.recipients import is_group, status_keys
from smsc_frames.responses import parse_status, status_names
from smsc_frames.sandboxmark import server_name
from smsc_frames.zonedtimes import moscow_time, with_zones_from_headers

#: History pages parsed together at most (1, 2, 4... up to this): see SmscApi.history_pages.
HISTORY_GROUP = 32

METHODS = ("auto", "history", "list")
"""How :func:`refresh_status` may ask: chosen by size, the history, or status lists."""


def balance(client: Any) -> Decimal:
    """The account balance from ``balance.php``, exact.

    Parameters
    ----------
    client : Client

    Returns
    -------
    decimal.Decimal

    Examples
    --------
    >>> from smsc_frames.sandbox import Sandbox
    >>> from smsc_frames.client import Client
    >>> with Sandbox() as sandbox:
    ...     balance(Client("demo", "demo", url=sandbox.url, environ={}))
    Decimal('1000.00')
    """
    return SmscApi.of(client).balance()


def refresh_status(
    results: pd.DataFrame,
    client: Any,
    *,
    retry: RetryPolicy | None = None,
    limits: SmscLimits | None = None,
    progress: bool = False,
    method: str = "auto",
) -> pd.DataFrame:
    """Ask SMSC the delivery status of every sent row and return the updated results.

    Parameters
    ----------
    results : pandas.DataFrame
        The results of ``send``: rows with a non-null ``sms_id`` and ``phone`` were sent.
        Also as read back from a results file: numeric phones and ids are taken as text, and
        zoned headers such as ``sent_at (UTC)`` as their columns (renamed in the result).
    client : Client
    retry : RetryPolicy, optional
        A list request refused with error 9 or lost in transit (status questions change
        nothing, so repeating them is safe) is repeated after the next pacing slot, up to
        ``retry.retries`` times.
    limits : SmscLimits, optional
        ``status_list_interval`` (60 s: SMSC allows one list request a minute) and
        ``status_batch_size`` (1,000 pairs per request).
    progress : bool, default False
        Show a ``tqdm`` bar over the (id, phone) pairs.
    method : {"auto", "history", "list"}, default "auto"
        ``"auto"``: :func:`choose_method` by the number of pairs (status lists up to one list
        request, the history beyond); or force one. Both give the same result: the history is
        read over the Moscow days of the ``sent_at`` column (the last half year without one),
        and pairs it does not give are asked by status lists. Under ``"auto"`` the history is
        read for at most the time the list path would take (:func:`list_seconds`), then the
        list path takes the rest.

    Returns
    -------
    pandas.DataFrame
        A copy of *results* on the same index with ``status`` (Int64), ``status_name``,
        ``error`` (Int64: SMSC's ``err`` inside the status) and ``last_date`` (Moscow time,
        zone attached, so it subtracts from ``sent_at`` and exports with its zone) updated
        for the rows SMSC reported; other rows and columns are unchanged. A "not found" answer
        (-3) replaces only "waiting" (-1) or no status, so it never hides a status SMSC
        reported (such as 22, wrong number, from ``send``); a warning counts the rows it turned
        "not found".
        ``attrs["sandbox"]`` is set when the sandbox answered.

    Raises
    ------
    ValidationError
        *results* lacks ``sms_id`` or ``phone``.
    SmscApiError, SmscConnectionError
        When SMSC keeps refusing or the transport keeps failing; nothing is half-updated.

    Examples
    --------
    >>> from smsc_frames.sandbox import Sandbox
    >>> from smsc_frames.client import Client
    >>> with Sandbox() as sandbox:
    ...     client = Client("demo", "demo", url=sandbox.url, environ={})
    ...     _ = client.call("send.php", {"phones": "79991234567", "mes": "Hi", "id": "d-1"})
    ...     sent = pd.DataFrame({"phone": ["79991234567"], "sms_id": ["d-1"]})
    ...     refresh_status(sent, client)["status_name"].notna().all()
    np.True_
    """
    for column in ("sms_id", "phone"):
        if column not in results.columns:
            raise ValidationError("results", f"needs a {column!r} column (the output of send)")
    if method not in METHODS:
        raise ValidationError("method", f"must be one of {', '.join(METHODS)}", method)
    api = SmscApi.of(client, retry, limits)
    results = with_zones_from_headers(results)  # "sent_at (UTC)" as to_csv/to_excel wrote it

    ids = _as_text(results["sms_id"])
    recipients = _as_text(results["phone"])  # numbers when read back by pd.read_csv/read_excel
    phones = status_keys(recipients)  # e-mail and Telegram recipients as written
    # SMSC reports a G<n> group's messages under its members' numbers, never under G<n>
    sent = (ids.notna() & recipients.notna() & ~is_group(recipients)).to_numpy()
    pairs = pd.DataFrame({"id": ids[sent], "phone": phones[sent]}).drop_duplicates()
    pair_list = list(zip(pairs["id"], pairs["phone"]))
    chosen = choose_method(len(pair_list), api.limits) if method == "auto" else method
    with _progress_bar(progress, len(pair_list), chosen) as update:
        if chosen == "history" and pair_list:
            budget = list_seconds(len(pair_list), api.limits) if method == "auto" else None
            start, end = history_period(results["sent_at"][sent] if "sent_at" in results else None)
            statuses = _from_history(api, pair_list, start, end, budget, update)
        else:
            statuses = api.status_list(pair_list, progress=update)
    refreshed = _merge(results, ids, phones, sent, statuses)
    _warn_not_found(results, refreshed, api.is_sandbox)
    if api.is_sandbox:  # what the sandbox answered must never pass for SMSC's word
        refreshed.attrs["sandbox"] = True
    return refreshed


def list_seconds(pairs: int, limits: SmscLimits) -> float:
    """The least time status lists take for *pairs* messages: their pacing waits.

    ``ceil(pairs / status_batch_size)`` requests, one per ``status_list_interval``.

    Examples
    --------
    >>> list_seconds(1_000_000, SmscLimits()) / 3600  # 1,000 requests a minute apart
    16.65
    >>> list_seconds(1000, SmscLimits())  # one request: no wait
    0.0
    """
    requests = math.ceil(pairs / limits.status_batch_size)
    return max(requests - 1, 0) * limits.status_list_interval


def choose_method(pairs: int, limits: SmscLimits) -> str:
    """``"list"`` when one ``status.php`` list request answers every pair, else ``"history"``.

    The list path asks ``status_batch_size`` (1,000) messages a request and waits
    ``status_list_interval`` (60 s) before each further request (:func:`list_seconds`); the
    history path asks 1,000 messages a request with no wait between requests, but pages
    through every message the account sent in those days, the campaign's and any other. Up
    to one list request, the list is never slower and asks about exactly these messages; a
    second list request already waits a minute, time in which the history reads tens of
    thousands of messages (a page takes well under a second on SMSC and ~10 ms on the
    sandbox; benchmarks/statuses.py).

    Examples
    --------
    >>> choose_method(1000, SmscLimits()), choose_method(1001, SmscLimits())
    ('list', 'history')
    """
    return "list" if pairs <= limits.status_batch_size else "history"


def history_period(sent_at: pd.Series | None, today: date | None = None) -> tuple[date, date]:
    """The Moscow days the history is read over: those of *sent_at*, a day either side.

    Without send times (none given or none known): the last :data:`MAX_PERIOD_DAYS` up to
    *today* (Moscow). A span longer than SMSC's half year keeps its newest part (the list
    path asks about the rest).

    Examples
    --------
    >>> sent = pd.Series(pd.to_datetime(["2026-12-01 21:30", "2026-12-02 08:00"], utc=True))
    >>> history_period(sent)
    (datetime.date(2026, 12, 1), datetime.date(2026, 12, 3))
    >>> history_period(None, today=date(2026, 12, 4))
    (datetime.date(2026, 6, 5), datetime.date(2026, 12, 4))
    """
    known = None if sent_at is None else pd.to_datetime(sent_at, utc=True).dropna()
    if known is None or known.empty:
        end = today or datetime.now(MOSCOW).date()
        return end - timedelta(days=MAX_PERIOD_DAYS), end
    start = moscow_day(known.min()) - timedelta(days=1)
    end = moscow_day(known.max()) + timedelta(days=1)
    return max(start, end - timedelta(days=MAX_PERIOD_DAYS)), end


def _from_history(
    api: SmscApi,
    pairs: list[tuple[str, str]],
    start: date,
    end: date,
    budget: float | None,
    progress: Callable[[int], None] | None,
) -> pd.DataFrame:
    """Statuses of *pairs* from the history pages, then status lists for the pairs not seen.

    Pages are read newest first until every pair was seen, the history ends, or *budget*
    seconds have passed. A pair seen twice (a message sent again under the same id) takes its
    newest record, as ``status.php`` does.
    """
    remaining = set(pairs)
    wanted_ids = {sms_id for sms_id, _ in pairs}
    found = []
    began = time.monotonic()
    for page in api.history_pages(start, end, group=HISTORY_GROUP):
        page = page[page["id"].isin(wanted_ids)]
        page = page.assign(phone=status_keys(page["phone"]))
        keys = list(zip(page["id"], page["phone"]))
        new = np.fromiter((key in remaining for key in keys), dtype=bool, count=len(keys))
        new &= ~page.duplicated(["id", "phone"]).to_numpy()  # the newest of a frame counts
        remaining.difference_update(keys)
        found.append(page[new])
        if progress is not None and new.any():
            progress(int(new.sum()))
        if not remaining or (budget is not None and time.monotonic() - began > budget):
            break
    missing = [pair for pair in pairs if pair in remaining]
    listed = api.status_list(missing, progress=progress) if missing else parse_status([])
    columns = ["id", "phone", "status", "err", "last_date"]
    # each pair once, from the history or the lists (_merge would keep a pair's last record)
    return pd.concat([*(frame[columns] for frame in found), listed[columns]], ignore_index=True)


def _warn_not_found(before: pd.DataFrame, after: pd.DataFrame, sandbox: bool) -> None:
    """Warn of the rows this refresh turned "not found" (-3): the server knows no message of
    theirs. Rows that already read so are not counted again."""
    was = pd.to_numeric(before["status"], errors="coerce") if "status" in before else None
    now_not_found = after["status"].eq(NOT_FOUND).fillna(False)
    if was is not None:
        now_not_found &= ~was.eq(NOT_FOUND).fillna(False)
    count = int(now_not_found.sum())
    if count:
        warnings.warn(
            f"{server_name(sandbox, first=True)} does not know the messages of {count:,} "
            f"row{'s' if count > 1 else ''} (status -3, not found): asked with another login "
            "than the one that sent them, deleted, or older than the history keeps",
            stacklevel=3,
        )


@contextmanager
def _progress_bar(shown: bool, total: int, method: str) -> Iterator[Callable[[int], None] | None]:
    """A ``tqdm`` bar's ``update`` over *total* messages when *shown*, else None."""
    if not shown or not total:
        yield None
        return
    from tqdm.auto import tqdm

    desc = "get.php history" if method == "history" else "status.php"
    with tqdm(total=total, desc=desc, unit="message") as bar:
        yield bar.update


def _as_text(values: pd.Series) -> pd.Series:
    """Ids or phones as text, missing where empty: numbers (even stored as float, as
    ``pd.read_excel`` reads a column with a blank cell) lose no digits and gain no ``.0``.

    Examples
    --------
    >>> _as_text(pd.Series([79161234567.0, None])).tolist()
    ['79161234567', nan]
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        values = values.astype("Int64")
    text = values.astype("str")
    return text.where(values.notna() & (text != ""))


def _merge(
    results: pd.DataFrame,
    ids: pd.Series,
    phones: pd.Series,
    sent: np.ndarray,
    statuses: pd.DataFrame,
) -> pd.DataFrame:
    """Copy *results* and write the reported statuses onto the rows they belong to."""
    reported = statuses.assign(phone=status_keys(statuses["phone"]))
    reported = reported.drop_duplicates(["id", "phone"], keep="last").set_index(["id", "phone"])
    keys = pd.MultiIndex.from_arrays([ids[sent], phones[sent]])
    found = reported.reindex(keys)
    out = results.copy()
    before = pd.to_numeric(out["status"], errors="coerce") if "status" in out else None
    # -3 only says "not found": it must not erase a status SMSC reported (22 from send, 1 from an
    # earlier check), but it does replace "waiting" (-1), which nothing confirmed since.
    reported_before = (
        False if before is None else (before.notna() & (before != WAITING)).to_numpy()[sent]
    )
    not_found = (found["status"] == NOT_FOUND).fillna(False).to_numpy()
    has = found["status"].notna().to_numpy() & ~(not_found & reported_before)
    rows = np.flatnonzero(sent)[has]

    if "last_date" in out.columns:
        out["last_date"] = moscow_time(out["last_date"])
    updates = {
        "status": found["status"].astype("Int64"),
        "error": found["err"].astype("Int64"),
        "last_date": moscow_time(found["last_date"]),
    }
    for column, values in updates.items():
        current = out[column] if column in out.columns else pd.Series(pd.NA, index=out.index)
        current = current.astype(values.dtype)
        current.iloc[rows] = values.to_numpy()[has]
        out[column] = current
    # status_name is derived from status: recompute it wherever a status is known.
    names = (
        out["status_name"].astype(object)
        if "status_name" in out.columns
        else pd.Series(None, index=out.index, dtype=object)
    )
    known = out["status"].notna()
    names[known] = status_names(out["status"][known])
    out["status_name"] = names.astype("str")
    return out
