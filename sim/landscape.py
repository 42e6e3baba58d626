"""Axelrod-Bennett landscape theory of aggregation, by exact enumeration.

Energy of a two-bloc split X:  E(X) = sum_{i<j} s_i s_j p_ij d_ij(X),
d_ij = 1 when i and j are in different blocs. With W = (s s^T) * P (zero
diagonal) and x the 0/1 bloc vector, E = x.W.1 - x.W.x, so all 2^(n-1)
splits (actor 0 fixed in bloc 0) are scored with two matrix products.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=16)
def all_splits(n: int) -> np.ndarray:
    """(2^(n-1), n) 0/1 matrix of every split, actor 0 always in bloc 0."""
    if n < 1:
        return np.zeros((1, 0))
    codes = np.arange(2 ** (n - 1), dtype=np.int64)
    bits = (codes[:, None] >> np.arange(n - 1)[None, :]) & 1
    return np.hstack([np.zeros((len(codes), 1), dtype=np.int64), bits]).astype(float)


def energies(sizes: np.ndarray, propensity: np.ndarray) -> np.ndarray:
    """Energy of every split, in the order of :func:`all_splits`."""
    n = len(sizes)
    w = np.outer(sizes, sizes) * propensity
    np.fill_diagonal(w, 0.0)
    w = 0.5 * (w + w.T)
    x = all_splits(n)
    return x @ w.sum(axis=1) - np.einsum("ki,ij,kj->k", x, w, x)


def minimum_energy_split(sizes: np.ndarray, propensity: np.ndarray) -> tuple[np.ndarray, float]:
    """The global minimum: (bloc of each actor as 0/1, its energy). Ties go to the first split."""
    e = energies(sizes, propensity)
    k = int(np.argmin(e))
    return all_splits(len(sizes))[k].astype(int), float(e[k])


def frustration(sizes: np.ndarray, propensity: np.ndarray, blocs: np.ndarray) -> np.ndarray:
    """Each actor's share of the energy: how much it would rather be elsewhere."""
    w = np.outer(sizes, sizes) * propensity
    np.fill_diagonal(w, 0.0)
    d = (blocs[:, None] != blocs[None, :]).astype(float)
    return (w * d).sum(axis=1)
