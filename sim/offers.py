"""Money: pledges, the powers' offers, and the republics' acceptance (ODD §7.1 of docs/model.md,
"Powers' offers and the republics' acceptance"; steps 1–5 of §3).

Pledged money (dated ``pledge`` events, :func:`disburse_pledges`) is delivered in full and
uses a republic's absorptive capacity first:

    capacity_left_r = absorptive_capacity · GDP_r / 4 − this quarter's pledged disbursements   (floored at 0)

Offers (:func:`prepare_offers`, :func:`powers_plan_offers`), for all powers at once:

    gain(p,r)     = 100 · max(0, Σ_{q rival of p} (alignment[r,q](now) − alignment[r,q](a year earlier)))
    base(p,r)     = 1 (equal) | GDP_r (gdp) | gas_r + oil_r + uranium_r (resources) | explicit weights
    weight(p,r)   = base(p,r) · (1 + reactivity_p · gain(p,r)), normalised over r
    multiplier(p) = min(1 + escalation_p · mean_r gain(p,r), 1 + max_escalation_p)
    offer(p,r,k)  = weight(p,r) · budget(p,k) · multiplier(p) / 4        k ∈ {grants, loans, investment}

Acceptance (:func:`acceptance_probabilities`): one uniform u(p,r,k) per possible offer, made
or not, from the ``offers`` stream:

    debt_ratio_r = external_debt_r + Σ_q debt[q,r] / GDP_r
    logit(p,r,k) = acceptance_base + acceptance_alignment · (P · alignment[r,p] − 1)
                   − acceptance_conditionality · conditionality_p
                   − [k = loans] · acceptance_debt · max(0, debt_ratio_r − debt_threshold)
    accepted     = u(p,r,k) < 1 / (1 + exp(−logit(p,r,k)))

Taking offers (:func:`republics_take_offers`): each power puts its offers on the table in a
shuffled turn order (``PowerAgent.make_offers``); each republic takes what it accepted, power
by power and instrument by instrument, until ``capacity_left_r`` runs out:

    taken = min(offer, capacity left before it)     (0 if not accepted)

What is taken goes to ``flows[k,p,r]`` (the economy, soft power and influence read it) and to
the power's ``disbursed``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .model import GreatGameModel

GRANTS, LOANS, INVESTMENT = range(3)  # the instruments, in the order of schema.INSTRUMENTS

# 0-d arrays rather than Python floats as operands: same results, without numpy converting
# the float on every call (see sim.build.bind_step_constants).
_ZERO, _ONE, _TINY, _HUNDRED = np.array(0.0), np.array(1.0), np.array(1e-300), np.array(100.0)
for _a in (_ZERO, _ONE, _TINY, _HUNDRED):
    _a.flags.writeable = False


def disburse_pledges(m: "GreatGameModel") -> None:
    """Every running pledge adds its quarterly amount to this quarter's flows, in full, and
    uses up the republic's capacity first (neither drawn against acceptance nor capped)."""
    keep = []
    for d in m._disbursements:
        k, p, r, amount, left = d
        m.flows[k, p, r] += amount
        m.capacity_left[r] = max(0.0, m.capacity_left[r] - amount)
        m.power_agents[p].disbursed += amount
        d[4] = left - 1
        if d[4] > 0:
            keep.append(d)
    m._disbursements = keep


def prepare_offers(m: "GreatGameModel") -> None:
    """What every power's offers need this quarter, for all powers at once: the rivals'
    gains over the past year and one acceptance draw per (power, republic, instrument),
    made whether or not the offer is made, so the draws never depend on budgets."""
    change = m.alignment - m._alignment_log[0]  # (R, P), over the past year
    gain = change @ m._rival_mask_t
    np.maximum(gain, _ZERO, out=gain)
    gain *= _HUNDRED
    m.rival_gain = gain
    powers_plan_offers(m)
    probs = acceptance_probabilities(m)
    m.accepts = m._offer_stream.random(probs.shape) < probs
    m.offer_order = []


def allocation_bases(model: "GreatGameModel") -> tuple[np.ndarray, np.ndarray]:
    """The strategies' allocation rules as arrays: (fixed weights (P, R), GDP flag (P,)).

    'equal', 'resources' and explicit weights are fixed over a run; 'gdp' follows the
    republics' GDP each quarter."""
    fixed = np.zeros((model.n_powers, model.n_republics))
    by_gdp = np.zeros(model.n_powers)
    for i, key in enumerate(model.power_ids):
        alloc = model.spec.powers[key].strategy.allocation
        if alloc == "gdp":
            by_gdp[i] = 1.0
        elif alloc == "equal":
            fixed[i] = 1.0
        elif alloc == "resources":
            fixed[i] = model.resources.sum(axis=1)
        else:
            fixed[i] = [alloc.get(r, 0.0) for r in model.republic_ids]
    return fixed, by_gdp


