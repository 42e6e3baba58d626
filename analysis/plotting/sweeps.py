"""Figures of a sweep: outcomes over time, a heatmap over two parameters, sensitivity
indices and scenario discovery."""

from __future__ import annotations

import math

import matplotlib
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..folders import PlotError, ScenarioFacts
from .common import (COLUMN, OKABE_ITO, PAGE, _grid_height, _legend, _new_figure, _panel_grid, _path_label,
                     _runs_text, _suptitle, _time_axis, _wrap, _wrap_path, quarter_dates)


# ---------------------------------------------------------------- sweeps: trajectories


def sweep_trajectories_figure(traj: pd.DataFrame, scalars: pd.DataFrame, facts: ScenarioFacts,
                              x: str | None = None, bins: int = 3) -> Figure:
    """One panel per outcome the sweep kept over time: the median over every successful run
    with its 5–95% band (a count or flag: its mean over the runs); with ``x``, one line per
    range of that parameter (binned as in the heatmap) over the pooled band, so the futures
    of a sweep can be told apart by an assumption."""
    ok_runs = scalars.loc[scalars["status"] == "ok", "run"] if "status" in scalars else scalars["run"]
    t = traj[traj["run"].isin(ok_runs)]
    outcomes = [c for c in t.columns if c not in ("run", "step", "date")]
    if t.empty or not outcomes:
        raise PlotError("the sweep's trajectories table holds no successful run")
    n = int(t["run"].nunique())
    dates = t.drop_duplicates("step").set_index("step")["date"].sort_index()
    when = quarter_dates(dates)
    groups: list[tuple[str, list]] = []
    if x:
        sc = scalars.set_index("run").loc[t["run"].unique()]
        sc = sc[sc[x].notna()]
        cell, labels = _axis_values(sc[x], bins)
        groups = [(label, list(cell.index[cell.to_numpy() == i])) for i, label in enumerate(labels)]
        groups = [g for g in groups if g[1]]
    colours = [matplotlib.colormaps["viridis"](0.1 + 0.8 * i / max(len(groups) - 1, 1)) for i in range(len(groups))]
    fig = _new_figure(PAGE, _grid_height(len(outcomes)) + (0.3 if groups else 0))
    axes, spare = _panel_grid(fig, len(outcomes), sharey=False)
    for ax, col in zip(axes, outcomes):
        values = t.pivot(index="step", columns="run", values=col).astype(float).sort_index()
        discrete = not pd.api.types.is_float_dtype(t[col])
        if discrete:  # a count or a flag: quantiles jump between integers, the mean says more
            ax.plot(when, values.mean(axis=1), color="black" if not groups else "0.6",
                    linestyle="-" if not groups else (0, (3, 1.5)))
        else:
            q = values.quantile([0.05, 0.5, 0.95], axis=1).T
            ax.fill_between(when, q[0.05], q[0.95], color="0.5", alpha=0.22, linewidth=0)
            ax.plot(when, q[0.5], color="black" if not groups else "0.6", linestyle="-" if not groups
                    else (0, (3, 1.5)))
        for colour, (_, runs) in zip(colours, groups):
            sub = values[runs]
            ax.plot(when, sub.mean(axis=1) if discrete else sub.median(axis=1), color=colour)
        label, _ = _outcome_label(col, facts)  # a flag's mean is its probability; a count's, its mean
        ax.set_title(_wrap(_SWEEP_TRAJECTORY_TITLES.get(col, label if discrete else label.removeprefix("Mean ")), 34))
        _time_axis(ax, when)
        ax.set_xlabel("Year")
        ax.tick_params(labelbottom=True)
    stat = "mean" if all(not pd.api.types.is_float_dtype(t[c]) for c in outcomes) else "median"
    handles = [Line2D([], [], color="black" if not groups else "0.6",
                      linestyle="-" if not groups else (0, (3, 1.5)), label=f"all {_runs_text(n)}"),
               Patch(color="0.5", alpha=0.3, linewidth=0, label="5–95% of all runs")]
    handles += [Line2D([], [], color=c, label=f"{g} ({_runs_text(len(r))})") for c, (g, r) in zip(colours, groups)]
    _legend(fig, spare, handles, ncol_below=min(len(handles), 3),
            title=_wrap(_path_label(x, 60), 45) if x else None)
    by = f", {stat}s by {x}" if x else ""
    _suptitle(fig, f"{facts.name} sweep: outcomes over time ({_runs_text(n)}{by})")
    return fig


_SWEEP_TRAJECTORY_TITLES = {"wedged_republics": "Wedged republics (mean count)",
                            "opposite_republics": "Republics opposite the incumbents (mean count)"}


# ---------------------------------------------------------------- sweeps: heatmap


