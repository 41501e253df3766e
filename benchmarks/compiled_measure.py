"""Benchmark: would a compiled pass over Arrow's UTF-8 (numba) pay for measuring texts?

Issue 15 asks for 1M rows of any shape in under 3 s. The texts of a 1M-row file of different
texts are read by pyarrow in ~0.4 s, but making them Python strings costs more than that
(1.5 s for ``emoji``), and today's measure (``measure_texts`` + ``count_measured``: length,
spaces, NFC marks, septets, UTF-16 units, parts) reads those strings again. This measures, on
the texts ``benchmarks/prepare.py`` generates (its generator, same seed), per shape:

* **python strings**: making the Python strings of the Arrow texts (what an Arrow-only
  pipeline would skip);
* **numpy measure**: today's measure and parts of those strings;
* **compiled**: the same counts from the Arrow buffers in one numba pass (two threads: numba
  releases the GIL), and a second pass that splits only texts over one part holding a
  two-unit character;

and, in a fresh child process, what a first call costs: ``import numba`` and compiling the
kernels (numba's cache in an empty temporary directory, as on a fresh install).

Every count of every text is checked equal to today's (exit 1 if one differs). Each variant
runs ``--rounds`` times, interleaved, and the fastest run is compared. Needs numba
(``pip install -e '.[bench]'``); the package does not use it (``README.md`` says why).

Usage: ``python benchmarks/compiled_measure.py [--rows 1000000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import functools
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from prepare import synthetic_contacts

from smsc_frames.gsm7 import MULTI_PART_CAPACITY, SINGLE_PART_CAPACITY
from smsc_frames.normalization import high_nfc_marks
from smsc_frames.segments import count_measured
from smsc_frames.textmeasure import _TABLE_END, _WEIGHTS, TextMeasure, measure_texts

SHAPES = ("distinct", "emoji", "long", "tricky")

TRICKY = "aZ 0\t\r\n{[~€é£Жя\u0301\u3000😀\ufe0f\U0001d165\uf900"
"""Every kind of character the counts tell apart: GSM-7 basic (ASCII and not), extension,
whitespace (U+3000 too), CR, Cyrillic, a combining mark, an emoji and its variation selector,
a mark above U+3000 (a musical stem), a CJK compatibility ideograph."""


def texts_of(shape: str, rows: int) -> np.ndarray:
    """``prepare.py``'s texts of *shape*, or (``tricky``) texts of 0-400 characters drawn from
    :data:`TRICKY`, a tenth as many, and one of 70,001."""
    if shape != "tricky":
        return synthetic_contacts(rows, shape=shape)["text"].to_numpy(dtype=object)
    rng = np.random.default_rng(7)
    alphabet = np.array(list(TRICKY), dtype=object)
    texts = ["".join(rng.choice(alphabet, rng.integers(0, 400))) for _ in range(rows // 10)]
    texts.append(" " * 70_000 + "{")  # more spaces than a packed field holds
    return np.array(texts, dtype=object)


def packed_fields() -> list[np.ndarray]:
    """Per code point below ``_TABLE_END``: whitespace, NFC mark, GSM-7 extension, not GSM-7
    (the table ``measure_texts`` counts with, unpacked)."""
    return [
        (_WEIGHTS[:_TABLE_END] >> np.uint64(16 * field)) & np.uint64(1) > 0 for field in range(4)
    ]


_FIELD_BITS = 16
"""Bits per count in a packed weight: a text of more than ``2**16 - 1`` characters could
spill one count into the next, so such texts (never an SMS) are counted field by field."""


_FIELD_MASK = (1 << _FIELD_BITS) - 1


@functools.cache
def _weights() -> np.ndarray:
    """Per code point below ``_TABLE_END``, its four flags
    (whitespace, NFC mark, GSM-7 extension, not GSM-7: the table
    :func:`~smsc_frames.textmeasure.measure_texts` counts with) packed in one ``uint64``, so a
    text's four counts are one sum; the last entry stands for every code point above."""
    weights = sum(
        flag.astype(np.uint64) << np.uint64(_FIELD_BITS * field)
        for field, flag in enumerate(packed_fields())
    )
    return np.append(weights, np.uint64(1) << np.uint64(_FIELD_BITS * 3))


