"""Observed data, calibration (ABC-SMC), posterior draws and the hindcast (issue 10)."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pandas as pd
import pytest

from greatgame.analysis import calibration as cal
from greatgame.analysis import hindcast as hc
from greatgame.analysis.observed import (COLUMNS, ObservedDataError, match, read_observed, shipped_path)
from greatgame.analysis.posterior import PosteriorError, load_posterior
from greatgame.cli import main
from greatgame.sim import GreatGameModel
from greatgame.sim.observables import run_yearly

HEADER = ",".join(COLUMNS)
GOOD = '2017,trade,russia,central_asia,republic,24.0,US$ bn,Review.uz 2025,"from $24 billion"'


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r.get(c, "") for c in COLUMNS])
    return path


def row(year, measure, power, republic, value, basis="partner", unit="US$ bn"):
    return {"year": year, "measure": measure, "power": power, "republic": republic, "basis": basis,
            "value": value, "unit": unit, "source": "test", "quote": "q"}


# ---------------------------------------------------------------- the loader


def test_shipped_file_reads_and_every_row_is_accounted_for(abe):
    obs = read_observed(shipped_path())
    assert obs and all(o.source for o in obs)
    m = match(obs, abe.scenario, until=2019)
    # nothing is dropped silently: used + held out + listed as unproducible = every row
    assert len(m.usable) + len(m.held_out) + len(m.unusable) == len(obs)
    assert all(reason for _, reason in m.unusable)


@pytest.mark.parametrize("content, row_no, column, expected", [
    ("year,measure,power,republic,basis,value,unit,source\n" + GOOD, 1, None, "missing column 'quote'"),
    (HEADER + ",extra\n" + GOOD + ",x", 1, None, "unexpected column 'extra'"),
    (HEADER + "\n" + GOOD.replace("2017", "17", 1), 2, "year", "four-digit year"),
    (HEADER + "\n" + GOOD.replace("republic,24.0", "customs,24.0"), 2, "basis", "partner, republic, intl"),
    (HEADER + "\n" + GOOD.replace("24.0", "lots"), 2, "value", "expected a number, got 'lots'"),
    (HEADER + "\n" + GOOD.replace("24.0", "-3"), 2, "value", "cannot be negative"),
    (HEADER + "\n" + GOOD.replace("Review.uz 2025", ""), 2, "source", "needs its source"),
    (HEADER + "\n" + GOOD.replace(",central_asia,", ",,"), 2, "republic", "both a power and a republic"),
    (HEADER + "\n" + GOOD.replace("trade", "Trade Volume"), 2, "measure", "lower case"),
    (HEADER + "\n" + GOOD + "\n2018,trade,russia", 3, None, "3 fields, expected 9"),
    (HEADER + "\n", None, None, "no observations"),
    ("", None, None, "empty file"),
])
def test_each_malformed_file_gets_its_one_line_error(tmp_path, content, row_no, column, expected):
    f = tmp_path / "obs.csv"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(ObservedDataError) as e:
        read_observed(f)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(str(f)) and expected in msg
    if row_no is not None:
        assert f"row {row_no}" in msg
    if column is not None:
        assert f": {column}: " in msg


def test_cli_refuses_a_malformed_file_in_one_line(tmp_path, capsys):
    f = tmp_path / "obs.csv"
    f.write_text(HEADER + "\n" + GOOD.replace("24.0", "n/a"), encoding="utf-8")
    code = main(["calibrate", "abe_2015", "--observed", str(f), "--until", "2019", "--out", str(tmp_path / "c")])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.count("\n") == 0
    assert err == f"greatgame: error: {f}: row 2: value: expected a number, got 'n/a'"
    assert not (tmp_path / "c" / "posterior.csv").exists()
    code = main(["calibrate", "abe_2015", "--observed", str(tmp_path / "none.csv"), "--until", "2019"])
    assert code == 1 and "none.csv: no such file" in capsys.readouterr().err


def test_rows_the_model_cannot_produce_are_listed_with_the_reason(tmp_path, abe):
    f = write_rows(tmp_path / "o.csv", [
        row(2017, "trade", "eu", "central_asia", 26.4),
        row(2018, "oil_price", "", "", 70, unit="US$/bbl"),
        row(2010, "trade", "china", "central_asia", 21, basis="intl"),
        row(2018, "trade", "china", "central_asia", 27.2, basis="intl"),
        row(2018, "trade", "russia", "central_asia", 27.0, basis="partner"),
        row(2018, "trade", "china", "kazakstan", 10),
        row(2018, "trade", "japan", "central_asia", 2, unit="EUR bn"),
        row(2018, "trade", "china", "central_asia", 41.7),
        row(2018, "trade", "us", "kazakhstan", 2.0),
    ])
    m = match(read_observed(f), abe.scenario)
    reasons = {o.line: why for o, why in m.unusable}
    assert "power 'eu' is not in scenario" in reasons[2]
    assert "exogenous driver" in reasons[3]
    assert "outside the run" in reasons[4]
    assert "basis 'intl'" in reasons[5] and "not like with like" in reasons[5]
    assert "basis 'partner'" in reasons[6] and "'republic' basis" in reasons[6]
    assert "republic 'kazakstan'" in reasons[7]
    assert "unit 'EUR bn'" in reasons[8]
    assert [o.line for o in m.usable] == [9, 10]
    assert m.usable[1].power == "united_states"  # 'us' is the scenario's united_states


def test_the_models_trade_basis_can_be_chosen(tmp_path, abe, capsys):
    f = write_rows(tmp_path / "o.csv", [row(2018, "trade", "china", "central_asia", 27.2, basis="republic"),
                                        row(2018, "trade", "china", "kazakhstan", 19.9, basis="partner")])
    obs = read_observed(f)
    assert [o.line for o in match(obs, abe.scenario).usable] == [3]
    assert [o.line for o in match(obs, abe.scenario, basis={"china": "republic"}).usable] == [2]
    assert len(match(obs, abe.scenario, basis={"china": ""}).usable) == 2  # empty: any basis
    assert main(["calibrate", "abe_2015", "--until", "2019", "--basis", "china=customs"]) == 2
    assert "--basis china=customs: expected POWER=BASIS" in capsys.readouterr().err


# ---------------------------------------------------------------- observables


def test_yearly_observables_are_means_of_the_quarters(abe):
    y = run_yearly(GreatGameModel(abe.scenario, rng=3, collect_every=0), 2017)
    assert y.years == [2015, 2016, 2017]
    m = GreatGameModel(abe.scenario, rng=3, collect_every=0)
    quarters = []
    for _ in range(1 + 4):  # 2015-Q4, then 2016-Q1..Q4
        m.run_for(1)
        quarters.append(m.trade.copy())
    np.testing.assert_allclose(y.get("trade", 2016), np.mean(quarters[:4], axis=0))
    assert y.get("trade", 2018) is None


# ---------------------------------------------------------------- baselines and the hindcast


def test_naive_baselines_on_a_known_series():
    b = hc.baselines([(2016, 10.0), (2017, 20.0), (2018, 40.0)], 2020)
    assert b["persistence"] == 40.0
    assert b["trend"] == pytest.approx(70 / 3 + 15 * 3)  # mean 23.33 at 2017, slope 15 a year
    assert b["growth"] == pytest.approx(160.0)  # doubling a year
    b = hc.baselines([(2016, 10.0), (2016, 14.0)], 2020)  # one year: its mean, no line
    assert b["persistence"] == 12.0 and math.isnan(b["trend"]) and math.isnan(b["growth"])
    assert all(math.isnan(v) for v in hc.baselines([], 2020).values())
    b = hc.baselines([(2001, 1.0), (2016, 10.0), (2017, 20.0), (2018, 40.0)], 2020, since=2010)
    assert b["growth"] == pytest.approx(160.0) and b["persistence"] == 40.0  # 2001 left out of the lines
    b = hc.baselines([(2016, -1.0), (2017, 1.0)], 2018)
    assert b["trend"] == pytest.approx(3.0) and math.isnan(b["growth"])  # no constant growth through a negative


def test_skill_mape_and_coverage():
    t = pd.DataFrame({"year": [2020, 2021], "measure": "trade", "power": "china", "republic": "central_asia",
                      "basis": "partner", "observed": [100.0, 200.0], "median": [110.0, 150.0],
                      "lo90": [90.0, 120.0], "hi90": [130.0, 180.0], "persistence": [80.0, 80.0],
                      "trend": [np.nan, 220.0], "growth": [100.0, 200.0], "row": [2, 3]})
    s = hc.skill(t).iloc[0]
    assert s["mape_model"] == pytest.approx(17.5)  # (10% + 25%) / 2
    assert s["mape_persistence"] == pytest.approx(40.0)  # (20% + 60%) / 2
    assert s["mape_trend"] == pytest.approx(10.0)  # the one row it has
    assert s["mape_growth"] == 0.0 and s["coverage90"] == 0.5


@pytest.fixture
def posterior_dir(tmp_path):
    d = tmp_path / "post"
    d.mkdir()
    pd.DataFrame({"particle": [0, 1, 2], "weight": [0.5, 0.5, 0.0],
                  "trade.china.total": [36.0, 44.0, 99.0],
                  "parameters.trade_noise": [0.02, 0.05, 0.5]}).to_csv(d / "posterior.csv", index=False)
    (d / "manifest.json").write_text(json.dumps({"scenario": "abe_2015", "until": 2019}))
    return d


def test_posterior_draws_are_reproducible_by_seed_and_follow_the_weights(posterior_dir):
    post = load_posterior(posterior_dir)
    a, b, c = post.draw(50, 7), post.draw(50, 7), post.draw(50, 8)
    assert a == b and a != c
    assert {p for p, _ in a} == {0, 1}  # the particle with weight 0 is never drawn
    assert all(v["trade.china.total"] in (36.0, 44.0) for _, v in a)


def test_a_broken_posterior_folder_gets_one_line(tmp_path):
    with pytest.raises(PosteriorError, match="no such folder"):
        load_posterior(tmp_path / "nope")
    (tmp_path / "p").mkdir()
    pd.DataFrame({"particle": [0], "weight": [-1.0], "x": [1.0]}).to_csv(tmp_path / "p" / "posterior.csv")
    with pytest.raises(PosteriorError, match="weight: expected non-negative"):
        load_posterior(tmp_path / "p")


def test_hindcast_cli_writes_the_table_with_its_baselines(tmp_path, posterior_dir, capsys):
    obs = write_rows(tmp_path / "o.csv", [
        row(2001, "trade", "china", "central_asia", 1.0),  # outside the baselines' 10-year window
        row(2011, "trade", "china", "central_asia", 40.0),
        row(2013, "trade", "china", "central_asia", 50.0),
        row(2021, "trade", "china", "central_asia", 44.0),
        row(2022, "trade", "china", "central_asia", 70.0),
        row(2022, "trade", "eu", "central_asia", 30.0),
    ])
    out = tmp_path / "h"
    code = main(["hindcast", "abe_2015", "--posterior", str(posterior_dir), "--observed", str(obs), "--from", "2020",
                 "--draws", "3", "--seeds", "2", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    t = pd.read_csv(out / "hindcast.csv")
    assert tuple(t.columns) == hc.COLUMNS
    assert list(t["year"]) == [2021, 2022] and list(t["observed"]) == [44.0, 70.0]
    assert (t["persistence"] == 50.0).all()  # the last value before 2020
    assert t["trend"].tolist() == pytest.approx([40 + 5 * 10, 40 + 5 * 11])
    assert t["growth"].tolist() == pytest.approx([40 * 1.25 ** 5, 40 * 1.25 ** 5.5])
    assert (t["lo90"] <= t["median"]).all() and (t["median"] <= t["hi90"]).all()
    assert "power 'eu' is not in scenario" in text and "parameters + seeds" in text
    assert "trade china central_asia" in text
    man = json.loads((out / "manifest.json").read_text())
    assert {r["particle"] for r in man["runs"]} <= {0, 1} and len(man["runs"]) == 6
    assert main(["plot", str(out)]) == 0 and (out / "figures" / "hindcast.png").exists()
    assert main(["report", str(out)]) == 0 and "Out-of-sample skill" in (out / "report.html").read_text()


def test_run_with_a_posterior_records_each_replicates_draw(tmp_path, posterior_dir, capsys):
    out = tmp_path / "r"
    assert main(["run", "abe_2015", "--years", "1", "--replicates", "3", "--seed", "5", "--posterior",
                 str(posterior_dir), "--out", str(out), "--format", "csv", "--quiet"]) == 0
    assert "parameters + seeds" in capsys.readouterr().out
    m = pd.read_csv(out / "model.csv")
    man = json.loads((out / "manifest.json").read_text())
    assert set(m["draw"]) <= {0, 1}
    assert [d["particle"] for d in man["draws"]] == m.groupby("replicate")["draw"].first().tolist()
    assert man["uncertainty"].startswith("parameters + seeds")
    # a replicate's first-year trade follows its drawn base figure
    a = pd.read_csv(out / "actors.csv")
    first = a[(a["step"] == 0) & (a["kind"] == "republic")].groupby("replicate")["trade_china"].sum()
    assert first.tolist() == pytest.approx([d["trade.china.total"] for d in man["draws"]])
    out2 = tmp_path / "r2"
    assert main(["run", "abe_2015", "--years", "1", "--replicates", "2", "--out", str(out2), "--quiet"]) == 0
    assert json.loads((out2 / "manifest.json").read_text())["uncertainty"].startswith("seeds only")


# ---------------------------------------------------------------- calibration


SMALL = dict(budget=60, population=20, workers=1, log=lambda *_: None)


def test_calibration_ignores_rows_after_the_cut_off(tmp_path, abe):
    rows = [row(2017, "trade", "russia", "central_asia", 24.0, basis="republic"),
            row(2018, "trade", "china", "central_asia", 41.7),
            row(2016, "poll_important_partner", "russia", "", 75, basis="", unit="percent"),
            row(2016, "poll_important_partner", "china", "", 49, basis="", unit="percent")]
    a = write_rows(tmp_path / "a.csv", rows)
    b = write_rows(tmp_path / "b.csv", rows + [row(2021, "trade", "china", "central_asia", 99.0)])
    pri = cal.DEFAULT_PRIORS[:4]
    ra = cal.calibrate(abe, a, 2019, tmp_path / "ca", priors=pri, **SMALL)
    rb = cal.calibrate(abe, b, 2019, tmp_path / "cb", priors=pri, **SMALL)
    assert (tmp_path / "ca" / "posterior.csv").read_bytes() == (tmp_path / "cb" / "posterior.csv").read_bytes()
    pd.testing.assert_frame_equal(ra["diagnostics"], rb["diagnostics"])
    assert ra["manifest"]["observed_digest"] == rb["manifest"]["observed_digest"]
    assert rb["manifest"]["rows_outside_window"] == 1
    # a row before the cut-off does change it
    c = write_rows(tmp_path / "c.csv", rows + [row(2019, "trade", "china", "central_asia", 46.0)])
    rc = cal.calibrate(abe, c, 2019, tmp_path / "cc", priors=pri, **SMALL)
    assert rc["manifest"]["observed_digest"] != ra["manifest"]["observed_digest"]


def test_parameter_recovery(tmp_path, scenario):
    """Data simulated by the model with known parameters are calibrated back: the truth lies
    inside the posterior's 90% interval, and the posterior is narrower than the prior. (With
    the default trade noise, 0.03 a quarter compounding as a random walk, one run's levels
    drift about 0.2 in logs from another's by 2024 and pin the parameters down only loosely;
    the test uses a quieter variant so that a small budget decides.)"""
    abe = scenario("abe_2015", {"parameters.trade_noise": 0.005})
    truth = {"trade.china.total": 43.0, "powers.china.gdp_growth": 0.035}
    priors = (cal.Prior("trade.china.total", 30.0, 50.0, "test"),
              cal.Prior("powers.china.gdp_growth", 0.0, 0.08, "test"))
    sim = cal.Simulator(abe.scenario, list(priors), None, 2024)
    y = sim.yearly(truth, seed=11)
    rows = []
    for year in range(2016, 2025):
        t = y.get("trade", year)
        for j, rep in enumerate(y.republic_ids):
            rows.append(row(year, "trade", "china", rep, round(float(t[1, j]), 4)))
    obs = write_rows(tmp_path / "synthetic.csv", rows)
    res = cal.calibrate(abe, obs, 2024, tmp_path / "rec", priors=priors, budget=500, population=50, workers=1,
                        log=lambda *_: None, scales={"trade_level": 0.05})  # no observation error here
    s = res["summary"].set_index("path")
    for path, value in truth.items():
        assert s.loc[path, "lo90"] <= value <= s.loc[path, "hi90"], (path, s.loc[path].to_dict())
    width = s["hi90"] - s["lo90"]
    assert width["trade.china.total"] < 0.5 * 20 and width["powers.china.gdp_growth"] < 0.08
    d = res["diagnostics"]
    assert list(d.columns) == ["generation", "epsilon", "particles", "simulations", "acceptance_rate", "ess",
                               "distance_median", "distance_min"]
    assert d["epsilon"].is_monotonic_decreasing and (d["ess"] > 1).all()


def test_calibrate_cli_smoke_and_resume(tmp_path, capsys):
    out = tmp_path / "cal"

    def args(budget=60, seed=1):
        return ["calibrate", "abe_2015", "--until", "2019", "--budget", str(budget), "--population", "20",
                "--seed", str(seed), "--out", str(out), "--quiet"]

    assert main(args()) == 0
    text = capsys.readouterr().out
    assert "cannot produce" in text and "Patterns:" in text and "Posterior" in text
    post = pd.read_csv(out / "posterior.csv")
    assert post["weight"].sum() == pytest.approx(1.0) and len(post) == 20
    assert {p.path for p in cal.DEFAULT_PRIORS} <= set(post.columns)
    man = json.loads((out / "manifest.json").read_text())
    assert man["until"] == 2019 and man["patterns"]["poll_order"] >= 1 and man["rows_not_produced"]
    gens = len(pd.read_csv(out / "diagnostics.csv"))
    # the same command with a larger budget resumes the history instead of starting again
    assert main(args(budget=120)) == 0
    assert "Resuming" in capsys.readouterr().out
    assert len(pd.read_csv(out / "diagnostics.csv")) > gens
    assert json.loads((out / "manifest.json").read_text())["resumed"] is True
    # another calibration into the same folder is refused
    assert main(args(seed=2)) == 1
    assert "holds a different calibration" in capsys.readouterr().err


def test_compare_and_wedge_with_a_posterior_pair_each_runs_draw(tmp_path, posterior_dir, capsys):
    out = tmp_path / "c"
    assert main(["compare", "abe_2015", "--without", "japan_2015_tour", "--years", "1", "--replicates", "4",
                 "--posterior", str(posterior_dir), "--out", str(out), "--format", "csv", "--quiet",
                 "--every", "0"]) == 0
    assert "Uncertainty shown: parameters + seeds" in capsys.readouterr().out
    runs = pd.read_csv(out / "runs.csv")
    man = json.loads((out / "manifest.json").read_text())
    assert (runs.groupby("run")["draw"].nunique() == 1).all()  # both arms of a pair share the draw
    assert runs.groupby("run")["draw"].first().tolist() == [d["particle"] for d in man["draws"]]
    assert man["uncertainty"].startswith("parameters + seeds")
    # the same seed draws the same parameter sets
    out2 = tmp_path / "w"
    assert main(["wedge", "abe_2015", "--years", "1", "--replicates", "4", "--posterior", str(posterior_dir),
                 "--out", str(out2), "--format", "csv", "--quiet", "--every", "0"]) == 0
    w = pd.read_csv(out2 / "runs.csv")
    assert w.groupby("run")["draw"].first().tolist() == runs.groupby("run")["draw"].first().tolist()
    # and without --posterior the outputs say the spread is seed noise only
    out3 = tmp_path / "w0"
    assert main(["wedge", "abe_2015", "--years", "1", "--replicates", "2", "--out", str(out3), "--quiet",
                 "--every", "0"]) == 0
    assert json.loads((out3 / "manifest.json").read_text())["uncertainty"].startswith("seeds only")


def test_each_compare_run_uses_its_own_drawn_parameters(abe):
    from greatgame.analysis.compare import Arm, run_arms
    from greatgame.sim.scenario import scenario_with

    sc = scenario_with(abe.scenario, {"years": 1})
    loaded = type(abe)(scenario=sc, provenance=abe.provenance, sources=abe.sources, files=abe.files, raw=abe.raw)
    draws = [(0, {"parameters.choice_sensitivity": 1.0}), (1, {"parameters.choice_sensitivity": 8.0})]
    runs, _, _ = run_arms([Arm("A", "a", loaded)], [5, 5], draws=draws, every=None)
    for i, (_, values) in enumerate(draws):
        m = GreatGameModel(scenario_with(sc, values), rng=5, collect_every=0).run()
        assert runs.loc[i, "incumbent_share_mean"] == pytest.approx(m.wedge_measures()["incumbent_share_mean"])
    assert runs.loc[0, "incumbent_share_mean"] != runs.loc[1, "incumbent_share_mean"]


def test_sweep_with_a_posterior_draws_per_replicate_and_keeps_the_design(tmp_path, posterior_dir, capsys):
    spec = tmp_path / "s.yaml"
    spec.write_text("name: post\nscenario: abe_2015\nyears: 1\nparameters:\n"
                    "  parameters.trade_noise: {values: [0.01, 0.2]}\n"
                    "design: grid\nreplicates: 3\nseed: 9\n", encoding="utf-8")
    out = tmp_path / "sw"
    assert main(["sweep", str(spec), "--posterior", str(posterior_dir), "--out", str(out), "--quiet"]) == 0
    assert "Uncertainty shown: parameters + seeds" in capsys.readouterr().out
    sc = pd.read_parquet(out / "scalars.parquet")
    man = json.loads((out / "manifest.json").read_text())
    expected = [d["particle"] for d in man["draws"]]
    assert len(expected) == 3 and set(expected) <= {0, 1}
    assert (sc.groupby("point")["draw"].apply(list) == pd.Series([expected, expected])).all()
    assert sorted(sc["parameters.trade_noise"].unique()) == [0.01, 0.2]  # the design's value wins over the draw
    # the runs follow their draw: run 0 by hand gives the same outcome
    from greatgame.sim.scenario import scenario_with

    r0 = sc.iloc[0]
    values = {**{k: v for k, v in man["draws"][int(r0["replicate"])].items() if "." in k},
              "parameters.trade_noise": float(r0["parameters.trade_noise"]), "years": 1}
    from greatgame.sim import load_scenario

    m = GreatGameModel(scenario_with(load_scenario("abe_2015").scenario, values), rng=int(r0["seed"]),
                       collect_every=0).run()
    assert r0["incumbent_share_mean"] == pytest.approx(m.wedge_measures()["incumbent_share_mean"])
    # resuming without the posterior (or with other draws) is refused
    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--quiet"]) == 1
    assert "--posterior" in capsys.readouterr().err


def test_calibrate_and_hindcast_refuse_a_folder_of_another_kind(tmp_path, capsys):
    run = tmp_path / "r"
    assert main(["run", "abe_2015", "--years", "1", "--out", str(run), "--quiet"]) == 0
    assert main(["hindcast", "abe_2015", "--from", "2020", "--out", str(run), "--quiet"]) == 1
    assert "holds a `greatgame run` result, not a `greatgame hindcast` result" in capsys.readouterr().err
    assert main(["calibrate", "abe_2015", "--until", "2019", "--out", str(run), "--quiet"]) == 1
    assert "not a `greatgame calibrate` result" in capsys.readouterr().err
    assert (run / "actors.parquet").exists()


def test_priors_prefer_the_scenarios_own_ranges(abe, monkeypatch):
    from types import SimpleNamespace

    import greatgame.sim.scenario as scen

    ranges = {"parameters.trade_noise": SimpleNamespace(low=0.02, high=0.06),
              "trade.china.total": SimpleNamespace(low=38.0, high=38.0),  # fixed by the scenario
              "trade.russia.total": SimpleNamespace(low=None, high=None)}  # no range: the default prior
    monkeypatch.setattr(scen, "input_ranges", lambda loaded, include_defaults=True: ranges, raising=False)
    pri = {p.path: p for p in cal.priors_for(abe)}
    assert (pri["parameters.trade_noise"].low, pri["parameters.trade_noise"].high) == (0.02, 0.06)
    assert "trade.china.total" not in pri
    assert (pri["trade.russia.total"].low, pri["trade.russia.total"].high) == (16.0, 28.0)
    with pytest.raises(cal.CalibrationError, match="prior parameters.nope: no such value"):
        cal.priors_for(abe, (cal.Prior("parameters.nope", 0, 1, "x"),))


def test_the_shipped_posterior_is_found_by_name_and_sets_the_baselines_inputs():
    """``--posterior history`` is the calibration shipped in data/posteriors/history: its
    parameters are paths of the history scenario, inside their prior ranges, and draws are
    reproducible by seed."""
    from greatgame.analysis.posterior import load_posterior, shipped_posteriors
    from greatgame.sim.scenario import input_ranges, load_scenario

    assert "history" in shipped_posteriors()
    post = load_posterior("history")
    ranges = input_ranges(load_scenario("history"))
    for path in post.parameters:
        assert path in ranges, path
        lo, hi = ranges[path].low, ranges[path].high
        values = post.table[path].to_numpy(float)
        assert ((values >= lo - 1e-9) & (values <= hi + 1e-9)).all(), path
    assert post.draw(5, seed=3) == post.draw(5, seed=3)
    with pytest.raises(PosteriorError, match="shipped: history"):
        load_posterior("no_such_posterior")


@pytest.mark.parametrize("argv", [
    ["calibrate", "abe_2015", "--until", "2019"],
    ["hindcast", "abe_2015", "--from", "2020"],
])
def test_a_malformed_observed_file_is_refused_before_the_output_folder_is_made(tmp_path, capsys, argv):
    bad = tmp_path / "bad.csv"
    bad.write_text("year,measure\n2020,trade\n", encoding="utf-8")
    out = tmp_path / "never"
    assert main([*argv, "--observed", str(bad), "--out", str(out), "--quiet"]) != 0
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and "missing column 'power'" in err[0]
    assert not out.exists()


@pytest.mark.parametrize("command", ["wedge", "compare"])
def test_a_bad_posterior_is_refused_before_the_output_folder_is_made(tmp_path, capsys, command):
    out = tmp_path / "never"
    extra = ["--without", "japan_2015_tour"] if command == "compare" else []
    assert main([command, "abe_2015", *extra, "--posterior", str(tmp_path / "nope"), "--replicates", "2",
                 "--out", str(out), "--quiet"]) != 0
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and "no such folder" in err[0] and "shipped: history" in err[0]
    assert not out.exists()
