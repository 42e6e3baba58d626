"""Model behaviour: reproducibility, invariants, the cited base year, responses, Mesa's tools,
landscape theory and the graph.

Shared scenarios and finished runs come from conftest.py (``abe``, ``scenario``,
``finished_run``, ``shipped_or_skip``); they are read-only here.
"""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pandas as pd
import pytest

import mesa
from greatgame.sim import GreatGameModel, load_scenario, shipped_names
from greatgame.sim.agents import MEMBER, NONE, OBSERVER, PowerAgent, RepublicAgent
from greatgame.sim.landscape import all_splits, energies, minimum_energy_split
from landscape_cases import random_instance, same_partition

MORE_JAPANESE_AID = {"powers.japan.budget.grants": 0.5, "powers.japan.budget.loans": 1.0}
NO_TOUR = {"initiatives.japan_2015_tour.enabled": False}

# Every array of state a run ends with; same seed, same inputs -> bit-identical.
STATE_ARRAYS = ("alignment", "target", "trade", "aid", "investment", "debt", "energy", "influence",
                "influence_share", "scores", "utility", "favour", "political", "rr_political", "security",
                "membership", "forum_active", "blocs", "gdp_r", "gdp_p", "row_trade", "row_energy", "budget")


def frames(m):
    dc = m.datacollector
    return (dc.get_model_vars_dataframe(), dc.get_agenttype_vars_dataframe(RepublicAgent),
            dc.get_agenttype_vars_dataframe(PowerAgent))


def republic_frame(m) -> pd.DataFrame:
    return m.datacollector.get_agenttype_vars_dataframe(RepublicAgent)


def alignment_columns(m) -> list[str]:
    return [f"alignment_{p}" for p in m.power_ids]


# ---------------------------------------------------------------- 1. reproducibility


def test_same_seed_identical_results(abe):
    a = GreatGameModel(abe, rng=11).run()
    b = GreatGameModel(abe, rng=11).run()
    assert a.steps == b.steps == abe.scenario.steps
    for fa, fb in zip(frames(a), frames(b)):
        assert len(fa) > 0
        pd.testing.assert_frame_equal(fa, fb, check_exact=True)
    for name in STATE_ARRAYS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.log == b.log
    assert a.wedge_achieved == b.wedge_achieved


def test_same_seed_by_name_and_by_loaded_scenario():
    """The seed, not the way the scenario is handed over, decides the run."""
    a = GreatGameModel("abe_2015", rng=4, years=3).run()
    b = GreatGameModel(load_scenario("abe_2015", years=3), rng=4).run()
    for fa, fb in zip(frames(a), frames(b)):
        pd.testing.assert_frame_equal(fa, fb, check_exact=True)


def test_different_seeds_give_different_alignment_trajectories(abe):
    a = republic_frame(GreatGameModel(abe, rng=1).run())
    b = republic_frame(GreatGameModel(abe, rng=2).run())
    cols = [c for c in a.columns if c.startswith("alignment_")]
    assert len(cols) == 4
    assert a.index.equals(b.index)
    gap = (a[cols] - b[cols]).abs().max(axis=1).groupby(level="Step").max()
    assert gap.loc[0] == 0.0  # same start: the polled shares
    # from the first quarter on, the utility shocks differ at every step
    assert (gap.drop(index=0) > 1e-6).all(), gap[gap <= 1e-6]


# ---------------------------------------------------------------- 2. invariants


def check_invariants(m):
    assert (m.alignment >= 0).all()
    np.testing.assert_allclose(m.alignment.sum(axis=1), 1.0, rtol=0, atol=1e-9)
    for name in ("trade", "aid", "investment", "debt", "energy", "political", "security"):
        assert (getattr(m, name) >= 0).all(), name
    assert (m.row_trade >= 0).all() and (m.row_energy >= 0).all()
    assert ((m.favour >= 0) & (m.favour <= 1)).all()
    assert ((m.scores >= 0) & (m.scores <= 1)).all()
    assert set(np.unique(m.membership)) <= {NONE, OBSERVER, MEMBER}


class Checked(GreatGameModel):
    """Checks the invariants after every step (and counts the checks)."""

    def step(self):
        super().step()
        check_invariants(self)
        self.checked = getattr(self, "checked", 0) + 1


INVARIANT_CASES = [("abe_2015", seed) for seed in range(5)] + [
    (name, seed) for name in shipped_names() if name != "abe_2015" for seed in range(3)]


