"""Counterfactual comparison of two scenarios with common random numbers, and the
headline "wedge" answer.

Paired runs: arm A and arm B are two scenarios (or a scenario and the same scenario with
some initiatives switched off); run i of both arms uses the same seed,
``analysis.runs.replicate_seeds(seed, K)[i]``, so ``greatgame run SCENARIO --seed S``
repeats any one run alone, and the difference between the arms is not drowned in
run-to-run noise (the model draws each mechanism from its own stream, so the arms share
their trade, offer and hedging shocks).

Each run is measured at the horizon, and its republics' alignment, influence and channel
scores are kept every quarter (the trajectories table, for plots), with the sweep engine
(:func:`analysis.sweep.run_batch` on :func:`analysis.sweep.execute`'s backends), so the
tables are the same whatever the number of workers.

Sign convention: the effect is the mean over pairs of (B − A), except when B is A
without some initiatives (``without=``, and the wedge report's counterfactual); then
the effect is that of the initiatives, with − without = A − B. ``Comparison.definition``
and the ``definition`` column of the effects table say which.

Confidence intervals of a mean paired difference are bootstrapped: the pairs are resampled
with replacement (2,000 times by default, the same resamples for every measure), and the
interval is the 2.5 and 97.5 percentiles of the resampled means. The resampling generator
is seeded from the master seed, so the same command gives the same interval. A probability
(the share of runs in which the wedge is achieved) gets a Wilson score interval.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from greatgame.sim import LoadedScenario, ScenarioError, load_scenario
from greatgame.sim.errors import suggest
from greatgame.sim.schema import CHANNELS
from greatgame.sim.scenario import parse_assignment, scenario_with

from .runs import replicate_seeds
from .spec import challenger_initiatives  # noqa: F401 (also this module's API)
from .sweep import Batch, batch_size, execute

RESAMPLES = 2000
LEVEL = 0.95
# The bootstrap generator is SeedSequence(master seed, spawn_key=(_BOOTSTRAP_KEY,)): never
# one of the run seeds, which are the children SeedSequence(master seed).spawn(K) (keys 0..K-1).
_BOOTSTRAP_KEY = 0x626F6F74  # "boot"
# Measures compared, in the order of the effects table: (measure, whole-region column, per-republic figure).
MEASURES = (
    ("incumbent_share", "incumbent_share_mean", "incumbent_share"),
    ("challenger_share", "challenger_share_mean", "challenger_share"),
    ("incumbent_forums", "incumbent_forums_mean", "incumbent_forums"),
    ("challenger_forums", "challenger_forums_mean", "challenger_forums"),
    ("opposite_republics", "opposite_republics", None),
    ("wedge_achieved", "wedge_achieved", None),
    ("wedged_republics", "wedged_republics", None),
)
MODEL_OUTCOMES = ["date", "incumbent_share_mean", "challenger_share_mean", "wedge_achieved", "wedged_republics",
                  "wedge_in_landscape"]
REPUBLIC_OUTCOMES = ["incumbent_share", "challenger_share", "incumbent_forums", "challenger_forums",
                     "opposite_incumbents", "wedged"]
EFFECT_COLUMNS = ["measure", "republic", "mean_A", "mean_B", "effect", "ci_low", "ci_high", "pairs_p05", "pairs_p95", "n",
                  "definition"]
# The binary rule (d) is one measure among others: its threshold is arbitrary, so it is
# reported at each of these (per republic), never at 0.5 alone.
WEDGE_THRESHOLDS = (0.40, 0.45, 0.50, 0.55, 0.60)
CHANNEL_COLUMNS = ["republic", "channel", "with", "without", "shift", "ci_low", "ci_high", "n"]
THRESHOLD_COLUMNS = ["arm", "republic", "threshold", "wedge_runs", "runs", "probability", "ci_low", "ci_high"]


class CompareError(Exception):
    """A comparison that cannot be completed (a run failed); to report as one line."""


# ---------------------------------------------------------------- statistics


def wilson_interval(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion k/n (exact 0 at k = 0, 1 at k = n)."""
    if n <= 0:
        raise ValueError("n must be at least 1")
    if not 0 <= k <= n:
        raise ValueError(f"k must be between 0 and n, got {k} of {n}")
    z = NormalDist().inv_cdf(0.5 + level / 2)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def resample_indices(n: int, seed: int, resamples: int = RESAMPLES) -> np.ndarray:
    """(resamples, n) indices of pairs drawn with replacement, from a generator seeded by ``seed``."""
    ss = np.random.SeedSequence(int(seed), spawn_key=(_BOOTSTRAP_KEY,))
    return np.random.default_rng(ss).integers(0, n, size=(resamples, n))


