"""What every sandbox handler shares: the request's context, money and SMSC's dates.

Examples
--------
>>> money(Decimal("5.45") * 3), moscow_date(1476794052)
('16.35', '18.10.2016 15:34:12')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from smsc_frames.sandbox.codes import parameter_error

MOSCOW = timezone(timedelta(hours=3))
CENT = Decimal("0.01")


@dataclass(frozen=True)
class RequestContext:
    """What the HTTP layer knows about a request besides its parameters."""

    ip: str
    fmt: int
    concurrent: int
    #: ``(field name, size in bytes)`` of each file a multipart request attached
    files: tuple[tuple[str, int], ...] = ()


def money(amount: Decimal) -> str:
    """Two decimals, no float anywhere.

    Examples
    --------
    >>> money(Decimal("5.45") * 3), money(Decimal(0))
    ('16.35', '0.00')
    """
    return str(amount.quantize(CENT))


def moscow_date(timestamp: float) -> str:
    """``DD.MM.YYYY hh:mm:ss`` in Moscow time, as SMSC shows dates.

    Examples
    --------
    >>> moscow_date(1476794052)
    '18.10.2016 15:34:12'
    """
    return datetime.fromtimestamp(timestamp, MOSCOW).strftime("%d.%m.%Y %H:%M:%S")


def small_int(params: dict[str, str], name: str, choices: int) -> int:
    """The parameter *name* as one of ``0 .. choices - 1`` (absent = 0), else error 1.

    Examples
    --------
    >>> small_int({"all": "2"}, "all", 3), small_int({}, "cur", 2)
    (2, 0)
    """
    value = params.get(name, "0")
    if value not in {str(n) for n in range(choices)}:
        raise parameter_error(name)
    return int(value)
