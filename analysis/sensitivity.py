"""Global sensitivity analysis of a sweep with SALib: Sobol indices or Morris screening.

A spec whose design is ``sobol`` (Saltelli's scheme, first-order and total indices) or
``morris`` (elementary effects) is run with :func:`analysis.sweep.run_sweep`, or an
existing sweep folder is read back; each scalar outcome is averaged over the replicates
of every design point (booleans as 0/1) and handed to SALib's analyser:

- Sobol: ``SALib.analyze.sobol.analyze(problem, Y, calc_second_order=False)``, matching
  the sampler of :func:`analysis.spec.build_design`; ``S1`` and ``ST`` with bootstrap
  confidence intervals.
- Morris: ``SALib.analyze.morris.analyze(problem, X, Y, num_levels=...)``, where ``X`` is
  SALib's unit-cube sample, rebuilt from the spec with the same call and seed as
  ``build_design`` (and checked against the design the sweep actually ran); ``mu*`` with
  its confidence interval, ``mu`` and ``sigma``.

The problem is :meth:`LoadedSpec.problem`: every parameter on [0, 1], mapped to its range
(integers and categories by equal slices), so the indices are per unit of each parameter's
range. The bootstrap of both analysers is seeded from the spec's seed, so the same sweep
gives the same confidence intervals.

The tidy result has one row per (outcome, parameter, index): columns ``outcome``,
``parameter``, ``index`` (``S1``, ``ST``; or ``mu_star``, ``mu``, ``sigma``), ``value``,
``conf`` (the half-width of the confidence interval; missing where SALib gives none).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from greatgame.sim.errors import suggest

from .spec import RangeParam, SweepSpec

DESIGNS = ("sobol", "morris")
DEFAULT_OUTCOMES = ("wedge_achieved", "incumbent_share_mean")
NUM_RESAMPLES = 1000
CONF_LEVEL = 0.95
TIDY_COLUMNS = ["outcome", "parameter", "index", "value", "conf"]
# Columns of a sweep's scalars table that are not outcomes.
RUN_COLUMNS = ("run", "point", "replicate", "seed", "status", "error")
# SALib's analyser salt: the bootstrap seed is derived from the spec's seed and this, so it
# never coincides with a run seed (those are SeedSequence(seed).spawn(...) children).
_ANALYSER_SALT = 0x53414C49  # "SALI"


class AnalysisError(Exception):
    """A problem to report as one line (no traceback)."""


# ---------------------------------------------------------------- SALib pieces


def _salib():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from SALib.analyze import morris as morris_analyze
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    return sobol_sample, sobol_analyze, morris_sample, morris_analyze


def analyser_seed(seed: int) -> int:
    """The bootstrap seed for SALib's analysers, derived from the spec's master seed.

    Never 0: ``sobol.analyze`` treats a falsy seed as 'unseeded'."""
    s = int(np.random.SeedSequence([int(seed), _ANALYSER_SALT]).generate_state(1, dtype=np.uint32)[0])
    return s or 1


def check_design(spec: SweepSpec, where: str = "") -> None:
    """Refuse a design SALib's analysers cannot read."""
    if spec.design not in DESIGNS:
        prefix = f"{where}: " if where else ""
        raise AnalysisError(f"{prefix}design is '{spec.design}'; sensitivity analysis needs design: sobol "
                            f"(first-order and total indices; samples a power of 2) or design: morris "
                            f"(elementary-effects screening)")