@pytest.mark.parametrize("name,seed", INVARIANT_CASES)
def test_invariants_every_step(scenario, name, seed):
    ls = scenario(name)
    m = Checked(ls, rng=seed)
    check_invariants(m)  # step 0
    m.run()
    assert m.checked == ls.scenario.steps == m.steps


# ---------------------------------------------------------------- 3. the cited base year


def test_base_year_reproduces_cited_trade(abe):
    m = GreatGameModel(abe, rng=0)
    assert m.steps == 0
    china, japan = m._pi["china"], m._pi["japan"]
    assert m.trade[china].sum() == pytest.approx(38.0, rel=1e-12)
    assert m.trade[japan].sum() == pytest.approx(2.0, rel=1e-12)
    # the figures come from the scenario file, with their source and quote
    for power, figure in (("china", "38 billion"), ("japan", "2 billion")):
        prov = abe.provenance[f"trade.{power}.total"]
        assert prov.source == "cctv_2015"
        assert figure in prov.quote
    assert abe.scenario.trade["china"].total == 38
    assert abe.scenario.trade["japan"].total == 2
    # split by the file's weights: Kazakhstan carries half of China's trade and 60% of Japan's
    assert m.trade[china, m._ri["kazakhstan"]] == pytest.approx(19.0)
    assert m.trade[japan, m._ri["kazakhstan"]] == pytest.approx(1.2)
    # the step-0 rows of the DataCollector carry the same figures
    rep = republic_frame(m)
    assert len(rep.loc[0]) == 5
    assert rep.loc[0, "trade_china"].sum() == pytest.approx(38.0)
    assert rep.loc[0, "trade_japan"].sum() == pytest.approx(2.0)


def test_base_year_trade_is_read_not_hard_coded(scenario):
    ls = scenario("abe_2015", {"trade.china.total": 50})
    assert ls.provenance["trade.china.total"].source is None
    assert ls.provenance["trade.china.total"].assumption == "set on the command line"
    m = GreatGameModel(ls, rng=0)
    assert m.trade[m._pi["china"]].sum() == pytest.approx(50.0)
    assert m.trade[m._pi["japan"]].sum() == pytest.approx(2.0)


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


# ---------------------------------------------------------------- 4. monotone response


@pytest.mark.parametrize("seed", range(5))
def test_more_japanese_aid_never_lowers_japans_share(finished_run, seed):
    base = finished_run("abe_2015", seed)
    richer = finished_run("abe_2015", seed, MORE_JAPANESE_AID)
    j = base._pi["japan"]
    assert richer.spec.powers["japan"].budget.grants == 0.5
    assert richer.spec.powers["japan"].budget.loans == 1.0
    assert base.spec.powers["japan"].budget.grants < 0.5
    # at the horizon, in every republic
    assert (richer.alignment[:, j] >= base.alignment[:, j]).all(), richer.alignment[:, j] - base.alignment[:, j]
    assert richer.alignment[:, j].mean() > base.alignment[:, j].mean()
    # and all the way there
    rb, rr = republic_frame(base)["alignment_japan"], republic_frame(richer)["alignment_japan"]
    assert rb.index.equals(rr.index)
    assert (rr >= rb).all(), (rr - rb)[rr < rb]


# ---------------------------------------------------------------- 5. magnitudes


# The model's answer (whether Japan's share passes China's, whether a wedge comes) is
# measured by `greatgame wedge` and reported with intervals; it is not asserted here.
# tests/test_mechanisms.py pins down the responses that produce it.


# ---------------------------------------------------------------- 6. Turkmenistan's neutrality


@pytest.mark.parametrize("seed", range(5))
def test_turkmenistan_stays_out_of_sco_and_csto(finished_run, seed):
    m = finished_run("abe_2015", seed)
    tm = m._ri["turkmenistan"]
    col = m.n_powers + tm
    rep = republic_frame(m).xs(m.republic_agents[tm].unique_id, level="AgentID")
    assert len(rep) == m.steps + 1 == 61
    for forum in ("sco", "csto"):
        levels = rep[f"forum_{forum}"]
        assert (levels == "none").all(), levels[levels != "none"]
        assert m.membership[m.forum_ids.index(forum), col] == NONE


