"""Write campaign results to files people open in Excel.

:func:`to_excel` produces a formatted workbook (phones as text, money as numbers with two
decimals, a styled frozen header with an autofilter, sensible column widths, and a ``summary``
sheet); :func:`to_csv` a UTF-8 file with a byte order mark, so Excel shows Cyrillic right.

Both keep spreadsheet formula injection (OWASP "CSV injection") out: in a CSV a text cell that
starts with ``=``, ``+``, ``-``, ``@``, TAB or CR is prefixed with ``'``, so a contact named
``=HYPERLINK(...)`` stays text; in a workbook every text is written as a string cell, which
Excel never evaluates, so it keeps its exact text (no ``'``). Missing values are empty cells,
never ``NaN``.

Examples
--------
>>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("Анна")
('\\'=HYPERLINK("http://x")', 'Анна')
"""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from smsc_frames.errors import ValidationError
from smsc_frames.sandboxmark import from_sandbox, sandbox_note
from smsc_frames.xlsxsheets import Column, Sheet, check_fits, write_workbook

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """*value*, prefixed with ``'`` when a spreadsheet would read it as a formula.

    Examples
    --------
    >>> [neutralise(v) for v in ["+1", "@SUM(A1)", "79161234567", "a=b"]]
    ["'+1", "'@SUM(A1)", '79161234567', 'a=b']
    """
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _neutralise_series(values: pd.Series) -> pd.Series:
    """Vectorised :func:`neutralise` over a column of ``str`` (missing stays missing)."""
    text = values.astype("string")
    risky = text.str.startswith(FORMULA_TRIGGERS).fillna(False).astype(bool)
    return text.mask(risky, "'" + text).astype(object).where(text.notna(), None)


def _is_money(values: pd.Series) -> bool:
    present = values.dropna()
    return (
        values.dtype == object
        and len(present) > 0
        and all(isinstance(value, Decimal) for value in present)
    )


def _column_kind(name: object, values: pd.Series) -> str:
    """How a column is written: ``phone``, ``money``, ``datetime``, ``number`` or ``text``."""
    if "phone" in str(name).lower():
        return "phone"
    if _is_money(values):
        return "money"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return "number"
    return "text"


def _plain(value: object, inert: Callable[[str], str] = neutralise) -> object:
    """One value of a mixed column as a cell: numbers stay numbers, the rest (inert) text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (bool, int, float, Decimal)):
        return value
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return inert(str(value))


def _as_is(value: str) -> str:
    return value


def text_cells(values: pd.Series, *, inert: bool) -> pd.Series:
    """A column as ``str`` cells (``None`` where missing), neutralised when *inert*.

    Vectorised: a column already holding only strings is not converted element by element.

    Examples
    --------
    >>> text_cells(pd.Series(["=1", None, 7]), inert=True).tolist()
    ["'=1", None, '7']
    """
    text = values.astype(object).where(values.notna(), None)
    if pd.api.types.infer_dtype(text, skipna=True) != "string":
        text = text.map(str, na_action="ignore")
    return _neutralise_series(text) if inert else text


def _cells(values: pd.Series, kind: str, *, inert: bool, money: Callable[[Decimal], object]):
    """A ``phone`` or ``text`` column's cells (``None`` for missing) as a Series of objects.

    Text is :func:`text_cells`; a column of mixed values keeps its numbers, with a
    ``Decimal`` given as *money* makes it (a CSV amount, an Excel float).
    """
    if kind == "phone" or pd.api.types.is_string_dtype(values):
        return text_cells(values, inert=inert)
    keep = neutralise if inert else _as_is
    cells = [_plain(value, keep) for value in values]
    shown = [money(cell) if isinstance(cell, Decimal) else cell for cell in cells]
    return pd.Series(shown, index=values.index, dtype=object)


def _per_distinct(values: pd.Series, convert: Callable[[object], object]) -> pd.Series:
    """*convert* applied once per distinct value of *values* (``None`` where missing)."""
    codes, distinct = pd.factorize(values)
    converted = np.array([*map(convert, distinct), None], dtype=object)
    return pd.Series(converted[codes], index=values.index, dtype=object)  # code -1: None


def with_row_column(results: pd.DataFrame, index: bool) -> pd.DataFrame:
    """*results* with its index as the first column when *index* (``row`` when unnamed).

    Examples
    --------
    >>> with_row_column(pd.DataFrame({"phone": ["7916"]}), True).columns.tolist()
    ['row', 'phone']
    """
    frame = results.reset_index() if index else results
    if index and frame.columns[0] == "index":
        frame = frame.rename(columns={"index": "row"})
    return frame


def _header(name: object, values: pd.Series, kind: str) -> str:
    """The column's header; a time zone dropped for Excel is named in it (``sent_at (UTC)``)."""
    zone = getattr(values.dt, "tz", None) if kind == "datetime" else None
    return str(name) if zone is None else f"{name} ({zone})"


