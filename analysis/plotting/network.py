"""The influence graph at chosen dates, at fixed map-like positions."""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..folders import PlotError, ScenarioFacts
from .common import (BLOC_OTHER, BLOC_WITH, COLUMN, PAGE, _n_runs, _new_figure, _powers, _republics, _runs_text,
                     _suptitle, _wrap, power_colours)


# ---------------------------------------------------------------- network

# Fixed, roughly geographic positions on a schematic map (x east, y north): Russia
# north, China east, Japan far east, the United States west, the five republics in their
# map arrangement (spread out more than on a map, so that arrows and names stay apart).
# Anything else is placed deterministically along the southern edge.
POSITIONS = {
    "russia": (0.42, 1.00),
    "china": (0.98, 0.42),
    "japan": (1.16, 0.86),
    "united_states": (-0.22, 0.70),
    "kazakhstan": (0.42, 0.70),
    "uzbekistan": (0.22, 0.38),
    "turkmenistan": (0.00, 0.16),
    "kyrgyzstan": (0.68, 0.40),
    "tajikistan": (0.48, 0.10),
}
# Where each name goes relative to its node: offset in points, and alignment.
LABEL_PLACES = {
    "russia": (0, 10, "center", "bottom"),
    "china": (11, 0, "left", "center"),
    "japan": (0, 10, "center", "bottom"),
    "united_states": (0, 10, "center", "bottom"),
    "kazakhstan": (8, 5, "left", "bottom"),
    "uzbekistan": (-8, 4, "right", "bottom"),
    "turkmenistan": (0, -9, "center", "top"),
    "kyrgyzstan": (0, -9, "center", "top"),
    "tajikistan": (0, -9, "center", "top"),
}


def network_positions(powers: list[str], republics: list[str]) -> dict[str, tuple[float, float]]:
    pos = {k: POSITIONS[k] for k in powers + republics if k in POSITIONS}
    extra_p = [p for p in powers if p not in pos]
    extra_r = [r for r in republics if r not in pos]
    for i, p in enumerate(extra_p):  # further powers: along the southern edge
        pos[p] = (-0.1 + (i + 0.5) * 1.2 / len(extra_p), -0.22)
    for i, r in enumerate(extra_r):  # further republics: a row between the five and the south
        pos[r] = (0.1 + (i + 0.5) * 0.8 / len(extra_r), -0.06)
    return pos


def _at_date(actors: pd.DataFrame, date: str) -> pd.DataFrame:
    return actors[actors["date"] == date]


