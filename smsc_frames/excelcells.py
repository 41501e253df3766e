"""A worksheet's cells as Excel shows them: calamine's values plus the workbook's number formats.

calamine reads values fast but says nothing of number formats (``0.2`` for a cell showing
``20%``). For ``.xlsx``/``.xlsm`` the formats come from the workbook itself: ``styles.xml``
maps each style index to a format, and the sheet's XML is scanned, with one regular
expression, only for cells whose style has a format other than General or text. A workbook
without such styles is read at calamine's speed. ``.xls``, ``.xlsb`` and ``.ods`` keep their
typed values, shown in the General way (dates ``dd.mm.yyyy``, numbers without ``.0``).

Examples
--------
>>> import datetime, pathlib, tempfile
>>> from openpyxl import Workbook
>>> book = Workbook()
>>> book.active.append(["Дата", "Скидка"])
>>> book.active.append([datetime.date(2025, 3, 1), 0.2])
>>> book.active["B2"].number_format = "0%"
>>> path = pathlib.Path(tempfile.mkdtemp()) / "book.xlsx"
>>> book.save(path)
>>> grid = read_grid(path, 0)
>>> grid.column(0, range(2)), grid.column(1, range(2))
(['Дата', '2025-03-01'], ['Скидка', '20%'])

(openpyxl's default date format is ``yyyy-mm-dd``, so Excel shows that.)
"""

from __future__ import annotations

import contextlib
import gc
import os
import posixpath
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from smsc_frames.errors import ValidationError
from smsc_frames.excelformat import BUILTIN_FORMATS, render, render_general

