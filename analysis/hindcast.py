"""Out-of-sample skill: posterior draws × seeds run over the years from a start year, set
against the observations of those years and against three naive baselines fitted only on
the observations before it.

Baselines, per series (measure, power, republic, basis), from the rows of the observed
file before the start year (any year, the model's span or not):

* ``persistence``: the last value (the mean of that year's rows when there are several);
* ``trend``: the least-squares line through (year, value) over the ``TREND_WINDOW`` (10)
  years before the start year, at least two distinct years;
* ``growth``: constant growth, the least-squares line through (year, log value) over the
  same window, at least two distinct years with positive values.

(The window keeps a line from being drawn through a single figure of 2001 and three of
2011-2013, as the China series on the partner basis would otherwise be.)

A baseline without enough points is empty (NaN) and left out of its MAPE.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from greatgame.sim import GreatGameModel
from greatgame.sim.observables import run_yearly
from greatgame.sim.scenario import scenario_with

from .calibration import LEVEL_PATTERN, model_value
from .observed import Observation, describe, match, read_observed

COLUMNS = ("year", "measure", "power", "republic", "basis", "observed", "median", "lo90", "hi90",
           "persistence", "trend", "growth", "row")
BASELINES = ("persistence", "trend", "growth")
TREND_WINDOW = 10  # years before the start year that trend and growth are fitted on


def baselines(points: list[tuple[int, float]], year: int, since: int | None = None) -> dict[str, float]:
    """The three naive forecasts for ``year`` from ``points`` [(year, value)] (all before it);
    trend and growth use only the points from ``since`` on (all when None)."""
    nan = float("nan")
    if not points:
        return {b: nan for b in BASELINES}
    by_year: dict[int, list[float]] = {}
    for y, v in points:
        by_year.setdefault(int(y), []).append(float(v))
    years = sorted(by_year)
    means = np.array([np.mean(by_year[y]) for y in years])
    out = {"persistence": float(means[-1]), "trend": nan, "growth": nan}
    recent = [i for i, y in enumerate(years) if since is None or y >= since]
    years, means = [years[i] for i in recent], means[recent]
    if len(years) >= 2:
        x = np.array(years, float)
        slope, icpt = np.polyfit(x, means, 1)
        out["trend"] = float(icpt + slope * year)
        if np.all(means > 0):
            gs, gi = np.polyfit(x, np.log(means), 1)
            out["growth"] = float(math.exp(gi + gs * year))
    return out


def hindcast(loaded, posterior, observed_file, from_year: int, draws: int = 20, seeds: int = 5, seed: int = 1,
             progress=None, basis: dict | None = None) -> tuple[pd.DataFrame, list[str], dict]:
    """Runs ``draws`` posterior draws × ``seeds`` seeds (posterior None: the scenario's values)
    and returns (hindcast table, lines describing the observations, run records)."""
    obs = read_observed(observed_file)
    sc = loaded.scenario
    matched = match(obs, sc, since=from_year, basis=basis)
    lines = describe(matched, str(observed_file), since=from_year)
    targets = [o for o in matched.usable if o.measure in LEVEL_PATTERN]
    skipped = [o for o in matched.usable if o.measure not in LEVEL_PATTERN]
    if skipped:
        lines.append(f"  {len(skipped)} poll rows are ordering patterns, not levels: not in the hindcast")
    if not targets:
        raise ValueError(f"{observed_file}: no observation from {from_year} on that the model can produce as a "
                         f"level ({', '.join(LEVEL_PATTERN)})")
    last = max(o.year for o in targets)
    plain = sc.model_dump()
    sets = posterior.draw(draws, seed) if posterior is not None else [(-1, {})] * draws
    children = np.random.SeedSequence(int(seed)).spawn(len(sets) * seeds)
    run_seeds = [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]
    values = np.full((len(sets) * seeds, len(targets)), np.nan)
    records = []
    k = 0
    for d, (particle, params) in enumerate(sets):
        spec = scenario_with(sc, params, plain=plain) if params else sc
        for s in range(seeds):
            model = GreatGameModel(spec, rng=run_seeds[k], collect_every=0)
            y = run_yearly(model, last)
            values[k] = [model_value(o, y) for o in targets]
            records.append({"run": k, "draw": d, "particle": particle, "seed": run_seeds[k], **params})
            k += 1
            if progress:
                progress(1)
    rows = []
    for i, o in enumerate(targets):
        v = values[:, i]
        v = v[np.isfinite(v)]
        lo, med, hi = (np.quantile(v, [0.05, 0.5, 0.95]) if v.size else (np.nan,) * 3)
        before = [(p.year, p.value) for p in obs if p.series == o.series and p.year < from_year and p.unit == o.unit]
        b = baselines(before, o.year, since=from_year - TREND_WINDOW)
        rows.append({"year": o.year, "measure": o.measure, "power": o.power, "republic": o.republic,
                     "basis": o.basis, "observed": o.value, "median": float(med), "lo90": float(lo),
                     "hi90": float(hi), **b, "row": o.line})
    table = pd.DataFrame(rows, columns=list(COLUMNS)).sort_values(
        ["measure", "power", "republic", "year", "basis"], kind="stable").reset_index(drop=True)
    return table, lines, {"runs": records, "run_seeds": run_seeds}


def skill(table: pd.DataFrame) -> pd.DataFrame:
    """Per series (measure × power × region): observations, MAPE (%) of the model's median and
    of each baseline (over the rows where it exists), and the share inside the 90% interval."""
    rows = []
    table = table.fillna({"power": "", "republic": "", "basis": ""})  # empty fields read back from CSV
    for (measure, power, rep), g in table.groupby(["measure", "power", "republic"], sort=True, dropna=False):
        obs = g["observed"].to_numpy(float)
        row = {"measure": measure, "power": power, "republic": rep, "n": len(g)}
        for col in ("median",) + BASELINES:
            pred = g[col].to_numpy(float)
            ok = np.isfinite(pred) & (obs != 0)
            row[f"mape_{'model' if col == 'median' else col}"] = (
                float(np.mean(np.abs(pred[ok] - obs[ok]) / np.abs(obs[ok])) * 100) if ok.any() else float("nan"))
        inside = (g["lo90"] <= g["observed"]) & (g["observed"] <= g["hi90"])
        row["coverage90"] = float(inside.mean())
        rows.append(row)
    return pd.DataFrame(rows)


def format_skill(sk: pd.DataFrame) -> list[str]:
    head = f"{'series':<34}{'n':>3}{'model':>9}{'persist':>9}{'trend':>9}{'growth':>9}{'in 90%':>8}"
    out = ["MAPE (%) of the model's median and of each naive baseline; share of observations inside the "
           "model's 90% interval:", head]
    for _, r in sk.iterrows():
        name = f"{r['measure']} {r['power'] or '-'} {r['republic']}"

        def f(x):
            return f"{x:>9.1f}" if np.isfinite(x) else f"{'-':>9}"

        out.append(f"{name:<34}{int(r['n']):>3}{f(r['mape_model'])}{f(r['mape_persistence'])}{f(r['mape_trend'])}"
                   f"{f(r['mape_growth'])}{r['coverage90']:>8.0%}")
    return out


def write(table: pd.DataFrame, out: Path, manifest: dict) -> None:
    from . import output

    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "hindcast.csv", index=False, float_format="%.10g")
    skill(table).to_csv(out / "skill.csv", index=False, float_format="%.4g")
    output.write_json(manifest, out / "manifest.json")


__all__ = ["baselines", "hindcast", "skill", "format_skill", "write", "Observation"]
