"""Sweeps: the same table whatever the backend, resume after a kill, failures recorded,
one-line errors for bad specs, and every run re-runnable alone."""

from __future__ import annotations

import shlex
import textwrap

import numpy as np
import pandas as pd
import pytest

import greatgame.analysis as analysis
from greatgame.analysis import sweep as sweep_mod
from greatgame.analysis.spec import read_spec
from greatgame.analysis.sweep import SpecMismatch, run_sweep
from greatgame.cli import main
from greatgame.sim import GreatGameModel, ScenarioError

SPEC = """\
name: small
scenario: abe_2015
years: 2
parameters:
  powers.japan.budget.loans: {range: [0.1, 3.0]}
  parameters.choice_sensitivity: {range: [2, 8]}
  initiatives.japan_2015_tour.enabled: {values: [true, false]}
design: lhs
samples: 12
replicates: 2
seed: 11
outcomes:
  scalars: [wedge_achieved, incumbent_share_mean, challenger_share_mean, kazakhstan:alignment_japan, tajikistan:wedged]
  trajectories: {every: 2, columns: [incumbent_share_mean, turkmenistan:incumbent_share]}
"""


def write(tmp_path, text, name="spec.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory):
    return write(tmp_path_factory.mktemp("spec"), SPEC)


@pytest.fixture(scope="module")
def reference(spec_file, tmp_path_factory):
    """The sweep on one process: the table every other backend must reproduce."""
    return run_sweep(read_spec(spec_file), tmp_path_factory.mktemp("ref") / "out", workers=1)


def test_small_sweep_shape_and_seeds(reference, spec_file):
    sc, tr = reference.scalars, reference.trajectories
    assert reference.total == len(sc) == 24 and reference.failed == 0
    assert list(sc["run"]) == list(range(24))
    assert (sc["status"] == "ok").all()
    # Common random numbers: replicate r of every point has the same seed, from SeedSequence(11).
    children = np.random.SeedSequence(11).spawn(2)
    want = [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]
    assert sc.groupby("replicate")["seed"].unique().map(list).tolist() == [[want[0]], [want[1]]]
    # Parameters are in the row, and vary over points.
    assert sc["powers.japan.budget.loans"].between(0.1, 3.0).all()
    assert sc.groupby("point")["powers.japan.budget.loans"].nunique().eq(1).all()
    assert sc["powers.japan.budget.loans"].nunique() == 12
    assert set(sc["initiatives.japan_2015_tour.enabled"]) == {True, False}
    assert sc["wedge_achieved"].dtype == "boolean"
    # Trajectories: steps 0, 2, 4, 6, 8 for each run.
    assert len(tr) == 24 * 5 and list(tr[tr["run"] == 0]["step"]) == [0, 2, 4, 6, 8]
    assert list(tr[tr["run"] == 0]["date"])[0] == "2015-Q4"
    last = tr[tr["step"] == 8].set_index("run")["incumbent_share_mean"]
    np.testing.assert_array_equal(last.to_numpy(), sc.set_index("run")["incumbent_share_mean"].to_numpy())
    # The loader gives the same frames back.
    r = analysis.load_results(reference.out)
    pd.testing.assert_frame_equal(r.scalars, sc)
    assert r.manifest["spec_sha256"] == read_spec(spec_file).hash


def test_any_run_reruns_alone_with_the_same_numbers(reference, spec_file, tmp_path, capsys):
    spec = read_spec(spec_file)
    row = reference.scalars.iloc[7]
    argv = shlex.split(sweep_mod.rerun_command(spec, row))[1:]
    assert main(argv + ["--out", str(tmp_path / "rerun"), "--quiet"]) == 0
    capsys.readouterr()
    model = analysis.load_results(tmp_path / "rerun").model
    assert model["incumbent_share_mean"].iloc[-1] == row["incumbent_share_mean"]
    assert model["challenger_share_mean"].iloc[-1] == row["challenger_share_mean"]


def test_a_list_valued_categorical_reruns_alone_too(tmp_path, capsys):
    """A categorical parameter whose values are lists (which powers Kazakhstan borders):
    the printed re-run command passes the list through --set and gives the same numbers."""
    f = write(tmp_path, "scenario: abe_2015\nyears: 1\nparameters:\n"
                        "  republics.kazakhstan.borders: {values: [[china], [china, russia]]}\ndesign: grid\n")
    spec = read_spec(f)
    r = run_sweep(spec, tmp_path / "sw")
    assert r.failed == 0 and len(r.scalars) == 2
    shares = r.scalars["kazakhstan:incumbent_share"]
    assert shares.iloc[0] != shares.iloc[1]  # bordering Russia or not changes the threat term
    for i in range(2):
        row = r.scalars.iloc[i]
        argv = shlex.split(sweep_mod.rerun_command(spec, row))[1:]
        out = tmp_path / f"rerun{i}"
        assert main(argv + ["--out", str(out), "--quiet"]) == 0, capsys.readouterr().err
        actors = analysis.load_results(out).actors
        last = actors[(actors["actor"] == "kazakhstan") & (actors["step"] == actors["step"].max())]
        assert last["incumbent_share"].iloc[0] == row["kazakhstan:incumbent_share"]
    capsys.readouterr()


def test_a_scenario_beside_the_spec_reruns_from_anywhere(tmp_path, capsys, monkeypatch):
    """A spec naming a scenario file beside it: the re-run command names that file as seen
    from the current folder, and gives the same numbers."""
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "mine.yaml").write_text("name: mine\nextends: abe_2015\npowers: {japan: {budget: {grants: "
                                      "{value: 0.3, assumption: test}}}}\n", encoding="utf-8")
    f = write(folder, "scenario: mine.yaml\nyears: 1\nparameters:\n"
                      "  parameters.choice_sensitivity: {values: [3, 6]}\ndesign: grid\n")
    monkeypatch.chdir(tmp_path)
    spec = read_spec(f)
    r = run_sweep(spec, tmp_path / "sw")
    row = r.scalars.iloc[1]
    command = sweep_mod.rerun_command(spec, row)
    assert command.startswith("greatgame run study/mine.yaml --seed ")
    assert main(shlex.split(command)[1:] + ["--out", str(tmp_path / "again"), "--quiet"]) == 0
    capsys.readouterr()
    model = analysis.load_results(tmp_path / "again").model
    assert model["incumbent_share_mean"].iloc[-1] == row["incumbent_share_mean"]