@functools.cache
def _kernels() -> tuple[Callable, Callable, Callable]:
    """The compiled passes (numba imported and the functions compiled, or loaded from its
    cache, on first use)."""
    import numba

    field_bits, field_mask = _FIELD_BITS, _FIELD_MASK

    @numba.njit(cache=True, nogil=True, inline="always")
    def two_bytes(data: np.ndarray, at: int) -> int:
        """The code point of the 2-byte sequence at *at*."""
        return ((np.int64(data[at]) & 0x1F) << 6) | (np.int64(data[at + 1]) & 0x3F)

    @numba.njit(cache=True, nogil=True, inline="always")
    def three_bytes(data: np.ndarray, at: int) -> int:
        """The code point of the 3-byte sequence at *at*."""
        return (
            ((np.int64(data[at]) & 0x0F) << 12)
            | ((np.int64(data[at + 1]) & 0x3F) << 6)
            | (np.int64(data[at + 2]) & 0x3F)
        )

    @numba.njit(cache=True, nogil=True, inline="always")
    def four_bytes(data: np.ndarray, at: int) -> int:
        """The code point of the 4-byte sequence at *at*."""
        return (
            ((np.int64(data[at]) & 0x07) << 18)
            | ((np.int64(data[at + 1]) & 0x3F) << 12)
            | ((np.int64(data[at + 2]) & 0x3F) << 6)
            | (np.int64(data[at + 3]) & 0x3F)
        )

    @numba.njit(cache=True, nogil=True, inline="always")
    def code_point(data: np.ndarray, at: int) -> tuple[int, int]:
        """The code point starting at *at* (valid UTF-8, as Arrow keeps it) and its bytes."""
        lead = np.int64(data[at])
        if lead < 0x80:
            return lead, 1
        if lead < 0xE0:
            return two_bytes(data, at), 2
        if lead < 0xF0:
            return three_bytes(data, at), 3
        return four_bytes(data, at), 4

    @numba.njit(cache=True, nogil=True)
    def measure(offsets, data, weights, first, last, counts, high_seen):
        """For texts *first* to *last*, columns of *counts*: length, spaces, NFC marks (below
        the table), GSM-7 extension characters, characters outside GSM-7 and outside the BMP;
        *high_seen* marks the code points met above the table.

        Sequences are decoded here by their lead byte: calling :func:`code_point`, which
        returns ``(point, size)``, made these loops several times slower."""
        above = len(weights) - 1
        for text in range(first, last):
            at, end = offsets[text], offsets[text + 1]
            length = astral = 0
            packed = np.uint64(0)
            while at < end:
                lead = np.int64(data[at])
                length += 1
                if lead < 0x80:
                    packed += weights[lead]
                    at += 1
                    continue
                if lead < 0xE0:
                    point = two_bytes(data, at)
                    at += 2
                elif lead < 0xF0:
                    point = three_bytes(data, at)
                    at += 3
                else:
                    point = four_bytes(data, at)
                    at += 4
                    astral += 1
                if point < above:
                    packed += weights[point]
                else:
                    packed += weights[above]
                    high_seen[point] = True
            counts[0, text] = length
            for field in range(4):
                counts[1 + field, text] = (
                    np.int64(packed >> np.uint64(field_bits * field)) & field_mask
                )
            counts[5, text] = astral

    @numba.njit(cache=True, nogil=True)
    def count_by_field(offsets, data, weights, text, counts):
        """:func:`measure`'s four packed counts of one text, each summed on its own."""
        above = len(weights) - 1
        at, end = offsets[text], offsets[text + 1]
        for field in range(4):
            counts[1 + field, text] = 0
        while at < end:
            point, size = code_point(data, at)
            at += size
            weight = weights[min(point, above)]
            for field in range(4):
                counts[1 + field, text] += np.int64(weight >> np.uint64(field_bits * field)) & 1

    @numba.njit(cache=True, nogil=True)
    def greedy(offsets, data, units_of, single, multi, rows, parts):
        """The parts of each of *rows*' greedy split: one when its units fit *single*, else
        *multi* units a part, a character that would straddle two opening the next. A
        character's units are ``units_of[code point]`` below the table, the last entry for
        the rest of the BMP above it, the one before for characters beyond the BMP."""
        above = len(units_of) - 1
        for position in range(len(rows)):
            text = rows[position]
            at, end = offsets[text], offsets[text + 1]
            used, count, total = 0, 1, 0
            while at < end:
                lead = np.int64(data[at])
                if lead < 0x80:
                    units = np.int64(units_of[lead])
                    at += 1
                elif lead < 0xE0:
                    units = np.int64(units_of[min(two_bytes(data, at), above)])
                    at += 2
                elif lead < 0xF0:
                    units = np.int64(units_of[min(three_bytes(data, at), above)])
                    at += 3
                else:
                    units = np.int64(units_of[above - 1])
                    at += 4
                if used + units > multi:
                    count += 1
                    used = 0
                used += units
                total += units
            parts[position] = count if total > single else 1

    @numba.njit(cache=True, nogil=True)
    def count_marked(offsets, data, marked, rows, counts):
        """Add to row 2 of *counts* (NFC marks) each of *rows*' code points *marked* flags."""
        for row in rows:
            at, end = offsets[row], offsets[row + 1]
            while at < end:
                point, size = code_point(data, at)
                at += size
                if marked[point]:
                    counts[2, row] += 1

    return measure, count_by_field, greedy, count_marked


