"""The plausible range of every model parameter default (``parameters.*`` in sim/schema.py).

A scenario that sets a parameter gives its own range (``{value, assumption, range}``); one
that leaves it at its default takes the range below. Each entry is (low, high, why): the
why says where the range comes from when it is not obvious. Sources cited: the one-at-a-
time experiments and the calibration's equifinal points of the December 2026 review
(docs/model.md, "Parameters and their ranges"), the Lowy Asia Power Index's weights, and
the IMF–World Bank LIC-DSF debt thresholds. tests/test_ranges.py checks that every
default has a range here and that every range holds its default and respects the field's
limits.
"""

from __future__ import annotations

DEFAULT_RANGES: dict[str, tuple[float, float, str]] = {
    # Channel weights: halved to doubled around the Lowy-derived values, narrower where the
    # Lowy split pins them (political, security).
    "parameters.weights.trade": (0.10, 0.40, "half to double; the review's E16 tried 0.40"),
    "parameters.weights.aid": (0.02, 0.12, "a third to double"),
    "parameters.weights.investment": (0.04, 0.16, "half to double"),
    "parameters.weights.remittances": (0.03, 0.20, "up to a Lowy-style economic share: remittances are 14-45% "
                                                   "of GDP in three republics (issue 11)"),
    "parameters.weights.energy": (0.02, 0.10, "a half to double"),
    "parameters.weights.political": (0.10, 0.30, "±50%; the review's E15 tried 0.10"),
    "parameters.weights.security": (0.10, 0.30, "±50% (the review's E11/E12)"),
    "parameters.weights.soft_power": (0.05, 0.30, "a third to double (the review's E13/E14)"),
    # Half-saturation: the size at which a relationship is half saturated.
    "parameters.half_saturation.trade": (0.05, 0.20, "half to double"),
    "parameters.half_saturation.aid": (0.01, 0.06, "a third to double"),
    "parameters.half_saturation.investment": (0.05, 0.20, "half to double (the review's J15 tried 0.2)"),
    "parameters.half_saturation.remittances": (0.02, 0.15, "up to 15% of GDP: the observed shares are 14-45% "
                                                           "(bne_2024), so 5% may saturate too early"),
    "parameters.half_saturation.energy": (0.02, 0.10, "a half to double"),
    "parameters.half_saturation.political": (0.5, 4.0, "a quarter to double (the review's E27 tried 0.5)"),
    "parameters.half_saturation.security": (0.25, 1.0, "half to double"),
    "parameters.half_saturation.soft_power": (0.3, 0.7, "favourability of 30-70%"),
    "parameters.dependence_weight": (0.2, 0.8, "the review's E28/E29; FBIC's equal standing is a convention"),
    # Hedging: the calibration's band (review 3.1: equifinal points β 3-5, κ 0-2, d0 0.3-0.5,
    # τ 0), widened where the fit is flat.
    "parameters.choice_sensitivity": (2.0, 8.0, "β: equifinal fits span 3-5 and β is confounded with the "
                                                "weights' scale; 2-8 as in sweeps/sobol_wedge.yaml"),
    "parameters.adjustment_rate": (0.02, 0.10, "λ: half-lives of 1.7 to 8.6 years (the review's E09/E10)"),
    "parameters.alignment_noise": (0.0, 0.2, "none to four times the default (the review's E30, J18)"),
    "parameters.threat_weight": (0.0, 0.1, "the fit prefers 0; 0.1 in the review's E26"),
    "parameters.autonomy_cost": (0.0, 2.0, "κ: equifinal fits span 0-2 (review 3.1)"),
    "parameters.dominance_threshold": (0.3, 0.6, "d0: equifinal fits span 0.3-0.5; 0.6 in the review's E08"),
    # Economy.
    "parameters.trade_noise": (0.01, 0.06, "quarterly commodity-price shocks of 1-6%"),
    "parameters.customs_union_premium": (0.0, 0.04, "none to double"),
    "parameters.investment_to_trade": (0.0, 0.4, "none (the review's J13) to double"),
    "parameters.aid_decay": (0.05, 0.20, "aid projects in view for 5 to 20 years"),
    "parameters.investment_decay": (0.02, 0.10, "FDI assets depreciating over 10 to 50 years"),
    "parameters.debt_amortisation": (0.03, 0.10, "concessional maturities of about 10 to 30 years"),
    "parameters.political_decay": (0.10, 0.50, "ties fade over 2 to 10 years without meetings"),
    "parameters.soft_power_reversion": (0.05, 0.25, "favourability half-lives of about 2.5 to 13 years"),
    "parameters.soft_power_visibility": (0.25, 2.0, "a quarter to double; no source measures it"),
    "parameters.observer_level": (0.25, 0.75, "an observer counts for a quarter to three quarters of a member"),
    # Money offers.
    "parameters.acceptance_base": (1.0, 3.0, "acceptance at parity from 73% to 95%"),
    "parameters.acceptance_alignment": (0.5, 2.0, "half to double"),
    "parameters.acceptance_debt": (3.0, 10.0, "half to 1.7 times"),
    "parameters.debt_threshold": (0.30, 0.55, "the LIC-DSF's thresholds for weak to strong debt-carrying capacity"),
    "parameters.acceptance_conditionality": (1.0, 3.0, "±50%"),
    "parameters.absorptive_capacity": (0.05, 0.20, "half to double (the review's J14 tried 0.05)"),
    "parameters.bases_weight": (0.25, 1.0, "half to double"),
    # Landscape and forums.
    "parameters.regional_tie": (0.0, 0.3, "none to three times"),
    "parameters.landscape_military_weight": (0.25, 0.75, "the military's part of a capability index: a third in "
                                                         "COW's CINC (two of six components), up to three quarters"),
    "parameters.join_binding_above": (2.0, 5.0, "from a near-majority to a dominant power; no entry in 2015-24 bounds it below"),
    "parameters.leave_binding_below": (0.3, 0.9, "±50%"),
    "parameters.join_dialogue_above": (0.5, 1.2, "from well below to above an even stance"),
    "parameters.leave_dialogue_below": (0.05, 0.3, "half to three times"),
    "parameters.wedge_incumbent_share": (0.4, 0.6, "a definition, not a fact: issue 11 sweeps the threshold over "
                                                   "0.4-0.6"),
}
