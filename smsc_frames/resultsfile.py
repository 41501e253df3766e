"""Write a results table to CSV or Parquet chunk by chunk, moved into place when complete.

A :class:`ResultsWriter` is opened once; each :meth:`~ResultsWriter.write` adds a chunk's
table to ``<path>.partial``, :meth:`~ResultsWriter.finish` renames that over *path*. If the
run stops before (Ctrl-C, an error), :meth:`~ResultsWriter.abort` leaves the chunks written
so far, each whole, in ``<path>.partial``: a file that opens, never the final name.

* ``.csv``: :func:`smsc_frames.export.to_csv`'s format and cells (a byte order mark, *sep*
  and *decimal*, text neutralised); the header once, each chunk's rows written straight to
  the open file.
* ``.parquet``: written by pyarrow, one row group per chunk, every chunk with the first
  chunk's schema, so a column missing in one chunk never changes its type. The results' own
  columns have fixed types (:data:`RESULT_TYPES`): ``cost`` is ``decimal(18, 6)``, exact
  ``Decimal`` values back (SMSC's prices are kopecks; a cost with more than 6 decimals is
  refused, not rounded), ``sent_at`` a UTC timestamp, ``parts``/``status``/``error`` 64-bit
  integers. Other columns take the first chunk's type, text when that chunk has none of
  their values. Text is not neutralised: Parquet is not opened by a spreadsheet.

Examples
--------
>>> import tempfile
>>> from decimal import Decimal
>>> chunks = [pd.DataFrame({"phone": ["79161234567"], "cost": [Decimal("1.90")]}),
...           pd.DataFrame({"phone": ["79031234567"], "cost": [None]}, index=[1])]
>>> with tempfile.TemporaryDirectory() as folder:
...     writer = ResultsWriter(Path(folder) / "results.csv")
...     for chunk in chunks:
...         writer.write(chunk)
...     writer.finish().read_text(encoding="utf-8-sig")
'row,phone,cost\\n0,79161234567,1.90\\n1,79031234567,\\n'
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pandas as pd

from smsc_frames.errors import ValidationError
from smsc_frames.export import csv_table, text_cells, with_row_column

__all__ = [
    "RESULT_TYPES",
    "SUFFIXES",
    "ResultsWriter",
    "check_format",
    "partial_path",
    "read_parquet_results",
    "to_parquet",
]

SUFFIXES = (".csv", ".parquet")
"""The formats a results file can have (a workbook needs every row in memory)."""

RESULT_TYPES = {
    "parts": "int64",
    "status": "int64",
    "error": "int64",
    "err": "int64",
    "cnt": "int64",
    "cost": "decimal(18, 6)",
    "sent_at": "timestamp UTC",
}
"""The Parquet types of the results' own columns, whatever a chunk holds."""


def partial_path(path: str | os.PathLike[str]) -> Path:
    """Where a results file is written until it is complete: ``<path>.partial``.

    Examples
    --------
    >>> partial_path("out/results.csv").as_posix()
    'out/results.csv.partial'
    """
    path = Path(path)
    return path.with_name(path.name + ".partial")


def _pyarrow() -> Any:
    """pyarrow with its ``parquet`` submodule, imported when a Parquet file is first met (the
    submodule takes a moment to load, and most runs write CSV)."""
    import pyarrow
    import pyarrow.parquet  # loads the submodule: pyarrow.parquet.ParquetWriter

    return pyarrow


def check_format(path: str | os.PathLike[str], what: str = "results") -> None:
    """Refuse a results path this module cannot write, before any work.

    Raises
    ------
    ValidationError
        *path* ends in neither ``.csv`` nor ``.parquet``.

    Examples
    --------
    >>> check_format("results.xlsx")
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: results: must end in .csv or .parquet (got 'results.xlsx')
    """
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(what, "must end in .csv or .parquet", str(path))


class _CsvChunks:
    """Chunks appended to one open CSV; :meth:`close` cuts off a chunk written half-way."""

    def __init__(self, partial: Path, sep: str, decimal: str) -> None:
        self.partial, self.sep, self.decimal = partial, sep, decimal
        self.file: IO[str] | None = None
        self.complete = 0

    def write(self, frame: pd.DataFrame) -> None:
        table = csv_table(frame, index=False, decimal=self.decimal)
        first = self.file is None
        if self.file is None:
            self.file = self.partial.open("w", encoding="utf-8-sig", newline="")
        table.to_csv(
            self.file, header=first, index=False, sep=self.sep, decimal=self.decimal,
            lineterminator="\r\n",  # a CR in a cell quoted (see export.to_csv)
        )  # fmt: skip
        self.file.flush()
        self.complete = self.file.tell()

    def close(self) -> None:
        if self.file is not None:
            self.file.flush()
            self.file.truncate(self.complete)
            self.file.close()
            self.file = None
            if self.complete == 0:  # stopped in the first chunk: no file rather than an empty one
                self.partial.unlink()


