"""Influence: how trade, money, migrants, energy, forums, security and favourability become
each power's influence over each republic (the channels).

ODD §7.7 of docs/model.md ("Influence channels"), step 9 of §3;
in the spirit of the Pardee Center's Formal Bilateral Influence Capacity index. For each
channel c, power p and republic r, the relationship size B_c(p,r) (:func:`fill_bandwidth`) is

    trade        trade[p,r] / GDP_r              O: row_trade_r / GDP_r (rest of the world)
    aid          aid[p,r] / GDP_r  (stock)       O: other_aid_r / GDP_r
    investment   investment[p,r] / GDP_r (stock) O: other_investment_r / GDP_r
    remittances  remit_share[p,r] (share of GDP) O: other_remit_share_r
    energy       energy[p,r] / GDP_r             O: row_energy_r / GDP_r
    political    political[p,r] (forum and summit ties, sim/forums.py, sim/events.py)
    security     security[p,r] (guarantees, bases, security forums, sim/forums.py)
    soft_power   favour[p,r] (sim/soft_power.py) O: 0

and (:func:`channel_scores`, :func:`total_influence`):

    bandwidth_c(p,r)  = B / (B + h_c)                      h_c = parameters.half_saturation.c
    dependence_c(p,r) = B / (Σ_q B_c(q,r) + O_c(r) + h_c)  (p's share of r's total, outsiders included;
                                                            h_c keeps a trickle from counting as dependence)
    score_c(p,r)      = (1 − d) · bandwidth_c + d · dependence_c          d = dependence_weight
    I(p,r)            = Σ_c w_c · score_c(p,r)                           w_c = parameters.weights.c

Money channels are measured against the republic's GDP, so that a US$1bn relationship means
more to Kyrgyzstan than to Kazakhstan. :func:`compute_influence` also works out the influence
shares and the hedging utility (sim/hedging.py), which every later step of the quarter reads.
The hedging functions are re-exported here, where they used to live.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .hedging import hedging_target, hedging_utility, influence_shares, softmax_rows
from .schema import CHANNELS

if TYPE_CHECKING:  # pragma: no cover
    from .model import GreatGameModel

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
    h = half_saturation.reshape(-1, 1, 1) if half_saturation.ndim == 1 else half_saturation
    total = np.add.reduce(b, axis=1)
    total += others  # (C, R)
    total += h[:, 0, :] if h.shape[1:] == b.shape[1:] else h[:, 0, :1]  # (C, R) or (C, 1)
    # score = b * ((1 - d) / (b + h) + d / (total + h)); total + h > 0 whenever h > 0.
    per_total = np.divide(d, np.maximum(total, _TINY, out=total), out=total)
    score = b + h
    np.divide(keep, score, out=score)
    spread = np.empty(score.shape)  # assigning then adding beats a broadcasting add at these sizes
    spread[...] = per_total[:, None, :]
    score += spread
    score *= b
    return score


def total_influence(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(P, R) weighted sum over channels."""
    return (weights @ scores.reshape(len(weights), -1)).reshape(scores.shape[1:])


# ---------------------------------------------------------------- the model's channels
def bandwidth_raw(m: "GreatGameModel") -> tuple[np.ndarray, np.ndarray]:
    """(C, P, R) relationship sizes and (C, R) the same with outsiders, channel by channel.

    Money channels are measured as a share of the republic's GDP."""
    b, o = m._fill_bandwidth()
    return b.copy(), o.copy()


def fill_bandwidth(m: "GreatGameModel") -> tuple[np.ndarray, np.ndarray]:
    """B and O (see the module docstring) written into the model's buffers, in CHANNELS order."""
    b, o = m._bandwidth, m._others
    per_gdp = m._grid  # 1 / GDP, spread over the powers: products of equal shapes are cheaper
    per_gdp[...] = m.gdp_r
    np.reciprocal(per_gdp, out=per_gdp)
    np.multiply(m.trade, per_gdp, out=b[0])
    np.multiply(m.aid, per_gdp, out=b[1])
    np.multiply(m.investment, per_gdp, out=b[2])
    b[3] = m.remit_share
    np.multiply(m.energy, per_gdp, out=b[4])
    b[5], b[6], b[7] = m.political, m.security, m.favour
    per_gdp = per_gdp[0]
    np.multiply(m.row_trade, per_gdp, out=o[0])
    np.multiply(m.other_aid, per_gdp, out=o[1])
    np.multiply(m.other_investment, per_gdp, out=o[2])
    np.multiply(m.row_energy, per_gdp, out=o[4])
    # o[3], o[5], o[6] (outsiders' remittances, political and security ties) are constant: set once.
    return b, o


def compute_influence(m: "GreatGameModel") -> None:
    """Channel scores, total influence, influence shares and hedging utility, from the state now."""
    c = m._const
    b, o = m._fill_bandwidth()
    m.scores = channel_scores(b, o, c.half_saturation, m.params.dependence_weight)
    m.influence = total_influence(m.scores, m.channel_weights)
    m.influence_share = influence_shares(m.influence)
    m.utility = hedging_utility(m.influence, m.threat, c.autonomy_cost, c.dominance, m.influence_share)


__all__ = ["CHANNELS", "channel_scores", "total_influence", "hedging_target", "hedging_utility", "softmax_rows",
           "influence_shares", "bandwidth_raw", "fill_bandwidth", "compute_influence"]