def test_neutrality_is_the_reason(scenario):
    """A Turkmenistan aligned with Russia would enter the CSTO by the alignment rule; permanent
    neutrality is what keeps it out (the rule, not a hard-coded exclusion)."""
    results = {}
    for neutrality, ls in (("permanent", scenario("abe_2015")),
                           ("none", scenario("abe_2015", {"republics.turkmenistan.neutrality": "none"}))):
        m = GreatGameModel(ls, rng=0)
        tm = m._ri["turkmenistan"]
        agent = m.republic_agents[tm]
        assert agent.neutrality == neutrality
        m.alignment[tm] = 0.0
        m.alignment[tm, m._pi["russia"]] = 1.0  # affinity with the CSTO: 4x parity
        agent.review_forums()
        results[neutrality] = int(m.membership[m.forum_ids.index("csto"), m.n_powers + tm])
    assert results == {"permanent": NONE, "none": OBSERVER}


# ---------------------------------------------------------------- 7. every shipped scenario


@pytest.mark.parametrize("name", shipped_names())
def test_each_shipped_scenario_runs(scenario, name):
    ls = scenario(name)
    m = GreatGameModel(ls, rng=0).run()
    assert m.steps == m.horizon == ls.scenario.steps > 0
    assert not m.running
    assert m.date == m.date_of(ls.scenario.steps)
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == ls.scenario.steps + 1
    assert df["incumbent_share_mean"].between(0, 1).all()
    assert len(republic_frame(m)) == len(m.republic_ids) * (ls.scenario.steps + 1)


# ---------------------------------------------------------------- 8. Mesa's batch_run


def test_mesa_batch_run_with_seeds():
    seeds = [1, 2, 3]
    rows = mesa.batch_run(GreatGameModel, parameters={"scenario": "abe_2015", "years": 2}, rng=seeds,
                          max_steps=8, number_processes=1, data_collection_period=1, display_progress=False)
    df = pd.DataFrame(rows)
    assert sorted(df["rng"].unique()) == seeds
    for seed in seeds:
        direct = GreatGameModel("abe_2015", rng=seed, years=2).run()
        ours = [r for r in rows if r["rng"] == seed]
        n_agents = len(direct.power_ids) + len(direct.republic_ids)
        assert len(ours) == (direct.steps + 1) * n_agents == 9 * 9
        assert sorted({r["Step"] for r in ours}) == list(range(9))
        # model-level columns: one value per step, equal to the direct run's
        model_vars = direct.datacollector.get_model_vars_dataframe()
        per_step = pd.DataFrame(ours).drop_duplicates("Step").sort_values("Step")
        pd.testing.assert_frame_equal(per_step[list(model_vars.columns)].reset_index(drop=True),
                                      model_vars.reset_index(drop=True), check_exact=True)
        # agent-level rows: every reporter of every agent at every step
        expected = {}
        for agent_type in (RepublicAgent, PowerAgent):
            frame = direct.datacollector.get_agenttype_vars_dataframe(agent_type)
            for (step, aid), values in frame.to_dict("index").items():
                expected[(int(step), int(aid))] = values
        assert len(expected) == len(ours)
        for row in ours:
            want = expected[(int(row["Step"]), int(row["AgentID"]))]
            assert {k: row[k] for k in want} == want, (seed, row["Step"], row["AgentID"])


def ema_greatgame(loans: float = 0.5, choice_sensitivity: float = 4.0, seed: int = 1) -> dict:
    """The model as an EMA Workbench function: uncertainties in, named outcomes out."""
    m = GreatGameModel("japan_all_in", rng=int(seed), years=2, collect_every=0,
                       overrides={"powers.japan.budget.loans": loans, "parameters.choice_sensitivity": choice_sensitivity})
    out = m.run().wedge_measures()
    return {"incumbent_share_mean": out["incumbent_share_mean"], "wedge_achieved": float(out["wedge_achieved"])}


