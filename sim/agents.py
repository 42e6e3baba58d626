"""The actors: great powers that make offers, republics that hedge.

Agents hold their identity and decisions; the numbers they act on live in the
model's arrays (indexed by ``agent.index``) so a step stays vectorised. Where a
rule is the same for every republic (taking offers), it is written once over all
republics, as a module-level function, rather than looped in Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

if TYPE_CHECKING:  # pragma: no cover
    from .model import GreatGameModel

MEMBER, OBSERVER, NONE = 2, 1, 0
# 0-d arrays rather than Python floats as operands: same results, without numpy converting
# the float on every call (see GreatGameModel._bind_step_constants).
_ZERO, _ONE, _TINY = np.array(0.0), np.array(1.0), np.array(1e-300)
for _a in (_ZERO, _ONE, _TINY):
    _a.flags.writeable = False
LEVEL_NAMES = {MEMBER: "member", OBSERVER: "observer", NONE: "none"}


class PowerAgent(Agent):
    """A great power: spreads its yearly budget over the republics as offers.

    Its strategy (``spec.strategy``: allocation, reactivity, escalation) is applied to all
    powers at once by :func:`powers_plan_offers`; the agent puts its offers on the table
    in its turn (:meth:`make_offers`), and the turn order decides who is served first
    when a republic cannot absorb everything.
    """

    model: "GreatGameModel"

    def __init__(self, model: "GreatGameModel", key: str, index: int):
        super().__init__(model)
        self.key = key
        self.index = index
        spec = model.spec.powers[key]
        self.name = spec.name or key.replace("_", " ").title()
        self.strategy = spec.strategy
        self.rivals = [j for j in range(model.n_powers) if model.relations[index, j] < 0]
        self.offered = 0.0
        self.disbursed = 0.0
        self.budget_multiplier = 1.0

    def rival_gain(self) -> np.ndarray:
        """Percentage points each republic's alignment with my rivals rose over the past year (≥ 0)."""
        return self.model.rival_gain[:, self.index]

    def allocation_weights(self) -> np.ndarray:
        """This quarter's shares of my budget per republic (see :func:`powers_plan_offers`)."""
        return self.model.allocation[self.index]

    def make_offers(self) -> None:
        """Put this quarter's offers on the table; the republics answer them all afterwards,
        in the order they came (:func:`republics_take_offers`)."""
        m = self.model
        self.offered = m.offered[self.index]
        self.budget_multiplier = m.budget_multiplier[self.index]
        m.offer_order.append(self.index)


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


class RepublicAgent(Agent):
    """A Central Asian republic: accepts or declines offers, hedges, joins or leaves forums."""

    model: "GreatGameModel"

    def __init__(self, model: "GreatGameModel", key: str, index: int):
        super().__init__(model)
        self.key = key
        self.index = index
        spec = model.spec.republics[key]
        self.name = spec.name or key.title()
        self.neutrality = spec.neutrality

    # -- aid and investment ------------------------------------------------
    def acceptance_probability(self, power: PowerAgent, instrument: int) -> float:
        """Probability of accepting an offer of ``instrument`` (0 grants, 1 loans, 2 investment)."""
        return float(acceptance_probabilities(self.model)[power.index, self.index, instrument])

    def debt_ratio(self) -> float:
        m = self.model
        return float(m.external_debt[self.index] + m.debt[:, self.index].sum() / m.gdp_r[self.index])

    # -- forums ------------------------------------------------------------
    def forum_affinity(self, f: int) -> float:
        """How much more this republic leans to the forum's member powers than to the others.

        The mean alignment per member power over the mean per outside power: 1 is even-handed,
        3 means each of the forum's powers gets three times the share of each outsider. A
        forum with no member power, or with all of them, says nothing about sides: 1.
        """
        return self.model.forum_affinities(self.index)[f]

    def may_join(self, f: int, level: int = MEMBER) -> bool:
        """Whether the republic's neutrality lets it rise to ``level`` in forum f.

        Permanent neutrality (Turkmenistan) takes on no new commitment: no binding forum at
        all, and no more than observer status in a dialogue it is not already a member of.
        Military neutrality (Uzbekistan's ban on military blocs) rules out security forums."""
        forum = self.model.forum_specs[f]
        if self.neutrality == "permanent" and (forum.binding or level > OBSERVER):
            return False
        if self.neutrality == "military" and forum.kind == "security":
            return False
        return forum.open

    def review_forums(self) -> None:
        """Once a year: one step up (observer, member) or down in each active, open forum.

        Forums the republic convenes itself are not reviewed: a host does not walk out.
        """
        m, prm = self.model, self.model.params
        col = m.n_powers + self.index
        affinities = m.forum_affinities(self.index)
        active, convenor = m.forum_active.tolist(), m.forum_convenor.tolist()
        levels = m.membership[:, col].tolist()
        for f, forum in enumerate(m.forum_specs):
            if not active[f] or not forum.open or convenor[f] == col:
                continue
            level = levels[f]
            affinity = affinities[f]
            join = prm.join_binding_above if forum.binding else prm.join_dialogue_above
            leave = prm.leave_binding_below if forum.binding else prm.leave_dialogue_below
            if level > NONE and affinity < leave:
                m.set_membership(f, col, level - 1, reason=f"affinity {affinity:.2f} < {leave}")
            elif level < MEMBER and affinity > join and self.may_join(f, level + 1):
                m.set_membership(f, col, level + 1, reason=f"affinity {affinity:.2f} > {join}")
