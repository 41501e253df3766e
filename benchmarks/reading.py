"""Benchmark: reading a 300,000-row workbook, cells as typed values vs as Excel displays them.

Builds (once, with openpyxl's write-only mode) a workbook shaped like an analyst's export: a
merged title row, then a header, then phones (numbers), names, a date (``dd.mm.yyyy``), a
discount (``0%``), an amount (``#,##0.00 "₽"``) and a boolean per row. Then, in the same run:

* ``read_contacts(path, raw=True)``: calamine's typed values (the fast path, no formats);
* ``read_contacts(path)``: each cell as Excel displays it (styles read from the workbook);
* ``pandas.read_excel(engine="calamine", dtype=str)``: what the library did before;
* ``openpyxl`` in read-only mode reading every cell's ``number_format`` (the obvious way);
* CSV encoding detection (:func:`smsc_frames.encodings.detect_encoding`) on the same rows
  written as cp1251 and as KOI8-R, against decoding them once.

Each is run ``--rounds`` times (3) and the fastest is reported.

Usage: ``python benchmarks/reading.py [--rows 300000] [--rounds 3] [--dir DIR]``
(``--dir`` keeps the generated files between runs).
"""

from __future__ import annotations

import argparse
import datetime
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from smsc_frames.contacts import read_contacts
from smsc_frames.encodings import detect_encoding

NAMES = ["Анна", "Борис", "Вера", "Глеб", "Дарья", "Егор", "Жанна", "Зоя"]


def make_workbook(path: Path, rows: int) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Клиенты")
    sheet.append(["Клиенты на март"])
    sheet.append(["Телефон", "Имя", "Дата", "Скидка", "Сумма", "Активен"])
    formats = [None, None, "dd.mm.yyyy", "0%", '#,##0.00\\ "₽"', None]
    start = datetime.date(2025, 3, 1)
    for row in range(rows):
        values = [
            79160000000 + row * 7 % 10_000_000,
            NAMES[row % len(NAMES)],
            start + datetime.timedelta(days=row % 60),
            (row % 20) / 100,
            1000 + (row % 5000) / 4,
            row % 3 == 0,
        ]
        cells = []
        for value, number_format in zip(values, formats):
            cell = WriteOnlyCell(sheet, value=value)
            if number_format:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)


def openpyxl_formats(path: Path) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    seen = 0
    for row in workbook.worksheets[0].iter_rows():
        for cell in row:
            seen += cell.number_format != "General"
    workbook.close()
    return seen


def fastest(function, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--openpyxl", action="store_true", help="also time openpyxl (slow)")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"contacts-{args.rows}.xlsx"
    if not path.exists():
        began = time.perf_counter()
        make_workbook(path, args.rows)
        print(f"wrote {path} in {time.perf_counter() - began:.1f} s")
    warnings.simplefilter("ignore")
    shown = read_contacts(path)
    print("displayed:", shown.iloc[0].tolist())
    print("typed:    ", read_contacts(path, raw=True).iloc[0].tolist())
    timings = {
        "read_contacts(raw=True), typed": fastest(
            lambda: read_contacts(path, raw=True), args.rounds
        ),
        "read_contacts(), as displayed": fastest(lambda: read_contacts(path), args.rounds),
        "pd.read_excel(calamine, dtype=str)": fastest(
            lambda: pd.read_excel(path, engine="calamine", dtype=str, header=1), args.rounds
        ),
    }
    if args.openpyxl:
        timings["openpyxl read-only number_format"] = fastest(lambda: openpyxl_formats(path), 1)
    for name, seconds in timings.items():
        print(f"{name:40s} {seconds:7.2f} s")
    typed = timings["read_contacts(raw=True), typed"]
    print(f"displayed / typed: {timings['read_contacts(), as displayed'] / typed:.2f}x")

    text = shown.drop(columns="Сумма").to_csv(sep=";", index=False)  # no "₽" in cp1251
    for encoding in ("cp1251", "koi8-r", "utf-8"):
        data = text.encode(encoding)
        detect = fastest(lambda data=data: detect_encoding(data), args.rounds)
        decode = fastest(lambda data=data, e=encoding: data.decode(e), args.rounds)
        print(
            f"detect {encoding:7s} on {len(data) / 1e6:.1f} MB: {detect * 1000:7.1f} ms"
            f" (one decode: {decode * 1000:.1f} ms) -> {detect_encoding(data)}"
        )


if __name__ == "__main__":
    main()