def _buffers(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (``int64``, one per text and one past the last) and the UTF-8 bytes of a
    ``string``/``large_string`` array; nulls are empty texts."""
    if pa.types.is_large_string(texts.type):
        offset_type = np.int64
    elif pa.types.is_string(texts.type):
        offset_type = np.int32
    else:
        raise TypeError(f"texts must be an Arrow string array, not {texts.type}")
    _, offsets, data = texts.buffers()
    offsets = np.frombuffer(offsets, dtype=offset_type)[
        texts.offset : texts.offset + len(texts) + 1
    ]
    if data is None:  # every text empty or null
        return offsets.astype(np.int64), np.zeros(0, dtype=np.uint8)
    return offsets.astype(np.int64), np.frombuffer(data, dtype=np.uint8)


def measure_arrow(texts: pa.Array | pa.ChunkedArray) -> tuple[TextMeasure, np.ndarray]:
    """Measure texts in Arrow memory as :func:`~smsc_frames.textmeasure.measure_texts` does
    (``translit=0``), and count the parts of their greedy split.

    The texts are read on every core (numba releases the GIL), in two passes: one measures
    every text, the other splits into parts only the texts over one part that hold a
    two-unit character (the others' parts follow from their units).

    Parameters
    ----------
    texts : pyarrow.Array or pyarrow.ChunkedArray
        Of type ``string`` or ``large_string``; a null counts as the empty text.

    Returns
    -------
    measure : TextMeasure
    parts : numpy.ndarray
        Each text's parts in its encoding (GSM-7 when no character is outside it, else
        UCS-2), as :func:`~smsc_frames.segments.greedy_part_counts` counts them.

    Examples
    --------
    >>> measure, parts = measure_arrow(pa.array(["a" * 152 + "{" + "a" * 10, None]))
    >>> measure.septets.tolist(), parts.tolist()
    ([164, 0], [2, 1])
    """
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks != 1 else texts.chunk(0)
    offsets, data = _buffers(texts)
    measure_kernel, count_by_field, greedy, count_marked = _kernels()
    weights = _weights()
    counts = np.zeros((6, len(texts)), dtype=np.int64)
    seen: list[np.ndarray] = []  # one per thread: no two threads write one array

    def measure_slice(first: int, last: int) -> None:
        high_seen = np.zeros(0x110000, dtype=np.bool_)
        seen.append(high_seen)
        measure_kernel(offsets, data, weights, first, last, counts, high_seen)

    _on_every_core(len(texts), measure_slice)
    for text in np.flatnonzero(counts[0] > _FIELD_MASK).tolist():  # a field may have spilled
        count_by_field(offsets, data, weights, text, counts)
    high = np.flatnonzero(np.logical_or.reduce(seen))
    marks = high_nfc_marks(high) if len(high) else None
    if marks is not None and marks.any():  # rare: NFC may change a character above the table
        marked = np.zeros(0x110000, dtype=np.bool_)
        marked[high[marks]] = True
        rows = np.flatnonzero(counts[4] > 0)  # every character above the table is
        count_marked(offsets, data, marked, rows, counts)
    length, spaces, nfc, extended, not_gsm, astral = counts
    measure = TextMeasure(length, spaces, nfc, length, length + extended, length + astral, not_gsm)
    return measure, _parts(measure, offsets, data, greedy)


@functools.cache
def _units_tables() -> dict[str, np.ndarray]:
    """Per encoding, a character's units by code point for the greedy split (below the
    table; then one entry for characters beyond the BMP, one for the rest above)."""
    extended = packed_fields()[2]
    return {
        "gsm7": np.concatenate([1 + extended, [1, 1]]).astype(np.uint8),
        "ucs2": np.concatenate([np.ones(len(extended)), [2, 1]]).astype(np.uint8),
    }


def _parts(
    measure: TextMeasure, offsets: np.ndarray, data: np.ndarray, greedy: Callable
) -> np.ndarray:
    """Each text's parts: ``ceil(units / capacity)`` (one part up to the single-part
    capacity) where it holds no two-unit character, else its greedy split (*greedy*)."""
    ucs2 = measure.not_gsm > 0
    units = np.where(ucs2, measure.utf16, measure.septets)
    single = np.where(ucs2, SINGLE_PART_CAPACITY["ucs2"], SINGLE_PART_CAPACITY["gsm7"])
    multi = np.where(ucs2, MULTI_PART_CAPACITY["ucs2"], MULTI_PART_CAPACITY["gsm7"])
    parts = np.where(units <= single, 1, -(-units // multi))
    two_unit = (units > single) & (units > measure.sent_length)
    for encoding, in_encoding in (("gsm7", ~ucs2), ("ucs2", ucs2)):
        rows = np.flatnonzero(two_unit & in_encoding)
        split = np.zeros(len(rows), dtype=np.int64)
        units_of = _units_tables()[encoding]
        capacities = SINGLE_PART_CAPACITY[encoding], MULTI_PART_CAPACITY[encoding]

        def split_slice(first: int, last: int) -> None:
            greedy(offsets, data, units_of, *capacities, rows[first:last], split[first:last])  # noqa: B023

        _on_every_core(len(rows), split_slice)
        parts[rows] = split
    return parts


def _on_every_core(count: int, run: Callable[[int, int], None]) -> None:
    """``run(first, last)`` over ``range(count)`` cut in one slice per core, in threads."""
    cores = min(os.cpu_count() or 1, max(1, count // 10_000))
    bounds = np.linspace(0, count, cores + 1).astype(np.int64).tolist()
    if cores == 1:
        run(0, count)
        return
    with concurrent.futures.ThreadPoolExecutor(cores) as pool:
        for done in [pool.submit(run, a, b) for a, b in zip(bounds[:-1], bounds[1:])]:
            done.result()


def numpy_measure(values: np.ndarray) -> tuple[TextMeasure, np.ndarray]:
    """Today's counts of texts held as Python strings: ``measure_texts`` and the parts
    ``count_measured`` gives."""
    measure = measure_texts(values)
    return measure, count_measured(measure, values)["parts"].to_numpy()


_FIRST_CALL = """
import sys, time
started = time.perf_counter()
import numba
imported = time.perf_counter()
sys.path.insert(0, {directory!r})
import pyarrow as pa
from compiled_measure import measure_arrow
ready = time.perf_counter()
measure_arrow(pa.array(["a{{", "я😀"]))
print(imported - started, time.perf_counter() - ready)
"""


def first_call_seconds(cache: str) -> tuple[float, float]:
    """In a fresh process with numba's cache in *cache*: ``import numba``, then the first
    call (compiling the kernels, or loading them from the cache)."""
    script = _FIRST_CALL.format(directory=str(Path(__file__).resolve().parent))
    output = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "NUMBA_CACHE_DIR": cache},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(output[0]), float(output[1])


def timed(run: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    equal = True
    print(f"{args.rows:,} texts per shape, fastest of {args.rounds} interleaved rounds")
    print("shape     python strings  numpy measure  compiled  compiled/(strings+numpy)")
    for shape in SHAPES:
        values = texts_of(shape, args.rows)
        arrow = pa.array(values, type=pa.large_string())  # as pandas' str dtype holds them
        del values
        measure_arrow(arrow[:10])  # compiled (or loaded) before the clock starts
        best = {"strings": np.inf, "numpy": np.inf, "compiled": np.inf}
        for _ in range(args.rounds):
            seconds, strings = timed(functools.partial(arrow.to_numpy, zero_copy_only=False))
            best["strings"] = min(best["strings"], seconds)
            seconds, expected = timed(functools.partial(numpy_measure, strings))
            best["numpy"] = min(best["numpy"], seconds)
            del strings
            seconds, found = timed(functools.partial(measure_arrow, arrow))
            best["compiled"] = min(best["compiled"], seconds)
        for name in ("length", "spaces", "nfc_marks", "septets", "utf16", "not_gsm"):
            equal &= np.array_equal(getattr(found[0], name), getattr(expected[0], name))
        equal &= np.array_equal(found[1], expected[1])
        ratio = best["compiled"] / (best["strings"] + best["numpy"])
        print(
            f"{shape:9} {best['strings']:13.2f}s {best['numpy']:13.2f}s {best['compiled']:8.2f}s"
            f"  {ratio:.2f}"
        )
    with tempfile.TemporaryDirectory() as cache:
        imported, compiled = first_call_seconds(cache)
        _, loaded = first_call_seconds(cache)
    print(f"first call in a fresh process: import numba {imported:.2f} s, compile {compiled:.2f} s "
          f"(from numba's cache: {loaded:.2f} s)")  # fmt: skip
    print("every count equal to today's" if equal else "COUNTS DIFFER from today's")
    return 0 if equal else 1


if __name__ == "__main__":
    raise SystemExit(main())
