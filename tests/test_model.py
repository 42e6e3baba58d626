"""Model behaviour: reproducibility, invariants, cited base year, responses, Mesa's tools."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pandas as pd
import pytest

import mesa
from sim import GreatGameModel, load_scenario, shipped_names
from sim.agents import PowerAgent, RepublicAgent
from sim.landscape import energies, minimum_energy_split


@pytest.fixture(scope="module")
def abe():
    return load_scenario("abe_2015")


def frames(m):
    dc = m.datacollector
    return (dc.get_model_vars_dataframe(), dc.get_agenttype_vars_dataframe(RepublicAgent),
            dc.get_agenttype_vars_dataframe(PowerAgent))


# ---------------------------------------------------------------- reproducibility


def test_same_seed_identical_results(abe):
    a = GreatGameModel(abe, rng=11).run()
    b = GreatGameModel(abe, rng=11).run()
    for fa, fb in zip(frames(a), frames(b)):
        pd.testing.assert_frame_equal(fa, fb)
    for name in ("alignment", "trade", "aid", "investment", "political", "favour", "membership"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.log == b.log


def test_different_seeds_differ(abe):
    a = GreatGameModel(abe, rng=1).run()
    b = GreatGameModel(abe, rng=2).run()
    assert not np.allclose(a.alignment, b.alignment)
    assert not np.allclose(a.trade, b.trade)


# ---------------------------------------------------------------- invariants


class Recorder(GreatGameModel):
    """Checks invariants after every step."""

    def step(self):
        super().step()
        check_invariants(self)


def check_invariants(m):
    assert (m.alignment >= 0).all()
    np.testing.assert_allclose(m.alignment.sum(axis=1), 1.0, atol=1e-9)
    for name in ("trade", "aid", "investment", "debt", "energy", "political", "security"):
        assert (getattr(m, name) >= 0).all(), name
    assert (m.row_trade >= 0).all()
    assert ((m.favour >= 0) & (m.favour <= 1)).all()
    assert ((m.scores >= 0) & (m.scores <= 1)).all()
    assert set(np.unique(m.membership)) <= {0, 1, 2}


@pytest.mark.parametrize("name", ["abe_2015", "japan_all_in", "russia_weakened"])
def test_invariants_every_step(name):
    ls = load_scenario(name)
    for seed in (0, 1, 2):
        m = Recorder(ls, rng=seed)
        check_invariants(m)
        m.run()
        assert m.steps == ls.scenario.steps


# ---------------------------------------------------------------- the cited base year


def test_base_year_reproduces_cited_trade(abe):
    m = GreatGameModel(abe, rng=0)
    assert m.trade[m._pi["china"]].sum() == pytest.approx(38.0)
    assert m.trade[m._pi["japan"]].sum() == pytest.approx(2.0)
    assert abe.provenance["trade.china.total"].source == "cctv_2015"
    assert abe.provenance["trade.japan.total"].source == "cctv_2015"
    assert "38 billion" in abe.provenance["trade.china.total"].quote
    # the step-0 row of the DataCollector carries the same figures
    rep = m.datacollector.get_agenttype_vars_dataframe(RepublicAgent)
    assert rep.loc[0, "trade_china"].sum() == pytest.approx(38.0)


def test_hedging_target_starts_near_the_poll(abe):
    """The calibration: the 2015 target is close to the initial (2016 poll) alignment."""
    m = GreatGameModel(abe, rng=0)
    u = m.params.choice_sensitivity * m.utility.T
    target = np.exp(u - u.max(axis=1, keepdims=True))
    target /= target.sum(axis=1, keepdims=True)
    polled = [m._ri[r] for r in ("kazakhstan", "uzbekistan", "kyrgyzstan", "tajikistan")]
    assert np.abs(target[polled] - m.alignment[polled]).max() < 0.1
    # the poll's order in every polled republic: Russia, China, Japan
    for r in polled:
        order = list(np.argsort(-target[r])[:3])
        assert order == [m._pi["russia"], m._pi["china"], m._pi["japan"]]


# ---------------------------------------------------------------- responses


@pytest.mark.parametrize("seed", range(5))
def test_more_japanese_aid_never_lowers_japans_share(abe, seed):
    more = load_scenario("abe_2015", overrides={"powers.japan.budget.grants": 0.5, "powers.japan.budget.loans": 1.0})
    base = GreatGameModel(abe, rng=seed).run()
    richer = GreatGameModel(more, rng=seed).run()
    j = base._pi["japan"]
    assert (richer.alignment[:, j] >= base.alignment[:, j] - 1e-12).all()
    assert richer.alignment[:, j].mean() > base.alignment[:, j].mean()


def test_magnitudes_matter():
    """A few hundred million dollars of aid cannot outweigh tens of billions of trade."""
    abe = load_scenario("abe_2015")
    for seed in range(20):
        m = GreatGameModel(abe, rng=seed).run()
        rep = m.datacollector.get_agenttype_vars_dataframe(RepublicAgent)
        assert (rep["alignment_japan"] < rep["alignment_china"]).all(), seed
        assert not m.wedge_achieved
    all_in = load_scenario("japan_all_in")
    achieved = [GreatGameModel(all_in, rng=seed).run().wedge_achieved for seed in range(20)]
    assert 0 < sum(achieved), "japan_all_in should make the wedge reachable in some runs"


def test_turkmenistan_stays_out_of_sco_and_csto(abe):
    for seed in range(5):
        m = GreatGameModel(abe, rng=seed).run()
        rep = m.datacollector.get_agenttype_vars_dataframe(RepublicAgent).xs(
            m.republic_agents[m._ri["turkmenistan"]].unique_id, level="AgentID")
        assert (rep["forum_sco"] == "none").all()
        assert (rep["forum_csto"] == "none").all()


def test_neutrality_is_the_reason(abe):
    """Without permanent neutrality, the same alignment rule may take Turkmenistan in: the rule, not a hard-code."""
    m = GreatGameModel(abe, rng=0)
    tm = m.republic_agents[m._ri["turkmenistan"]]
    sco = m.forum_ids.index("sco")
    assert not tm.may_join(sco)
    tm.neutrality = "none"
    assert tm.may_join(sco)


def test_counterfactual_switch_removes_the_tour(abe):
    without = load_scenario("abe_2015", overrides={"initiatives.japan_2015_tour.enabled": False})
    a = GreatGameModel(abe, rng=3).run()
    b = GreatGameModel(without, rng=3).run()
    j, tm = a._pi["japan"], a._ri["turkmenistan"]
    assert b.investment[j, tm] < a.investment[j, tm]
    assert not any("japan_2015_tour" in text for _, _, text in b.log)
    assert any("japan_2015_tour" in text for _, _, text in a.log)


def test_scheduled_events_fire_at_their_dates(abe):
    m = GreatGameModel(abe, rng=0).run()
    fired = {text: date for _, date, text in m.log}
    launch = [d for t, d in fired.items() if t.startswith("China-Central Asia launched")]
    assert launch == ["2020-Q3"]
    ua = [d for t, d in fired.items() if "russia pledges" in t]
    assert ua == ["2017-Q2"]


@pytest.mark.parametrize("name", shipped_names())
def test_each_shipped_scenario_runs(name):
    ls = load_scenario(name)
    m = GreatGameModel(ls, rng=0).run()
    assert m.steps == ls.scenario.steps and not m.running
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == ls.scenario.steps + 1
    assert df["incumbent_share_mean"].between(0, 1).all()


# ---------------------------------------------------------------- Mesa's own tools


def test_mesa_batch_run_with_seeds():
    rows = mesa.batch_run(GreatGameModel, parameters={"scenario": "abe_2015", "years": 2}, rng=[1, 2, 3],
                          max_steps=8, number_processes=1, data_collection_period=1, display_progress=False)
    df = pd.DataFrame(rows)
    assert set(df["rng"]) == {1, 2, 3}
    assert df.groupby("rng")["Step"].max().eq(8).all()
    direct = GreatGameModel("abe_2015", rng=2, years=2).run().datacollector.get_model_vars_dataframe()
    batch = df[df["rng"] == 2].drop_duplicates("Step").set_index("Step")["incumbent_share_mean"]
    np.testing.assert_allclose(batch.to_numpy(), direct["incumbent_share_mean"].to_numpy())


def test_reporters_are_picklable(abe):
    m = GreatGameModel(abe, rng=0)
    pickle.dumps(m.datacollector.model_reporters)
    pickle.dumps(m.datacollector.agenttype_reporters)


# ---------------------------------------------------------------- landscape theory


def brute_force(sizes, prop):
    n = len(sizes)
    best = None
    for bits in itertools.product((0, 1), repeat=n - 1):
        x = (0, *bits)
        e = sum(sizes[i] * sizes[j] * prop[i, j] * (x[i] != x[j]) for i in range(n) for j in range(i + 1, n))
        if best is None or e < best[1] - 1e-12:
            best = (np.array(x), e)
    return best


def test_landscape_matches_brute_force():
    rng = np.random.default_rng(0)
    for n in (2, 4, 6, 9):
        for _ in range(5):
            sizes = rng.random(n)
            p = rng.uniform(-1, 1, (n, n))
            p = (p + p.T) / 2
            np.fill_diagonal(p, 0)
            x, e = minimum_energy_split(sizes, p)
            bx, be = brute_force(sizes, p)
            assert e == pytest.approx(be)
            assert np.array_equal(x, bx) or np.array_equal(1 - x, bx)
            assert len(energies(sizes, p)) == 2 ** (n - 1)


def test_landscape_textbook_two_pairs():
    # 0-1 friends, 2-3 friends, the pairs enemies.
    p = np.array([[0, 1, -1, -1], [1, 0, -1, -1], [-1, -1, 0, 1], [-1, -1, 1, 0]], float)
    x, e = minimum_energy_split(np.ones(4), p)
    assert list(x) == [0, 0, 1, 1] and e == pytest.approx(-4.0)


# ---------------------------------------------------------------- the graph


def test_graph_is_the_public_view(abe):
    m = GreatGameModel(abe, rng=5).run()
    g = m.graph
    assert set(g.nodes) == set(m.power_ids) | set(m.republic_ids)
    for i, p in enumerate(m.power_ids):
        assert g.nodes[p]["bloc"] == m.blocs[i]
        for j, r in enumerate(m.republic_ids):
            e = g.edges[p, r]
            assert e["weight"] == pytest.approx(m.influence[i, j])
            assert e["alignment"] == pytest.approx(m.alignment[j, i])
            assert e["trade"] == pytest.approx(m.scores[0, i, j])
    assert g.edges["china", "japan"]["rivalry"] > 0
    assert g.edges["china", "russia"]["rivalry"] == 0
    assert g.graph["date"] == m.date == "2030-Q4"
