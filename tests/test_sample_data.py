"""The committed sample data is what its generator makes, and is as messy as promised."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import openpyxl
import pytest

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_sample_data", SAMPLE_DIR / "make_sample_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator():
    return load_generator()


@pytest.fixture(scope="module")
def csv_rows(generator):
    with open(SAMPLE_DIR / "contacts.csv", encoding=generator.CSV_ENCODING, newline="") as handle:
        return list(csv.reader(handle, delimiter=generator.CSV_DELIMITER))


@pytest.fixture(scope="module")
def xlsx_cells():
    sheet = openpyxl.load_workbook(SAMPLE_DIR / "contacts.xlsx", read_only=True).active
    return [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()]


def test_regenerating_gives_the_committed_files(generator, tmp_path, xlsx_cells):
    generator.main([str(tmp_path)])
    assert (tmp_path / "contacts.csv").read_bytes() == (SAMPLE_DIR / "contacts.csv").read_bytes()
    fresh = openpyxl.load_workbook(tmp_path / "contacts.xlsx", read_only=True).active
    assert [[(c.value, c.data_type) for c in row] for row in fresh.iter_rows()] == xlsx_cells


def test_csv_is_saved_like_a_russian_excel(generator, csv_rows):
    raw = (SAMPLE_DIR / "contacts.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.split(b"\r\n")[0].decode("cp1251") == ";".join(generator.COLUMNS)
    assert len(csv_rows) - 1 >= 300
    assert {len(row) for row in csv_rows} == {len(generator.COLUMNS)}


def test_xlsx_mixes_numeric_and_text_phone_cells(xlsx_cells, csv_rows):
    header, *rows = xlsx_cells
    phone_at = [value for value, _ in header].index("Телефон")
    phones = [row[phone_at] for row in rows]
    numeric = sum(kind == "n" and isinstance(value, int) for value, kind in phones)
    text = sum(kind == "s" for _, kind in phones)
    empty = sum(value is None for value, _ in phones)
    assert 0.15 * len(rows) < numeric < 0.4 * len(rows)
    assert (numeric + text + empty, empty) == (len(rows), 2)
    # The CSV holds the same rows: a numeric cell's digits are what Excel displays.
    shown = ["" if value is None else str(value) for value, _ in phones]
    assert shown == [row[phone_at] for row in csv_rows[1:]]


def test_phone_formats_cover_the_usual_mess(csv_rows):
    phones = [row[2] for row in csv_rows[1:]]
    patterns = {
        "8 (9xx) xxx-xx-xx": lambda p: p.startswith("8 (9") and p.count("-") == 2,
        "+7 9xx xxxxxxx": lambda p: p.startswith("+7 9") and len(p) == 14,
        "9xxxxxxxxx": lambda p: p.isdigit() and len(p) == 10 and p[0] == "9",
        "79xxxxxxxxx": lambda p: p.isdigit() and len(p) == 11 and p.startswith("79"),
        "8-9xx-...": lambda p: p.startswith("8-9"),
        "007 ...": lambda p: p.startswith("007"),
        "810 ...": lambda p: p.startswith("810"),
        "landline 495/812": lambda p: "495" in p or "812" in p,
        "8-800": lambda p: "800" in p.replace(" ", ""),
        "empty": lambda p: p == "",
        "letters": lambda p: any(ch.isalpha() for ch in p.replace("E+", "")),
        "Excel 7.92E+10": lambda p: "E+" in p,
        "Kazakhstan +7 7xx": lambda p: p.startswith("+7 7"),
        "Belarus": lambda p: "375" in p,
        "Uzbekistan": lambda p: p.startswith("+998"),
        "Germany": lambda p: p.startswith("+49") or p.startswith("81049"),
    }
    missing = [name for name, matches in patterns.items() if not any(map(matches, phones))]
    assert missing == []


def test_duplicates_and_the_same_person_written_twice(csv_rows):
    rows = [tuple(row) for row in csv_rows[1:]]
    assert len(rows) - len(set(rows)) >= 5
    by_person = {}
    for row in set(rows):
        digits = "".join(ch for ch in row[2] if ch.isdigit())[-10:]
        by_person.setdefault((row[0], row[1], digits), set()).add(row[2])
    assert sum(len(spellings) > 1 for spellings in by_person.values()) >= 3


def test_template_fields_and_costly_characters(generator, csv_rows):
    header, *rows = csv_rows
    column = {name: header.index(name) for name in generator.COLUMNS}
    first_names = {row[column["Имя"]] for row in rows}
    assert all(name and all("А" <= ch <= "я" or ch == "ё" for ch in name) for name in first_names)
    assert all(row[column["Скидка"]].isdigit() for row in rows)
    assert all(row[column["Промокод"]].startswith("SALE-") for row in rows)
    messages = "".join(row[column["Сообщение"]] for row in rows)
    assert {"«", "»", "—", "’"} <= set(messages)


def test_sandbox_magic_numbers_appear_only_on_purpose(csv_rows):
    digits = ["".join(ch for ch in row[2] if ch.isdigit())[-10:] for row in csv_rows[1:]]
    assert sorted(d for d in digits if d.startswith("999")) == ["9990000020", "9990000025"]


def test_normalising_the_sample_finds_every_kind_of_number(csv_rows):
    from smsc_frames.phones import normalize_phones

    phones = normalize_phones([row[2] for row in csv_rows[1:]])
    valid = phones[phones["phone_ok"]]
    assert {"RU", "KZ", "BY", "UZ", "DE"} <= set(valid["region"])
    assert (valid["region"] == "RU").mean() > 0.9
    problems = " | ".join(phones["problem"].dropna())
    for reason in ("empty", "too short", "landline", "toll-free", "Excel"):
        assert reason in problems
    assert valid["phone"].str.fullmatch(r"\d{11,15}").all()