def problem_of(spec: SweepSpec) -> dict:
    """SALib's problem, as :meth:`analysis.spec.LoadedSpec.problem` builds it."""
    names = list(spec.parameters)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def unit_sample(spec: SweepSpec) -> np.ndarray:
    """SALib's unit-cube sample of a sobol or morris spec: the same call and seed as
    :func:`analysis.spec.build_design`, so row i is design point i before mapping."""
    check_design(spec)
    sobol_sample, _, morris_sample, _ = _salib()
    problem = problem_of(spec)
    seed = spec.seed % (2**32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if spec.design == "sobol":
            return sobol_sample.sample(problem, spec.samples, calc_second_order=False, scramble=True, seed=seed)
        return morris_sample.sample(problem, spec.samples, num_levels=spec.levels or 4, seed=seed)


def check_unit_sample(spec: SweepSpec, unit: np.ndarray, points: pd.DataFrame) -> None:
    """The rebuilt unit sample, mapped to the parameters, must be the design that ran
    (``points``: one row per design point, in order, a column per parameter)."""
    if len(points) != len(unit):
        raise AnalysisError(f"the results hold {len(points)} design points, the spec's {spec.design} design has "
                            f"{len(unit)}: these results are not of this spec")
    for i, (name, p) in enumerate(spec.parameters.items()):
        if name not in points:
            raise AnalysisError(f"the results have no column for parameter '{name}': not a sweep of this spec")
        want = p.from_unit(unit[:, i])
        got = points[name].to_numpy()
        if isinstance(p, RangeParam) and p.type == "real":
            same = np.allclose(got.astype(float), want.astype(float), rtol=1e-9, atol=1e-12)
        else:
            same = all(a == b for a, b in zip(got.tolist(), want.tolist()))
        if not same:
            raise AnalysisError(f"parameter '{name}': the values in the results differ from SALib's {spec.design} "
                                f"sample rebuilt from the spec (seed {spec.seed}); cannot pair them with the sample")


def sobol_indices(problem: dict, Y: np.ndarray, seed: int, num_resamples: int = NUM_RESAMPLES,
                  conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    """First-order and total Sobol indices of ``Y`` (one value per point of a
    ``sobol.sample(problem, N, calc_second_order=False)`` design), one row per
    parameter: S1, S1_conf, ST, ST_conf. A constant ``Y`` has no variance to apportion:
    every index is NaN."""
    _, sobol_analyze, _, _ = _salib()
    Y = np.asarray(Y, dtype=float)
    D = problem["num_vars"]
    if Y.ndim != 1 or Y.size % (D + 2):
        raise AnalysisError(f"a Sobol design of {D} parameters has N*(D+2) = N*{D + 2} points; got {Y.size} values")
    names = list(problem["names"])
    if np.ptp(Y) == 0:
        nan = np.full(D, np.nan)
        return pd.DataFrame({"S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan},
                            index=pd.Index(names, name="parameter"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = sobol_analyze.analyze(problem, Y, calc_second_order=False, num_resamples=num_resamples,
                                   conf_level=conf_level, seed=analyser_seed(seed))
    return pd.DataFrame({k: np.asarray(si[k], dtype=float) for k in ("S1", "S1_conf", "ST", "ST_conf")},
                        index=pd.Index(names, name="parameter"))


def morris_indices(problem: dict, X: np.ndarray, Y: np.ndarray, num_levels: int, seed: int,
                   num_resamples: int = NUM_RESAMPLES, conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    """Morris screening of ``Y`` on the unit-cube sample ``X``: one row per parameter with
    mu_star, mu_star_conf, mu, sigma (effects per unit of each parameter's range)."""
    _, _, _, morris_analyze = _salib()
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    D = problem["num_vars"]
    if Y.ndim != 1 or len(Y) != len(X) or len(Y) % (D + 1):
        raise AnalysisError(f"a Morris design of {D} parameters has r*(D+1) = r*{D + 1} points; got {Y.size} values "
                            f"for {len(X)} sample rows")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = morris_analyze.analyze(problem, X, Y, num_resamples=num_resamples, conf_level=conf_level,
                                    num_levels=num_levels, seed=analyser_seed(seed))
    return pd.DataFrame({k: np.asarray(si[k], dtype=float) for k in ("mu_star", "mu_star_conf", "mu", "sigma")},
                        index=pd.Index(list(problem["names"]), name="parameter"))


def tidy(outcome: str, table: pd.DataFrame) -> pd.DataFrame:
    """One row per (parameter, index) of a sobol_indices or morris_indices table."""
    pairs = ([("S1", "S1_conf"), ("ST", "ST_conf")] if "S1" in table
             else [("mu_star", "mu_star_conf"), ("mu", None), ("sigma", None)])
    rows = [{"outcome": outcome, "parameter": p, "index": idx, "value": float(r[idx]),
             "conf": float(r[conf]) if conf else np.nan}
            for p, r in table.iterrows() for idx, conf in pairs]
    return pd.DataFrame(rows, columns=TIDY_COLUMNS)


# ---------------------------------------------------------------- from a sweep's table


def outcome_columns(scalars: pd.DataFrame, parameters: list[str]) -> list[str]:
    """The numeric scalar outcomes of a sweep table (booleans and integers included)."""
    skip = set(RUN_COLUMNS) | set(parameters)
    return [c for c in scalars.columns if c not in skip
            and (pd.api.types.is_numeric_dtype(scalars[c]) or pd.api.types.is_bool_dtype(scalars[c]))]


def check_outcomes(requested: list[str] | None, available: list[str]) -> list[str]:
    """The outcomes to analyse: those requested (each must be a numeric scalar of the
    sweep), or the defaults the sweep records."""
    if not requested:
        chosen = [o for o in DEFAULT_OUTCOMES if o in available]
        if not chosen:
            if not available:
                raise AnalysisError("the sweep records no numeric scalar outcome")
            chosen = available[:1]
        return chosen
    out = []
    for name in requested:
        if name not in available:
            raise AnalysisError(f"--outcome: unknown outcome '{name}'{suggest(name, available)}; this sweep records: "
                                f"{', '.join(available)}")
        if name not in out:
            out.append(name)
    return out


@dataclass
class PointMeans:
    """Mean of an outcome per design point over its successful replicates."""

    values: np.ndarray
    replicates: int
    failed_runs: int


def point_means(scalars: pd.DataFrame, outcome: str, n_points: int) -> PointMeans:
    """Y per design point: the mean over replicates of the outcome (booleans as 0/1),
    leaving out failed runs; refuses if a point has no successful run."""
    ok = scalars["status"] == "ok" if "status" in scalars else pd.Series(True, index=scalars.index)
    values = scalars[outcome].astype("Float64").astype(float)
    good = ok & values.notna()
    means = values[good].groupby(scalars.loc[good, "point"]).mean().reindex(range(n_points))
    missing = np.flatnonzero(means.isna().to_numpy())
    if len(missing):
        pts = ", ".join(str(int(p)) for p in missing[:5]) + (" …" if len(missing) > 5 else "")
        first = scalars.loc[scalars["point"].isin(missing) & ~ok, "error"]
        why = ""
        if len(first) and pd.notna(first.iloc[0]) and str(first.iloc[0]).strip():
            why = f"; first error: {str(first.iloc[0]).strip().splitlines()[-1]}"
        raise AnalysisError(f"{outcome}: {len(missing)} of {n_points} design points have no successful run "
                            f"(point {pts}){why}; SALib needs every point of the design — "
                            f"fix the failures and run the sweep again")
    reps = int(scalars.groupby("point").size().max()) if len(scalars) else 0
    return PointMeans(means.to_numpy(dtype=float), reps, int((~good).sum()))


def points_table(scalars: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per design point with its parameter values (the first run of each point)."""
    return scalars.sort_values("run", kind="stable").groupby("point", sort=True)[names].first()


@dataclass
class Sensitivity:
    """The result of :func:`analyse`: the tidy table and, per outcome, the wide table and notes."""

    design: str
    table: pd.DataFrame
    wide: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    n_points: int = 0
    replicates: int = 0
    base_samples: int = 0


def analyse(spec: SweepSpec, scalars: pd.DataFrame, outcomes: list[str] | None = None) -> Sensitivity:
    """Sensitivity indices of each outcome of a sobol or morris sweep's scalars table."""
    check_design(spec)
    names = list(spec.parameters)
    available = outcome_columns(scalars, names)
    if not outcomes and spec.outcomes.scalars:  # a spec that names its outcomes wants them all analysed
        outcomes = [o for o in spec.outcomes.scalars if o in available] or None
    outcomes = check_outcomes(outcomes, available)
    unit = unit_sample(spec)
    check_unit_sample(spec, unit, points_table(scalars, names))
    problem = problem_of(spec)
    result = Sensitivity(spec.design, pd.DataFrame(columns=TIDY_COLUMNS), n_points=len(unit),
                         base_samples=spec.samples)
    parts = []
    for outcome in outcomes:
        pm = point_means(scalars, outcome, len(unit))
        result.replicates = max(result.replicates, pm.replicates)
        notes = []
        if pm.failed_runs:
            notes.append(f"{pm.failed_runs} failed run{'s' if pm.failed_runs > 1 else ''} left out of the means")
        Y = pm.values
        if np.ptp(Y) == 0:
            flag = pd.api.types.is_bool_dtype(scalars[outcome])
            same = ("false" if Y[0] == 0 else "true") if flag else f"{Y[0]:.4g}"
            notes.append(f"{same} in every run: no variance to apportion"
                         + (", every effect is 0" if spec.design == "morris" else ", the indices are undefined"))
        if spec.design == "sobol":
            wide = sobol_indices(problem, Y, spec.seed)
        else:
            wide = morris_indices(problem, unit, Y, spec.levels or 4, spec.seed)
        result.wide[outcome] = wide
        result.notes[outcome] = notes
        parts.append(tidy(outcome, wide))
    result.table = pd.concat(parts, ignore_index=True)
    return result


# ---------------------------------------------------------------- results folders


def read_sweep_folder(path: str | Path) -> tuple[dict, pd.DataFrame]:
    """The manifest and scalars table of a finished sweep folder; one-line errors otherwise."""
    p = Path(path)
    if not p.exists():
        raise AnalysisError(f"{p}: no such results folder")
    if not p.is_dir():
        raise AnalysisError(f"{p}: not a folder (expected a sweep's results folder)")
    mf = p / "manifest.json"
    if not mf.exists():
        raise AnalysisError(f"{p}: not a sweep results folder (no manifest.json)")
    try:
        manifest = json.loads(mf.read_text(encoding="utf-8"))
    except (ValueError, OSError) as e:
        raise AnalysisError(f"{mf}: unreadable ({e})") from None
    if not isinstance(manifest, dict):
        raise AnalysisError(f"{mf}: expected a JSON object (a greatgame manifest), got a {type(manifest).__name__}")
    if manifest.get("kind") != "sweep":
        raise AnalysisError(f"{p}: not a sweep results folder (manifest kind is {manifest.get('kind')!r})")
    sc = p / "scalars.parquet"
    if not sc.exists():
        parts = p / "parts"
        if parts.exists() and any(parts.glob("scalars-*.parquet")):
            raise AnalysisError(f"{p}: the sweep did not finish; complete it with: greatgame sweep SPEC --out {p} "
                                f"--resume")
        raise AnalysisError(f"{p}: holds no scalars.parquet (the sweep has not run)")
    try:
        return manifest, pd.read_parquet(sc)
    except Exception as e:  # noqa: BLE001 - truncated or empty file: one line, not a traceback
        raise AnalysisError(f"{sc}: unreadable ({str(e).splitlines()[0] if str(e) else type(e).__name__}); "
                            f"run the sweep again into this folder with --resume to rebuild it") from None


def write_table(table: pd.DataFrame, out: Path) -> Path:
    from . import output

    output.prepare_dir(Path(out))
    return output.write_table(table[TIDY_COLUMNS], Path(out) / "sensitivity", "parquet")


def format_table(outcome: str, res: Sensitivity) -> list[str]:
    """The printed table of one outcome, sorted by importance (ST, or mu*)."""
    wide = res.wide[outcome]
    width = max([len("parameter")] + [len(p) for p in wide.index]) + 2
    lines = []
    if res.design == "sobol":
        lines.append(f"{'parameter':<{width}}{'S1':>18}{'ST':>18}")
        order = wide.sort_values(["ST", "S1"], ascending=False, na_position="last")
        for p, r in order.iterrows():
            lines.append(f"{p:<{width}}{_pm(r['S1'], r['S1_conf']):>18}{_pm(r['ST'], r['ST_conf']):>18}")
    else:
        lines.append(f"{'parameter':<{width}}{'mu*':>11}{'conf':>10}{'mu':>11}{'sigma':>11}")
        order = wide.sort_values("mu_star", ascending=False, na_position="last")
        for p, r in order.iterrows():
            lines.append(f"{p:<{width}}{r['mu_star']:>11.4g}{r['mu_star_conf']:>10.3g}{r['mu']:>11.4g}"
                         f"{r['sigma']:>11.4g}")
    return lines


def _pm(v: float, c: float) -> str:
    if np.isnan(v):
        return "n/a"
    return f"{v:6.3f} ± {c:.3f}"


__all__ = ["AnalysisError", "Sensitivity", "analyse", "analyser_seed", "check_design", "check_outcomes",
           "morris_indices", "point_means", "read_sweep_folder", "sobol_indices", "tidy", "unit_sample"]