def _axis_values(values: pd.Series, bins: int) -> tuple[pd.Series, list[str]]:
    """Cell index of each run along one parameter, and the cells' labels: the values
    themselves when there are few, else equal-width bins over the range."""
    v = values
    if v.dtype == object or isinstance(v.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(v) \
            or pd.api.types.is_string_dtype(v):
        cats = sorted(v.dropna().unique(), key=lambda x: (str(type(x)), x))
        labels = [("true" if c else "false") if isinstance(c, (bool, np.bool_)) else str(c) for c in cats]
        return v.map({c: i for i, c in enumerate(cats)}), labels
    uniq = np.sort(v.dropna().unique())
    if len(uniq) <= max(bins, 8) and (pd.api.types.is_integer_dtype(v) or len(uniq) <= bins):
        return v.map({c: i for i, c in enumerate(uniq)}), [f"{c:.3g}" for c in uniq]
    lo, hi = float(uniq[0]), float(uniq[-1])
    edges = np.linspace(lo, hi, bins + 1)
    idx = np.clip(np.searchsorted(edges, v.to_numpy(float), side="right") - 1, 0, bins - 1)
    labels = [f"{edges[i]:.3g}–{edges[i + 1]:.3g}" for i in range(bins)]
    return pd.Series(idx, index=v.index), labels


def _outcome_label(outcome: str, facts: ScenarioFacts) -> tuple[str, bool]:
    names = {"wedge_achieved": "Wedge probability (share of runs)",
             "wedge_in_landscape": "Wedge-in-landscape probability (share of runs)",
             "incumbent_share_mean": f"{' + '.join(facts.name_of(p) for p in facts.incumbents)} share (mean)",
             "challenger_share_mean": f"{facts.name_of(facts.challenger)} share (mean)"}
    return names.get(outcome, f"Mean {outcome}"), outcome in ("wedge_achieved", "wedge_in_landscape")


def heatmap_figure(scalars: pd.DataFrame, x: str, y: str, facts: ScenarioFacts, outcome: str = "wedge_achieved",
                   bins: int = 5, params: list[str] | None = None) -> Figure:
    """Mean of ``outcome`` over the runs in each (x, y) cell (the wedge probability for a
    flag), with the number of runs per cell."""
    ok = scalars[scalars["status"] == "ok"] if "status" in scalars else scalars
    ok = ok[ok[outcome].notna() & ok[x].notna() & ok[y].notna()]  # a list design may leave a parameter unset
    if not len(ok):
        raise PlotError(f"no successful run with values of {outcome}, {x} and {y}")
    xi, xlabels = _axis_values(ok[x], bins)
    yi, ylabels = _axis_values(ok[y], bins)
    vals = ok[outcome].astype(float).to_numpy()
    grid = np.full((len(ylabels), len(xlabels)), np.nan)
    count = np.zeros_like(grid, dtype=int)
    cell = pd.DataFrame({"x": xi.to_numpy(), "y": yi.to_numpy(), "v": vals}).groupby(["y", "x"])["v"].agg(["mean", "size"])
    for (iy, ix), row in cell.iterrows():
        grid[int(iy), int(ix)] = row["mean"]
        count[int(iy), int(ix)] = int(row["size"])
    label, is_prob = _outcome_label(outcome, facts)
    fig = _new_figure(COLUMN + 1.0, 3.3)
    ax = fig.subplots()
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="#EEEEEE")
    vmin, vmax = (0.0, max(float(np.nanmax(grid)), 1e-9)) if is_prob else (float(np.nanmin(grid)), float(np.nanmax(grid)))
    if vmin == vmax:
        vmax = vmin + 1e-9
    im = ax.imshow(np.ma.masked_invalid(grid), origin="lower", aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax,
                   interpolation="nearest")
    ax.set_xticks(range(len(xlabels)), xlabels, rotation=30 if max(map(len, xlabels)) > 5 else 0,
                  ha="right" if max(map(len, xlabels)) > 5 else "center")
    ax.set_yticks(range(len(ylabels)), ylabels)
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)
    if grid.size <= 100:
        for iy in range(grid.shape[0]):
            for ix in range(grid.shape[1]):
                if not count[iy, ix]:
                    ax.text(ix, iy, "no runs", ha="center", va="center", fontsize=6, color="0.45")
                else:
                    v = grid[iy, ix]
                    light = (v - vmin) / (vmax - vmin) > 0.6
                    text = f"{v:.0%}" if is_prob else f"{v:.3g}"
                    ax.text(ix, iy, f"{text}\nn={count[iy, ix]}", ha="center", va="center", fontsize=6,
                            color="black" if light else "white")
    ax.set_xlabel(_path_label(x, 45))
    ax.set_ylabel(_path_label(y, 30))
    bar = fig.colorbar(im, ax=ax, shrink=0.9)
    bar.set_label(_wrap(label, 20))
    if is_prob:
        bar.ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0, decimals=0))
    others = [c for c in (params or []) if c not in (x, y)]
    pooled = _wrap(f"(pooled over {', '.join(others)})", 70) if others else ""
    short = label.split(" (")[0]
    short = short[0].lower() + short[1:] if short.split(" ")[0] in ("Wedge", "Wedge-in-landscape", "Mean") else short
    _suptitle(fig, f"{facts.name} sweep: {short} ({len(ok)} runs)" + (f"\n{pooled}" if pooled else ""))
    return fig


