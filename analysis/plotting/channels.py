"""Where a power's influence on one republic comes from: each channel's weighted score."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..folders import PlotError, ScenarioFacts
from .common import PAGE, _new_figure, _powers, _suptitle, power_colours


def channels_figure(actors: pd.DataFrame, facts: ScenarioFacts, republic: str, date: str | None = None,
                    weights: dict[str, float] | None = None) -> Figure:
    """Grouped bars, one group per channel, one bar per power (in its colour): the channel's
    contribution w_c · score_c(p, r) to the influence I(p, r) of each power in ``republic``
    at ``date`` (default: the last date; mean over runs). Without ``weights`` (the scenario's
    ``parameters.weights``) the bars are the scores themselves."""
    from greatgame.sim.schema import CHANNELS

    powers = _powers(actors)
    colours = power_colours(powers)
    rows = actors[(actors["kind"] == "republic") & (actors["actor"] == republic)]
    if rows.empty:
        have = ", ".join(dict.fromkeys(actors.loc[actors["kind"] == "republic", "actor"]))
        raise PlotError(f"republic '{republic}': not in these results; they hold {have}")
    date = date or str(rows["date"].iloc[-1])
    rows = rows[rows["date"] == date]
    if rows.empty:
        raise PlotError(f"date {date}: not a date of these results")
    if weights is None and facts.loaded is not None:
        w = facts.loaded.scenario.parameters.weights
        weights = {c: float(getattr(w, c)) for c in CHANNELS}
    weighted = weights is not None
    w = np.array([weights[c] if weighted else 1.0 for c in CHANNELS])
    score = np.array([[rows[f"{c}_score_{p}"].mean() for c in CHANNELS] for p in powers]) * w
    fig = _new_figure(PAGE, 3.2)
    ax = fig.subplots()
    x = np.arange(len(CHANNELS))
    width = 0.8 / max(len(powers), 1)
    for i, p in enumerate(powers):
        ax.bar(x - 0.4 + (i + 0.5) * width, score[i], width=width, color=colours[p], linewidth=0)
    ax.set_xticks(x, [c.replace("_", " ") + (f" (w {weights[c]:g})" if weighted else "") for c in CHANNELS],
                  rotation=30, ha="right")
    ax.set_ylabel("w · score (influence units)" if weighted else "Score (0–1)")
    ax.grid(axis="x", visible=False)
    total = score.sum(axis=1)
    handles = [Patch(color=colours[p], label=f"{facts.name_of(p)} (I = {t:.3f})") for p, t in zip(powers, total)]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 4), title="Influence I(p, r)")
    _suptitle(fig, f"{facts.name_of(republic)}, {date}: where each power's influence comes from "
                   f"(channel contributions, sum = I)")
    return fig
