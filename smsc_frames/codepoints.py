"""Texts as arrays of code points: a column of texts read in chunks, per-text counts of flags.

Examples
--------
>>> texts = np.array(["ab", "", "€"], dtype=object)
>>> [(points, starts, ends)] = chunks(texts)  # one chunk: fewer than CHUNK texts
>>> points.tolist(), starts.tolist(), ends.tolist()
([97, 98, 8364], [0, 2, 2], [2, 2, 3])
>>> ascii_table = np.ones(129, dtype=bool)
>>> ascii_table[-1] = False  # the last entry stands for every code point above the table
>>> count_per_text(~lookup(ascii_table, points), starts, ends).tolist()  # non-ASCII per text
[0, 0, 1]
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = [
    "CHUNK",
    "CHUNK_POINTS",
    "Scratch",
    "chunks",
    "count_per_text",
    "lookup",
    "running_count",
]

CHUNK = 1 << 14
"""Texts per vectorised pass at most: small arrays are reused, not freshly allocated."""

CHUNK_POINTS = 1 << 20
"""Code points per vectorised pass at most (a longer text is a pass of its own): long texts
are read in passes as small as short ones."""


def chunks(texts: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per run of texts (at most :data:`CHUNK` texts, :data:`CHUNK_POINTS` code points): their
    code points end to end, and where each text starts, ends.

    One ``join`` and one ``encode`` per chunk, in the narrowest unsigned integer that holds
    its code points (:func:`_code_points`): later passes read a quarter of the memory for
    ASCII texts, half for Cyrillic ones.
    """
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    running = np.cumsum(lengths)
    first = 0
    wide = False  # once a chunk needed 4 bytes per code point, go there directly
    while first < len(texts):
        before = running[first - 1] if first else 0
        last = int(np.searchsorted(running, before + CHUNK_POINTS, side="right"))
        last = min(max(last, first + 1), first + CHUNK, len(texts))
        points = _code_points("".join(texts[first:last]), wide)
        wide = wide or points.dtype == np.uint32
        ends = running[first:last] - before
        yield points, np.concatenate(([0], ends[:-1])), ends
        first = last


def _code_points(joined: str, wide: bool) -> np.ndarray:
    """The code points of *joined*: ``uint8`` when it is ASCII (``str.isascii`` is a flag,
    and encoding is then a copy), ``uint16`` when UTF-16 gives one unit per character (no
    character beyond the BMP), else ``uint32`` (tried first when *wide*).

    Examples
    --------
    >>> [_code_points(text, False).dtype.name for text in ("ab", "аб", "a😀")]
    ['uint8', 'uint16', 'uint32']
    """
    if joined.isascii():
        return np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    if not wide:
        units = joined.encode("utf-16-le", "surrogatepass")
        if len(units) == 2 * len(joined):
            return np.frombuffer(units, dtype=np.uint16)
    return np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def running_count(mask: np.ndarray) -> np.ndarray:
    """``count[b] - count[a]`` is how many of ``mask[a:b]`` are true."""
    return np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))


def count_per_text(mask: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """How many of ``mask[start:end]`` are true, per text."""
    running = running_count(mask)
    return running[ends] - running[starts]


def lookup(table: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``table[point]``, the last entry for every code point beyond the table."""
    last = len(table) - 1
    if last >= np.iinfo(points.dtype).max:  # no code point of this width is beyond it
        return table[points]
    return table[np.minimum(points, last)]


class Scratch:
    """One zeroed array that every chunk of a pass writes into, grown when a chunk needs more.

    A fresh 8 MiB array per chunk cost more in page faults than the work done in it
    (``np.take`` over 440M code points: 4.6 s -> 2.4 s). Items a caller never writes stay 0.

    Examples
    --------
    >>> scratch = Scratch(np.int32)
    >>> first = scratch.take(3)
    >>> first[1:] = [5, 6]
    >>> scratch.take(3).tolist(), len(scratch.take(2))
    ([0, 5, 6], 2)
    """

    def __init__(self, dtype: type[np.generic]) -> None:
        self._array = np.zeros(0, dtype=dtype)

    def take(self, size: int) -> np.ndarray:
        """The first *size* items of the array (a view: the next ``take`` reuses them)."""
        if len(self._array) < size:
            self._array = np.zeros(max(size, CHUNK_POINTS + 1), dtype=self._array.dtype)
        return self._array[:size]
