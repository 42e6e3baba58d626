"""Sensitivity analysis (SALib Sobol and Morris) and scenario discovery (PRIM, CART):
known answers on test functions, the commands on a tiny real sweep, one-line errors."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest
import yaml

from greatgame.analysis import discovery, sensitivity
from greatgame.analysis.sensitivity import AnalysisError
from greatgame.analysis.spec import SweepSpec, build_design
from greatgame.cli import main


def spec_of(**fields) -> SweepSpec:
    return SweepSpec.model_validate({"scenario": "abe_2015", **fields})


def one_line_error(capsys, code: int, want: str, rc: int = 1) -> str:
    out = capsys.readouterr()
    assert code == rc
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("greatgame: error: "), out.err
    assert want in lines[0], lines[0]
    return lines[0]


# ---------------------------------------------------------------- known answers


def ishigami(d: pd.DataFrame, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    x1, x2, x3 = (d[c].to_numpy() for c in ("x1", "x2", "x3"))
    return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)


def test_sobol_indices_of_the_ishigami_function():
    spec = spec_of(parameters={f"x{i}": {"range": [-np.pi, np.pi]} for i in (1, 2, 3)}, design="sobol",
                   samples=1024, seed=3)
    design = build_design(spec)
    assert len(design) == 1024 * (3 + 2)
    Y = ishigami(design)
    si = sensitivity.sobol_indices(sensitivity.problem_of(spec), Y, spec.seed)
    # Analytic values for a = 7, b = 0.1.
    np.testing.assert_allclose(si["S1"].to_numpy(), [0.314, 0.442, 0.0], atol=0.04)
    np.testing.assert_allclose(si["ST"].to_numpy(), [0.558, 0.442, 0.244], atol=0.04)
    assert list(si.index) == ["x1", "x2", "x3"]
    assert (si[["S1_conf", "ST_conf"]].to_numpy() > 0).all() and (si[["S1_conf", "ST_conf"]].to_numpy() < 0.15).all()
    # The bootstrap is seeded from the spec's seed: the same intervals again, others for another seed.
    again = sensitivity.sobol_indices(sensitivity.problem_of(spec), Y, spec.seed)
    pd.testing.assert_frame_equal(si, again)
    other = sensitivity.sobol_indices(sensitivity.problem_of(spec), Y, spec.seed + 1)
    assert not np.allclose(other["S1_conf"], si["S1_conf"])
    np.testing.assert_array_equal(other["S1"], si["S1"])


def test_sobol_of_a_constant_outcome_is_undefined_not_an_error():
    spec = spec_of(parameters={"a": {"range": [0, 1]}, "b": {"range": [0, 1]}}, design="sobol", samples=8)
    si = sensitivity.sobol_indices(sensitivity.problem_of(spec), np.zeros(8 * 4), 0)
    assert si.isna().all().all()


def test_morris_ranks_the_dominant_parameter_first():
    spec = spec_of(parameters={"weak": {"range": [0, 1]}, "strong": {"range": [0, 10]},
                               "choice": {"values": ["x", "y"]}, "mid": {"range": [1, 4], "type": "int"}},
                   design="morris", samples=20, levels=4, seed=9)
    d = build_design(spec)
    Y = 0.2 * d["weak"] + d["strong"] ** 2 / 10 + 1.0 * (d["choice"] == "y") + 0.5 * d["mid"]
    X = sensitivity.unit_sample(spec)
    assert X.shape == (20 * 5, 4) and X.min() >= 0 and X.max() <= 1
    mi = sensitivity.morris_indices(sensitivity.problem_of(spec), X, Y.to_numpy(), 4, spec.seed)
    ranked = list(mi.sort_values("mu_star", ascending=False).index)
    assert ranked[0] == "strong" and ranked[-1] == "weak"
    # A linear effect: mu* is the change over the whole range; no spread.
    assert mi.loc["weak", "mu_star"] == pytest.approx(0.2) and mi.loc["weak", "sigma"] == pytest.approx(0, abs=1e-9)
    assert mi.loc["strong", "sigma"] > 0  # the square is not linear
    assert mi.loc["choice", "mu_star"] == pytest.approx(1.0 / (2 / 3))  # a switch over one grid step of 2/3


def synthetic_sweep(spec: SweepSpec, f, replicates: int = 2) -> pd.DataFrame:
    """A scalars table shaped like run_sweep's, with the outcome f(design) (plus replicate noise)."""
    d = build_design(spec).reset_index()
    rows = d.loc[d.index.repeat(replicates)].reset_index(drop=True)
    rows.insert(2, "replicate", np.tile(np.arange(replicates), len(d)))
    rows.insert(0, "run", np.arange(len(rows)))
    rows["status"], rows["error"] = "ok", None
    y = f(rows)
    rows["score"] = y + 0.001 * (rows["replicate"] - (replicates - 1) / 2)
    rows["hit"] = pd.array(y > np.median(y), dtype="boolean")
    return rows