def bootstrap_ci(diffs, seed: int, resamples: int = RESAMPLES, level: float = LEVEL) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of paired differences (pairs resampled
    with replacement). When every difference is the same, the interval is that value."""
    d = np.asarray(diffs, dtype=float)
    low, high = _bootstrap(d[:, None], resample_indices(len(d), seed, resamples), level)
    return float(low[0]), float(high[0])


def _bootstrap(d: np.ndarray, idx: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile intervals of the column means of d (pairs x measures), resampled by idx."""
    if not len(d):
        nan = np.full(d.shape[1], np.nan)
        return nan, nan
    # (resamples, measures), a block of resamples at a time: d[idx] whole would hold
    # resamples x pairs x measures numbers at once.
    means = np.empty((len(idx), d.shape[1]))
    block = max(1, 4_000_000 // max(1, idx.shape[1] * d.shape[1]))
    for i in range(0, len(idx), block):
        means[i:i + block] = d[idx[i:i + block]].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail], axis=0)
    constant = (d == d[0]).all(axis=0)
    low = np.where(constant, d[0], low)
    high = np.where(constant, d[0], high)
    return low, high


# ---------------------------------------------------------------- arms


@dataclass(frozen=True)
class Arm:
    key: str                      # "A" or "B"
    label: str                    # what the arm is, e.g. "abe_2015 without japan_2015_tour"
    loaded: LoadedScenario
    disabled: tuple[str, ...] = ()  # initiatives switched off relative to the scenario as given

    @property
    def scenario(self):
        return self.loaded.scenario


def _load(scenario, years: float | None, overrides: Iterable[str] = ()) -> LoadedScenario:
    overrides = list(overrides or ())
    if isinstance(scenario, LoadedScenario):
        values = dict(parse_assignment(o) for o in overrides)
        if years is not None:
            values["years"] = years
        if not values:
            return scenario
        return dataclasses.replace(scenario, scenario=scenario_with(scenario.scenario, values))
    return load_scenario(str(scenario), overrides=overrides, years=years)


def initiatives_text(sc) -> str:
    if not sc.initiatives:
        return f"scenario '{sc.name}' has no initiatives"
    items = [f"{k} ({v.power or 'no power'}{'' if v.enabled else ', disabled'})" for k, v in sc.initiatives.items()]
    return f"scenario '{sc.name}' has: {', '.join(items)}"


def without(loaded: LoadedScenario, names: Iterable[str], key: str = "B") -> Arm:
    """The arm ``loaded`` with each named initiative switched off (``initiatives.NAME.enabled: false``)."""
    names = list(dict.fromkeys(names))
    sc = loaded.scenario
    for n in names:
        if n not in sc.initiatives:
            raise ScenarioError("--without", f"unknown initiative '{n}'{suggest(n, sc.initiatives)}; "
                                             f"{initiatives_text(sc)}")
    variant = scenario_with(sc, {f"initiatives.{n}.enabled": False for n in names})
    return Arm(key, f"{sc.name} without {', '.join(names)}", dataclasses.replace(loaded, scenario=variant),
               tuple(names))


