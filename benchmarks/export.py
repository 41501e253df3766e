"""Benchmark: writing 1,000,000 campaign results to ``.xlsx``.

The frame has the columns ``send`` returns (``phone``, ``sms_id``, ``mccmnc``, ``parts``,
``cost`` as ``Decimal``, ``status``, ``status_name``, ``error``, ``sent_at`` in UTC,
``outcome``, ``reason``) plus a contact's ``name`` and its message ``text``, on a numbered
index: 14 columns with the index. Built in memory, not timed.

In the same run it times:

* **smsc_frames** ``to_excel`` (typed, formatted cells, a summary sheet), in a child process
  that reports its peak RSS (``ru_maxrss``, including the interpreter and pandas);
* **XlsxWriter** in constant-memory mode, the usual fast Python choice, writing the same typed
  cells with one ``write_*`` call per cell and the same number formats;
* **openpyxl** in write-only mode (what ``to_excel`` used before), one row per ``append``.

The two baselines run on a sample (100,000 rows by default) and are scaled linearly to the
full row count (the script says so). Each side runs ``--rounds`` times, interleaved; the
fastest run of each is compared. Exits 1 when ``to_excel`` takes a minute or more.

Usage: ``python benchmarks/export.py [--rows 1000000] [--baseline-rows 100000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

TARGET_SECONDS = 60.0


def results_frame(rows: int, seed: int = 1) -> pd.DataFrame:
    """A results frame shaped like ``send``'s, *rows* long."""
    rng = np.random.default_rng(seed)
    names = np.array(["Анна", "Олег", "Мария", "Сергей", "Екатерина", "Дмитрий"], dtype=object)
    phones = pd.Series(79_160_000_000 + rng.permutation(rows)).astype(str)
    status = pd.array(rng.choice([1, 1, 1, 0, 20, 22], rows), dtype="Int64")
    sent = rng.random(rows) > 0.03
    cents = rng.choice([190, 380, 570], rows)
    frame = pd.DataFrame(
        {
            "phone": phones.to_numpy(dtype=object),
            "name": names[rng.integers(0, len(names), rows)],
            "text": pd.Series(rng.integers(0, 1000, rows)).map(
                lambda n: f"Ваш промокод {n:04d} даёт скидку 10% до воскресенья"
            ),
            "sms_id": pd.Series(np.arange(rows) // 1000).map("c0ffee{}".format),
            "mccmnc": np.where(sent, "25001", None),
            "parts": np.where(sent, 1, 0),
            "cost": [Decimal(int(c)) / 100 if s else None for c, s in zip(cents, sent)],
            "status": status,
            "status_name": pd.Series(status).map({1: "delivered", 0: "sent", 20: "failed"}),
            "error": np.where(status == 22, "invalid number", None),
            "sent_at": pd.Timestamp("2026-12-04 09:00", tz="UTC")
            + pd.to_timedelta(np.arange(rows) // 5000, unit="s"),
            "outcome": np.where(sent, "sent", "not sent"),
            "reason": np.where(sent, None, "SMSC refused the number (22)"),
        }
    )
    frame.index.name = "row"
    return frame


def _typed_cells(frame: pd.DataFrame) -> list[tuple[str, list]]:
    """Per column its kind and Python cells, as a writer loop needs them."""
    out = []
    for name in frame.columns:
        values = frame[name]
        if name == "cost":
            out.append(("money", [None if v is None else float(v) for v in values]))
        elif name == "sent_at":
            naive = values.dt.tz_localize(None)
            out.append(("datetime", [v.to_pydatetime() for v in naive]))
        elif pd.api.types.is_numeric_dtype(values):
            out.append(("number", [None if pd.isna(v) else int(v) for v in values]))
        else:
            out.append(("text", [None if v is None else str(v) for v in values]))
    return out


def xlsxwriter_baseline(frame: pd.DataFrame, path: Path) -> None:
    """The same cells through XlsxWriter's constant-memory mode, one call per cell."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("results")
    formats = {
        "money": book.add_format({"num_format": "0.00"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "text": None,
        "number": None,
    }
    columns = _typed_cells(frame.reset_index())
    sheet.write_row(0, 0, list(frame.reset_index().columns))
    writers = {
        "money": sheet.write_number,
        "number": sheet.write_number,
        "datetime": sheet.write_datetime,
        "text": sheet.write_string,
    }
    for row in range(len(frame)):
        for column, (kind, cells) in enumerate(columns):
            value = cells[row]
            if value is not None:
                writers[kind](row + 1, column, value, formats[kind])
    book.close()


def openpyxl_baseline(frame: pd.DataFrame, path: Path) -> None:
    """The same cells through openpyxl's write-only mode, one ``append`` per row."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("results")
    table = frame.reset_index()
    sheet.append(list(table.columns))
    columns = [cells for _, cells in _typed_cells(table)]
    for row in zip(*columns):
        sheet.append(row)
    book.save(path)


def _child(rows: int, folder: str) -> None:
    """Run ``to_excel`` once and print its time and peak RSS as JSON."""
    from smsc_frames.export import to_excel

    frame = results_frame(rows)
    started = time.perf_counter()
    counted: list[int] = []
    to_excel(frame, Path(folder) / "results.xlsx", progress=counted.append)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak, "progressed": sum(counted)}))


def _run_child(rows: int, folder: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(rows), folder],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _timed(write, frame: pd.DataFrame, path: Path) -> float:
    started = time.perf_counter()
    write(frame, path)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(int(args.child[0]), args.child[1])
        return 0

    sample = results_frame(args.baseline_rows)
    scale = args.rows / args.baseline_rows
    ours, xlsxwriter_times, openpyxl_times = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(1, args.rounds + 1):
            ours.append(_run_child(args.rows, folder))
            xlsxwriter_times.append(
                _timed(xlsxwriter_baseline, sample, Path(folder) / "x.xlsx") * scale
            )
            openpyxl_times.append(
                _timed(openpyxl_baseline, sample, Path(folder) / "o.xlsx") * scale
            )
            print(
                f"round {round_number}: to_excel {ours[-1]['seconds']:.1f} s, "
                f"XlsxWriter {xlsxwriter_times[-1]:.1f} s, openpyxl {openpyxl_times[-1]:.1f} s "
                f"(baselines: {args.baseline_rows:,} rows scaled x{scale:g})",
                flush=True,
            )
    best = min(ours, key=lambda run: run["seconds"])
    seconds = best["seconds"]
    print(f"\n{args.rows:,} rows x {results_frame(1).reset_index().shape[1]} columns to .xlsx")
    print(f"  to_excel            {seconds:7.1f} s  peak RSS {best['peak_mib']:,.0f} MiB")
    baselines = (("XlsxWriter (const.)", xlsxwriter_times), ("openpyxl write-only", openpyxl_times))
    for label, times in baselines:
        fastest = min(times)
        print(f"  {label} {fastest:7.1f} s  ({fastest / seconds:.1f}x the time)")
    print(f"  progress reported for {best['progressed']:,} rows")
    met = seconds < TARGET_SECONDS and best["progressed"] == args.rows
    print(f"target: < {TARGET_SECONDS:.0f} s with progress: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
