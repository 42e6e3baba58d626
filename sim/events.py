"""Dated events: pledges, summits, membership changes, routes, budgets and shocks.

ODD §3 of docs/model.md (scheduling) and §7.3 (dated events; the decade's in §6.3). An event dated in
quarter k (counted from the start quarter; before the start: 0) fires at time k + 0.5,
between steps k and k + 1, as one Mesa event per quarter (:func:`schedule`); the events of
one quarter fire in the order they were scheduled: forum launches, then the scenario's
events, then those of the enabled initiatives. Events draw no random number.
What each kind does to the state (:func:`apply_event`):

    pledge          per quarter = amount · realisation / round(4 · years), disbursed in full for
                    round(4 · years) quarters, before any offer (sim/offers.py)
    summit          political[p,r] += political;  favour[p,r] ← clip(favour[p,r] + soft_power, 0, 1)
    membership      a republic's level in a forum set directly (bypasses the review), security refreshed
    infrastructure  boost = (1 + trade_boost)^(1/ramp_years) − 1 added to the annual trade growth
                    of the partners (or the rest of the world) with the republics for
                    round(4 · ramp_years) quarters (sim/economy.py)
    budget          budget[p] × factor, or set anew
    shock           × factor on gdp, trade (and energy), remittances, investment, soft_power
                    (favour and its baseline, clipped), energy_price (energy and the trade that
                    carries it, rest of the world too when no power is named) or security (static ties)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .errors import REST_OF_WORLD
from .forums import MEMBER, NONE, OBSERVER
from .schema import INSTRUMENTS

if TYPE_CHECKING:  # pragma: no cover
    from .model import GreatGameModel


def schedule(m: "GreatGameModel", quarter: int, action, text: str) -> None:
    """Events dated in quarter k fire between steps k and k+1 (time k + 0.5), in the
    order they were scheduled; one Mesa event per quarter carries them all."""
    quarter = max(quarter, 0)
    batch = m._scheduled.get(quarter)
    if batch is None:
        batch = m._scheduled[quarter] = ScheduledEvents(m)
        m.schedule_event(batch.fire, at=quarter + 0.5)
    batch.items.append((action, text))


class ScheduledEvents:
    """The scenario events of one quarter; each is logged as it fires."""

    def __init__(self, model: "GreatGameModel"):
        self.model = model
        self.items: list[tuple] = []  # (action, text)

    def fire(self) -> None:
        m = self.model
        for action, text in self.items:
            action()
            m.log.append((m.steps, m.date, text))


def apply_event(m: "GreatGameModel", ev) -> None:
    """Apply one dated event to the state (fired by the schedule; draws no random number)."""
    pi, ri = m._pi, m._ri
    kind = ev.kind
    if kind == "pledge":
        k = INSTRUMENTS.index(ev.instrument)
        quarters = max(1, int(round(ev.years * 4)))
        for r, amount in ev.amounts.items():
            per_q = amount * ev.realisation / quarters
            if per_q > 0:
                m._disbursements.append([k, pi[ev.power], ri[r], per_q, quarters])
    elif kind == "summit":
        p = pi[ev.power]
        for r in ev.republics:
            m.political[p, ri[r]] += ev.political
            m.favour[p, ri[r]] = min(1.0, max(0.0, m.favour[p, ri[r]] + ev.soft_power))
    elif kind == "membership":
        level = {"member": MEMBER, "observer": OBSERVER, "none": NONE}[ev.level]
        m.set_membership(m._fi[ev.forum], m._actor_index[ev.republic], level, quiet=True)
        m._refresh_security()
    elif kind == "infrastructure":
        cols = np.array([ri[r] for r in ev.republics])
        quarters = max(1, int(round(ev.ramp_years * 4)))
        # (1 + boost)^ramp_years = 1 + trade_boost: finite for every value the schema admits
        # (trade_boost <= 100, ramp_years >= 0.25: at most 101^4 - 1); a tiny ramp used to overflow
        boost = (1.0 + ev.trade_boost) ** (1.0 / ev.ramp_years) - 1.0
        m._trade_factors = None
        rows = []
        for partner in ev.partners:
            if partner == REST_OF_WORLD:
                m.row_boost[cols] += boost
                rows.append(None)
            else:
                m.trade_boost[pi[partner], cols] += boost
                rows.append(pi[partner])
        m._ramps.append([rows, cols, boost, quarters])
    elif kind == "budget":
        p = pi[ev.power]
        if ev.factor is not None:
            m.budget[p] *= ev.factor
        else:
            m.budget[p] = [ev.set.grants, ev.set.loans, ev.set.investment]
    elif kind == "shock":
        p = pi[ev.power] if ev.power is not None else slice(None)
        r = ri[ev.republic] if ev.republic is not None else slice(None)
        if ev.target == "gdp":
            if ev.power is not None:
                m.gdp_p[p] *= ev.factor
            if ev.republic is not None:
                m.gdp_r[r] *= ev.factor
        elif ev.target == "trade":
            m.trade[p, r] *= ev.factor
            m.energy[p, r] *= ev.factor
        elif ev.target == "remittances":
            m.remit_share[p, r] *= ev.factor
        elif ev.target == "investment":
            m.investment[p, r] *= ev.factor
        elif ev.target == "soft_power":
            m.favour[p, r] = np.clip(m.favour[p, r] * ev.factor, 0.0, 1.0)
            m.favour_base[p, r] = np.clip(m.favour_base[p, r] * ev.factor, 0.0, 1.0)
        elif ev.target == "energy_price":
            # energy exports are part of the trade: the same US$ change in both
            m.trade[p, r] += m.energy[p, r] * (ev.factor - 1.0)
            m.energy[p, r] *= ev.factor
            if ev.power is None:
                m.row_trade[r] += m.row_energy[r] * (ev.factor - 1.0)
                m.row_energy[r] *= ev.factor
        elif ev.target == "security":
            m.security_static[p, r] *= ev.factor
            m._refresh_security()


def describe(ev, initiative: str | None) -> str:
    head = f"[{initiative}] " if initiative else ""
    kind = ev.kind
    if kind == "pledge":
        total = sum(ev.amounts.values())
        return f"{head}{ev.power} pledges US${total:.3g}bn of {ev.instrument} to {', '.join(ev.amounts)}"
    if kind == "summit":
        at = f" ({ev.forum})" if getattr(ev, "forum", None) else ""
        return f"{head}{ev.power} summit{at} with {', '.join(ev.republics)}"
    if kind == "membership":
        return f"{head}{ev.republic}: {ev.forum} -> {ev.level}"
    if kind == "infrastructure":
        return f"{head}{ev.name} opens ({', '.join(ev.republics)})"
    if kind == "budget":
        return f"{head}{ev.power} budget " + (f"x{ev.factor}" if ev.factor is not None else "reset")
    return f"{head}shock to {ev.target}" + (f" of {ev.power}" if ev.power else "") + (f" in {ev.republic}" if ev.republic else "")
