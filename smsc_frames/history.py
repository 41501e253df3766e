"""Pure parsing of ``get.php?get_messages=1`` answers (the history of sent messages).

SMSC's history answers one page of the account's messages, newest first, each with its
delivery status as ``status.php`` gives it and ``int_id``, the store-wide number the next page
is asked by (``prev_id``: "messages sent before" it). :meth:`smsc_frames.api.SmscApi.history`
asks for a page and :meth:`~smsc_frames.api.SmscApi.history_pages` pages; this module only
reads what came back.

Examples
--------
>>> page = parse_history([
...     {"status": 1, "last_date": "18.10.2016 15:34:17", "last_timestamp": 1476794057,
...      "err": 0, "send_date": "18.10.2016 15:34:12", "send_timestamp": 1476794052,
...      "phone": "79161234567", "cost": "5.45", "sender_id": "", "status_name": "Delivered",
...      "message": "Hi", "mccmnc": "25001", "type": 0, "sms_cnt": 1, "id": "c-1", "int_id": 7}])
>>> page[["id", "int_id", "phone", "status", "status_name", "err"]].values.tolist()
[['c-1', 7, '79161234567', 1, 'delivered', 0]]
>>> str(page.loc[0, "last_date"]), page.loc[0, "cost"]
('2016-10-18 15:34:17', Decimal('5.45'))
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone

import pandas as pd

from smsc_frames.responses import (
    SMSC_DATE_FORMAT,
    _decimal_column,
    malformed,
    raise_for_error,
    status_names,
)

PAGE_SIZE = 1000
"""Messages per history request: SMSC's maximum ``cnt``."""

MAX_PERIOD_DAYS = 182
"""The longest period one history request covers: SMSC allows "half a year"."""

MOSCOW = timezone(timedelta(hours=3))
"""SMSC's dates (``start``, ``end``, ``send_date``) are Moscow time."""

HISTORY_COLUMNS = [
    "id", "int_id", "phone", "status", "status_name", "err", "last_date", "send_date", "cost",
    "sms_cnt", "mccmnc", "message", "status_text",
]  # fmt: skip
"""The columns of :func:`parse_history`, in order."""


def parse_history(answer: object) -> pd.DataFrame:
    """One ``get.php?get_messages=1`` answer (``fmt=3``) as a DataFrame, in the server's order.

    Parameters
    ----------
    answer : list of Mapping
        The decoded JSON array (an empty one is an empty page).

    Returns
    -------
    pandas.DataFrame
        :data:`HISTORY_COLUMNS`: ``id``, ``phone``, ``mccmnc``, ``message`` (str), ``int_id``,
        ``status``, ``err``, ``sms_cnt`` (Int64), ``status_name`` (our English name),
        ``last_date`` and ``send_date`` (datetime, Moscow wall-clock time), ``cost`` (Decimal),
        ``status_text`` (SMSC's own status name). Numbers may come as JSON numbers or strings;
        a known status without ``err`` has err 0, as in :func:`~smsc_frames.responses.parse_status`.

    Raises
    ------
    SmscApiError
        *answer* is an error object.
    SmscConnectionError
        *answer* is not a list of objects, or a record has no ``int_id`` (``maybe_sent=True``:
        the question reached the server).
    """
    answer = history_records(answer)
    raw = pd.DataFrame.from_records(answer, columns=_RAW_KEYS, index=pd.RangeIndex(len(answer)))
    raw = raw.astype(object).where(raw.notna() & raw.ne(""), None)
    frame = pd.DataFrame(index=raw.index)
    frame["id"] = raw["id"].astype("str")
    frame["int_id"] = _integers(raw["int_id"])
    if frame["int_id"].isna().any():
        raise malformed("a get.php record has no int_id")
    frame["phone"] = raw["phone"].astype("str").str.lstrip("+")
    frame["status"] = _integers(raw["status"])
    frame["status_name"] = status_names(frame["status"])
    known = frame["status"].notna() & frame["status"].ne(-3)
    # a known status without err says "no error" (SMSC may leave a zero err out)
    frame["err"] = _integers(raw["err"]).mask(raw["err"].isna() & known.astype(bool), 0)
    for name in ("last_date", "send_date"):
        frame[name] = pd.to_datetime(raw[name], format=SMSC_DATE_FORMAT, errors="coerce").astype(
            "datetime64[us]"
        )
    frame["cost"] = _decimal_column(raw["cost"]).set_axis(raw.index)
    frame["sms_cnt"] = _integers(raw["sms_cnt"])
    for name, column in (
        ("mccmnc", "mccmnc"),
        ("message", "message"),
        ("status_text", "status_name"),
    ):
        frame[name] = raw[column].astype("str")
    return frame


def history_records(answer: object) -> list[Mapping]:
    """*answer* when it is a list of objects (records), else the error it is or a malformed one.

    Examples
    --------
    >>> history_records({"error": "duplicate request, wait a minute", "error_code": 9})
    Traceback (most recent call last):
    ...
    smsc_frames.errors.DuplicateRequestError: SMSC error 9: duplicate request, wait a minute
    """
    raise_for_error(answer)
    if not isinstance(answer, list) or not all(
        issubclass(kind, Mapping) for kind in set(map(type, answer))
    ):
        raise malformed("get.php answer is not a list of objects")
    return answer


def oldest_int_id(records: list[Mapping]) -> int:
    """The smallest ``int_id`` of a page of records: the next page's ``prev_id``.

    Examples
    --------
    >>> oldest_int_id([{"int_id": 9}, {"int_id": "7"}])
    7
    """
    try:
        return min(int(record["int_id"]) for record in records)
    except (KeyError, TypeError, ValueError):
        raise malformed("a get.php record has no int_id") from None


def _integers(values: pd.Series) -> pd.Series:
    """JSON numbers or digit strings, ``None`` missing -> ``Int64``."""
    return pd.to_numeric(values, errors="coerce").astype("Int64")


_RAW_KEYS = (
    "id", "int_id", "phone", "status", "err", "last_date", "send_date", "cost", "sms_cnt",
    "mccmnc", "message", "status_name",
)  # fmt: skip


def moscow_day(moment: datetime | pd.Timestamp) -> date:
    """The Moscow calendar day of *moment* (a naive moment is read as UTC).

    Examples
    --------
    >>> moscow_day(datetime(2026, 12, 3, 22, 30))
    datetime.date(2026, 12, 4)
    """
    stamp = pd.Timestamp(moment)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(MOSCOW).date()


def smsc_day(day: date) -> str:
    """*day* as SMSC's ``start``/``end`` want it: ``dd.mm.yyyy``.

    Examples
    --------
    >>> smsc_day(date(2016, 10, 8))
    '08.10.2016'
    """
    return day.strftime("%d.%m.%Y")