def test_two_workers_give_the_identical_table(reference, spec_file, tmp_path):
    r = run_sweep(read_spec(spec_file), tmp_path / "w2", workers=2)
    assert r.backend == "process pool of 2"
    pd.testing.assert_frame_equal(r.scalars, reference.scalars)
    pd.testing.assert_frame_equal(r.trajectories, reference.trajectories)


def test_local_dask_cluster_gives_the_identical_table(reference, spec_file, tmp_path):
    r = run_sweep(read_spec(spec_file), tmp_path / "dask", dask_local=2)
    assert r.backend.startswith("Dask local cluster of 2")
    pd.testing.assert_frame_equal(r.scalars, reference.scalars)
    pd.testing.assert_frame_equal(r.trajectories, reference.trajectories)


def test_killed_sweep_resumes_to_the_same_table(reference, spec_file, tmp_path, monkeypatch):
    spec = read_spec(spec_file)
    out = tmp_path / "killed"
    real_write = sweep_mod.SweepStore.write_part
    calls = {"n": 0}

    def dying_write(self, index, scalars, trajectories):
        calls["n"] += 1
        if calls["n"] == 3:  # killed while the third batch is being stored
            raise KeyboardInterrupt
        real_write(self, index, scalars, trajectories)

    monkeypatch.setattr(sweep_mod.SweepStore, "write_part", dying_write)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out, workers=1)
    monkeypatch.setattr(sweep_mod.SweepStore, "write_part", real_write)
    parts = sorted((out / "parts").glob("scalars-*.parquet"))
    assert len(parts) == 2 and not (out / "scalars.parquet").exists()
    (out / "parts" / ".scalars-9999999.parquet.tmp").write_bytes(b"torn write")  # a half-written temp file

    with pytest.raises(SpecMismatch, match="--resume"):
        run_sweep(spec, out, workers=1)  # not without --resume
    done_before = sum(len(pd.read_parquet(p)) for p in parts)
    r = run_sweep(spec, out, workers=2, resume=True)
    assert r.skipped == done_before and r.ran == 24 - done_before
    pd.testing.assert_frame_equal(r.scalars, reference.scalars)
    pd.testing.assert_frame_equal(r.trajectories, reference.trajectories)
    assert r.scalars["run"].is_unique and not (out / "parts").exists()