# ---------------------------------------------------------------- sweeps: sensitivity


def sensitivity_figure(table: pd.DataFrame, facts: ScenarioFacts, outcomes: list[str] | None = None) -> Figure:
    """Sobol S1 and ST (or Morris mu* and sigma) per parameter, one panel per outcome,
    most influential at the top, confidence intervals as error bars."""
    if outcomes:
        unknown = [o for o in outcomes if o not in set(table["outcome"])]
        if unknown:
            from greatgame.sim.errors import suggest

            have = list(dict.fromkeys(table["outcome"]))
            raise PlotError(f"--outcome {unknown[0]}: not in sensitivity.parquet{suggest(unknown[0], have)}; "
                            f"it holds: {', '.join(have)}")
        table = table[table["outcome"].isin(outcomes)]
    indices = set(table["index"])
    sobol = "ST" in indices or "S1" in indices
    pair = ("S1", "ST") if sobol else ("mu_star", "sigma")
    names = {"S1": "S1 (first order)", "ST": "ST (total)", "mu_star": "mu* (importance)",
             "sigma": "sigma (interactions, non-linearity)"}
    outs = list(dict.fromkeys(table["outcome"]))
    params = list(dict.fromkeys(table["parameter"]))
    k = len(outs)
    ncols = min(k, 2)
    nrows = math.ceil(k / ncols)
    fig = _new_figure(PAGE if k > 1 else COLUMN + 1.5, 0.9 + nrows * (0.5 + 0.34 * len(params)))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax in axes[k:]:
        ax.set_axis_off()
    shades = ("#404040", "#B3B3B3")
    for ax, out in zip(axes, outs):
        t = table[table["outcome"] == out].pivot_table(index="parameter", columns="index", values=["value", "conf"],
                                                        aggfunc="first", dropna=False)
        key = ("value", pair[1]) if ("value", pair[1]) in t.columns else ("value", pair[0])
        order = t[key].fillna(-np.inf).sort_values(ascending=True).index.tolist()  # most influential on top
        y = np.arange(len(order))
        h = 0.38
        for j, (idx, shade) in enumerate(zip(pair, shades)):
            if ("value", idx) not in t.columns:
                continue
            v = t.loc[order, ("value", idx)].to_numpy(float)
            c = t.loc[order, ("conf", idx)].to_numpy(float) if ("conf", idx) in t.columns else np.full(len(v), np.nan)
            ax.barh(y + (h / 2 if j == 0 else -h / 2), np.nan_to_num(v), height=h, color=shade, label=names[idx],
                    edgecolor="black", linewidth=0.4)
            has = ~np.isnan(c) & ~np.isnan(v)
            ax.errorbar(v[has], (y + (h / 2 if j == 0 else -h / 2))[has], xerr=c[has], fmt="none", ecolor="black",
                        elinewidth=0.7, capsize=2)
        ax.axvline(0, color="0.3", linewidth=0.6)
        ax.set_yticks(y, [_wrap_path(p, 30) for p in order])
        ax.set_title(_wrap(out, 50))
        ax.set_xlabel("Sobol index (share of variance)" if sobol else
                      "Elementary effect\n(per range, outcome units)")
        vals = t["value"].to_numpy(float) if "value" in t.columns.get_level_values(0) else np.array([])
        if not np.isfinite(vals).any() or not np.nan_to_num(vals).any():
            ax.text(0.5, 0.5, "the outcome is the\nsame in every run:\nno index", ha="center", va="center",
                    transform=ax.transAxes, fontsize=7, color="0.3",
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9})
        ax.grid(axis="y", visible=False)
    handles, lbls = axes[0].get_legend_handles_labels()
    what = "Sobol indices" if sobol else "Morris screening"
    _suptitle(fig, f"{facts.name} sweep: {what} (bars: 95% confidence intervals)")
    fig.legend(handles, lbls, loc="outside lower center", ncol=2)
    return fig


# ---------------------------------------------------------------- sweeps: discovery