def test_analyse_averages_replicates_leaves_out_failures_and_refuses_a_point_without_runs():
    spec = spec_of(parameters={"a": {"range": [0, 1]}, "b": {"range": [0, 5]}}, design="morris", samples=6)
    sc = synthetic_sweep(spec, lambda r: 3 * r["a"] + 0.1 * r["b"])
    res = sensitivity.analyse(spec, sc, ["score", "hit"])
    t = res.table
    assert list(t.columns) == ["outcome", "parameter", "index", "value", "conf"]
    assert set(t["outcome"]) == {"score", "hit"} and set(t["index"]) == {"mu_star", "mu", "sigma"}
    mu = t[(t.outcome == "score") & (t["index"] == "mu_star")].set_index("parameter")["value"]
    assert mu["a"] == pytest.approx(3.0) and mu["b"] == pytest.approx(0.5)
    # One failed replicate: left out of its point's mean, said in a note; the indices do not move.
    failed = sc.copy()
    failed.loc[3, ["status", "error", "score"]] = ["error", "ValueError: boom", np.nan]
    res2 = sensitivity.analyse(spec, failed, ["score"])
    assert res2.notes["score"] == ["1 failed run left out of the means"]
    mu2 = res2.table[res2.table["index"] == "mu_star"].set_index("parameter")["value"]
    assert mu2["a"] == pytest.approx(3.0, abs=0.01)
    # Every replicate of a point failed: refused with the point and the error.
    failed.loc[2, ["status", "error", "score"]] = ["error", "ValueError: boom", np.nan]
    with pytest.raises(AnalysisError, match=r"score: 1 of 18 design points have no successful run \(point 1\); "
                                            r"first error: ValueError: boom"):
        sensitivity.analyse(spec, failed, ["score"])
    # Results of another design cannot be paired with the spec's sample.
    other = spec_of(parameters={"a": {"range": [0, 1]}, "b": {"range": [0, 5]}}, design="morris", samples=6, seed=1)
    with pytest.raises(AnalysisError, match="differ from SALib's morris sample"):
        sensitivity.analyse(other, sc, ["score"])
    with pytest.raises(AnalysisError, match="unknown outcome 'scor' \\(did you mean 'score'\\?\\)"):
        sensitivity.analyse(spec, sc, ["scor"])


# ---------------------------------------------------------------- the sensitivity command

TINY = """\
name: tiny
scenario: abe_2015
years: 2
parameters:
  parameters.choice_sensitivity: {range: [2, 8]}
  powers.japan.budget.loans: {range: [0.1, 3.0]}
design: sobol
samples: 8
replicates: 1
seed: 4
outcomes:
  scalars: [wedge_achieved, incumbent_share_mean, kazakhstan:alignment_japan]
"""