def _check_pair(a: Arm, b: Arm) -> None:
    """Refuse two arms whose measures cannot be paired."""
    sa, sb = a.scenario, b.scenario
    if list(sa.republics) != list(sb.republics):
        raise ScenarioError("", f"the arms have different republics ({', '.join(sa.republics)} in '{a.label}', "
                                f"{', '.join(sb.republics)} in '{b.label}'); their measures cannot be paired")
    if (sa.wedge.challenger, list(sa.wedge.incumbents)) != (sb.wedge.challenger, list(sb.wedge.incumbents)):
        raise ScenarioError("wedge", f"the arms define the wedge differently ('{a.label}': {sa.wedge.challenger} "
                                     f"against {'+'.join(sa.wedge.incumbents)}; '{b.label}': {sb.wedge.challenger} "
                                     f"against {'+'.join(sb.wedge.incumbents)})")
    if (str(sa.start), sa.steps) != (str(sb.start), sb.steps):
        raise ScenarioError("years", f"the arms cover different periods ('{a.label}': {sa.start} + {sa.years:g} "
                                     f"years; '{b.label}': {sb.start} + {sb.years:g} years); give both the same "
                                     f"horizon with --years")


def make_arms(scenario_a, scenario_b=None, without_names: Iterable[str] = (), years: float | None = None,
              overrides: Iterable[str] = ()) -> tuple[Arm, Arm, int, str]:
    """(A, B, sign, definition) for ``compare A B`` or ``compare A --without NAME ...``;
    ``overrides`` (``--set PATH=VALUE``) apply to both arms."""
    without_names = list(without_names or ())
    if (scenario_b is None) == (not without_names):
        raise ValueError("give exactly one of a second scenario or initiatives to switch off")
    la = _load(scenario_a, years, overrides)
    if without_names:
        a = Arm("A", f"{la.scenario.name} (as given)", la)
        b = without(la, without_names)
        what = ", ".join(b.disabled)
        return a, b, -1, f"A - B: with {what} - without (the effect of {what})"
    lb = _load(scenario_b, years, overrides)
    a, b = Arm("A", la.scenario.name, la), Arm("B", lb.scenario.name, lb)
    _check_pair(a, b)
    return a, b, 1, "B - A"


# ---------------------------------------------------------------- running


def horizon_columns(powers: list[str]) -> list[str]:
    """Per republic, what a comparison keeps of the horizon beyond the wedge measures: the
    alignment toward each power and each power's channel scores (for the threshold sweep
    of rule (d) and the shift channel by channel)."""
    return [f"alignment_{p}" for p in powers] + [f"{c}_score_{p}" for p in powers for c in CHANNELS]


def outcome_names(republics: list[str], powers: list[str] = ()) -> list[str]:
    extra = horizon_columns(list(powers))
    return MODEL_OUTCOMES + [f"{r}:{c}" for r in republics for c in REPUBLIC_OUTCOMES + extra]


def trajectory_columns(powers: list[str]) -> list[str]:
    """What a comparison keeps of every quarter, per republic and power: alignment,
    influence and each channel's score (what ``greatgame plot --kind trajectories`` draws)."""
    cols = [f"alignment_{p}" for p in powers] + [f"influence_{p}" for p in powers]
    return cols + [f"{c}_score_{p}" for p in powers for c in CHANNELS]


