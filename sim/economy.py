"""The economy: GDP, trade and its shocks, investment-created trade, infrastructure ramps,
and the aid, debt and investment stocks.

ODD §7.2 of docs/model.md ("Economy"), step 6 of §3.
Each quarter (:func:`update_economy`), with g the annual GDP growth rates and F this
quarter's flows (pledges plus offers taken, US$ bn; see sim/offers.py):

    GDP ← GDP · (1 + g)^(1/4)                                    (powers and republics)
    ε    = exp(trade_noise · z − trade_noise²/2),  z ~ N(0,1)    (mean one; (P+1) × R draws: ε_pr, then ε_r)
    G_pr = ½(g_p + g_r) + trade_boost_pr + customs_union_premium · CU_pr
    trade[p,r]   ← trade[p,r] · max(0, 1 + G_pr)^(1/4) · ε_pr + investment_to_trade · F_inv[p,r]
    energy[p,r]  ← energy[p,r] · max(0, 1 + G_pr)^(1/4) · ε_pr
    row_trade_r  ← row_trade_r  · max(0, 1 + g_r + row_boost_r)^(1/4) · ε_r    (rest of the world)
    row_energy_r ← row_energy_r · max(0, 1 + g_r + row_boost_r)^(1/4) · ε_r
    aid        ← aid · (1 − aid_decay)^(1/4)          + F_grants + F_loans
    debt       ← debt · (1 − debt_amortisation)^(1/4) + F_loans
    investment ← investment · (1 − investment_decay)^(1/4) + F_inv
    other_aid_r, other_investment_r ← × (1 + g_r)^(1/4)

CU_pr is 1 when p and r are full members of one active customs union (sim/forums.py). The
growth factors are cached in ``_trade_factors`` and recomputed when a route opens or ends or
a union's membership changes. An ``infrastructure`` event (sim/events.py) adds
boost = (1 + trade_boost)^(1/ramp_years) − 1 to the annual growth of the partners' trade with
its republics for round(4 · ramp_years) quarters (:func:`advance_ramps` ends it). Remittance
shares change only through ``shock`` events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .offers import GRANTS, INVESTMENT, LOANS

if TYPE_CHECKING:  # pragma: no cover
    from .model import GreatGameModel


def update_economy(m: "GreatGameModel") -> None:
    P, R = m.n_powers, m.n_republics
    c = m._const
    q = m._quarterly
    m.gdp_p *= q["gdp_p"]
    m.gdp_r *= q["gdp_r"]
    # Trade grows with both economies, customs unions and new routes; prices shock it.
    if m._trade_factors is None:
        premium = m.params.customs_union_premium
        growth = m._trade_growth + m.trade_boost + premium * m._customs_union_pairs
        m._trade_factors = (np.maximum(1.0 + growth, 0.0) ** 0.25,
                            np.maximum(1.0 + m.growth_r + m.row_boost, 0.0) ** 0.25)
    bilateral, rest = m._trade_factors
    # shock = exp(sigma * z - sigma^2 / 2), worked out in place
    shock = m._trade_stream.standard_normal((P + 1, R))
    shock *= c.trade_sigma
    shock -= c.trade_drift
    np.exp(shock, out=shock)
    factor = bilateral * shock[:P]
    flows = m.flows
    new_investment = flows[INVESTMENT]
    m.trade *= factor
    m.trade += new_investment * c.investment_to_trade
    m.energy *= factor
    row_factor = rest * shock[P]
    m.row_trade *= row_factor
    m.row_energy *= row_factor
    if m._ramps:
        m._advance_ramps()
    # Stocks: aid and investment accumulate and depreciate; loans are amortised.
    m.aid *= c.aid
    m.aid += flows[GRANTS]
    m.aid += flows[LOANS]
    m.debt *= c.debt
    m.debt += flows[LOANS]
    m.investment *= c.investment
    m.investment += new_investment
    m.other_aid *= q["gdp_r"]
    m.other_investment *= q["gdp_r"]


def advance_ramps(m: "GreatGameModel") -> None:
    """One quarter off every running infrastructure ramp; an ended ramp's boost is removed."""
    keep = []
    for ramp in m._ramps:
        rows, cols, boost, left = ramp
        ramp[3] = left - 1
        if ramp[3] <= 0:
            m._trade_factors = None
            for p in rows:
                if p is None:
                    m.row_boost[cols] -= boost
                else:
                    m.trade_boost[p, cols] -= boost
        else:
            keep.append(ramp)
    m._ramps = keep
