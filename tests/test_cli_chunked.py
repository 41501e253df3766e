"""``smsc-frames estimate``/``send`` take the chunked path on their own for a large CSV."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from smsc_frames.cli import main
from smsc_frames.contacts import read_contacts
from smsc_frames.plan import prepare
from smsc_frames.sandbox.settings import Account

SAMPLE_CSV = Path(__file__).resolve().parent.parent / "sample_data" / "contacts.csv"
TEMPLATE = "{Имя}, скидка {Скидка}% по коду {Промокод}"


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch, tmp_path_factory):
    """Every CSV counts as large, read 100 rows at a time (4 chunks); a quote cache of its own."""
    monkeypatch.setattr("smsc_frames.clifiles.CHUNKED_BYTES", 0)
    monkeypatch.setattr("smsc_frames.clichunked.CHUNK_ROWS", 100)
    monkeypatch.setenv("SMSC_FRAMES_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def _args(sandbox, *extra: str) -> list[str]:
    return [str(SAMPLE_CSV), "--phone", "Телефон", "--template", TEMPLATE, "--url", sandbox.url,
            "--login", "demo", "--password", "demo", *extra]  # fmt: skip


def _rich(make_sandbox):
    return make_sandbox(accounts=[Account("demo", "demo", balance=Decimal("10000"))])


def test_send_goes_chunk_by_chunk_and_writes_every_row(make_sandbox, capsys, tmp_path):
    sandbox = _rich(make_sandbox)
    out = tmp_path / "results.csv"
    assert main(["send", *_args(sandbox, "--yes", "--out", str(out))]) == 0
    captured = capsys.readouterr()
    assert "chunk by chunk" in captured.err and "Results written to" in captured.out
    plan = prepare(read_contacts(SAMPLE_CSV), phone="Телефон", template=TEMPLATE)
    sendable = plan[plan["sendable"]]
    stored = [(message["phone"], message["text"]) for message in sandbox.messages()]
    assert sorted(stored) == sorted(zip(sendable["phone"], sendable["text"]))
    written = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig", index_col=0)
    assert written.index.tolist() == [str(label + 2) for label in plan.index]  # file rows
    assert (written["outcome"] == "sent").sum() == len(sendable)
    assert (written["outcome"] == "duplicate").sum() == plan["duplicate_of"].notna().sum()
    assert {"phone_input", "text"} <= set(written.columns)


def test_estimate_prints_the_chunked_totals_and_sends_nothing(make_sandbox, capsys):
    sandbox = _rich(make_sandbox)
    assert main(["estimate", *_args(sandbox)]) == 0
    printed = capsys.readouterr().out
    plan = prepare(read_contacts(SAMPLE_CSV), phone="Телефон", template=TEMPLATE)
    assert f"{int(plan['sendable'].sum())} recipients" in printed
    assert sandbox.messages() == []


def test_a_workbook_output_is_refused_before_any_request(make_sandbox, capsys, tmp_path):
    sandbox = _rich(make_sandbox)
    assert main(["send", *_args(sandbox, "--yes", "--out", str(tmp_path / "r.xlsx"))]) == 2
    assert ".csv" in capsys.readouterr().err and sandbox.requests == []