@pytest.mark.filterwarnings("ignore:ipyparallel not installed:UserWarning")
def test_ema_workbench_drives_the_model():
    """EMA Workbench's own experiment loop runs the model through wedge_measures(); each
    experiment equals a direct run with the same values and seed."""
    from ema_workbench import IntegerParameter, Model, RealParameter, ScalarOutcome, perform_experiments
    from ema_workbench.em_framework.evaluators import SequentialEvaluator

    model = Model("greatgame", function=ema_greatgame)
    model.uncertainties = [RealParameter("loans", 0.1, 3.0), RealParameter("choice_sensitivity", 2.0, 8.0),
                           IntegerParameter("seed", 1, 1000)]
    model.outcomes = [ScalarOutcome("incumbent_share_mean"), ScalarOutcome("wedge_achieved")]
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, 6, evaluator=evaluator)
    assert len(experiments) == 6 and len(outcomes["incumbent_share_mean"]) == 6
    assert len(set(outcomes["incumbent_share_mean"])) == 6  # the inputs matter
    for i, row in experiments.iterrows():
        direct = ema_greatgame(row["loans"], row["choice_sensitivity"], row["seed"])
        assert outcomes["incumbent_share_mean"][i] == direct["incumbent_share_mean"]
        assert outcomes["wedge_achieved"][i] == direct["wedge_achieved"]


# ---------------------------------------------------------------- 12. picklable reporters


def test_reporters_are_picklable(abe):
    m = GreatGameModel(abe, rng=0).run()
    dc = m.datacollector
    model_rep = pickle.loads(pickle.dumps(dc.model_reporters))
    type_rep = pickle.loads(pickle.dumps(dc.agenttype_reporters))
    assert set(model_rep) == set(dc.model_reporters)
    for name, fn in model_rep.items():
        assert fn(m) == dc.model_reporters[name](m), name
    assert {t.__name__ for t in type_rep} == {"RepublicAgent", "PowerAgent"}
    for agent_type, reps in dc.agenttype_reporters.items():
        copies = next(v for t, v in type_rep.items() if t.__name__ == agent_type.__name__)
        assert set(copies) == set(reps)
        for agent in m.agents_by_type[agent_type]:
            for name, fn in copies.items():
                assert fn(agent) == reps[name](agent), name


# ---------------------------------------------------------------- 9. landscape theory


def energy_by_definition(sizes, prop, x) -> float:
    """E = sum_{i<j} s_i s_j p_ij d_ij, the double loop of Axelrod and Bennett."""
    n = len(sizes)
    return sum(sizes[i] * sizes[j] * prop[i, j] * (x[i] != x[j]) for i in range(n) for j in range(i + 1, n))


def brute_force(sizes, prop):
    best = None
    for x in itertools.product((0, 1), repeat=len(sizes)):
        e = energy_by_definition(sizes, prop, x)
        if best is None or e < best[1] - 1e-12:
            best = (np.array(x), e)
    return best


def test_landscape_matches_brute_force():
    rng = np.random.default_rng(0)
    for n in (2, 3, 4, 6, 8):
        for _ in range(6):
            sizes, p = random_instance(rng, n)
            x, e = minimum_energy_split(sizes, p)
            bx, be = brute_force(sizes, p)
            assert e == pytest.approx(be, abs=1e-12)
            assert energy_by_definition(sizes, p, x) == pytest.approx(e, abs=1e-12)
            assert same_partition(x, bx)
            # every split's energy, not only the minimum
            splits = all_splits(n)
            assert splits.shape == (2 ** (n - 1), n) and (splits[:, 0] == 0).all()
            want = [energy_by_definition(sizes, p, s) for s in splits]
            np.testing.assert_allclose(energies(sizes, p), want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (0, 2, 1, 3), (3, 1, 0, 2)])
def test_landscape_textbook_two_pairs(order):
    """Two friendly pairs that are mutual enemies split into the two pairs, whatever the labels."""
    pair_of = {order[0]: 0, order[1]: 0, order[2]: 1, order[3]: 1}
    p = np.array([[0.0 if i == j else (1.0 if pair_of[i] == pair_of[j] else -1.0) for j in range(4)]
                  for i in range(4)])
    for sizes in (np.ones(4), np.array([0.4, 0.3, 0.2, 0.1])):
        x, e = minimum_energy_split(sizes, p)
        assert same_partition(x, [pair_of[i] for i in range(4)]), x
        cross = sum(sizes[i] * sizes[j] for i in range(4) for j in range(4) if i < j and pair_of[i] != pair_of[j])
        assert e == pytest.approx(-cross)
    assert minimum_energy_split(np.ones(4), p)[1] == pytest.approx(-4.0)


# ---------------------------------------------------------------- 10. the graph


