"""Counterfactual comparison (paired runs with common random numbers, bootstrap intervals)
and the wedge report (Wilson interval, the challenger's initiatives switched off)."""

from __future__ import annotations

import json
import re
import textwrap

import numpy as np
import pandas as pd
import pytest

from greatgame.analysis import compare as cmp
from greatgame.analysis.runs import replicate_seeds
from greatgame.cli import main
from greatgame.sim import GreatGameModel, ScenarioError, load_scenario

YEARS = 2


@pytest.fixture(scope="module")
def tour():
    """abe_2015 with and without the 2015 tour: 4 pairs over 2 years, one process."""
    return cmp.compare("abe_2015", without=["japan_2015_tour"], replicates=4, seed=5, years=YEARS)


def _arm(runs, key):
    return runs[runs["arm"] == key].set_index("run").sort_index()


# ---------------------------------------------------------------- paired runs


def test_scenario_against_itself_has_exactly_zero_effect():
    res = cmp.compare("abe_2015", "abe_2015", replicates=3, seed=2, years=YEARS)
    e = res.effects
    assert len(e) == 4 * (1 + 5) + 3 and set(e["republic"]) == {"all", *res.republics}
    assert (e["effect"] == 0).all() and (e["ci_low"] == 0).all() and (e["ci_high"] == 0).all()
    assert (e["mean_A"] == e["mean_B"]).all() and (e["n"] == 3).all()
    assert res.definition == "B - A" and (e["definition"] == "B - A").all()
    assert any("same scenario" in n for n in res.notes)
    # the arms did run (the shares are real numbers, not blanks)
    assert e.set_index(["measure", "republic"]).loc[("incumbent_share", "all"), "mean_A"] > 0.5


def test_without_pairs_share_seeds_and_effect_is_with_minus_without(tour):
    runs, e = tour.runs, tour.effects
    a, b = _arm(runs, "A"), _arm(runs, "B")
    seeds = replicate_seeds(5, 4)
    assert tour.seeds == seeds
    assert list(a["seed"]) == list(b["seed"]) == seeds          # common random numbers: run i, same seed
    assert len(runs) == 8 and not runs.duplicated(["run", "arm"]).any()
    assert tour.b.disabled == ("japan_2015_tour",)
    assert tour.a.scenario.initiatives["japan_2015_tour"].enabled
    assert not tour.b.scenario.initiatives["japan_2015_tour"].enabled
    assert tour.sign == -1 and tour.definition.startswith("A - B: with japan_2015_tour - without")
    # effect = mean over pairs of (with − without) = A − B
    row = tour.effect("challenger_share")
    assert row["effect"] == pytest.approx((a["challenger_share_mean"] - b["challenger_share_mean"]).mean(), abs=1e-15)
    assert row["effect"] == pytest.approx(row["mean_A"] - row["mean_B"], abs=1e-12)
    # the tour raises Japan's share and lowers China + Russia's, in every pair
    assert (a["challenger_share_mean"] > b["challenger_share_mean"]).all()
    assert row["effect"] > 0 and row["ci_low"] > 0
    inc = tour.effect("incumbent_share", "turkmenistan")
    assert inc["effect"] < 0 and inc["ci_high"] < 0
    # (c): count of republics the landscape puts opposite the incumbents
    flags = runs[[f"{r}:opposite_incumbents" for r in tour.republics]].sum(axis=1)
    assert (runs["opposite_republics"] == flags).all()
    assert runs["wedge_achieved"].dtype == bool


def test_a_run_repeats_alone_with_its_seed(tour):
    b = _arm(tour.runs, "B")
    seed = int(b.loc[2, "seed"])
    alone = GreatGameModel(load_scenario("abe_2015", overrides={"initiatives.japan_2015_tour.enabled": False},
                                         years=YEARS), rng=seed).run()
    last = alone.datacollector.get_model_vars_dataframe().iloc[-1]
    assert last["incumbent_share_mean"] == b.loc[2, "incumbent_share_mean"]
    assert last["challenger_share_mean"] == b.loc[2, "challenger_share_mean"]


