"""Delivery statuses and the account balance, asked of SMSC within its documented limits.

:func:`refresh_status` asks ``status.php`` in its *list form* (``id`` and ``phone`` comma lists
paired in order), one request at a time and at most one per ``min_interval`` seconds, because SMSC
answers error 9 to "more than one list request per minute" and to 5+ concurrent status requests.

Batch size: :data:`STATUS_BATCH_SIZE` = 1000 (id, phone) pairs per request. An id is at most 40
characters and a phone at most 15 digits, each followed by an url-encoded comma (``%2C``), so a
request body stays under 1000 x (40 + 3 + 15 + 3) = 61 KB, well inside the 256 KiB body limit the
project assumes for SMSC, while 10,000 messages need 10 requests (10 minutes at the default pace).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal

import numpy as np
import pandas as pd

from smsc_frames.client import Client
from smsc_frames.errors import DuplicateRequestError, SmscConnectionError, ValidationError
from smsc_frames.responses import parse_balance, parse_status, status_names

STATUS_BATCH_SIZE = 1000
"""(id, phone) pairs per ``status.php`` list request (see the module docstring)."""

LIST_REQUEST_INTERVAL = 60.0
"""SMSC: "more than one list request per minute" -> error 9."""


def balance(client: Client) -> Decimal:
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
    >>> with Sandbox() as sandbox:
    ...     balance(Client("demo", "demo", url=sandbox.url, environ={}))
    Decimal('1000.00')
    """
    return parse_balance(client.call("balance.php", {}))


class Pacer:
    """Space calls at least *interval* seconds apart (start to start).

    Examples
    --------
    >>> now = [0.0]
    >>> pacer = Pacer(60.0, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    >>> pacer.wait(); now[0] += 5.0; pacer.wait(); now[0]  # the second call waited 55 s
    60.0
    """

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        """Sleep until *interval* has passed since the previous call, then mark this one."""
        if self._last is not None:
            remaining = self._last + self.interval - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last = self._clock()


def refresh_status(
    results: pd.DataFrame,
    client: Client,
    *,
    min_interval: float = LIST_REQUEST_INTERVAL,
    batch_size: int = STATUS_BATCH_SIZE,
    progress: bool = False,
    busy_retries: int = 3,
    busy_wait: float = LIST_REQUEST_INTERVAL,
    transport_retries: int = 2,
) -> pd.DataFrame:
    """Ask SMSC the delivery status of every sent row and return the updated results.

    Parameters
    ----------
    results : pandas.DataFrame
        The results of ``send``: rows with a non-null ``sms_id`` and ``phone`` were sent.
    client : Client
    min_interval : float, default 60.0
        Seconds between the starts of two ``status.php`` list requests (SMSC allows one a minute).
    batch_size : int, default 1000
        (id, phone) pairs per request.
    progress : bool, default False
        Show a ``tqdm`` bar over the requests.
    busy_retries : int, default 3
        How often a request answered with error 9 is repeated, each after *busy_wait* seconds.
    busy_wait : float, default 60.0
    transport_retries : int, default 2
        How often a request that failed in transport is repeated (status queries change
        nothing, so repeating them is safe), each after *min_interval*.

    Returns
    -------
    pandas.DataFrame
        A copy of *results* on the same index with ``status`` (Int64), ``status_name``,
        ``error`` (Int64: SMSC's ``err`` inside the status) and ``last_date`` (datetime) updated
        for the rows SMSC reported; other rows and columns are unchanged. A "not found" answer
        (-3) is written only where no status was known yet, so it never hides the status
        ``send`` reported (such as 22, wrong number).

    Raises
    ------
    ValidationError
        *results* lacks ``sms_id`` or ``phone``, or a parameter is out of range.
    SmscApiError, SmscConnectionError
        When SMSC keeps refusing or the transport keeps failing; nothing is half-updated.

    Examples
    --------
    >>> from smsc_frames.sandbox import Sandbox
    >>> with Sandbox() as sandbox:
    ...     client = Client("demo", "demo", url=sandbox.url, environ={})
    ...     _ = client.call("send.php", {"phones": "79991234567", "mes": "Hi", "id": "d-1"})
    ...     sent = pd.DataFrame({"phone": ["79991234567"], "sms_id": ["d-1"]})
    ...     refresh_status(sent, client, min_interval=0)["status_name"].notna().all()
    np.True_
    """
    for column in ("sms_id", "phone"):
        if column not in results.columns:
            raise ValidationError("results", f"needs a {column!r} column (the output of send)")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValidationError("batch_size", "must be an integer >= 1", batch_size)
    for name, seconds in (("min_interval", min_interval), ("busy_wait", busy_wait)):
        if not seconds >= 0:
            raise ValidationError(name, "must be a number of seconds >= 0", seconds)

    ids = _id_text(results["sms_id"])
    phones = results["phone"].astype("str").str.replace(r"\D", "", regex=True)
    sent = (ids.notna() & results["phone"].notna()).to_numpy()
    pairs = pd.DataFrame({"id": ids[sent], "phone": phones[sent]}).drop_duplicates()

    pacer = Pacer(min_interval)
    answers = [
        _ask(client, batch, pacer, busy_retries, busy_wait, transport_retries)
        for batch in _progress(_batches(pairs, batch_size), len(pairs), batch_size, progress)
    ]
    statuses = pd.concat(answers, ignore_index=True) if answers else parse_status([])
    return _merge(results, ids, phones, sent, statuses)


