"""Pure parsing of SMSC's ``fmt=3`` (JSON) answers into typed values and DataFrames.

Nothing here touches the network: :mod:`smsc_frames.client` hands the decoded JSON to these
functions, and the tests feed them the literal answers from the API digest
(``docs/../shared/spec/smsc-http-api.md``).

Money stays exact: SMSC sends ``cost`` and ``balance`` as decimal strings (``"1.40"``), which
become :class:`decimal.Decimal` without ever passing through ``float``.

Examples
--------
>>> answer = parse_send({"id": 1234, "cnt": 2, "cost": "1.40", "balance": "100.50"})
>>> answer.id, answer.cnt, answer.cost, answer.balance
('1234', 2, Decimal('1.40'), Decimal('100.50'))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pandas as pd

from smsc_frames.errors import SmscConnectionError, api_error

STATUS_NAMES: dict[int, str] = {
    -3: "not found",
    -2: "stopped",
    -1: "waiting",
    0: "with operator",
    1: "delivered",
    2: "read",
    3: "expired",
    4: "clicked",
    20: "undeliverable",
    22: "wrong number",
    23: "forbidden",
    24: "no money",
    25: "unreachable",
}
"""Delivery status code (``status``) -> short English name, from SMSC's status table."""

ERROR_NAMES: dict[int, str] = {
    0: "no error",
    1: "subscriber does not exist",
    6: "subscriber offline",
    11: "no SMS service",
    12: "phone or SIM error",
    13: "subscriber blocked",
    21: "service not supported",
    200: "virtual send (test mode)",
    219: "SIM replaced",
    220: "operator queue full",
    241: "conversion error",
    242: "answering machine",
    243: "no contract",
    244: "mailing forbidden",
    245: "no status within 24 h",
    246: "time restriction",
    247: "daily limit exceeded",
    248: "no route",
    249: "invalid number format",
    250: "number forbidden by client settings",
    251: "per-number limit (flood)",
    252: "number forbidden",
    253: "spam filter",
    254: "unregistered sender",
    255: "rejected by operator",
}
"""Error code inside a delivery status (``err``) -> short English name."""

SMSC_DATE_FORMAT = "%d.%m.%Y %H:%M:%S"
"""How SMSC writes ``last_date`` and ``send_date`` (``18.10.2016 15:34:12``, Moscow time)."""


@dataclass(frozen=True)
class SendAnswer:
    """The answer to one ``send.php`` request.

    Attributes
    ----------
    id : str or None
        The message id (the one we sent as ``id=``, or the server's); ``None`` for ``cost=1``.
    cnt : int
        SMS parts x recipients (seconds for calls).
    cost : Decimal or None
        Present with ``cost=1``, ``2`` and ``3``.
    balance : Decimal or None
        The new balance, present with ``cost=3``.
    phones : pandas.DataFrame or None
        One row per number with ``op=1`` (see :func:`phones_frame`).
    """

    id: str | None
    cnt: int
    cost: Decimal | None
    balance: Decimal | None
    phones: pd.DataFrame | None


def malformed(what: str) -> SmscConnectionError:
    """Build the error for an answer that is valid JSON but not the expected shape.

    The request reached the server, so its outcome is unknown (``maybe_sent=True``).

    Examples
    --------
    >>> malformed("send.php answer has no cnt").maybe_sent
    True
    """
    return SmscConnectionError(f"malformed answer: {what}", maybe_sent=True)


def raise_for_error(answer: object) -> None:
    """Raise the matching :class:`~smsc_frames.errors.SmscApiError` if *answer* is an error.

    SMSC reports every error with HTTP 200 and ``{"error": ..., "error_code": N}`` (plus ``id``
    for errors 3, 6, 7 and 8).

    Examples
    --------
    >>> raise_for_error({"id": 1, "cnt": 1})
    >>> raise_for_error({"error": "no money", "error_code": 3, "id": 17})
    Traceback (most recent call last):
    ...
    smsc_frames.errors.InsufficientFundsError: SMSC error 3: no money, id 17
    """
    if isinstance(answer, Mapping) and "error_code" in answer:
        try:
            code = int(answer["error_code"])
        except (TypeError, ValueError):
            raise malformed(f"error_code {answer['error_code']!r} is not a number") from None
        sms_id = answer.get("id")
        raise api_error(code, str(answer.get("error", "")), None if sms_id is None else str(sms_id))


