"""The actors: great powers that make offers, republics that hedge.

Agents hold their identity and decisions; the numbers they act on live in
the model's arrays (indexed by ``agent.index``) so a step stays vectorised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from .schema import INSTRUMENTS

if TYPE_CHECKING:  # pragma: no cover
    from .model import GreatGameModel

MEMBER, OBSERVER, NONE = 2, 1, 0
LEVEL_NAMES = {MEMBER: "member", OBSERVER: "observer", NONE: "none"}


class PowerAgent(Agent):
    """A great power: spreads its yearly budget over the republics as offers."""

    model: "GreatGameModel"

    def __init__(self, model: "GreatGameModel", key: str, index: int):
        super().__init__(model)
        self.key = key
        self.index = index
        self.name = model.spec.powers[key].name or key.replace("_", " ").title()
        spec = model.spec.powers[key]
        self.strategy = spec.strategy
        self.rivals = [j for j in range(model.n_powers) if model.relations[index, j] < 0]
        self.offered = 0.0
        self.disbursed = 0.0
        self.budget_multiplier = 1.0

    # -- decisions ---------------------------------------------------------
    def base_weights(self) -> np.ndarray:
        m = self.model
        alloc = self.strategy.allocation
        if alloc == "equal":
            return np.ones(m.n_republics)
        if alloc == "gdp":
            return m.gdp_r.copy()
        if alloc == "resources":
            return m.resources.sum(axis=1)
        return np.array([alloc.get(r, 0.0) for r in m.republic_ids], dtype=float)

    def rival_gain(self) -> np.ndarray:
        """Percentage points each republic's alignment with my rivals rose over the past year."""
        m = self.model
        if not self.rivals:
            return np.zeros(m.n_republics)
        past = m.alignment_year_ago
        gain = (m.alignment[:, self.rivals] - past[:, self.rivals]).sum(axis=1)
        return np.maximum(gain, 0.0) * 100.0

    def allocation_weights(self, gain: np.ndarray | None = None) -> np.ndarray:
        gain = self.rival_gain() if gain is None else gain
        w = self.base_weights() * (1.0 + self.strategy.reactivity * gain)
        total = w.sum()
        return w / total if total > 0 else w

    def make_offers(self) -> None:
        """Offer this quarter's budget, republic by republic, instrument by instrument."""
        m = self.model
        gain = self.rival_gain()
        s = self.strategy
        self.budget_multiplier = float(min(1.0 + s.escalation * gain.mean(), 1.0 + s.max_escalation))
        quarterly = m.budget[self.index] * self.budget_multiplier / 4.0
        amounts = np.outer(self.allocation_weights(gain), quarterly)  # (R, instruments)
        self.offered = float(amounts.sum())
        if self.offered <= 0:
            return
        draws = m.rng.random(amounts.shape)  # one draw per possible offer, used or not
        probs = acceptance_probabilities(m, self.index)
        for r, k in zip(*np.nonzero(amounts > 0)):
            m.republic_agents[r].consider_offer(self, int(k), float(amounts[r, k]),
                                                accept=bool(draws[r, k] < probs[r, k]))


def acceptance_probabilities(model: "GreatGameModel", p: int) -> np.ndarray:
    """(R, instruments) probability that each republic accepts an offer from power p.

    logit = base + a_align * (share * n_powers - 1) - a_cond * conditionality(p)
            - a_debt * max(0, debt/GDP - threshold)   [loans only]
    """
    prm = model.params
    gap = model.alignment[:, p] * model.n_powers - 1.0
    logit = prm.acceptance_base + prm.acceptance_alignment * gap - prm.acceptance_conditionality * model.conditionality[p]
    debt_ratio = model.external_debt + model.debt.sum(axis=0) / model.gdp_r
    out = np.repeat(logit[:, None], len(INSTRUMENTS), axis=1)
    out[:, INSTRUMENTS.index("loans")] -= prm.acceptance_debt * np.maximum(0.0, debt_ratio - prm.debt_threshold)
    return 1.0 / (1.0 + np.exp(-out))


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
        return float(acceptance_probabilities(self.model, power.index)[self.index, instrument])

    def debt_ratio(self) -> float:
        m = self.model
        return float(m.external_debt[self.index] + m.debt[:, self.index].sum() / m.gdp_r[self.index])

    def consider_offer(self, power: PowerAgent, instrument: int, amount: float, accept: bool) -> float:
        """Take an offer it is willing to accept, up to what the economy can absorb this quarter.

        ``accept`` is the draw against :func:`acceptance_probabilities`, made by the offering
        power in one batch so that the number of random draws per step is fixed.
        """
        m = self.model
        room = m.capacity_left[self.index]
        if not accept or room <= 0:
            return 0.0
        taken = min(amount, room)
        m.capacity_left[self.index] -= taken
        m.flows[instrument, power.index, self.index] += taken
        power.disbursed += taken
        return taken

    # -- alignment ---------------------------------------------------------
    def update_alignment(self) -> None:
        """Move part of the way toward the hedging target (alignment is inertial)."""
        m, prm = self.model, self.model.params
        r = self.index
        shocks = prm.alignment_noise * m.rng.standard_normal(m.n_powers)
        u = prm.choice_sensitivity * (m.utility[:, r] + shocks)
        target = np.exp(u - u.max())
        target /= target.sum()
        m.target[r] = target
        m.alignment[r] = (1.0 - prm.adjustment_rate) * m.alignment[r] + prm.adjustment_rate * target
        m.alignment[r] /= m.alignment[r].sum()

    # -- forums ------------------------------------------------------------
    def forum_affinity(self, f: int) -> float:
        """Alignment with the forum's powers, as a multiple of parity (1 = an equal share)."""
        m = self.model
        powers = m.forum_powers[f]
        if not powers:
            return 1.0
        return float(m.alignment[self.index, powers].sum() / (len(powers) / m.n_powers))

    def may_join(self, f: int) -> bool:
        forum = self.model.forum_specs[f]
        if self.neutrality == "permanent" and forum.binding:
            return False
        if self.neutrality == "military" and forum.kind == "security":
            return False
        return forum.open

    def review_forums(self) -> None:
        """Once a year: one step up (observer, member) or down in each open forum."""
        m, prm = self.model, self.model.params
        col = m.n_powers + self.index
        for f, forum in enumerate(m.forum_specs):
            if not m.forum_active[f] or not forum.open or m.forum_convenor[f] == col:
                continue
            level = int(m.membership[f, col])
            affinity = self.forum_affinity(f)
            join = prm.join_binding_above if forum.binding else prm.join_dialogue_above
            leave = prm.leave_binding_below if forum.binding else prm.leave_dialogue_below
            if level > NONE and affinity < leave:
                m.set_membership(f, col, level - 1, reason=f"alignment {affinity:.2f}x parity < {leave}")
            elif level < MEMBER and affinity > join and self.may_join(f):
                m.set_membership(f, col, level + 1, reason=f"alignment {affinity:.2f}x parity > {join}")