def test_same_tables_on_one_and_two_workers(tour):
    two = cmp.compare("abe_2015", without=["japan_2015_tour"], replicates=4, seed=5, years=YEARS, workers=2)
    assert two.backend == "process pool of 2"
    pd.testing.assert_frame_equal(two.runs, tour.runs)
    pd.testing.assert_frame_equal(two.effects, tour.effects)
    pd.testing.assert_frame_equal(two.trajectories, tour.trajectories)


def test_two_scenarios_must_cover_the_same_period():
    with pytest.raises(ScenarioError, match="different periods.*--years"):
        cmp.compare(load_scenario("abe_2015", years=2), load_scenario("abe_2015", years=3), replicates=1)


def test_unknown_initiative_suggests_and_lists():
    with pytest.raises(ScenarioError) as err:
        cmp.compare("abe_2015", without=["japan_tour_2015"], replicates=1, years=1)
    msg = str(err.value)
    assert "unknown initiative 'japan_tour_2015' (did you mean 'japan_2015_tour'?)" in msg
    assert "japan_2015_tour (japan), china_xian_2023 (china)" in msg


# ---------------------------------------------------------------- statistics


def test_bootstrap_interval_contains_the_mean_and_is_reproducible():
    d = np.random.default_rng(0).normal(0.3, 1.0, 40)
    low, high = cmp.bootstrap_ci(d, seed=7)
    assert low < d.mean() < high
    assert high - low == pytest.approx(2 * 1.96 / np.sqrt(40), rel=0.25)  # about ±1.96 standard errors
    assert cmp.bootstrap_ci(d, seed=7) == (low, high)
    assert cmp.bootstrap_ci(d, seed=8) != (low, high)
    assert cmp.bootstrap_ci(d, seed=7, resamples=500) != (low, high)
    # identical differences: the interval is that value exactly
    assert cmp.bootstrap_ci([0.1] * 7, seed=1) == (0.1, 0.1)
    assert cmp.bootstrap_ci(np.zeros(5), seed=1) == (0.0, 0.0)


def test_effects_bootstrap_seeded_from_the_master_seed(tour):
    again = cmp.effects_table(tour.runs, tour.republics, seed=5, sign=-1, definition=tour.definition)
    pd.testing.assert_frame_equal(again, tour.effects)
    other = cmp.effects_table(tour.runs, tour.republics, seed=6, sign=-1, definition=tour.definition)
    assert not np.array_equal(other["ci_low"], tour.effects["ci_low"])
    # the interval of a measure is the one bootstrap_ci gives for its paired differences
    a, b = _arm(tour.runs, "A"), _arm(tour.runs, "B")
    d = a["kazakhstan:incumbent_share"] - b["kazakhstan:incumbent_share"]
    row = tour.effect("incumbent_share", "kazakhstan")
    assert (row["ci_low"], row["ci_high"]) == cmp.bootstrap_ci(d.to_numpy(), seed=5)
    assert row["ci_low"] <= row["effect"] <= row["ci_high"]


def test_wilson_interval_known_values():
    assert cmp.wilson_interval(0, 20) == (0.0, pytest.approx(0.16113, abs=1e-5))
    low, high = cmp.wilson_interval(10, 20)
    assert (low, high) == (pytest.approx(0.29930, abs=1e-5), pytest.approx(0.70070, abs=1e-5))
    assert cmp.wilson_interval(20, 20) == (pytest.approx(0.83887, abs=1e-5), 1.0)
    assert cmp.wilson_interval(3, 50) == (pytest.approx(0.0206, abs=1e-4), pytest.approx(0.1622, abs=1e-4))
    with pytest.raises(ValueError):
        cmp.wilson_interval(3, 2)


# ---------------------------------------------------------------- the wedge report


