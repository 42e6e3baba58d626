"""Shared helpers of the landscape tests (tests/test_model.py, tests/test_landscape.py)."""

from __future__ import annotations

import numpy as np


def random_instance(rng, n):
    """Random sizes and a symmetric propensity matrix in [-1, 1] with a zero diagonal."""
    sizes = rng.random(n)
    p = rng.uniform(-1, 1, (n, n))
    p = (p + p.T) / 2
    np.fill_diagonal(p, 0)
    return sizes, p


def same_partition(a, b) -> bool:
    """Two 0/1 bloc vectors describe the same split (bloc labels may be swapped)."""
    a, b = np.asarray(a), np.asarray(b)
    return np.array_equal(a, b) or np.array_equal(a, 1 - b)
