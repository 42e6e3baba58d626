"""A range for every number: the format, its validation, `sources --csv`, `validate --strict`,
and `greatgame uncertainty` (Morris then Sobol over the ranged inputs)."""

from __future__ import annotations

import io
import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from greatgame.cli import main
from greatgame.sim import ScenarioError, load_scenario, shipped_names
from greatgame.sim.ranges import DEFAULT_RANGES
from greatgame.sim.scenario import (check_range_ends, composition_override, input_ranges, parameter_defaults,
                                    shipped_dir)


def write(tmp_path: Path, body: str, name: str = "x.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "greatgame.cli", *args], capture_output=True, text=True, cwd=cwd)


def stripped_baseline(tmp_path: Path, name: str = "bare") -> Path:
    """abe_2015 with every range and relative uncertainty taken out (annotations kept), as a
    user's scenario written before ranges existed."""
    text = (shipped_dir() / "abe_2015.yaml").read_text(encoding="utf-8")
    text = re.sub(r", (range: \[[^\]]*\]|uncertainty: [0-9.eE+-]+)", "", text)
    text = text.replace("name: abe_2015", f"name: {name}", 1)
    assert "range:" not in text.replace('"range: ', "").replace("; range: ", "")
    p = tmp_path / f"{name}.yaml"
    p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------- the format


def test_range_and_relative_uncertainty_are_read(tmp_path):
    p = write(tmp_path, """
        extends: abe_2015
        name: x
        powers:
          japan:
            gdp: {value: 4000, source: wdi, uncertainty: 0.1}
            budget: {grants: {value: 0.2, assumption: "more", range: [0.1, 0.4]}}
        parameters:
          choice_sensitivity: {value: 5, assumption: "steeper", range: [3, 7]}
        """)
    ls = load_scenario(p)
    assert ls.scenario.powers["japan"].gdp == 4000  # the annotation is stripped before validation
    r = input_ranges(ls)
    gdp, grants, beta = r["powers.japan.gdp"], r["powers.japan.budget.grants"], r["parameters.choice_sensitivity"]
    assert (gdp.kind, gdp.source) == ("sourced", "wdi")
    assert gdp.low == pytest.approx(3600) and gdp.high == pytest.approx(4400)
    assert (grants.kind, grants.low, grants.high) == ("assumption", 0.1, 0.4)
    # A parameter the scenario sets is its own number, not a default.
    assert (beta.kind, beta.low, beta.high) == ("assumption", 3, 7)
    assert r["parameters.adjustment_rate"].kind == "default"
    assert (r["parameters.adjustment_rate"].low, r["parameters.adjustment_rate"].high) == \
        DEFAULT_RANGES["parameters.adjustment_rate"][:2]
    # Words and dates are not numbers.
    assert "republics.uzbekistan.neutrality" not in r and "forums.sco.founded" not in r


def test_bare_numbers_stay_allowed_and_have_no_range(tmp_path):
    p = write(tmp_path, "extends: abe_2015\nname: x\npowers: {japan: {budget: {grants: 0.2}}}\n")
    r = input_ranges(load_scenario(p))["powers.japan.budget.grants"]
    assert r.kind == "unsourced" and not r.ranged and r.source == ""


BAD = [
    ("{value: 0.2, assumption: a, range: [0.3, 0.6]}", ["powers.japan.budget.grants.range",
                                                        "low ≤ value ≤ high, got [0.3, 0.6] for value 0.2"]),
    ("{value: 0.2, assumption: a, range: [0.6, 0.1]}", ["grants.range", "low ≤ value ≤ high"]),
    ("{value: 0.2, assumption: a, range: 0.5}", ["grants.range", "expected [low, high], two numbers, got 0.5"]),
    ("{value: 0.2, assumption: a, range: [0.1, 0.3, 0.5]}", ["grants.range", "expected [low, high]"]),
    ("{value: 0.2, assumption: a, range: [0.1, lots]}", ["grants.range", "two numbers"]),
    ("{value: 0.2, assumption: a, range: [0.1, .inf]}", ["grants.range", "expected finite ends, got [0.1, inf]"]),
    ("{value: 0.2, assumption: a, range: [.nan, 0.3]}", ["grants.range", "finite"]),
    ("{value: 0.2, source: wdi, uncertainty: -0.1}", ["grants.uncertainty", "a finite number ≥ 0", "got -0.1"]),
    ("{value: 0.2, source: wdi, uncertainty: lots}", ["grants.uncertainty", "got 'lots'"]),
    ("{value: 0.2, source: wdi, uncertainty: 0.1, range: [0.1, 0.3]}", ["powers.japan.budget.grants",
                                                                        "either range", "not both"]),
    ("{value: .nan, assumption: a, range: [0, 1]}", ["grants.range", "only a finite number can have a range"]),
]


@pytest.mark.parametrize("node, fragments", BAD, ids=[b[0] for b in BAD])
def test_bad_range_is_one_line_naming_file_and_path(tmp_path, node, fragments):
    p = write(tmp_path, f"extends: abe_2015\nname: x\npowers: {{japan: {{budget: {{grants: {node}}}}}}}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(str(p))
    for f in fragments:
        assert f in msg, msg


def test_a_range_on_a_word_is_refused(tmp_path):
    p = write(tmp_path, "extends: abe_2015\nname: x\nrepublics: {turkmenistan: {neutrality: "
                        "{value: permanent, source: hashmi_2015, range: [0, 1]}}}\n")
    with pytest.raises(ScenarioError, match=r"neutrality\.range: only a finite number can have a range, got value "
                                            r"'permanent'"):
        load_scenario(p)


def test_the_cli_reports_a_bad_range_in_one_line(tmp_path):
    p = write(tmp_path, "extends: abe_2015\nname: x\nparameters: {autonomy_cost: {value: 1, assumption: a, "
                        "range: [2, 3]}}\n")
    r = run_cli("validate", str(p))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "parameters.autonomy_cost.range: expected [low, high] with low ≤ value ≤ high" in r.stderr


# ---------------------------------------------------------------- defaults and shipped scenarios


def test_every_default_has_a_range_holding_it():
    defaults = parameter_defaults()
    assert set(DEFAULT_RANGES) == set(defaults)
    for path, (value, _) in defaults.items():
        low, high, why = DEFAULT_RANGES[path]
        assert low <= value <= high and low < high, path
        assert why.strip(), path


@pytest.mark.parametrize("name", shipped_names())
def test_every_number_of_a_shipped_scenario_has_a_valid_range(name):
    ls = load_scenario(name)
    ranges = input_ranges(ls)
    missing = [r.path for r in ranges.values() if not r.ranged]
    assert not missing, missing
    for r in ranges.values():
        assert math.isfinite(r.low) and r.low <= r.value <= r.high, r.path
    # Every end is itself a valid value of its field (shares in [0, 1], counts whole …).
    assert [str(e) for e in check_range_ends(ls, ranges)] == []


def test_a_range_end_outside_the_field_is_reported(abe):
    ranges = dict(input_ranges(abe))
    r = ranges["powers.japan.soft_power"]
    ranges[r.path] = type(r)(r.path, r.value, r.kind, r.source, 0.5, 1.2)
    errors = check_range_ends(abe, ranges)
    assert [e.path for e in errors] == ["powers.japan.soft_power"]
    assert "range end 1.2 is not a valid value" in errors[0].message and "≤ 1" in errors[0].message


def test_shipped_abe_2015_ranges_are_judged_by_kind(abe):
    r = input_ranges(abe)
    # sourced figures take their spread from the sources; assumptions and defaults are judgement
    assert r["trade.china.total"].kind == "sourced" and r["trade.china.total"].low < 38 < r["trade.china.total"].high
    assert r["republics.tajikistan.remittances.russia"].high >= 0.45  # about 45% of GDP in 2024
    assert r["years"].low == r["years"].high == 15  # the horizon is the question's, not uncertain
    for key in ("parameters.choice_sensitivity", "parameters.dominance_threshold"):
        assert r[key].kind == "default" and r[key].varies
    kinds = {x.kind for x in r.values()}
    assert kinds == {"sourced", "assumption", "default"}


def test_composition_override_keeps_the_shares_summing_to_one(abe):
    sc = abe.scenario
    ov = composition_override(sc, "republics.turkmenistan.alignment.china", 0.55)
    shares = ov["republics.turkmenistan.alignment"]
    assert shares["china"] == 0.55 and sum(shares.values()) == pytest.approx(1.0)
    old = sc.republics["turkmenistan"].alignment
    assert shares["russia"] / shares["japan"] == pytest.approx(old["russia"] / old["japan"])
    assert composition_override(sc, "powers.japan.gdp", 1.0) == {"powers.japan.gdp": 1.0}


# ---------------------------------------------------------------- sources --csv and validate --strict


def test_sources_csv_columns_and_kinds(capsys):
    assert main(["sources", "abe_2015", "--csv"]) == 0
    df = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert list(df.columns) == ["path", "value", "kind", "source", "low", "high"]
    assert set(df["kind"]) == {"sourced", "assumption", "default"}
    assert df["path"].is_unique
    row = df.set_index("path").loc["trade.china.total"]
    assert (row["kind"], row["source"], float(row["value"])) == ("sourced", "cctv_2015", 38.0)
    assert df.loc[df["kind"] == "sourced", "source"].ne("").all()
    assert df.loc[df["kind"] != "sourced", "source"].eq("").all()
    low, high, value = (pd.to_numeric(df[c]) for c in ("low", "high", "value"))
    assert ((low <= value) & (value <= high)).all()
    assert set(df.loc[df["kind"] == "default", "path"]) == set(DEFAULT_RANGES)


def test_sources_csv_to_a_file_and_without_defaults(tmp_path):
    p = write(tmp_path, "extends: abe_2015\nname: x\npowers: {japan: {budget: {grants: 0.2}}}\n")
    out = tmp_path / "figures.csv"
    assert main(["sources", str(p), "--csv", str(out), "--no-defaults"]) == 0
    df = pd.read_csv(out, keep_default_na=False)
    assert "default" not in set(df["kind"])
    bare = df.set_index("path").loc["powers.japan.budget.grants"]
    assert bare["kind"] == "unsourced" and bare["low"] == "" and bare["high"] == ""


def test_validate_strict_passes_on_every_shipped_scenario(capsys):
    assert main(["validate", "--strict", *shipped_names()]) == 0
    out = capsys.readouterr()
    assert out.err == "" and out.out.count("ok:") == len(shipped_names())


def test_validate_strict_fails_on_numbers_without_a_range(tmp_path, capsys):
    p = write(tmp_path, """
        extends: abe_2015
        name: x
        powers:
          japan:
            gdp: {value: 4000, source: wdi}
            budget: {grants: {value: 0.2, assumption: "more"}, loans: 0.3}
        """)
    assert main(["validate", "--strict", str(p)]) == 1
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert len(lines) == 4  # one line per offending path, then the count
    assert lines[0] == f"greatgame: error: {p}: powers.japan.gdp: no range: add uncertainty: (relative, e.g. 0.1) " \
                       f"or range: [low, high] (value 4000)"
    assert any("powers.japan.budget.grants: no range: add range: [low, high]" in x for x in lines)
    assert any("powers.japan.budget.loans: a bare number" in x for x in lines)
    assert lines[-1] == f"greatgame: error: {p}: 3 problems: 3 numbers without a range (1 with neither a source " \
                        f"nor an assumption)"
    assert "ok:" not in out.out
    # Without --strict the same file is fine: ranges are asked for, not required.
    assert main(["validate", str(p)]) == 0
    assert "ok:" in capsys.readouterr().out


def test_validate_strict_fails_on_a_range_end_the_field_refuses(tmp_path, capsys):
    p = write(tmp_path, "extends: abe_2015\nname: x\npowers: {japan: {soft_power: {value: 0.89, source: "
                        "mammadov_2019, range: [0.5, 1.3]}}}\n")
    assert main(["validate", "--strict", str(p)]) == 1
    err = capsys.readouterr().err
    assert "powers.japan.soft_power: range end 1.3 is not a valid value: must be ≤ 1, got 1.3" in err
    assert err.strip().splitlines()[-1].endswith("1 range outside what the field accepts")


# ---------------------------------------------------------------- uncertainty


def _tiny_scenario(tmp_path) -> Path:
    """abe_2015 without ranges, but for three inputs: β (the hedging rule's sensitivity, which
    the review found moves China + Russia by 28 points over 1-8), Japan's routine grants (tiny
    next to everyone's money) and China's trade (sourced)."""
    stripped_baseline(tmp_path, "bare")
    return write(tmp_path, """
        extends: bare.yaml
        name: tiny
        years: {value: 3, assumption: "short, for the test", range: [3, 3]}
        powers: {japan: {budget: {grants: {value: 0.05, assumption: "routine", range: [0.04, 0.06]}}}}
        trade: {china: {total: {value: 38, source: cctv_2015, uncertainty: 0.1}}}
        parameters:
          choice_sensitivity: {value: 4, assumption: "the hedging rule's sensitivity", range: [1, 8]}
        """, "tiny.yaml")


def test_uncertainty_ranks_the_input_that_drives_the_outcome_first(tmp_path):
    from greatgame.analysis.uncertainty import run_uncertainty, select_inputs

    p = _tiny_scenario(tmp_path)
    sel = select_inputs(load_scenario(p), include_defaults=False)
    assert sorted(r.path for r in sel.screened) == ["parameters.choice_sensitivity", "powers.japan.budget.grants",
                                                    "trade.china.total"]
    assert "years" in [r.path for r in sel.fixed] and sel.unranged  # the stripped numbers are left out
    res = run_uncertainty(str(p), trajectories=3, samples=8, top=2, replicates=1, seed=3, include_defaults=False,
                          out=tmp_path / "u")
    assert res.order[0] == "parameters.choice_sensitivity"
    assert res.top == res.order[:2]
    mu = res.morris.wide["incumbent_share_mean"]["mu_star"]
    assert mu["parameters.choice_sensitivity"] > 5 * mu["powers.japan.budget.grants"]
    s = res.sobol.wide["incumbent_share_mean"]
    assert s["ST"].idxmax() == "parameters.choice_sensitivity"
    # The split: sourced (China's trade) against judgement (β, the grants), shares summing to one.
    split = res.split.set_index(["stage", "group"])
    for stage in ("morris", "sobol"):
        shares = split.loc[stage, "share"]
        assert shares.sum() == pytest.approx(1.0)
        assert shares["judgement"] > shares["sourced"]
    assert split.loc[("morris", "sourced"), "inputs"] == 1 and split.loc[("morris", "judgement"), "inputs"] == 2
    # Written: the two sweeps, the indices with each input's kind, the inputs table, the split.
    out = tmp_path / "u"
    for f in ("indices.parquet", "split.csv", "inputs.csv", "manifest.json", "morris/scalars.parquet",
              "sobol/scalars.parquet"):
        assert (out / f).is_file(), f
    idx = pd.read_parquet(out / "indices.parquet")
    assert set(idx["stage"]) == {"morris", "sobol"}
    assert idx.set_index("parameter").loc["trade.china.total", "kind"].iloc[0] == "sourced"
    inputs = pd.read_csv(out / "inputs.csv")
    assert set(inputs["status"]) >= {"screened", "fixed", "no range"}


def test_uncertainty_cli_prints_tables_and_split(tmp_path):
    p = _tiny_scenario(tmp_path)
    r = run_cli("uncertainty", str(p), "--no-defaults", "--trajectories", "2", "--top", "1", "--samples", "4",
                "--replicates", "1", "--out", str(tmp_path / "u"), "--quiet")
    assert r.returncode == 0, r.stderr
    assert "3 ranged inputs screened (1 sourced, 2 assumptions, 0 model defaults)" in r.stdout
    assert "Morris screen" in r.stdout and "Sobol indices of the top 1" in r.stdout
    assert "sourced figures" in r.stdout and "judgement" in r.stdout


@pytest.mark.parametrize("argv, fragment", [
    (["--samples", "6"], "--samples: Sobol needs a power of 2"),
    (["--trajectories", "1"], "--trajectories: must be ≥ 2"),
    (["--outcome", "wedge_acheived"], "unknown outcome 'wedge_acheived'"),
])
def test_uncertainty_bad_options_are_one_line(tmp_path, argv, fragment):
    p = _tiny_scenario(tmp_path)
    r = run_cli("uncertainty", str(p), "--no-defaults", "--out", str(tmp_path / "u"), "--quiet", *argv)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert fragment in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_uncertainty_needs_a_ranged_input(tmp_path):
    p = stripped_baseline(tmp_path)
    r = run_cli("uncertainty", str(p), "--no-defaults", "--out", str(tmp_path / "u"), "--quiet")
    assert r.returncode == 1 and "no number has a range wider than a point" in r.stderr


def test_split_apportions_the_measures_by_kind():
    from greatgame.analysis.sensitivity import Sensitivity
    from greatgame.analysis.uncertainty import split_table

    names = pd.Index(["a", "b", "c"], name="parameter")
    morris = Sensitivity("morris", pd.DataFrame(), wide={"y": pd.DataFrame({"mu_star": [3.0, 4.0, 1.0]}, index=names)})
    sobol = Sensitivity("sobol", pd.DataFrame(), wide={"y": pd.DataFrame(
        {"S1": [0.2, 0.6, -0.01], "ST": [0.3, 0.7, 0.05]}, index=names)})
    t = split_table({"a": "sourced", "b": "assumption", "c": "default"}, morris, sobol, ["y"])
    t = t.set_index(["stage", "group"])
    # the screen: shares of Σ mu*² = 9 + 16 + 1
    assert t.loc[("morris", "sourced"), "share"] == pytest.approx(9 / 26)
    assert t.loc[("morris", "judgement"), "share"] == pytest.approx(17 / 26)
    assert t.loc[("morris", "judgement"), "share_defaults"] == pytest.approx(1 / 26)
    # Sobol: shares of Σ S1, a negative estimate counted as 0; ΣST beside
    assert t.loc[("sobol", "sourced"), "share"] == pytest.approx(0.25)
    assert t.loc[("sobol", "judgement"), "sum"] == pytest.approx(0.6)
    assert t.loc[("sobol", "judgement"), "sum_ST"] == pytest.approx(0.75)
    assert t.loc[("sobol", "judgement"), "inputs"] == 2


def test_the_sobol_stage_takes_each_outcomes_leaders_in_turn():
    from greatgame.analysis.sensitivity import Sensitivity
    from greatgame.analysis.uncertainty import screen_order

    names = pd.Index(["a", "b", "c", "d"], name="parameter")
    wide = {"y1": pd.DataFrame({"mu_star": [10.0, 1.0, 0.5, 0.0]}, index=names),
            "y2": pd.DataFrame({"mu_star": [0.1, 0.2, 5.0, 0.3]}, index=names)}
    m = Sensitivity("morris", pd.DataFrame(), wide=wide)
    assert screen_order(m, ["y1"]) == ["a", "b", "c", "d"]
    assert screen_order(m, ["y1", "y2"]) == ["a", "c", "b", "d"]
