"""Channel scores in the spirit of the Formal Bilateral Influence Capacity index.

For each channel c, power p and republic r:

    bandwidth_c(p, r)  = B / (B + h_c)              (size of the relationship, saturating)
    dependence_c(p, r) = B / (sum_q B_qr + O_r)     (p's share of r's total, others included)
    score_c(p, r)      = (1 - d) * bandwidth + d * dependence

B is measured relative to the republic's GDP for money channels, so that a
US$1bn relationship means more to Kyrgyzstan than to Kazakhstan. The total
influence is the weighted sum of channel scores.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .schema import CHANNELS

# 0-d arrays rather than Python floats as operands: the same results, without numpy
# converting the float on every call (most of the cost of an operation on arrays this small).
# The model passes its parameters in the same form.
_ZERO, _TINY = np.array(0.0), np.array(1e-300)
_ZERO.flags.writeable = _TINY.flags.writeable = False


@lru_cache(maxsize=64)
def _operands(*values: float) -> tuple[np.ndarray, ...]:
    """Read-only 0-d arrays of the given floats, cached (a parameter keeps its value run after run)."""
    out = tuple(np.array(v, dtype=float) for v in values)
    for a in out:
        a.flags.writeable = False
    return out


def channel_scores(
    bandwidth_raw: np.ndarray,
    others: np.ndarray,
    half_saturation: np.ndarray,
    dependence_weight: float,
) -> np.ndarray:
    """Scores for all channels at once.

    bandwidth_raw: (C, P, R) relationship sizes (already scaled by GDP where money).
    others: (C, R) the same quantity with actors outside the model.
    half_saturation: (C,) the h_c of each channel, or the same already spread to (C, P, R)
        (the model's form: operations between arrays of one shape are the cheaper ones).
    Returns (C, P, R) scores in [0, 1].
    """
    b = np.maximum(bandwidth_raw, _ZERO)
    d = float(dependence_weight)
    d, keep = _operands(d, 1.0 - d)
    total = np.add.reduce(b, axis=1)
    total += others  # (C, R)
    # score = b * ((1 - d) / (b + h) + d / total); where total is 0, so is b.
    per_total = np.divide(d, np.maximum(total, _TINY, out=total), out=total)
    score = b + (half_saturation.reshape(-1, 1, 1) if half_saturation.ndim == 1 else half_saturation)
    np.divide(keep, score, out=score)
    spread = np.empty(score.shape)  # assigning then adding beats a broadcasting add at these sizes
    spread[...] = per_total[:, None, :]
    score += spread
    score *= b
    return score


def total_influence(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(P, R) weighted sum over channels."""
    return (weights @ scores.reshape(len(weights), -1)).reshape(scores.shape[1:])


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


__all__ = ["CHANNELS", "channel_scores", "total_influence", "hedging_target", "hedging_utility", "softmax_rows"]