def test_wedge_report_switches_off_the_challengers_initiatives():
    rep = cmp.wedge_report("kishida_2024", replicates=3, seed=1, years=YEARS)
    assert rep.challenger == "japan" and rep.incumbents == ["china", "russia"]
    assert rep.initiatives == ["japan_2015_tour", "japan_tokyo_2025", "kishida_2024"]  # not china_xian_2023
    b = rep.comparison.b.scenario.initiatives
    assert not any(b[n].enabled for n in rep.initiatives) and b["china_xian_2023"].enabled and b["war_2022"].enabled
    assert rep.with_initiatives.n == rep.without_initiatives.n == 3
    assert rep.with_initiatives.k == int(rep.runs.loc[rep.runs["arm"] == "A", "wedge_achieved"].sum())
    assert (rep.with_initiatives.low, rep.with_initiatives.high) == cmp.wilson_interval(rep.with_initiatives.k, 3)
    shift = rep.effects[rep.effects["measure"] == "incumbent_share"]
    assert list(shift["republic"]) == ["all", *rep.scenario.republics]
    assert shift.iloc[0]["effect"] < 0                                      # Japan's initiatives lower China + Russia
    table = rep.probability_table()
    assert list(table["arm"]) == ["A", "B"] and table["interval"].iloc[0] == "Wilson score 95%"


def test_wedge_report_reads_challenger_from_the_scenario(tmp_path):
    f = tmp_path / "china_wedge.yaml"
    f.write_text(textwrap.dedent("""\
        name: china_wedge
        extends: abe_2015
        wedge: {challenger: china, incumbents: [russia]}
    """), encoding="utf-8")
    rep = cmp.wedge_report(str(f), replicates=2, seed=3, years=1)
    assert rep.challenger == "china" and rep.incumbents == ["russia"]
    assert rep.initiatives == ["china_xian_2023"]
    none = tmp_path / "quiet_japan.yaml"
    none.write_text("name: quiet_japan\nextends: abe_2015\ninitiatives: {japan_2015_tour: {enabled: false}}\n",
                    encoding="utf-8")
    rep = cmp.wedge_report(str(none), replicates=2, seed=3, years=1)
    assert rep.initiatives == [] and rep.without_initiatives is None and rep.comparison is None
    assert "no enabled initiative of japan" in rep.note
    assert set(rep.runs["arm"]) == {"A"} and len(rep.runs) == 2 and rep.effects.empty


# ---------------------------------------------------------------- command line