__all__ = ["Grid", "gc_paused", "read_grid", "resolve_sheet"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_FORMATTED_SUFFIXES = (".xlsx", ".xlsm")
_POSITION = re.compile(r"@(\d+)")


Formats = dict[int, tuple[np.ndarray, np.ndarray, list[str]]]
"""Per column: the rows of its formatted cells, each one's format (a position), the formats."""


@dataclass
class Grid:
    """A sheet's cells from cell A1: ``values[i][j]`` is Excel's row ``i + 1``, column ``j``.

    ``values`` are calamine's (``""`` for an empty cell); ``formats`` maps a column to the
    rows of its cells that have a number format (other than General or text), each one's
    format as a position in a list of formats, and that list; ``notes`` are worth a warning
    (formulas without a saved value).
    """

    sheet: str
    values: list[list[Any]]
    formats: Formats = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def column(
        self, position: int, rows: Sequence[int], *, raw: bool = False, locale: str = "ru",
        digits: bool = False,
    ) -> list[Any]:  # fmt: skip
        """Column *position* over *rows*: text as Excel shows it (``None`` when empty), or
        the typed values with *raw*. *digits*: numbers in the General way whatever their
        format (a phone column never loses digits to ``0.00E+00``)."""
        values: list[Any] = [
            row[position] if position < len(row) else ""
            for row in map(self.values.__getitem__, rows)
        ]
        if raw:
            return [None if value == "" else value for value in values]
        codes: list[str | None] = [None] * len(values)
        formatted = self.formats.get(position)
        if formatted is not None and not digits:
            at, which, formats = formatted
            offsets = np.full(len(self.values) + 1, -1)
            offsets[np.asarray(rows, dtype=np.int64)] = np.arange(len(rows))
            found = offsets[np.minimum(at, len(self.values))]
            kept = found >= 0
            code_of = np.array([None, *formats], dtype=object)
            chosen = np.zeros(len(values), dtype=np.int64)
            chosen[found[kept]] = which[kept] + 1
            codes = code_of[chosen].tolist()
        general: dict[tuple[type, object], str] = {}
        by_format: dict[tuple[str, type, object], str] = {}
        shown: list[str | None] = []
        append = shown.append
        for value, code in zip(values, codes):
            kind = type(value)
            if kind is str:
                append(value or None)
            elif code is None or kind is bool:
                if kind is float and value.is_integer() and -1e17 < value < 1e17:
                    append(str(int(value)))
                    continue
                text = general.get((kind, value))
                if text is None:
                    text = general[(kind, value)] = render_general(value, locale)
                append(text)
            else:
                text = by_format.get((code, kind, value))
                if text is None:
                    text = by_format[(code, kind, value)] = render(value, code, locale)
                append(text)
        return shown


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused: reading a sheet allocates millions of small
    objects (no cycles), and the collector's passes over them cost a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def resolve_sheet(names: list[str], sheet: str | int) -> str:
    """The name of the sheet *sheet* picks: a name first (``"2024"`` too), then ``"@N"``/int N.

    Positions count from 0 (``@0`` or ``0`` is the first sheet).
    """
    if isinstance(sheet, bool) or not isinstance(sheet, (str, int)):
        raise ValidationError("sheet_name", "must be one sheet's name or position", sheet)
    if isinstance(sheet, str):
        if sheet in names:
            return sheet
        stripped = [name for name in names if name.strip().casefold() == sheet.strip().casefold()]
        if len(stripped) == 1:
            return stripped[0]
        position = _POSITION.fullmatch(sheet.strip())
        if position is None:
            hint = f"; to pick by position (from 0), write @{sheet}" if sheet.isdigit() else ""
            raise ValidationError(
                "sheet_name", f"no sheet of that name; the workbook has {names}{hint}", sheet
            )
        sheet = int(position.group(1))
    if not 0 <= sheet < len(names):
        raise ValidationError(
            "sheet_name",
            f"no sheet at that position (from 0); the workbook has {len(names)}: {names}",
            sheet,
        )
    return names[sheet]


def _chosen_sheet(workbook: CalamineWorkbook, sheet: str | int | None) -> tuple[str, str | None]:
    """The name of the sheet *sheet* picks (``None``: the first one Excel shows), and a note
    when that sheet is hidden or hidden sheets come before it."""
    visible = {
        meta.name: meta.visible == SheetVisibleEnum.Visible for meta in workbook.sheets_metadata
    }
    if sheet is None:
        shown = [name for name in workbook.sheet_names if visible.get(name, True)]
        if not shown or shown[0] == workbook.sheet_names[0]:
            return workbook.sheet_names[0], None
        skipped = workbook.sheet_names[: workbook.sheet_names.index(shown[0])]
        return shown[0], (
            f"the first sheet Excel shows is read; hidden before it: {skipped} "
            "(pass sheet_name= to read one of them)"
        )
    name = resolve_sheet(workbook.sheet_names, sheet)
    return name, None if visible.get(name, True) else "this sheet is hidden in Excel"


def read_grid(path: str | os.PathLike, sheet: str | int | None, *, formats: bool = True) -> Grid:
    """The sheet's values, and (for ``.xlsx``/``.xlsm``, with *formats*) its number formats.

    *sheet*: a name or a position (:func:`resolve_sheet`), or ``None`` for the first sheet
    Excel shows (hidden ones skipped, with a note)."""
    path = Path(path)
    try:
        workbook = CalamineWorkbook.from_path(os.fspath(path))
        name, hidden = _chosen_sheet(workbook, sheet)
        if path.suffix.lower() in _FORMATTED_SUFFIXES:
            _check_extent(path, name)
        values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except CalamineError as error:
        raise ValidationError(
            "path", f"cannot be read as a workbook ({error})", str(path)
        ) from None
    grid = Grid(name, values)
    if formats and path.suffix.lower() in _FORMATTED_SUFFIXES:
        grid.formats, grid.notes = _cell_formats(path, name)
    if hidden is not None:
        grid.notes.insert(0, hidden)
    return grid


MAX_SHEET_CELLS = 50_000_000
"""The most cells from A1 to a sheet's last cell read: calamine holds every one of them (about
32 bytes each, empty or not) and the rows as Python lists, ~2 GB at this size. One stray cell
far right or down (``XFD100000``) makes a small list billions of cells, and the kernel would
die of it; no contact list of Excel's 1,048,576 rows by 47 columns reaches it."""
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Z]+[0-9]+:)?([A-Z]{1,3})([0-9]{1,7})"')