def _id_text(sms_id: pd.Series) -> pd.Series:
    """Message ids as text; numeric ids (even stored as float) lose no digits and no ``.0``."""
    if pd.api.types.is_numeric_dtype(sms_id) and not pd.api.types.is_bool_dtype(sms_id):
        sms_id = sms_id.astype("Int64")
    text = sms_id.astype("str")
    return text.where(sms_id.notna() & (text != ""))


def _batches(pairs: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(pairs), size):
        yield pairs.iloc[start : start + size]


def _progress(
    batches: Iterator[pd.DataFrame], total_pairs: int, size: int, shown: bool
) -> Iterator[pd.DataFrame]:
    if not shown:
        return batches
    from tqdm.auto import tqdm

    return tqdm(batches, total=-(-total_pairs // size), desc="status.php", unit="request")


def _ask(
    client: Client,
    batch: pd.DataFrame,
    pacer: Pacer,
    busy_retries: int,
    busy_wait: float,
    transport_retries: int,
) -> pd.DataFrame:
    """One list request, repeated after error 9 or a transport fault (both safe here)."""
    params = {
        # The trailing comma keeps the list form (and its id/phone echo) for a single pair.
        "id": ",".join(batch["id"]) + ("," if len(batch) == 1 else ""),
        "phone": ",".join(batch["phone"]) + ("," if len(batch) == 1 else ""),
        "all": "1",
    }
    busy, faults = 0, 0
    while True:
        pacer.wait()
        try:
            return parse_status(client.call("status.php", params))
        except DuplicateRequestError:
            busy += 1
            if busy > busy_retries:
                raise
            time.sleep(busy_wait)
        except SmscConnectionError:
            faults += 1
            if faults > transport_retries:
                raise


def _merge(
    results: pd.DataFrame,
    ids: pd.Series,
    phones: pd.Series,
    sent: np.ndarray,
    statuses: pd.DataFrame,
) -> pd.DataFrame:
    """Copy *results* and write the reported statuses onto the rows they belong to."""
    reported = statuses.assign(phone=statuses["phone"].str.replace(r"\D", "", regex=True))
    reported = reported.drop_duplicates(["id", "phone"], keep="last").set_index(["id", "phone"])
    keys = pd.MultiIndex.from_arrays([ids[sent], phones[sent]])
    found = reported.reindex(keys)
    out = results.copy()
    known_before = out["status"].notna().to_numpy()[sent] if "status" in out else False
    # -3 only says "not found": it must not erase a status we already know (say 22 from send).
    has = (found["status"].notna() & ~((found["status"] == -3) & known_before)).to_numpy()
    rows = np.flatnonzero(sent)[has]

    updates = {
        "status": found["status"].astype("Int64"),
        "error": found["err"].astype("Int64"),
        "last_date": found["last_date"],
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
