"""Delivery statuses and the account balance, asked of SMSC within its documented limits.

:func:`refresh_status` asks ``status.php`` in its *list form* through
:meth:`smsc_frames.api.SmscApi.status_list`: batches of ``SmscLimits.status_batch_size`` (id,
phone) pairs, one request at a time and at most one per ``SmscLimits.status_list_interval`` for
the account (SMSC answers error 9 to "more than one list request per minute").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from smsc_frames.api import SmscApi
from smsc_frames.errors import ValidationError
from smsc_frames.policy import RetryPolicy, SmscLimits
from smsc_frames.recipients import is_group, status_keys
from smsc_frames.responses import status_names


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
) -> pd.DataFrame:
    """Ask SMSC the delivery status of every sent row and return the updated results.

    Parameters
    ----------
    results : pandas.DataFrame
        The results of ``send``: rows with a non-null ``sms_id`` and ``phone`` were sent.
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
    api = SmscApi.of(client, retry, limits)

    ids = _id_text(results["sms_id"])
    phones = status_keys(results["phone"])  # e-mail and Telegram recipients as written
    # SMSC reports a G<n> group's messages under its members' numbers, never under G<n>
    sent = (ids.notna() & results["phone"].notna() & ~is_group(results["phone"])).to_numpy()
    pairs = pd.DataFrame({"id": ids[sent], "phone": phones[sent]}).drop_duplicates()
    pair_list = list(zip(pairs["id"], pairs["phone"]))
    if progress and pair_list:
        from tqdm.auto import tqdm

        with tqdm(total=len(pair_list), desc="status.php", unit="message") as bar:
            statuses = api.status_list(pair_list, progress=bar.update)
    else:
        statuses = api.status_list(pair_list)
    return _merge(results, ids, phones, sent, statuses)


def _id_text(sms_id: pd.Series) -> pd.Series:
    """Message ids as text; numeric ids (even stored as float) lose no digits and no ``.0``."""
    if pd.api.types.is_numeric_dtype(sms_id) and not pd.api.types.is_bool_dtype(sms_id):
        sms_id = sms_id.astype("Int64")
    text = sms_id.astype("str")
    return text.where(sms_id.notna() & (text != ""))


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