def test_resume_with_another_spec_is_refused(reference, tmp_path):
    other = write(tmp_path, SPEC.replace("seed: 11", "seed: 12"))
    with pytest.raises(SpecMismatch, match="different sweep spec"):
        run_sweep(read_spec(other), reference.out, resume=True)


def test_a_failing_run_is_recorded_and_the_others_complete(spec_file, tmp_path, monkeypatch):
    class Fragile(GreatGameModel):
        def __init__(self, scenario, rng=None, **kw):
            if scenario.parameters.choice_sensitivity > 7.0:
                raise FloatingPointError("overflow in the hedging target")
            super().__init__(scenario, rng=rng, **kw)

    monkeypatch.setattr(sweep_mod, "GreatGameModel", Fragile)
    r = run_sweep(read_spec(spec_file), tmp_path / "fragile", workers=1)
    sc = r.scalars
    bad = sc["parameters.choice_sensitivity"] > 7.0
    assert bad.any() and (~bad).any()
    assert (sc.loc[bad, "status"] == "error").all()
    assert sc.loc[bad, "error"].str.contains("FloatingPointError: overflow").all()
    assert sc.loc[bad, "incumbent_share_mean"].isna().all()
    assert (sc.loc[~bad, "status"] == "ok").all() and sc.loc[~bad, "incumbent_share_mean"].notna().all()
    assert r.failed == int(bad.sum()) == analysis.load_results(r.out).manifest["failed"]


def test_grid_and_list_designs(tmp_path):
    grid = read_spec(write(tmp_path, """\
        scenario: abe_2015
        years: 1
        parameters:
          parameters.choice_sensitivity: {range: [2, 6]}
          parameters.join_binding_above: {range: [2, 4], type: int}
        design: grid
        levels: 3
        """, "grid.yaml"))
    d = grid.design()
    assert len(d) == 9 and sorted(set(d["parameters.join_binding_above"])) == [2, 3, 4]
    assert sorted(set(d["parameters.choice_sensitivity"])) == [2.0, 4.0, 6.0]
    listed = read_spec(write(tmp_path, """\
        scenario: kishida_2024
        years: 1
        design: list
        points:
          - {initiatives.kishida_2024.enabled: true}
          - {initiatives.kishida_2024.enabled: false, parameters.choice_sensitivity: 3}
        """, "list.yaml"))
    r = run_sweep(listed, tmp_path / "list")
    assert len(r.scalars) == 2 and (r.scalars["status"] == "ok").all()
    assert r.scalars["parameters.choice_sensitivity"].isna().tolist() == [True, False]


BAD_SPECS = [
    ("parameters:\n  powers.japan.budget.loans: {range: [3, 1]}\ndesign: lhs\nsamples: 4\n",
     "parameters.powers.japan.budget.loans", "lower end must be below the upper end"),
    ("parameters:\n  powers.japan.budget.lons: {range: [0, 1]}\ndesign: lhs\nsamples: 4\n",
     "parameters.powers.japan.budget.lons", "did you mean 'loans'"),
    ("parameters:\n  powers.japan.budget.loans: {range: [-1, 1]}\ndesign: lhs\nsamples: 4\n",
     "parameters.powers.japan.budget.loans", "must be ≥ 0, got -1"),
    ("parameters:\n  powers.jpan.gdp: {range: [1, 2]}\ndesign: lhs\nsamples: 4\n",
     "parameters.powers.jpan.gdp", "did you mean 'japan'"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [1, 2]}\ndesign: lhc\nsamples: 4\n",
     "design", "did you mean 'lhs'"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [1, 2]}\ndesign: sobol\nsamples: 100\n",
     "samples", "power of 2"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [1, 2]}\ndesign: lhs\n",
     "samples", "needs a sample count"),
    ("parameters:\n  parameters.choice_sensitivity: {between: [1, 2]}\ndesign: grid\n",
     "parameters.parameters.choice_sensitivity", "expected {range: [low, high]}"),
    ("parameters:\n  parameters.join_binding_above: {range: [1.5, 4], type: int}\ndesign: grid\n",
     "parameters.parameters.join_binding_above", "whole-number ends"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [1, 2]}\ndesign: grid\nreplicates: 0\n",
     "replicates", "must be ≥ 1"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [1, 2]}\ndesign: grid\nsede: 3\n",
     "sede", "did you mean 'seed'"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [1, 2]}\ndesign: grid\n"
     "outcomes: {scalars: [wedge_achived]}\n", "outcomes.scalars", "did you mean 'wedge_achieved'"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [1, 2]}\ndesign: grid\n"
     "outcomes: {scalars: ['kazakstan:alignment_japan']}\n", "outcomes.scalars", "did you mean 'kazakhstan'"),
    ("parameters:\n  initiatives.japan_2015_tour.enabled: {values: [true, maybe]}\ndesign: grid\n",
     "parameters.initiatives.japan_2015_tour.enabled", "expected true or false"),
    ("design: list\npoints:\n  - {parameters.choice_sensitivity: -2}\n",
     "points[0].parameters.choice_sensitivity", "must be > 0"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [1, 2]}\ndesign: grid\nseed: 1180591620717411303424\n",
     "seed", "must be ≤ 9223372036854775807"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [1, 2]}\ndesign: grid\nyears: 2\n",
     "line 6, column 1", "duplicate key 'years' (first at line 2)"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [1, 2]}\ndesign: morris\nsamples: 4\nlevels: 3\n",
     "levels", "a Morris design needs an even number of levels"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [1, .inf]}\ndesign: lhs\nsamples: 4\n",
     "parameters.parameters.choice_sensitivity.range.1", "expected a finite number, got inf"),
]