def write(path, text):
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_sensitivity_command_on_a_tiny_sobol_sweep(tmp_path, capsys):
    spec = write(tmp_path / "tiny.yaml", TINY)
    out = tmp_path / "sa"
    assert main(["sensitivity", str(spec), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr()
    assert printed.err == ""
    assert "sobol design, N = 8 base samples, 32 points" in printed.out
    assert "Sobol indices of incumbent_share_mean" in printed.out
    assert "false in every run: no variance to apportion" in printed.out  # no wedge in two years
    table = pd.read_parquet(out / "sensitivity.parquet")
    assert list(table.columns) == ["outcome", "parameter", "index", "value", "conf"]
    assert len(table) == 3 * 2 * 2  # the spec's three outcomes x parameters x (S1, ST)
    assert set(table.outcome) == {"wedge_achieved", "incumbent_share_mean", "kazakhstan:alignment_japan"}
    inc = table[table.outcome == "incumbent_share_mean"].set_index(["parameter", "index"])["value"]
    # The choice sensitivity moves the incumbents' share far more than Japan's loans in two years.
    assert inc["parameters.choice_sensitivity", "ST"] > 0.5 > inc["powers.japan.budget.loans", "ST"]
    assert table[table.outcome == "wedge_achieved"]["value"].isna().all()
    # The table is printed sorted by importance.
    block = printed.out.split("Sobol indices of incumbent_share_mean")[1]
    assert block.index("parameters.choice_sensitivity") < block.index("powers.japan.budget.loans")
    assert f"Wrote {out / 'sensitivity.parquet'}" in printed.out
    assert (out / "scalars.parquet").exists()

    # The same folder analysed again without running: the same numbers (seeded bootstrap).
    assert main(["sensitivity", str(spec), "--results", str(out), "--outcome", "incumbent_share_mean",
                 "--out", str(tmp_path / "again")]) == 0
    assert "Read 32 runs" in capsys.readouterr().out
    again = pd.read_parquet(tmp_path / "again" / "sensitivity.parquet")
    pd.testing.assert_frame_equal(again, table[table.outcome == "incumbent_share_mean"].reset_index(drop=True))


def test_sensitivity_command_on_a_tiny_morris_sweep(tmp_path, capsys):
    morris = TINY.replace("design: sobol", "design: morris").replace("samples: 8", "samples: 4")
    spec = write(tmp_path / "m.yaml", morris)
    out = tmp_path / "m"
    assert main(["sensitivity", str(spec), "--out", str(out), "--outcome", "kazakhstan:alignment_japan",
                 "--quiet"]) == 0
    printed = capsys.readouterr()
    assert "Morris elementary effects of kazakhstan:alignment_japan" in printed.out and printed.err == ""
    table = pd.read_parquet(out / "sensitivity.parquet")
    assert set(table["index"]) == {"mu_star", "mu", "sigma"} and len(table) == 2 * 3
    assert table["value"].notna().all() and (table[table["index"] == "mu_star"]["value"] > 0).all()


def test_sensitivity_after_sweep_analyses_that_sweep_without_rerunning(tmp_path, capsys, monkeypatch):
    """`greatgame sweep SPEC` then `greatgame sensitivity SPEC` (both with default folders):
    the second reads out/sweep-NAME instead of running the sweep again; an edited spec does not."""
    morris = TINY.replace("design: sobol", "design: morris").replace("samples: 8", "samples: 2")
    spec = write(tmp_path / "m.yaml", morris)
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", str(spec), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["sensitivity", str(spec), "--outcome", "incumbent_share_mean"]) == 0
    out = capsys.readouterr().out
    assert "Found the finished sweep of this spec in out/sweep-tiny/" in out and "Ran " not in out
    assert (tmp_path / "out" / "sweep-tiny" / "sensitivity.parquet").exists()
    assert not (tmp_path / "out" / "sensitivity-tiny").exists()

    write(spec, morris.replace("seed: 4", "seed: 5"))
    assert main(["sensitivity", str(spec), "--outcome", "incumbent_share_mean", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Found the finished sweep" not in out and "Ran 6 runs" in out
    assert (tmp_path / "out" / "sensitivity-tiny" / "sensitivity.parquet").exists()


def test_sensitivity_refuses_other_designs_and_unknown_outcomes(tmp_path, capsys):
    grid = TINY.replace("design: sobol", "design: grid").replace("samples: 8", "levels: 2")
    grid = write(tmp_path / "grid.yaml", grid)
    line = one_line_error(capsys, main(["sensitivity", str(grid)]), "design is 'grid'")
    assert "design: sobol" in line and "design: morris" in line
    assert not (tmp_path / "out").exists()
    spec = write(tmp_path / "tiny.yaml", TINY)
    one_line_error(capsys, main(["sensitivity", str(spec), "--outcome", "wedge_achived", "--out", str(tmp_path / "x")]),
                   "unknown outcome 'wedge_achived' (did you mean 'wedge_achieved'?)")
    assert not (tmp_path / "x").exists()  # refused before anything ran
    one_line_error(capsys, main(["sensitivity", str(spec), "--results", str(tmp_path / "nowhere")]),
                   "no such results folder")


# ---------------------------------------------------------------- scenario discovery


def fake_sweep_folder(path, n=800, seed=0, rule=lambda x: (x["p1"] > 0.6) & (x["p2"] < 0.3), failed=0):
    """A results folder shaped like greatgame sweep's, with an outcome we know (the first
    ``failed`` runs recorded as failures, without outcomes)."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"p1": rng.random(n), "p2": rng.random(n), "k": rng.integers(1, 6, n),
                      "flag": rng.random(n) < 0.5, "colour": rng.choice(["red", "blue"], n)})
    spec = {"scenario": "abe_2015", "design": "lhs", "samples": n, "seed": seed,
            "parameters": {"p1": {"range": [0, 1]}, "p2": {"range": [0, 1]}, "k": {"range": [1, 5], "type": "int"},
                           "flag": {"values": [True, False]}, "colour": {"values": ["red", "blue"]}}}
    path.mkdir(parents=True)
    (path / "spec.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    (path / "manifest.json").write_text(json.dumps({"kind": "sweep", "design": "lhs"}), encoding="utf-8")
    x.rename_axis("point").reset_index().to_parquet(path / "design.parquet")
    sc = pd.DataFrame({"run": np.arange(n), "point": np.arange(n), "replicate": 0, "seed": 1})
    sc = pd.concat([sc, x], axis=1)
    sc["status"], sc["error"] = pd.array(["ok"] * n, dtype="string"), pd.array([None] * n, dtype="string")
    sc["wedge_achieved"] = pd.array(rule(x), dtype="boolean")
    sc["incumbent_share_mean"] = 0.8 - 0.5 * x["p1"]
    sc.loc[: failed - 1, ["status", "error"]] = ["error", "RuntimeError: boom"]
    sc.loc[: failed - 1, ["wedge_achieved", "incumbent_share_mean"]] = None
    sc.to_parquet(path / "scalars.parquet")
    return path


def test_prim_finds_the_box_of_a_known_rule(tmp_path):
    table = discovery.load_sweep(fake_sweep_folder(tmp_path / "s"))
    assert table.parameters == {"p1": "real", "p2": "real", "k": "int", "flag": "values", "colour": "values"}
    x, dropped = discovery.make_x(table.scalars, table.parameters, table.values)
    assert dropped == []
    assert x["p1"].dtype == "float64" and x["k"].dtype == "int64"
    assert isinstance(x["flag"].dtype, pd.CategoricalDtype) and isinstance(x["colour"].dtype, pd.CategoricalDtype)
    y, target = discovery.make_y(table.scalars, "wedge_achieved", None, list(table.parameters))
    d = discovery.discover(x, y)
    box, st = d.box, d.stats
    assert set(box) == {"p1", "p2"}  # the noise parameters are not restricted
    assert box["p1"]["min"] == pytest.approx(0.6, abs=0.03) and box["p2"]["max"] == pytest.approx(0.3, abs=0.03)
    assert box["p1"]["qp_min"] < 1e-6 and box["p2"]["qp_max"] < 1e-6
    assert st["density"] >= 0.95 and st["coverage"] >= 0.9
    assert "coverage >= 0.5" in d.rule
    # The trajectory goes from the whole sweep to denser, smaller boxes.
    t = d.trajectory
    assert t.iloc[0][["coverage", "mass", "res_dim"]].tolist() == [1.0, 1.0, 0]
    assert t["density"].iloc[d.chosen] > t["density"].iloc[0]
    # CART says the same in a rule.
    rules = discovery.cart_rules(x, y)["rules"]
    assert rules[0]["density"] >= 0.95 and any("p1 >" in c for c in rules[0]["conditions"])


def test_prim_restricts_integer_and_categorical_parameters(tmp_path):
    # EMA Workbench 3.0.0 cannot paste an int64 limit under pandas 3; integers go in as reals
    # and come back as whole numbers.
    folder = fake_sweep_folder(tmp_path / "s", rule=lambda x: (x["k"] >= 3) & (x["colour"] == "red") & (x["p2"] < 0.7))
    table = discovery.load_sweep(folder)
    x, _ = discovery.make_x(table.scalars, table.parameters, table.values)
    y, _ = discovery.make_y(table.scalars, "wedge_achieved", None, list(table.parameters))
    d = discovery.discover(x, y)
    assert d.box["k"]["min"] == 3 and d.box["k"]["range"] == [1, 5] and isinstance(d.box["k"]["min"], int)
    assert d.box["colour"]["values"] == ["red"] and d.box["colour"]["of"] == ["blue", "red"]
    assert d.stats["density"] >= 0.9
    lines = "\n".join(discovery.format_box(d))
    assert "in {red}" in lines and "3 to 5" in lines


def test_discover_command_writes_box_and_trajectory(tmp_path, capsys):
    folder = fake_sweep_folder(tmp_path / "s", failed=3)
    assert main(["discover", str(folder), "--cart"]) == 0
    printed = capsys.readouterr()
    assert printed.err == ""  # no warnings or log lines from EMA Workbench
    assert "797 runs (3 failed runs left out)" in printed.out
    assert "PRIM peeling trajectory" in printed.out and "Chosen box" in printed.out
    assert "qp" in printed.out and "CART" in printed.out and "IF " in printed.out
    data = json.loads((folder / "discovery" / "discovery.json").read_text())
    assert data["outcome"] == "wedge_achieved" and data["runs"] == 797
    assert data["box"]["p1"]["min"] == pytest.approx(0.6, abs=0.03) and data["stats"]["density"] >= 0.95
    traj = pd.read_parquet(folder / "discovery" / "prim_trajectory.parquet")
    assert len(traj) == len(data["trajectory"]) and {"coverage", "density", "mass", "res_dim"} <= set(traj.columns)
    # --box picks another box of the trajectory.
    assert main(["discover", str(folder), "--box", "1", "--out", str(tmp_path / "b1")]) == 0
    assert "box 1, as asked" in capsys.readouterr().out
    assert json.loads((tmp_path / "b1" / "discovery.json").read_text())["chosen_box"] == 1


def test_discover_needs_a_threshold_for_a_numeric_outcome(tmp_path, capsys):
    folder = fake_sweep_folder(tmp_path / "s")
    one_line_error(capsys, main(["discover", str(folder), "--outcome", "incumbent_share_mean"]),
                   "give --threshold T")
    assert not (folder / "discovery").exists()
    # With a threshold: incumbent_share_mean >= 0.6 exactly when p1 <= 0.4.
    assert main(["discover", str(folder), "--outcome", "incumbent_share_mean", "--threshold", "0.6"]) == 0
    assert "runs of interest: incumbent_share_mean >= 0.6" in capsys.readouterr().out
    box = json.loads((folder / "discovery" / "discovery.json").read_text())["box"]
    assert list(box) == ["p1"] and box["p1"]["max"] == pytest.approx(0.4, abs=0.03)


def test_discover_with_nothing_or_everything_of_interest(tmp_path, capsys):
    none = fake_sweep_folder(tmp_path / "none", n=50, rule=lambda x: x["p1"] > 2)
    assert main(["discover", str(none)]) == 0
    assert "No run is of interest" in capsys.readouterr().out
    every = fake_sweep_folder(tmp_path / "all", n=50, rule=lambda x: x["p1"] >= 0)
    assert main(["discover", str(every)]) == 0
    assert "Every run is of interest" in capsys.readouterr().out
    assert not (tmp_path / "none" / "discovery").exists()


def test_discover_one_line_errors(tmp_path, capsys):
    one_line_error(capsys, main(["discover", str(tmp_path / "nowhere")]), "no such results folder")
    (tmp_path / "plain").mkdir()
    one_line_error(capsys, main(["discover", str(tmp_path / "plain")]), "not a sweep results folder")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "manifest.json").write_text(json.dumps({"scenario": "abe_2015"}))
    one_line_error(capsys, main(["discover", str(tmp_path / "run")]), "not a sweep results folder")
    folder = fake_sweep_folder(tmp_path / "s", n=60)
    one_line_error(capsys, main(["discover", str(folder), "--outcome", "wedge_achievd"]),
                   "unknown outcome 'wedge_achievd' (did you mean 'wedge_achieved'?)")
    one_line_error(capsys, main(["discover", str(folder), "--threshold", "0.5"]), "true or false already")
    one_line_error(capsys, main(["discover", str(folder), "--box", "999"]), "--box 999: the peeling trajectory has")
