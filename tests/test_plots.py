"""Figures and reports of saved results: every kind renders from a small saved result with
the expected titles and labels, colours are fixed per power, files are byte-reproducible,
nothing imports a GUI backend, a folder without what a kind needs gets one line, and the
report is one self-contained HTML file."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

from greatgame.analysis import plots, report
from greatgame.analysis.plots import PlotError
from greatgame.cli import main

ROOT = Path(__file__).resolve().parents[1]
REPUBLICS = ["Kazakhstan", "Uzbekistan", "Turkmenistan", "Kyrgyzstan", "Tajikistan"]
POWERS = ["japan", "china", "russia", "united_states"]

SOBOL = """\
name: tiny
scenario: abe_2015
years: 2
parameters:
  parameters.choice_sensitivity: {range: [2, 8]}
  parameters.autonomy_cost: {range: [0.0, 3.0]}
design: sobol
samples: 4
replicates: 1
seed: 5
"""


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Small saved results, built once: two run folders (as given, and without the 2015
    tour), a compare folder, and a Sobol sweep with its sensitivity table and discovery."""
    base = tmp_path_factory.mktemp("saved")
    quiet = ["--years", "2", "--quiet"]
    assert main(["run", "abe_2015", "--replicates", "3", "--out", str(base / "run"), *quiet]) == 0
    assert main(["run", "abe_2015", "--replicates", "3", "--set", "initiatives.japan_2015_tour.enabled=false",
                 "--out", str(base / "without"), *quiet]) == 0
    assert main(["compare", "abe_2015", "--without", "japan_2015_tour", "--replicates", "3", "--resamples", "200",
                 "--out", str(base / "compare"), *quiet]) == 0
    spec = base / "tiny.yaml"
    spec.write_text(SOBOL, encoding="utf-8")
    assert main(["sensitivity", str(spec), "--out", str(base / "sweep"), "--quiet"]) == 0
    # Runs of interest: the lower half of the incumbents' share, so PRIM has something to find.
    sc = pd.read_parquet(base / "sweep" / "scalars.parquet")
    threshold = float(np.median(sc["incumbent_share_mean"]))
    assert main(["discover", str(base / "sweep"), "--outcome", "challenger_share_mean", "--threshold",
                 str(float(np.median(sc["challenger_share_mean"])))]) == 0
    assert threshold > 0
    return base


def one_line_error(capsys, code: int, *needles: str) -> str:
    out = capsys.readouterr()
    assert code != 0
    lines = [line for line in out.err.splitlines() if line.strip()]
    assert len(lines) == 1, out.err
    assert lines[0].startswith("greatgame: error: ")
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def texts(fig) -> set[str]:
    return {t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()}


def title(fig) -> str:
    return fig.get_suptitle().replace("\n", " ")


def legend_labels(fig) -> list[str]:
    return [t.get_text() for leg in fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
            for t in leg.get_texts()]


def only(figs):
    assert len(figs) == 1
    return figs[0][1]


# ---------------------------------------------------------------- colours and dates


def test_power_colours_fixed_and_colour_blind_safe():
    c = plots.power_colours(POWERS)
    assert c == plots.POWER_COLOURS
    # The same power keeps its colour whatever the order or the company.
    assert plots.power_colours(["united_states", "russia", "japan"]) == {p: c[p] for p in
                                                                         ["united_states", "russia", "japan"]}
    more = plots.power_colours(POWERS + ["turkey", "eu"])
    assert {p: more[p] for p in POWERS} == c
    assert more["eu"] == plots.EXTRA_COLOURS[0] and more["turkey"] == plots.EXTRA_COLOURS[1]  # alphabetical
    assert len(set(more.values())) == 6
    assert set(more.values()) <= set(plots.OKABE_ITO.values())


