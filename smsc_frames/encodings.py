"""Which encoding a contact CSV is in, from its bytes: UTF-8, UTF-16, cp1251, KOI8-R, cp866.

* a BOM decides (UTF-8, UTF-16 LE/BE);
* UTF-16 without a BOM shows as a column of zero (Latin) or 0x04 (Cyrillic) bytes at every
  second position;
* bytes that decode as UTF-8 are UTF-8 (other texts almost never do);
* otherwise the three Russian single-byte encodings are told apart by how Russian the letters
  their readings give look: each byte above 0x7F is scored by the frequency of the letter it
  reads as (lower case as in running text, capitals rarer, anything but a letter or common
  punctuation very rare), from one histogram of the bytes.

When no reading is clearly the best (too few letters, or a text in another language), the
file is refused with the candidates' readings of its first non-ASCII line, and the advice to
pass the encoding: nothing is guessed silently.

Examples
--------
>>> detect_encoding("Имя;Телефон\\nАнна;+79161234567\\n".encode("koi8-r"))
'koi8-r'
>>> detect_encoding("Имя;Телефон\\nАнна;+79161234567\\n".encode("utf-16-le"))
'utf-16-le'
"""

from __future__ import annotations

import codecs
import functools
import math

import numpy as np

from smsc_frames.errors import ValidationError

__all__ = ["CANDIDATES", "detect_encoding"]

CANDIDATES = ("utf-8", "utf-16", "cp1251", "koi8-r", "cp866")
"""The encodings recognised without ``encoding=``."""

_SINGLE_BYTE = ("cp1251", "koi8-r", "cp866")
_FREQUENCIES = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47, "р": 4.73,
    "в": 4.54, "л": 4.40, "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81, "у": 2.62, "я": 2.01,
    "ы": 1.90, "ь": 1.74, "г": 1.70, "з": 1.65, "б": 1.59, "ч": 1.44, "й": 1.21, "х": 0.97,
    "ж": 0.94, "ш": 0.73, "ю": 0.64, "ц": 0.48, "щ": 0.36, "э": 0.32, "ф": 0.26, "ъ": 0.04,
    "ё": 0.04, "і": 0.5, "ї": 0.1, "є": 0.1, "ў": 0.05,
}  # fmt: skip
_PUNCTUATION = "«»—–№„“”‘’…\u00a0•₽€°"
_CASE_BREAK = math.log(0.01)  # a lower case letter followed by a capital
_OTHER = 1e-6
_MARGIN = 0.7  # nats per byte the best reading must win by
_FLOOR = math.log(0.004)  # the best reading's mean score: mostly letters
_LATIN_NEIGHBOURS = 0.2  # more high bytes than this touching a Latin letter: not Russian
UTF16_SAMPLE = 4096
UTF8_SAMPLE = 1 << 20
"""Bytes :func:`detect_encoding` decodes as UTF-8 when told the caller checks the rest."""


def _beside_latin_letters(codes: np.ndarray) -> int:
    """How many bytes above 0x7F touch an ASCII letter (``Cafй``: Latin-1 read as Cyrillic)."""
    letter = ((codes | 0x20) >= ord("a")) & ((codes | 0x20) <= ord("z"))
    beside = np.zeros(len(codes), dtype=bool)
    beside[1:] |= letter[:-1]
    beside[:-1] |= letter[1:]
    return int(np.count_nonzero(beside & (codes > 127)))


@functools.cache
def _reading(encoding: str) -> list[str]:
    return [bytes([byte]).decode(encoding, errors="replace") for byte in range(256)]


@functools.cache
def _scores(encoding: str) -> np.ndarray:
    """Per byte value, the log-probability of the letter *encoding* reads it as, whatever its
    case (0 below 0x80)."""
    table = np.zeros(256)
    for byte, char in enumerate(_reading(encoding)[128:], start=128):
        lower = char.lower()
        if lower in _FREQUENCIES:
            weight = _FREQUENCIES[lower] / 100
        elif char in _PUNCTUATION:
            weight = 0.002
        else:
            weight = _OTHER
        table[byte] = math.log(weight)
    return table