def check_graph(m):
    g = m.graph
    assert set(g.nodes) == set(m.power_ids) | set(m.republic_ids)
    assert g.number_of_nodes() == m.n_powers + m.n_republics
    P = m.n_powers
    for i, p in enumerate(m.power_ids):
        assert g.nodes[p]["kind"] == "power"
        assert g.nodes[p]["bloc"] == m.blocs[i]
        for j, r in enumerate(m.republic_ids):
            e = g.edges[p, r]
            assert e["weight"] == m.influence[i, j]
            assert e["alignment"] == m.alignment[j, i]
            assert e["trade"] == m.scores[0, i, j]
    for j, r in enumerate(m.republic_ids):
        assert g.nodes[r]["kind"] == "republic"
        assert g.nodes[r]["bloc"] == m.blocs[P + j]
    assert g.graph["step"] == m.steps and g.graph["date"] == m.date


def test_graph_is_the_public_view(abe):
    m = GreatGameModel(abe, rng=5)
    check_graph(m)
    m.run_for(7)
    check_graph(m)
    m.run()
    check_graph(m)
    g = m.graph
    assert g.edges["china", "japan"]["rivalry"] > 0
    assert g.edges["china", "russia"]["rivalry"] == 0
    assert g.graph["date"] == m.date == "2030-Q4"


# ---------------------------------------------------------------- 11. counterfactual switch


def test_counterfactual_switch_removes_the_tour(finished_run):
    a = finished_run("abe_2015", 3)
    b = finished_run("abe_2015", 3, NO_TOUR)
    assert a.spec.initiatives["japan_2015_tour"].enabled
    assert not b.spec.initiatives["japan_2015_tour"].enabled
    j, tm = a._pi["japan"], a._ri["turkmenistan"]
    assert b.investment[j, tm] < a.investment[j, tm]
    assert not any("japan_2015_tour" in text for _, _, text in b.log)
    assert any("japan_2015_tour" in text for _, _, text in a.log)


def test_scheduled_events_fire_at_their_dates(finished_run):
    m = finished_run("abe_2015", 0)
    fired = {text: date for _, date, text in m.log}
    launch = [d for t, d in fired.items() if t.startswith("China-Central Asia launched")]
    assert launch == ["2020-Q3"]
    ua = [d for t, d in fired.items() if "russia pledges" in t]
    assert ua == ["2017-Q2"]


# ---------------------------------------------------------------- 13. reporters read the state


def test_reporter_columns_match_the_state_arrays(finished_run):
    """Every column the DataCollector writes is the model's array at that step (read at the end)."""
    m = finished_run("abe_2015", 2)
    last = republic_frame(m).xs(m.steps, level="Step")
    R = m.n_republics
    share = m.trade / (m.trade.sum(axis=0) + m.row_trade)
    for j, agent in enumerate(m.republic_agents):
        row = last.loc[agent.unique_id]
        assert row["gdp"] == pytest.approx(m.gdp_r[j], rel=1e-12)
        assert row["incumbent_share"] == pytest.approx(m.incumbent_share[j], rel=1e-12)
        assert row["bloc"] == m.blocs[m.n_powers + j]
        for i, p in enumerate(m.power_ids):
            assert row[f"alignment_{p}"] == pytest.approx(m.alignment[j, i], rel=1e-12)
            assert row[f"influence_{p}"] == pytest.approx(m.influence[i, j], rel=1e-12)
            assert row[f"trade_{p}"] == pytest.approx(m.trade[i, j], rel=1e-12)
            assert row[f"trade_share_{p}"] == pytest.approx(share[i, j], rel=1e-12)
            assert row[f"aid_stock_{p}"] == pytest.approx(m.aid[i, j], rel=1e-12)
            for c, channel in enumerate(("trade", "aid", "investment", "remittances", "energy",
                                         "political", "security", "soft_power")):
                assert row[f"{channel}_score_{p}"] == pytest.approx(m.scores[c, i, j], rel=1e-12), (channel, p)
        for f, fid in enumerate(m.forum_ids):
            level = row[f"forum_{fid}"]
            assert level == ("inactive" if not m.forum_active[f] else
                             {MEMBER: "member", OBSERVER: "observer", NONE: "none"}[m.membership[f, m.n_powers + j]])
    model_last = m.datacollector.get_model_vars_dataframe().iloc[-1]
    assert model_last["incumbent_share_mean"] == pytest.approx(m.incumbent_share.mean(), rel=1e-12)
    assert model_last["wedged_republics"] == int(m.wedged.sum())
    assert len(last) == R


# ---------------------------------------------------------------- 14. random streams


def stream_states(m) -> dict:
    return {name: g.bit_generator.state for name, g in m.streams.items()}