def discovery_figure(info: dict, trajectory: pd.DataFrame, facts: ScenarioFacts) -> Figure:
    """(a) PRIM's peeling trajectory, coverage against density, coloured by the number of
    restricted parameters, the chosen box ringed; (b) the chosen box: each restricted
    parameter's limits within the range the runs span."""
    chosen = int(info.get("chosen_box", 0))
    box = info.get("box") or {}
    fig = _new_figure(PAGE, 3.1)
    ax, bx = fig.subplots(1, 2, width_ratios=[1.0, 1.25])
    dims = trajectory["res_dim"].astype(int).to_numpy()
    levels = sorted(set(dims))
    cmap = matplotlib.colormaps["viridis"]
    col = {d: cmap(0.9 * i / max(len(levels) - 1, 1)) for i, d in enumerate(levels)}
    ax.plot(trajectory["coverage"], trajectory["density"], color="0.75", linewidth=0.8, zorder=1)
    for d in levels:
        sel = dims == d
        ax.scatter(trajectory["coverage"][sel], trajectory["density"][sel], s=16, color=col[d], zorder=2,
                   label=str(d), linewidths=0)
    c = trajectory.iloc[chosen]
    ax.scatter([c["coverage"]], [c["density"]], s=80, facecolor="none", edgecolor="black", linewidths=1.1, zorder=3)
    ax.annotate(f"box {chosen}", (c["coverage"], c["density"]), xytext=(-8, 8), textcoords="offset points",
                ha="right", fontsize=7)
    ax.set_xlabel("Coverage\n(share of the runs of interest inside)")
    ax.set_ylabel("Density\n(share of the runs inside of interest)")
    ax.set_xlim(-0.02, 1.05)
    ax.set_ylim(0, 1.05)
    ax.set_title("(a) PRIM peeling trajectory")
    ax.legend(title="restricted\nparameters", loc="upper left", bbox_to_anchor=(1.0, 1.0), handletextpad=0.2,
              borderaxespad=0.2)
    # (b) the chosen box
    names = list(box)
    bx.set_title(f"(b) the chosen box, {chosen}:\ncoverage {c['coverage']:.2f}, density {c['density']:.2f}, "
                 f"mass {c['mass']:.2f}")
    if not names:
        bx.text(0.5, 0.5, "no parameter restricted:\nthe whole sweep", ha="center", va="center",
                transform=bx.transAxes)
        bx.set_axis_off()
    else:
        y = np.arange(len(names))[::-1]
        notes = []
        for yi, name in zip(y, names):
            lim = box[name]
            bx.barh(yi, 1.0, left=0.0, height=0.5, color="#EEEEEE", edgecolor="0.6", linewidth=0.5)
            if "values" in lim:
                of = [str(v) for v in lim["of"]]
                keep = {str(v) for v in lim["values"]}
                w = 1.0 / max(len(of), 1)
                for i, v in enumerate(of):
                    if v in keep:
                        bx.barh(yi, w, left=i * w, height=0.5, color=OKABE_ITO["sky_blue"], edgecolor="black",
                                linewidth=0.5)
                    bx.text((i + 0.5) * w, yi, v, ha="center", va="center", fontsize=6)
                qp = lim.get("qp")
                note = f"qp {qp:.2g}" if qp is not None else ""
            else:
                lo0, hi0 = lim["range"]
                span = (hi0 - lo0) or 1.0
                a, b = (lim["min"] - lo0) / span, (lim["max"] - lo0) / span
                bx.barh(yi, b - a, left=a, height=0.5, color=OKABE_ITO["sky_blue"], edgecolor="black", linewidth=0.5)
                bx.text(a, yi - 0.3, f"{lim['min']:.3g}", ha="left" if a < 0.08 else "center", va="top", fontsize=6)
                bx.text(b, yi - 0.3, f"{lim['max']:.3g}", ha="right" if b > 0.92 else "center", va="top", fontsize=6)
                qps = [f"{w} qp {lim[k]:.2g}" for w, k in (("min", "qp_min"), ("max", "qp_max"))
                       if lim.get(k) is not None]
                note = "; ".join(qps)
            notes.append(note)
        bx.set_yticks(y, [_wrap_path(n, 32) + (f"\n({q})" if q else "") for n, q in zip(names, notes)])
        bx.set_xlim(0, 1)
        bx.set_ylim(-0.9, len(names) - 0.4)
        bx.set_xticks([0, 0.5, 1], ["low end", "middle", "high end"])
        bx.set_xlabel("Position in the range the runs span")
        bx.grid(False)
    target = info.get("target", "")
    runs = info.get("runs")
    k = info.get("runs_of_interest")
    extra = f" ({k} of {runs} runs)" if runs else ""
    _suptitle(fig, f"{facts.name} sweep: scenario discovery, runs of interest: {target}{extra}")
    return fig
