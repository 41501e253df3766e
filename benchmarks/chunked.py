"""Benchmark: client peak memory of a large campaign estimated or sent chunk by chunk vs whole.

The sandbox runs in its own process; each measured run is a fresh child process reading the
same CSV (``--rows`` distinct numbers, one template), whose peak RSS (``ru_maxrss``) and
wall time are printed:

* ``whole``: ``read_contacts`` + ``prepare`` + ``estimate`` / ``send`` on the whole frame;
* ``chunked``: ``read_contacts(chunksize=100_000)`` + ``estimate_chunks`` / ``send_chunks``
  (results to CSV).

Usage: ``nice -n 10 python benchmarks/chunked.py [--rows 2000000] [--op estimate|send]``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from childsandbox import LOGIN, PASSWORD, sandbox_process

CHUNK = 100_000


def write_csv(path: Path, rows: int) -> None:
    phones = (np.random.default_rng(7).permutation(rows) + 79_160_000_000).astype(str)
    frame = pd.DataFrame({"phone": phones, "name": [f"N{n % 1000}" for n in range(rows)]})
    frame.to_csv(path, index=False)


def measure(mode: str, op: str, csv: str, url: str, out: str) -> None:
    from smsc_frames.campaign import estimate, estimate_chunks, send, send_chunks
    from smsc_frames.client import Client
    from smsc_frames.contacts import read_contacts
    from smsc_frames.plan import prepare

    client = Client(LOGIN, PASSWORD, url=url, environ={})
    kwargs = dict(phone="phone", template="Привет, {name}! Скидка 5%")
    started = time.perf_counter()
    if mode == "whole":
        plan = prepare(read_contacts(csv), **kwargs)
        done = estimate(plan, client) if op == "estimate" else send(plan, client, progress=False)
        count = done.recipients if op == "estimate" else int((done["outcome"] == "sent").sum())
    elif op == "estimate":
        count = estimate_chunks(read_contacts(csv, chunksize=CHUNK), client, **kwargs).recipients
    else:
        totals = send_chunks(read_contacts(csv, chunksize=CHUNK), client, results=out,
                             journal=out + ".journal", progress=False, **kwargs)  # fmt: skip
        count = totals.outcomes["sent"]
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{mode:8} {op:8} recipients {count:>9,}  {seconds:7.1f} s  peak RSS {peak:7.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--op", choices=["estimate", "send"], default="estimate")
    parser.add_argument("--measure", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measure(*args.measure)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "contacts.csv"
        write_csv(csv, args.rows)
        print(f"{args.rows:,} rows, {csv.stat().st_size / 2**20:.0f} MiB CSV")
        for mode in ("chunked", "whole"):
            with sandbox_process(
                seconds_to_operator=0, seconds_to_final=0, request_log_size=100
            ) as url:
                out = str(Path(folder) / f"{mode}.csv")
                subprocess.run([sys.executable, __file__, "--measure", mode, args.op, str(csv),
                                url, out], check=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