def powers_plan_offers(model: "GreatGameModel") -> None:
    """Every power's offers this quarter, by its strategy (written once for all powers).

    weights(p, r)  = base(p, r) * (1 + reactivity_p * gain(p, r)), normalised over r
    multiplier(p)  = min(1 + escalation_p * mean_r gain(p, r), 1 + max_escalation_p)
    offer(p, r, k) = weights(p, r) * budget(p, k) * multiplier(p) / 4

    base is the allocation rule (equal, GDP, resources or explicit weights); gain(p, r) is
    the percentage points p's rivals gained in r over the past year (``model.rival_gain``).
    """
    # Arrays of different shapes are first spread to a common one by assignment (cheap);
    # operations between arrays of one shape cost a third of broadcasting ones at these sizes.
    s = model.strategy_arrays
    gain = model.rival_gain.T  # (P, R)
    w = np.empty(gain.shape)
    w[...] = model.gdp_r
    w *= s["by_gdp_grid"]
    w += s["fixed"]
    spread = gain.copy()
    if s["reactive"]:
        spread *= s["reactivity_grid"]
        spread += _ONE
        w *= spread
    total = np.add.reduce(w, axis=1)
    spread[...] = np.maximum(total, _TINY, out=total)[:, None]
    w /= spread  # no weight anywhere: no offers
    if s["escalating"]:
        mean_gain = np.add.reduce(gain, axis=1) / model.n_republics
        mult = np.minimum(1.0 + s["escalation"] * mean_gain, s["cap"])
        per_quarter = model.budget * (mult / 4.0)[:, None]
        model.budget_multiplier = mult.tolist()
    else:  # the multiplier is 1: its quarter and list are constant
        per_quarter = model.budget * s["quarter"]
        model.budget_multiplier = list(s["ones_list"])
    offers = model.offers  # offers[p, r, k] = w[p, r] * per_quarter[p, k]
    offers[...] = w[:, :, None]
    budgets = np.empty(offers.shape)
    budgets[...] = per_quarter[:, None, :]
    offers *= budgets
    model.allocation = w
    model.offered = np.add.reduce(offers, axis=(1, 2)).tolist()


def acceptance_probabilities(model: "GreatGameModel") -> np.ndarray:
    """(P, R, instruments) probability that republic r accepts an offer from power p.

    logit = base + a_align * (share * n_powers - 1) - a_cond * conditionality(p)
            - a_debt * max(0, debt/GDP - threshold)   [loans only]

    The parameters and the offset (all but the share and debt terms) are those bound when
    the model was built (``GreatGameModel._bind_step_constants``).
    """
    c = model._const
    # Worked out as -logit throughout (negation is exact): -logit = -a_align * n_powers * share - offset(p),
    # on arrays spread to (P, R, instruments) by assignment (see powers_plan_offers).
    neg = np.empty(c.neg_offset.shape)
    neg[...] = model.alignment.T[:, :, None]
    neg *= c.neg_slope
    neg += c.neg_offset
    debt_ratio = np.add.reduce(model.debt, axis=0)
    debt_ratio /= model.gdp_r
    debt_ratio += model.external_debt
    penalty = np.subtract(debt_ratio, c.debt_threshold, out=debt_ratio)
    np.maximum(penalty, _ZERO, out=penalty)
    penalty *= c.acceptance_debt
    loans_only = c.debt_penalty  # zero but in the loans column
    loans_only[:, :, 1] = penalty
    neg += loans_only
    np.exp(neg, out=neg)
    neg += _ONE
    return np.reciprocal(neg, out=neg)


def republics_take_offers(model: "GreatGameModel") -> None:
    """Every republic answers the quarter's offers, in the order they were made.

    Each republic's rule, written once for all of them: an offer it accepted (the draw
    against :func:`acceptance_probabilities`, ``model.accepts``) is taken, power by power
    in ``model.offer_order`` and instrument by instrument (grants, loans, investment),
    until what it can still absorb this quarter (``capacity_left``) runs out; the rest is
    lost.
    """
    order = model.offer_order
    if not order:
        return
    accepted = model.offers * model.accepts  # (P, R, instruments)
    wanted = np.add.reduce(accepted, axis=(0, 2))
    if len(order) == model.n_powers and np.logical_and.reduce(wanted <= model.capacity_left):
        # Every power offered and no republic runs out of room: the order does not matter.
        model.capacity_left -= wanted
        model.flows += accepted.transpose(2, 0, 1)
        for p, amount in zip(range(model.n_powers), np.add.reduce(accepted, axis=(1, 2)).tolist()):
            model.power_agents[p].disbursed += amount
        return
    offered = accepted[order]  # in the order offers came
    K, R, n = offered.shape
    flat = offered.transpose(1, 0, 2).reshape(R, K * n)  # per republic
    before = np.add.accumulate(flat, axis=1)
    before -= flat
    np.subtract(model.capacity_left[:, None], before, out=before)  # room left before each offer
    taken = np.minimum(np.maximum(before, 0.0, out=before), flat, out=before)
    model.capacity_left -= np.add.reduce(taken, axis=1)
    taken = taken.reshape(R, K, n).transpose(2, 1, 0)  # (instruments, K, R)
    model.flows[:, order, :] += taken
    for p, amount in zip(order, np.add.reduce(taken, axis=(0, 2)).tolist()):
        model.power_agents[p].disbursed += amount
