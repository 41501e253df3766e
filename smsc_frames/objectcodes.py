"""``pd.factorize`` for object arrays whose rows share objects: identity first, values after.

The columns this package factorizes hold far fewer distinct *objects* than rows: a plan's rows
share one ``str`` per distinct text, and pandas' CSV parser gives the repeats of a value within
a chunk one shared object. :func:`factorize_objects` therefore codes the rows by the objects'
addresses (integers, read from the array's memory: no Python call per row) and looks at
values only once per distinct object. Same codes and uniques as ``pd.factorize``.

Why not ``pd.factorize`` (pandas 3.1.1): on the 1,000,000-row campaign of
``benchmarks/prepare.py``, the five calls ``prepare`` and ``payloads`` make take 344 ms here
against 727 ms with ``pd.factorize`` (2.1x), and the pipeline (prepare + payloads + request
bodies) 4.39 s against 4.86 s (``benchmarks/custom_code.py``, fastest of 5 interleaved rounds).

:func:`combine_codes` and :func:`first_positions` work on the integer codes once made: one
code per distinct tuple of code columns, and where each code first appears.

Examples
--------
>>> import numpy as np
>>> shared = "да"
>>> codes, uniques = factorize_objects(np.array([shared, None, shared, "нет"], dtype=object))
>>> codes.tolist(), uniques.tolist()
([0, -1, 0, 1], ['да', 'нет'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "combine_codes",
    "factorize_objects",
    "first_positions",
    "is_identical",
    "is_none",
    "object_addresses",
]


class _AddressView:
    """An object array's memory (its ``PyObject *`` slots) offered to ``np.asarray`` as
    integers; the array it reads is kept alive as the view's base."""

    def __init__(self, objects: np.ndarray) -> None:
        self.objects = objects
        self.__array_interface__ = {
            "version": 3,
            "shape": objects.shape,
            "strides": objects.strides,
            "typestr": np.dtype(np.intp).str,
            "data": (objects.__array_interface__["data"][0], True),  # read-only
        }


def object_addresses(objects: np.ndarray) -> np.ndarray:
    """The address of each element's object, equal exactly where the elements are the same
    object (``a is b``), as a read-only integer view: no Python call per element.

    A view, not a copy: it follows later writes to *objects*, and it means something only
    while the objects it points to are alive (held by *objects*, which the view keeps).

    Parameters
    ----------
    objects : numpy.ndarray
        Of dtype ``object``.

    Returns
    -------
    numpy.ndarray of intp

    Examples
    --------
    >>> word = "word"
    >>> addresses = object_addresses(np.array([word, "other", word], dtype=object))
    >>> bool(addresses[0] == addresses[2] == id(word)), bool(addresses[0] != addresses[1])
    (True, True)
    """
    if objects.dtype != object:
        raise TypeError(f"object_addresses needs an object array, not {objects.dtype}")
    return np.asarray(_AddressView(objects))


def _addresses_are_ids() -> bool:
    """Whether an object array holds its objects' addresses, as CPython's numpy does."""
    probe = object()
    return bool(object_addresses(np.array([probe, None], dtype=object))[0] == id(probe))


_BY_IDENTITY = _addresses_are_ids()  # else factorize_objects is plain pd.factorize


_NONE = np.array([None], dtype=object)


def _first_of_each_code(codes: np.ndarray) -> np.ndarray:
    """Where each code first appears, for codes numbered by first appearance from 0 (as
    ``pd.factorize`` numbers them, without missing values)."""
    return np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1))


def _sharing_a_hash(values: np.ndarray) -> np.ndarray:
    """Which values' hash equals another value's (only they can be equal to another)."""
    hashes = np.fromiter(map(hash, values), dtype=np.int64, count=len(values))
    ranked = np.sort(hashes)
    repeated = ranked[1:][ranked[1:] == ranked[:-1]]
    if not len(repeated):  # the usual case, told by a sort alone
        return np.zeros(len(values), dtype=bool)
    # the few repeated hashes looked up for every value: cheaper than sorting them again
    repeated = np.unique(repeated)
    found = np.minimum(np.searchsorted(repeated, hashes), len(repeated) - 1)
    return repeated[found] == hashes