def _wall_clock(values: pd.Series) -> pd.Series:
    """Datetimes without their zone (the header names it)."""
    return values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values


def _with_none(values: pd.Series) -> list:
    """*values* as Python objects, ``None`` where missing."""
    return values.astype(object).where(values.notna(), None).tolist()


def _excel_cells(values: pd.Series, kind: str) -> list:
    """A column's cells for the workbook, vectorised: money as floats (shown ``0.00``),
    datetimes without their zone (named in the header), text as ``str``."""
    if kind == "datetime":
        return _with_none(_wall_clock(values))
    if kind == "money":
        return _with_none(values.map(float, na_action="ignore"))
    if kind == "number":
        return _with_none(values)
    return _cells(values, kind, inert=False, money=float).tolist()


def _sheet(title: str, frame: pd.DataFrame, money_rows: tuple[int, ...] = ()) -> Sheet:
    """*frame* as a typed sheet; text is written as string cells, never formulas."""
    columns = []
    for position, name in enumerate(frame.columns):
        values = frame.iloc[:, position]
        kind = _column_kind(name, values)
        columns.append(Column(_header(name, values, kind), kind, _excel_cells(values, kind)))
    return Sheet(title, columns, money_rows)


def summary(results: pd.DataFrame, quote=None) -> pd.DataFrame:
    """Campaign totals as ``metric`` / ``value`` rows (the ``summary`` sheet).

    Uses the columns present: ``phone`` (distinct recipients) and ``parts`` (SMS) of the rows
    whose ``outcome`` is ``sent`` (without an ``outcome`` column: the ``sendable`` rows of a
    quote's table, else all rows), ``cost``
    (``Decimal`` total), ``outcome`` and ``status_name`` (a count per value); with a
    :class:`~smsc_frames.campaign.Quote`, its recipients, SMS and cost. Results or a quote
    from the sandbox (``attrs["sandbox"]``, ``Quote.sandbox``) start with a ``SANDBOX`` row, so
    a summary passed on never reads as a real campaign.

    Examples
    --------
    >>> results = pd.DataFrame({"phone": ["79161234567", "79031234567"], "parts": [1, 2],
    ...                         "cost": [Decimal("1.90"), Decimal("3.80")],
    ...                         "outcome": ["sent", "sent"]})
    >>> summary(results)
              metric value
    0           rows     2
    1     recipients     2
    2            SMS     3
    3           cost  5.70
    4  outcome: sent     2
    """
    rows: list[tuple[str, object]] = []
    if from_sandbox(results) or getattr(quote, "sandbox", False):
        rows.append(("SANDBOX", sandbox_note(results)))
    rows.append(("rows", len(results)))
    sent = results["outcome"].astype(object).eq("sent") if "outcome" in results else None
    counted = results if sent is None else results[sent]
    if sent is None and "sendable" in results:  # a quote's table: the rows it would send
        counted = results[results["sendable"].fillna(False).astype(bool)]
    if "phone" in results:
        rows.append(("recipients", int(counted["phone"].nunique())))
    if "parts" in results:
        rows.append(("SMS", int(pd.to_numeric(counted["parts"], errors="coerce").sum())))
    if "cost" in results:
        costs = [Decimal(str(value)) for value in results["cost"].dropna()]
        rows.append(("cost", sum(costs, Decimal("0.00"))))
        if sent is not None:
            unknown = int((sent & results["cost"].isna()).sum())
            if unknown:
                rows.append(("sent with cost unknown (not in the total)", unknown))
    for column in ("outcome", "status_name"):
        if column in results:
            counts = results[column].astype(object).fillna("(none)").value_counts(sort=True)
            rows.extend((f"{column}: {name}", int(count)) for name, count in counts.items())
    if quote is not None:
        rows.append(("quoted recipients", int(quote.recipients)))
        rows.append(("quoted SMS", int(quote.total_parts)))
        rows.append(("quoted cost", quote.total_cost))
    return pd.DataFrame(rows, columns=["metric", "value"])