def test_quarter_dates():
    d = plots.quarter_dates(["2015-Q4", "2016-Q1", "2030-Q4"])
    assert [str(x) for x in d] == ["2015-10-01", "2016-01-01", "2030-10-01"]
    with pytest.raises(PlotError, match="2015-13"):
        plots.quarter_dates(["2015-13"])


# ---------------------------------------------------------------- run folders


def test_run_folder_supports_four_kinds(saved):
    f = plots.open_folder(saved / "run")
    assert f.kind == "run"
    assert plots.supported(f) == ["trajectories", "network", "alignment", "wedge"]


def test_trajectories_panels_dates_colours_band(saved):
    fig = only(plots.figures(saved / "run", "trajectories"))
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == REPUBLICS
    assert fig.get_supylabel() == "Alignment (share, 0–1)"
    assert fig.get_supxlabel() == "Year"
    assert "abe_2015" in title(fig) and "median and 5–95% of 3 runs" in title(fig)
    ax = panels[0]
    # A time axis of real dates: 2015-10-01 to 2017-10-01 (two years), labelled by year.
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.DateFormatter)
    lo, hi = (mdates.num2date(v).date().isoformat() for v in ax.get_xlim())
    assert (lo, hi) == ("2015-10-01", "2017-10-01")
    # One median line per power in its fixed colour, and a 5–95% band per power.
    colours = [line.get_color() for line in ax.get_lines()]
    assert colours == [plots.POWER_COLOURS[p] for p in POWERS]
    assert len(ax.collections) == len(POWERS)
    # The legend sits in the spare sixth slot, not over a panel with data.
    spare = [a for a in fig.axes if not a.get_title()]
    assert len(spare) == 1 and spare[0].get_legend() is not None and not spare[0].axison
    assert legend_labels(fig)[:4] == ["Japan", "China", "Russia", "United States"]
    # Readable at a page's width.
    assert fig.get_figwidth() == pytest.approx(plots.PAGE)


def test_trajectories_influence_and_channel(saved):
    fig = only(plots.figures(saved / "run", "trajectories", measure="influence"))
    assert fig.get_supylabel().startswith("Influence I(p, r)")
    stem, fig = plots.figures(saved / "run", "trajectories", channel="soft_power")[0]
    assert stem == "trajectories-soft_power" and fig.get_supylabel() == "Soft power score (0–1)"
    with pytest.raises(PlotError, match=r"--channel trad: unknown channel \(did you mean 'trade'\?\)"):
        plots.figures(saved / "run", "trajectories", channel="trad")


def test_trajectories_against_a_counterfactual(saved):
    fig = only(plots.figures(saved / "run", "trajectories", against=saved / "without"))
    ax = [a for a in fig.axes if a.get_title() == "Turkmenistan"][0]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() != "-"]
    assert len(dashed) == len(POWERS)
    assert "dashed: the counterfactual" in title(fig)
    assert "abe_2015 without japan_2015_tour" in " ".join(legend_labels(fig)).replace("\n", " ")


def test_network_geographic_and_deterministic(saved):
    fig = only(plots.figures(saved / "run", "network"))
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["2015-Q4", "2017-Q4"]
    names = texts(fig)
    for n in REPUBLICS + ["Japan", "China", "Russia", "United States"]:
        assert any(t.startswith(n) for t in names), n
    # Fixed positions: Russia north of Kazakhstan, China east of the five, the US west, Japan furthest east.
    pos = plots.network_positions(POWERS, [r.lower() for r in REPUBLICS])
    assert pos["russia"][1] > max(pos[r.lower()][1] for r in REPUBLICS)
    assert pos["china"][0] > max(pos[r.lower()][0] for r in REPUBLICS)
    assert pos["united_states"][0] < min(pos[r.lower()][0] for r in REPUBLICS)
    assert pos["japan"][0] == max(x for x, _ in pos.values())
    # 4 powers x 5 republics arrows, coloured by power.
    from matplotlib.patches import FancyArrowPatch

    arrows = [a for a in panels[0].patches if isinstance(a, FancyArrowPatch)]
    assert len(arrows) == 20
    assert {tuple(np.round(a.get_edgecolor()[:3], 3)) for a in arrows} == {
        tuple(np.round(plots.matplotlib.colors.to_rgb(c), 3)) for c in plots.POWER_COLOURS.values()}
    # Same input, same bytes.
    again = only(plots.figures(saved / "run", "network"))
    assert plots.render(fig) == plots.render(again)


