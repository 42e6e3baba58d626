"""Soft power: favourability raised by money received in view, pulled back to its baseline.

ODD §7.5 of docs/model.md ("Soft power"), step 8 of §3.
Each quarter (:func:`update_soft_power`), in this order, with F this quarter's flows:

    visible[p,r] = (F_grants + ½ (F_loans + F_inv)) / GDP_r     (money received this quarter, share of GDP)
    favour ← favour + soft_power_visibility · visible
    favour ← favour + pull · (favour_base − favour)              pull = 1 − (1 − soft_power_reversion)^(1/4)
    favour ← clip(favour, 0, 1)

Summits (sim/events.py) add to ``favour`` directly; ``soft_power`` shocks scale both
``favour`` and its baseline ``favour_base``. The soft-power channel of influence reads
``favour`` (sim/influence.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .offers import GRANTS, INVESTMENT, LOANS

if TYPE_CHECKING:  # pragma: no cover
    from .model import GreatGameModel

# 0-d arrays rather than Python floats as operands (see sim.build.bind_step_constants).
_ZERO, _ONE, _HALF = np.array(0.0), np.array(1.0), np.array(0.5)
for _a in (_ZERO, _ONE, _HALF):
    _a.flags.writeable = False


def update_soft_power(m: "GreatGameModel") -> None:
    """Money received in view raises favourability (grants fully, loans and investment
    half); favourability is pulled back toward its baseline."""
    c = m._const
    f = m.flows
    visible = f[LOANS] + f[INVESTMENT]
    visible *= _HALF
    visible += f[GRANTS]
    gdp = m._grid
    gdp[...] = m.gdp_r  # spread over the powers (see sim.influence.fill_bandwidth)
    visible /= gdp  # this quarter, share of GDP
    visible *= c.visibility
    fav = m.favour
    fav += visible
    pull = np.subtract(m.favour_base, fav, out=visible)
    pull *= c.pull
    fav += pull
    np.minimum(np.maximum(fav, _ZERO, out=fav), _ONE, out=fav)  # np.clip, without its Python wrapper
