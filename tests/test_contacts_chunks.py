"""read_contacts(chunksize=): a CSV read a chunk at a time, exactly as it is read whole."""

import pandas as pd
import pytest

from smsc_frames.contacts import file_rows, read_contacts
from smsc_frames.errors import ValidationError


def _write(path, rows, encoding="cp1251"):
    lines = ["Клиенты на март;;", "Имя;Телефон;Скидка"]
    lines += [f"Анна {n};+7916{n:07d};{'' if n % 3 else n}" for n in range(rows)]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_chunks_equal_the_whole_file_and_are_labelled_by_row(tmp_path):
    path = _write(tmp_path / "big.csv", 25)
    with pytest.warns(UserWarning, match="row 2"):
        whole = read_contacts(path)
    with pytest.warns(UserWarning, match="row 2"):
        chunks = list(read_contacts(path, chunksize=10, phone_columns="Телефон"))
    assert [len(chunk) for chunk in chunks] == [10, 10, 5]
    assert list(chunks[1].index) == list(range(10, 20))
    assert all((chunk.dtypes == "string").all() for chunk in chunks)
    pd.testing.assert_frame_equal(pd.concat(chunks), whole)
    assert [row for chunk in chunks for row in file_rows(chunk)] == file_rows(whole).tolist()


@pytest.mark.parametrize("head_bytes", [100, 101])  # 100 cuts the last "а" of a "Жанна"
def test_utf8_cut_inside_a_character_by_the_head_sample_still_reads(
    tmp_path, monkeypatch, head_bytes
):
    monkeypatch.setattr("smsc_frames.contacts.CHUNKED_HEAD_BYTES", head_bytes)
    path = tmp_path / "utf8.csv"
    path.write_text("Имя,Телефон\n" + "".join(f"Жанна,7916{n:07d}\n" for n in range(30)))
    chunks = list(read_contacts(path, chunksize=7))
    assert sum(len(chunk) for chunk in chunks) == 30
    assert chunks[-1].iloc[-1].tolist() == ["Жанна", "79160000029"]


def test_missing_phone_column_and_bad_chunksize_are_named(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("name,tel\nAnn,1\n")
    with pytest.raises(ValidationError, match="phone_columns"):
        list(read_contacts(path, chunksize=5, phone_columns="phone"))
    with pytest.raises(ValidationError, match="chunksize"):
        read_contacts(path, chunksize=0)