EU_SCENARIO = """\
name: eu_enters
extends: abe_2015
years: 1
powers:
  eu:
    name: European Union
    gdp: {value: 16000, assumption: "order of magnitude"}
    military: {value: 0.2, assumption: "no army of its own"}
    budget: {grants: {value: 0.3, assumption: "Global Gateway share"}}
republics:
  kazakhstan: {alignment: {eu: 0.1, japan: 0.048}}
  uzbekistan: {alignment: {eu: 0.1, japan: 0.048}}
  turkmenistan: {alignment: {eu: 0.1, japan: 0.06}}
  kyrgyzstan: {alignment: {eu: 0.1, japan: 0.048}}
  tajikistan: {alignment: {eu: 0.1, japan: 0.048}}
trade:
  eu: {total: {value: 22, assumption: "EU trade"}, split: {kazakhstan: 0.8, uzbekistan: 0.2}}
"""


def test_network_of_a_scenario_with_a_fifth_power_keeps_names_apart(tmp_path):
    """A power the map has no place for goes on the southern edge with its name below it,
    and no two names of the figure overlap."""
    spec = tmp_path / "eu.yaml"
    spec.write_text(EU_SCENARIO, encoding="utf-8")
    assert main(["run", str(spec), "--out", str(tmp_path / "eu"), "--quiet"]) == 0
    fig = only(plots.figures(tmp_path / "eu", "network"))
    plots.render(fig, "png", 60)  # lay out the text
    renderer = fig.canvas.get_renderer()
    for ax in (a for a in fig.axes if a.get_title()):
        names = [t for t in ax.texts if t.get_text()]
        assert "European Union" in [t.get_text() for t in names]
        boxes = [t.get_window_extent(renderer) for t in names]
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                assert not boxes[i].overlaps(boxes[j]), (names[i].get_text(), names[j].get_text())
    arrows = [a for a in fig.axes[0].patches if type(a).__name__ == "FancyArrowPatch"]
    assert len(arrows) == 5 * 5


def test_network_dates_are_checked(saved):
    fig = only(plots.figures(saved / "run", "network", dates=["2016-Q2"]))
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["2016-Q2"]
    with pytest.raises(PlotError, match="--dates 2031-Q1: not a date of these results.*2015-Q4 to 2017-Q4"):
        plots.figures(saved / "run", "network", dates=["2031-Q1"])


def test_alignment_stacked_shares(saved):
    fig = only(plots.figures(saved / "run", "alignment"))
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == REPUBLICS
    assert fig.get_supylabel() == "Alignment (share, stacked to 1)"
    assert panels[0].get_ylim() == (0, 1)
    # Stacked areas: one per power, the incumbents first (at the bottom), in their colours.
    areas = panels[0].collections
    assert len(areas) == 4
    assert [plots.matplotlib.colors.to_hex(a.get_facecolor()[0]) for a in areas] == [
        plots.POWER_COLOURS[p].lower() for p in ("china", "russia", "japan", "united_states")]
    # The top of the stack is 1 at every date.
    top = areas[-1].get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx(1.0)
    assert any("wedge threshold" in t for t in legend_labels(fig))


def test_wedge_run_folder(saved):
    fig = only(plots.figures(saved / "run", "wedge"))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["(a) China + Russia share", "(b) Japan share", "(d) wedge achieved"]
    assert fig.axes[2].get_ylabel() == "Share of runs (95% Wilson interval)"
    assert fig.axes[0].get_ylabel() == "Alignment share, mean over republics"
    assert "2017-Q4" in title(fig)
    assert "0 of 3" in texts(fig) or "1 of 3" in texts(fig) or "2 of 3" in texts(fig) or "3 of 3" in texts(fig)