def _check_extent(path: Path, sheet: str) -> None:
    """Refuse a sheet whose dimension (``<dimension ref="A1:XFD100000"/>``, written by Excel
    at the top of the sheet) spans more than :data:`MAX_SHEET_CELLS`, before reading it."""
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet)
        if part is None:
            return
        with archive.open(part) as stream:
            start = stream.read(64 * 1024)
    dimension = _DIMENSION.search(start)
    if dimension is None:
        return
    letters, row = dimension.group(1).decode(), int(dimension.group(2))
    columns = 0
    for letter in letters:
        columns = columns * 26 + ord(letter) - 64
    if columns * row > MAX_SHEET_CELLS:
        raise ValidationError(
            "path",
            f"sheet {sheet!r} reaches cell {letters}{row}: {columns:,} columns by {row:,} rows, "
            f"{columns * row:,} cells to read, more than a contact list needs (a stray cell far "
            "right or down? Ctrl+End in Excel shows the last one): delete the columns and rows "
            "beyond the list, or save the sheet as CSV",
            str(path),
        )


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The path inside the archive of the sheet named *sheet*."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_RELS}Relationship")}
    for element in workbook.iter(f"{_MAIN}sheet"):
        if element.get("name") == sheet:
            target = targets.get(element.get(f"{_DOC_RELS}id"), "")
            if target.startswith("/"):
                return target[1:]
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def _style_formats(archive: zipfile.ZipFile) -> dict[int, str]:
    """Style index -> number format, for the styles whose format is neither General nor text."""
    try:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return {}
    custom = {
        int(element.get("numFmtId", "0")): element.get("formatCode", "General")
        for element in styles.iter(f"{_MAIN}numFmt")
    }
    cell_xfs = styles.find(f"{_MAIN}cellXfs")
    found: dict[int, str] = {}
    for index, xf in enumerate([] if cell_xfs is None else cell_xfs.iter(f"{_MAIN}xf")):
        format_id = int(xf.get("numFmtId", "0"))
        code = custom.get(format_id, BUILTIN_FORMATS.get(format_id, "General"))
        if code.lower() != "general" and code != "@":
            found[index] = code
    return found


def _by_column(
    rows: np.ndarray, columns: np.ndarray, which: np.ndarray, codes: list[str]
) -> Formats:
    """Cells given as arrays of (0-based) rows, columns and format positions, by column."""
    order = np.argsort(columns, kind="stable")
    columns, rows, which = columns[order], rows[order], which[order]
    starts = np.flatnonzero(np.diff(columns, prepend=-1))
    ends = [*starts[1:].tolist(), len(columns)]
    return {
        int(columns[start]): (rows[start:end], which[start:end], codes)
        for start, end in zip(starts.tolist(), ends)
    }


def _cell_formats(path: Path, sheet: str) -> tuple[Formats, list[str]]:
    """Per column, the (0-based) rows and number formats of the cells whose style has one."""
    with zipfile.ZipFile(path) as archive:
        styles = _style_formats(archive)
        part = _sheet_part(archive, sheet)
        if part is None:
            return {}, []
        xml = archive.read(part)  # also without styles: formulas without a value are said
    notes = []
    unsaved = xml.count(b"</f>") and len(re.findall(rb"</f>\s*(?:<v\s*/>|<v>\s*</v>|</c>)", xml))
    if unsaved:
        notes.append(
            f"{unsaved} formula cells have no saved value (the file was written by a program, "
            "not saved by Excel): they read as empty; open and save it in Excel to fill them"
        )
    errors = _error_cells(xml)
    if errors:
        listed = ", ".join(f"{ref} {value}" for ref, value in errors[:_LISTED])
        more = f" and {len(errors) - _LISTED} more" if len(errors) > _LISTED else ""
        notes.append(
            f"{len(errors)} cells show an Excel error ({listed}{more}): they read as empty; "
            "fix the formulas (a failed VLOOKUP shows #N/A) and save the file"
        )
    if not styles:
        return {}, notes
    if not _tagged_as_excel_tags(xml):
        return _formats_by_openpyxl(path, sheet, styles), notes
    wanted = re.compile(  # one group, so findall makes no tuples: 'B12" s="3'
        rb'<c r="([A-Z]{1,3}[0-9]{1,7}"[^>]*? s="(?:'
        + b"|".join(str(index).encode() for index in styles)
        + rb'))"'
    )
    found = wanted.findall(xml)
    if not found:
        return {}, notes
    rows, columns, style_ids = _parse_cells(np.array(found))
    ids, which = np.unique(style_ids, return_inverse=True)
    codes = [styles[int(style)] for style in ids]
    return _by_column(rows, columns, which, codes), notes


