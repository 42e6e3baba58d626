"""Axelrod-Bennett landscape theory of aggregation: two-bloc splits, their energy, the
global minimum, the local minimum reached by descent from a given split, and frustration.

Energy of a two-bloc split X:  E(X) = sum_{i<j} s_i s_j p_ij d_ij(X),
d_ij = 1 when i and j are in different blocs. With W = (s s^T) * P (zero
diagonal) and x the 0/1 bloc vector, E = x.W.1 - x.W.x.

Two methods, chosen by the number of actors n (:func:`best_split`):

* **exact** (n <= :data:`EXACT_MAX_ACTORS`, 16): all 2^(n-1) splits (actor 0 fixed in
  bloc 0) are scored with two matrix products; at 16 actors that is 32,768 splits and
  about 4 MB.
* **heuristic** (more actors): multi-start greedy descent. From :data:`HEURISTIC_STARTS`
  random splits drawn from the generator it is given (the model passes a stream of its own
  seed), plus "everyone in one bloc" and the sign split of W's leading eigenvector, each
  start flips, one actor at a time, the actor whose move lowers the energy most, until no
  single move lowers it (a local minimum; with spins s = +-1 the change of flipping i is
  s_i (W s)_i). The lowest of the local minima is returned. It finds the exact optimum on
  the small cases the tests compare (see tests/test_model.py); on large ones it is a
  good split, not a proven optimum. Memory is O(starts x n), time O(starts x n^2) per
  sweep of moves.

Ties between equal energies go to the first split (exact: in the order of
:func:`all_splits`; heuristic: in the order of the starts).

Path dependence (:func:`descend`): Axelrod and Bennett predict the *local* minimum the
actors reach from where they are, not the global one. From a given split, steepest descent
flips, one at a time, the actor whose move lowers the energy most (ΔE_i = s_i (W s)_i with
spins s = ±1), lowest index first among equal moves, until no single flip lowers E. It is
deterministic (no random draw) and costs one n × n product, then a column update a flip.

Frustration (:func:`frustration_share`): the share of the pairs' absolute weight that is
frustrated in a split, a pair of positive weight split apart or of negative weight kept
together:

    F(X) = (E(X) + Σ_{i<j} max(0, −w_ij)) / Σ_{i<j} |w_ij|        in [0, 1]

E(X) + Σ max(0, −w) is the frustrated weight (E counts a positive pair apart as +w and a
negative pair apart as −|w|); F is 0 only when some split satisfies every pair (a
structurally balanced W, and X that split) and 0 when W is all zeros.

Sizes by capability (:func:`capability_sizes`): a composite of economy and military,

    s_i = (1 − μ) · GDP_i / Σ_j GDP_j + μ · mil_i / Σ_j mil_j        μ = military weight

(GDP alone when no actor has a military figure); the sizes sum to 1.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

EXACT_MAX_ACTORS = 16
"""Largest number of actors split by exact enumeration; beyond it, the heuristic."""
HEURISTIC_STARTS = 64
"""Random starts of the greedy descent (two deterministic starts are added)."""


@lru_cache(maxsize=16)
def all_splits(n: int) -> np.ndarray:
    """(2^(n-1), n) 0/1 matrix of every split, actor 0 always in bloc 0 (read-only)."""
    if n < 1:
        return np.zeros((1, 0))
    if n > EXACT_MAX_ACTORS:
        raise ValueError(f"exact enumeration is limited to {EXACT_MAX_ACTORS} actors (2^{EXACT_MAX_ACTORS - 1} "
                         f"splits), got {n}; use best_split, which switches to the heuristic")
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


def _weights(sizes: np.ndarray, propensity: np.ndarray, symmetric: bool) -> np.ndarray:
    n = len(sizes)
    w = sizes[:, None] * sizes[None, :] * propensity
    w.flat[:: n + 1] = 0.0
    if not symmetric:
        w = 0.5 * (w + w.T)
    return w


def energies(sizes: np.ndarray, propensity: np.ndarray, symmetric: bool = False) -> np.ndarray:
    """Energy of every split, in the order of :func:`all_splits`.

    Only the symmetric part of the propensity matrix matters (each pair counts once);
    ``symmetric=True`` promises the matrix already is, and skips symmetrising it."""
    n = len(sizes)
    w = _weights(sizes, propensity, symmetric)
    # x.W.1 - x.W.x = sum_j (xW)_j (1 - x_j): the weight between the two blocs.
    across = (all_splits(n) @ w) * _other_side(n)
    return across @ np.ones(n)  # row sums; a matrix product is faster than a reduce along rows here


def minimum_energy_split(sizes: np.ndarray, propensity: np.ndarray, symmetric: bool = False) -> tuple[np.ndarray, float]:
    """The global minimum by exact enumeration: (bloc of each actor as 0/1, its energy).
    Ties go to the first split. At most :data:`EXACT_MAX_ACTORS` actors."""
    e = energies(sizes, propensity, symmetric)
    k = int(np.argmin(e))
    return all_splits(len(sizes))[k].astype(int), float(e[k])


def split_energy(sizes: np.ndarray, propensity: np.ndarray, blocs: np.ndarray, symmetric: bool = False) -> float:
    """E(X) of one split (the weight between the two blocs)."""
    w = _weights(sizes, propensity, symmetric)
    x = np.asarray(blocs, dtype=float)
    return float(x @ w @ (1.0 - x))


def greedy_split(sizes: np.ndarray, propensity: np.ndarray, rng: np.random.Generator,
                 starts: int = HEURISTIC_STARTS, symmetric: bool = False) -> tuple[np.ndarray, float]:
    """The heuristic: the best local minimum of multi-start greedy descent (see the module
    docstring). Returns (bloc of each actor as 0/1 with actor 0 in bloc 0, its energy)."""
    n = len(sizes)
    if n <= 1:
        return np.zeros(n, dtype=int), 0.0
    w = _weights(sizes, propensity, symmetric)
    spins = [np.ones(n)]
    try:
        _, vecs = np.linalg.eigh(w)
        lead = np.where(vecs[:, -1] >= 0, 1.0, -1.0)  # maximises s.W.s, i.e. minimises E, when relaxed
        spins.append(lead)
    except np.linalg.LinAlgError:  # pragma: no cover - a symmetric finite matrix always decomposes
        pass
    random = rng.integers(0, 2, size=(starts, n)) * 2.0 - 1.0
    s = np.vstack([np.array(spins), random])
    rows = np.arange(len(s))
    tol = 1e-12 * max(float(np.abs(w).sum()), 1e-300)
    for _ in range(10 * n * n):  # each move lowers the energy: this bound is never reached
        delta = s * (s @ w)  # change of energy when actor i alone moves
        i = np.argmin(delta, axis=1)
        moving = delta[rows, i] < -tol
        if not moving.any():
            break
        s[rows[moving], i[moving]] *= -1.0
    x = (s != s[:, :1]).astype(float)  # actor 0 in bloc 0
    e = np.einsum("ki,ij,kj->k", x, w, 1.0 - x)
    k = int(np.argmin(e))
    return x[k].astype(int), float(e[k])


def best_split(sizes: np.ndarray, propensity: np.ndarray, rng: np.random.Generator | None = None,
               symmetric: bool = False) -> tuple[np.ndarray, float, str]:
    """(blocs, energy, method): exact up to :data:`EXACT_MAX_ACTORS` actors ("exact"), the
    greedy heuristic beyond ("heuristic", drawing its starts from ``rng``)."""
    if len(sizes) <= EXACT_MAX_ACTORS:
        x, e = minimum_energy_split(sizes, propensity, symmetric)
        return x, e, "exact"
    if rng is None:
        raise ValueError(f"more than {EXACT_MAX_ACTORS} actors: the heuristic needs a random generator")
    x, e = greedy_split(sizes, propensity, rng, symmetric=symmetric)
    return x, e, "heuristic"


def frustration(sizes: np.ndarray, propensity: np.ndarray, blocs: np.ndarray) -> np.ndarray:
    """Each actor's share of the energy: how much it would rather be elsewhere."""
    w = np.outer(sizes, sizes) * propensity
    np.fill_diagonal(w, 0.0)
    d = (blocs[:, None] != blocs[None, :]).astype(float)
    return (w * d).sum(axis=1)