# ---------------------------------------------------------------- compare folders


def test_compare_folder_wedge_and_effects(saved):
    f = plots.open_folder(saved / "compare")
    assert f.kind == "compare" and plots.supported(f) == ["trajectories", "wedge", "effects"]
    fig = only(plots.figures(f, "wedge"))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["A", "B"]
    labels = " ".join(legend_labels(fig))
    assert "A: abe_2015 (as given)" in labels and "B: abe_2015 without japan_2015_tour" in labels
    assert "a pair of runs with the same seed" in labels  # paired runs joined
    fig = only(plots.figures(f, "effects"))
    assert [ax.get_title() for ax in fig.axes] == ["China + Russia share", "Japan share"]
    assert fig.axes[0].get_xlabel() == "Effect (percentage points)"
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["All republics (mean)"] + REPUBLICS
    assert "effect of japan_2015_tour (with − without)" in title(fig)


def test_compare_folder_trajectories_overlay_the_arms(saved, capsys, tmp_path):
    """A compare folder keeps both arms' republic trajectories: arm A as bands and medians,
    arm B (the counterfactual) dashed, dates on the axis, the arms named in the legend."""
    f = plots.open_folder(saved / "compare")
    fig = only(plots.figures(f, "trajectories"))
    assert "median and 5–95% of 3 runs; dashed: the counterfactual" in title(fig)
    ax = fig.axes[0]
    assert [a.get_title() for a in fig.axes if a.get_title()] == REPUBLICS
    solid = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-"]
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() != "-"]
    assert len(solid) == len(dashed) == len(POWERS)
    assert len(ax.collections) == len(POWERS)  # one band per power
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.AutoDateFormatter | mdates.ConciseDateFormatter |
                      mdates.DateFormatter)
    labels = [x.replace("\n", " ") for x in legend_labels(fig)]
    assert "abe_2015 (as given)" in labels and "abe_2015 without japan_2015_tour" in labels
    # The medians drawn are those of the saved table: arm B's Japan line, last step, Turkmenistan.
    t = pd.read_parquet(saved / "compare" / "trajectories.parquet")
    tb = t[(t["arm"] == "B") & (t["actor"] == "turkmenistan")]
    want = tb[tb["step"] == tb["step"].max()]["alignment_japan"].median()
    tk = fig.axes[REPUBLICS.index("Turkmenistan")]
    japan_b = [ln for ln in tk.get_lines() if ln.get_linestyle() != "-"][0]
    assert japan_b.get_ydata()[-1] == pytest.approx(want)
    fig = only(plots.figures(f, "trajectories", channel="trade"))
    assert "trade score" in title(fig)
    with pytest.raises(PlotError, match="its arms are already overlaid"):
        plots.figures(f, "trajectories", against=saved / "run")
    # Without trajectories (--every 0): one line naming the file and what to do.
    bare = tmp_path / "bare"
    shutil.copytree(saved / "compare", bare)
    (bare / "trajectories.parquet").unlink()
    shutil.rmtree(bare / "figures", ignore_errors=True)
    one_line_error(capsys, main(["plot", str(bare), "--kind", "trajectories"]),
                   "'trajectories' needs trajectories.parquet", "--every 0", "`greatgame compare` folder")
    assert plots.supported(plots.open_folder(bare)) == ["wedge", "effects"]
    one_line_error(capsys, main(["plot", str(saved / "compare"), "--kind", "network"]),
                   "'network' needs actors.parquet", "`greatgame compare` folder",
                   "--kind trajectories, wedge or effects")


# ---------------------------------------------------------------- sweeps