def _factorize_distinct(objects: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and uniques of distinct objects (none missing) by value: each object its own
    code, but for the few whose hash is shared, which ``pd.factorize`` compares."""
    sharing = np.flatnonzero(_sharing_a_hash(objects))
    if len(sharing) == 0:
        return np.arange(len(objects)), objects
    codes = np.arange(len(objects))
    # a None appended: pandas then hashes the objects, not every text's UTF-8 bytes
    shared_codes = pd.factorize(np.append(objects[sharing], _NONE))[0][:-1]
    codes[sharing] = sharing[_first_of_each_code(shared_codes)][shared_codes]
    # each object now points at its first equal one, which points at itself: those firsts,
    # counted in order, number the values by first appearance (no hash table over them all)
    firsts = codes == np.arange(len(codes))
    return (np.cumsum(firsts) - 1)[codes], objects[firsts]


_ANY_MISSING = object()


def factorize_objects(
    values: np.ndarray, *, missing: object = _ANY_MISSING
) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of a 1-D object array of texts (missing ones coded ``-1``), reading each
    distinct object once.

    The rows are coded by object identity (:func:`object_addresses`); the distinct objects
    then get their codes by value: one ``hash`` each (``str`` caches it), and only objects
    whose hash is shared are compared. Codes count up by first appearance, as
    ``pd.factorize``'s do.

    Parameters
    ----------
    values : numpy.ndarray
        Of dtype ``object``: texts, ``None`` / ``NaN`` / ``pd.NA`` for missing ones. Other
        values whose equality agrees with their ``hash`` (numbers, bytes) are coded as pandas
        codes them too; a container holding NaN is not (two ``(1, nan)`` tuples differ here,
        not for pandas). An array of another dtype is handed to ``pd.factorize``.
    missing : object, optional
        The one missing value *values* can hold, when known (a string column's
        ``dtype.na_value``, ``pd.NA``): found by identity, not ``pd.isna`` per object;
        every other value must then be a ``str``.

    Returns
    -------
    codes : numpy.ndarray of intp
    uniques : numpy.ndarray of object
        The distinct values, in order of first appearance.

    Examples
    --------
    >>> hi = "hi"
    >>> codes, uniques = factorize_objects(np.array([hi, "".join(["h", "i"]), None, hi]))
    >>> codes.tolist(), uniques.tolist()
    ([0, 0, -1, 0], ['hi'])
    """
    values = np.asarray(values)
    if values.dtype != object or not _BY_IDENTITY:
        return pd.factorize(values)
    row_objects, _ = pd.factorize(object_addresses(values))
    objects = values[_first_of_each_code(row_objects)]
    if missing is _ANY_MISSING:
        absent = pd.isna(objects)
    else:
        absent = is_identical(objects, missing)
    if absent.any():  # (each pass over the objects counts: they are scattered in memory)
        present = np.flatnonzero(~absent)
        object_codes = np.full(len(objects), -1, dtype=np.intp)
        object_codes[present], uniques = _factorize_distinct(objects[present])
    else:
        object_codes, uniques = _factorize_distinct(objects)
    return object_codes[row_objects], uniques


def is_none(values: np.ndarray) -> np.ndarray:
    """Which elements of an object array are ``None``, by identity (no Python call per
    element): for arrays holding ``None`` or texts, as problem columns do.

    Examples
    --------
    >>> is_none(np.array([None, "x", float("nan")], dtype=object)).tolist()
    [True, False, False]
    """
    return is_identical(values, None)


def is_identical(values: np.ndarray, target: object) -> np.ndarray:
    """Which elements of an object array are *target* itself (``is``, not ``==``), by
    address: a string column's missing values are its ``na_value``, ``pd.NA``.

    Examples
    --------
    >>> is_identical(np.array([pd.NA, "x", None], dtype=object), pd.NA).tolist()
    [True, False, False]
    """
    if _BY_IDENTITY:
        return object_addresses(values) == id(target)
    return np.fromiter((value is target for value in values), dtype=bool, count=len(values))


def combine_codes(codes: list[np.ndarray], rows: int) -> np.ndarray:
    """One code per distinct tuple of the given code columns (each ``>= 0``), counting up
    from 0: mixed-radix integers, factorized once (and before they could overflow), or,
    when they span a small range, ranked through a table of the values present.

    Examples
    --------
    >>> combine_codes([np.array([7, 7, 10**17]), np.array([5, 5, 2**40])], 3).tolist()
    [0, 0, 1]
    """
    combined = np.zeros(rows, dtype=np.int64)
    size = 1
    for column in codes:
        width = int(column.max(initial=0)) + 1
        if size * width >= 1 << 62:
            combined, distinct = pd.factorize(combined)
            size = len(distinct)
        if size * width >= 1 << 62:  # a column of big keys: its codes instead
            column, distinct = pd.factorize(column)
            width = len(distinct)
        combined = combined * width + column
        size *= width
    if size <= 4 * rows + 1024:
        present = np.zeros(size, dtype=bool)
        present[combined] = True
        return (np.cumsum(present) - 1)[combined]
    return pd.factorize(combined)[0]


def first_positions(codes: np.ndarray, distinct: int) -> np.ndarray:
    """Where each of the codes ``0..distinct-1`` first appears in *codes* (``-1`` ignored).

    Examples
    --------
    >>> first_positions(np.array([1, -1, 0, 1, 0]), 2).tolist()
    [2, 0]
    """
    present = np.flatnonzero(codes >= 0)
    first = np.full(distinct, len(codes), dtype=np.int64)
    np.minimum.at(first, codes[present], present)
    return first
