"""Contact files as a person reads them: Excel cells as displayed, headers found, sheets by
name, CSV encodings detected; workbooks are made with openpyxl in each test."""

from __future__ import annotations

import datetime
import re
import warnings
import zipfile

import openpyxl
import pandas as pd
import pytest

from smsc_frames.contacts import file_rows, read_contacts
from smsc_frames.encodings import UTF8_SAMPLE, detect_encoding
from smsc_frames.errors import ValidationError
from smsc_frames.excelformat import render
from smsc_frames.plan import prepare


def save(book: openpyxl.Workbook, path):
    book.save(path)
    return path


def formatted_book(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Телефон", "Дата", "Время", "Скидка", "Доля", "Сумма", "Активен", "Кол-во",
                  "Дробь", "Итого"])  # fmt: skip
    sheet.append([79161234567, datetime.date(2025, 3, 1), datetime.datetime(2025, 3, 1, 9, 5),
                  0.2, 0.125, 1500, True, 1500, 7.5, "=D2*2"])  # fmt: skip
    sheet.append([9161234568, datetime.datetime(2025, 12, 31), datetime.datetime(2025, 3, 2),
                  0.05, 1, 1234567.891, False, 3, 0.1, "=D3*2"])  # fmt: skip
    formats = {"B": "dd.mm.yyyy", "C": "dd.mm.yyyy hh:mm", "D": "0%", "E": "0.0%",
               "F": '#,##0.00\\ "₽"', "H": "#,##0"}  # fmt: skip
    for column, code in formats.items():
        for row in (2, 3):
            sheet[f"{column}{row}"].number_format = code
    save(book, path)
    # openpyxl writes no cached formula values; Excel would: put them in, as Excel saves them
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    sheet_xml = sheet_xml.replace("<f>D2*2</f><v />", "<f>D2*2</f><v>0.4</v>")
    sheet_xml = sheet_xml.replace("<f>D3*2</f><v />", "<f>D3*2</f><v>0.1</v>")
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_cells_come_back_as_excel_shows_them(tmp_path):
    contacts = read_contacts(formatted_book(tmp_path / "book.xlsx"))
    first, second = contacts.iloc[0].tolist(), contacts.iloc[1].tolist()
    assert first == ["79161234567", "01.03.2025", "01.03.2025 09:05", "20%", "12,5%",
                     "1 500,00 ₽", "ИСТИНА", "1 500", "7,5", "0,4"]  # fmt: skip
    assert second == ["9161234568", "31.12.2025", "02.03.2025 00:00", "5%", "100,0%",
                      "1 234 567,89 ₽", "ЛОЖЬ", "3", "0,1", "0,1"]  # fmt: skip
    english = read_contacts(tmp_path / "book.xlsx", locale="en").iloc[0]
    assert english["Сумма"] == "1,500.00 ₽"
    assert english["Активен"] == "TRUE"
    assert english["Дробь"] == "7.5"


def test_raw_gives_the_typed_values(tmp_path):
    raw = read_contacts(formatted_book(tmp_path / "book.xlsx"), raw=True).iloc[0]
    assert raw["Телефон"] == 79161234567
    assert raw["Дата"] == datetime.date(2025, 3, 1)
    assert raw["Скидка"] == 0.2
    assert raw["Активен"] is True


def test_a_template_sends_what_the_analyst_sees(tmp_path):
    contacts = read_contacts(formatted_book(tmp_path / "book.xlsx"))
    plan = prepare(contacts, phone="телефон", template="Скидка {скидка} до {Дата}: {Сумма}")
    assert plan["text"].tolist() == ["Скидка 20% до 01.03.2025: 1 500,00 ₽",
                                     "Скидка 5% до 31.12.2025: 1 234 567,89 ₽"]  # fmt: skip
    assert plan["phone"].tolist() == ["79161234567", "79161234568"]