def test_parameter_axes_carry_their_units():
    assert plots._path_label("powers.japan.budget.loans", 60) == "powers.japan.budget.loans (US$ bn a year)"
    assert plots._path_label("republics.kazakhstan.gdp", 60).endswith("(US$ bn)")
    assert plots._path_label("parameters.adjustment_rate", 60).endswith("(per quarter)")
    assert plots._path_label("parameters.choice_sensitivity", 60) == "parameters.choice_sensitivity"  # a pure number


def test_sweep_heatmap(saved):
    f = plots.open_folder(saved / "sweep")
    assert f.kind == "sweep" and plots.supported(f) == ["heatmap", "sensitivity", "discovery"]
    fig = only(plots.figures(f, "heatmap"))
    ax, bar = fig.axes  # the map and its colour bar
    assert ax.get_xlabel() == "parameters.choice_sensitivity" and ax.get_ylabel() == "parameters.autonomy_cost"
    assert bar.get_ylabel().replace("\n", " ") == "Wedge probability (share of runs)"
    # 16 runs (4 x (2 + 2) Sobol points) of two continuous parameters: 5 bins each.
    assert len(ax.get_xticklabels()) == 5 and "–" in ax.get_xticklabels()[0].get_text()
    assert "(16 runs)" in title(fig)
    stem, fig = plots.figures(f, "heatmap", x="parameters.autonomy_cost", y="parameters.choice_sensitivity",
                              outcome="incumbent_share_mean", bins=3)[0]
    assert stem == "heatmap-incumbent_share_mean"
    assert len(fig.axes[0].get_xticklabels()) == 3
    assert fig.axes[1].get_ylabel().replace("\n", " ") == "China + Russia share (mean)"
    with pytest.raises(PlotError, match="--x parameters.choice: not a parameter of this sweep"):
        plots.figures(f, "heatmap", x="parameters.choice")
    with pytest.raises(PlotError, match="--outcome wedge_achived: not an outcome of this sweep"):
        plots.figures(f, "heatmap", outcome="wedge_achived")


def test_sweep_trajectories_bands_and_groups(tmp_path, capsys):
    """A sweep that keeps trajectories: one panel per kept outcome with the median of all runs
    and its band (a count: its mean), dated; with --x, one line per range of the parameter."""
    spec = tmp_path / "traj.yaml"
    spec.write_text(textwrap.dedent("""\
        name: traj
        scenario: japan_all_in
        years: 3
        parameters:
          powers.japan.budget.loans: {range: [0.1, 3.0]}
          parameters.choice_sensitivity: {range: [2, 8]}
        design: lhs
        samples: 6
        replicates: 2
        seed: 3
        outcomes: {trajectories: {every: 2, columns: [incumbent_share_mean, wedged_republics]}}
        """), encoding="utf-8")
    out = tmp_path / "sw"
    assert main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    f = plots.open_folder(out)
    assert plots.supported(f) == ["trajectories", "heatmap"]
    fig = only(plots.figures(f, "trajectories"))
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["China + Russia share (mean)", "Wedged republics (mean count)"]
    assert "outcomes over time (12 runs)" in title(fig)
    assert all(ax.get_xlabel() == "Year" for ax in panels)
    traj = pd.read_parquet(out / "trajectories.parquet")
    median = traj.groupby("step")["incumbent_share_mean"].median().to_numpy()
    assert panels[0].get_lines()[0].get_ydata() == pytest.approx(median)
    assert len(panels[0].collections) == 1 and len(panels[1].collections) == 0  # a band for shares only
    assert isinstance(panels[0].xaxis.get_major_formatter(), mdates.AutoDateFormatter | mdates.ConciseDateFormatter |
                      mdates.DateFormatter)
    fig = only(plots.figures(f, "trajectories", x="powers.japan.budget.loans", bins=2))
    panel = [ax for ax in fig.axes if ax.get_title()][0]
    assert len(panel.get_lines()) == 1 + 2  # all runs, and one line per range of loans
    labels = legend_labels(fig)
    assert "all 12 runs" in labels and sum("runs)" in x for x in labels) == 2
    with pytest.raises(PlotError, match="--x powers.japan.budget.lons: not a parameter of this sweep"):
        plots.figures(f, "trajectories", x="powers.japan.budget.lons")
    one_line_error(capsys, main(["plot", str(out), "--kind", "trajectories", "--against", str(out)]),
                   "--against", "is a sweep folder")


