"""Time series of each republic: each power's alignment (or influence, or one channel's
score) over time, and the stacked alignment shares."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..folders import PlotError, ScenarioFacts
from .common import (PAGE, _grid_height, _legend, _measure_columns, _n_runs, _new_figure, _panel_grid, _powers,
                     _republics, _runs_text, _suptitle, _time_axis, _wrap, power_colours, quarter_dates)


# ---------------------------------------------------------------- trajectories


def _quantiles(rep: pd.DataFrame, cols: list[str]) -> dict[str, pd.DataFrame]:
    """Per republic: rows = step (with its date), columns (col, q) for q in 0.05, 0.5, 0.95."""
    g = rep.groupby(["actor", "step"], sort=False)[cols]
    q = g.quantile([0.05, 0.5, 0.95]).unstack(-1)
    dates = rep.drop_duplicates("step").set_index("step")["date"]
    out = {}
    for actor, block in q.groupby(level=0, sort=False):
        block = block.droplevel(0).sort_index()
        block.insert(0, ("date", ""), dates.reindex(block.index).to_numpy())
        out[actor] = block
    return out


def trajectories_figure(actors: pd.DataFrame, facts: ScenarioFacts, measure: str = "alignment",
                        channel: str | None = None, against: pd.DataFrame | None = None,
                        labels: tuple[str, str] = ("as given", "counterfactual"),
                        dashed: str = "the counterfactual") -> Figure:
    """One panel per republic: each power's median over replicates with a 5–95% band;
    ``against``: a second actors table (same republics), its medians dashed."""
    powers = _powers(actors)
    colours = power_colours(powers)
    cols, ylabel, what = _measure_columns(actors, powers, measure, channel)
    rep = actors[actors["kind"] == "republic"]
    republics = _republics(actors)
    stats = _quantiles(rep, cols)
    other = None
    if against is not None:
        missing_cols = [c for c in cols if c not in against.columns]
        if missing_cols:
            raise PlotError(f"--against: its actors table has no column {missing_cols[0]}")
        other = _quantiles(against[against["kind"] == "republic"], cols)
    n = _n_runs(actors)
    fig = _new_figure(PAGE, _grid_height(len(republics)))
    axes, spare = _panel_grid(fig, len(republics))
    band = n > 1
    for ax, r in zip(axes, republics):
        s = stats[r]
        dates = quarter_dates(s[("date", "")])
        for p, c in zip(powers, cols):
            if band:
                ax.fill_between(dates, s[(c, 0.05)], s[(c, 0.95)], color=colours[p], alpha=0.2, linewidth=0)
            ax.plot(dates, s[(c, 0.5)], color=colours[p])
            if other is not None and r in other:
                o = other[r]
                ax.plot(quarter_dates(o[("date", "")]), o[(c, 0.5)], color=colours[p], linestyle=(0, (3, 1.5)),
                        linewidth=1.1)
        ax.set_title(facts.name_of(r))
        _time_axis(ax, dates)
        ax.tick_params(labelbottom=True, labelleft=True)
    axes[0].set_ylim(bottom=0)
    fig.supylabel(ylabel)
    fig.supxlabel("Year")
    stat = f"median and 5–95% of {_runs_text(n)}" if band else "one run"
    extra = f"; dashed: {dashed}" if other is not None else ""
    whose = ("alignment of each republic toward each power" if what == "alignment"
             else f"{what} of each power in each republic")
    _suptitle(fig, f"{facts.name}: {whose} ({stat}{extra})")
    handles = [Line2D([], [], color=colours[p], label=facts.name_of(p)) for p in powers]
    if band:
        handles.append(Patch(color="0.5", alpha=0.3, linewidth=0, label=f"5–95% of {_runs_text(n)}"))
    if other is not None:
        handles += [Line2D([], [], color="0.2", label=_wrap(labels[0], 26)),
                    Line2D([], [], color="0.2", linestyle=(0, (3, 1.5)), label=_wrap(labels[1], 26))]
    _legend(fig, spare, handles)
    return fig


# ---------------------------------------------------------------- alignment (stacked)


def alignment_figure(actors: pd.DataFrame, facts: ScenarioFacts) -> Figure:
    """Stacked alignment shares per republic (mean over replicates): the incumbents at the
    bottom, so the top of their band against the dashed threshold line is the wedge rule."""
    powers = _powers(actors)
    colours = power_colours(powers)
    first = [p for p in facts.incumbents if p in powers] + [p for p in [facts.challenger] if p in powers]
    order = first + [p for p in powers if p not in first]
    rep = actors[actors["kind"] == "republic"]
    means = rep.groupby(["actor", "step"], sort=False)[[f"alignment_{p}" for p in order]].mean()
    dates_of = rep.drop_duplicates("step").set_index("step")["date"]
    republics = _republics(actors)
    n = _n_runs(actors)
    fig = _new_figure(PAGE, _grid_height(len(republics)))
    axes, spare = _panel_grid(fig, len(republics))
    show_line = all(p in powers for p in facts.incumbents)
    for ax, r in zip(axes, republics):
        m = means.loc[r].sort_index()
        dates = quarter_dates(dates_of.reindex(m.index))
        ax.stackplot(dates, *[m[f"alignment_{p}"].to_numpy() for p in order], colors=[colours[p] for p in order],
                     alpha=0.9, linewidth=0.3, edgecolor="white")
        if show_line:
            ax.axhline(facts.threshold, color="black", linewidth=0.8, linestyle=(0, (4, 2)))
        ax.set_ylim(0, 1)
        ax.set_title(facts.name_of(r))
        ax.grid(False)
        _time_axis(ax, dates)
        ax.tick_params(labelbottom=True, labelleft=True)
    fig.supylabel("Alignment (share, stacked to 1)")
    fig.supxlabel("Year")
    mean = f"mean of {_runs_text(n)}" if n > 1 else "one run"
    _suptitle(fig, f"{facts.name}: alignment shares of each republic ({mean})")
    handles = [Patch(color=colours[p], label=facts.name_of(p)) for p in reversed(order)]
    if show_line:
        inc = " + ".join(facts.name_of(p) for p in facts.incumbents)
        handles.append(Line2D([], [], color="black", linewidth=0.8, linestyle=(0, (4, 2)),
                              label=_wrap(f"wedge threshold: {inc} together below {facts.threshold:g}", 24)))
    _legend(fig, spare, handles)
    return fig
