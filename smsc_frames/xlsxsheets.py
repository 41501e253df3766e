"""Formatted ``.xlsx`` sheets written fast, row by row, in bounded memory.

The cells come typed from :mod:`smsc_frames.export` (one Python list per column: ``str``,
numbers, ``datetime``, or ``None`` for an empty cell); this module lays them out: a bold white
header on blue, frozen, with an autofilter; a number format per column kind (phones as text
``@``, money ``0.00``, dates ``yyyy-mm-dd hh:mm:ss``); a width per column that fits its longest
value.

The writing is done by ``rustpy-xlsxwriter`` (Python bindings of ``rust_xlsxwriter``, by the
author of XlsxWriter) in its constant-memory mode, fed by a generator so a progress callback
sees the rows go. Measured on 1,000,000 results rows x 12 columns (2-core machine,
``benchmarks/export.py``): Python XlsxWriter in constant-memory mode needs ~15-20 us a cell
(about 4 minutes), openpyxl's write-only mode a little more; this writer ~20 s.

Excel's own limits are checked before anything is written: 1,048,576 rows a sheet (header
included) and 32,767 characters a cell.

Examples
--------
>>> import tempfile, pathlib, openpyxl
>>> columns = [Column("phone", "phone", ["79161234567"]), Column("n", "number", [2])]
>>> with tempfile.TemporaryDirectory() as folder:
...     path = pathlib.Path(folder) / "book.xlsx"
...     write_workbook(path, [Sheet("results", columns)])
...     [(c.value, c.number_format) for c in openpyxl.load_workbook(path)["results"][2]]
[('79161234567', '@'), (2.0, 'General')]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import pandas as pd
from rustpy_xlsxwriter import FastExcel, Format

from smsc_frames.errors import ValidationError

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL_CHARS = 32_767
MONEY_FORMAT = "0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
TEXT_FORMAT = "@"
NUMBER_FORMATS = {"phone": TEXT_FORMAT, "money": MONEY_FORMAT, "datetime": DATETIME_FORMAT}
MIN_WIDTH, MAX_WIDTH = 8, 60
PROGRESS_EVERY = 10_000

__all__ = [
    "EXCEL_MAX_CELL_CHARS",
    "EXCEL_MAX_ROWS",
    "Column",
    "Sheet",
    "check_fits",
    "write_workbook",
]


@dataclass(frozen=True)
class Column:
    """One column: its header, its kind (``phone``, ``money``, ``datetime``, ``number``,
    ``text``) and its cells (``None`` = empty)."""

    header: str
    kind: str
    cells: Sequence[object]


@dataclass(frozen=True)
class Sheet:
    """A sheet's title and columns; ``money_rows`` are data rows (0-based) shown ``0.00``
    whatever their column's kind (the summary's cost rows)."""

    title: str
    columns: Sequence[Column]
    money_rows: Sequence[int] = field(default_factory=tuple)


def check_fits(rows: int, what: str = "results") -> None:
    """Refuse a table Excel cannot hold, before anything is written or sent.

    Raises
    ------
    ValidationError
        *rows* data rows (plus the header) exceed an Excel sheet.

    Examples
    --------
    >>> check_fits(1_048_575)
    >>> check_fits(1_048_576)
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: results: an Excel sheet holds at most 1,048,575 rows \
under its header; write CSV (.csv) or Parquet (.parquet) instead (got 1048576)
    """
    if rows > EXCEL_MAX_ROWS - 1:
        raise ValidationError(
            what,
            f"an Excel sheet holds at most {EXCEL_MAX_ROWS - 1:,} rows under its header; "
            "write CSV (.csv) or Parquet (.parquet) instead",
            rows,
        )


def _longest(sheet: Sheet, column: Column) -> int:
    """The longest shown value of *column*, in characters.

    Raises
    ------
    ValidationError
        A text cell is longer than Excel holds (it would refuse the file).
    """
    if column.kind == "datetime":
        return len("2000-01-01 00:00:00") if any(v is not None for v in column.cells) else 0
    values = pd.Series(column.cells, dtype=object)
    if column.kind == "money":
        amounts = pd.to_numeric(values)
        if amounts.isna().all():
            return 0
        return len(f"{amounts.abs().max():.2f}") + int((amounts < 0).any())
    lengths = values.astype("string").str.len()
    longest = int(lengths.max()) if lengths.notna().any() else 0
    if longest > EXCEL_MAX_CELL_CHARS:
        row = int(lengths.to_numpy(na_value=0).argmax()) + 2
        raise ValidationError(
            column.header,
            f"an Excel cell holds at most {EXCEL_MAX_CELL_CHARS:,} characters "
            f"(sheet {sheet.title!r}, row {row}); write CSV instead",
            f"{longest:,} characters",
        )
    return longest


def _unique_headers(columns: Sequence[Column]) -> list[str]:
    """Headers made unique (``name``, ``name (2)``): each row goes to the writer as a dict.

    Examples
    --------
    >>> _unique_headers([Column(h, "text", []) for h in ["a", "a (2)", "a", "b"]])
    ['a', 'a (2)', 'a (3)', 'b']
    """
    used: set[str] = set()
    headers = []
    for column in columns:
        header, count = column.header, 1
        while header in used:
            count += 1
            header = f"{column.header} ({count})"
        used.add(header)
        headers.append(header)
    return headers


def _rows(
    headers: list[str],
    columns: Sequence[Column],
    progress: Callable[[int], object] | None,
) -> Iterator[dict[str, object]]:
    """The rows as dicts, reporting every :data:`PROGRESS_EVERY` rows to *progress*."""
    written = 0
    for written, values in enumerate(zip(*(column.cells for column in columns)), start=1):
        yield dict(zip(headers, values))
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
    if progress is not None and written % PROGRESS_EVERY:
        progress(written % PROGRESS_EVERY)


def _header_format() -> Format:
    return Format().set_bold().set_font_color("#FFFFFF").set_background_color("#305496")


def _add_sheet(
    book: FastExcel, sheet: Sheet, progress: Callable[[int], object] | None
) -> FastExcel:
    headers = _unique_headers(sheet.columns)
    formats = {
        header: Format().set_num_format(NUMBER_FORMATS[column.kind])
        for header, column in zip(headers, sheet.columns)
        if column.kind in NUMBER_FORMATS
    }
    widths = {
        header: float(min(MAX_WIDTH, max(MIN_WIDTH, len(header), _longest(sheet, column)) + 2))
        for header, column in zip(headers, sheet.columns)
    }
    rows = len(sheet.columns[0].cells) if sheet.columns else 0
    # an empty sheet keeps its header: only a frame carries one without rows
    data = (
        _rows(headers, sheet.columns, progress)
        if rows
        else pd.DataFrame({header: [] for header in headers})
    )
    money = Format().set_num_format(MONEY_FORMAT)
    return book.sheet(
        sheet.title,
        data,
        header_format=_header_format(),
        column_formats=formats,
        column_widths=widths,
        row_formats={row + 1: money for row in sheet.money_rows},
        autofilter=True,
    )


def write_workbook(
    path: str | os.PathLike,
    sheets: Sequence[Sheet],
    progress: Callable[[int], object] | None = None,
) -> None:
    """Write *sheets* to the ``.xlsx`` at *path*; *progress* counts the first sheet's rows.

    Raises
    ------
    ValidationError
        A sheet has more rows than Excel holds, or a cell more characters.
    """
    for sheet in sheets:
        check_fits(len(sheet.columns[0].cells) if sheet.columns else 0, sheet.title)
    book = FastExcel(os.fspath(path)).freeze(row=1)
    for number, sheet in enumerate(sheets):
        book = _add_sheet(book, sheet, progress if number == 0 else None)
    book.save()