@functools.cache
def _case_breaks(encoding: str) -> np.ndarray:
    """Per pair of bytes (``256 * first + second``): a lower case letter, then a capital.

    Russian words are ``Анна`` or ``АННА``, hardly ever ``аННА``, which is how a text reads
    in the encoding with the cases swapped (cp1251 <-> KOI8-R).
    """
    reading = _reading(encoding)
    lower = np.array([char.islower() for char in reading])
    upper = np.array([char.isupper() for char in reading])
    return np.outer(lower, upper).ravel()


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[: UTF16_SAMPLE - UTF16_SAMPLE % 2]
    if len(sample) < 4 or len(data) % 2:
        return None
    for encoding, high in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        typical = high.count(0) + high.count(4)
        if typical >= 0.9 * len(high):
            try:
                data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


def _is_utf8(data: bytes, whole: bool) -> bool:
    """Whether *data* decodes as UTF-8; only its first :data:`UTF8_SAMPLE` bytes unless
    *whole* (*data* is then the start of a file: a character cut at the end is let through)."""
    try:
        if whole:
            data.decode("utf-8")
        else:
            codecs.getincrementaldecoder("utf-8")().decode(data[:UTF8_SAMPLE])
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: bytes, *, whole: bool = True) -> str:
    """The encoding of a CSV's bytes, among :data:`CANDIDATES`; refuses to guess.

    Returns a Python codec name: ``"utf-8-sig"``, ``"utf-8"``, ``"utf-16"`` (with a BOM),
    ``"utf-16-le"``/``"utf-16-be"``, ``"cp1251"``, ``"koi8-r"`` or ``"cp866"``.

    With ``whole=False`` *data* is the start of a longer file, and ``"utf-8"`` is answered from
    its first :data:`UTF8_SAMPLE` bytes, a character cut at their end let through (decoding a
    whole file once more cost 0.3-2 s per 250 MB): the caller decodes the rest strictly anyway.

    Raises
    ------
    ValidationError
        When the bytes are not confidently one of the candidates.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16
    if _is_utf8(data, whole):
        return "utf-8"
    codes = np.frombuffer(data, dtype=np.uint8)
    counts = np.bincount(codes, minlength=256)
    high = max(int(counts[128:].sum()), 1)
    both_high = (codes[:-1] > 127) & (codes[1:] > 127)
    pairs = np.bincount(
        codes[:-1][both_high].astype(np.int64) * 256 + codes[1:][both_high], minlength=65536
    )
    means = {
        encoding: (
            float(counts @ _scores(encoding)) + _CASE_BREAK * float(pairs @ _case_breaks(encoding))
        )
        / high
        for encoding in _SINGLE_BYTE
    }
    ranked = sorted(means, key=means.__getitem__, reverse=True)
    best, second = ranked[0], ranked[1]
    confident = means[best] >= _FLOOR and means[best] - means[second] >= _MARGIN
    if confident and _beside_latin_letters(codes) <= _LATIN_NEIGHBOURS * high:
        return best
    raise ValidationError(
        "encoding",
        "cannot tell the file's encoding: it is not UTF-8 or UTF-16, and none of "
        f"{', '.join(_SINGLE_BYTE)} reads it as clearly Russian text "
        f"({_readings(data)}); pass it, as encoding= (--encoding), e.g. 'cp1251'",
    )


def _readings(data: bytes) -> str:
    """How each single-byte candidate reads the first line that is not plain ASCII."""
    line = next((line for line in data.splitlines() if max(line, default=0) > 127), b"")[:60]
    return "; ".join(
        f"{encoding}: {line.decode(encoding, errors='replace')!r}" for encoding in _SINGLE_BYTE
    )
