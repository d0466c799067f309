"""Sorting rows with bounded memory: runs on disk merged back give what sorting in memory gives."""

import random

import pytest

from dyad.store.runs import sorted_rows


@pytest.mark.parametrize("run_rows", [1, 7, 100, 1000])
def test_sorted_rows_is_a_stable_sort(run_rows):
    rng = random.Random(4)
    rows = [(f"r{rng.randrange(50):02d}", n, "x" * rng.randrange(5)) for n in range(300)]
    assert list(sorted_rows(iter(rows), run_rows=run_rows)) == sorted(rows, key=lambda r: r[0])


def test_sorted_rows_of_nothing():
    assert list(sorted_rows(iter([]))) == []
