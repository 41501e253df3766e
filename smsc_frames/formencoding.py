"""``application/x-www-form-urlencoded``: the bodies the client posts, and their sizes.

:func:`form_body` is ``urllib.parse.urlencode`` byte for byte, long values quoted with array
operations; :func:`urlencoded_length` tells how long a value will be once quoted without
quoting it, which is what :mod:`smsc_frames.payloads` budgets requests with. Both rest on
:data:`UNRESERVED`, the bytes ``quote_plus`` keeps as they are.

Why not ``urlencode``: the 987 request bodies of the 1,000,000-row campaign of
``benchmarks/prepare.py`` (~110 KB each) are encoded in 2.05 s by :func:`form_body` against
3.50 s by ``urllib.parse.urlencode`` (1.7x), and the pipeline (prepare + payloads + request
bodies) takes 4.39 s against 5.87 s (``benchmarks/custom_code.py``, fastest of 5 interleaved
rounds).

Examples
--------
>>> values = ["Скидка 10%", "79161234567"]
>>> body = form_body({"mes": values[0], "phones": values[1]})
>>> len(body) == len("mes=&phones=") + int(urlencoded_length(values).sum())
True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple
from urllib.parse import quote_plus

import numpy as np
import pandas as pd

__all__ = ["FORM_HEADERS", "UNRESERVED", "form_body", "urlencoded_length"]

UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~ "
"""The bytes ``quote_plus`` writes as they are (the space then becomes ``+``)."""
_ESCAPED = bytes(set(range(1, 256)) - set(UNRESERVED))
"""The bytes ``quote_plus`` writes as ``%XX``: all but the unreserved ones and the NUL."""
_CHUNK_TEXTS = 1 << 14  # a few MB of text at most (SMS texts are <= 1000 characters)


class Utf8Chunk(NamedTuple):
    """Consecutive texts' UTF-8 bytes (see :func:`utf8_chunks`)."""

    rows: slice  # which texts
    encoded: bytes  # each text followed by a NUL
    byte_lengths: np.ndarray  # each text's length in bytes
    characters: int  # the texts' length in characters, with a NUL after each


def utf8_chunks(values: list[str]) -> Iterator[Utf8Chunk]:
    """The texts' UTF-8 bytes, :data:`_CHUNK_TEXTS` texts at a time: one join, one encode each.

    Yields :class:`Utf8Chunk`: the texts' slice, their bytes, each text followed by a NUL (a
    NUL inside a text is read as ``\\x01``, which urlencodes to as many bytes), the lengths of
    the texts in bytes, and their length in characters.
    """
    for first in range(0, len(values), _CHUNK_TEXTS):
        chunk = values[first : first + _CHUNK_TEXTS]
        joined = "\0".join([*chunk, ""])  # not join + "\0": one copy less
        encoded = joined.encode("utf-8")
        lengths = _lengths_between_nuls(encoded)
        if len(lengths) != len(chunk):  # a text holds a NUL
            joined = "\0".join(value.replace("\0", "\x01") for value in chunk) + "\0"
            encoded = joined.encode("utf-8")
            lengths = _lengths_between_nuls(encoded)
        characters = len(joined)
        del joined  # (a text with an astral character is 4 bytes a character as a str)
        yield Utf8Chunk(slice(first, first + len(chunk)), encoded, lengths, characters)


def _lengths_between_nuls(data: bytes) -> np.ndarray:
    """Lengths of the NUL-terminated pieces of *data*."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0)
    return np.diff(ends, prepend=-1) - 1


def chunk_urlencoded_lengths(chunk: Utf8Chunk) -> np.ndarray:
    """``quote_plus`` lengths of the texts of a :class:`Utf8Chunk`: 1 byte per UTF-8 byte, 2
    more per escaped one; the escaped bytes are counted, at C speed, on whichever kind is
    rarer once the other is deleted: mostly ASCII texts (less than 4 bytes per 3 characters)
    keep their escaped bytes, others their unreserved ones (each then saves 2 of 3 bytes).

    Examples
    --------
    >>> [chunk] = utf8_chunks(["a b%", "я"])
    >>> chunk_urlencoded_lengths(chunk).tolist()
    [6, 6]
    """
    encoded, byte_lengths = chunk.encoded, chunk.byte_lengths
    if 3 * len(encoded) < 4 * chunk.characters:
        return byte_lengths + 2 * _lengths_between_nuls(encoded.translate(None, UNRESERVED))
    return 3 * byte_lengths - 2 * _lengths_between_nuls(encoded.translate(None, _ESCAPED))


def urlencoded_length(values: pd.Series | Sequence[str]) -> np.ndarray:
    """Length of ``urllib.parse.quote_plus(value)`` for each string, without encoding any.

    Every UTF-8 byte becomes ``%XX`` (3 bytes) except ASCII letters, digits, ``_.-~`` and the
    space (``+``), which stay one byte: the texts are joined and encoded once, and the
    unreserved bytes counted per text with :meth:`bytes.translate` and numpy.

    Examples
    --------
    >>> urlencoded_length(["a b", "я:", "", "😀"]).tolist()
    [3, 9, 0, 12]
    """
    values = list(values)
    result = np.zeros(len(values), dtype=np.int64)
    for chunk in utf8_chunks(values):
        result[chunk.rows] = chunk_urlencoded_lengths(chunk)
    return result


def form_body(form: Mapping[str, str]) -> bytes:
    """``urllib.parse.urlencode(form)`` as bytes, byte for byte, with long values quoted in bulk.

    ``urlencode`` quotes one byte per Python call: about 1 ms for a 1,000-recipient ``list``.

    Examples
    --------
    >>> form_body({"mes": "Привет, 10% off!", "phones": "79161234567"})
    b'mes=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82%2C+10%25+off%21&phones=79161234567'
    """
    pairs = (f"{_quote_plus(name)}={_quote_plus(value)}" for name, value in form.items())
    return "&".join(pairs).encode("ascii")


def _quote_plus(text: str) -> str:
    """``urllib.parse.quote_plus(text)``; a long text is quoted with array operations."""
    if len(text) < _BULK_QUOTE_CHARS:
        return quote_plus(text)
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    kept = _KEPT_BYTES[data]
    width = np.where(kept, 1, 3)
    starts = np.cumsum(width) - width
    quoted = np.empty(int(starts[-1] + width[-1]), dtype=np.uint8)
    quoted[starts[kept]] = data[kept]
    quoted[starts[~kept, None] + np.arange(3)] = _PERCENT_ESCAPES[data[~kept]]
    return quoted.tobytes().decode("ascii").replace(" ", "+")


_BULK_QUOTE_CHARS = 256
#: :data:`UNRESERVED` as a lookup table by byte.
_KEPT_BYTES = np.zeros(256, dtype=bool)
_KEPT_BYTES[list(UNRESERVED)] = True
#: ``%XX`` of every byte, as three ASCII codes per row.
_PERCENT_ESCAPES = np.frombuffer(
    b"".join(b"%%%02X" % byte for byte in range(256)), dtype=np.uint8
).reshape(256, 3)

FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
"""The header that goes with a :func:`form_body`."""