def run_arms(arms: list[Arm], seeds: list[int], workers: int = 1, dask_local: int | None = None,
             scheduler: str | None = None, progress: Callable[[int], None] | None = None,
             every: int | None = 1, draws: list[tuple[int, dict]] | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame | None, str]:
    """Run every arm once per seed: the tidy runs table (one row per run and arm, sorted by
    run then arm), the republics' trajectories every ``every`` quarters (None: not kept) and
    a description of the backend. A failed run raises CompareError.

    ``draws``: one (particle, {path: value}) per seed from a calibration's posterior
    (analysis/posterior.py); run i of every arm takes draw i, and the runs table gets a
    ``draw`` column."""
    republics = list(arms[0].scenario.republics)
    powers = list(arms[0].scenario.powers)
    names = outcome_names(republics, powers)
    values = [v for _, v in draws] if draws else [{}] * len(seeds)
    tasks = {a.key: [(k * len(seeds) + i, k, i, int(s), values[i]) for i, s in enumerate(seeds)]
             for k, a in enumerate(arms)}
    # one run a batch when each replicate has its own parameters (a batch reuses one scenario per arm)
    size = 1 if draws else batch_size(len(arms) * len(seeds), dask_local or workers or 1)
    batches = [Batch(a.scenario, names, [], every, tasks[a.key][i:i + size], republic_arrays=bool(every))
               for a in arms for i in range(0, len(seeds), size)]
    rows: list[dict] = []
    traj_rows: list[dict] = []

    def on_done(batch: Batch, result) -> None:
        rows.extend(result[0])
        traj_rows.extend(result[1])
        if progress is not None:
            progress(len(batch.runs))

    backend = execute(batches, on_done, workers=workers, dask_local=dask_local, scheduler=scheduler)
    df = pd.DataFrame(rows).sort_values("run", kind="stable").reset_index(drop=True)
    failed = df[df["status"] != "ok"]
    if len(failed):
        first = failed.iloc[0]
        arm = arms[int(first["point"])]
        raise CompareError(f"{len(failed)} of {len(df)} runs failed; first: run {int(first['replicate'])} of arm "
                           f"{arm.key} ({arm.label}), seed {int(first['seed'])}: {first['error']}")
    traj = _tidy_trajectories(traj_rows, arms, seeds, republics, powers) if every else None
    tidy = _tidy_runs(df, arms, republics, powers)
    if draws:
        tidy.insert(4, "draw", tidy["run"].map(dict(enumerate(p for p, _ in draws))).astype("int64"))
    return tidy, traj, backend


