"""Benchmark: does each piece of custom code beat the library call it replaces?

Three pieces of smsc_frames stand in for a library call:

* ``objectcodes.factorize_objects`` for ``pd.factorize`` (object arrays of texts);
* ``sorting.stable_argsort`` for ``np.argsort(keys, kind="stable")``;
* ``formencoding.form_body`` for ``urllib.parse.urlencode(form).encode("ascii")``.

On the 1,000,000-row campaign ``benchmarks/prepare.py`` builds (its generator, same seed), each
piece is timed against its library call in two ways:

* **pipeline**: ``prepare(template=...)`` + ``payloads`` + the body of every payload (what
  ``send`` posts), once as shipped and once with the library call swapped in everywhere the
  package uses the piece (by monkeypatching the modules that imported it);
* **alone**: every call the pipeline made to the piece, replayed on the very same arguments
  (recorded during a pipeline run), with the piece and with the library call.

Every variant runs ``--rounds`` times (5), interleaved so all meet the same background load,
and the fastest run of each is compared. Only ratios are printed as verdicts; no time is
asserted. A piece is worth keeping when it is at least 1.3x faster alone and the pipeline
with it is measurably faster.

Usage: ``python benchmarks/custom_code.py [--rows 1000000] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from prepare import TEMPLATE, synthetic_contacts

import smsc_frames.formencoding
import smsc_frames.objectcodes
import smsc_frames.sorting
from smsc_frames.contacts import read_contacts
from smsc_frames.payloads import payloads
from smsc_frames.plan import prepare


def library_factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return pd.factorize(np.asarray(values))


def library_argsort(keys: np.ndarray) -> np.ndarray:
    return np.argsort(keys, kind="stable")


def library_form_body(form: dict[str, str]) -> bytes:
    return urlencode(form).encode("ascii")


# name of the piece -> (module that defines it, function name, library replacement)
PIECES: dict[str, tuple[Any, str, Callable[..., Any]]] = {
    "factorize_objects vs pd.factorize": (
        smsc_frames.objectcodes,
        "factorize_objects",
        library_factorize,
    ),
    "stable_argsort vs np.argsort(kind='stable')": (
        smsc_frames.sorting,
        "stable_argsort",
        library_argsort,
    ),
    "form_body vs urlencode": (smsc_frames.formencoding, "form_body", library_form_body),
}


@contextmanager
def swapped(original: Callable[..., Any], replacement: Callable[..., Any]) -> Iterator[None]:
    """Replace *original* by *replacement* in every smsc_frames module that holds it."""
    patched = [
        (module, name)
        for module_name, module in list(sys.modules.items())
        if module_name.startswith("smsc_frames") and module is not None
        for name, value in vars(module).items()
        if value is original
    ]
    for module, name in patched:
        setattr(module, name, replacement)
    try:
        yield
    finally:
        for module, name in patched:
            setattr(module, name, original)


def pipeline(contacts: pd.DataFrame) -> float:
    """prepare + payloads + every payload's body, in seconds."""
    body = smsc_frames.formencoding.form_body  # looked up now: it may be swapped
    started = time.perf_counter()
    plan = prepare(contacts, phone="phone", template=TEMPLATE)
    requests = payloads(plan)
    for request in requests:
        body(request.params)
    return time.perf_counter() - started


def recorded_calls(contacts: pd.DataFrame) -> dict[str, list[tuple[Any, ...]]]:
    """The arguments of every call the pipeline makes to each piece."""
    calls: dict[str, list[tuple[Any, ...]]] = {name: [] for name in PIECES}
    for name, (module, attribute, _) in PIECES.items():
        original = getattr(module, attribute)

        def recording(
            *args: Any, _calls: list = calls[name], _original: Callable = original
        ) -> Any:
            _calls.append(args)
            return _original(*args)

        with swapped(original, recording):
            pipeline(contacts)
    return calls


def replay(function: Callable[..., Any], calls: list[tuple[Any, ...]]) -> float:
    started = time.perf_counter()
    for args in calls:
        function(*args)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "campaign.csv"
        synthetic_contacts(args.rows).to_csv(path, index=False)
        contacts = read_contacts(path)
    pipeline(contacts)  # warm-up: first-touch memory, imports
    calls = recorded_calls(contacts)
    for name, recorded in calls.items():
        print(f"{name}: {len(recorded)} call(s) in one pipeline run")

    names = list(PIECES)
    shipped: list[float] = []
    swapped_runs: dict[str, list[float]] = {name: [] for name in names}
    alone: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in names}
    for round_number in range(1, args.rounds + 1):
        shipped.append(pipeline(contacts))
        for name in names:
            module, attribute, library = PIECES[name]
            original = getattr(module, attribute)
            with swapped(original, library):
                swapped_runs[name].append(pipeline(contacts))
            ours, theirs = alone[name]
            ours.append(replay(original, calls[name]))
            theirs.append(replay(library, calls[name]))
        print(
            f"round {round_number}: pipeline as shipped {shipped[-1]:.2f} s; "
            + "; ".join(
                f"{name.split()[0]} swapped {swapped_runs[name][-1]:.2f} s" for name in names
            )
        )

    best = min(shipped)
    print(
        f"\nfastest of {args.rounds} rounds; pipeline = prepare + payloads + bodies, "
        f"{args.rows:,} rows"
    )
    print(f"  as shipped: {best:.2f} s")
    for name in names:
        ours, theirs = min(alone[name][0]), min(alone[name][1])
        with_library = min(swapped_runs[name])
        print(f"{name}:")
        print(
            f"  alone:    custom {ours * 1e3:.1f} ms, library {theirs * 1e3:.1f} ms: "
            f"custom is {theirs / ours:.2f}x as fast"
        )
        print(
            f"  pipeline: with the library {with_library:.2f} s: custom saves "
            f"{(with_library - best) * 1e3:+.0f} ms ({with_library / best:.3f}x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
