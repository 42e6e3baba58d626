"""The command line as a user meets it: outputs, manifest, errors, reproducibility."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from greatgame.cli import main


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "greatgame.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_run_writes_tidy_results_and_manifest(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", "abe_2015", "--years", "2", "--replicates", "2", "--seed", "7", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "Alignment in 2017-Q4" in printed and "wedge achieved" in printed and str(out) in printed
    actors = pd.read_parquet(out / "actors.parquet")
    model = pd.read_parquet(out / "model.parquet")
    man = json.loads((out / "manifest.json").read_text())
    # one row per replicate, step and actor
    assert len(actors) == 2 * 9 * 9
    assert not actors.duplicated(["replicate", "step", "actor"]).any()
    assert {"alignment_japan", "trade_score_china", "forum_sco", "wedged"} <= set(actors.columns)
    assert len(model) == 2 * 9 and model["wedge_achieved"].dtype == bool
    assert man["scenario"] == "abe_2015" and len(man["scenario_sha256"]) == 64
    assert man["seeds"] == sorted(set(actors["seed"]), key=man["seeds"].index)
    assert man["versions"]["mesa"].startswith("3.")
    assert man["command"]


def test_replicate_rerun_alone_gives_same_numbers(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", "abe_2015", "--years", "2", "--replicates", "3", "--out", str(a), "--quiet"]) == 0
    seeds = json.loads((a / "manifest.json").read_text())["seeds"]
    assert len(set(seeds)) == 3
    assert main(["run", "abe_2015", "--years", "2", "--seed", str(seeds[2]), "--out", str(b), "--quiet"]) == 0
    many = pd.read_parquet(a / "actors.parquet")
    one = pd.read_parquet(b / "actors.parquet")
    third = many[many["replicate"] == 2].drop(columns=["replicate"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(third, one.drop(columns=["replicate"]))


def test_csv_format(tmp_path):
    out = tmp_path / "c"
    assert main(["run", "abe_2015", "--years", "1", "--format", "csv", "--out", str(out), "--quiet"]) == 0
    df = pd.read_csv(out / "actors.csv")
    assert set(df["actor"]) >= {"japan", "kazakhstan"}


def test_bad_input_is_one_line_no_traceback_no_output(tmp_path):
    out = tmp_path / "never"
    r = run_cli("run", "abe_2015", "--set", "powers.japan.budget.grants=-3", "--out", str(out))
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert "powers.japan.budget.grants: must be ≥ 0, got -3" in lines[0]
    assert not out.exists()


def test_bad_scenario_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nextends: abe_2015\ntrade: {china: {total: 38, split: {kazakstan: 1}}}\n")
    r = run_cli("validate", str(bad))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"{bad}: trade.china.split.kazakstan: unknown republic 'kazakstan' (did you mean 'kazakhstan'?)" in r.stderr


def test_out_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    r = run_cli("run", "abe_2015", "--years", "1", "--out", str(f))
    assert r.returncode != 0 and "not a directory" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("argv, expected", [
    (["run", "abe_2015", "--seed", "-3"], "--seed: expected a whole number from 0 to 2^63-1, got -3"),
    (["run", "abe_2015", "--seed", str(2**70)], f"--seed: expected a whole number from 0 to 2^63-1, got {2**70}"),
    (["run", "abe_2015", "--years", "nan"], "--years: must be a finite number ≥ 0.25 (one quarter), got nan"),
    (["run", "abe_2015", "--years", "0.1"], "--years: must be a finite number ≥ 0.25 (one quarter), got 0.1"),
    (["compare", "abe_2015", "--without", "japan_2015_tour", "--seed", "-1"], "--seed: expected a whole number"),
    (["wedge", "abe_2015", "--years", "inf"], "--years: must be a finite number ≥ 0.25 (one quarter), got inf"),
])
def test_seeds_and_horizons_out_of_range_are_refused_before_running(tmp_path, capsys, argv, expected):
    """A seed the tables cannot store, or a horizon that is not a finite positive number, is
    refused in one line before anything runs, and nothing is written."""
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out), "--quiet"]) != 0
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and err[0].startswith(f"greatgame: error: {expected}"), err
    assert not out.exists()


def test_a_single_incumbent_scenario_runs_and_reads_right(tmp_path, capsys):
    """wedge.incumbents may name one power: its share is both its own column and the
    incumbents' column of the summary, and the wedge rule reads in the singular."""
    f = tmp_path / "only_russia.yaml"
    f.write_text("name: only_russia\nextends: abe_2015\nwedge: {challenger: japan, incumbents: [russia]}\n")
    assert main(["run", str(f), "--years", "1", "--out", str(tmp_path / "o"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "gives Russia < 0.5 and Japan at least as much as it" in out
    row = next(line for line in out.splitlines() if line.startswith("kazakhstan"))
    numbers = row.split()[1:]
    assert len(numbers) == 5 and numbers[2] == numbers[4]  # Russia's share is the incumbents' share


def test_bad_replicates():
    r = run_cli("run", "abe_2015", "--replicates", "0")
    assert r.returncode == 2 and "--replicates" in r.stderr and "Traceback" not in r.stderr


def test_scenarios_lists_shipped():
    r = run_cli("scenarios")
    assert r.returncode == 0 and "abe_2015" in r.stdout


def test_sources_prints_each_figure_with_source():
    r = run_cli("sources", "abe_2015")
    assert r.returncode == 0
    assert "trade.china.total = 38   [SOURCE]" in r.stdout
    assert "In 2014, trade volume stood at 38 billion US dollars" in r.stdout
    assert "[ASSUMED]" in r.stdout and "[DEFAULT]" in r.stdout
    assert "[UNSOURCED]" not in r.stdout


def test_validate_ok_counts():
    r = run_cli("validate", "abe_2015", "--strict")
    assert r.returncode == 0, r.stderr
    assert "ok:" in r.stdout and "0 unsourced" in r.stdout


@pytest.mark.parametrize("argv", [["run"], ["frobnicate"], ["run", "abe_2015", "--seed", "x"]])
def test_usage_errors_exit_2(argv):
    r = run_cli(*argv)
    assert r.returncode == 2 and "usage" in r.stderr.lower()


def test_run_ranges_draws_each_replicates_inputs_reproducibly(tmp_path):
    """run --ranges: each replicate draws the ranged inputs (draws table, draw column -1 without
    a posterior); the same seed gives the same tables; --set values are kept out of the draws."""
    import pandas as pd

    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        r = run_cli("run", "abe_2015", "--replicates", "2", "--years", "1", "--ranges", "--set",
                    "parameters.choice_sensitivity=3", "--out", str(out))
        assert r.returncode == 0, r.stderr
    draws = [pd.read_parquet(o / "draws.parquet") for o in outs]
    pd.testing.assert_frame_equal(draws[0], draws[1])
    pd.testing.assert_frame_equal(pd.read_parquet(outs[0] / "model.parquet"), pd.read_parquet(outs[1] / "model.parquet"))
    d = draws[0]
    assert set(d["replicate"]) == {0, 1} and "parameters.choice_sensitivity" not in set(d["input"])
    assert d.groupby("input")["drawn"].nunique().max() == 2  # each replicate its own values
    assert (pd.read_parquet(outs[0] / "actors.parquet")["draw"] == -1).all()
