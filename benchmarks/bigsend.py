"""Benchmark: send a 20,000,000-row CSV chunk by chunk to a sandbox in its own process.

The CSV (written once; kept when given as ``--csv``): distinct Russian mobile numbers in three
spellings (``79161234567``, ``+7 916 123-45-67``, ``8 (916) 1234567``) and a ``name`` column
for the template ``Привет, {name}! Скидка 5% до воскресенья``. A fresh client process runs
``read_contacts(csv, chunksize=...)`` + ``send_chunks`` (journal and results CSV on disk,
as the CLI does for a large file) and reports its peak RSS (``VmHWM``) and a line per
``--every`` chunks. At the end the sandbox is asked how many messages it stored and to how
many distinct numbers (each number must be there exactly once), and its own RSS.

Usage: ``nice -n 10 python benchmarks/bigsend.py --rows 20000000 [--csv PATH --keep]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from childsandbox import LOGIN, PASSWORD, memory_mib, sandbox_child

TEMPLATE = "Привет, {name}! Скидка 5% до воскресенья"
NAMES = ["Анна", "Иван", "Мария", "Пётр", "Ольга", "Сергей", "Елена", "Дмитрий", "Наталья",
         "Алексей", "Татьяна", "Андрей", "Юлия", "Михаил", "Ирина", "Николай"]  # fmt: skip
#: Russian mobile operator codes (MTS, MegaFon, Beeline, Tele2 ranges)
CODES = np.array([916, 926, 903, 905, 909, 915, 925, 985, 977, 999], dtype=np.int64)
PIECE = 1_000_000


def write_csv(path: Path, rows: int) -> None:
    """*rows* distinct mobile numbers in three spellings, and a name, in pieces of a million.

    Row *i* gets operator code ``CODES[i % 10]`` and a subscriber number spread over its
    10,000,000 (so up to 100,000,000 rows stay distinct), in a shuffled order.
    """
    order = np.random.default_rng(7).permutation(rows).astype(np.int64)
    step = max(1, 10**7 // -(-rows // len(CODES)))
    numbers = 70_000_000_000 + CODES[order % len(CODES)] * 10**7 + order // len(CODES) * step
    names = np.array(NAMES, dtype=object)
    with path.open("w", encoding="utf-8") as file:
        file.write("phone,name\n")
        for start in range(0, rows, PIECE):
            piece = numbers[start : start + PIECE]
            digits = piece.astype(str).astype(object)
            style = np.arange(start, start + len(piece)) % 3
            spelled = np.where(
                style == 0,
                digits,
                np.where(
                    style == 1,
                    _formatted(digits, "+7 ", " ", "-"),
                    _formatted(digits, "8 (", ") ", ""),
                ),
            )
            frame = pd.DataFrame({"phone": spelled, "name": names[piece % len(NAMES)]})
            frame.to_csv(file, header=False, index=False)


def _formatted(digits: np.ndarray, before: str, after: str, dash: str) -> np.ndarray:
    series = pd.Series(digits)
    code, rest = series.str[1:4], series.str[4:]
    spelled = before + code + after + rest.str[:3] + dash + rest.str[3:5] + dash + rest.str[5:]
    return spelled.to_numpy()


def measure(csv: str, url: str, folder: str, chunk: int, every: int) -> None:
    """Client process: send the CSV chunk by chunk, print progress and a JSON summary."""
    from smsc_frames.campaign import send_chunks
    from smsc_frames.client import Client
    from smsc_frames.contacts import read_contacts

    client = Client(LOGIN, PASSWORD, url=url, environ={})
    started = time.perf_counter()
    chunks = _logged(read_contacts(csv, chunksize=chunk), started, every)
    totals = send_chunks(chunks, client, journal=f"{folder}/journal",
                         results=f"{folder}/results.csv", progress=False, phone="phone",
                         template=TEMPLATE)  # fmt: skip
    seconds = time.perf_counter() - started
    summary = {"seconds": seconds, "rows": totals.rows, "sent": totals.outcomes["sent"],
               "chunks": totals.chunks, "client_peak_mib": memory_mib("VmHWM")}  # fmt: skip
    print(json.dumps(summary))


def _logged(chunks: Iterable[pd.DataFrame], started: float, every: int) -> Iterator[pd.DataFrame]:
    rows = 0
    for number, frame in enumerate(chunks):
        if number % every == 0:
            elapsed = time.perf_counter() - started
            print(f"  chunk {number:>4}: {rows:>11,} rows done in {elapsed:7.1f} s, client RSS "
                  f"{memory_mib('VmRSS'):5.0f} MiB (peak {memory_mib('VmHWM'):5.0f})",
                  file=sys.stderr, flush=True)  # fmt: skip
        rows += len(frame)
        yield frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--chunk", type=int, default=100_000)
    parser.add_argument("--every", type=int, default=10, help="a progress line every N chunks")
    parser.add_argument("--csv", type=Path, help="the CSV (written unless it exists)")
    parser.add_argument("--measure", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        csv, url, folder, chunk, every = args.measure
        measure(csv, url, folder, int(chunk), int(every))
        return 0
    with tempfile.TemporaryDirectory(prefix="bigsend-") as folder:
        csv = args.csv or Path(folder) / "contacts.csv"
        if not csv.exists():
            started = time.perf_counter()
            write_csv(csv, args.rows)
            print(f"wrote {csv} in {time.perf_counter() - started:.0f} s")
        size = csv.stat().st_size / 2**20
        print(f"{args.rows:,} rows, {size:.0f} MiB CSV, chunks of {args.chunk:,}")
        settings = {"seconds_to_operator": 0, "seconds_to_final": 0, "request_log_size": 100}
        with sandbox_child(**settings) as sandbox:
            started = time.perf_counter()
            done = subprocess.run([sys.executable, __file__, "--measure", str(csv), sandbox.url,
                                   folder, str(args.chunk), str(args.every)],
                                  check=True, stdout=subprocess.PIPE, text=True)  # fmt: skip
            wall = time.perf_counter() - started
            client = json.loads(done.stdout.splitlines()[-1])
            stored = sandbox.stored()
    print(
        f"sent {client['sent']:,} of {client['rows']:,} rows in {client['chunks']} chunks: "
        f"{wall:.0f} s wall ({client['rows'] / wall:,.0f} rows/s); client peak RSS "
        f"{client['client_peak_mib']:,.0f} MiB"
    )
    print(
        f"sandbox stored {stored['messages']:,.0f} messages to {stored['distinct']:,.0f} "
        f"distinct numbers; sandbox RSS {stored['rss_mib']:,.0f} MiB "
        f"(peak {stored['peak_mib']:,.0f})"
    )
    exactly_once = stored["messages"] == stored["distinct"] == client["rows"] == client["sent"]
    print("each number stored exactly once:", "yes" if exactly_once else "NO")
    return 0 if exactly_once else 1


if __name__ == "__main__":
    sys.exit(main())
