"""Read contact lists (CSV or Excel) with every column as text.

pandas' defaults hurt contact lists: ``+79161234567`` loses its ``+`` and becomes an integer,
a column with a blank becomes ``7.916123e+10``, a discount of 5 shows up as ``5.0`` in a
template, and a Russian Excel saves CSV in cp1251 with ``;``. :func:`read_contacts` reads every
cell as text, recognises the encoding and the delimiter, and reads workbooks with calamine
(about 10x faster than openpyxl).

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
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from smsc_frames.errors import ValidationError

__all__ = ["read_contacts"]

TEXT = pd.StringDtype(na_value=pd.NA)
"""The dtype of every column read: text, with ``pd.NA`` for an empty cell."""

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
DELIMITERS = ";,\t"
SNIFF_SAMPLE_CHARS = 64 * 1024


def _encodings_to_try(raw: bytes, encoding: str | None) -> list[str]:
    """The given encoding, else UTF-16 by BOM, else UTF-8 (BOM or not) then cp1251."""
    if encoding is not None:
        return [encoding]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ["utf-16"]
    return ["utf-8", "cp1251"]  # pandas skips a UTF-8 BOM itself


def _head(raw: bytes, encoding: str) -> str:
    """The start of the file as text (a character cut at the end of the sample is left out)."""
    return codecs.getincrementaldecoder(encoding)().decode(raw[: 4 * SNIFF_SAMPLE_CHARS + 4])


def _sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or TAB, as :class:`csv.Sniffer` sees whole lines of the start of the file."""
    sample = text[:SNIFF_SAMPLE_CHARS]
    if len(text) > SNIFF_SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.split("\n", 1)[0]
        counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=counts.__getitem__)
        return best if counts[best] else ","


def _read_csv(path: Path, encoding: str | None, delimiter: str | None) -> pd.DataFrame:
    """Hand the bytes to pandas' C parser with the first encoding that decodes all of them."""
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise ValidationError("delimiter", "must be a single character such as ';'", delimiter)
    raw = path.read_bytes()
    for candidate in _encodings_to_try(raw, encoding):
        try:
            head = _head(raw, candidate).lstrip("\ufeff")
            if not head.strip() and not raw.decode(candidate).lstrip("\ufeff").strip():
                raise ValidationError("path", "the file is empty", str(path))
            return pd.read_csv(
                io.BytesIO(raw),
                encoding=candidate,
                sep=delimiter or _sniff_delimiter(head),
                dtype=TEXT,
                keep_default_na=False,
                na_values=[""],
            )
        except (UnicodeDecodeError, LookupError) as error:
            failure = error
    if encoding is not None:
        raise ValidationError("encoding", f"cannot decode the file ({failure})", encoding)
    raise ValidationError("encoding", "the file is neither UTF-8 nor cp1251; pass encoding=", None)


def _read_workbook(path: Path, sheet_name: str | int) -> pd.DataFrame:
    if isinstance(sheet_name, bool) or not isinstance(sheet_name, (str, int)):
        raise ValidationError("sheet_name", "must be one sheet's name or position", sheet_name)
    sheets = CalamineWorkbook.from_path(os.fspath(path)).sheet_names
    by_position = isinstance(sheet_name, int) and 0 <= sheet_name < len(sheets)
    if sheet_name not in sheets and not by_position:
        raise ValidationError("sheet_name", f"no such sheet; the workbook has {sheets}", sheet_name)
    frame = pd.read_excel(
        path,
        sheet_name=sheet_name,
        engine="calamine",
        dtype=str,
        keep_default_na=False,
        na_values=[""],
    )
    return frame.astype(TEXT)


def _check_phone_columns(frame: pd.DataFrame, phone_columns: str | Iterable[str] | None) -> None:
    if phone_columns is None:
        return
    wanted = [phone_columns] if isinstance(phone_columns, str) else list(phone_columns)
    missing = [name for name in wanted if name not in frame.columns]
    if missing:
        columns = ", ".join(map(str, frame.columns))
        problem = f"no such column; the file has {columns}"
        raise ValidationError("phone_columns", problem, missing[0])


def read_contacts(
    path: str | os.PathLike,
    *,
    phone_columns: str | Iterable[str] | None = None,
    sheet_name: str | int = 0,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> pd.DataFrame:
    """Read a contact list from CSV or Excel, every column as text.

    Phones keep their ``+`` and leading zeros, templates never see ``5.0``, and a number Excel
    stored as a float comes back with all its digits (``79161234567``), never as
    ``7.9161234567e+10``. A CSV that Excel already saved as ``7.92E+10`` keeps that text, so
    :func:`smsc_frames.phones.normalize_phones` can report the lost digits.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.tsv``/``.txt`` file, or a workbook (``.xlsx``, ``.xlsm``, ``.xlsb``,
        ``.xls``, ``.ods``) read with calamine.
    phone_columns : str or list of str, optional
        Columns that must be present (a clear error names the missing one and lists the
        file's columns).
    sheet_name : str or int
        The workbook sheet, by name or position.
    encoding : str, optional
        The CSV's encoding. By default UTF-16 with a BOM, UTF-8 with or without a BOM, and
        otherwise cp1251 (what a Russian Excel writes) are recognised.
    delimiter : str, optional
        The CSV's delimiter. By default ``;``, ``,`` or TAB, sniffed from the start of the file.

    Returns
    -------
    pandas.DataFrame
        One row per contact, every column of dtype ``string``; an empty cell is ``pd.NA``
        (the text ``"NA"`` or ``"nan"`` stays text).

    Raises
    ------
    ValidationError
        For an unknown file type, an empty or undecodable file, a missing sheet or phone column.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "list.csv"
    >>> _ = path.write_text("phone,name\\n007 916 123 45 67,Ann\\n", encoding="utf-8-sig")
    >>> read_contacts(path, phone_columns="phone").iloc[0].tolist()
    ['007 916 123 45 67', 'Ann']
    """
    path = Path(path)
    if not path.is_file():
        raise ValidationError("path", "no such file", str(path))
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        frame = _read_workbook(path, sheet_name)
    elif suffix in CSV_SUFFIXES:
        frame = _read_csv(path, encoding, delimiter)
    else:
        kinds = ", ".join(sorted(CSV_SUFFIXES | WORKBOOK_SUFFIXES))
        raise ValidationError("path", f"must be one of {kinds}", str(path))
    _check_phone_columns(frame, phone_columns)
    return frame