def _tidy_trajectories(rows: list[tuple], arms: list[Arm], seeds: list[int], republics: list[str],
                       powers: list[str]) -> pd.DataFrame:
    """One row per arm, run, step and republic, in the actors-table layout of ``greatgame run``
    (actor, kind, alignment_P, influence_P, CHANNEL_score_P), so the same plots read both.
    ``rows``: (run, steps, dates, array of (steps, columns, republics)) per run."""
    cols = trajectory_columns(powers)
    n, R = len(seeds), len(republics)
    rows = sorted(rows, key=lambda r: r[0])
    values = np.concatenate([a.transpose(0, 2, 1).reshape(-1, len(cols)) for _, _, _, a in rows])
    reps = [(run, len(steps)) for run, steps, _, _ in rows]
    out = pd.DataFrame({
        "arm": np.repeat([arms[run // n].key for run, _ in reps], [k * R for _, k in reps]),
        "replicate": np.repeat([run % n for run, _ in reps], [k * R for _, k in reps]).astype("int64"),
        "seed": np.repeat([int(seeds[run % n]) for run, _ in reps], [k * R for _, k in reps]).astype("int64"),
        "step": np.concatenate([np.repeat(steps, R) for _, steps, _, _ in rows]).astype("int64"),
        "date": pd.array(np.concatenate([np.repeat(dates, R) for _, _, dates, _ in rows]), dtype="string"),
        "actor": np.tile(republics, len(values) // R),
        "kind": "republic",
    })
    return pd.concat([out, pd.DataFrame(values, columns=cols)], axis=1)


def _tidy_runs(df: pd.DataFrame, arms: list[Arm], republics: list[str], powers: list[str] = ()) -> pd.DataFrame:
    out = pd.DataFrame({
        "run": df["replicate"].astype("int64"),
        "arm": [arms[int(p)].key for p in df["point"]],
        "scenario": [arms[int(p)].label for p in df["point"]],
        "seed": df["seed"].astype("int64"),
        "date": df["date"].astype("string"),
        "incumbent_share_mean": df["incumbent_share_mean"].astype("float64"),
        "challenger_share_mean": df["challenger_share_mean"].astype("float64"),
        "opposite_republics": df[[f"{r}:opposite_incumbents" for r in republics]].astype(bool).sum(axis=1)
        .astype("int64"),
        "wedge_achieved": df["wedge_achieved"].astype(bool),
        "wedged_republics": df["wedged_republics"].astype("int64"),
        "wedge_in_landscape": df["wedge_in_landscape"].astype(bool),
        # memberships of the incumbents' and the challenger's forums, mean over the republics
        "incumbent_forums_mean": df[[f"{r}:incumbent_forums" for r in republics]].astype("float64").mean(axis=1),
        "challenger_forums_mean": df[[f"{r}:challenger_forums" for r in republics]].astype("float64").mean(axis=1),
    })
    for r in republics:
        for c in REPUBLIC_OUTCOMES:
            col = df[f"{r}:{c}"]
            out[f"{r}:{c}"] = col.astype(bool) if c in ("opposite_incumbents", "wedged") else col.astype("float64")
    extra = {f"{r}:{c}": df[f"{r}:{c}"].astype("float64") for r in republics for c in horizon_columns(list(powers))
             if f"{r}:{c}" in df}
    if extra:
        out = pd.concat([out, pd.DataFrame(extra)], axis=1)
    return out.sort_values(["run", "arm"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- effects


def effects_table(runs: pd.DataFrame, republics: list[str], seed: int, sign: int = 1, definition: str = "B - A",
                  resamples: int = RESAMPLES, level: float = LEVEL) -> pd.DataFrame:
    """One row per (measure, republic or "all"): the arms' means, the mean paired
    difference (``sign`` = 1: B − A; −1: A − B) and its bootstrap interval."""
    a = runs[runs["arm"] == "A"].set_index("run").sort_index()
    b = runs[runs["arm"] == "B"].set_index("run").sort_index()
    if not a.index.equals(b.index) or not (a["seed"] == b["seed"]).all():
        raise ValueError("arms A and B must hold the same runs with the same seeds")
    keys, cols = [], []
    for measure, whole, per_republic in MEASURES:
        keys.append((measure, "all"))
        cols.append(whole)
        if per_republic:
            for r in republics:
                keys.append((measure, r))
                cols.append(f"{r}:{per_republic}")
    va = a[cols].to_numpy(dtype=float)
    vb = b[cols].to_numpy(dtype=float)
    d = (vb - va) if sign > 0 else (va - vb)
    n = len(d)
    low, high = _bootstrap(d, resample_indices(n, seed, resamples), level) if n else (
        np.full(len(cols), np.nan), np.full(len(cols), np.nan))
    constant = (d == d[0]).all(axis=0) if n else np.zeros(len(cols), dtype=bool)
    effect = np.where(constant, d[0] if n else np.nan, d.mean(axis=0) if n else np.nan)
    return pd.DataFrame({
        "measure": [k[0] for k in keys],
        "republic": [k[1] for k in keys],
        "mean_A": va.mean(axis=0),
        "mean_B": vb.mean(axis=0),
        "effect": effect,
        "ci_low": low,
        "ci_high": high,
        # the spread of the paired differences themselves (5th and 95th percentiles): with a
        # posterior, what the parameters left uncertain as well as seed noise; the CI above is the mean's
        "pairs_p05": np.percentile(d, 5, axis=0) if n else np.full(len(cols), np.nan),
        "pairs_p95": np.percentile(d, 95, axis=0) if n else np.full(len(cols), np.nan),
        "n": np.full(len(cols), n, dtype="int64"),
        "definition": definition,
    }, columns=EFFECT_COLUMNS)


def wedged_at(runs: pd.DataFrame, republic: str, incumbents: list[str], challenger: str,
              threshold: float) -> np.ndarray:
    """Rule (d) for one republic at another threshold, from the horizon alignments kept in
    the runs table: the incumbents together hold less than ``threshold`` and the challenger
    at least as much as each of them."""
    inc = runs[[f"{republic}:alignment_{p}" for p in incumbents]].to_numpy(dtype=float)
    ch = runs[f"{republic}:alignment_{challenger}"].to_numpy(dtype=float)
    return (inc.sum(axis=1) < threshold) & (ch >= inc.max(axis=1))


def threshold_table(runs: pd.DataFrame, republics: list[str], incumbents: list[str], challenger: str,
                    thresholds=WEDGE_THRESHOLDS, level: float = LEVEL) -> pd.DataFrame:
    """Per arm, republic and threshold: in how many runs rule (d) holds, with a Wilson interval."""
    rows = []
    for arm, part in runs.groupby("arm", sort=True):
        for r in republics:
            for t in thresholds:
                p = proportion(wedged_at(part, r, incumbents, challenger, t), level)
                rows.append((arm, r, float(t), p.k, p.n, p.p, p.low, p.high))
    return pd.DataFrame(rows, columns=THRESHOLD_COLUMNS)


def channel_shifts(runs: pd.DataFrame, republics: list[str], powers: list[str], incumbents: list[str],
                   seed: int, sign: int = -1, resamples: int = RESAMPLES, level: float = LEVEL) -> pd.DataFrame:
    """Per republic and channel: the incumbents' share of the channel (their scores over all
    powers' scores) in each arm, and the mean paired shift (``sign`` as in effects_table)
    with its bootstrap interval. Says through which channels a shift in alignment comes."""
    a = runs[runs["arm"] == "A"].set_index("run").sort_index()
    b = runs[runs["arm"] == "B"].set_index("run").sort_index()
    keys, va, vb = [], [], []
    for r in republics:
        for c in CHANNELS:
            cols = [f"{r}:{c}_score_{p}" for p in powers]
            inc = [f"{r}:{c}_score_{p}" for p in incumbents]
            for frame, out in ((a, va), (b, vb)):
                total = frame[cols].to_numpy(dtype=float).sum(axis=1)
                mine = frame[inc].to_numpy(dtype=float).sum(axis=1)
                out.append(np.divide(mine, total, out=np.full_like(total, np.nan), where=total > 0))
            keys.append((r, c))
    va, vb = np.column_stack(va), np.column_stack(vb)
    d = (vb - va) if sign > 0 else (va - vb)
    usable = ~np.isnan(d).any(axis=0)
    low = np.full(d.shape[1], np.nan)
    high = np.full(d.shape[1], np.nan)
    if len(d) and usable.any():
        lo, hi = _bootstrap(d[:, usable], resample_indices(len(d), seed, resamples), level)
        low[usable], high[usable] = lo, hi
    return pd.DataFrame({
        "republic": [k[0] for k in keys], "channel": [k[1] for k in keys],
        "with": (va if sign < 0 else vb).mean(axis=0), "without": (vb if sign < 0 else va).mean(axis=0),
        "shift": d.mean(axis=0) if len(d) else np.nan, "ci_low": low, "ci_high": high,
        "n": np.full(len(keys), len(d), dtype="int64"),
    }, columns=CHANNEL_COLUMNS)


# ---------------------------------------------------------------- comparison


@dataclass
class Comparison:
    a: Arm
    b: Arm
    master_seed: int
    seeds: list[int]
    sign: int            # 1: effect = B − A; −1: effect = A − B (with − without)
    definition: str
    resamples: int
    level: float
    backend: str
    runs: pd.DataFrame
    effects: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    trajectories: pd.DataFrame | None = None  # every quarter, per arm, run and republic (see run_arms)

    @property
    def republics(self) -> list[str]:
        return list(self.a.scenario.republics)

    def effect(self, measure: str, republic: str = "all") -> pd.Series:
        e = self.effects
        return e[(e["measure"] == measure) & (e["republic"] == republic)].iloc[0]


def compare(scenario_a, scenario_b=None, without: Iterable[str] = (), replicates: int = 20, seed: int = 1,
            years: float | None = None, workers: int = 1, resamples: int = RESAMPLES, level: float = LEVEL,
            dask_local: int | None = None, scheduler: str | None = None,
            progress: Callable[[int], None] | None = None, every: int | None = 1,
            draws: list[tuple[int, dict]] | None = None) -> Comparison:
    """Paired runs of two arms with common random numbers and the effects table.

    ``compare(A, B)``: the effect is B − A. ``compare(A, without=[NAME, ...])``: arm B is A
    with those initiatives switched off and the effect is theirs, with − without = A − B.
    Scenarios are names, paths or LoadedScenario objects."""
    a, b, sign, definition = prepare(scenario_a, scenario_b, without, years, replicates, resamples, level)
    return run_comparison(a, b, sign, definition, replicates, seed, workers=workers, resamples=resamples,
                          level=level, dask_local=dask_local, scheduler=scheduler, progress=progress, every=every,
                          draws=draws)


def prepare(scenario_a, scenario_b=None, without: Iterable[str] = (), years: float | None = None,
            replicates: int = 20, resamples: int = RESAMPLES, level: float = LEVEL,
            overrides: Iterable[str] = ()) -> tuple[Arm, Arm, int, str]:
    """Check the arguments and build the arms (nothing runs): (A, B, sign, definition)."""
    _check_numbers(replicates, resamples, level, years)
    return make_arms(scenario_a, scenario_b, without, years, overrides)


def _check_numbers(replicates: int, resamples: int, level: float, years: float | None) -> None:
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples}")
    from . import limits

    limits.check_count(replicates, limits.MAX_PAIRS, "replicates")
    limits.check_resamples(resamples, replicates, "resamples")
    limits.check_years(years, "years")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    if years is not None and not years >= 0.25:
        raise ValueError(f"years must be at least 0.25 (one quarter), got {years}")


def run_comparison(a: Arm, b: Arm, sign: int, definition: str, replicates: int, seed: int, workers: int = 1,
                   resamples: int = RESAMPLES, level: float = LEVEL, dask_local: int | None = None,
                   scheduler: str | None = None, progress: Callable[[int], None] | None = None,
                   every: int | None = 1, draws: list[tuple[int, dict]] | None = None) -> Comparison:
    seeds = replicate_seeds(seed, replicates)
    runs, trajectories, backend = run_arms([a, b], seeds, workers=workers, dask_local=dask_local,
                                           scheduler=scheduler, progress=progress, every=every, draws=draws)
    republics = list(a.scenario.republics)
    effects = effects_table(runs, republics, seed, sign, definition, resamples, level)
    notes = []
    if b.disabled:
        off = [n for n in b.disabled if not a.scenario.initiatives[n].enabled]
        if off:
            notes.append(f"{', '.join(off)} {'is' if len(off) == 1 else 'are'} already disabled in "
                         f"'{a.scenario.name}': switching {'it' if len(off) == 1 else 'them'} off changes nothing")
    if len(seeds) == 1:
        notes.append("a single pair: its 'interval' is that pair's difference, not a confidence interval")
    elif len(seeds) < 10:
        notes.append(f"only {len(seeds)} pairs: the bootstrap interval is rough and tends to be too narrow")
    if a.loaded.content_hash == b.loaded.content_hash:
        notes.append("the two arms are the same scenario: every paired difference is zero")
    return Comparison(a, b, int(seed), seeds, sign, definition, resamples, level, backend, runs, effects, notes,
                      trajectories)


# ---------------------------------------------------------------- the wedge answer


@dataclass
class Proportion:
    k: int
    n: int
    low: float
    high: float

    @property
    def p(self) -> float:
        return self.k / self.n


def proportion(flags, level: float = LEVEL) -> Proportion:
    flags = np.asarray(flags, dtype=bool)
    k, n = int(flags.sum()), len(flags)
    return Proportion(k, n, *wilson_interval(k, n, level))


@dataclass
class WedgeReport:
    loaded: LoadedScenario
    challenger: str
    incumbents: list[str]
    initiatives: list[str]           # the challenger's enabled initiatives, switched off in the counterfactual
    master_seed: int
    seeds: list[int]
    level: float
    resamples: int
    backend: str
    with_initiatives: Proportion     # the wedge in the scenario as given
    without_initiatives: Proportion | None  # None: no initiative of the challenger to switch off
    runs: pd.DataFrame               # arm A: as given; arm B: without the challenger's initiatives
    effects: pd.DataFrame            # with − without (empty without a counterfactual)
    wedged_runs: dict[str, int]      # republic → runs (as given) in which it is wedged
    note: str = ""
    comparison: Comparison | None = None
    trajectories: pd.DataFrame | None = None  # every quarter, per arm, run and republic (see run_arms)
    thresholds: pd.DataFrame | None = None    # rule (d) per arm, republic and threshold (threshold_table)
    channels: pd.DataFrame | None = None      # incumbents' share of each channel, with − without (channel_shifts)

    @property
    def scenario(self):
        return self.loaded.scenario

    def probability_table(self) -> pd.DataFrame:
        rows = [("A", f"{self.scenario.name} (as given)", self.with_initiatives)]
        if self.without_initiatives is not None:
            rows.append(("B", f"{self.scenario.name} without {', '.join(self.initiatives)}",
                         self.without_initiatives))
        return pd.DataFrame({
            "arm": [r[0] for r in rows],
            "scenario": [r[1] for r in rows],
            "runs": [r[2].n for r in rows],
            "wedge_runs": [r[2].k for r in rows],
            "probability": [r[2].p for r in rows],
            "ci_low": [r[2].low for r in rows],
            "ci_high": [r[2].high for r in rows],
            "interval": f"Wilson score {self.level:.0%}",
        })


def wedge_report(scenario, replicates: int = 50, seed: int = 1, years: float | None = None, workers: int = 1,
                 resamples: int = RESAMPLES, level: float = LEVEL, dask_local: int | None = None,
                 scheduler: str | None = None, progress: Callable[[int], None] | None = None,
                 every: int | None = 1, draws: list[tuple[int, dict]] | None = None) -> WedgeReport:
    """How often the challenger (``scenario.wedge.challenger``) achieves the wedge, with a
    Wilson interval; the same without its initiatives; and the shift in the incumbents'
    share due to those initiatives (with − without, paired, bootstrap intervals)."""
    _check_numbers(replicates, resamples, level, years)
    loaded = _load(scenario, years)
    sc = loaded.scenario
    names = challenger_initiatives(sc)
    seeds = replicate_seeds(seed, replicates)
    republics = list(sc.republics)
    if names:
        a = Arm("A", f"{sc.name} (as given)", loaded)
        b = without(loaded, names)
        what = ", ".join(names)
        comp = run_comparison(a, b, -1, f"A - B: with {what} - without (the effect of {sc.wedge.challenger}'s "
                                        f"initiatives)", replicates, seed, workers=workers, resamples=resamples,
                              level=level, dask_local=dask_local, scheduler=scheduler, progress=progress,
                              every=every, draws=draws)
        runs, effects, backend, note = comp.runs, comp.effects, comp.backend, ""
        trajectories = comp.trajectories
    else:
        comp = None
        a = Arm("A", f"{sc.name} (as given)", loaded)
        runs, trajectories, backend = run_arms([a], seeds, workers=workers, dask_local=dask_local,
                                               scheduler=scheduler, progress=progress, every=every, draws=draws)
        effects = pd.DataFrame(columns=EFFECT_COLUMNS)
        disabled = [k for k, v in sc.initiatives.items() if v.power == sc.wedge.challenger]
        note = (f"scenario '{sc.name}' has no enabled initiative of {sc.wedge.challenger} (wedge.challenger)"
                + (f" ({', '.join(disabled)} disabled)" if disabled else "") + "; no counterfactual was run")
    with_arm = runs[runs["arm"] == "A"]
    without_arm = runs[runs["arm"] == "B"]
    incumbents, challenger = list(sc.wedge.incumbents), sc.wedge.challenger
    thresholds = threshold_table(runs, republics, incumbents, challenger, level=level)
    channels = channel_shifts(runs, republics, list(sc.powers), incumbents, seed, -1, resamples, level) \
        if names else None
    return WedgeReport(
        loaded=loaded, challenger=sc.wedge.challenger, incumbents=list(sc.wedge.incumbents), initiatives=names,
        master_seed=int(seed), seeds=seeds, level=level, resamples=resamples, backend=backend,
        with_initiatives=proportion(with_arm["wedge_achieved"], level),
        without_initiatives=proportion(without_arm["wedge_achieved"], level) if names else None,
        runs=runs, effects=effects,
        wedged_runs={r: int(with_arm[f"{r}:wedged"].sum()) for r in republics},
        note=note, comparison=comp, trajectories=trajectories, thresholds=thresholds, channels=channels,
    )


def default_out(kind: str, *labels: str) -> Path:
    """out/compare-A-vs-B or out/wedge-NAME, with labels made safe as folder names."""
    safe = ["".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in s).strip("-") for s in labels]
    return Path("out") / f"{kind}-{'-vs-'.join(safe)}"
