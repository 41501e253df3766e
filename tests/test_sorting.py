"""stable_argsort: numpy's stable order, by a packed value sort or 16-bit radix passes."""

from __future__ import annotations

import numpy as np
import pytest

from smsc_frames.sorting import stable_argsort


@pytest.mark.parametrize("high", [1, 300, 70_000, 2**40, 2**46, 2**47, 2**62])
def test_stable_argsort_matches_numpys_stable_sort(high):
    keys = np.random.default_rng(high % 1000).integers(-3, high, 20_000)
    assert stable_argsort(keys).tolist() == np.argsort(keys, kind="stable").tolist()


def test_stable_argsort_of_nothing_and_of_unsigned_keys():
    assert stable_argsort(np.zeros(0, dtype=np.int64)).tolist() == []
    keys = np.array([3, 1, 3, 0], dtype=np.uint32)
    assert stable_argsort(keys).tolist() == [3, 1, 0, 2]


@pytest.mark.parametrize("rows", [1, 2, 3, 1000, 1025])
def test_packed_and_radix_ways_agree_at_the_edge_of_packing(rows):
    bits = 63 - max(1, (rows - 1).bit_length())  # offsets below 2**bits are packed
    rng = np.random.default_rng(rows)
    for span in (2**bits - 1, 2**bits):  # the widest packed span, the narrowest radix one
        keys = rng.integers(0, span, rows, endpoint=True) - 2**40
        keys[0], keys[-1] = -(2**40), span - 2**40
        expected = np.argsort(keys, kind="stable").tolist()
        assert stable_argsort(keys).tolist() == expected


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint64])
def test_narrow_and_unsigned_keys_spanning_their_whole_range(dtype):
    info = np.iinfo(dtype)
    keys = np.array([0, info.max, info.min, info.max, 1, info.min], dtype=dtype)
    assert stable_argsort(keys).tolist() == np.argsort(keys, kind="stable").tolist()
