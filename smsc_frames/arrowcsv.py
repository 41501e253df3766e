"""A plain UTF-8 CSV parsed by pyarrow's multithreaded reader, into the frame pandas would give.

pandas' C parser makes one Python string per cell in one thread; pyarrow parses the bytes in
blocks on every core, and only the conversion to the Python strings the pipeline works on is
left in one thread. The frame must be exactly the one :func:`pandas.read_csv` gives
(Python strings, ``pd.NA`` for an empty or ``""`` cell, whitespace kept), so the fast path is
taken only where the two readers agree, told from the start of the file:

* UTF-8 (with or without a BOM), a ``;``, ``,`` or TAB delimiter, at least two columns (pandas
  skips whitespace-only lines; pyarrow reads them as a one-cell row, an error only when there
  are more columns), a header line that is not blank and has no NUL, no quote or second BOM
  above it;
* a row with fewer or more cells than the header, bytes that are not UTF-8, a file that may
  end inside a quoted cell, or any other pyarrow error: ``None``, and pandas reads the file
  (its frame or its error, as before).

A column whose values repeat in the head is dictionary-encoded while parsing, so a value
repeated within a block is one Python string, as pandas' parser shares them (the pipeline codes
texts by identity, and a million copies of one text would cost hundreds of MB); a column of
distinct values is not hashed. Each block's Arrow memory is given back to the system as soon as
its Python strings are made (from ``malloc``, trimmed): the read's peak is the strings', not
strings plus Arrow table, and nothing is left after it.

Examples
--------
>>> import pathlib, tempfile
>>> import pandas as pd
>>> path = pathlib.Path(tempfile.mkdtemp()) / "contacts.csv"
>>> _ = path.write_text("phone,name\\n+79161234567,Анна\\n+79161234568,\\n", encoding="utf-8")
>>> text = pd.StringDtype("python", na_value=pd.NA)
>>> read_plain_csv(path, path.read_bytes(), "utf-8", ",", 0, text)
          phone  name
0  +79161234567  Анна
1  +79161234568  <NA>
"""

from __future__ import annotations

import codecs
import contextlib
import io
import mmap
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = ["read_plain_csv"]

UTF8_NAMES = frozenset({"utf-8", "utf8", "utf-8-sig", "utf_8", "utf_8_sig"})
DELIMITERS = frozenset(";,\t")
REPEATED = pa.dictionary(pa.int32(), pa.string())
BLOCK_BYTES = 4 << 20
"""pyarrow's block: with its default, 1 MiB, the 442 MB ``long`` shape took 1.56 s, 1.03 here."""


@contextlib.contextmanager
def _system_allocator() -> Iterator[None]:
    """Arrow's buffers from the C library's ``malloc`` while reading, not from pyarrow's
    mimalloc: what the read frees then goes back to the system (``release_unused``) instead of
    staying in the reading threads' heaps. Process-wide for the read's duration: passing the
    pool to each call is not enough, pyarrow's CSV reader takes some buffers from the default
    pool anyway (emoji's 1M rows: RSS after the read 1,141 MiB that way, 832 MiB with the
    default switched). Each buffer is freed by the pool it came from.
    """
    default = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(default)


def _pandas_names(head: bytes, encoding: str, delimiter: str, position: int) -> list[str] | None:
    """The header as pandas names it (``Unnamed: N``, ``x.1``), from the file's first bytes."""
    try:
        columns = pd.read_csv(
            io.BytesIO(head),
            encoding=encoding,
            sep=delimiter,
            skiprows=position,
            nrows=0,
        ).columns
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    return [str(name) for name in columns]


def _plain_head(head: bytes, encoding: str, delimiter: str, position: int) -> bytes | None:
    """The start of the file cut after its last whole line, when pyarrow may read the file."""
    if encoding.lower() not in UTF8_NAMES or delimiter not in DELIMITERS:
        return None
    end = head.rfind(b"\n")
    lines = head[: end + 1].removeprefix(codecs.BOM_UTF8).splitlines()
    if len(lines) <= position + 1 or not lines[position].strip():
        return None  # the header not whole in the head, or blank (pandas reads the next line)
    if any(b'"' in line for line in lines[:position]):
        return None  # pandas skips title rows by their quoting, pyarrow by line ends
    if any(codecs.BOM_UTF8 in line for line in lines[: position + 1]):
        return None  # a second BOM: pandas drops it from the header, pyarrow does not
    if any(b"\0" in line for line in lines[: position + 1]):
        return None  # pyarrow skips the header row short at a NUL
    return head[: end + 1]