def to_decimal(value: object) -> Decimal | None:
    """Parse a money value from SMSC (``"1.40"``) exactly; empty or missing gives ``None``.

    Examples
    --------
    >>> to_decimal("0.10") + to_decimal("0.20")
    Decimal('0.30')
    >>> to_decimal("") is None
    True
    """
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise malformed(f"{value!r} is not a decimal amount") from None


def parse_send(answer: Mapping) -> SendAnswer:
    """Parse a successful ``send.php`` answer (any ``cost=`` mode, with or without ``op=1``).

    Parameters
    ----------
    answer : Mapping
        The decoded JSON object.

    Returns
    -------
    SendAnswer

    Raises
    ------
    SmscApiError
        When *answer* carries an ``error_code``.
    SmscConnectionError
        When *answer* has no ``cnt`` (``maybe_sent=True``).

    Examples
    --------
    >>> quote = parse_send({"cost": "1.40", "cnt": 2})
    >>> quote.id is None, quote.cost
    (True, Decimal('1.40'))
    """
    raise_for_error(answer)
    if not isinstance(answer, Mapping) or "cnt" not in answer:
        raise malformed(f"send.php answer without cnt: {str(answer)[:80]!r}")
    sms_id = answer.get("id")
    return SendAnswer(
        id=None if sms_id is None else str(sms_id),
        cnt=int(answer["cnt"]),
        cost=to_decimal(answer.get("cost")),
        balance=to_decimal(answer.get("balance")),
        phones=phones_frame(answer) if "phones" in answer else None,
    )