def network_figure(actors: pd.DataFrame, facts: ScenarioFacts, dates: list[str] | None = None) -> Figure:
    """The influence graph at each date: power→republic arrows as wide as the mean influence;
    every actor filled by its landscape bloc (with the challenger, or not; the share of runs
    when the runs disagree)."""
    import networkx as nx

    powers = _powers(actors)
    republics = _republics(actors)
    colours = power_colours(powers)
    available = list(dict.fromkeys(actors["date"]))
    if not dates:
        dates = [available[0], available[-1]] if len(available) > 1 else available[:1]
    unknown = [d for d in dates if d not in available]
    if unknown:
        from greatgame.sim.errors import suggest

        raise PlotError(f"--dates {unknown[0]}: not a date of these results{suggest(unknown[0], available)}; they run "
                        f"from {available[0]} to {available[-1]}, one a quarter")
    challenger = facts.challenger if facts.challenger in powers else powers[0]
    pos = network_positions(powers, republics)
    n = _n_runs(actors)
    panels = len(dates)
    ncols = min(panels, 2)
    nrows = math.ceil(panels / ncols)
    fig = _new_figure(PAGE if panels > 1 else COLUMN + 0.5, 0.9 + 2.6 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    scale = 7.0  # points of line width per unit of influence
    any_mixed = False
    for ax in axes[panels:]:
        ax.set_axis_off()
    for ax, date in zip(axes, dates):
        now = _at_date(actors, date)
        rep = now[now["kind"] == "republic"]
        influence = rep.groupby("actor", sort=False)[[f"influence_{p}" for p in powers]].mean()
        with_ch = _with_challenger(now, challenger)
        G = nx.DiGraph()
        for k in powers + republics:
            G.add_node(k, kind="power" if k in powers else "republic", share=with_ch.get(k, float("nan")))
        for r in republics:
            for p in powers:
                G.add_edge(p, r, weight=float(influence.loc[r, f"influence_{p}"]))
        nodes = list(G.nodes)
        sizes = {k: (230 if k in powers else 180) for k in nodes}
        edges = sorted(G.edges(data="weight"), key=lambda e: e[2])  # thin first, wide on top
        nx.draw_networkx_edges(
            G, pos, ax=ax, edgelist=[(u, v) for u, v, _ in edges], width=[scale * w for _, _, w in edges],
            edge_color=[colours[u] for u, _, _ in edges], alpha=0.7, arrows=True, arrowstyle="-|>", arrowsize=6,
            connectionstyle="arc3,rad=0.12", nodelist=nodes, node_size=[sizes[k] for k in nodes],
            min_source_margin=6, min_target_margin=7)
        for shape, group in (("s", powers), ("o", republics)):
            fills = [BLOC_WITH if G.nodes[k]["share"] >= 0.5 else BLOC_OTHER for k in group]
            nx.draw_networkx_nodes(G, pos, ax=ax, nodelist=group, node_shape=shape, node_size=[sizes[k] for k in group],
                                   node_color=fills, linewidths=[2.2 if k in powers else 0.8 for k in group],
                                   edgecolors=[colours[k] if k in powers else "black" for k in group])
        for k in nodes:
            share = G.nodes[k]["share"]
            mixed = n > 1 and 0 < share < 1
            any_mixed = any_mixed or mixed
            # Anything without a place of its own sits on the southern edge: its name goes below it.
            dx, dy, ha, va = LABEL_PLACES.get(k, (0, -10 if k in republics else -12, "center", "top"))
            ax.annotate(facts.name_of(k) + (f" ({share:.0%})" if mixed else ""), pos[k], xytext=(dx, dy),
                        textcoords="offset points", ha=ha, va=va, fontsize=6.5, zorder=5,
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        xs = [x for x, _ in pos.values()]
        ys = [y for _, y in pos.values()]
        ax.set_xlim(min(xs) - 0.17, max(xs) + 0.17)
        ax.set_ylim(min(ys) - 0.16, max(ys) + 0.14)
        ax.set_axis_off()
        ax.set_title(date)
    mean = f"mean of {_runs_text(n)}" if n > 1 else "one run"
    _suptitle(fig, f"{facts.name}: influence of each power on each republic ({mean})")
    ch = facts.name_of(challenger)
    blank = Line2D([], [], linestyle="none", label=" ")
    columns = [
        [Line2D([], [], color=colours[p], linewidth=2, label=facts.name_of(p)) for p in powers],
        [Line2D([], [], color="0.4", linewidth=scale * w, label=f"influence {w:g}") for w in (0.1, 0.3, 0.5)],
        [Patch(facecolor=BLOC_WITH, edgecolor="black", linewidth=0.6, label=f"in {ch}'s bloc"),
         Patch(facecolor=BLOC_OTHER, edgecolor="black", linewidth=0.6, label="in the other bloc")]
        + ([Line2D([], [], linestyle="none", label=f"(x%): share of runs\nin {ch}'s bloc")] if any_mixed else []),
    ]
    rows = max(len(c) for c in columns)
    handles = [h for c in columns for h in c + [blank] * (rows - len(c))]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(columns),
               title=_wrap("Arrows: power → republic, width = influence I(p, r); fill: landscape bloc "
                           "(squares: powers)", int(fig.get_figwidth() * 17)))
    return fig


def _with_challenger(now: pd.DataFrame, challenger: str) -> dict[str, float]:
    """Share of runs in which each actor is in the challenger's landscape bloc."""
    if "bloc" not in now:
        return {}
    df = now[["replicate", "actor", "bloc"]] if "replicate" in now else now[["actor", "bloc"]].assign(replicate=0)
    ch = df[df["actor"] == challenger].set_index("replicate")["bloc"]
    same = df["bloc"].to_numpy() == df["replicate"].map(ch).to_numpy()
    return pd.Series(same, index=df.index).groupby(df["actor"].to_numpy(), sort=False).mean().to_dict()