def to_excel(
    results: pd.DataFrame,
    path: str | os.PathLike,
    quote=None,
    *,
    index: bool = True,
    sheet_name: str = "results",
    progress: Callable[[int], object] | None = None,
) -> Path:
    """Write *results* to a formatted ``.xlsx`` with a ``results`` and a ``summary`` sheet.

    Phone columns (any column whose name contains ``phone``) are text cells, ``Decimal``
    columns numbers formatted ``0.00``, datetimes Excel dates (Excel has no time zones: the
    wall-clock time is kept and the zone named in the header, ``sent_at (UTC)``). Text cells
    are string cells, never formulas. Numbers are stored as Excel stores them, in floating
    point (``2.0`` in the file, ``2`` on screen), so ``pandas.read_excel`` reads integer
    columns back as floats.

    Parameters
    ----------
    results : pandas.DataFrame
        Usually :func:`smsc_frames.campaign.send`'s results; any frame works.
    path : str or os.PathLike
        The file to write (replaced if it exists).
    quote : Quote, optional
        Adds the quoted totals to the summary.
    index : bool, default True
        Write the index as the first column (named ``row`` when unnamed), so the sheet can be
        joined back onto the contacts.
    sheet_name : str, default "results"
        The first sheet's name (``quote`` for a quote's table).
    progress : callable, optional
        Called with the number of rows written, every 10,000 rows (a tqdm bar's ``update``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValidationError
        *path* does not end in ``.xlsx`` (an ``.xls`` name would hold xlsx bytes Excel
        refuses to open as such); *results* has more rows than an Excel sheet holds
        (1,048,575 under the header: write CSV or Parquet), or a text longer than a cell
        holds. Nothing is written then.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> results = pd.DataFrame({"phone": ["79161234567"], "cost": [Decimal("1.90")]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = to_excel(results, Path(folder) / "results.xlsx")
    ...     sheet = openpyxl.load_workbook(path)["results"]
    ...     [(c.value, c.number_format) for c in sheet[2]]
    [(0.0, 'General'), ('79161234567', '@'), (1.9, '0.00')]
    """
    if Path(path).suffix.lower() != ".xlsx":
        raise ValidationError("path", "must end in .xlsx (the only format written)", str(path))
    check_fits(len(results), sheet_name)
    totals = summary(results, quote)
    money_rows = tuple(row for row, v in enumerate(totals["value"]) if isinstance(v, Decimal))
    table = with_row_column(results, index)
    sheets = [_sheet(sheet_name, table), _sheet("summary", totals, money_rows)]
    return _replace_atomically(
        Path(path), lambda temporary: write_workbook(temporary, sheets, progress)
    )


def to_csv(
    results: pd.DataFrame,
    path: str | os.PathLike,
    *,
    index: bool = True,
    sep: str = ",",
    decimal: str = ".",
) -> Path:
    """Write *results* as UTF-8 CSV with a byte order mark (Excel then reads Cyrillic right).

    Money (``Decimal``) is written with two decimals and *decimal* as the separator, datetimes
    as ``YYYY-MM-DD hh:mm:ss`` with the zone named in the header (``sent_at (UTC)``, as in
    :func:`to_excel`), text cells neutralised (:func:`neutralise`), missing values empty. Use
    ``sep=";", decimal=","`` for Excel's Russian locale (it reads ``5.30`` as a date).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> results = pd.DataFrame({"name": ["=1+1"], "cost": [Decimal("0.7")]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     data = to_csv(results, Path(folder) / "results.csv", index=False).read_bytes()
    ...     russian = to_csv(results, Path(folder) / "ru.csv", index=False, sep=";",
    ...                      decimal=",").read_bytes()
    >>> data[:3], data[3:].decode(), russian[3:].decode()
    (b'\\xef\\xbb\\xbf', "name,cost\\r\\n'=1+1,0.70\\r\\n", "name;cost\\r\\n'=1+1;0,70\\r\\n")
    """
    table = csv_table(results, index=index, decimal=decimal)
    return _replace_atomically(
        Path(path),
        lambda temporary: table.to_csv(
            temporary,
            index=False,
            sep=sep,
            decimal=decimal,
            encoding="utf-8-sig",
            lineterminator="\r\n",  # a lone CR in a cell is then quoted, as Excel writes
        ),
    )


def csv_table(results: pd.DataFrame, *, index: bool = True, decimal: str = ".") -> pd.DataFrame:
    """The table :func:`to_csv` writes: one column of cells per column, headers as written.

    Money is text with two decimals and *decimal* before them, datetimes wall-clock text
    (the zone in the header), text neutralised, numbers as they are (pandas writes them
    with *decimal*). Each conversion is done over the whole column.

    Examples
    --------
    >>> results = pd.DataFrame({"phone": ["+7916"], "cost": [Decimal("1.9")]})
    >>> csv_table(results, index=False, decimal=",").to_dict("records")
    [{'phone': "'+7916", 'cost': '1,90'}]
    """
    frame = with_row_column(results, index)
    headers: list[str] = []
    written: list[pd.Series] = []

    def amount(value: object) -> str:
        return f"{Decimal(str(value)):.2f}".replace(".", decimal)

    for position, name in enumerate(frame.columns):
        values = frame.iloc[:, position]
        kind = _column_kind(name, values)
        headers.append(neutralise(_header(name, values, kind)))
        if kind == "money":
            written.append(_per_distinct(values, amount))
        elif kind == "datetime":
            written.append(_wall_clock(values).dt.strftime("%Y-%m-%d %H:%M:%S"))
        elif kind == "number":
            written.append(values)
        else:
            written.append(_cells(values, kind, inert=True, money=amount))
    table = pd.concat(written, axis=1, ignore_index=True) if written else pd.DataFrame()
    table.columns = pd.Index(headers, dtype=object)
    return table


def _replace_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Write through *write* to a temporary file beside *path*, then rename it over *path*.

    A failure half-way (disk full, a locked file, Ctrl-C) leaves *path* as it was and no
    temporary file behind.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
