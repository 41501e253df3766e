"""pyarrow's CSV reader gives pandas' frame, or steps aside: every test compares both readers
on the same bytes (the frame pandas gives is the one read_contacts always gave)."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smsc_frames.contacts as contacts
from smsc_frames.arrowcsv import read_plain_csv
from smsc_frames.contacts import TEXT, read_contacts
from smsc_frames.encodings import UTF8_SAMPLE


def pandas_frame(data: bytes, delimiter: str = ",", position: int = 0, encoding="utf-8"):
    """What read_contacts' pandas path reads from these bytes."""
    return pd.read_csv(io.BytesIO(data), encoding=encoding, sep=delimiter, skiprows=position,
                       dtype=TEXT, keep_default_na=False, na_values=[""],
                       skip_blank_lines=False)  # fmt: skip


def arrow_frame(tmp_path, data: bytes, delimiter: str = ",", position: int = 0):
    path = tmp_path / "list.csv"
    path.write_bytes(data)
    return read_plain_csv(path, data, "utf-8", delimiter, position, TEXT)


AGREEING = {
    "plain": (b"a,b\n1,2\n3,4\n", 0),
    "blank lines": (b"a,b\n\n1,2\n\n\n3,4\n\n", 0),
    "blank lines, CRLF, no final newline": (b"a,b\r\n\r\n1,2\r\n\r\n3,4", 0),
    "spaces then delimiters": (b"a,b,c\n  ,,\n1,2,3\n", 0),
    "a row of delimiters only": (b"a,b,c\n,,\n1,2,3\n", 0),
    "quoted newlines": (b'a,b\n"x\ny",2\n"p\r\nq",3\n', 0),
    "empty cell and quoted empty string": (b'a,b\n"",\n,""\n', 0),
    "quotes inside a cell": (b'a,b\nx"y"z,2\n"ab"cd,3\n "x",4\n', 0),
    "doubled quotes and a backslash": (b'a,b\n"x""y",2\n"x\\"y",3\n', 0),
    "duplicate and blank header names": (b"a,a,a.1, a ,,\n1,2,3,4,5,6\n", 0),
    "a trailing delimiter on the header too": (b"a,b,\n1,2,\n", 0),
    "a quoted newline in the header": (b'"a\nx",b\n1,2\n', 0),
    "whitespace kept, NA and nan are text": (b"a,b\n 1 , 2 \nNA,nan\n#x,None\n", 0),
    "NUL bytes": (b"a,b\n1\x00x,2\n\x00,\n", 0),
    "BOM": (b"\xef\xbb\xbfa,b\n1,2\n", 0),
    "title rows above the header": (b"Title\n\na,b\n1,2\n", 2),
    "title rows, CRLF": (b"Title\r\n\r\na,b\r\n1,2\r\n", 2),
    "title row after a BOM": (b"\xef\xbb\xbfTitle\na,b\n1,2\n", 1),
}


@pytest.mark.parametrize("case", AGREEING)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_pyarrow_reads_the_frame_pandas_reads(tmp_path, case, delimiter):
    data, position = AGREEING[case]
    data = data.replace(b",", delimiter.encode())
    fast = arrow_frame(tmp_path, data, delimiter, position)
    assert fast is not None, "pyarrow stepped aside on a file it reads as pandas does"
    pd.testing.assert_frame_equal(fast, pandas_frame(data, delimiter, position), check_exact=True)


