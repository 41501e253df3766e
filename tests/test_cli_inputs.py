"""The command line's input flags and its sample of messages, against the sandbox."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from smsc_frames.cli import build_parser, main, read_results
from smsc_frames.export import to_excel
from smsc_frames.sandbox.settings import Account, SandboxSettings


@pytest.fixture(autouse=True)
def quote_cache_dir(tmp_path_factory, monkeypatch) -> Path:
    folder = tmp_path_factory.mktemp("quote-cache") / "smsc-frames"
    monkeypatch.setenv("SMSC_FRAMES_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def sandbox(make_sandbox):
    account = Account("demo", "demo", apikey="demo-apikey", balance=Decimal("10000.00"))
    settings = SandboxSettings(seconds_to_operator=0.05, seconds_to_final=0.15)
    return make_sandbox(accounts=[account], settings=settings)


def connection(sandbox) -> list[str]:
    return ["--url", sandbox.url, "--login", "demo", "--password", "demo"]


def analyst_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Старое"
    sheet = book.create_sheet("2024")
    sheet.append(["Клиенты на март"])
    sheet.merge_cells("A1:C1")
    sheet.append([" Телефон ", "Дата", "Скидка"])
    sheet.append([79161234567, datetime.date(2025, 3, 1), 0.2])
    sheet.append(["89161234568, 89161234569", datetime.date(2025, 3, 2), 0.15])
    sheet.append(["8 916 123-45-70 доб. 12", datetime.date(2025, 3, 3), 0.1])
    for row in (3, 4, 5):
        sheet[f"B{row}"].number_format = "dd.mm.yyyy"
        sheet[f"C{row}"].number_format = "0%"
    book.save(path)
    return path


def test_estimate_shows_sample_messages_as_the_analyst_sees_the_cells(sandbox, capsys, tmp_path):
    path = analyst_workbook(tmp_path / "contacts.xlsx")
    argv = ["estimate", str(path), "--sheet", "2024", "--phone", "телефон",
            "--template", "Скидка {Скидка} до {Дата}", *connection(sandbox)]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "Sample messages (as they will be sent):" in captured.out
    assert "Скидка 20% до 01.03.2025" in captured.out
    assert "0.2" not in captured.out and "00:00:00" not in captured.out
    assert "the header is row 2" in captured.err
    assert "Recipients: 2" in captured.out  # the two-number cell is refused, not cut
    assert "2 numbers in one cell" in captured.out
    assert sandbox.messages() == []


def test_split_phones_sends_to_every_number_of_a_cell(sandbox, capsys, tmp_path):
    path = analyst_workbook(tmp_path / "contacts.xlsx")
    out = tmp_path / "results.csv"
    argv = ["send", str(path), "--sheet", "@1", "--header-row", "2", "--phone", "Телефон",
            "--template", "Скидка {Скидка}", "--split-phones", "--yes", "--out", str(out),
            *connection(sandbox)]  # fmt: skip
    assert main(argv) == 0
    sent = sorted(message["phone"] for message in sandbox.messages())
    assert sent == ["79161234567", "79161234568", "79161234569", "79161234570"]
    capsys.readouterr()
    rows = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")["row"].tolist()
    assert any("#" in row for row in rows)  # a cell's second number: "4#2"
    assert main(["status", str(out), *connection(sandbox), "--min-interval", "0"]) == 0
    again = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")["row"].tolist()
    assert again == rows  # they were blanked: read back as numbers, "4#2" was no number


def test_a_file_that_is_not_split_by_its_delimiter_is_refused_in_one_line(
    sandbox, capsys, tmp_path
):
    path = tmp_path / "bad.csv"
    path.write_text("phone,text\n79161234567,Hi\n79031234567,Hi, there, again\n", encoding="utf-8")
    argv = ["estimate", str(path), "--delimiter", ",", "--phone", "phone", "--text", "text",
            *connection(sandbox)]  # fmt: skip
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert "is not a ','-separated file (Error tokenizing data" in error
    assert "give the delimiter it uses with --delimiter" in error
    [refusal] = [line for line in error.splitlines() if "refused" in line]  # one line
    assert "give the delimiter it uses with --delimiter (got " in refusal
    assert "delimiter=" not in error  # in the CLI's words


def test_a_sheet_for_a_csv_is_refused_not_ignored(sandbox, capsys, tmp_path):
    contacts = tmp_path / "march.csv"
    contacts.write_text("Телефон;Имя\n+79161234567;Анна\n", encoding="utf-8")
    argv = ["estimate", str(contacts), "--sheet", "Март", "--phone", "Телефон", "--text",
            "Имя", *connection(sandbox)]  # fmt: skip
    assert main(argv) == 2
    refused = "--sheet: is for workbooks: a CSV file has no sheets (got Март)"
    assert refused in capsys.readouterr().err
    assert sandbox.requests == []


def test_a_digit_sheet_name_is_a_name_and_positions_need_at(sandbox, capsys, tmp_path):
    path = analyst_workbook(tmp_path / "contacts.xlsx")
    argv = ["estimate", str(path), "--sheet", "1", "--phone", "Телефон", "--text", "Дата",
            *connection(sandbox)]  # fmt: skip
    assert main(argv) == 2
    assert "@1" in capsys.readouterr().err


def test_without_sheet_the_first_visible_sheet_is_read(sandbox, capsys, tmp_path):
    path = tmp_path / "contacts.xlsx"
    book = openpyxl.load_workbook(analyst_workbook(path))
    book["Старое"].sheet_state = "hidden"
    book.active = 1
    book.save(path)
    argv = ["estimate", str(path), "--phone", "Телефон", "--text", "Дата", *connection(sandbox)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "79161234567, 1 part (first row): 01.03.2025" in captured.out
    assert "hidden before it: ['Старое'] (pass --sheet= to read one of them)" in captured.err


def test_a_misspelt_column_is_named_by_its_flag(sandbox, capsys, tmp_path):
    path = analyst_workbook(tmp_path / "contacts.xlsx")
    argv = ["estimate", str(path), "--sheet", "2024", "--phone", "Телфон", "--text", "Дата",
            *connection(sandbox)]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--phone: names no column; did you mean 'Телефон'?" in err
    assert "phone_columns" not in err


def test_csv_flags_reach_the_reader(sandbox, capsys, tmp_path):
    path = tmp_path / "list.txt"
    path.write_bytes("Телефон|Текст\n9161234567|Привет\n".encode("cp866"))
    argv = ["estimate", str(path), "--phone", "Телефон", "--text", "Текст", "--delimiter", "|",
            "--encoding", "cp866", *connection(sandbox)]  # fmt: skip
    assert main(argv) == 0
    assert "79161234567, 1 part (first row): Привет" in capsys.readouterr().out
    german = tmp_path / "de.csv"
    german.write_text("phone;text\n030 1234567;Hallo\n01511 2345678;Hallo\n", "utf-8")
    argv = ["estimate", str(german), "--phone", "phone", "--text", "text", "--region", "DE",
            *connection(sandbox)]  # fmt: skip
    assert main(argv) == 0
    assert "4915112345678" in capsys.readouterr().out


def test_help_says_how_sheets_and_header_rows_are_counted():
    text = build_parser()._subparsers._group_actions[0].choices["estimate"].format_help()
    assert "counted from 0" in text and "from 1" in text
    for flag in ("--encoding", "--delimiter", "--header-row", "--region", "--split-phones"):
        assert flag in text


def test_results_written_as_excel_are_read_back_with_their_costs(tmp_path):
    results = pd.DataFrame({"phone": ["79161234567"], "sms_id": ["1"],
                            "cost": [Decimal("1.90")]})  # fmt: skip
    path = to_excel(results, tmp_path / "results.xlsx")
    assert read_results(path)["cost"].tolist() == [Decimal("1.90")]