def test_default_date_formats_read_as_russian_dates(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["phone", "date", "when"])
    book.active.append(
        ["79161234567", datetime.date(2025, 3, 1), datetime.datetime(2025, 3, 1, 14, 30)]
    )
    book.active["B2"].number_format = "mm-dd-yy"  # built-in 14: the locale's short date
    book.active["C2"].number_format = "m/d/yy h:mm"  # built-in 22
    contacts = read_contacts(save(book, tmp_path / "b.xlsx"))
    assert contacts.iloc[0].tolist() == ["79161234567", "01.03.2025", "01.03.2025 14:30"]


def test_phone_cells_keep_their_digits_whatever_their_format(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Телефон", "Другой"])
    book.active.append([79161234567, 79161234567])
    book.active["A2"].number_format = "0.00E+00"
    book.active["B2"].number_format = "0.00E+00"
    path = save(book, tmp_path / "b.xlsx")
    with pytest.warns(UserWarning, match="'Другой' shows numbers in scientific notation"):
        contacts = read_contacts(path, phone_columns="телефон")
    assert contacts.iloc[0].tolist() == ["79161234567", "7,92E+10"]
    masked = openpyxl.Workbook()
    masked.active.append(["Телефон"])
    masked.active.append([9161234567])
    masked.active["A2"].number_format = "+7 (000) 000-00-00"
    shown = read_contacts(save(masked, tmp_path / "m.xlsx"))["Телефон"].iat[0]
    assert shown == "+7 (916) 123-45-67"
    assert prepare(pd.DataFrame({"p": [shown]}), phone="p", text="p")["phone"].iat[0] == (
        "79161234567"
    )


@pytest.mark.parametrize("title_rows", [[[]], [["Клиенты на март"]], [[], ["Клиенты"], []]])
def test_the_header_is_found_below_empty_and_title_rows(tmp_path, title_rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in title_rows:
        sheet.append(row or [None])
    header_at = len(title_rows) + 1
    sheet.append([" Телефон ", "Имя ", None, "Город"])
    sheet.append(["79161234567", "Анна", None, "Москва"])
    sheet.append([])
    sheet.append(["79161234568", "Олег", None, None])
    if title_rows[0]:
        sheet.merge_cells(f"A1:D{1}")
    with pytest.warns(UserWarning, match=f"the header is row {header_at}"):
        contacts = read_contacts(save(book, tmp_path / "b.xlsx"))
    assert contacts.columns.tolist() == ["Телефон", "Имя", "Город"]
    assert contacts["Имя"].tolist() == ["Анна", "Олег"]
    named = read_contacts(tmp_path / "b.xlsx", header_row=header_at)
    assert named.equals(contacts)


def test_header_row_is_counted_as_excel_counts(tmp_path):
    book = openpyxl.Workbook()
    for row in (["Выгрузка", "от", "01.03"], ["phone", "name", "city"], ["79161234567", "A", "B"]):
        book.active.append(row)
    path = save(book, tmp_path / "b.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a full first row is the header: no warning
        assert read_contacts(path).columns.tolist() == ["Выгрузка", "от", "01.03"]
    assert read_contacts(path, header_row=2).columns.tolist() == ["phone", "name", "city"]
    for bad in (0, -1, True, "2"):
        with pytest.raises(ValidationError, match="from 1"):
            read_contacts(path, header_row=bad)


def test_sheets_by_name_first_then_by_position_from_zero(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "2025"
    book.active.append(["phone"])
    book.active.append(["1"])
    second = book.create_sheet("2024")
    second.append(["phone"])
    second.append(["2"])
    path = save(book, tmp_path / "b.xlsx")
    assert read_contacts(path, sheet_name="2024")["phone"].tolist() == ["2"]
    assert read_contacts(path, sheet_name="@1")["phone"].tolist() == ["2"]
    assert read_contacts(path, sheet_name=0)["phone"].tolist() == ["1"]
    assert read_contacts(path)["phone"].tolist() == ["1"]
    with pytest.raises(ValidationError, match="write @1"):
        read_contacts(path, sheet_name="1")
    with pytest.raises(ValidationError, match="from 0"):
        read_contacts(path, sheet_name="@2")


def test_formulas_without_a_saved_value_are_said(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["phone", "total"])
    book.active.append(["79161234567", "=1+1"])
    with pytest.warns(UserWarning, match="1 formula cells have no saved value"):
        contacts = read_contacts(save(book, tmp_path / "b.xlsx"))
    assert contacts["total"].iat[0] is pd.NA


def test_a_workbook_row_keeps_its_excel_row_number_past_a_title_and_blank_rows(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Клиенты на март"])
    sheet.merge_cells("A1:B1")
    sheet.append(["phone", "name"])
    sheet.append(["79161234567", "Анна"])
    sheet.append([])
    sheet.append([])
    sheet.append(["79031234567", "Борис"])
    with pytest.warns(UserWarning, match="the header is row 2"):
        contacts = read_contacts(save(book, tmp_path / "b.xlsx"))
    assert file_rows(contacts).tolist() == [3, 6]
    assert file_rows(contacts.iloc[::-1]).tolist() == [6, 3]  # rows of it, by their labels
    assert file_rows(contacts.set_axis([5, 9])) is None  # relabelled: unknown, not wrong


def test_cells_showing_an_excel_error_are_named_not_silently_empty(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["phone", "name"])
    for row in range(2, 10):  # a VLOOKUP that failed on every row but the first
        book.active.append([f"7916123456{row}", "#N/A" if row > 2 else "Анна"])
        book.active.cell(row, 2).data_type = "e" if row > 2 else "s"
    path = save(book, tmp_path / "b.xlsx")
    with pytest.warns(UserWarning, match=r"7 cells show an Excel error \(B3 #N/A, B4 #N/A, "
                      r"B5 #N/A, B6 #N/A, B7 #N/A and 2 more\)") as caught:  # fmt: skip
        contacts = read_contacts(path)
    assert "b.xlsx" in str(caught[0].message)
    assert contacts["name"].tolist() == ["Анна"] + [pd.NA] * 7


def test_columns_match_case_insensitively_or_say_did_you_mean():
    contacts = pd.DataFrame({"Телефон": ["79161234567"], "Имя": ["Анна"]})
    plan = prepare(contacts, phone="ТЕЛЕФОН", template="Привет, {имя}")
    assert plan["text"].iat[0] == "Привет, Анна"
    with pytest.raises(ValidationError, match="did you mean 'Телефон'"):
        prepare(contacts, phone="Телефн", text="Имя")
    twice = pd.DataFrame({"name": ["a"], "Name": ["b"], "phone": ["79161234567"]})
    with pytest.raises(ValidationError, match="several columns"):
        prepare(twice, phone="phone", text="NAME")


@pytest.mark.parametrize(
    "doubled, arguments",
    [("text", {"phone": "phone", "text": "text"}),
     ("name", {"phone": "phone", "template": "Hi {name}"}),
     ("from", {"phone": "phone", "text": "text", "sender": "from"}),
     ("phone", {"phone": "phone", "text": "text"}),
     ("phone", {"phone": "PHONE", "text": "text"})],
)  # fmt: skip
def test_a_name_shared_by_two_columns_is_refused_naming_the_parameter(doubled, arguments):
    columns = {"phone": "79161234567", "text": "hello", "name": "Анна", "from": "SMSC"}
    frame = pd.DataFrame([[*columns.values(), "again"]], columns=[*columns, doubled])
    parameter = "template" if "template" in arguments else {
        "text": "text", "from": "sender", "phone": "phone"}[doubled]  # fmt: skip
    with pytest.raises(ValidationError, match="names 2 columns of the same name") as error:
        prepare(frame, **arguments)
    assert error.value.parameter == parameter
    renamed = frame.set_axis([*columns, "other"], axis=1)
    assert prepare(renamed, **arguments)["phone"].tolist() == ["79161234567"]


@pytest.mark.parametrize("parameter", ["phone", "text"])
def test_a_list_of_names_is_refused_naming_the_parameter(parameter):
    frame = pd.DataFrame({"phone": ["79161234567"], "text": ["hello"]})
    arguments = {"phone": "phone", "text": "text", parameter: [parameter]}
    with pytest.raises(ValidationError, match="one column's name, not a list") as error:
        prepare(frame, **arguments)
    assert error.value.parameter == parameter


def test_a_header_of_two_rows_wants_whole_names_or_flattening():
    header = pd.MultiIndex.from_tuples([("phone", "mobile"), ("text", "ru")])
    frame = pd.DataFrame([["79161234567", "hello"]], columns=header)
    with pytest.raises(ValidationError, match="header of several rows") as error:
        prepare(frame, phone="phone", text=("text", "ru"))
    assert error.value.parameter == "phone"
    plan = prepare(frame, phone=("phone", "mobile"), text=("text", "ru"))
    assert plan[["phone", "text"]].values.tolist() == [["79161234567", "hello"]]
    flat = frame.set_axis(frame.columns.map(" ".join), axis=1)
    assert prepare(flat, phone="phone mobile", text="text ru")["text"].tolist() == ["hello"]


ROWS = [["Имя", "Телефон", "Скидка"], ["Анна", "+79161234567", "5"],
        ["Ёжиков Щука", "8 916 123-45-68", "10"], ["ОЛЕГ ЮРЬЕВИЧ", "", ""]]  # fmt: skip


@pytest.mark.parametrize(
    "encoding, codec",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"),
     ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"), ("cp1251", "cp1251"),
     ("koi8-r", "koi8-r"), ("cp866", "cp866")],
)  # fmt: skip
def test_csv_encodings_are_detected(tmp_path, encoding, codec):
    text = "\r\n".join(";".join(row) for row in ROWS) + "\r\n"
    path = tmp_path / "c.csv"
    path.write_bytes(text.encode(encoding))
    assert detect_encoding(path.read_bytes()) == codec
    contacts = read_contacts(path)
    assert contacts.columns.tolist() == ["Имя", "Телефон", "Скидка"]
    assert contacts["Имя"].tolist() == ["Анна", "Ёжиков Щука", "ОЛЕГ ЮРЬЕВИЧ"]


def test_a_file_utf8_only_at_its_start_is_read_in_its_real_encoding(tmp_path):
    """UTF-8 is judged on the first MiB (pandas decodes the rest strictly): cp1251 bytes
    after it make the whole file be looked at again, not refused or misread."""
    head = "phone;name\n" + "79161234567;Ivan\n" * (UTF8_SAMPLE // 16 + 1)
    path = tmp_path / "late.csv"
    path.write_bytes(head.encode("cp1251") + "79031234567;Ёжиков Щука\n".encode("cp1251") * 60)
    assert detect_encoding(path.read_bytes(), whole=False) == "utf-8"
    contacts = read_contacts(path)
    assert contacts["name"].iat[-1] == "Ёжиков Щука"
    assert len(contacts) == UTF8_SAMPLE // 16 + 61


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16", "utf-8-sig", "utf-8", "cp1251"])
def test_a_file_over_the_sample_is_read_whole_in_its_encoding(tmp_path, encoding):
    """Files bigger than the sample are parsed from disk: the encoding still comes from a
    BOM, the UTF-8 sample, or (UTF-16 without a BOM, single-byte) all of the file."""
    rows = ["Телефон;Имя"] + [f"7916{n:07d};Ёжиков Щука {n}" for n in range(40_000)]
    path = tmp_path / "big.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode(encoding))
    assert path.stat().st_size > UTF8_SAMPLE
    contacts = read_contacts(path)
    assert contacts.columns.tolist() == ["Телефон", "Имя"]
    assert contacts["Имя"].iat[-1] == "Ёжиков Щука 39999"
    assert len(contacts) == 40_000


def test_an_unclear_encoding_is_refused_naming_the_candidates(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes("name;city\nCafé;Zürich\n".encode("latin-1"))
    with pytest.raises(ValidationError) as caught:
        read_contacts(path)
    message = str(caught.value)
    assert "cp1251" in message and "koi8-r" in message and "cp866" in message
    assert "--encoding" in message
    assert read_contacts(path, encoding="latin-1")["name"].iat[0] == "Café"


def test_csv_title_rows_delimiter_and_stripped_headers(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Клиенты на март;;\n;;\n Телефон ;Имя;\n79161234567;Анна;\n", "cp1251")
    with pytest.warns(UserWarning, match="row 3"):
        contacts = read_contacts(path)
    assert contacts.columns.tolist()[:2] == ["Телефон", "Имя"]
    piped = tmp_path / "p.txt"
    piped.write_text("Телефон|Имя\n79161234567|Анна\n", "utf-8")
    assert read_contacts(piped, delimiter="|")["Имя"].iat[0] == "Анна"


def test_render_covers_the_formats_analysts_use():
    assert render(0.2, "0%") == "20%"
    assert render(-1500.5, '#,##0.00\\ "₽";-#,##0.00\\ "₽"') == "-1 500,50 ₽"
    assert render(5, '#,##0.00;(#,##0.00);"-"') == "5,00"
    assert render(0, '#,##0.00;(#,##0.00);"-"') == "-"
    assert render(datetime.date(2025, 3, 1), "d mmmm yyyy") == "1 марта 2025"
    assert render(datetime.date(2025, 3, 1), "mmmm") == "март"
    assert render(datetime.time(14, 5), "h:mm AM/PM") == "2:05 PM"
    assert render(1500, "#,##0.00 [$$-409]") == "1,500.00 $"
    assert re.fullmatch(r"7,92E\+10", render(79161234567, "0.00E+00"))


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="2024">
<table:table-row>
 <table:table-cell office:value-type="string"><text:p>Телефон</text:p></table:table-cell>
 <table:table-cell office:value-type="string"><text:p>Дата</text:p></table:table-cell>
 <table:table-cell office:value-type="string"><text:p>Бонус</text:p></table:table-cell>
</table:table-row>
<table:table-row>
 <table:table-cell office:value-type="float" office:value="79161234567"><text:p>79161234567</text:p>
 </table:table-cell>
 <table:table-cell office:value-type="date" office:date-value="2025-03-01"><text:p>01.03.25</text:p>
 </table:table-cell>
 <table:table-cell office:value-type="float" office:value="5"><text:p>5</text:p></table:table-cell>
</table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"""

ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">
 <manifest:file-entry manifest:full-path="/"
  manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def test_ods_workbooks_keep_working(tmp_path):
    path = tmp_path / "contacts.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)  # fmt: skip
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", re.sub(r">\s+<", "><", ODS_CONTENT))
    contacts = read_contacts(path, sheet_name="2024")
    assert contacts.iloc[0].tolist() == ["79161234567", "01.03.2025", "5"]


def csv_read(folder, text: str, chunksize: int | None) -> pd.DataFrame:
    """*text* written as a UTF-8 CSV and read whole, or in chunks put back together."""
    path = folder / "list.csv"
    path.write_text(text, encoding="utf-8")
    read = read_contacts(path, chunksize=chunksize)
    return read if chunksize is None else pd.concat(list(read))


@pytest.mark.parametrize("chunksize", [None, 1])
def test_rows_ending_in_a_delimiter_the_header_lacks_keep_their_columns(tmp_path, chunksize):
    # read as pandas does with the header alone, the first column became the index and every
    # column shifted left: all phones read as empty
    contacts = csv_read(tmp_path, "Имя;Телефон\nАнна;+79161234567;\nОлег;89161234568;\n", chunksize)
    assert contacts[["Имя", "Телефон"]].to_dict("list") == {
        "Имя": ["Анна", "Олег"], "Телефон": ["+79161234567", "89161234568"]}  # fmt: skip
    assert contacts.index.tolist() == [0, 1]
    if chunksize is None:  # the empty column the delimiters made is left out, as in a workbook
        assert list(contacts.columns) == ["Имя", "Телефон"]


def test_a_note_beside_a_row_is_kept_in_its_own_column(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Имя;Телефон\nАнна;+79161234567;перезвонить\nОлег;89161234568\n", "utf-8")
    contacts = read_contacts(path)
    assert contacts.to_dict("list") == {
        "Имя": ["Анна", "Олег"], "Телефон": ["+79161234567", "89161234568"],
        "Unnamed: 2": ["перезвонить", None]}  # fmt: skip


def test_a_workbook_row_with_a_note_does_not_make_the_header_a_title(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Имя", "Телефон"])
    book.active.append(["Анна", "+79161234567", "перезвонить"])
    book.active.append(["Олег", "89161234568"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "the header is row 2"
        contacts = read_contacts(save(book, tmp_path / "list.xlsx"))
    assert list(contacts.columns) == ["Имя", "Телефон", "Unnamed: 2"]
    assert contacts["Телефон"].tolist() == ["+79161234567", "89161234568"]


@pytest.mark.parametrize("chunksize", [None, 2])
def test_rows_of_delimiters_only_are_left_out_like_blank_rows(tmp_path, chunksize):
    contacts = csv_read(
        tmp_path, "Имя;Телефон\nАнна;+79161234567\n;\nОлег;89161234568\n", chunksize
    )
    assert contacts["Имя"].tolist() == ["Анна", "Олег"]
    # a whole read is numbered anew, as a workbook is; chunks keep each row's place in the file
    assert contacts.index.tolist() == ([0, 1] if chunksize is None else [0, 2])


@pytest.mark.parametrize("chunksize", [None, 2])
def test_a_line_of_spaces_is_left_out_like_a_blank_line(tmp_path, chunksize):
    # it became an "invalid" row: "phone: empty; empty text"
    contacts = csv_read(tmp_path, "Имя;Телефон\nАнна;+79161234567\n   \nОлег;89161234568\n",
                        chunksize)  # fmt: skip
    assert contacts["Имя"].tolist() == ["Анна", "Олег"]
    if chunksize is None:
        assert file_rows(contacts).tolist() == [2, 4]
    else:  # chunks keep each row's place in the file
        assert contacts.index.tolist() == [0, 2]


def test_a_list_of_phones_alone_is_one_column_even_with_two_numbers_in_a_cell(tmp_path):
    # the sniffer picked "," from the one cell holding two numbers: the header became a title
    # and that cell two columns
    path = tmp_path / "phones.csv"
    path.write_text("Телефон\n89161234567, 89161234568\n89161234569\n89161234560\n", "utf-8")
    contacts = read_contacts(path)
    assert contacts.to_dict("list") == {
        "Телефон": ["89161234567, 89161234568", "89161234569", "89161234560"]}  # fmt: skip
    plan = prepare(contacts, phone="Телефон", text="Телефон")
    assert plan["problem"].iloc[0].startswith("phone: 2 numbers in one cell")
    assert plan["phone"].iloc[1:].tolist() == ["79161234569", "79161234560"]


def _sheet_xml_rewritten(source, target, rewrite):
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = rewrite(parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target


_MAIN_NAMESPACE = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
OTHER_WRITERS = {  # valid sheet XML, as programs other than Excel write it
    "style first": lambda xml: re.sub(rb'<c r="(\w+)" s="(\d+)"', rb'<c s="\2" r="\1"', xml),
    "single quotes": lambda xml: re.sub(rb'<c r="(\w+)" s="(\d+)"', rb"<c r='\1' s='\2'", xml),
    "no coordinates": lambda xml: re.sub(rb'<c r="\w+" ', b"<c ", xml),
    "prefixed (Open XML SDK)": lambda xml: re.sub(
        rb"<(/?)(?![?])(\w)",
        rb"<\1x:\2",
        xml.replace(_MAIN_NAMESPACE, _MAIN_NAMESPACE[:5] + b":x" + _MAIN_NAMESPACE[5:]),
    ),
}


@pytest.mark.parametrize("writer", sorted(OTHER_WRITERS))
def test_number_formats_are_read_from_sheets_other_programs_wrote(tmp_path, writer):
    # the fast pattern found no cell in these, and every format was dropped without a word
    book = openpyxl.Workbook()
    book.active.append(["Телефон", "Скидка", "Сумма", "Дата"])
    book.active.append(["+79161234567", 0.2, 1500.5, datetime.date(2025, 3, 2)])
    for cell, code in {"B2": "0%", "C2": '#,##0.00 "₽"', "D2": "d mmmm yyyy"}.items():
        book.active[cell].number_format = code
    plain = save(book, tmp_path / "plain.xlsx")
    other = _sheet_xml_rewritten(plain, tmp_path / "other.xlsx", OTHER_WRITERS[writer])
    assert zipfile.ZipFile(other).read("xl/worksheets/sheet1.xml") != zipfile.ZipFile(plain).read(
        "xl/worksheets/sheet1.xml"
    )
    shown = ["+79161234567", "20%", "1 500,50 ₽", "2 марта 2025"]
    assert read_contacts(plain).iloc[0].tolist() == shown
    assert read_contacts(other).iloc[0].tolist() == shown


def test_a_number_column_in_scientific_notation_names_phone_columns(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Имя", "Телефон"])
    book.active.append(["Анна", 79161234567])
    book.active["B2"].number_format = "0.00E+00"
    path = save(book, tmp_path / "sci.xlsx")
    with pytest.warns(UserWarning, match=r"'Телефон' .*7,92E\+10.*phone_columns='Телефон'"):
        assert read_contacts(path)["Телефон"].tolist() == ["7,92E+10"]  # as Excel shows it
    # named as find_column matches (case, surrounding spaces), all the digits come back
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_contacts(path, phone_columns=" телефон ")["Телефон"].tolist() == ["79161234567"]


def test_a_stray_cell_far_right_is_read_in_proportion_or_refused_before_reading(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Имя", "Телефон"])
    for number in range(300):
        book.active.append(["Анна", f"+7916{number:07d}"])
    book.active["XFD1"] = "заметка"
    contacts = read_contacts(save(book, tmp_path / "stray.xlsx"))
    assert list(contacts.columns) == ["Имя", "Телефон", "заметка"] and len(contacts) == 300
    book.active["XFD5000"] = "x"  # 82 million cells from A1: calamine would hold every one
    with pytest.raises(
        ValidationError, match=r"reaches cell XFD5000: 16,384 columns by 5,000 rows"
    ):
        read_contacts(save(book, tmp_path / "huge.xlsx"))


def test_an_empty_sheet_is_refused_as_an_empty_csv_is(tmp_path):
    empty = save(openpyxl.Workbook(), tmp_path / "empty.xlsx")
    with pytest.raises(ValidationError, match="sheet 'Sheet' is empty"):
        read_contacts(empty)
    (tmp_path / "empty.csv").write_text("\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="path: is empty"):
        read_contacts(tmp_path / "empty.csv")


@pytest.mark.parametrize(
    "value, code, shown",
    [(1500, '_-* #,##0.00\\ "₽"_-;\\-* #,##0.00\\ "₽"_-;_-* "-"??\\ "₽"_-;_-@_-', "1 500,00 ₽"),
     (-1500, '_-* #,##0.00\\ "₽"_-;\\-* #,##0.00\\ "₽"_-;_-* "-"??\\ "₽"_-;_-@_-', "-1 500,00 ₽"),
     (1234.6, "#,##0_);(#,##0)", "1 235"), (-5, "#,##0_);(#,##0)", "(5)")],
)  # fmt: skip
def test_padding_at_the_ends_of_accounting_formats_puts_no_spaces_in_a_message(value, code, shown):
    # "_-" and "_)" align a column in Excel; read as spaces they doubled the spaces around a
    # template field ("скидка  1 500,00 ₽ .")
    assert render(value, code) == shown


def test_by_default_the_first_sheet_excel_shows_is_read_not_a_hidden_one(tmp_path):
    # a hidden lookup sheet first: the analyst sees only "Клиенты", and that was never read
    book = openpyxl.Workbook()
    book.active.title = "справочник"
    book.active.append(["код"])
    book.active.sheet_state = "hidden"
    clients = book.create_sheet("Клиенты")
    clients.append(["Телефон"])
    clients.append(["79161234567"])
    book.active = 1
    path = save(book, tmp_path / "b.xlsx")
    with pytest.warns(UserWarning, match=r"hidden before it: \['справочник'\]"):
        assert read_contacts(path)["Телефон"].tolist() == ["79161234567"]
    with pytest.warns(UserWarning, match="'справочник': this sheet is hidden in Excel"):
        assert list(read_contacts(path, sheet_name=0).columns) == ["код"]  # positions: all sheets
