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
    """(2^(n-1), n) 0/1 matrix of every split, actor 0 always in bloc 0 (read-only)."""
    if n < 1:
        return np.zeros((1, 0))
    codes = np.arange(2 ** (n - 1), dtype=np.int64)
    bits = (codes[:, None] >> np.arange(n - 1)[None, :]) & 1
    x = np.hstack([np.zeros((len(codes), 1), dtype=np.int64), bits]).astype(float)
    x.flags.writeable = False
    return x


@lru_cache(maxsize=16)
def _other_side(n: int) -> np.ndarray:
    y = 1.0 - all_splits(n)
    y.flags.writeable = False
    return y


def energies(sizes: np.ndarray, propensity: np.ndarray, symmetric: bool = False) -> np.ndarray:
    """Energy of every split, in the order of :func:`all_splits`.

    Only the symmetric part of the propensity matrix matters (each pair counts once);
    ``symmetric=True`` promises the matrix already is, and skips symmetrising it."""
    n = len(sizes)
    w = sizes[:, None] * sizes[None, :] * propensity
    w.flat[:: n + 1] = 0.0
    if not symmetric:
        w = 0.5 * (w + w.T)
    # x.W.1 - x.W.x = sum_j (xW)_j (1 - x_j): the weight between the two blocs.
    across = (all_splits(n) @ w) * _other_side(n)
    return across @ np.ones(n)  # row sums; a matrix product is faster than a reduce along rows here


def minimum_energy_split(sizes: np.ndarray, propensity: np.ndarray, symmetric: bool = False) -> tuple[np.ndarray, float]:
    """The global minimum: (bloc of each actor as 0/1, its energy). Ties go to the first split."""
    e = energies(sizes, propensity, symmetric)
    k = int(np.argmin(e))
    return all_splits(len(sizes))[k].astype(int), float(e[k])


def frustration(sizes: np.ndarray, propensity: np.ndarray, blocs: np.ndarray) -> np.ndarray:
    """Each actor's share of the energy: how much it would rather be elsewhere."""
    w = np.outer(sizes, sizes) * propensity
    np.fill_diagonal(w, 0.0)
    d = (blocs[:, None] != blocs[None, :]).astype(float)
    return (w * d).sum(axis=1)