def _blank_to_none(values: Iterable) -> pd.Series:
    """Object Series with ``""``, ``None`` and NaN all turned into ``None`` (one vector pass)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    series = series.astype(object)
    return series.where(series.notna() & (series != ""), None)


def _int_column(values: Iterable) -> pd.Series:
    """Integers (or digit strings) with ``""``/``None`` as missing -> ``Int64``."""
    numbers = pd.to_numeric(_blank_to_none(values), errors="coerce")
    return numbers.astype("Int64")


def _text_column(values: Iterable) -> pd.Series:
    """Any scalars -> ``str``, with ``""``/``None`` as missing."""
    return _blank_to_none(values).astype("str")


def _decimal_column(values: Iterable) -> pd.Series:
    """Money values -> Decimal (object), ``""``/``None`` as ``None``; each distinct one parsed once.

    Parsing the text of a value gives what :func:`to_decimal` gives for the value itself, and
    costs repeat a lot, so a dict of the distinct texts does the work.
    """
    texts = _text_column(values)
    parsed = {text: to_decimal(text) for text in texts.dropna().unique()}
    amounts = texts.map(parsed).astype(object)
    return amounts.where(amounts.notna(), None)


PHONE_KEYS = ("phone", "mccmnc", "cost", "status", "error")
"""The keys of one number in the ``op=1`` list of a ``send.php`` answer."""


def phone_rows(answer: Mapping | list) -> list[Mapping]:
    """The ``op=1`` per-number list of a ``send.php`` answer, checked but not converted.

    Cheap enough to validate every answer as it arrives; :func:`phones_frame` converts many of
    these lists, concatenated, in one pass.

    Parameters
    ----------
    answer : Mapping or list
        The whole answer (its ``phones`` key is read; none gives ``[]``) or the list itself.

    Raises
    ------
    SmscConnectionError
        When the list is not a list of objects (``maybe_sent=True``).

    Examples
    --------
    >>> phone_rows({"id": 5, "cnt": 1, "phones": [{"phone": "79991234567"}]})
    [{'phone': '79991234567'}]
    >>> phone_rows({"phones": "79991234567"})
    Traceback (most recent call last):
    ...
    smsc_frames.errors.SmscConnectionError: malformed answer: phones is not a list of objects
    """
    rows = answer.get("phones", []) if isinstance(answer, Mapping) else answer
    if not isinstance(rows, list) or not all(issubclass(t, Mapping) for t in set(map(type, rows))):
        raise malformed("phones is not a list of objects")
    return rows


def _per_distinct(convert: Callable[[pd.Series], pd.Series], values: list) -> pd.Series:
    """``convert(values)``, computed once per distinct value when every value is a str or None.

    An answer repeats a few operators, prices and statuses over thousands of numbers, and the
    column converters work value by value, so converting the distinct values and spreading
    them over the rows gives the same column for a fraction of the work. Other values
    (numbers, which may compare equal across types) are converted as they are.
    """
    column = pd.Series(values, dtype=object)
    if not set(map(type, values)) <= _TEXT_TYPES:
        return convert(column)
    codes, distinct = pd.factorize(column, use_na_sentinel=False)  # None is a value here
    converted = convert(pd.Series(distinct, dtype=object))
    return pd.Series(converted.array.take(codes))


_TEXT_TYPES = frozenset({str, type(None)})


def phones_frame(answer: Mapping | list) -> pd.DataFrame:
    """The ``op=1`` per-number list of a ``send.php`` answer as a DataFrame.

    Parameters
    ----------
    answer : Mapping or list
        The whole answer (its ``phones`` key is read) or the ``phones`` list itself (several
        answers' lists may be concatenated: the conversion is one vectorised pass).

    Returns
    -------
    pandas.DataFrame
        Columns ``phone`` (str), ``mccmnc`` (str), ``cost`` (Decimal), ``status`` (Int64) and
        ``error`` (Int64); SMSC leaves ``status``/``error`` empty for accepted numbers, which
        become missing values.

    Examples
    --------
    >>> frame = phones_frame({"id": 5, "cnt": 1, "phones": [
    ...     {"phone": "79991234567", "mccmnc": "25001", "cost": "0.70", "status": "", "error": ""},
    ...     {"phone": "7999", "mccmnc": "", "cost": "0", "status": "22", "error": "249"}]})
    >>> frame["cost"].tolist(), frame["status"].tolist(), frame["mccmnc"].isna().tolist()
    ([Decimal('0.70'), Decimal('0')], [<NA>, 22], [False, True])
    """
    rows = phone_rows(answer)
    raw = {key: [row.get(key) for row in rows] for key in PHONE_KEYS}
    return pd.DataFrame(
        {
            "phone": _text_column(raw["phone"]),  # distinct as a rule: converted as they are
            "mccmnc": _per_distinct(_text_column, raw["mccmnc"]),
            "cost": _per_distinct(_decimal_column, raw["cost"]),
            "status": _per_distinct(_int_column, raw["status"]),
            "error": _per_distinct(_int_column, raw["error"]),
        }
    )


def status_names(status: pd.Series) -> pd.Series:
    """Short English names for delivery status codes; an unknown code gives ``"status N"``.

    Examples
    --------
    >>> status_names(pd.Series([1, -3, 99, None], dtype="Int64")).tolist()
    ['delivered', 'not found', 'status 99', nan]
    """
    codes = status.astype("Int64")
    names = codes.map(STATUS_NAMES, na_action="ignore")
    unknown = codes.notna() & names.isna()
    names = names.astype(object)
    names[unknown] = "status " + codes[unknown].astype(str)
    return names.astype("str")


_STATUS_COLUMNS = ["id", "phone", "status", "status_name", "err", "last_date", "last_timestamp"]


def parse_status(answer: Mapping | list) -> pd.DataFrame:
    """Parse a ``status.php`` answer, single (an object) or list form (an array of objects).

    Parameters
    ----------
    answer : Mapping or list
        The decoded JSON.

    Returns
    -------
    pandas.DataFrame
        One row per message, columns ``id`` (str), ``phone`` (str, ``+`` dropped), ``status``
        (Int64), ``status_name`` (our English name, :data:`STATUS_NAMES`), ``err`` (Int64),
        ``last_date`` (datetime, SMSC's Moscow wall-clock time), ``last_timestamp`` (Int64), then
        whatever else the server sent with ``all=1``/``2``: ``send_date`` becomes a datetime,
        ``cost`` a Decimal, and SMSC's own ``status_name`` is kept as ``status_text``.

    Raises
    ------
    SmscApiError
        When *answer* is an error object.

    Examples
    --------
    >>> frame = parse_status([
    ...     {"id": "c1-1", "phone": "79991234567", "status": 1, "err": 0,
    ...      "last_date": "18.10.2016 15:34:12", "last_timestamp": 1476794052},
    ...     {"id": "c1-1", "phone": "79990000000", "status": -3}])
    >>> frame[["status", "status_name", "err"]].values.tolist()
    [[1, 'delivered', 0], [-3, 'not found', <NA>]]
    >>> str(frame.loc[0, "last_date"])
    '2016-10-18 15:34:12'
    """
    raise_for_error(answer)
    rows = [answer] if isinstance(answer, Mapping) else answer
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        raise malformed("status.php answer is not an object or a list of objects")
    for row in rows:
        raise_for_error(row)
    raw = pd.DataFrame(
        {key: pd.Series([row.get(key) for row in rows], dtype=object) for key in _union_keys(rows)},
        index=pd.RangeIndex(len(rows)),
    ).rename(columns={"status_name": "status_text"})
    frame = pd.DataFrame(index=raw.index)
    frame["id"] = _text_column(raw.get("id", [None] * len(raw)))
    frame["phone"] = _text_column(raw.get("phone", [None] * len(raw))).str.lstrip("+")
    frame["status"] = _int_column(raw.get("status", [None] * len(raw)))
    frame["status_name"] = status_names(frame["status"])
    frame["err"] = _int_column(raw.get("err", [None] * len(raw)))
    # A known message's status without an err key says "no error": SMSC may leave err out when
    # it is 0. A "not found" (-3) has no error to speak of and keeps none.
    without_err = pd.Series(["err" not in row for row in rows], index=frame.index, dtype=bool)
    known = frame["status"].notna() & frame["status"].ne(-3)
    frame.loc[without_err & known.fillna(False).astype(bool), "err"] = 0
    frame["last_date"] = _date_column(raw.get("last_date", [None] * len(raw)))
    frame["last_timestamp"] = _int_column(raw.get("last_timestamp", [None] * len(raw)))
    extras = raw.drop(columns=[c for c in _STATUS_COLUMNS if c in raw.columns])
    if "send_date" in extras:
        extras["send_date"] = _date_column(extras["send_date"])
    if "send_timestamp" in extras:
        extras["send_timestamp"] = _int_column(extras["send_timestamp"])
    if "cost" in extras:
        extras["cost"] = pd.Series([to_decimal(v) for v in extras["cost"]], dtype=object)
    return pd.concat([frame, extras], axis=1)


def _union_keys(rows: list[Mapping]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def _date_column(values: Iterable) -> pd.Series:
    dates = pd.to_datetime(_blank_to_none(values), format=SMSC_DATE_FORMAT, errors="coerce")
    return dates.astype("datetime64[us]")


def parse_balance(answer: Mapping) -> Decimal:
    """The balance from a ``balance.php`` answer (``{"balance": "15.00"}``).

    Examples
    --------
    >>> parse_balance({"balance": "15.00", "currency": "RUR"})
    Decimal('15.00')
    """
    raise_for_error(answer)
    amount = to_decimal(answer.get("balance")) if isinstance(answer, Mapping) else None
    if amount is None:
        raise malformed(f"balance.php answer without balance: {str(answer)[:80]!r}")
    return amount