def test_number_of_draws_does_not_depend_on_budgets(scenario):
    """A power with no money makes no offers, yet every stream is drawn exactly as often."""
    broke = {"powers.japan.budget.grants": 0.0, "powers.japan.budget.loans": 0.0,
             "powers.japan.budget.investment": 0.0}
    a = GreatGameModel(scenario("abe_2015"), rng=9).run()
    b = GreatGameModel(scenario("abe_2015", broke), rng=9).run()
    assert stream_states(a) == stream_states(b)
    assert not np.array_equal(a.alignment, b.alignment)  # the budgets did matter


def test_a_new_forum_leaves_the_other_shocks_common(scenario):
    """kishida_2024 adds a forum; the trade, offer and hedging shocks of a paired run stay the
    same draws (common random numbers for counterfactuals), and so does the number of meeting
    draws per forum."""
    a = GreatGameModel(scenario("history"), rng=4)
    b = GreatGameModel(scenario("kishida_2024"), rng=4)
    assert len(b.forum_ids) == len(a.forum_ids) + 1
    a.run_for(20)
    b.run_for(20)
    sa, sb = stream_states(a), stream_states(b)
    for name in ("trade", "offers", "hedging"):
        assert sa[name] == sb[name], name
    # Before the 2024 summit the two runs are the same run.
    np.testing.assert_array_equal(a.alignment, b.alignment)


def test_meeting_counts_follow_the_poisson_rate():
    from greatgame.sim.model import _poisson_cdf

    rates = np.array([0.0, 0.125, 0.5, 3.0])
    cdf = _poisson_cdf(rates)
    u = np.random.default_rng(0).random((200_000, len(rates)))
    counts = (u[:, :, None] >= cdf[None]).sum(axis=2)
    assert (counts[:, 0] == 0).all()
    np.testing.assert_allclose(counts.mean(axis=0), rates, atol=0.02)
    np.testing.assert_allclose(counts.var(axis=0), rates, atol=0.05)


# ---------------------------------------------------------------- 15. forum affinity


def test_joining_a_two_power_forum_is_reachable(scenario):
    """The SCO has two member powers of four; a republic leaning far enough to them joins it.
    (A measure capped at its threshold would make this impossible.)"""
    m = GreatGameModel(scenario("abe_2015", {"republics.turkmenistan.neutrality": "none"}), rng=0)
    tm, sco = m._ri["turkmenistan"], m.forum_ids.index("sco")
    agent = m.republic_agents[tm]
    m.alignment[tm] = [0.05, 0.45, 0.45, 0.05]  # japan, china, russia, united_states
    assert agent.forum_affinity(sco) == pytest.approx((0.9 / 2) / (0.1 / 2))
    agent.review_forums()
    assert m.membership[sco, m.n_powers + tm] == OBSERVER
    # Even-handed: affinity 1, below the binding threshold; nothing changes.
    m2 = GreatGameModel(scenario("abe_2015", {"republics.turkmenistan.neutrality": "none"}), rng=0)
    m2.alignment[tm] = 0.25
    assert m2.republic_agents[tm].forum_affinity(sco) == pytest.approx(1.0)
    m2.republic_agents[tm].review_forums()
    assert m2.membership[sco, m2.n_powers + tm] == NONE


def test_permanent_neutrality_caps_dialogues_at_observer(finished_run):
    """Turkmenistan stays an observer of Central Asia plus Japan however its alignment moves."""
    for seed in range(3):
        m = finished_run("japan_all_in", seed)
        f = m.forum_ids.index("central_asia_plus_japan")
        assert m.membership[f, m.n_powers + m._ri["turkmenistan"]] == OBSERVER


# ---------------------------------------------------------------- 13. scale, finite outcomes, clients (issue 13)

from greatgame.sim import landscape  # noqa: E402
from greatgame.sim.errors import NonFiniteOutcome  # noqa: E402
from greatgame.sim.schema import Scenario  # noqa: E402