def test_sweep_sensitivity_bars(saved):
    fig = only(plots.figures(saved / "sweep", "sensitivity"))
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["wedge_achieved", "incumbent_share_mean"]
    ax = panels[1]
    assert ax.get_xlabel() == "Sobol index (share of variance)"
    assert {t.get_text() for t in ax.get_yticklabels()} == {"parameters.choice_sensitivity",
                                                           "parameters.autonomy_cost"}
    assert len(ax.patches) == 4  # S1 and ST for two parameters
    assert legend_labels(fig) == ["S1 (first order)", "ST (total)"]
    # wedge_achieved never happens in two years: said, not drawn as bars of nothing.
    assert any("same in every run" in t for t in texts(fig))
    one = only(plots.figures(saved / "sweep", "sensitivity", outcome="incumbent_share_mean"))
    assert [ax.get_title() for ax in one.axes if ax.get_title()] == ["incumbent_share_mean"]


def test_sweep_discovery(saved):
    fig = only(plots.figures(saved / "sweep", "discovery"))
    a, b = fig.axes
    assert a.get_title() == "(a) PRIM peeling trajectory"
    assert a.get_xlabel().startswith("Coverage") and a.get_ylabel().startswith("Density")
    assert a.get_legend().get_title().get_text() == "restricted\nparameters"
    info = json.loads((saved / "sweep" / "discovery" / "discovery.json").read_text())
    assert b.get_title().startswith(f"(b) the chosen box, {info['chosen_box']}")
    assert "challenger_share_mean >=" in title(fig)
    # The discovery folder itself can be plotted too.
    assert plots.open_folder(saved / "sweep" / "discovery").kind == "discovery"
    assert only(plots.figures(saved / "sweep" / "discovery", "discovery"))


def test_missing_inputs_one_line(saved, capsys, tmp_path):
    run = str(saved / "run")
    one_line_error(capsys, main(["plot", run, "--kind", "heatmap"]),
                   f"{run}: 'heatmap' needs scalars.parquet (a `greatgame sweep` folder); this folder holds "
                   f"actors.parquet, events.csv, model.parquet (a `greatgame run` folder)")
    one_line_error(capsys, main(["plot", run, "--kind", "sensitivity"]), "'sensitivity' needs sensitivity.parquet")
    one_line_error(capsys, main(["plot", run, "--kind", "discovery"]), "'discovery' needs discovery/discovery.json")
    one_line_error(capsys, main(["plot", run, "--kind", "effects"]), "'effects' needs effects.parquet")
    one_line_error(capsys, main(["plot", str(saved / "sweep"), "--kind", "trajectories"]),
                   "'trajectories' needs trajectories.parquet (a sweep whose spec keeps outcomes.trajectories",
                   "scalars.parquet", "(a sweep)")
    one_line_error(capsys, main(["plot", str(saved / "sweep"), "--kind", "network"]),
                   "'network' needs actors.parquet", "(a sweep)")
    # A sweep without sensitivity or discovery says how to make them.
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("scalars.parquet", "design.parquet", "manifest.json", "spec.yaml"):
        shutil.copy(saved / "sweep" / name, bare / name)
    one_line_error(capsys, main(["plot", str(bare), "--kind", "discovery"]), f"run `greatgame discover {bare}` first")
    assert plots.supported(plots.open_folder(bare)) == ["heatmap"]
    # A sweep over one parameter has no heatmap: the error says why, not just what it holds.
    one = tmp_path / "one"
    shutil.copytree(bare, one)
    design = pd.read_parquet(one / "design.parquet")
    design.drop(columns=["parameters.autonomy_cost"]).to_parquet(one / "design.parquet")
    one_line_error(capsys, main(["plot", str(one)]), "nothing to plot; a heatmap needs a sweep over two parameters",
                   "this one varies parameters.choice_sensitivity")
    one_line_error(capsys, main(["plot", str(tmp_path / "nowhere")]), "no such results folder")
    empty = tmp_path / "empty"
    empty.mkdir()
    one_line_error(capsys, main(["plot", str(empty)]), "nothing to plot; this folder holds no greatgame results")
    one_line_error(capsys, main(["plot", run, "--kind", "netwrk"]), "--kind netwrk: unknown kind",
                   "did you mean 'network'?")
    # A resolution that would need gigabytes of pixels is refused, not attempted.
    one_line_error(capsys, main(["plot", run, "--kind", "wedge", "--dpi", "100000", "--out", str(tmp_path / "big")]),
                   "--dpi: must be from 10 to 1200, got 100000")
    one_line_error(capsys, main(["report", run, "--dpi", "5"]), "--dpi: must be from 10 to 1200, got 5")
    assert not (tmp_path / "big").exists()


