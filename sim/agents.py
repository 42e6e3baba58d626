"""The actors: great powers that make offers, republics that hedge.

Agents hold their identity and decisions; the numbers they act on live in the
model's arrays (indexed by ``agent.index``) so a step stays vectorised. Where a
rule is the same for every agent (planning and taking offers, moving toward a
hedging target), it is written once over all of them, as a module-level function in
the mechanism's own module, rather than looped in Python:

- offers, acceptance and taking offers: :mod:`sim.offers` (ODD §7.1);
- the yearly forum review, a republic's decision: :mod:`sim.forums` (ODD §7.9);
- hedging (targets and alignment, all republics at once): :mod:`sim.hedging` (ODD §7.8).

The offer functions and the membership levels are re-exported here, where they used to live.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from . import forums
from .forums import LEVEL_NAMES, MEMBER, NONE, OBSERVER
from .offers import acceptance_probabilities, allocation_bases, powers_plan_offers, republics_take_offers

if TYPE_CHECKING:  # pragma: no cover
    from .model import GreatGameModel

__all__ = ["PowerAgent", "RepublicAgent", "MEMBER", "OBSERVER", "NONE", "LEVEL_NAMES", "acceptance_probabilities",
           "allocation_bases", "powers_plan_offers", "republics_take_offers"]


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
        """Whether the republic's neutrality lets it rise to ``level`` in forum f
        (:func:`sim.forums.may_join`)."""
        return forums.may_join(self, f, level)

    def review_forums(self) -> None:
        """Once a year: one step up (observer, member) or down in each active, open forum
        (:func:`sim.forums.review_forums`)."""
        forums.review_forums(self)
