"""Mechanisms that tests/test_mechanisms.py left unpinned (docs/trace.md §5 lists the
mutations that used to pass): forum meetings create political ties, acceptance rises with
alignment, the debt penalty falls on loans, and a republic absorbs no more than its capacity.
Each test fails when its mechanism is switched off or its sign flipped."""

from __future__ import annotations

import numpy as np
import pytest

from greatgame.sim import GreatGameModel
from greatgame.sim.agents import acceptance_probabilities


def model(overrides=None, seed=0, years=None):
    return GreatGameModel("abe_2015", rng=seed, overrides=overrides or {}, years=years, collect_every=0)


def test_forum_meetings_create_political_ties_at_the_forums_rate():
    """With ties that last one quarter (political_decay = 1), China's ties with Kazakhstan in a
    quarter are that quarter's meetings of the forums both belong to, weighted: their mean over
    ten years is near Σ_f meetings_per_year_f / 4 · weight_f · ℓ_f(china) · ℓ_f(kazakhstan)."""
    m = model({"parameters.political_decay": 1.0}, years=10)
    ch, kz = m._pi["china"], m._ri["kazakhstan"]
    col_ch, col_kz = ch, m.n_powers + kz
    level = {0: 0.0, 1: m.params.observer_level, 2: 1.0}
    ties = []
    while m.steps < m.horizon:
        m.step()
        ties.append(m.political[ch, kz])
    # the expected quarterly ties from the forums active over the decade (China-Central Asia from 2020-Q3)
    active_years = {f: min(10.0, max(0.0, 10.0 - max(0, spec.founded.quarters_since(m.start)) / 4))
                    for f, spec in zip(m.forum_ids, m.forum_specs)}
    expected = sum(spec.meetings_per_year / 4 * spec.weight * level[int(m.membership[f, col_ch])]
                   * level[int(m.membership[f, col_kz])] * active_years[m.forum_ids[f]] / 10.0
                   for f, spec in enumerate(m.forum_specs))
    assert expected > 0.5
    ties = np.array(ties)
    assert (ties >= 0).all() and (ties > 0).mean() > 0.5
    # Poisson noise: the s.d. of a 40-quarter mean is about 0.12 here
    assert ties.mean() == pytest.approx(expected, abs=0.35)


def test_acceptance_rises_with_alignment_as_the_logit_says():
    """logit = base + a_align (P · alignment − 1) − a_cond · conditionality (grants: no debt term)."""
    m = model()
    jp, uz = m._pi["japan"], m._ri["uzbekistan"]
    prm, P = m.params, m.n_powers
    low = acceptance_probabilities(m)[jp, uz, 0]
    m.alignment[uz] = 0.0
    m.alignment[uz, jp] = 1.0
    high = acceptance_probabilities(m)[jp, uz, 0]
    logit = prm.acceptance_base + prm.acceptance_alignment * (P * 1.0 - 1) - prm.acceptance_conditionality * m.conditionality[jp]
    assert high == pytest.approx(1 / (1 + np.exp(-logit)), rel=1e-12)
    assert high > low


def test_debt_above_the_threshold_deters_loans_only():
    """A republic whose debt ratio exceeds debt_threshold resists loans by acceptance_debt per unit
    of excess; grants and investment are unaffected."""
    m = model()
    kg = m._ri["kyrgyzstan"]
    before = acceptance_probabilities(m).copy()
    ratio = m.external_debt[kg] + m.debt[:, kg].sum() / m.gdp_r[kg]
    m.external_debt[kg] += m.params.debt_threshold - ratio + 0.2  # 0.2 above the threshold
    after = acceptance_probabilities(m)
    np.testing.assert_allclose(after[:, kg, [0, 2]], before[:, kg, [0, 2]], rtol=1e-12)
    assert (after[:, kg, 1] < before[:, kg, 1]).all()
    logit_before = np.log(before[:, kg, 1] / (1 - before[:, kg, 1]))
    logit_after = np.log(after[:, kg, 1] / (1 - after[:, kg, 1]))
    excess_before = max(0.0, ratio - m.params.debt_threshold)
    np.testing.assert_allclose(logit_before - logit_after, m.params.acceptance_debt * (0.2 - excess_before), rtol=1e-9)


def test_a_republic_takes_no_more_than_its_absorptive_capacity():
    """Offers accepted beyond absorptive_capacity · GDP / 4 in a quarter are lost: with a tiny
    capacity and a huge Japanese budget, each republic takes min(accepted offers, capacity)."""
    m = model({"parameters.absorptive_capacity": 0.001, "powers.japan.budget.grants": 50.0,
               "initiatives.japan_2015_tour.enabled": False})  # no pledges in the first quarter
    cap = 0.001 * m.gdp_r / 4  # set at the start of the quarter, before GDP grows
    m.step()
    wanted = (m.offers * m.accepts).sum(axis=(0, 2))
    taken = m.flows.sum(axis=(0, 1))
    np.testing.assert_allclose(taken, np.minimum(wanted, cap), rtol=1e-9, atol=1e-15)
    assert (wanted > cap).any()


def test_a_pledge_is_disbursed_evenly_at_its_realisation():
    """A pledge of A over Y years at realisation ρ adds A · ρ / (4Y) to the flows every quarter,
    in full: Japan's US$18bn Turkmen deals at 0.25 over 5 years give 0.225 a quarter."""
    m = model({"powers.japan.budget.investment": 0.0})  # no routine Japanese investment offers
    jp, tm = m._pi["japan"], m._ri["turkmenistan"]
    for _ in range(3):
        m.step()
        assert m.flows[2, jp, tm] == pytest.approx(18.0 * 0.25 / 20, rel=1e-12)


def test_powers_lean_toward_republics_where_their_rivals_gained():
    """weight(p, r) ∝ base(p, r) · (1 + reactivity_p · gain(p, r)): a power whose rivals gained
    10 points in one republic puts a larger share of its budget there, by the formula."""
    from greatgame.sim.agents import powers_plan_offers

    m = model({"powers.china.strategy.reactivity": 0.1})
    ch, kz = m._pi["china"], m._ri["kazakhstan"]
    m.rival_gain[:] = 0.0
    powers_plan_offers(m)
    base = m.allocation[ch].copy()
    m.rival_gain[kz, ch] = 10.0
    powers_plan_offers(m)
    raised = base.copy()
    raised[kz] *= 1 + 0.1 * 10.0
    np.testing.assert_allclose(m.allocation[ch], raised / raised.sum(), rtol=1e-12)
    assert m.allocation[ch, kz] > base[kz]
