"""stable_argsort: numpy's stable order, by 16-bit radix passes."""

from __future__ import annotations

import numpy as np
import pytest

from smsc_frames.sorting import stable_argsort


@pytest.mark.parametrize("high", [1, 300, 70_000, 2**40, 2**62])
def test_stable_argsort_matches_numpys_stable_sort(high):
    keys = np.random.default_rng(high % 1000).integers(-3, high, 20_000)
    assert stable_argsort(keys).tolist() == np.argsort(keys, kind="stable").tolist()


def test_stable_argsort_of_nothing_and_of_unsigned_keys():
    assert stable_argsort(np.zeros(0, dtype=np.int64)).tolist() == []
    keys = np.array([3, 1, 3, 0], dtype=np.uint32)
    assert stable_argsort(keys).tolist() == [3, 1, 0, 2]
