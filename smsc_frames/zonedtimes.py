"""Dates with their zone: SMSC's Moscow wall clock, and headers that name a zone.

SMSC writes ``last_date`` as Moscow time without a zone; :func:`moscow_time` attaches it, so
it subtracts from ``sent_at`` (UTC) and is exported with its zone. A file written by
:mod:`smsc_frames.export` names a zone it dropped in the header (``sent_at (UTC)``);
:func:`with_zones_from_headers` reads such columns back under their own names.
"""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

import pandas as pd

MOSCOW_ZONE = "Europe/Moscow"
"""The zone of SMSC's dates (``last_date``, ``send_date``)."""

ZONED_HEADER = re.compile(r"^(?P<name>.+) \((?P<zone>[A-Za-z_/+-]+)\)$")
"""A header that names the zone of its column's dates: ``sent_at (UTC)``."""

_ZONE_SUFFIX = r"(?:[+-]\d\d:?\d\d|Z)$"
_DAY_FIRST = r"\d\d?\.\d\d?\.\d{4}"  # SMSC's 18.10.2016, or a Russian Excel's


def moscow_time(dates: pd.Series) -> pd.Series:
    """*dates* as Moscow time, zone attached; each value read on its own.

    A date without a zone is Moscow wall-clock time (as SMSC writes it); one with a zone is
    converted. Text (a file read back, a concat of zoned and zone-less columns) may be ISO or
    day-first (``18.10.2016 15:34:12``); text that is no date becomes ``NaT``.

    Examples
    --------
    >>> mixed = pd.Series(["2016-10-18 15:34:12", "2016-10-18 12:34:12+00:00",
    ...                    "18.10.2016 15:34:12", None])
    >>> moscow_time(mixed).astype(str).tolist()[:3]
    ['2016-10-18 15:34:12+03:00', '2016-10-18 15:34:12+03:00', '2016-10-18 15:34:12+03:00']
    """
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        return dates.dt.tz_convert(MOSCOW_ZONE)
    if pd.api.types.is_datetime64_dtype(dates):
        return dates.dt.tz_localize(MOSCOW_ZONE)
    present = dates.notna().to_numpy()
    text = dates[present].astype("str").str.strip()
    zoned = text.str.contains(_ZONE_SUFFIX, regex=True).to_numpy()
    day_first = text.str.match(_DAY_FIRST).to_numpy() & ~zoned
    iso = ~zoned & ~day_first
    parsed = pd.Series(pd.NaT, index=text.index, dtype=f"datetime64[us, {MOSCOW_ZONE}]")
    if zoned.any():
        when = pd.to_datetime(text[zoned], utc=True, format="ISO8601", errors="coerce")
        parsed[zoned] = when.dt.tz_convert(MOSCOW_ZONE)
    for mask, how in ((iso, {"format": "ISO8601"}), (day_first, {"dayfirst": True})):
        if mask.any():
            when = pd.to_datetime(text[mask], errors="coerce", **how)
            parsed[mask] = when.dt.tz_localize(MOSCOW_ZONE)
    out = pd.Series(pd.NaT, index=dates.index, dtype=parsed.dtype)
    out[present] = parsed.to_numpy()
    return out


def with_zones_from_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame* with every ``name (zone)`` column renamed *name*, its dates in that zone.

    Only a real zone's name counts (``name (first)`` stays as it is). Where a column *name*
    exists too, it was added after the file was read (by a refresh) and
    is kept; the zoned one is dropped.

    Examples
    --------
    >>> read = pd.DataFrame({"sent_at (UTC)": ["2016-10-18 12:34:12"], "phone": ["7916"]})
    >>> with_zones_from_headers(read)["sent_at"].astype(str).tolist()
    ['2016-10-18 12:34:12+00:00']
    """
    out = frame
    for header in frame.columns:
        match = ZONED_HEADER.match(str(header))
        if not match or match["zone"] not in _zones():  # "name (first)" is no zone
            continue
        if match["name"] in frame.columns:
            out = out.drop(columns=[header])
            continue
        values = frame[header]
        if not isinstance(values.dtype, pd.DatetimeTZDtype):
            values = pd.to_datetime(values, errors="coerce", format="ISO8601")
            if values.dt.tz is None:
                values = values.dt.tz_localize(match["zone"])
        out = out.rename(columns={header: match["name"]}).assign(**{match["name"]: values})
    return out


@cache
def _zones() -> frozenset[str]:
    """The names of the time zones this machine knows (``UTC``, ``Europe/Moscow``...)."""
    return frozenset(available_timezones())