# ---------------------------------------------------------------- files


def test_cli_writes_every_supported_kind(saved, capsys, tmp_path):
    out = tmp_path / "figs"
    assert main(["plot", str(saved / "compare"), "--out", str(out), "--dpi", "60"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"Wrote {out / 'trajectories.png'}", f"Wrote {out / 'wedge.png'}", f"Wrote {out / 'effects.png'}"]
    for name in ("trajectories.png", "wedge.png", "effects.png"):
        data = (out / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000
    # Default folder: RESULTS/figures.
    assert main(["plot", str(saved / "run"), "--kind", "alignment", "--dpi", "50"]) == 0
    assert (saved / "run" / "figures" / "alignment.png").stat().st_size > 5000


@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_same_input_same_bytes(saved, tmp_path, fmt, magic):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        plots.plot(saved / "compare", ["wedge"], fmt=fmt, out=out, dpi=50)
    data = (a / f"wedge.{fmt}").read_bytes()
    assert data.startswith(magic)
    assert data == (b / f"wedge.{fmt}").read_bytes()
    if fmt in ("svg", "pdf"):
        assert b"CreationDate" not in data and b"<dc:date>" not in data


GUI = ("tkinter", "_tkinter", "PyQt5", "PyQt6", "PySide2", "PySide6", "gi", "wx", "matplotlib.backends.backend_tkagg",
       "matplotlib.backends.backend_qtagg", "matplotlib.backends.backend_gtk3agg", "matplotlib.backends.backend_gtk4agg",
       "matplotlib.backends.backend_wxagg", "matplotlib.backends.backend_macosx")


def test_no_gui_backend(saved, tmp_path):
    """The CLI settles on Agg; the library resolves no backend at all; neither imports a GUI toolkit,
    even with MPLBACKEND unset and a DISPLAY that would tempt matplotlib's automatic choice."""
    code = textwrap.dedent(f"""
        import json, sys
        import matplotlib
        from greatgame.analysis import plots
        figs = plots.figures({str(saved / 'run')!r}, "network")
        plots.save(figs[0][1], {str(tmp_path / 'lib.png')!r})
        lib_gui = sorted(m for m in {GUI!r} if m in sys.modules)
        from greatgame.cli import main
        code = main(["plot", {str(saved / 'run')!r}, "--kind", "wedge", "--out", {str(tmp_path)!r}, "--dpi", "40"])
        print(json.dumps({{"code": code, "lib_gui": lib_gui, "backend": matplotlib.get_backend().lower(),
                           "gui": sorted(m for m in {GUI!r} if m in sys.modules)}}))
    """)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["DISPLAY"] = ":99"
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got == {"code": 0, "lib_gui": [], "backend": "agg", "gui": []}
    assert (tmp_path / "lib.png").stat().st_size > 0 and (tmp_path / "wedge.png").stat().st_size > 0


# ---------------------------------------------------------------- report


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _external(doc: str) -> list[str]:
    """Anything the browser would fetch from elsewhere: src/href/url()/@import to http(s) or //."""
    p = _Tags()
    p.feed(doc)
    refs = [v for _, attrs in p.tags for k, v in attrs.items() if k in ("src", "href", "srcset", "data", "poster")]
    refs += re.findall(r"url\(\s*['\"]?([^)'\"]+)", doc) + re.findall(r"@import\s+['\"]?([^'\";]+)", doc)
    return [r for r in refs if r and not r.startswith("data:") and not r.startswith("#")]


def test_report_run_folder_self_contained(saved, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(saved / "run"), "--out", str(out), "--dpi", "50"]) == 0
    assert capsys.readouterr().out.startswith(f"Wrote {out} (")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]  # one file, nothing beside it
    doc = out.read_text(encoding="utf-8")
    p = _Tags()
    p.feed(doc)
    tags = [t for t, _ in p.tags]
    assert "script" not in tags and "link" not in tags and "iframe" not in tags
    assert _external(doc) == []
    imgs = [a["src"] for t, a in p.tags if t == "img"]
    assert len(imgs) == 5  # trajectories (alignment, influence), network, alignment, wedge
    assert all(src.startswith("data:image/png;base64,iVBORw0KGgo") for src in imgs)
    # Title and description from the scenario file; the headline; the sources; the manifest.
    assert "<h1>Abe&#x27;s 2015 Central Asia tour</h1>" in doc
    assert "does the tour pull any republic away from China and Russia" in doc
    assert "(d) wedge achieved" in doc and "Alignment in 2017-Q4" in doc
    assert "powers.japan.gdp" in doc and "World Development Indicators" in doc
    manifest = json.loads((saved / "run" / "manifest.json").read_text())
    for seed in manifest["seeds"]:
        assert str(seed) in doc
    assert manifest["versions"]["mesa"] in doc
    assert report.esc(shlex.join(manifest["command"])) in doc
    assert "japan_2015_tour" in doc  # the events of the first run