@pytest.mark.parametrize("body,path,message", BAD_SPECS)
def test_bad_spec_gets_a_one_line_error(tmp_path, capsys, body, path, message):
    f = write(tmp_path, "scenario: abe_2015\nyears: 1\n" + body)
    with pytest.raises(ScenarioError) as e:
        read_spec(f)
    text = str(e.value)
    assert text.startswith(f"{f}: {path}: "), text
    assert message in text, text
    out = tmp_path / "never"
    assert main(["sweep", str(f), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("command", [["sweep", "SPEC"], ["sensitivity", "SPEC"],
                                     ["compare", "abe_2015", "--without", "japan_2015_tour"], ["wedge", "abe_2015"]])
@pytest.mark.parametrize("address", ["notaurl", "tcp://host", "tcp://10.0.0.5:87x"])
def test_a_malformed_scheduler_address_is_refused_before_anything_runs(tmp_path, capsys, spec_file, command, address):
    argv = [str(spec_file) if a == "SPEC" else a for a in command]
    out = tmp_path / "never"
    assert main([*argv, "--scheduler", address, "--out", str(out), "--quiet"]) != 0
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert err == [f"greatgame: error: --scheduler {address}: expected a Dask scheduler address like "
                   f"tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786)"]
    assert not out.exists()


def test_unknown_scenario_and_broken_yaml(tmp_path, capsys):
    f = write(tmp_path, "scenario: abe_2051\nparameters: {}\ndesign: list\npoints: [{}]\n")
    assert main(["sweep", str(f)]) == 1
    assert "scenario: abe_2051" in capsys.readouterr().err
    g = write(tmp_path, "scenario: abe_2015\nparameters: [unclosed\n", "broken.yaml")
    assert main(["sweep", str(g)]) == 1
    assert "not valid YAML" in capsys.readouterr().err
    assert main(["sweep", str(tmp_path / "missing.yaml")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_dry_run_prints_the_design_and_writes_nothing(spec_file, tmp_path, capsys):
    out = tmp_path / "dry"
    assert main(["sweep", str(spec_file), "--dry-run", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "12 points x 2 replicates = 24 runs" in text
    assert "powers.japan.budget.loans" in text and "Dry run: nothing written" in text
    assert not out.exists()


SHIPPED_SPECS = {  # spec -> (design points, replicates), as the README's table says
    "japan_money.yaml": (256, 4),
    "tour_grid.yaml": (50, 10),
    "sobol_wedge.yaml": (512, 2),
    "morris_screen.yaml": (220, 2),
}


@pytest.mark.parametrize("name", sorted(SHIPPED_SPECS))
def test_shipped_sweep_specs_validate_and_their_points_build(name):
    from pathlib import Path

    from greatgame.sim.scenario import scenario_with

    path = Path(__file__).resolve().parents[1] / "sweeps" / name
    spec = read_spec(path)
    design = spec.design()
    assert (len(design), spec.spec.replicates) == SHIPPED_SPECS[name]
    for col, param in spec.spec.parameters.items():  # every value inside its declared range or list
        if hasattr(param, "range"):
            lo, hi = param.range
            assert design[col].between(lo, hi).all(), col
        else:
            assert set(design[col]) <= set(param.values), col
    base = spec.base.scenario
    for i in (0, len(design) - 1):  # the first and last points make valid scenarios that step
        values = design.iloc[i].to_dict()
        m = GreatGameModel(scenario_with(base, values), rng=1, collect_every=0)
        m.run_for(1)
        assert m.steps == 1


def test_shipped_spec_folder_holds_only_tested_specs():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "sweeps"
    assert {p.name for p in folder.glob("*.yaml")} == set(SHIPPED_SPECS)


SHIFT_SPEC = """\
name: shift
scenario: abe_2015
years: 2
parameters:
  powers.japan.budget.grants: {values: [0.05, 2.0]}
design: grid
replicates: 2
seed: 3
outcomes:
  scalars: [incumbent_shift_mean, challenger_shift_mean, kazakhstan:incumbent_shift, incumbent_share_mean]
"""


def test_the_headline_shift_is_a_sweep_outcome_and_agrees_with_wedge(tmp_path):
    """incumbent_shift(_mean) is the paired with - without difference of `greatgame wedge`:
    the same seed and parameters give the same number. Only the mechanism's sign is asserted
    (a power's own initiatives raise its own share), not the incumbents' answer."""
    from greatgame.analysis import compare as cmp
    from greatgame.sim import load_scenario

    res = run_sweep(read_spec(write(tmp_path, SHIFT_SPEC)), tmp_path / "out", workers=1)
    t = res.scalars
    assert (t["status"] == "ok").all() and len(t) == 4
    assert (t["challenger_shift_mean"] > 0).all()
    row = t.iloc[0]
    grants = {"powers.japan.budget.grants": float(t["powers.japan.budget.grants"].iloc[0])}
    ld = load_scenario("abe_2015", years=2)
    off = {f"initiatives.{n}.enabled": False for n in cmp.challenger_initiatives(ld.scenario)}
    with_ = GreatGameModel("abe_2015", rng=int(row["seed"]), collect_every=0, years=2, overrides=grants).run()
    without = GreatGameModel("abe_2015", rng=int(row["seed"]), collect_every=0, years=2,
                             overrides={**grants, **off}).run()
    for m in (with_, without):
        m.measure()
    kz = with_._ri["kazakhstan"]
    assert row["kazakhstan:incumbent_shift"] == pytest.approx(with_.incumbent_share[kz] - without.incumbent_share[kz],
                                                             abs=1e-15)
    assert row["incumbent_shift_mean"] == pytest.approx((with_.incumbent_share - without.incumbent_share).mean(),
                                                        abs=1e-15)


@pytest.mark.parametrize("scalars, trajectories, message", [
    ("[incumbent_shift_mean]", "{every: 4, columns: [incumbent_shift_mean]}",
     "(the shifts are outcomes at the last step only)"),
    ("[kazakhstan:incumbent_shift]", "{every: 4, columns: [kazakhstan:incumbent_shift]}",
     "(the shifts are outcomes at the last step only)"),
])
def test_shifts_are_last_step_outcomes_only(tmp_path, capsys, scalars, trajectories, message):
    spec = write(tmp_path, SHIFT_SPEC.replace(
        "  scalars: [incumbent_shift_mean, challenger_shift_mean, kazakhstan:incumbent_shift, incumbent_share_mean]",
        f"  scalars: {scalars}\n  trajectories: {trajectories}"))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "outcomes.trajectories.columns: unknown" in err and "_shift" in err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_shift_without_the_challengers_initiatives_is_refused(tmp_path, capsys):
    write(tmp_path, "name: quiet\nextends: abe_2015\ninitiatives: {japan_2015_tour: {enabled: false}}\n", "quiet.yaml")
    spec = write(tmp_path, SHIFT_SPEC.replace("scenario: abe_2015", "scenario: quiet.yaml"))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.endswith("'incumbent_shift_mean' is the shift caused by the initiatives of japan (wedge.challenger), "
                        "but scenario 'quiet' has no enabled initiative of japan")
    assert not (tmp_path / "o").exists()