def test_compare_cli_writes_tables_and_states_sign(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "abe_2015", "--without", "japan_2015_tour", "--replicates", "3", "--years", str(YEARS),
                 "--seed", "9", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "A = abe_2015 (as given)" in printed and "B = abe_2015 without japan_2015_tour" in printed
    assert "effect = A - B = with japan_2015_tour - without" in printed
    assert f"Wrote {out}/" in printed
    runs = pd.read_parquet(out / "runs.parquet")
    effects = pd.read_parquet(out / "effects.parquet")
    man = json.loads((out / "manifest.json").read_text())
    assert man["kind"] == "compare" and man["seeds"] == replicate_seeds(9, 3)
    assert list(runs["seed"]) == [s for s in man["seeds"] for _ in "AB"]
    assert man["arms"]["B"]["disabled"] == ["japan_2015_tour"] and man["effect"].startswith("A - B")
    assert list(effects.columns) == cmp.EFFECT_COLUMNS and len(runs) == 6
    assert sorted(p.name for p in out.iterdir()) == ["effects.parquet", "manifest.json", "runs.parquet",
                                                     "trajectories.parquet"]
    # Trajectories: every quarter, both arms, every republic, in the actors-table layout.
    traj = pd.read_parquet(out / "trajectories.parquet")
    steps = int(YEARS * 4)
    assert len(traj) == 2 * 3 * (steps + 1) * 5
    assert list(traj.columns[:7]) == ["arm", "replicate", "seed", "step", "date", "actor", "kind"]
    assert {"alignment_japan", "influence_china", "trade_score_russia", "security_score_russia"} <= set(traj.columns)
    last = traj[(traj["step"] == steps) & (traj["actor"] == "turkmenistan")].sort_values(["replicate", "arm"])
    share = (last["alignment_china"] + last["alignment_russia"]).to_numpy()
    assert share == pytest.approx(runs["turkmenistan:incumbent_share"].to_numpy(), abs=1e-12)
    al = traj[[c for c in traj.columns if c.startswith("alignment_")]].sum(axis=1)
    assert al.to_numpy() == pytest.approx(1.0)

    # --every 0 keeps no trajectories and leaves the other tables as they were.
    out0 = tmp_path / "cmp0"
    assert main(["compare", "abe_2015", "--without", "japan_2015_tour", "--replicates", "3", "--years", str(YEARS),
                 "--seed", "9", "--out", str(out0), "--quiet", "--every", "0"]) == 0
    assert not (out0 / "trajectories.parquet").exists()
    pd.testing.assert_frame_equal(pd.read_parquet(out0 / "runs.parquet"), runs)
    # --every 2: every second quarter, and the last.
    out2 = tmp_path / "cmp2"
    assert main(["compare", "abe_2015", "--without", "japan_2015_tour", "--replicates", "3", "--years", str(YEARS),
                 "--seed", "9", "--out", str(out2), "--quiet", "--every", "3"]) == 0
    assert sorted(pd.read_parquet(out2 / "trajectories.parquet")["step"].unique()) == sorted(
        set(range(0, steps + 1, 3)) | {steps})


def test_wedge_cli_headline(tmp_path, capsys):
    out = tmp_path / "w"
    assert main(["wedge", "abe_2015", "--replicates", "4", "--years", str(YEARS), "--out", str(out), "--quiet",
                 "--format", "csv"]) == 0
    printed = capsys.readouterr().out
    # the headline is the per-republic shift, then the channels, then rule (d) at every threshold
    assert printed.index("The headline:") < printed.index("By channel:") < printed.index("Rule (d) per republic")
    assert "with and without Japan's initiatives (japan_2015_tour;" in printed and "all (mean)" in printed
    assert "which covers seed noise only, not parameter uncertainty" in printed and "5–95% of pairs" in printed
    assert re.search(r"Rule \(d\) at the scenario's threshold 0.5, in any republic: \d of 4 runs: \d+% \(95% CI "
                     r"\d+–\d+%, Wilson score interval\)", printed)
    assert "without Japan's initiatives, same seeds:" in printed
    answer = printed[printed.index("Answer: "):]
    assert answer.startswith("Answer: Japan's initiatives move China + Russia share") and "rule (d) at 0.5" in answer
    wedge = pd.read_csv(out / "wedge.csv")
    assert list(wedge["arm"]) == ["A", "B"] and (wedge["runs"] == 4).all()
    thresholds = pd.read_csv(out / "thresholds.csv")
    assert sorted(thresholds["threshold"].unique()) == [0.4, 0.45, 0.5, 0.55, 0.6]
    assert len(thresholds) == 2 * 5 * 5 and (thresholds["runs"] == 4).all()
    channels = pd.read_csv(out / "channels.csv")
    assert len(channels) == 5 * 8
    assert json.loads((out / "manifest.json").read_text())["counterfactual_disabled"] == ["japan_2015_tour"]


def test_threshold_sweep_agrees_with_the_models_own_rule():
    """At the scenario's threshold, the rule recomputed from the kept horizon alignments is
    the model's wedged flag, run by run and republic by republic; a looser threshold never
    wedges fewer runs."""
    rep = cmp.wedge_report("japan_all_in", replicates=6, years=YEARS, every=None)
    sc = rep.scenario
    for r in sc.republics:
        again = cmp.wedged_at(rep.runs, r, list(sc.wedge.incumbents), sc.wedge.challenger,
                              sc.parameters.wedge_incumbent_share)
        assert (again == rep.runs[f"{r}:wedged"].to_numpy()).all(), r
    t = rep.thresholds
    for (arm, r), part in t.groupby(["arm", "republic"]):
        k = part.sort_values("threshold")["wedge_runs"].to_numpy()
        assert (np.diff(k) >= 0).all(), (arm, r, k)


def test_channel_shifts_follow_the_initiatives():
    """Switching off nothing shifts no channel; Japan's all-in package lowers the
    incumbents' share of the political channel (its summits) in every republic, and the
    table's shift is the difference of its two columns."""
    same = cmp.channel_shifts(*_same_arm_runs(), seed=1)
    assert np.allclose(same["shift"].dropna(), 0.0)
    rep = cmp.wedge_report("japan_all_in", replicates=4, years=YEARS, every=None)
    c = rep.channels
    assert np.allclose(c["shift"], c["with"] - c["without"], equal_nan=True)
    political = c[c["channel"] == "political"]
    assert (political["shift"] < 0).all(), political


def _same_arm_runs():
    loaded = cmp._load("abe_2015", YEARS)
    a = cmp.Arm("A", "abe_2015", loaded)
    b = cmp.Arm("B", "abe_2015 again", loaded)
    seeds = replicate_seeds(1, 3)
    runs, _, _ = cmp.run_arms([a, b], seeds, every=None)
    sc = loaded.scenario
    return runs, list(sc.republics), list(sc.powers), list(sc.wedge.incumbents)


@pytest.mark.parametrize("argv, expected", [
    (["compare", "abe_2015", "--without", "japan_tour"],
     "--without: unknown initiative 'japan_tour' (did you mean 'japan_2015_tour'?); scenario 'abe_2015' has: "
     "japan_2015_tour (japan), china_xian_2023 (china)"),
    (["compare", "abe_2051", "japan_all_in"],
     "no scenario file or shipped scenario named 'abe_2051' (did you mean 'abe_2015'?)"),
    (["wedge", "kishida_2042"],
     "no scenario file or shipped scenario named 'kishida_2042' (did you mean 'kishida_2024'?)"),
    (["compare", "abe_2015"], "give a second scenario B, or --without INITIATIVE"),
    (["compare", "abe_2015", "kishida_2024", "--without", "japan_2015_tour"], "not both"),
    (["wedge", "abe_2015", "--replicates", "0"], "--replicates: must be ≥ 1, got 0"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, argv, expected):
    out = tmp_path / "never"
    assert main([*argv, "--out", str(out), "--quiet"]) != 0
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("greatgame: error: ") and expected in lines[0]
    assert "Traceback" not in err and not out.exists()


def test_the_report_of_a_wedge_folder_leads_with_the_shift(tmp_path):
    """The report's headline is the per-republic shift (with its interval and the spread of the
    pairs), then the channels, then rule (d) per threshold; the binary rule in any republic comes after."""
    from greatgame.analysis import report

    out = tmp_path / "w"
    assert main(["wedge", "abe_2015", "--replicates", "4", "--years", str(YEARS), "--out", str(out), "--quiet",
                 "--every", "0"]) == 0
    path, _ = report.build(out)
    html_text = path.read_text(encoding="utf-8")
    a = html_text.index("The shift in China + Russia")
    b = html_text.index("Through which channels")
    c = html_text.index("Rule (d) per republic at thresholds 0.40–0.60")
    d = html_text.index("Rule (d) at the scenario")
    assert a < b < c < d
    assert "5–95% of pairs" in html_text and "Uncertainty shown: seeds only" in html_text


def test_wedge_and_compare_take_set_in_every_arm(tmp_path, capsys):
    """--set changes the scenario in both arms (the manifest and the rerun hint say so); a
    slower adjustment rate shrinks the shift the initiatives cause."""
    base, slow = tmp_path / "base", tmp_path / "slow"
    args = ["wedge", "abe_2015", "--replicates", "3", "--years", str(YEARS), "--quiet", "--format", "csv"]
    assert main(args + ["--out", str(base)]) == 0
    assert main(args + ["--out", str(slow), "--set", "parameters.adjustment_rate=0.01"]) == 0
    capsys.readouterr()
    man = json.loads((slow / "manifest.json").read_text())
    assert man["overrides"] == ["parameters.adjustment_rate=0.01"]
    shift = {k: pd.read_csv(d / "effects.csv").query("measure == 'incumbent_share' and republic == 'all'")["effect"]
             .iloc[0] for k, d in (("base", base), ("slow", slow))}
    assert abs(shift["slow"]) < abs(shift["base"])
    out = tmp_path / "c"
    assert main(["compare", "abe_2015", "--without", "japan_2015_tour", "--replicates", "2", "--years", str(YEARS),
                 "--quiet", "--format", "csv", "--out", str(out), "--set", "parameters.adjustment_rate=0.01"]) == 0
    printed = capsys.readouterr().out
    assert "--set parameters.adjustment_rate=0.01" in printed  # the rerun hint repeats the override


def test_set_of_a_value_the_posterior_draws_is_refused(tmp_path, capsys):
    out = tmp_path / "w"
    code = main(["wedge", "history", "--replicates", "2", "--posterior", "history", "--quiet", "--out", str(out),
                 "--set", "parameters.choice_sensitivity=3"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and not out.exists()
    assert err == ("greatgame: error: --set parameters.choice_sensitivity: --posterior history draws this value "
                   "for every run; drop one of the two")


def test_wedge_ranges_draws_every_ranged_input_and_keeps_set_values(tmp_path, capsys):
    """--ranges: each run draws every ranged input uniformly from its range (the same for both
    arms of a pair), reproducibly from --seed; a --set value is kept; the draws table records
    them; with --posterior the calibrated values replace the range draws."""
    from greatgame.analysis.uncertainty import select_inputs
    from greatgame.sim import load_scenario

    out = tmp_path / "r"
    args = ["wedge", "abe_2015", "--replicates", "3", "--years", str(YEARS), "--quiet", "--format", "csv", "--ranges",
            "--set", "parameters.adjustment_rate=0.07"]
    assert main(args + ["--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "every ranged input drawn from its range and seeds" in printed
    draws = pd.read_csv(out / "draws.csv")
    inputs = select_inputs(load_scenario("abe_2015", years=YEARS))
    ranged = {r.path: r for r in inputs.screened}
    assert set(draws["input"]) == set(ranged) - {"parameters.adjustment_rate"}
    assert draws.groupby("input")["run"].nunique().eq(3).all()
    for path, g in draws.groupby("input"):
        r = ranged[path]
        assert ((g["drawn"] >= r.low - 1e-12) & (g["drawn"] <= r.high + 1e-12)).all(), path
    beta = draws[draws["input"] == "parameters.choice_sensitivity"]["drawn"]
    assert beta.nunique() == 3  # each run its own draw
    man = json.loads((out / "manifest.json").read_text())
    assert man["ranges"]["inputs"] == len(ranged) - 1 and man["ranges"]["kept"] == ["parameters.adjustment_rate"]
    again = tmp_path / "again"
    assert main(args + ["--out", str(again)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(again / "draws.csv"), draws)
    pd.testing.assert_frame_equal(pd.read_csv(again / "runs.csv"), pd.read_csv(out / "runs.csv"))
    # the drawn numbers are the runs' numbers: run 0 of arm A again, alone, with its draws
    from greatgame.sim import GreatGameModel

    runs = pd.read_csv(out / "runs.csv")
    row = runs[(runs["run"] == 0) & (runs["arm"] == "A")].iloc[0]
    values = dict(zip(draws[draws["run"] == 0]["input"], draws[draws["run"] == 0]["drawn"]))
    integer = {p for p in values if p in inputs.integer}
    values = {p: (int(v) if p in integer else v) for p, v in values.items()}
    m = GreatGameModel("abe_2015", rng=int(row["seed"]), years=YEARS, collect_every=0,
                       overrides={**values, "parameters.adjustment_rate": 0.07}).run()
    m.measure()
    assert m.incumbent_share.mean() == pytest.approx(row["incumbent_share_mean"], abs=1e-9)


def test_ranges_with_a_posterior_take_the_calibrated_values_from_it(tmp_path, capsys):
    from greatgame.analysis.posterior import load_posterior

    out = tmp_path / "rp"
    assert main(["wedge", "history", "--replicates", "3", "--years", "1", "--quiet", "--format", "csv", "--ranges",
                 "--posterior", "history", "--out", str(out)]) == 0
    assert "(calibrated ones from the posterior) and seeds" in capsys.readouterr().out
    draws = pd.read_csv(out / "draws.csv")
    post = load_posterior("history")
    for path in post.parameters:
        drawn = draws[draws["input"] == path]["drawn"].to_numpy()
        assert len(drawn) == 3 and np.isin(drawn, post.table[path].to_numpy()).all(), path
    other = draws[draws["input"] == "parameters.dependence_weight"]["drawn"]
    assert len(other) == 3 and not np.isin(other, [0.5]).any()  # drawn from its range, not the scenario's value
