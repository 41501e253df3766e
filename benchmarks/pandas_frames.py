"""Benchmark: read + ``prepare`` with pandas' own ``read_csv`` against ``read_contacts``.

pandas 3 reads text columns as ``str``, kept in Arrow memory; ``read_contacts`` gives Python
string objects. An analyst who reads the CSV with pandas should not pay much for it. For each
shape of ``benchmarks/prepare.py`` asked for (all five by default, 1,000,000 rows), the CSV is
written once (not timed), then in each round, in fresh child processes, the file is read and
planned: ``pd.read_csv(path)`` then ``prepare``; ``read_contacts(path)`` then ``prepare``;
and with ``--before DIR`` the pandas path through another copy of the package
(``git archive <commit> smsc_frames | tar -x -C DIR``). Read and ``prepare`` are timed apart;
the fastest round of each side (by their sum) is reported.

Target: the pandas path within 1.5x of the ``read_contacts`` path; exit 0 when every shape
meets it.

Usage: ``python benchmarks/pandas_frames.py [--shape template ...] [--rows 1000000]
[--rounds 3] [--before DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from prepare import SHAPES, synthetic_contacts

TARGET = 1.5


def time_prepare(path: Path, shape: str, reader: str) -> list[float]:
    """Seconds *reader* (``pandas`` or ``read_contacts``) takes to read *path*, and
    ``prepare`` to plan the frame."""
    import pandas as pd

    from smsc_frames.contacts import read_contacts
    from smsc_frames.plan import prepare

    template = SHAPES[shape][1]
    texts = {"template": template} if template else {"text": "text"}
    started = time.perf_counter()
    contacts = pd.read_csv(path) if reader == "pandas" else read_contacts(path)
    read = time.perf_counter()
    prepare(contacts, phone="phone", **texts)
    return [read - started, time.perf_counter() - read]


def run_child(
    path: Path, shape: str, reader: str, package_dir: Path | None = None
) -> tuple[float, float]:
    """:func:`time_prepare` in a fresh process, *package_dir* first on its path if given."""
    env = dict(os.environ)
    if package_dir is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(package_dir), env.get("PYTHONPATH", "")])
    command = [sys.executable, __file__, "--child", str(path), "--shape", shape, "--reader"]
    child = subprocess.run([*command, reader], capture_output=True, text=True, check=True, env=env)
    read, planned = json.loads(child.stdout.strip().splitlines()[-1])
    return read, planned


def measure_shape(shape: str, args: argparse.Namespace, directory: str) -> bool:
    """Write the shape's CSV, time every side in interleaved rounds, print, and say whether
    the pandas frame met the target."""
    path = Path(directory) / f"{shape}.csv"
    synthetic_contacts(args.rows, shape=shape).to_csv(path, index=False)
    sides = {"pandas": ("pandas", None), "read_contacts": ("read_contacts", None)}
    if args.before:
        sides["pandas before"] = ("pandas", args.before)
    best = dict.fromkeys(sides, (float("inf"), float("inf")))
    for round_number in range(1, args.rounds + 1):
        for side, (reader, package_dir) in sides.items():
            best[side] = min(best[side], run_child(path, shape, reader, package_dir), key=sum)
        print(f"  {shape} round {round_number}/{args.rounds} done", file=sys.stderr)
    total = {side: sum(times) for side, times in best.items()}
    ratio = total["pandas"] / total["read_contacts"]
    print(f"{shape} ({args.rows:,} rows), read + prepare, fastest of {args.rounds}:")
    for side, (read, planned) in best.items():
        print(f"  {side:15s} {read:5.2f} + {planned:5.2f} = {total[side]:5.2f} s")
    print(f"  pandas / read_contacts: {ratio:.2f}x (target <= {TARGET}x)")
    if args.before:
        print(f"  pandas before / now: {total['pandas before'] / total['pandas']:.2f}x")
    return ratio <= TARGET


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", nargs="+", choices=list(SHAPES), default=list(SHAPES))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a directory holding another smsc_frames")
    parser.add_argument("--reader", choices=["pandas", "read_contacts"], help=argparse.SUPPRESS)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(time_prepare(args.child, args.shape[0], args.reader)))
        return 0
    with tempfile.TemporaryDirectory() as directory:
        met = [measure_shape(shape, args, directory) for shape in args.shape]
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
