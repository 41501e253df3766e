"""Read contact lists (CSV or Excel) as a person reads them: every cell as the text shown.

pandas' defaults hurt contact lists: ``+79161234567`` loses its ``+`` and becomes an integer,
a column with a blank becomes ``7.916123e+10``, a discount of 5 shows up as ``5.0`` in a
template, a date cell as ``2025-03-01 00:00:00`` and a 20 % cell as ``0.2``, a title row above
the header gives ``Unnamed: 0`` columns, and a Russian Excel saves CSV in cp1251 with ``;``.
:func:`read_contacts` reads every cell as the text Excel shows for it (workbooks through
calamine, about 10x faster than openpyxl, with the number formats read from the workbook:
:mod:`smsc_frames.excelcells`), finds the header below empty or title rows, and recognises the
CSV's encoding (:mod:`smsc_frames.encodings`) and delimiter.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "contacts.csv"
>>> text = "Имя;Телефон;Скидка\\nАнна;+79161234567;5\\nОлег;;\\n"
>>> _ = path.write_bytes(text.encode("cp1251"))
>>> read_contacts(path)
    Имя       Телефон Скидка
0  Анна  +79161234567      5
1  Олег          <NA>   <NA>
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import overload

import numpy as np
import pandas as pd

from smsc_frames.arrowcsv import read_plain_csv
from smsc_frames.encodings import UTF8_SAMPLE, detect_encoding
from smsc_frames.errors import ValidationError
from smsc_frames.excelcells import gc_paused, read_grid
from smsc_frames.excelformat import LOCALES
from smsc_frames.templates import find_column

__all__ = ["read_contacts"]

#: Python-object storage whether or not pyarrow is installed (pandas' default then): the
#: pipeline measures, codes and joins Python strings, and pyarrow storage made 300k rows
#: slower and 15-20 % bigger (benchmarks/README.md, "String storage").
TEXT = pd.StringDtype("python", na_value=pd.NA)
"""The dtype of every column read: text, with ``pd.NA`` for an empty cell."""

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
DELIMITERS = ";,\t"
NO_DELIMITER = "\x1f"
"""What a one-column CSV is read with: the ASCII unit separator, which texts do not hold."""
SNIFF_SAMPLE_CHARS = 64 * 1024
DELIMITER_SAMPLE_CHARS = 8 * 1024
"""What :class:`csv.Sniffer` reads (a hundred lines or so): its regular expressions take
time growing faster than the sample, 0.97 s on 64 KiB of quoted texts with commas."""
CHUNKED_HEAD_BYTES = 1024 * 1024
"""With ``chunksize``, the encoding is told from this much of the start of the file."""
ARROW_MIN_BYTES = 16 << 20
"""From this size on a plain UTF-8 CSV is parsed by pyarrow (:mod:`smsc_frames.arrowcsv`):
a read in a fresh process, 75c0506 -> pyarrow, fastest of 3: 265 MB 2.93 -> 2.20 s, 26 MB
0.31 -> 0.31 s, 11 MB 0.23 -> 0.24 s, 5 MB 0.08 -> 0.11 s (pyarrow's start costs ~30 ms)."""


HEADER_SEARCH_ROWS = 20
"""How many rows from the top are looked at for the header when ``header_row`` is not given."""
WIDTH_SAMPLE_LINES = 200
"""How many lines from the header on are looked at for rows wider than the header."""


def _header_position(widths: list[int]) -> int:
    """Which of the first rows is the header, from how many non-empty cells each has.

    Leading empty rows and title rows (one cell, as a merged "Клиенты на март") are skipped:
    the header is the first row with at least 80% as many cells as the rows most often have
    (the widest such width on a tie), and at least two, unless the rows most often have one.
    The most common width, not the widest: one data row with a note beside it must not make
    the header a title.
    """
    counts = Counter(width for width in widths if width)
    if not counts:
        return 0
    typical = max(counts, key=lambda width: (counts[width], width))
    needed = max(2, math.ceil(0.8 * typical)) if max(counts) >= 2 else 1
    return next(position for position, width in enumerate(widths) if width >= needed)


def _check_header_row(header_row: int | None) -> int | None:
    if header_row is None:
        return None
    if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
        raise ValidationError(
            "header_row", "must be the header's row number as Excel shows it (from 1)", header_row
        )
    return header_row - 1


def _announce_header(position: int, where: str, title: str | None) -> None:
    if position == 0:
        return
    above = f"a title ({title!r})" if title else "empty"
    warnings.warn(
        f"{where}: the header is row {position + 1} (the rows above it are {above}); "
        "pass header_row= (--header-row) to choose another",
        UserWarning,
        stacklevel=4,
    )


def _column_names(cells: list[object]) -> list[str]:
    """Header cells stripped of surrounding spaces; blank ones ``Unnamed: N``, repeats ``x.1``."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(cells):
        name = "" if cell is None else str(cell).strip()
        name = name or f"Unnamed: {position}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names


def _sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or TAB, as :class:`csv.Sniffer` sees whole lines of the start of the file."""
    sample = text[:DELIMITER_SAMPLE_CHARS]
    if len(text) > DELIMITER_SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {delimiter: sample.count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=counts.__getitem__)
        return best if counts[best] else ","


def _padded_names(lines: list[str], delimiter: str, position: int) -> tuple[list[str], list[str]]:
    """The header's names with ``Unnamed: N`` for each cell the rows below have beyond it, and
    those added names; two empty lists when no row of the file's start is wider than its
    header.

    Rows often end in a delimiter the header lacks (``Анна;+79161234567;``), or carry a note
    in a column without a name. Given the header alone, pandas would take its first column
    for the index then, and every column would shift one to the left under the wrong name.
    """
    try:
        rows = list(
            csv.reader(lines[position : position + WIDTH_SAMPLE_LINES], delimiter=delimiter)
        )
    except csv.Error:
        return [], []
    widest = max((len(row) for row in rows[1:-1]), default=0)  # the last line may be cut
    if not rows or widest <= len(rows[0]):
        return [], []
    names = _column_names([*rows[0], *[""] * (widest - len(rows[0]))])
    return names, names[len(rows[0]) :]


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Which rows have every cell empty (``;;`` lines) or are a line of spaces only: left out,
    as a workbook's blank rows.

    Examples
    --------
    >>> read = pd.DataFrame({"phone": ["7916", None, "   ", "  "], "text": ["Hi", None, None, "x"]})
    >>> _blank_rows(read).tolist()
    [False, True, True, False]
    """
    missing = frame.isna()
    blank = missing.all(axis=1).to_numpy(copy=True)
    spaces = missing.iloc[:, 1:].all(axis=1).to_numpy() & ~blank  # one cell: a line alone
    if spaces.any():
        first = frame.iloc[:, 0][spaces].astype(str)
        blank[np.flatnonzero(spaces)] = (first.str.strip() == "").to_numpy()
    return blank


def _numbered_blanks_dropped(frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
    """A whole read's *frame* (its rows from file row *first_row* on, one per record) without
    its blank rows, labelled 0, 1, ..., each row's file row kept (:func:`file_rows`)."""
    blank = _blank_rows(frame)
    kept = frame[~blank].reset_index(drop=True) if blank.any() else frame
    return _with_file_rows(kept, first_row + np.flatnonzero(~blank))


FILE_ROWS = "file_rows"
"""``attrs`` key of the rows' places in the file, as runs ``(position, file row)``."""


def _with_file_rows(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """*frame* with ``attrs[FILE_ROWS]``: where a run of consecutive file *rows* starts (a few
    pairs, however many rows: attrs are copied by every pandas operation)."""
    starts = np.flatnonzero(np.diff(rows, prepend=-2) != 1)
    frame.attrs[FILE_ROWS] = (len(rows), tuple(zip(starts.tolist(), rows[starts].tolist())))
    return frame


def file_rows(contacts: pd.DataFrame) -> np.ndarray | None:
    """Each row's number in the contact file, as Excel (or a text editor, for a CSV's records)
    shows it, for a frame :func:`read_contacts` read whole or a chunk of it (or rows of them,
    still labelled as it labelled them); ``None`` when unknown.

    Title rows above the header and blank rows between contacts are counted, so a problem
    can be found in the file from its row number.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = path.write_text("Март\\nphone;name\\n79161234567;Анна\\n\\n79031234567;Борис\\n")
    >>> file_rows(read_contacts(path, header_row=2)).tolist()  # below a title
    [3, 5]
    """
    total, runs = contacts.attrs.get(FILE_ROWS, (0, ()))
    labels = contacts.index
    if not runs or not pd.api.types.is_integer_dtype(labels):
        return None
    positions = labels.to_numpy()
    if len(positions) and (positions.min() < 0 or positions.max() >= total):
        return None  # relabelled since it was read
    starts = np.array([start for start, _ in runs] + [total])
    first = np.array([row for _, row in runs])
    run = np.repeat(np.arange(len(runs)), np.diff(starts))
    return (first[run] + np.arange(total) - starts[run])[positions]


def _empty_columns_dropped(frame: pd.DataFrame, added: list[str]) -> pd.DataFrame:
    """*frame* without the columns :func:`_padded_names` *added* that hold nothing."""
    return frame.drop(columns=[name for name in added if frame[name].isna().all()])


def _sniffed_delimiter(head: str, lines: list[str]) -> str:
    """The delimiter of a CSV starting with *head* (split into *lines*): the sniffed one, or
    :data:`NO_DELIMITER` when most of the first lines are then one cell.

    A list of phones alone has no delimiter, but a cell such as ``89161234567, 89161234568``
    makes the sniffer pick ``,``: read so, the header would be taken for a title and the cell
    split into two columns, where it is one cell of two numbers.
    """
    delimiter = _sniff_delimiter(head)
    try:
        rows = [row for row in csv.reader(lines[:HEADER_SEARCH_ROWS], delimiter=delimiter) if row]
    except csv.Error:
        return delimiter
    counts = Counter(len(row) for row in rows)
    typical = max(counts, key=lambda width: (counts[width], width), default=0)
    one_column = typical == 1 and NO_DELIMITER not in head
    return NO_DELIMITER if one_column else delimiter


def _decode_head(raw: bytes, encoding: str) -> str:
    """The start of the file as text (a character cut at the end of the sample is left out)."""
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError:
        raise ValidationError("encoding", "is not an encoding Python knows", encoding) from None
    try:
        return decoder.decode(raw[: 4 * SNIFF_SAMPLE_CHARS + 4]).lstrip("\ufeff")
    except UnicodeDecodeError as error:
        raise ValidationError("encoding", f"cannot decode the file ({error})", encoding) from None


def _encoding_of_big_file(path: Path, head: bytes) -> str:
    """A big file's encoding from its first bytes when a BOM or UTF-8 there says it (the
    parser's strict decoding checks the rest), else from all of its bytes.

    Not holding a whole file while pandas parses it saves its size in peak memory (441 MB
    for the benchmark's ``long`` shape) and one read into memory.
    """
    try:
        encoding = detect_encoding(head, whole=False)
    except ValidationError:  # not clear from the start alone
        encoding = None
    if encoding in ("utf-8-sig", "utf-16") or (encoding == "utf-8" and b"\0" not in head):
        return encoding  # (NULs: UTF-16 without a BOM, which only all of the file tells)
    return detect_encoding(path.read_bytes())


def _read_csv(
    path: Path,
    encoding: str | None,
    delimiter: str | None,
    header_row: int | None,
    chunksize: int | None = None,
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Detect the encoding, the delimiter and the header, then hand the bytes to pyarrow (a
    big plain UTF-8 file: :mod:`smsc_frames.arrowcsv`) or pandas."""
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise ValidationError("delimiter", "must be a single character such as ';'", delimiter)
    with path.open("rb") as file:
        raw = file.read(CHUNKED_HEAD_BYTES if chunksize else UTF8_SAMPLE + 1)
    sampled = encoding is None and chunksize is None and len(raw) > UTF8_SAMPLE
    if sampled:  # a big file: pandas reads it from disk, and decodes it strictly
        encoding = _encoding_of_big_file(path, raw)
    # a chunked read sees only the file's start (it may cut a character): the parser checks on
    encoding = encoding or detect_encoding(raw, whole=len(raw) < CHUNKED_HEAD_BYTES)
    head = _decode_head(raw, encoding)
    if not head.strip():
        raise ValidationError("path", "is empty", str(path))
    lines = head.splitlines()
    delimiter = delimiter or _sniffed_delimiter(head, lines)
    position = _check_header_row(header_row)
    if position is None:
        rows = list(csv.reader(lines[:HEADER_SEARCH_ROWS], delimiter=delimiter))
        widths = [sum(1 for cell in row if cell.strip()) for row in rows]
        position = _header_position(widths)
        title = next((cell for row in rows[:position] for cell in row if cell.strip()), None)
        _announce_header(position, path.name, title)
    names, added = _padded_names(lines, delimiter, position)
    if chunksize is not None:
        return _csv_chunks(path, encoding, delimiter, position, chunksize, names)
    big = len(raw) > UTF8_SAMPLE
    fast = None
    if not names and big and path.stat().st_size >= ARROW_MIN_BYTES:
        fast = read_plain_csv(path, raw, encoding, delimiter, position, TEXT)
    if fast is not None:
        fast.columns = _column_names(list(fast.columns))
        return _numbered_blanks_dropped(fast, position + 2)
    try:
        frame = pd.read_csv(
            path if big else io.BytesIO(raw),
            **_header_options(position, names),
            encoding=encoding,
            sep=delimiter,
            dtype=TEXT,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,  # dropped below, each row's place in the file known
        )
    except UnicodeDecodeError as error:
        if sampled and encoding == "utf-8":  # UTF-8 only at the start: look at all of it
            return _read_csv(path, detect_encoding(path.read_bytes()), delimiter, header_row)
        raise ValidationError("encoding", f"cannot decode the file ({error})", encoding) from None
    except pd.errors.ParserError as error:
        reason = str(error).strip().splitlines()[0]
        raise ValidationError(
            "path", f"is not a {delimiter!r}-separated file ({reason}); pass the delimiter it "
            "uses as delimiter=", str(path),
        ) from None  # fmt: skip
    except pd.errors.EmptyDataError:
        raise ValidationError("header_row", "is past the end of the file", header_row) from None
    frame.columns = _column_names(list(frame.columns))
    return _numbered_blanks_dropped(_empty_columns_dropped(frame, added), position + 2)


def _header_options(position: int, names: list[str]) -> dict:
    """``pd.read_csv``'s options for a header at line *position*, or for *names* instead."""
    if not names:
        return {"skiprows": position}
    return {"skiprows": position + 1, "header": None, "names": names}


def _csv_chunks(
    path: Path,
    encoding: str,
    delimiter: str,
    position: int,
    chunksize: int,
    names: list[str],
) -> Iterator[pd.DataFrame]:
    """The CSV ``chunksize`` rows at a time, labelled by their row number in the file's data
    (blank rows left out, so a label may be skipped), each chunk knowing its rows' places in
    the file (:func:`file_rows`: a record per line, the header at line *position* + 1)."""
    reader = pd.read_csv(
        path,
        **_header_options(position, names),
        encoding=encoding,
        sep=delimiter,
        dtype=TEXT,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,  # dropped below: every line keeps a label, its place known
        chunksize=chunksize,
    )
    with reader:
        while True:
            try:
                frame = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as error:
                raise ValidationError(
                    "encoding", f"cannot decode the file ({error})", encoding
                ) from None
            except pd.errors.ParserError as error:
                raise ValidationError(
                    "path", f"is not a {delimiter!r}-separated file ({error})", str(path)
                ) from None
            frame.columns = _column_names(list(frame.columns))
            blank = _blank_rows(frame)
            kept = frame[~blank] if blank.any() else frame  # chunks keep their labels
            if len(kept):  # one run: label 0 is the file row after the header's
                kept.attrs[FILE_ROWS] = (int(kept.index[-1]) + 1, ((0, position + 2),))
            yield kept


def _read_workbook(
    path: Path,
    sheet_name: str | int | None,
    header_row: int | None,
    raw: bool,
    locale: str,
    phone_columns: list[str],
) -> pd.DataFrame:
    grid = read_grid(path, sheet_name, formats=not raw)
    values = grid.values
    if not any(cell != "" for row in values for cell in row):
        raise ValidationError("path", f"sheet {grid.sheet!r} is empty", str(path))
    position = _check_header_row(header_row)
    if position is None:
        first = next((at for at, row in enumerate(values) if any(c != "" for c in row)), 0)
        widths = [sum(1 for c in row if c != "") for row in values[: first + HEADER_SEARCH_ROWS]]
        position = _header_position(widths)
        title = next((c for row in values[:position] for c in row if c != ""), None)
        _announce_header(
            position, f"{path.name}, sheet {grid.sheet!r}", None if title is None else str(title)
        )
    elif position >= len(values):
        raise ValidationError("header_row", f"is past the sheet's last row ({len(values)})",
                              header_row)  # fmt: skip
    rows = range(position + 1, len(values))
    kept = [row for row in rows if values[row].count("") < len(values[row])]  # no blank rows
    width = max((len(values[row]) for row in [position, *kept] if row < len(values)), default=0)
    header_cells = [grid.column(c, range(position, position + 1))[0] for c in range(width)]
    names = _column_names(header_cells)
    used = _used_columns(values, kept, header_cells, width)
    header = pd.DataFrame(columns=[names[c] for c in used])
    phones = {find_column(header, name, "phone_columns") for name in phone_columns}
    columns = {
        names[c]: grid.column(c, kept, raw=raw, locale=locale, digits=names[c] in phones)
        for c in used
    }
    for name in [names[c] for c in used if c in grid.formats and names[c] not in phones]:
        lost = None if raw else _digits_lost(columns[name])
        if lost is not None:
            grid.notes.append(
                f"column {name!r} shows numbers in scientific notation that drop digits (such "
                f"as {lost}): if it holds phones, pass phone_columns={name!r} (--phone) to read "
                "all their digits"
            )
    for note in grid.notes:
        warnings.warn(f"{path.name}, sheet {grid.sheet!r}: {note}", UserWarning, stacklevel=3)
    if raw:
        frame = pd.DataFrame({name: pd.Series(cells, dtype=object) for name, cells in
                              columns.items()})  # fmt: skip
    else:
        frame = pd.DataFrame({name: pd.array(cells, dtype=TEXT) for name, cells in columns.items()})
    return _with_file_rows(frame, np.asarray(kept, dtype=np.int64) + 1)


_SCIENTIFIC = re.compile(r"[-+]?\d[.,](\d*)E\+(\d+)")


def _digits_lost(cells: list[str | None]) -> str | None:
    """The first of *cells* shown in scientific notation with fewer digits than the number
    has (``7,92E+10``), or ``None``."""
    for cell in cells:
        if cell is not None and "E+" in cell:
            shown = _SCIENTIFIC.fullmatch(cell)
            if shown is not None and len(shown.group(1)) < int(shown.group(2)):
                return cell
    return None


WIDE_SHEET_COLUMNS = 64
"""From this width on, the columns in use are found by numpy over the whole grid: a stray cell
far right (``XFD1``) makes calamine's rows 16,384 cells wide, and looking for each empty
column's first value row by row took 14 s for 1,000 rows (0.6 s so)."""


def _used_columns(
    values: list[list[object]], kept: list[int], header_cells: list[object], width: int
) -> list[int]:
    """The columns that have a header or a value in one of the *kept* rows."""
    if width >= WIDE_SHEET_COLUMNS and kept and all(len(values[row]) == width for row in kept):
        filled = (np.array([values[row] for row in kept], dtype=object) != "").any(axis=0)
        return [c for c in range(width) if header_cells[c] is not None or filled[c]]
    return [c for c in range(width) if header_cells[c] is not None or any(
        c < len(values[row]) and values[row][c] != "" for row in kept)]  # fmt: skip


def _phone_column_list(phone_columns: str | Iterable[str] | None) -> list[str]:
    if phone_columns is None:
        return []
    return [phone_columns] if isinstance(phone_columns, str) else list(phone_columns)


def _check_phone_columns(frame: pd.DataFrame, wanted: list[str]) -> None:
    for name in wanted:
        find_column(frame, name, "phone_columns")


@overload
def read_contacts(
    path: str | os.PathLike,
    *,
    phone_columns: str | Iterable[str] | None = None,
    sheet_name: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    raw: bool = False,
    locale: str = "ru",
    chunksize: None = None,
) -> pd.DataFrame: ...


@overload
def read_contacts(
    path: str | os.PathLike,
    *,
    phone_columns: str | Iterable[str] | None = None,
    sheet_name: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    raw: bool = False,
    locale: str = "ru",
    chunksize: int,
) -> Iterator[pd.DataFrame]: ...


def read_contacts(
    path: str | os.PathLike,
    *,
    phone_columns: str | Iterable[str] | None = None,
    sheet_name: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    raw: bool = False,
    locale: str = "ru",
    chunksize: int | None = None,
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Read a contact list from CSV or Excel, every cell as the text a person sees in it.

    A workbook's cells come back as Excel displays them: a date in its format (``01.03.2025``;
    ``dd.mm.yyyy`` or ``dd.mm.yyyy hh:mm`` for Excel's default date formats), a percentage as
    ``20%``, a money cell as ``1 500,00 ₽``, a boolean as ``ИСТИНА``/``TRUE``, a whole number
    without ``.0``, a formula as its saved value. Phones keep their ``+`` and leading zeros, and
    a phone stored as a number comes back with all its digits (``79161234567``), never as
    ``7,92E+10``. A CSV that Excel already saved as ``7.92E+10`` keeps that text, so
    :func:`smsc_frames.phones.normalize_phones` can report the lost digits.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.tsv``/``.txt`` file, or a workbook (``.xlsx``, ``.xlsm``, ``.xlsb``,
        ``.xls``, ``.ods``) read with calamine. Number formats are read from ``.xlsx`` and
        ``.xlsm``; the other workbooks show numbers, dates and booleans in the General way.
    phone_columns : str or list of str, optional
        Columns that must be present (a clear error names the missing one and lists the
        file's columns); in a workbook their numbers are shown with all their digits, whatever
        their number format.
    sheet_name : str or int, optional
        The workbook sheet: a ``str`` is a sheet's name (``"2024"`` is the sheet named 2024);
        an ``int``, or ``"@N"`` when no sheet has that name, is a position counted **from 0**
        among all sheets, hidden ones too (``0`` or ``"@0"``: the first sheet). By default
        the first sheet Excel shows: hidden sheets before it are skipped, with a warning.
    encoding : str, optional
        The CSV's encoding. By default detected from the bytes among UTF-8 and UTF-16 (with or
        without a BOM), cp1251, KOI8-R and cp866
        (:func:`smsc_frames.encodings.detect_encoding`); a file that is not clearly one of them
        is refused, naming them: pass its encoding.
    delimiter : str, optional
        The CSV's delimiter. By default ``;``, ``,`` or TAB, sniffed from the start of the file.
    header_row : int, optional
        The header's row number as Excel (or a text editor) shows it, **from 1**. By default
        the first row, unless it and the rows after it are empty or a title (one cell, such as
        a merged "Клиенты на март"): then the first full row, with a warning naming it.
    raw : bool
        A workbook's typed values instead (calamine's ``float``, ``int``, ``bool``,
        ``datetime``, ``str``; ``None`` when empty), in ``object`` columns.
    locale : {"ru", "en"}
        Decimal and thousands separators, month names and booleans, where a cell's format
        does not name its own locale (``[$-409]``): ``"ru"`` ``1 500,50``, ``ИСТИНА``;
        ``"en"`` ``1,500.50``, ``TRUE``.
    chunksize : int, optional
        For a CSV, an iterator of DataFrames of at most this many rows instead of one frame,
        read as above (encoding told from the first megabyte, header and delimiter as
        without it), labelled on across chunks (0, 1, ... over the whole file), so memory
        stays bounded by the chunk (:func:`smsc_frames.campaign.send_chunks`). A workbook is
        always read whole (calamine loads the sheet at once) and then sliced into chunks.

    Returns
    -------
    pandas.DataFrame or iterator of pandas.DataFrame
        One row per contact (fully blank rows left out), columns named by the header stripped
        of surrounding spaces, every column of dtype ``string``; an empty cell is ``pd.NA``
        (the text ``"NA"`` or ``"nan"`` stays text).

    Raises
    ------
    ValidationError
        For an unknown file type, an empty file, an encoding that cannot be told or does not
        decode, a missing sheet or phone column.

    Warns
    -----
    UserWarning
        When the header is not the first row (which row was used), or formulas have no saved
        value.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "list.csv"
    >>> _ = path.write_text("phone,name\\n007 916 123 45 67,Ann\\n", encoding="utf-8-sig")
    >>> read_contacts(path, phone_columns="phone").iloc[0].tolist()
    ['007 916 123 45 67', 'Ann']
    """
    path = Path(path)
    if path.is_dir():
        raise ValidationError("path", "is a folder, not a contact file", str(path))
    if not path.is_file():
        raise ValidationError("path", "no such file", str(path))
    try:
        path.open("rb").close()
    except OSError as error:  # calamine's own error would not name the file
        raise ValidationError(
            "path", f"cannot be read ({error.strerror or error})", str(path)
        ) from None
    if locale not in LOCALES:
        raise ValidationError("locale", f"must be one of {', '.join(LOCALES)}", locale)
    if chunksize is not None and (
        isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1
    ):
        raise ValidationError("chunksize", "must be a whole number of rows, at least 1", chunksize)
    wanted = _phone_column_list(phone_columns)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        with gc_paused():
            frame = _read_workbook(path, sheet_name, header_row, raw, locale, wanted)
    elif suffix in CSV_SUFFIXES:
        if sheet_name is not None:  # silently ignored, the analyst would think it was read
            raise ValidationError("sheet_name", "is for workbooks: a CSV file has no sheets",
                                  sheet_name)  # fmt: skip
        read = _read_csv(path, encoding, delimiter, header_row, chunksize)
        if not isinstance(read, pd.DataFrame):
            return _checked_chunks(read, wanted)
        frame = read
    else:
        kinds = ", ".join(sorted(CSV_SUFFIXES | WORKBOOK_SUFFIXES))
        raise ValidationError("path", f"must be one of {kinds}", str(path))
    _check_phone_columns(frame, wanted)
    if chunksize is not None:
        return _slices(frame, chunksize)
    return frame


def _checked_chunks(chunks: Iterator[pd.DataFrame], wanted: list[str]) -> Iterator[pd.DataFrame]:
    for frame in chunks:
        _check_phone_columns(frame, wanted)
        yield frame


def _slices(frame: pd.DataFrame, chunksize: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), chunksize):
        yield frame.iloc[start : start + chunksize]
