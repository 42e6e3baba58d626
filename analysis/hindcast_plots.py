"""The hindcast figure: observed points over the model's 90% interval and median, with the
three naive baselines, one panel per series (measure × power × region). Registered in
analysis/plots.py as the kind ``hindcast`` (folders written by ``greatgame hindcast``)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

UNITS = {"trade": "US$ bn a year", "gdp": "US$ bn", "remittances_gdp": "% of GDP"}
BASELINE_STYLE = {"persistence": ("s", "#E69F00"), "trend": ("^", "#56B4E9"), "growth": ("D", "#009E73")}
MODEL_COLOUR = "#0072B2"


def hindcast_figure(table: pd.DataFrame, manifest: dict | None = None) -> Figure:
    manifest = manifest or {}
    table = table.fillna({"power": "", "republic": "", "basis": ""})
    series = list(table.groupby(["measure", "power", "republic"], sort=True, dropna=False))
    n = max(1, len(series))
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(7.0, 1.2 + 2.0 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    for ax, ((measure, power, rep), g) in zip(axes.ravel(), series):
        g = g.sort_values("year")
        x = g["year"].to_numpy(float)
        med = g["median"].to_numpy(float)
        err = np.vstack([med - g["lo90"].to_numpy(float), g["hi90"].to_numpy(float) - med])
        ax.errorbar(x, med, yerr=np.maximum(err, 0), fmt="_", color=MODEL_COLOUR, ecolor=MODEL_COLOUR,
                    elinewidth=5, alpha=0.35, markersize=12, capsize=0)
        ax.plot(x, med, "_", color=MODEL_COLOUR, markersize=14, markeredgewidth=2)
        for b, (marker, colour) in BASELINE_STYLE.items():
            v = g[b].to_numpy(float)
            ok = np.isfinite(v)
            if ok.any():
                ax.plot(x[ok] + 0.12, v[ok], marker, color=colour, markersize=4, linestyle="none")
        ax.plot(x, g["observed"].to_numpy(float), "o", color="black", markersize=4, zorder=5)
        inside = int(((g["lo90"] <= g["observed"]) & (g["observed"] <= g["hi90"])).sum())
        ax.set_title(f"{measure} {power or ''} {rep}".replace("  ", " ") + f"\n{inside}/{len(g)} inside 90%",
                     fontsize=8)
        ax.set_ylabel(UNITS.get(measure, ""), fontsize=7)
        ax.tick_params(labelsize=7)
        years = sorted(set(g["year"].astype(int)))
        ax.set_xticks(years)
        ax.set_xlim(min(years) - 0.6, max(years) + 0.6)
    handles = [Line2D([], [], marker="o", color="black", linestyle="none", label="observed"),
               Line2D([], [], color=MODEL_COLOUR, alpha=0.5, linewidth=5, label="model: median, 90% interval")]
    handles += [Line2D([], [], marker=m, color=c, linestyle="none", label=b) for b, (m, c) in BASELINE_STYLE.items()]
    fig.legend(handles=handles, loc="outside lower center", ncol=5, fontsize=7, frameon=False)
    what = manifest.get("uncertainty") or ""
    frm = manifest.get("from")
    fig.suptitle(f"Hindcast of {manifest.get('scenario', '')}" + (f" from {frm}" if frm else "")
                 + (f"; spread: {what.split(' (')[0]}" if what else ""), fontsize=9)
    return fig


def hindcast_headline(folder) -> str:
    """The report's headline for a hindcast folder: per series, MAPE of the model and of each
    baseline and the share of observations inside the 90% interval."""
    from .hindcast import skill
    from .report import esc, table

    t = folder.table("hindcast")
    sk = skill(t)
    m = folder.manifest

    def pct(x):
        return "–" if not np.isfinite(x) else f"{x:.1f}"

    rows = [[f"{r['measure']} {r['power'] or ''} {r['republic']}", int(r["n"]), pct(r["mape_model"]),
             pct(r["mape_persistence"]), pct(r["mape_trend"]), pct(r["mape_growth"]), f"{r['coverage90']:.0%}"]
            for _, r in sk.iterrows()]
    inside = ((t["lo90"] <= t["observed"]) & (t["observed"] <= t["hi90"]))
    return "\n".join([
        "<h2>Out-of-sample skill</h2>",
        f"<p>{int(inside.sum())} of {len(t)} observations from {esc(m.get('from'))} lie inside the model's 90% "
        f"interval. Spread shown: {esc(m.get('uncertainty', ''))}. Posterior: {esc(m.get('posterior'))} "
        f"(calibrated up to {esc(m.get('posterior_until'))}). Baselines are fitted only on the observations "
        f"before {esc(m.get('from'))}.</p>",
        table(["series", "n", "MAPE model %", "persistence %", "trend %", "growth %", "inside 90%"], rows,
              numeric=(1, 2, 3, 4, 5, 6)),
    ])
