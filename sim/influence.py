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

import numpy as np

from .schema import CHANNELS


def channel_scores(
    bandwidth_raw: np.ndarray,
    others: np.ndarray,
    half_saturation: np.ndarray,
    dependence_weight: float,
) -> np.ndarray:
    """Scores for all channels at once.

    bandwidth_raw: (C, P, R) relationship sizes (already scaled by GDP where money).
    others: (C, R) the same quantity with actors outside the model.
    half_saturation: (C,) the h_c of each channel.
    Returns (C, P, R) scores in [0, 1].
    """
    b = np.maximum(bandwidth_raw, 0.0)
    bandwidth = b / (b + half_saturation[:, None, None])
    total = b.sum(axis=1) + others  # (C, R)
    with np.errstate(invalid="ignore", divide="ignore"):
        dependence = np.where(total[:, None, :] > 0, b / total[:, None, :], 0.0)
    return (1.0 - dependence_weight) * bandwidth + dependence_weight * dependence


def total_influence(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(P, R) weighted sum over channels."""
    return np.tensordot(weights, scores, axes=1)


def softmax_rows(u: np.ndarray) -> np.ndarray:
    z = u - u.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def hedging_target(
    influence: np.ndarray,
    threat: np.ndarray,
    autonomy_cost: float,
    dominance_threshold: float,
    sensitivity: float,
    shocks: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Multi-vector hedging: the alignment each republic would move toward.

    utility(p, r) = I(p, r) - threat(p, r) - kappa * max(0, I(p, r) / sum_q I(q, r) - d0)
    target(r, .)  = softmax(sensitivity * utility(., r) + shocks)

    Returns (target (R, P), utility (P, R)).
    """
    col = influence.sum(axis=0, keepdims=True)
    share = np.divide(influence, col, out=np.zeros_like(influence), where=col > 0)
    utility = influence - threat - autonomy_cost * np.maximum(0.0, share - dominance_threshold)
    u = sensitivity * utility.T
    if shocks is not None:
        u = u + shocks
    return softmax_rows(u), utility


__all__ = ["CHANNELS", "channel_scores", "total_influence", "hedging_target", "softmax_rows"]