def test_report_escapes_text(saved, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(saved / "run", run, ignore=shutil.ignore_patterns("figures"))
    m = json.loads((run / "manifest.json").read_text())
    m["command"] = ["greatgame", "run", "<script>alert('x')</script>"]
    (run / "manifest.json").write_text(json.dumps(m))
    path, notes = report.build(run, dpi=40)
    assert path == run / "report.html" and notes == []
    doc = path.read_text(encoding="utf-8")
    assert "<script>" not in doc and "&lt;script&gt;alert(" in doc


def test_report_compare_and_sweep(saved, tmp_path):
    path, _ = report.build(saved / "compare", tmp_path / "c.html", dpi=40)
    doc = path.read_text(encoding="utf-8")
    assert _external(doc) == []
    assert doc.count("data:image/png;base64,") == 4  # trajectories (alignment, influence), wedge, effects
    assert "arm B&#x27;s medians dashed" in doc
    assert "Paired effects at the horizon" in doc and "abe_2015 without japan_2015_tour" in doc
    assert "outcomes at the horizon only" not in doc
    path, _ = report.build(saved / "sweep", tmp_path / "s.html", dpi=40)
    doc = path.read_text(encoding="utf-8")
    assert _external(doc) == []
    assert doc.count("data:image/png;base64,") == 3  # heatmap, sensitivity, discovery
    assert "Sensitivity indices" in doc and "Scenario discovery" in doc and "design: sobol" in doc


def test_report_refuses_what_it_cannot_read(saved, capsys, tmp_path):
    one_line_error(capsys, main(["report", str(tmp_path / "nowhere")]), "no such results folder")
    one_line_error(capsys, main(["report", str(saved / "sweep" / "discovery")]),
                   "a report needs a `greatgame run`, compare, wedge or sweep folder")