_LISTED = 5
_ERROR_CELL = re.compile(
    rb"""<(?:\w+:)?c\s([^>]*?\bt=["']e["'][^>]*)>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?v>([^<]*)<""",
    re.DOTALL,
)
_REFERENCE = re.compile(rb"""\br=["']([A-Z]{1,3}[0-9]{1,7})["']""")


def _error_cells(xml: bytes) -> list[tuple[str, str]]:
    """The cells of a sheet's *xml* that show an error (``t="e"``): their reference (``"?"``
    when the writer left it out) and the error (``#N/A``), which calamine reads as empty.

    Examples
    --------
    >>> _error_cells(b'<c r="A3" s="1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B3"><v>1</v></c>')
    [('A3', '#DIV/0!')]
    """
    if b't="e"' not in xml and b"t='e'" not in xml:
        return []
    found = []
    for attributes, value in _ERROR_CELL.findall(xml):
        reference = _REFERENCE.search(attributes)
        found.append((reference.group(1).decode() if reference else "?", value.decode()))
    return found


def _tagged_as_excel_tags(xml: bytes) -> bool:
    """Whether every cell of the sheet's *xml* opens as Excel (openpyxl, xlsxwriter) writes it,
    ``<c r="B12" ...>``, which the fast pattern of :func:`_cell_formats` reads.

    Other writers' valid XML is read by openpyxl instead: cells without coordinates, other
    attributes first (``<c s="3" r="B12">``), single quotes, or a namespace prefix (``<x:c``,
    from .NET's Open XML SDK), where the pattern would find no cell and every number format
    would be lost without a word.
    """
    if b"<worksheet" not in xml[:4096]:  # the root element has a prefix: so has every cell
        return False
    return xml.count(b"<c ") == xml.count(b'<c r="')


def _digits(chars: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """The numbers written in *chars* (one row per cell) from *start* to *stop*."""
    value = np.zeros(len(chars), dtype=np.int64)
    positions = np.arange(len(chars))
    for offset in range(int((stop - start).max(initial=0))):
        at = start + offset
        digit = chars[positions, np.minimum(at, chars.shape[1] - 1)].astype(np.int64) - 48
        value = np.where(at < stop, value * 10 + digit, value)
    return value


def _parse_cells(found: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """0-based rows, columns and style ids of matches such as ``B12" s="3``, vectorised."""
    chars = found.view(np.uint8).reshape(len(found), found.dtype.itemsize)
    letters = np.zeros(len(found), dtype=np.int64)
    column = np.zeros(len(found), dtype=np.int64)
    for position in range(3):
        code = chars[:, position].astype(np.int64)
        more = (letters == position) & (code >= 65) & (code <= 90)
        column = np.where(more, column * 26 + code - 64, column)
        letters += more
    quotes = chars == ord('"')
    first_quote = quotes.argmax(axis=1)
    last_quote = chars.shape[1] - 1 - quotes[:, ::-1].argmax(axis=1)
    length = np.count_nonzero(chars, axis=1)
    rows = _digits(chars, letters, first_quote) - 1
    return rows, column - 1, _digits(chars, last_quote + 1, length)


def _formats_by_openpyxl(path: Path, sheet: str, styles: dict[int, str]) -> Formats:
    """The slow way, for unusual XML: openpyxl reads every cell's ``number_format``."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows, columns, which, codes = [], [], [], list(styles.values())
        for row in workbook[sheet].iter_rows():
            for cell in row:
                code = getattr(cell, "number_format", "General")
                if code and code.lower() != "general" and code != "@":
                    if code not in codes:
                        codes.append(code)
                    rows.append(cell.row - 1)
                    columns.append(cell.column - 1)
                    which.append(codes.index(code))
        if not rows:
            return {}
        return _by_column(np.array(rows), np.array(columns), np.array(which), codes)
    finally:
        workbook.close()