def test_heuristic_split_finds_the_exact_optimum_on_small_cases():
    rng = np.random.default_rng(13)
    for n in range(2, landscape.EXACT_MAX_ACTORS + 1):
        for _ in range(8):
            sizes, p = random_instance(rng, n)
            x, e = minimum_energy_split(sizes, p)
            hx, he = landscape.greedy_split(sizes, p, np.random.default_rng(n))
            assert he == pytest.approx(e, abs=1e-12), n
            assert hx[0] == 0 and energy_by_definition(sizes, p, hx) == pytest.approx(he, abs=1e-12)
    for order in [(0, 1, 2, 3), (3, 1, 0, 2)]:  # the textbook case: two pairs
        pair_of = {order[0]: 0, order[1]: 0, order[2]: 1, order[3]: 1}
        p = np.array([[0.0 if i == j else (1.0 if pair_of[i] == pair_of[j] else -1.0) for j in range(4)]
                      for i in range(4)])
        assert same_partition(landscape.greedy_split(np.ones(4), p, rng)[0], [pair_of[i] for i in range(4)])


def test_best_split_switches_method_at_the_documented_size():
    rng = np.random.default_rng(1)
    n = landscape.EXACT_MAX_ACTORS
    assert landscape.best_split(*random_instance(rng, n), rng=rng)[2] == "exact"
    x, e, method = landscape.best_split(*random_instance(rng, n + 1), rng=rng)
    assert method == "heuristic" and len(x) == n + 1
    with pytest.raises(ValueError, match="exact enumeration is limited"):
        all_splits(26)  # 2^25 splits x 26 actors would take gigabytes: refused, not attempted


def many_republics(extra: int) -> Scenario:
    """abe_2015 (one year) with ``extra`` copies of Kazakhstan (r0, r1, ...)."""
    plain = load_scenario("abe_2015", years=1).scenario.model_dump()
    for i in range(extra):
        plain["republics"][f"r{i}"] = dict(plain["republics"]["kazakhstan"], name=f"R{i}")
    return Scenario.model_validate(plain)


def test_thirty_actors_run_with_the_heuristic_and_repeat_exactly():
    sc = many_republics(21)
    assert len(sc.powers) + len(sc.republics) == 30
    a = GreatGameModel(sc, rng=4).run()
    b = GreatGameModel(sc, rng=4).run()
    assert a.landscape_method == "heuristic" and a.wedge_measures()["landscape_method"] == "heuristic"
    np.testing.assert_array_equal(a.blocs, b.blocs)
    assert a.landscape_energy == b.landscape_energy and np.isfinite(a.landscape_energy)
    # the split is a local minimum: no single actor can lower the energy by moving
    sizes = a.landscape_sizes
    for i in range(30):
        moved = a.blocs.copy()
        moved[i] = 1 - moved[i]
        assert landscape.split_energy(sizes, a._propensity, moved) >= a.landscape_energy - 1e-12
    small = GreatGameModel("abe_2015", rng=4, years=1)
    assert small.landscape_method == "exact" and small.wedge_measures()["landscape_method"] == "exact"


def test_the_heuristic_stream_leaves_the_other_streams_alone():
    """The landscape's stream is spawned after the mechanisms' streams: adding it changes no
    other draw, so the alignment path of 30 actors is that of the same run split exactly."""
    sc = many_republics(21)
    a = GreatGameModel(sc, rng=9).run()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(landscape, "EXACT_MAX_ACTORS", 10**6)
        mp.setattr(landscape, "minimum_energy_split",
                   lambda s, p, symmetric=False: landscape.greedy_split(s, p, np.random.default_rng(0), symmetric=symmetric))
        b = GreatGameModel(sc, rng=9).run()
    np.testing.assert_array_equal(a.alignment, b.alignment)


def test_a_non_finite_outcome_is_an_error_naming_the_measure():
    m = GreatGameModel("abe_2015", rng=1, years=2, collect_every=1)
    m.step()
    m.gdp_r[0] = 0.0  # what a subnormal GDP used to do: 1 / GDP = inf, then NaN
    with np.errstate(all="ignore"), pytest.raises(NonFiniteOutcome) as info:
        m.step()
    msg = str(info.value)
    assert msg.startswith(("influence: ", "alignment: ")) and "non-finite value (NaN or inf) at step 2" in msg
    assert "\n" not in msg
    m2 = GreatGameModel("abe_2015", rng=1, years=2, collect_every=0)
    m2.alignment[0, 0] = np.nan
    m2._measured_step = -1
    with pytest.raises(NonFiniteOutcome, match="^alignment: "):
        m2.wedge_measures()  # never reported as "no wedge"