def _read(
    source: Path | io.BytesIO, delimiter: str, position: int, types: list[pa.DataType]
) -> pa.Table:
    keys = [str(number) for number in range(len(types))]
    return pacsv.read_csv(
        source,
        read_options=pacsv.ReadOptions(
            skip_rows=position,
            column_names=keys,
            skip_rows_after_names=1,
            block_size=BLOCK_BYTES,
        ),
        # blank lines kept as empty rows (dropped later, as pandas' are): each row's place in
        # the file stays known
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict(zip(keys, types, strict=True)),
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


def _column_types(head: bytes, delimiter: str, position: int, width: int) -> list[pa.DataType]:
    """Per column, dictionary-encoded while parsing when the head repeats its values (each
    value twice or more on average), else plain strings (hashing distinct texts is waste)."""
    sample = _read(io.BytesIO(head), delimiter, position, [pa.string()] * width)
    return [
        REPEATED if 2 * pc.count_distinct(column).as_py() <= len(column) else pa.string()
        for column in sample.columns
    ]


LF_CR = re.compile(rb"\n\r(?!\n)")
"""A line feed, then a carriage return that starts no CRLF (a blank CRLF line is fine)."""


def _has_lf_cr(path: Path) -> bool:
    """Whether the file has :data:`LF_CR` anywhere: after one, pandas' parser drops a line's
    leading empty cell (``"\\n\\r,5"`` reads as ``5, <NA>``), pyarrow does not. Found by one
    ``memchr`` over a file without CRs (0.06-0.09 s over 265-442 MB), a search for the pattern
    when it has some (0.14 s over the 265 MB file with CRLF line ends).
    """
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b"\r") >= 0 and LF_CR.search(data) is not None


def _ends_inside_quotes(path: Path, table: pa.Table) -> bool:
    """Whether the file may end inside a quoted cell: pandas refuses it ("EOF inside string"),
    pyarrow reads the rest of the file into the last cell.

    Only the last row's last cell can be such a cell (a row cut short is pyarrow's error too),
    and the file then ends with its opening quote and its value, quotes doubled.
    """
    if not table.num_rows:
        return False
    value = table.column(table.num_columns - 1)[-1].as_py() or ""
    tail = b'"' + value.encode().replace(b'"', b'""')
    with path.open("rb") as file:
        size = file.seek(0, io.SEEK_END)
        file.seek(max(size - len(tail), 0))
        return file.read() == tail


def _column_objects(column: pa.ChunkedArray) -> np.ndarray:
    """A column as Python strings and ``pd.NA``. A dictionary-encoded column's blocks share one
    dictionary, made Python strings once: one string per distinct value, as pandas gives. A
    plain column is converted block by block, each block's memory given back once converted
    (the column's blocks are its only references)."""
    if pa.types.is_dictionary(column.type):
        column = column.unify_dictionaries()
        words = np.append(column.chunk(0).dictionary.to_numpy(zero_copy_only=False), pd.NA)
        parts = [
            words.take(block.indices.fill_null(len(words) - 1).to_numpy())
            for block in column.chunks
        ]
        return np.concatenate(parts)
    blocks = column.chunks
    del column
    parts = []
    while blocks:
        block = blocks.pop(0)
        values = block.to_numpy(zero_copy_only=False)
        if block.null_count:
            values[block.is_null().to_numpy(zero_copy_only=False)] = pd.NA
        parts.append(values)
        del block
        pa.system_memory_pool().release_unused()
    return np.concatenate(parts)


def read_plain_csv(
    path: Path,
    head: bytes,
    encoding: str,
    delimiter: str,
    position: int,
    dtype: pd.StringDtype,
) -> pd.DataFrame | None:
    """The CSV as ``pd.read_csv(path, sep=delimiter, skiprows=position, dtype=dtype,
    keep_default_na=False, na_values=[""])`` reads it, or ``None`` where pyarrow may differ.

    Parameters
    ----------
    path : Path
        The file.
    head : bytes
        Its first bytes (a megabyte or all of it): the encoding, header and quoting are judged
        from them.
    encoding, delimiter : str
        As detected or given; anything but UTF-8 and ``;``, ``,`` or TAB gives ``None``.
    position : int
        The header's row, from 0 (the rows above are skipped).
    dtype : pandas.StringDtype
        The columns' dtype, with Python storage (``pd.StringDtype("python", na_value=pd.NA)``).

    Returns
    -------
    pandas.DataFrame or None
        Columns named as pandas names them, every one of *dtype*; ``None`` when pandas
        must read the file.
    """
    plain = _plain_head(head, encoding, delimiter, position)
    if plain is None:
        return None
    names = _pandas_names(plain, encoding, delimiter, position)
    if names is None or len(names) < 2:
        return None
    if _has_lf_cr(path):
        return None
    with _system_allocator():
        try:
            types = _column_types(plain, delimiter, position, len(names))
            table = _read(path, delimiter, position, types)
        except (pa.ArrowException, UnicodeDecodeError):
            return None
        if _ends_inside_quotes(path, table):
            return None
        if not table.num_rows:
            return pd.DataFrame({name: pd.array([], dtype=dtype) for name in names})
        arrow = dict(zip(names, table.columns, strict=True))
        del table  # each block's Arrow memory goes as soon as its Python strings are made
        columns = {name: pd.array(_column_objects(arrow.pop(name)), dtype=dtype) for name in names}
    return pd.DataFrame(columns, copy=False)
