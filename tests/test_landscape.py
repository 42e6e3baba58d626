"""The landscape measure (c), re-specified (issue 11, item 5; docs/model.md §7.10): sizes by
capability, propensities on one scale in [−1, 1], the split by descent from the previous
quarter's (path dependence), frustration. Each test fails when its mechanism is switched off:
descent replaced by the global minimum, the military left out of the sizes, the centring or
the resentment terms dropped from the propensities, the quarterly tracking skipped."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from landscape_cases import random_instance, same_partition

from greatgame.sim import GreatGameModel, ScenarioError, landscape, load_scenario
from greatgame.sim.hedging import hedging_utility
from greatgame.sim.schema import Scenario

# ---------------------------------------------------------------- helpers


def energy(sizes, prop, x) -> float:
    """E = Σ_{i<j} s_i s_j p_ij d_ij, the double loop of Axelrod and Bennett."""
    n = len(sizes)
    return sum(sizes[i] * sizes[j] * prop[i, j] * (x[i] != x[j]) for i in range(n) for j in range(i + 1, n))


def flipped(x, i):
    y = np.array(x, dtype=int).copy()
    y[i] = 1 - y[i]
    return y


def is_local_minimum(sizes, prop, x, tol=1e-12) -> bool:
    e = energy(sizes, prop, x)
    return all(energy(sizes, prop, flipped(x, i)) >= e - tol for i in range(len(x)))


def local_minima(sizes, prop) -> list[tuple[float, np.ndarray]]:
    """Every split (actor 0 in bloc 0) from which no single flip lowers the energy."""
    out = []
    for x in landscape.all_splits(len(sizes)):
        x = x.astype(int)
        if is_local_minimum(sizes, prop, x, tol=0.0):
            out.append((energy(sizes, prop, x), x))
    return out


def two_basins() -> tuple[np.ndarray, np.ndarray]:
    """Two tight pairs {0, 1} and {2, 3} with a weak positive pull across: the global minimum is
    everyone together (E = 0); the two pairs apart (E = 4 × 0.1) is a second, local minimum,
    since moving any one actor breaks a tie of 1 to gain two of 0.1."""
    p = np.full((4, 4), 0.1)
    p[0, 1] = p[1, 0] = p[2, 3] = p[3, 2] = 1.0
    np.fill_diagonal(p, 0.0)
    return np.ones(4), p


def with_relations(base: str, relations: dict[tuple[str, str], float], years: float = 2) -> Scenario:
    plain = load_scenario(base, years=years).scenario.model_dump()
    plain["relations"] = [{"a": a, "b": b, "propensity": v} for (a, b), v in relations.items()]
    return Scenario.model_validate(plain)


# ---------------------------------------------------------------- descent


def test_descent_never_raises_the_energy_and_stops_at_a_local_minimum():
    rng = np.random.default_rng(11)
    moved = 0
    for n in (2, 3, 5, 9, 12):
        for _ in range(20):
            sizes, p = random_instance(rng, n)
            start = rng.integers(0, 2, n)
            x, e, flips = landscape.descend(sizes, p, start)
            assert e == pytest.approx(energy(sizes, p, x), abs=1e-12)
            assert e <= energy(sizes, p, start) + 1e-12
            assert is_local_minimum(sizes, p, x), (n, start, x)
            assert x[0] == 0
            moved += flips
            # from a local minimum, nothing moves
            again, e2, flips2 = landscape.descend(sizes, p, x)
            assert flips2 == 0 and np.array_equal(again, x) and e2 == pytest.approx(e, abs=1e-15)
    assert moved > 0  # the starts were not all minima already


def test_path_dependence_two_starts_two_local_minima():
    sizes, p = two_basins()
    minima = local_minima(sizes, p)
    assert len(minima) == 2
    together, e0, _ = landscape.descend(sizes, p, [0, 0, 0, 1])  # one actor out: it comes back
    apart, e1, flips = landscape.descend(sizes, p, [0, 0, 1, 1])  # the pairs apart: nothing moves
    assert same_partition(together, [0, 0, 0, 0]) and e0 == pytest.approx(0.0)
    assert same_partition(apart, [0, 0, 1, 1]) and e1 == pytest.approx(0.4) and flips == 0
    # the global minimum forgets where the actors came from
    assert same_partition(landscape.minimum_energy_split(sizes, p)[0], [0, 0, 0, 0])


def test_the_model_follows_the_path_not_the_global_minimum():
    """Powers in two friendly pairs with a weak pull across (the two basins above): the model
    starts at the global minimum; put in the other basin, it stays there quarter after quarter,
    reporting that it is not at the global minimum."""
    sc = with_relations("abe_2015", {("japan", "united_states"): 1.0, ("china", "russia"): 1.0,
                                     ("china", "japan"): 0.1, ("china", "united_states"): 0.1,
                                     ("russia", "united_states"): 0.1, ("russia", "japan"): 0.1})
    for every in (1, 0):
        m = GreatGameModel(sc, rng=3, collect_every=every)
        P = m.n_powers
        assert m.landscape_at_global and m.landscape_energy == pytest.approx(m.landscape_global_energy)
        minima = local_minima(m.landscape_sizes, m._propensity)
        assert len(minima) >= 2
        other = next(x for e, x in minima if e > m.landscape_global_energy + 1e-9)
        assert not same_partition(other[:P], m.blocs[:P])
        m._landscape_spins[:] = 1.0 - 2.0 * other
        m.blocs = other.copy()
        m.run_for(4)
        m.measure()
        assert same_partition(m.blocs, other)
        assert not m.landscape_at_global
        assert m.landscape_energy > m.landscape_global_energy
        assert m.wedge_measures()["landscape_at_global"] is False
        assert is_local_minimum(m.landscape_sizes, m._propensity, m.blocs)


def test_the_split_moves_every_quarter_recorded_or_not(monkeypatch):
    """The descent runs once a quarter whatever ``collect_every`` is, so the path (and every
    landscape figure) is the same for a run recorded every quarter and one read at the end."""
    calls = []
    real = landscape.descend_spins

    def counting(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(landscape, "descend_spins", counting)
    m = GreatGameModel("abe_2015", rng=2, years=3, collect_every=0)
    assert len(calls) == 1  # step 0: the measurement
    m.run_for(8)
    assert len(calls) == 9
    monkeypatch.setattr(landscape, "descend_spins", real)
    a = GreatGameModel("abe_2015", rng=2, years=3, collect_every=1).run()
    b = GreatGameModel("abe_2015", rng=2, years=3, collect_every=0).run()
    b.measure()
    assert a.wedge_measures() == b.wedge_measures()
    np.testing.assert_array_equal(a.blocs, b.blocs)


def test_same_seed_same_blocs_and_landscape_figures():
    cols = ["landscape_energy", "landscape_global_energy", "landscape_at_global", "landscape_frustration",
            "opposite_republics", "incumbents_together"]
    a = GreatGameModel("history", rng=7, years=4).run()
    b = GreatGameModel("history", rng=7, years=4).run()
    fa, fb = a.datacollector.get_model_vars_dataframe(), b.datacollector.get_model_vars_dataframe()
    assert fa[cols].equals(fb[cols])
    rep = type(a.republic_agents[0])
    ba = a.datacollector.get_agenttype_vars_dataframe(rep)["bloc"]
    bb = b.datacollector.get_agenttype_vars_dataframe(rep)["bloc"]
    assert ba.equals(bb)


# ---------------------------------------------------------------- sizes by capability


def test_capability_sizes_formula():
    gdp, mil = np.array([10.0, 30.0, 60.0]), np.array([1.0, 0.0, 3.0])
    s = landscape.capability_sizes(gdp, mil, 0.25)
    np.testing.assert_allclose(s, 0.75 * gdp / 100 + 0.25 * mil / 4)
    assert s.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(landscape.capability_sizes(gdp, mil, 0.0), gdp / 100)
    np.testing.assert_allclose(landscape.capability_sizes(gdp, np.zeros(3), 0.5), gdp / 100)  # no military at all


def test_sizes_use_military_capability():
    """Russia's size rises against GDP alone (the review: 13 times smaller than the US by GDP);
    with the military weight at 0 the sizes are GDP shares again."""
    m = GreatGameModel("abe_2015", rng=0, years=1)
    gdp = np.concatenate([m.gdp_p, m.gdp_r])
    gdp_share = gdp / gdp.sum()
    ru, us = m.power_ids.index("russia"), m.power_ids.index("united_states")
    assert m.landscape_sizes.sum() == pytest.approx(1.0)
    assert m.landscape_sizes[ru] > 2 * gdp_share[ru]
    assert m.landscape_sizes[us] / m.landscape_sizes[ru] < 0.5 * gdp_share[us] / gdp_share[ru]
    mil = np.concatenate([m.military, m.military_r])
    np.testing.assert_allclose(m.landscape_sizes, 0.5 * gdp_share + 0.5 * mil / mil.sum())
    assert (m.military_r > 0).all()  # every shipped republic has a military figure
    gdp_only = GreatGameModel("abe_2015", rng=0, years=1, overrides={"parameters.landscape_military_weight": 0.0})
    np.testing.assert_allclose(gdp_only.landscape_sizes, gdp_share)


def test_republic_military_is_validated_and_optional(tmp_path):
    plain = load_scenario("abe_2015", years=1).scenario.model_dump()
    plain["republics"]["kazakhstan"]["military"] = 1.5
    with pytest.raises(Exception, match="military"):
        Scenario.model_validate(plain)
    with pytest.raises(ScenarioError) as info:
        load_scenario("abe_2015", overrides={"republics.kazakhstan.military": 1.5})
    msg = str(info.value)
    assert "republics.kazakhstan.military" in msg and "\n" not in msg
    for r in plain["republics"].values():
        r["military"] = None  # left out: counts 0
    m = GreatGameModel(Scenario.model_validate(plain), rng=0)
    assert (m.military_r == 0).all() and m.landscape_sizes.sum() == pytest.approx(1.0)
    assert (m.landscape_sizes[m.n_powers:] < GreatGameModel("abe_2015", rng=0, years=1).landscape_sizes[m.n_powers:]).all()


# ---------------------------------------------------------------- propensities on one scale


def test_propensities_are_on_one_scale_and_follow_the_equations():
    m = GreatGameModel("abe_2015", rng=4, years=3)
    for _ in range(3):
        m.run_for(4)
        m.measure()
        P = m.n_powers
        prop = m.propensities()
        assert (np.abs(prop) <= 1.0).all() and np.allclose(prop, prop.T) and (np.diag(prop) == 0).all()
        np.testing.assert_array_equal(prop[:P, :P], m.relations)
        u = m.utility
        want = np.tanh(0.5 * m.params.choice_sensitivity * (u - u.mean(axis=0)))
        np.testing.assert_allclose(prop[:P, P:], want, atol=1e-12)
        assert (prop[:P, P:] < 0).any() and (prop[:P, P:] > 0).any()  # centred: some powers repel
        rr, tie, h = m.rr_political, m.params.regional_tie, m.params.half_saturation.political
        want_rr = tie + (1 - tie) * rr / (rr + h)
        np.fill_diagonal(want_rr, 0.0)
        np.testing.assert_allclose(prop[P:, P:], want_rr, atol=1e-12)


def test_a_republics_own_choice_sensitivity_scales_its_propensities():
    m = GreatGameModel("abe_2015", rng=0, years=1, overrides={"republics.kazakhstan.decision.choice_sensitivity": 8.0})
    P, k = m.n_powers, m._ri["kazakhstan"]
    u = m.utility
    centred = u - u.mean(axis=0)
    np.testing.assert_allclose(m._propensity[:P, P + k], np.tanh(4.0 * centred[:, k]), atol=1e-12)
    np.testing.assert_allclose(m._propensity[:P, P + k + 1], np.tanh(2.0 * centred[:, k + 1]), atol=1e-12)


def test_a_dominating_power_repels_the_republic():
    """A power holding most of a republic's influence, with a high autonomy cost, is worth less
    than the others: the republic's propensity toward it is negative. Without the autonomy
    cost the same power attracts it."""
    influence = np.array([[1.0], [0.2], [0.2], [0.2]])
    threat = np.zeros((4, 1))
    resented = landscape.centred_propensity(hedging_utility(influence, threat, 5.0, 0.4), 4.0)
    welcome = landscape.centred_propensity(hedging_utility(influence, threat, 0.0, 0.4), 4.0)
    assert resented[0, 0] < 0 < welcome[0, 0]
    assert (resented[1:, 0] > 0).all()


def test_a_threatening_neighbour_repels_the_republic():
    """Kazakhstan borders China: raising the threat weight lowers its propensity toward China
    (by the equation, whatever the influence), and a high one makes it negative."""
    def toward_china(tau):
        m = GreatGameModel("abe_2015", rng=0, years=1, overrides={"parameters.threat_weight": tau})
        return m._propensity[m._pi["china"], m.n_powers + m._ri["kazakhstan"]]

    none, some, high = toward_china(0.0), toward_china(0.1), toward_china(1.0)
    assert high < some < none
    assert high < 0


# ---------------------------------------------------------------- frustration


def test_frustration_is_zero_without_conflict_and_positive_with_it():
    sizes = np.array([0.4, 0.3, 0.2, 0.1])
    camps = np.array([[0, 1, -1, -1], [1, 0, -1, -1], [-1, -1, 0, 1], [-1, -1, 1, 0]], float)
    x, e = landscape.minimum_energy_split(sizes, camps)
    assert landscape.frustration_share(sizes, camps, x) == pytest.approx(0.0, abs=1e-15)
    assert landscape.frustration_share(sizes, np.zeros((4, 4)), x) == 0.0
    # a frustrated triangle: three mutual foes cannot all be apart in two blocs
    foes = -(np.ones((3, 3)) - np.eye(3))
    for x in itertools.product((0, 1), repeat=3):
        assert landscape.frustration_share(np.ones(3), foes, np.array(x)) >= 1 / 3 - 1e-12
    # the definition: frustrated weight (friends apart, foes together) over all weight
    rng = np.random.default_rng(3)
    sizes, p = random_instance(rng, 7)
    x = rng.integers(0, 2, 7)
    frustrated = sum(abs(sizes[i] * sizes[j] * p[i, j]) for i in range(7) for j in range(i + 1, 7)
                     if (p[i, j] > 0) == (x[i] != x[j]) and p[i, j] != 0)
    total = sum(abs(sizes[i] * sizes[j] * p[i, j]) for i in range(7) for j in range(i + 1, 7))
    assert landscape.frustration_share(sizes, p, x) == pytest.approx(frustrated / total)


def test_the_model_reports_frustration_and_the_global_minimum():
    m = GreatGameModel("abe_2015", rng=1, years=2).run()
    df = m.datacollector.get_model_vars_dataframe()
    for c in ("landscape_global_energy", "landscape_at_global", "landscape_frustration"):
        assert c in df.columns
    assert ((df["landscape_frustration"] >= 0) & (df["landscape_frustration"] <= 1)).all()
    assert (df["landscape_energy"] >= df["landscape_global_energy"] - 1e-12).all()
    assert m.landscape_frustration == pytest.approx(
        landscape.frustration_share(m.landscape_sizes, m._propensity, m.blocs))
    x, e = landscape.minimum_energy_split(m.landscape_sizes, m._propensity)
    assert m.landscape_global_energy == pytest.approx(e, abs=1e-12)


def test_the_landscape_is_a_measure_only():
    """The landscape's own inputs (the military weight, the republics' military, the regional
    tie) move the landscape figures but no trajectory: alignment, trade and influence are the
    same numbers."""
    base = GreatGameModel("history", rng=5, years=3).run()
    other = GreatGameModel("history", rng=5, years=3, overrides={
        "parameters.landscape_military_weight": 0.75, "parameters.regional_tie": 0.3,
        "republics.kazakhstan.military": 0.5}).run()
    for attr in ("alignment", "trade", "influence", "utility", "membership", "favour"):
        np.testing.assert_array_equal(getattr(base, attr), getattr(other, attr))
    assert base.landscape_energy != other.landscape_energy
    assert not np.allclose(base.landscape_sizes, other.landscape_sizes)
