"""Files of ``smsc-frames``: checking ``--out`` before any work, writing and reading results."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pandas as pd

from smsc_frames.campaign import Quote
from smsc_frames.contacts import CSV_SUFFIXES, file_rows, read_contacts
from smsc_frames.errors import (
    ValidationError,
)
from smsc_frames.export import to_csv, to_excel
from smsc_frames.resultsfile import check_format, read_parquet_results, to_parquet
from smsc_frames.xlsxsheets import check_fits
from smsc_frames.zonedtimes import moscow_time, with_zones_from_headers


def check_output_path(path: Path | None, *, inputs: Sequence[Path] = ()) -> None:
    """Refuse an output file that cannot be written or would overwrite an input, before any work.

    Examples
    --------
    >>> check_output_path(Path("contacts.csv"), inputs=[Path("contacts.csv")])
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: --out: is an input file; ... (got 'contacts.csv')
    """
    if path is None:
        return
    _check_writable(path, "--out")  # first: a folder is named so, whatever its suffix
    if path.suffix.lower() not in {".csv", ".xlsx", ".parquet"}:
        raise ValidationError("--out", "must end in .csv, .xlsx or .parquet", str(path))
    if path.suffix.lower() == ".parquet":
        check_format(path, "--out")  # pyarrow installed
    target = path.resolve()
    for source in inputs:
        if target == Path(source).resolve() or (
            path.exists() and Path(source).exists() and os.path.samefile(path, source)
        ):
            raise ValidationError(
                "--out", "is an input file; writing there would replace it: name another file",
                str(path),
            )  # fmt: skip


def check_journal_path(path: Path | None) -> None:
    """Refuse a ``--journal`` that cannot be a journal file (a folder, in a missing folder or
    under a file), before the quote, the question or any file is moved aside.

    Examples
    --------
    >>> check_journal_path(Path("/dev/null/j.journal"))
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: --journal: is under /dev/null, a file, not a folder \
(got '/dev/null/j.journal')
    """
    if path is not None:
        _check_writable(path, "--journal")


def _check_writable(path: Path, flag: str) -> None:
    """Refuse *path* (named by *flag*) when it is a folder or its folder cannot take it."""
    if path.is_dir():
        raise ValidationError(flag, "is a folder; name a file (in it, say)", str(path))
    folder = path.resolve().parent
    if not folder.is_dir():
        there = next(above for above in [folder, *folder.parents] if above.exists())
        if not there.is_dir():  # a file where the path needs a folder
            raise ValidationError(flag, f"is under {there}, a file, not a folder", str(path))
        raise ValidationError(flag, "is in a folder that does not exist", str(path))
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValidationError(
            flag, "cannot be written (no permission); name another file", str(path)
        )


def keep_earlier(path: Path) -> Path | None:
    """Move an existing file aside before a command writes *path*: the earlier results or quote
    (maybe the only record of another campaign) become ``<stem>.previous<suffix>``, or
    ``<stem>.previous-2<suffix>``, ``-3``... when that is taken: nothing is ever replaced.
    Returns where they went, or None when there was nothing there.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "results.csv"
    >>> keep_earlier(out) is None
    True
    >>> _ = out.write_text("monday")
    >>> kept = keep_earlier(out)
    >>> kept.name, kept.read_text(), out.exists()
    ('results.previous.csv', 'monday', False)
    >>> _ = out.write_text("tuesday")
    >>> keep_earlier(out).name, kept.read_text()
    ('results.previous-2.csv', 'monday')
    """
    if not path.is_file():
        return None
    kept = path.with_name(f"{path.stem}.previous{path.suffix}")
    number = 1
    while kept.exists():
        number += 1
        kept = path.with_name(f"{path.stem}.previous-{number}{path.suffix}")
    os.replace(path, kept)
    return kept


def check_output_rows(path: Path | None, rows: int) -> None:
    """Refuse a workbook ``--out`` that cannot hold *rows*, before any request.

    Examples
    --------
    >>> check_output_rows(Path("results.xlsx"), 2_000_000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: --out: ...write CSV (.csv) or Parquet (.parquet) instead...
    """
    if path is not None and path.suffix.lower() == ".xlsx":
        check_fits(rows, "--out")


def write_table(
    frame: pd.DataFrame, path: Path, quote: Quote | None = None, *, sheet: str = "results"
) -> Path:
    """Write *frame* with :mod:`smsc_frames.export`, as Excel, CSV or Parquet by the suffix.

    Its index is written as the ``row`` column as it is: the CLI labels every plan by the
    contact file's rows (:func:`by_file_row`), and a journal or a results file keeps them.

    CSV is written as a Russian-locale Excel opens it (``;`` between cells, ``,`` before the
    kopecks); Parquet with :func:`smsc_frames.resultsfile.to_parquet`'s types; a tqdm bar on
    a terminal while a workbook is written.
    """
    if path.suffix.lower() == ".parquet":
        return to_parquet(frame, path)
    if path.suffix.lower() == ".xlsx":
        if not sys.stderr.isatty() or len(frame) < 20_000:
            return to_excel(frame, path, quote, sheet_name=sheet)
        from tqdm import tqdm

        with tqdm(total=len(frame), desc="write", unit="row", file=sys.stderr) as bar:
            return to_excel(frame, path, quote, sheet_name=sheet, progress=bar.update)
    return to_csv(frame, path, sep=";", decimal=",")


INTEGER_COLUMNS = ("parts", "status", "error", "err", "cnt")


def read_results(path: Path) -> pd.DataFrame:
    """Read a results file written by ``send`` back into a results frame, with its types.

    Every cell comes back as text from :func:`read_contacts`; the columns ``send`` wrote as
    numbers, money and dates get their types back (``row``, ``parts`` integers, ``cost``
    Decimal, ``sent_at (UTC)`` a UTC datetime, ``last_date (Europe/Moscow)`` a Moscow one),
    so a ``status`` run writes them back as numbers and dates, not text. A
    ``.parquet`` file keeps its types; it is read with :func:`read_parquet_results`.
    """
    if path.suffix.lower() == ".parquet":
        return _typed(read_parquet_results(path), path)
    results = read_contacts(path, locale="en")  # written by export: "0.00" costs as 1.90
    results = with_zones_from_headers(results)
    if "row" in results.columns:
        numbers = pd.to_numeric(results["row"], errors="coerce")
        if numbers.notna().sum() == results["row"].notna().sum():  # not "3#2" (--split-phones)
            results["row"] = numbers.astype("Int64")
        results = results.set_index("row")
    return _typed(results, path)


def _typed(results: pd.DataFrame, path: Path) -> pd.DataFrame:
    """*results* read back with the types ``send`` and ``refresh_status`` give: integer
    columns, Decimal costs, ``last_date`` in Moscow time with its zone (also from a file an
    older version wrote without one)."""
    if "last_date" in results.columns:
        results["last_date"] = moscow_time(results["last_date"])
    missing = {"sms_id", "phone"} - set(results.columns)
    if missing:
        raise ValidationError(
            "results",
            f"needs the columns sms_id and phone, as written by "
            f"'smsc-frames send' (missing: {', '.join(sorted(missing))})",
            str(path),
        )
    for column in INTEGER_COLUMNS:
        if column in results.columns:
            results[column] = pd.to_numeric(results[column], errors="coerce").astype("Int64")
    if "cost" in results.columns:
        results["cost"] = results["cost"].map(
            lambda text: Decimal(str(text).replace(",", ".")), na_action="ignore"
        )
    return results


def with_inputs(frame: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """*frame* with each row's phone as written in the contact file and its text, so a
    problem row can be found and fixed from the results file alone.

    Examples
    --------
    >>> plan = pd.DataFrame({"phone_input": ["8 916 123-45-67", "12"], "text": ["Hi", "Hi"]})
    >>> results = pd.DataFrame({"phone": ["79161234567", None], "outcome": ["sent", "invalid"]})
    >>> with_inputs(results, plan).columns.tolist()
    ['phone_input', 'phone', 'outcome', 'text']
    """
    extra = plan.reindex(frame.index)
    out = frame.copy()
    if "phone_input" not in out.columns and "phone_input" in plan.columns:
        out.insert(0, "phone_input", extra["phone_input"])
    if "text" not in out.columns and "text" in plan.columns:
        out["text"] = extra["text"]
    return out


def by_file_row(contacts: pd.DataFrame) -> pd.DataFrame:
    """*contacts* (read whole, or a chunk) labelled ``row`` by each row's number in the contact
    file, as Excel or an editor shows it (:func:`smsc_frames.contacts.file_rows`: the header
    is row 1, title rows above it and blank rows count), so the plan, its journal, the sample
    messages and every results file name a contact by the row it is on.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = path.write_text("phone\\n79161234567\\n\\n79031234567\\n")
    >>> by_file_row(read_contacts(path)).index.tolist()
    [2, 4]
    """
    rows = file_rows(contacts)
    if rows is None:  # relabelled since it was read: its labels are all there is
        return contacts
    return contacts.set_axis(pd.Index(rows, name="row"))


CHUNKED_BYTES = 50 * 1024 * 1024
"""A CSV larger than this is estimated and sent chunk by chunk."""


def is_large(path: Path) -> bool:
    """True for a CSV file larger than :data:`CHUNKED_BYTES`."""
    return (
        path.suffix.lower() in CSV_SUFFIXES
        and path.is_file()
        and path.stat().st_size > CHUNKED_BYTES
    )