def capability_sizes(gdp: np.ndarray, military: np.ndarray, military_weight: float) -> np.ndarray:
    """Sizes by capability: (1 − μ) · GDP share + μ · military share, μ = ``military_weight``.

    Both shares are over all actors, so the sizes sum to 1. With no military figure at all
    (every ``military`` 0) the sizes are the GDP shares."""
    gdp = np.asarray(gdp, float)
    military = np.asarray(military, float)
    sizes = gdp / np.add.reduce(gdp)
    total = float(np.add.reduce(military))
    if total > 0.0 and military_weight > 0.0:
        sizes *= 1.0 - military_weight
        sizes += (military_weight / total) * military
    return sizes


def centred_propensity(utility: np.ndarray, sensitivity) -> np.ndarray:
    """(P, R) a republic's propensity toward each power, on the scale [−1, 1]:

        p(p, r) = tanh(β_r · (U(p, r) − Ū(r)) / 2),     Ū(r) = mean over powers of U(·, r)

    U is the hedging utility (influence less threat less the autonomy cost of dominance) and
    β_r the republic's choice sensitivity, so β_r (U − Ū) is the log-ratio of the hedging
    target's share of p to the geometric mean of the shares: p > 0 for a power the republic
    would give more than an even share, p < 0 for one it would give less, and a power it
    resents (a bordering threat, a dominant share) repels it."""
    u = np.asarray(utility, float)
    centred = u - np.add.reduce(u, axis=0) / u.shape[0]
    beta = np.asarray(sensitivity, float).reshape(-1)  # () or (R,): one per republic (column)
    return np.tanh(0.5 * beta * centred)