class _ParquetChunks:
    """Chunks written as row groups of one Parquet file with the first chunk's schema."""

    def __init__(self, partial: Path) -> None:
        self.partial = partial
        self.pa = _pyarrow()
        self.schema: Any = None
        self.writer: Any = None

    def write(self, frame: pd.DataFrame) -> None:
        if self.schema is None:
            self.schema = self.pa.schema(
                [
                    (str(name), self._type(str(name), frame.iloc[:, position]))
                    for position, name in enumerate(frame.columns)
                ]
            )
        arrays = [
            self._array(field, frame.iloc[:, position])
            for position, field in enumerate(self.schema)
        ]
        table = self.pa.Table.from_arrays(arrays, schema=self.schema)
        if self.writer is None:
            self.writer = self.pa.parquet.ParquetWriter(self.partial, self.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def _type(self, name: str, values: pd.Series) -> Any:
        pa = self.pa
        known = {
            "int64": pa.int64(),
            "decimal(18, 6)": pa.decimal128(18, 6),
            "timestamp UTC": pa.timestamp("us", tz="UTC"),
        }
        if name in RESULT_TYPES:
            return known[RESULT_TYPES[name]]
        if pd.api.types.is_datetime64_any_dtype(values):
            return pa.timestamp("us", tz=getattr(values.dt, "tz", None))
        present = values.dropna()
        if present.empty:
            return pa.string()
        if pd.api.types.is_bool_dtype(values):
            return pa.bool_()
        if pd.api.types.is_integer_dtype(values):
            return pa.int64()
        if pd.api.types.is_float_dtype(values):
            return pa.float64()
        if values.dtype == object and all(isinstance(value, Decimal) for value in present):
            return pa.decimal128(18, 6)
        return pa.string()

    def _array(self, field: Any, values: pd.Series) -> Any:
        pa, kind = self.pa, field.type
        try:
            if pa.types.is_string(kind):
                cells = text_cells(values, inert=False).tolist()
                return pa.array(cells, type=kind, from_pandas=True)
            if pa.types.is_decimal(kind):
                text = values.astype(object).where(values.notna(), None)
                cells = text.map(str, na_action="ignore").tolist()
                return pa.array(cells, type=pa.string(), from_pandas=True).cast(kind)
            if pa.types.is_timestamp(kind):
                return self._timestamps(values, kind)
            if pa.types.is_integer(kind):
                numbers = pd.to_numeric(values.astype(object).where(values.notna(), None))
                return pa.array(numbers.astype("Int64"), type=kind, from_pandas=True)
            if pa.types.is_boolean(kind):
                return pa.array(values.astype("boolean"), type=kind, from_pandas=True)
            return pa.array(pd.to_numeric(values).astype(float), type=kind, from_pandas=True)
        except (ValueError, TypeError, pa.ArrowException) as error:
            raise ValidationError(
                "results", f"column {field.name} does not fit its Parquet type {kind} ({error})",
                str(values.dropna().head(1).tolist()),
            ) from error  # fmt: skip

    def _timestamps(self, values: pd.Series, kind: Any) -> Any:
        when = pd.to_datetime(values)
        if kind.tz is not None:
            zone = getattr(when.dt, "tz", None)
            when = when.dt.tz_localize(kind.tz) if zone is None else when.dt.tz_convert(kind.tz)
        return self.pa.Array.from_pandas(when).cast(kind, safe=False)


class ResultsWriter:
    """A results file written chunk by chunk to ``<path>.partial``, then moved into place.

    Parameters
    ----------
    path : str or os.PathLike
        ``.csv`` or ``.parquet`` (:func:`check_format`, checked here, before any write).
    sep, decimal : str
        As for :func:`smsc_frames.export.to_csv` (CSV only).
    index : bool, default True
        Write each chunk's index as the first column (``row`` when unnamed).

    Notes
    -----
    Used as a context manager, an exception inside the block calls :meth:`abort`.
    The partial file is created (replacing an older one) by the first :meth:`write`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        sep: str = ",",
        decimal: str = ".",
        index: bool = True,
    ) -> None:
        check_format(path)
        self.path = Path(path)
        self.partial = partial_path(self.path)
        self.index = index
        self.chunks = 0
        self._columns: list[str] | None = None
        self._file: _CsvChunks | _ParquetChunks = (
            _ParquetChunks(self.partial)
            if self.path.suffix.lower() == ".parquet"
            else _CsvChunks(self.partial, sep, decimal)
        )

    def write(self, results: pd.DataFrame) -> None:
        """Add *results* (one chunk) to the file.

        Raises
        ------
        ValidationError
            The chunk's columns are not the first chunk's, or (Parquet) a value does not
            fit its column's type.
        """
        frame = with_row_column(results, self.index)
        columns = [str(name) for name in frame.columns]
        if self._columns is None:
            self._columns = columns
        elif columns != self._columns:
            raise ValidationError(
                "results", f"chunk {self.chunks} has other columns than the first chunk "
                f"({', '.join(self._columns)})", ", ".join(columns),
            )  # fmt: skip
        self._file.write(frame)
        self.chunks += 1

    def finish(self) -> Path:
        """Close the file and move it to its name; returns the path.

        Raises
        ------
        ValidationError
            Nothing was written.
        """
        self._file.close()
        if self.chunks == 0:
            raise ValidationError("results", "no chunk was written", str(self.path))
        os.replace(self.partial, self.path)
        return self.path

    def abort(self) -> Path | None:
        """Close the file, keeping the chunks written so far (each whole) in ``.partial``.

        Returns the partial file, or None when no chunk was written in this run.
        """
        self._file.close()
        return self.partial if self.chunks else None

    def discard(self) -> None:
        """Close the file and delete what this run wrote."""
        self._file.close()
        if self.chunks:
            self.partial.unlink(missing_ok=True)

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is not None:
            self.abort()


def to_parquet(results: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = True) -> Path:
    """Write a whole results frame as Parquet (the types of :class:`ResultsWriter`).

    A failure leaves *path* as it was.

    Examples
    --------
    >>> import tempfile
    >>> from decimal import Decimal
    >>> results = pd.DataFrame({"phone": ["79161234567"], "cost": [Decimal("1.90")]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     back = read_parquet_results(to_parquet(results, Path(folder) / "r.parquet"))
    >>> back["cost"].tolist()
    [Decimal('1.90')]
    """
    if Path(path).suffix.lower() != ".parquet":
        raise ValidationError("path", "must end in .parquet", str(path))
    writer = ResultsWriter(path, index=index)
    try:
        writer.write(results)
    except BaseException:
        writer.discard()
        raise
    return writer.finish()


def read_parquet_results(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A Parquet results file as a frame, indexed by ``row`` when it has one.

    ``cost`` comes back as ``Decimal`` in kopecks as ``send`` gave it (``1.90``, not the
    file's ``1.900000``), ``sent_at`` as UTC, integer columns as ``Int64`` (``<NA>`` where
    missing) and ``outcome`` as ``send``'s categorical.
    """
    from smsc_frames.campaign.results import OUTCOMES  # the campaign package writes results

    pa = _pyarrow()
    integers = {pa.int64(): pd.Int64Dtype()}  # missing stays <NA>, not a float NaN
    frame = pa.parquet.read_table(path).to_pandas(types_mapper=integers.get)
    if "cost" in frame.columns and frame["cost"].dtype == object:
        frame["cost"] = frame["cost"].map(_as_sent, na_action="ignore")
    if "outcome" in frame.columns and frame["outcome"].dropna().isin(OUTCOMES).all():
        frame["outcome"] = pd.Categorical(frame["outcome"], categories=OUTCOMES)
    return frame.set_index("row") if "row" in frame.columns else frame


def _as_sent(cost: Decimal) -> Decimal:
    """A cost with the file's 6 decimals as SMSC wrote it: kopecks, or as many as it has.

    Examples
    --------
    >>> _as_sent(Decimal("1.900000")), _as_sent(Decimal("0.123400"))
    (Decimal('1.90'), Decimal('0.1234'))
    """
    kopecks = cost.quantize(Decimal("0.01"))
    return kopecks if kopecks == cost else cost.normalize()
