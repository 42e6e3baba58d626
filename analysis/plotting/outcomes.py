"""Outcomes at the horizon: the wedge measures over runs (arms side by side) and paired
effects with their intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..folders import PlotError, ScenarioFacts
from .common import ARM_COLOURS, BOX_MIN, COLUMN, PAGE, _new_figure, _runs_text, _suptitle, _wrap


# ---------------------------------------------------------------- wedge measures


@dataclass
class Group:
    """One distribution of final wedge measures: a run folder, or one arm of a comparison."""

    label: str
    incumbent: np.ndarray
    challenger: np.ndarray
    achieved: np.ndarray
    keys: np.ndarray  # seeds, to join paired runs
    short: str = ""   # the x tick label ("A", "B"); the label goes to the legend


def wedge_figure(groups: list[Group], facts: ScenarioFacts, date: str = "") -> Figure:
    """Final incumbents' and challenger's shares (mean over republics) per run, box and
    points, paired runs joined; and the share of runs achieving the wedge with its Wilson
    interval. One group per run folder or arm."""
    from ..compare import wilson_interval

    inc = " + ".join(facts.name_of(p) for p in facts.incumbents)
    ch = facts.name_of(facts.challenger)
    k = len(groups)
    fig = _new_figure(PAGE, 2.5 + (0.35 if k > 1 else 0))
    axes = fig.subplots(1, 3)
    rng = np.random.default_rng(0)  # fixed jitter: the same picture every time
    paired = k == 2 and len(groups[0].keys) == len(groups[1].keys) and np.array_equal(
        np.sort(groups[0].keys), np.sort(groups[1].keys))
    labels = [g.short or _wrap(g.label, 30) for g in groups] if k > 1 else [_wrap(groups[0].label, 30)]
    for ax, attr, title in ((axes[0], "incumbent", f"(a) {inc} share"), (axes[1], "challenger", f"(b) {ch} share")):
        jitters = []
        for i, g in enumerate(groups):
            v = getattr(g, attr)
            if len(v) >= BOX_MIN:
                ax.boxplot(v, positions=[i], widths=0.45, whis=(5, 95), showfliers=False, manage_ticks=False,
                           medianprops={"color": ARM_COLOURS[i % 2], "linewidth": 1.4},
                           boxprops={"linewidth": 0.8}, whiskerprops={"linewidth": 0.8}, capprops={"linewidth": 0.8})
            j = i + rng.uniform(-0.12, 0.12, len(v)) if len(v) > 1 else np.full(len(v), float(i))
            jitters.append(j)
            ax.scatter(j, v, s=6 if len(v) >= BOX_MIN else 16, color=ARM_COLOURS[i % 2], alpha=0.6 if len(v) > 1 else 1,
                       linewidths=0, zorder=3)
        if paired:
            a, b = groups
            ib, vb = pd.Series(jitters[1], index=b.keys), pd.Series(getattr(b, attr), index=b.keys)
            for key, xa, va in zip(a.keys, jitters[0], getattr(a, attr)):
                ax.plot([xa, ib[key]], [va, vb[key]], color="0.6", linewidth=0.4, alpha=0.5, zorder=2)
        ax.set_xticks(range(k), labels)
        ax.set_xlim(-0.6, k - 0.4)
        ax.set_title(title)
        ax.set_ylabel("Alignment share, mean over republics")
    for i, g in enumerate(groups):
        n, hits = len(g.achieved), int(g.achieved.sum())
        lo, hi = wilson_interval(hits, n) if n else (np.nan, np.nan)
        p = hits / n if n else np.nan
        axes[2].bar(i, p, width=0.55, color=ARM_COLOURS[i % 2], alpha=0.85)
        axes[2].errorbar(i, p, yerr=[[p - lo], [hi - p]], color="black", capsize=3, linewidth=0.9)
        axes[2].text(i, hi + 0.03, f"{hits} of {n}", ha="center", va="bottom", fontsize=7)
    axes[2].set_ylim(0, 1.12)
    axes[2].set_yticks(np.linspace(0, 1, 6))
    axes[2].set_xticks(range(k), labels)
    axes[2].set_xlim(-0.6, k - 0.4)
    axes[2].set_title("(d) wedge achieved")
    axes[2].set_ylabel("Share of runs (95% Wilson interval)")
    for ax in axes:
        ax.grid(axis="x", visible=False)
    when = f" in {date}" if date else " at the horizon"
    n_runs = max(len(g.achieved) for g in groups)
    what = f"{_runs_text(n_runs)}" + (" per arm" if k > 1 else "")
    _suptitle(fig, f"{facts.name}: wedge measures{when} ({what})")
    handles = []
    if any(len(g.achieved) >= BOX_MIN for g in groups):
        handles.append(Patch(facecolor="white", edgecolor="black", linewidth=0.8,
                             label="box: quartiles and median; whiskers: 5–95% of runs"))
    if paired:
        handles.append(Line2D([], [], color="0.6", linewidth=0.6, label="a pair of runs with the same seed"))
    if k > 1:
        handles += [Patch(color=ARM_COLOURS[i % 2], label=_wrap(f"{g.short or i}: {g.label}", 60))
                    for i, g in enumerate(groups)]
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=2 if k > 1 else len(handles))
    return fig


# ---------------------------------------------------------------- effects


def effects_figure(effects: pd.DataFrame, facts: ScenarioFacts, definition: str = "", what: str = "") -> Figure:
    """Mean paired effect with its bootstrap interval, per republic and overall, on the
    incumbents' and the challenger's shares (percentage points)."""
    measures = [("incumbent_share", " + ".join(facts.name_of(p) for p in facts.incumbents) + " share"),
                ("challenger_share", facts.name_of(facts.challenger) + " share")]
    present = [m for m in measures if (effects["measure"] == m[0]).any()]
    if not present:
        raise PlotError("the effects table holds neither incumbent_share nor challenger_share rows")
    rows = effects[effects["measure"] == present[0][0]]["republic"].tolist()
    order = ["all"] + [r for r in rows if r != "all"]
    fig = _new_figure(PAGE if len(present) > 1 else COLUMN, 1.3 + 0.28 * len(order))
    axes = np.atleast_1d(fig.subplots(1, len(present), sharey=True))
    y = np.arange(len(order))[::-1]
    for ax, (measure, title) in zip(axes, present):
        e = effects[effects["measure"] == measure].set_index("republic").reindex(order)
        eff, lo, hi = (100 * e[c].to_numpy(float) for c in ("effect", "ci_low", "ci_high"))
        sig = (lo > 0) | (hi < 0)
        ax.axvline(0, color="0.3", linewidth=0.7)
        ax.hlines(y, lo, hi, color="black", linewidth=1.0)
        ax.scatter(eff[sig], y[sig], s=18, color="black", zorder=3, label="interval excludes 0")
        ax.scatter(eff[~sig], y[~sig], s=18, facecolor="white", edgecolor="black", zorder=3,
                   label="interval includes 0")
        ax.set_title(title)
        ax.set_xlabel("Effect (percentage points)")
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, ["All republics (mean)" if r == "all" else facts.name_of(r) for r in order])
    n = int(effects["n"].iloc[0]) if "n" in effects and len(effects) else 0
    definition = definition or (str(effects["definition"].iloc[0]) if "definition" in effects and len(effects) else "")
    _suptitle(fig, f"{facts.name}: {what or definition}\n(mean of {n} paired differences at the horizon, "
                 f"95% bootstrap interval)")
    handles, lbls = axes[0].get_legend_handles_labels()
    fig.legend(handles, lbls, loc="outside lower center", ncol=2)
    return fig