def descend(sizes: np.ndarray, propensity: np.ndarray, blocs: np.ndarray, tol: float | None = None,
            energy: bool = True) -> tuple[np.ndarray, float, int]:
    """Steepest single-flip descent from the split ``blocs`` (0/1 per actor) on the landscape
    of ``sizes`` and a symmetric ``propensity`` with a zero diagonal (:func:`descend_spins`).
    Returns (the local minimum's blocs with actor 0 in bloc 0, its energy (NaN when
    ``energy=False``), the number of flips). Never raises the energy; no single flip lowers
    the energy of the split it returns."""
    n = len(sizes)
    if n <= 1:
        return np.zeros(n, dtype=int), 0.0, 0
    spins = 1.0 - 2.0 * np.asarray(blocs, float)
    flips = descend_spins(sizes, propensity, spins, tol)
    x = (spins != spins[0]).astype(int)  # actor 0 in bloc 0: bloc labels are arbitrary
    return x, (spin_energy(sizes, propensity, spins) if energy else float("nan")), flips


def descend_spins(sizes: np.ndarray, propensity: np.ndarray, spins: np.ndarray, tol: float | None = None) -> int:
    """The descent on spins s = ±1 (bloc 0 is +1), in place; returns the number of flips.

    With z = sizes ∘ s, flipping actor i changes the energy by ΔE_i = s_i · size_i · (P z)_i
    (= s_i (W s)_i); the actor with the most negative ΔE_i moves (the lowest index among equal
    ones), until no ΔE_i is below −``tol`` (default 1e-12 of Σ|W|)."""
    n = len(spins)
    if tol is None:
        tol = 1e-12 * max(float(sizes @ np.abs(propensity) @ sizes), 1e-300)
    z = sizes * spins
    g = propensity @ z
    delta = z * g
    i = int(delta.argmin())
    flips = 0
    while delta[i] < -tol and flips < 10 * n * n:  # (NaN stops it too; every flip lowers E: the cap is never reached)
        g -= (2.0 * z[i]) * propensity[:, i]
        z[i] = -z[i]
        spins[i] = -spins[i]
        flips += 1
        np.multiply(z, g, out=delta)
        i = int(delta.argmin())
    return flips


def spin_energy(sizes: np.ndarray, propensity: np.ndarray, spins: np.ndarray) -> float:
    """E of the split with spins s: ¼ (Σ_ij w_ij − zᵀ P z), z = sizes ∘ s, w = sizes sizesᵀ ∘ P
    (P symmetric with a zero diagonal)."""
    z = sizes * spins
    return 0.25 * float(sizes @ (propensity @ sizes) - z @ (propensity @ z))


def frustration_share(sizes: np.ndarray, propensity: np.ndarray, blocs: np.ndarray,
                      energy: float | None = None) -> float:
    """F(X): the share of the pairs' absolute weight that is frustrated in the split (see the
    module docstring); 0 when every weight is 0. ``propensity`` symmetric with a zero diagonal;
    ``energy`` is E(X) if already at hand."""
    sizes = np.asarray(sizes, float)
    p = np.asarray(propensity, float)
    if energy is None:
        x = np.asarray(blocs, float)
        energy = float((sizes * x) @ p @ (sizes * (1.0 - x)))
    total = 0.5 * float(sizes @ (np.abs(p) @ sizes))
    if total <= 0.0:
        return 0.0
    negative = 0.5 * float(sizes @ (np.maximum(-p, 0.0) @ sizes))
    return min(1.0, max(0.0, (energy + negative) / total))
