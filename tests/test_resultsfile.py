"""Results written chunk by chunk: the CSV of export.to_csv, Parquet with stable types."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pyarrow.parquet as pq
import pytest

from smsc_frames import resultsfile
from smsc_frames.campaign import OUTCOMES
from smsc_frames.errors import ValidationError
from smsc_frames.export import to_csv
from smsc_frames.resultsfile import (
    ResultsWriter,
    partial_path,
    read_parquet_results,
    to_parquet,
)

UTC_TIMES = pd.to_datetime(["2024-03-15 09:00:01", "2024-03-15 09:00:02"]).tz_localize("UTC")


def _chunk(start: int, *, sent: bool) -> pd.DataFrame:
    """Two results rows; an unsent chunk has every cost, status, time and id missing (as
    objects: no dtype tells their type)."""
    index = pd.Index([start, start + 1], name="row")
    if sent:
        return pd.DataFrame(
            {
                "phone": ["79161234567", "=77011234567"],
                "sms_id": ["c0ffee-1", "c0ffee-1"],
                "parts": [1, 2],
                "cost": [Decimal("1.90"), Decimal("3.805")],
                "status": pd.array([-1, 1], dtype="Int64"),
                "sent_at": UTC_TIMES,
                "outcome": pd.Categorical(["sent", "sent"]),
                "note": ["Анна", None],
            },
            index=index,
        )
    return pd.DataFrame(
        {
            "phone": [None, "79031234567"],
            "sms_id": [None, None],
            "parts": [1, 1],
            "cost": [None, None],
            "status": [None, None],
            "sent_at": pd.Series([pd.NaT, pd.NaT], index=index, dtype="datetime64[us, UTC]"),
            "outcome": pd.Categorical(["invalid", "duplicate"]),
            "note": [None, None],
        },
        index=index,
    )


CHUNKS = [_chunk(2, sent=False), _chunk(4, sent=True), _chunk(6, sent=False)]


def test_csv_chunks_are_byte_identical_to_one_to_csv_of_the_whole(tmp_path):
    writer = ResultsWriter(tmp_path / "results.csv", sep=";", decimal=",")
    for chunk in CHUNKS:
        writer.write(chunk)
    assert writer.partial.exists() and not (tmp_path / "results.csv").exists()
    written = writer.finish()
    whole = to_csv(pd.concat(CHUNKS), tmp_path / "whole.csv", sep=";", decimal=",")
    assert written.read_bytes() == whole.read_bytes()
    assert written.read_bytes().count(b"\xef\xbb\xbf") == 1  # one BOM, one header
    assert not partial_path(written).exists()


def test_parquet_keeps_the_first_chunks_types_when_a_chunk_has_no_values(tmp_path):
    writer = ResultsWriter(tmp_path / "results.parquet")
    for chunk in CHUNKS:  # the first chunk has no cost, status, sent_at or sms_id at all
        writer.write(chunk)
    path = writer.finish()
    schema = pq.read_schema(path)
    assert str(schema.field("cost").type) == "decimal128(18, 6)"
    assert str(schema.field("status").type) == "int64"
    assert str(schema.field("sent_at").type) == "timestamp[us, tz=UTC]"
    assert str(schema.field("sms_id").type) == "string"
    assert pq.ParquetFile(path).num_row_groups == 3  # one per chunk


def test_parquet_round_trip_gives_the_values_back_exactly(tmp_path):
    whole = pd.concat(CHUNKS)
    back = read_parquet_results(to_parquet(whole, tmp_path / "r.parquet"))
    assert back.index.tolist() == whole.index.tolist() and back.index.name == "row"
    assert back["cost"].tolist() == [None, None, Decimal("1.90"), Decimal("3.805"), None, None]
    assert all(isinstance(cost, Decimal) for cost in back["cost"].dropna())
    assert back["status"].tolist()[2:4] == [-1, 1] and back["status"].isna().sum() == 4
    assert str(back["status"].dtype) == "Int64"
    assert back["sent_at"].dropna().tolist() == list(UTC_TIMES)
    assert str(back["sent_at"].dt.tz) == "UTC"
    assert back["phone"].tolist()[3] == "=77011234567"  # no spreadsheet: not neutralised
    assert back["outcome"].tolist() == whole["outcome"].astype(str).tolist()
    # as send gives them: 1.90 (not the file's 1.900000), and outcome in send's categories
    assert [str(cost) for cost in back["cost"].dropna()] == ["1.90", "3.805"]
    assert back["outcome"].cat.categories.tolist() == list(OUTCOMES)
    assert back["note"].tolist()[2] == "Анна" and back["parts"].tolist() == [1, 1, 1, 2, 1, 1]


def test_a_cost_parquet_cannot_hold_exactly_is_refused_naming_the_column(tmp_path):
    frame = pd.DataFrame({"cost": [Decimal("0.1234567")]})
    with pytest.raises(ValidationError, match="cost"):
        to_parquet(frame, tmp_path / "r.parquet")
    assert list(tmp_path.iterdir()) == []  # nothing left behind


def test_a_chunk_with_other_columns_is_refused(tmp_path):
    writer = ResultsWriter(tmp_path / "results.csv")
    writer.write(CHUNKS[0])
    with pytest.raises(ValidationError, match="other columns"):
        writer.write(CHUNKS[1].drop(columns="note"))


@pytest.mark.parametrize("name", ["results.csv", "results.parquet"])
def test_abort_keeps_the_finished_chunks_in_partial(tmp_path, name):
    with pytest.raises(KeyboardInterrupt):
        with ResultsWriter(tmp_path / name) as writer:
            writer.write(CHUNKS[0])
            writer.write(CHUNKS[1])
            raise KeyboardInterrupt
    assert not (tmp_path / name).exists()
    if name.endswith(".csv"):
        kept = pd.read_csv(writer.partial, encoding="utf-8-sig", index_col="row")
    else:
        kept = read_parquet_results(writer.partial)
    assert kept.index.tolist() == [2, 3, 4, 5]


def test_a_csv_chunk_interrupted_half_written_is_cut_off(tmp_path, monkeypatch):
    writer = ResultsWriter(tmp_path / "results.csv")
    writer.write(CHUNKS[0])
    complete = writer.partial.read_bytes()

    class HalfWritten:
        def to_csv(self, file, **options):
            file.write("4,7916")
            raise KeyboardInterrupt

    monkeypatch.setattr(resultsfile, "csv_table", lambda *args, **kwargs: HalfWritten())
    with pytest.raises(KeyboardInterrupt), writer:
        writer.write(CHUNKS[1])
    assert writer.partial.read_bytes() == complete


def test_a_results_file_of_another_format_is_refused_before_writing(tmp_path):
    with pytest.raises(ValidationError, match=r"\.csv or \.parquet"):
        ResultsWriter(tmp_path / "results.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_csv_stopped_in_its_first_chunk_leaves_no_partial(tmp_path, monkeypatch):
    class HalfWritten:
        def to_csv(self, file, **options):
            file.write("2,7916")
            raise KeyboardInterrupt

    monkeypatch.setattr(resultsfile, "csv_table", lambda *args, **kwargs: HalfWritten())
    with pytest.raises(KeyboardInterrupt), ResultsWriter(tmp_path / "results.csv") as writer:
        writer.write(CHUNKS[0])
    assert writer.abort() is None and list(tmp_path.iterdir()) == []


def test_parquet_takes_the_index_type_of_the_first_chunk(tmp_path):
    labelled = [chunk.set_axis([f"c{row}" for row in chunk.index]) for chunk in CHUNKS[:2]]
    back = read_parquet_results(to_parquet(pd.concat(labelled), tmp_path / "labels.parquet"))
    assert back.index.tolist() == ["c2", "c3", "c4", "c5"]