DIFFERING = {
    "a short row": b"a,b,c\n1,2\n3,4,5\n",
    "a long row": b"a,b\n1,2,3\n4,5\n",
    "every row a cell longer (pandas: an index)": b"a,b\n1,2,3\n4,5,6\n",
    "a trailing delimiter on the rows only": b"a,b\n1,2,\n3,4,\n",
    "a whitespace-only line": b"a,b\n  \n1,2\n",
    "LF CR before a leading empty cell (pandas: the cell dropped)": b"x,y\n1,2\n\r,5\n3,4\n",
    "LF CR before a trailing empty cell (pandas: the cell moved)": b"x,y\n1,2\n\r5,\n3,4\n",
    "a tab-only line": b"a,b\n\t\n1,2\n",
    "whitespace-only last line": b"a,b\n1,2\n   ",
    "a quoted space alone on a line": b'a,b\n" "\n1,2\n',
    "an unterminated quote": b'a,b\n"x,2\n3,4\n',
    "an unterminated quote in the last cell": b'a,b\n1,"x\n2,3\n',
    "an unterminated quote at the very end": b'a,b\n\n,"',
    "an unterminated quote after a doubled one": b'a,b\n1,"a""',
    "a lone CR inside a cell": b"a,b\nx\ry,2\n",
    "one column (pandas skips whitespace-only lines)": b"a\n  \n1\n",
    "not UTF-8": "a,b\nИван,2\n".encode("cp1251"),
    "a quoted newline in a title row": b'"Ti\ntle"\na,b\n1,2\n',
    "a blank line where the header is (pandas: the next line)": b"\n,\n1,2\n",
    "a second BOM (pandas drops it)": b"\xef\xbb\xbf\xef\xbb\xbf\n,\n1,2\n",
    "a NUL in the header": b",\x00\naaaaa\r\n",
}


@pytest.mark.parametrize("case", DIFFERING)
def test_pyarrow_steps_aside_where_it_would_differ(tmp_path, case):
    """Each of these gives pyarrow another frame or an error: pandas reads them."""
    data = DIFFERING[case]
    position = 1 if case == "a quoted newline in a title row" else 0
    assert arrow_frame(tmp_path, data, ",", position) is None


CSV_BYTES = st.lists(
    st.sampled_from(["a", " ", ",", '"', "\n", "\r\n", "\r", "\t", "é", "😀", ";", "\0", "\ufeff"]),
    max_size=40,
).map(lambda parts: "".join(parts).encode())


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=CSV_BYTES, header=st.sampled_from([b"x,y\n", b"x,y,z\n", b"x,x, \n", b"T\nx,y\n"]))
def test_pyarrow_never_gives_another_frame_than_pandas(tmp_path, body, header):
    """On any bytes pyarrow's frame is pandas' frame, or pyarrow steps aside (pandas then
    reads it, or refuses it with its error)."""
    data = header + body
    position = 1 if header.startswith(b"T\n") else 0
    fast = arrow_frame(tmp_path, data, ",", position)
    if fast is None:
        return
    pd.testing.assert_frame_equal(fast, pandas_frame(data, ",", position), check_exact=True)


