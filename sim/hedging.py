"""Hedging: what each power is worth to a republic, the target it moves toward, and its
inertial alignment.

ODD §7.8 of docs/model.md ("Hedging"), steps 9–11 of
§3; the influence I(p,r) it starts from is sim/influence.py's. For power p, republic r:

    share(p,r)  = I(p,r) / Σ_q I(q,r)                                  (influence_shares)
    threat(p,r) = threat_weight · borders[p,r] · military_p            (constant; sim/build.py)
    U(p,r)      = I(p,r) − threat(p,r) − autonomy_cost · max(0, share(p,r) − dominance_threshold)
    target(r,·) = softmax(β · (U(·,r) + ε_r·)),   ε ~ N(0, alignment_noise²), β = choice_sensitivity
    alignment(r,·) ← (1 − λ) · alignment(r,·) + λ · target(r,·)        λ = adjustment_rate

ε is in utility units, drawn for all republics at once (R × P) from the ``hedging`` stream
(:func:`draw_targets`). All republics move at once (:func:`update_alignment`); as a mix of two
distributions, alignment stays non-negative and sums to 1. The same alignment drives aid
acceptance (sim/offers.py), the rivals' gains powers react to, and the forum review
(sim/forums.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .model import GreatGameModel

# 0-d arrays rather than Python floats as operands: the same results, without numpy
# converting the float on every call (most of the cost of an operation on arrays this small).
_ZERO, _TINY = np.array(0.0), np.array(1e-300)
_ZERO.flags.writeable = _TINY.flags.writeable = False


def softmax_rows(u: np.ndarray, overwrite: bool = False) -> np.ndarray:
    """Softmax of each row (last axis) of u; ``overwrite=True`` lets it use u as scratch."""
    spread = np.empty(u.shape)  # assigning then operating beats broadcasting at the model's sizes
    spread[...] = np.maximum.reduce(u, axis=-1, keepdims=True)
    e = np.subtract(u, spread, out=u if overwrite else None)
    np.exp(e, out=e)
    spread[...] = np.add.reduce(e, axis=-1, keepdims=True)
    return np.divide(e, spread, out=spread)


def influence_shares(influence: np.ndarray) -> np.ndarray:
    """(P, R) each power's share of the republic's total influence (0 where there is none)."""
    spread = np.empty(influence.shape)  # assigning then dividing beats a broadcasting divide at these sizes
    spread[...] = np.add.reduce(influence, axis=0)
    return np.divide(influence, np.maximum(spread, _TINY, out=spread), out=spread)


def hedging_utility(
    influence: np.ndarray,
    threat: np.ndarray,
    autonomy_cost: float,
    dominance_threshold: float,
    share: np.ndarray | None = None,
) -> np.ndarray:
    """(P, R) what each power is worth to each republic, hedging included:

    utility(p, r) = I(p, r) - threat(p, r) - kappa * max(0, I(p, r) / sum_q I(q, r) - d0)

    ``share`` is :func:`influence_shares` of ``influence``, if already at hand.
    """
    share = influence_shares(influence) if share is None else share
    excess = np.subtract(share, dominance_threshold)
    np.maximum(excess, _ZERO, out=excess)
    excess *= autonomy_cost
    out = influence - threat
    out -= excess
    return out


def hedging_target(
    influence: np.ndarray,
    threat: np.ndarray,
    autonomy_cost: float,
    dominance_threshold: float,
    sensitivity: float,
    noise: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Multi-vector hedging: the alignment each republic would move toward.

    target(r, .) = softmax(sensitivity * (utility(., r) + noise(r, .)))

    noise is in utility units ((R, P), the model draws it with sd ``alignment_noise``).
    Returns (target (R, P), utility (P, R)).
    """
    utility = hedging_utility(influence, threat, autonomy_cost, dominance_threshold)
    u = utility.T if noise is None else utility.T + noise
    return softmax_rows(sensitivity * u), utility


def draw_targets(m: "GreatGameModel") -> None:
    """The hedging target of every republic: softmax(beta * (utility + noise))."""
    c = m._const
    u = m._hedging_stream.standard_normal((m.n_republics, m.n_powers))
    u *= c.noise
    u += m.utility.T
    u *= c.beta
    m.target = softmax_rows(u, overwrite=True)


def update_alignment(m: "GreatGameModel") -> None:
    """Every republic moves ``adjustment_rate`` of the way toward its target (inertia).
    A mix of two distributions, so shares stay non-negative and sum to 1."""
    c = m._const
    m.alignment *= c.inertia
    m.alignment += m.target * c.adjust


__all__ = ["softmax_rows", "influence_shares", "hedging_utility", "hedging_target", "draw_targets", "update_alignment"]
