"""Reading contact files: every column as text, encodings and delimiters recognised."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from smsc_frames.contacts import read_contacts
from smsc_frames.errors import ValidationError
from smsc_frames.phones import normalize_phones

ROWS = [
    ["Имя", "Телефон", "Скидка", "Город"],
    ["Анна", "+7 916 123-45-67", "5", "Москва"],
    ["Олег", "89161234568", "", "Казань"],
    ["NA", "007 916 123 45 69", "10", "nan"],
]


def write_csv(path, rows, *, delimiter, encoding):
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "cp1251"), (",", "utf-8-sig"), (",", "utf-8"), ("\t", "utf-16"), ("\t", "utf-8")],
)
def test_csv_encodings_and_delimiters_are_recognised(tmp_path, delimiter, encoding):
    path = write_csv(tmp_path / "contacts.csv", ROWS, delimiter=delimiter, encoding=encoding)
    contacts = read_contacts(path)
    assert contacts.columns.tolist() == ROWS[0]
    assert contacts["Телефон"].tolist() == [row[1] for row in ROWS[1:]]
    assert contacts["Имя"].tolist() == ["Анна", "Олег", "NA"]
    assert contacts["Город"].tolist() == ["Москва", "Казань", "nan"]  # texts, not missing
    assert contacts["Скидка"].tolist()[::2] == ["5", "10"]
    assert contacts["Скидка"].isna().tolist() == [False, True, False]
    assert contacts["Скидка"].iat[1] is pd.NA
    assert all(dtype == "string" for dtype in contacts.dtypes)


def test_plus_and_leading_zeros_survive_where_pandas_defaults_lose_them(tmp_path):
    rows = [["phone", "code"], ["+79161234567", "007"], ["", "0012"], ["79161234568", "1"]]
    path = write_csv(tmp_path / "c.csv", rows, delimiter=",", encoding="utf-8")
    assert pd.read_csv(path)["phone"].iat[0] != "+79161234567"  # the trap this avoids
    contacts = read_contacts(path)
    assert contacts["phone"].tolist()[::2] == ["+79161234567", "79161234568"]
    assert contacts["code"].tolist() == ["007", "0012", "1"]


def test_excel_scientific_strings_stay_as_written_and_are_reported(tmp_path):
    rows = [["phone"], ["7.92E+10"], ["7.9161234567E10"]]
    path = write_csv(tmp_path / "saved_by_excel.csv", rows, delimiter=";", encoding="cp1251")
    contacts = read_contacts(path)
    assert contacts["phone"].tolist() == ["7.92E+10", "7.9161234567E10"]
    phones = normalize_phones(contacts["phone"])
    assert phones["problem"].iat[0] == "Excel scientific notation lost digits"
    assert phones["phone"].iat[1] == "79161234567"


def test_commas_inside_texts_do_not_fool_the_sniffer(tmp_path):
    rows = [["phone", "text"], ["79161234567", "Hello, Ann, your order, is ready"],
            ["79161234568", "Hi, Oleg"]]  # fmt: skip
    path = write_csv(tmp_path / "c.csv", rows, delimiter=";", encoding="utf-8")
    contacts = read_contacts(path)
    assert contacts["text"].tolist() == ["Hello, Ann, your order, is ready", "Hi, Oleg"]


def test_explicit_delimiter_and_encoding(tmp_path):
    path = write_csv(tmp_path / "c.txt", ROWS, delimiter="|", encoding="koi8-r")
    contacts = read_contacts(path, delimiter="|", encoding="koi8-r")
    assert contacts["Имя"].iat[0] == "Анна"
    with pytest.raises(ValidationError) as caught:
        read_contacts(write_csv(tmp_path / "u.csv", ROWS, delimiter=";", encoding="cp1251"),
                      encoding="utf-8")  # fmt: skip
    assert caught.value.parameter == "encoding"


def make_workbook(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Клиенты"
    sheet.append(["Телефон", "Имя", "Скидка", "Текстом"])
    sheet.append([79161234567, "Анна", 5, "+79161234567"])
    sheet.append([79161234568.0, None, 7.5, "007 916 123 45 69"])
    sheet.append([None, "Олег", None, "8 (916) 123-45-70"])
    sheet.cell(row=4, column=4).number_format = "@"
    book.create_sheet("Пусто").append(["x"])
    book.save(path)
    return path


def test_workbook_numeric_phone_cells_keep_every_digit(tmp_path):
    contacts = read_contacts(make_workbook(tmp_path / "contacts.xlsx"))
    phones = contacts["Телефон"].tolist()
    assert phones[:2] == ["79161234567", "79161234568"]
    assert phones[2] is pd.NA
    assert not any("e+" in phone.lower() for phone in phones[:2])
    assert contacts["Скидка"].tolist()[:2] == ["5", "7,5"]  # 5, not 5.0; as a Russian Excel
    assert read_contacts(tmp_path / "contacts.xlsx", locale="en")["Скидка"].iat[1] == "7.5"
    assert contacts["Текстом"].tolist() == ["+79161234567", "007 916 123 45 69",
                                            "8 (916) 123-45-70"]  # fmt: skip
    assert contacts["Имя"].iat[1] is pd.NA
    assert all(dtype == "string" for dtype in contacts.dtypes)
    assert normalize_phones(contacts["Текстом"])["phone_ok"].all()


def test_workbook_sheets_by_name_or_position(tmp_path):
    path = make_workbook(tmp_path / "contacts.xlsx")
    assert read_contacts(path, sheet_name="Пусто").columns.tolist() == ["x"]
    assert read_contacts(path, sheet_name=1).columns.tolist() == ["x"]
    with pytest.raises(ValidationError, match="Клиенты") as caught:
        read_contacts(path, sheet_name="Лист1")
    assert caught.value.parameter == "sheet_name"
    assert read_contacts(path, sheet_name=None).equals(read_contacts(path))  # the first shown
    with pytest.raises(ValidationError, match="must be one sheet's name or position"):
        read_contacts(path, sheet_name=1.5)


def test_missing_phone_column_is_named(tmp_path):
    path = write_csv(tmp_path / "c.csv", ROWS, delimiter=";", encoding="utf-8")
    assert read_contacts(path, phone_columns="Телефон").shape == (3, 4)
    with pytest.raises(ValidationError, match="Имя, Телефон") as caught:
        read_contacts(path, phone_columns=["Телефон", "phone"])
    assert caught.value.value == "phone"


def test_unknown_kind_and_empty_files_are_refused(tmp_path):
    (tmp_path / "c.json").write_text("[]")
    with pytest.raises(ValidationError) as caught:
        read_contacts(tmp_path / "c.json")
    assert caught.value.parameter == "path"
    (tmp_path / "empty.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    with pytest.raises(ValidationError, match="empty"):
        read_contacts(tmp_path / "empty.csv")
    with pytest.raises(ValidationError):
        read_contacts(tmp_path / "empty.csv", delimiter=";;")


def test_single_column_file(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["phone"], ["+79161234567"], ["89161234568"]],
                     delimiter=",", encoding="utf-8")  # fmt: skip
    assert read_contacts(path)["phone"].tolist() == ["+79161234567", "89161234568"]


def test_cp1251_bytes_after_a_utf8_looking_start_are_still_recognised(tmp_path):
    rows = [["phone", "name"]] + [["79161234567", "Ann"]] * 30_000 + [["79161234568", "Анна"]]
    path = write_csv(tmp_path / "late.csv", rows, delimiter=";", encoding="cp1251")
    contacts = read_contacts(path)
    assert len(contacts) == 30_001
    assert contacts["name"].iat[-1] == "Анна"
    bom = write_csv(tmp_path / "bom.csv", ROWS, delimiter=",", encoding="utf-8-sig")
    assert read_contacts(bom, encoding="utf-8").columns.tolist() == ROWS[0]


@pytest.mark.parametrize("name", ["missing.xlsx", "missing.csv"])
def test_a_missing_file_is_refused_naming_it(tmp_path, name):
    with pytest.raises(ValidationError, match="no such file") as caught:
        read_contacts(tmp_path / name)
    assert name in str(caught.value)


@pytest.mark.parametrize("name", ["locked.xlsx", "locked.csv"])
def test_a_file_that_cannot_be_opened_is_refused_naming_it(tmp_path, name, monkeypatch):
    path = tmp_path / name
    path.write_bytes(b"phone\n79161234567\n")
    real_open = Path.open

    def refused(self, *args, **kwargs):  # chmod 000 as root (the CI) would still read
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refused)
    with pytest.raises(ValidationError, match=r"cannot be read \(Permission denied\)") as caught:
        read_contacts(path)
    assert name in str(caught.value)