def big_csv(tmp_path, rows: list[str], header="phone;name;note") -> tuple:
    """A file past the first MiB (pyarrow's size in these tests: the `readers` fixture)."""
    filler = [f"+7916{n:07d};Name {n};x" for n in range(UTF8_SAMPLE // 24)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join([header, *filler, *rows]) + "\n", encoding="utf-8")
    assert path.stat().st_size > UTF8_SAMPLE
    return path


@pytest.fixture
def readers(monkeypatch):
    """Which reader gave each frame: pyarrow's (a frame) or pandas' (None from pyarrow)."""
    results = []

    def spy(*args):
        results.append(read_plain_csv(*args))
        return results[-1]

    monkeypatch.setattr(contacts, "read_plain_csv", spy)
    monkeypatch.setattr(contacts, "ARROW_MIN_BYTES", UTF8_SAMPLE)  # files of a MiB will do
    return results


@pytest.mark.parametrize("encoding", [None, "utf-8"])
def test_a_plain_big_file_is_read_by_pyarrow_as_pandas_reads_it(tmp_path, readers, encoding):
    path = big_csv(tmp_path, ['+79160000000;"Анна, ""VIP""";', "+79160000001;;"])
    frame = read_contacts(path, encoding=encoding)
    assert len(readers) == 1 and readers[0] is not None
    expected = pandas_frame(path.read_bytes(), ";")
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert frame.iloc[-2].tolist() == ["+79160000000", 'Анна, "VIP"', pd.NA]
    assert all(frame[name].dtype == TEXT for name in frame.columns)


@pytest.mark.parametrize("fast", [True, False])
def test_each_row_keeps_its_place_in_the_file_past_titles_and_blank_lines(
    tmp_path, readers, monkeypatch, fast
):
    path = big_csv(tmp_path, ["", "+79160000000;Анна;", ";;", "+79160000001;Борис;"])
    path.write_bytes(b"Contacts, March\n\n" + path.read_bytes())  # a title, then a blank line
    if not fast:
        monkeypatch.setattr(contacts, "ARROW_MIN_BYTES", 10**12)
    with pytest.warns(UserWarning, match="the header is row 3"):
        frame = read_contacts(path)
    assert (bool(readers) and readers[0] is not None) == fast
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = contacts.file_rows(frame)
    assert len(rows) == len(frame) and rows[0] == 4
    for position in (0, len(frame) - 2, len(frame) - 1):  # the file's own line, 1-based
        assert lines[rows[position] - 1].startswith(frame["phone"].iat[position])
    assert rows[-2:].tolist() == [len(lines) - 2, len(lines)]


def test_repeated_values_are_one_string_as_pandas_shares_them(tmp_path, readers):
    """The pipeline codes texts by identity: a million copies of one text would cost 100s
    of MB and a hash each."""
    frame = read_contacts(big_csv(tmp_path, []))
    assert readers[0] is not None
    notes = frame["note"].array._ndarray
    assert len({id(value) for value in notes}) < len(notes) // 1000


def test_a_short_row_past_the_head_is_read_by_pandas(tmp_path, readers):
    """pyarrow's error on the row, not a guess from the head, sends the file to pandas."""
    path = big_csv(tmp_path, ["+79160000000;Анна"])
    frame = read_contacts(path)
    assert readers == [None]
    assert frame.iloc[-1].tolist() == ["+79160000000", "Анна", pd.NA]
    pd.testing.assert_frame_equal(frame, pandas_frame(path.read_bytes(), ";"), check_exact=True)


def test_a_long_row_past_the_head_is_still_pandas_error(tmp_path, readers):
    path = big_csv(tmp_path, ["+79160000000;Анна;x;y"])
    with pytest.raises(contacts.ValidationError, match=r"path.*is not a ';'-separated file"):
        read_contacts(path)
    assert readers == [None]


def test_bad_utf8_past_the_head_is_read_in_its_real_encoding(tmp_path, readers):
    path = big_csv(tmp_path, [])
    path.write_bytes(path.read_bytes() + "+79160000000;Иван;x\n".encode("cp1251") * 50)
    frame = read_contacts(path)
    assert readers[0] is None  # pyarrow refused the bytes; pandas then read them as cp1251
    assert frame["name"].iloc[-1] == "Иван"


@pytest.mark.parametrize("rows", [[], ["+79160000000;Анна"]], ids=["pyarrow", "fallback"])
def test_the_read_gives_pyarrows_default_memory_pool_back(tmp_path, readers, rows):
    """The read borrows the system allocator process-wide; whoever uses pyarrow after it
    gets their own pool back, holding nothing of the read, also when pandas read the file."""
    default = pa.default_memory_pool()
    backend, held = default.backend_name, default.bytes_allocated()
    path = big_csv(tmp_path, rows)
    read_contacts(path)
    assert (readers[0] is None) == bool(rows)
    assert pa.default_memory_pool().backend_name == backend
    # a few bytes of small results may stay; the file's megabytes of buffers do not
    assert default.bytes_allocated() - held < 4096 < path.stat().st_size


def test_a_file_under_pyarrows_size_is_read_by_pandas_alone(tmp_path, readers, monkeypatch):
    """pyarrow's start (~30 ms) is not paid back on files of a few MB."""
    monkeypatch.setattr(contacts, "ARROW_MIN_BYTES", 2 * UTF8_SAMPLE)
    frame = read_contacts(big_csv(tmp_path, []))
    assert readers == []
    assert frame["note"].iloc[-1] == "x"