def test_construction_by_name_is_cached_but_each_model_has_its_own_scenario():
    a = GreatGameModel("abe_2015", rng=1, years=1)
    b = GreatGameModel("abe_2015", rng=1, years=1)
    assert a.spec == b.spec and a.spec is not b.spec
    a.spec.powers["japan"].budget.grants = 123.0
    c = GreatGameModel("abe_2015", rng=1, years=1)
    assert c.spec.powers["japan"].budget.grants != 123.0
    np.testing.assert_array_equal(b.run().alignment, c.run().alignment)


def _solara_build_kwargs():
    """Mesa's own ``_build_model_init_kwargs`` (what SolaraViz's Reset calls). Without solara
    installed the module cannot be imported, so its two functions are taken from its source."""
    try:
        from mesa.visualization.solara_viz import _build_model_init_kwargs

        return _build_model_init_kwargs
    except ImportError:
        import ast
        import inspect
        from pathlib import Path

        from mesa.experimental.scenarios import Scenario as MesaScenario

        source = (Path(mesa.__file__).parent / "visualization" / "solara_viz.py").read_text(encoding="utf-8")
        wanted = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)
                  and n.name in ("_build_model_init_kwargs", "_get_scenario_defaults")]
        assert len(wanted) == 2, "Mesa's SolaraViz no longer has these functions: update this test"
        namespace = {"inspect": inspect, "Scenario": MesaScenario, "Any": object, "Model": mesa.Model}
        exec(compile(ast.Module(body=wanted, type_ignores=[]), "solara_viz.py", "exec"), namespace)
        return namespace["_build_model_init_kwargs"]


def test_solaraviz_reset_rebuilds_the_model():
    from mesa.experimental.scenarios import Scenario as MesaScenario

    build = _solara_build_kwargs()
    params = {"setup": "kishida_2024", "years": 2}
    m = GreatGameModel(**params, rng=5)
    m.run_for(3)
    assert isinstance(m.scenario, MesaScenario)  # Mesa's own object, beside ours in m.spec
    for _ in range(2):  # Reset, twice
        kwargs = build(m, params, add_scenario_when_empty=True, require_model_accepts_scenario=True)
        assert isinstance(kwargs["scenario"], MesaScenario)
        m = type(m)(**kwargs)
        assert m.steps == 0 and m.spec.name == "kishida_2024" and m.horizon == 8
        m.run()
        assert m.steps == 8 and np.isfinite(m.alignment).all()


def test_mesa_batch_run_by_name_with_numpy_seeds():
    seeds = [np.int64(3), np.int32(4)]
    rows = mesa.batch_run(GreatGameModel, parameters={"scenario": ["abe_2015", "us_disengaged"], "years": 1},
                          rng=seeds, max_steps=4, number_processes=1, data_collection_period=-1,
                          display_progress=False)
    df = pd.DataFrame(rows)
    assert len(df.groupby(["scenario", "rng"])) == 4
    for (name, seed), group in df.groupby(["scenario", "rng"]):
        direct = GreatGameModel(name, rng=int(seed), years=1).run().wedge_measures()
        got = group.iloc[0]
        assert got["incumbent_share_mean"] == direct["incumbent_share_mean"], (name, seed)
        assert got["wedge_achieved"] == direct["wedge_achieved"]


@pytest.mark.filterwarnings("ignore:ipyparallel not installed:UserWarning")
def test_readme_ema_example_runs_as_written():
    """The README's EMA Workbench block, exec'd from the README itself (with 3 experiments
    instead of 200); EMA draws the seeds (numpy integers) itself."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```python\n")[1:]
    code = next(b.split("```")[0] for b in blocks if "perform_experiments(model, 200)" in b)
    code = code.replace("perform_experiments(model, 200)", "perform_experiments(model, 3)")
    namespace = {"GreatGameModel": GreatGameModel}  # imported by the README's block before it
    exec(compile(code, "README.md", "exec"), namespace)
    experiments, outcomes = namespace["experiments"], namespace["outcomes"]
    assert len(experiments) == 3 and np.issubdtype(experiments["seed"].dtype, np.integer)
    for i, row in experiments.iterrows():
        seed = experiments["seed"].iloc[i]
        assert isinstance(seed, np.integer)  # as EMA hands it over
        direct = namespace["greatgame"](loans=row["loans"], choice_sensitivity=row["choice_sensitivity"], seed=seed)
        assert outcomes["incumbent_share_mean"][i] == direct["incumbent_share_mean"]
        assert outcomes["wedge_achieved"][i] == direct["wedge_achieved"]
