"""Calibration of the model against observed data with ABC-SMC (pyabc), pattern by pattern.

Patterns (pattern-oriented modelling: one parameter set must reproduce them all at once),
each built only from the observations the model can produce, up to the cut-off year:

* ``trade_level``   log goods trade per observation (power × republic or the region), scale 0.15
* ``trade_share``   a power's share of a republic's (or the region's) total trade, as a
                    fraction, scale 0.05 (partner shares)
* ``trade_total_level`` log total trade of a republic or the region with all partners, scale 0.15
* ``trade_volatility`` standard deviation of year-on-year log changes per trade series with
                    two or more consecutive-year pairs, on the log scale, scale 0.5
* ``gdp_level``     log GDP per republic, scale 0.10
* ``remittances_level`` log remittances (share of GDP, or US$ bn), scale 0.25
* ``fdi_level``     log FDI stock of a power, scale 0.3
* ``poll_order``    per poll (year, question, republic or region) with two or more powers,
                    the share of pairs of powers the model's alignment orders as the poll does
                    (observed 1), scale 0.25

The distance is sqrt(sum over patterns of the mean squared scaled difference): every
pattern counts once whatever its number of observations. The scales stand for observation
error and model discrepancy together (docs/calibration.md). Forum events are not yet a
pattern (the observed format has no forum column); rows the model cannot produce are
listed by :func:`greatgame.analysis.observed.match`.

Priors: :data:`DEFAULT_PRIORS`, uniform; :func:`priors_for` prefers the scenario's own
assumption range for a path when the scenario gives one (``sim.scenario.input_ranges``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from greatgame.sim import GreatGameModel
from greatgame.sim.observables import Yearly, run_yearly
from greatgame.sim.scenario import scenario_with

from .observed import POLL_PREFIX, REGION, Matched, Observation, describe, match, model_basis, read_observed


class CalibrationError(Exception):
    """A calibration that cannot run or continue, said in one line."""


# ---------------------------------------------------------------- priors


@dataclass(frozen=True)
class Prior:
    path: str  # a --set path into the scenario
    low: float
    high: float
    why: str

    @property
    def key(self) -> str:
        """The parameter's name inside pyabc (no dots)."""
        return self.path.replace(".", "__")


DEFAULT_PRIORS: tuple[Prior, ...] = (
    Prior("parameters.trade_noise", 0.01, 0.12,
          "quarterly s.d. of log trade shocks; published year-on-year swings ran from -24% to +40% (issue 10)"),
    Prior("parameters.customs_union_premium", 0.0, 0.08, "extra yearly trade growth inside the EAEU: no estimate"),
    Prior("parameters.investment_to_trade", 0.0, 1.0, "trade created per US$ of new FDI: no estimate"),
    Prior("trade.china.total", 30.0, 50.0,
          "base-year China trade: 38 (cctv_2015, 2014) against 50.4 (GACC, 2013) and 45.9 (MOFCOM, 2012)"),
    Prior("trade.russia.total", 16.0, 28.0, "base-year Russia trade: 24 is the 2017 figure standing in for 2015"),
    Prior("trade.japan.total", 1.0, 3.0, "base-year Japan trade: 2 (cctv_2015), basis not stated"),
    Prior("powers.china.gdp_growth", 0.02, 0.08, "drives China's trade growth; the scenario assumes 5%"),
    Prior("powers.russia.gdp_growth", -0.02, 0.04, "drives Russia's trade growth; the scenario assumes 1%"),
    Prior("powers.japan.gdp_growth", -0.01, 0.03, "drives Japan's trade growth; the scenario assumes 0.7%"),
    Prior("parameters.choice_sensitivity", 1.0, 8.0, "logit sensitivity of hedging; default 4 from a fit to one poll"),
    Prior("parameters.adjustment_rate", 0.01, 0.20, "share of the alignment gap closed per quarter; default 0.05"),
    Prior("parameters.alignment_noise", 0.0, 0.30, "quarterly utility shocks; default 0.05"),
    Prior("parameters.autonomy_cost", 0.0, 2.0, "κ, the cost of a dominant power: no estimate (review 3.1)"),
    Prior("parameters.dominance_threshold", 0.3, 0.6, "d0, the share above which dominance is resented: no estimate"),
    Prior("parameters.threat_weight", 0.0, 0.1, "τ, the cost of a bordering military power: no estimate"),
)


def value_at(plain: dict, path: str):
    from greatgame.sim.scenario import _split_path

    node = plain
    for k in _split_path(path):
        node = node[k]
    return node


def priors_for(loaded, priors: tuple[Prior, ...] = DEFAULT_PRIORS, scenario_ranges: bool = True) -> list[Prior]:
    """The priors of a calibration of ``loaded``: each prior, with the scenario's own range for
    that path when it has one and ``scenario_ranges`` (``sim.scenario.input_ranges``, where
    available; a number the scenario fixes is not calibrated). A path the scenario does not
    have is refused in one line."""
    from greatgame.sim.scenario import input_ranges

    ranges = {}
    if scenario_ranges:
        try:
            ranges = dict(input_ranges(loaded, include_defaults=True))
        except Exception:  # a scenario without ranges: the defaults stand
            ranges = {}
    plain = loaded.scenario.model_dump()
    out = []
    for p in priors:
        try:
            value_at(plain, p.path)
        except (KeyError, IndexError, TypeError):
            raise CalibrationError(f"prior {p.path}: no such value in scenario '{loaded.scenario.name}'") from None
        lo, hi = _range_of(ranges.get(p.path))
        if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
            if hi == lo:  # the scenario fixes this number (a definition): not calibrated
                continue
            if hi > lo:
                p = Prior(p.path, lo, hi, f"the scenario's range for {p.path}")
        out.append(p)
    return out


def _range_of(r) -> tuple[float | None, float | None]:
    """(low, high) of an ``input_ranges`` entry (an object with low/high, or a tuple
    (value, kind, low, high)); (None, None) when there is none."""
    if r is None:
        return None, None
    lo, hi = (getattr(r, "low", None), getattr(r, "high", None)) if hasattr(r, "low") else (r[2], r[3])
    return (None if lo is None else float(lo)), (None if hi is None else float(hi))


# ---------------------------------------------------------------- patterns

SCALES = {"trade_level": 0.15, "trade_share": 0.05, "trade_total_level": 0.15, "trade_volatility": 0.5,
          "gdp_level": 0.10, "remittances_level": 0.25, "fdi_level": 0.3, "poll_order": 0.25}
# measure -> (pattern, how it is compared: "log" ratio, or "share" difference of fractions)
LEVEL_PATTERN = {"trade": ("trade_level", "log"), "trade_total": ("trade_total_level", "log"),
                 "trade_share": ("trade_share", "share"), "gdp": ("gdp_level", "log"),
                 "remittances_gdp": ("remittances_level", "log"), "remittances": ("remittances_level", "log"),
                 "fdi_stock": ("fdi_level", "log")}


def model_value(o: Observation, y: Yearly) -> float:
    """The model's figure for a level observation in its year, in the observation's unit
    (US$ bn, or percent for shares); NaN when the run did not reach that year."""
    pi = {p: i for i, p in enumerate(y.power_ids)}
    ri = {r: j for j, r in enumerate(y.republic_ids)}
    cols = list(range(len(ri))) if o.republic == REGION else [ri[o.republic]]
    t = y.get("trade", o.year)
    if t is None:
        return float("nan")
    m = o.measure
    p = pi.get(o.power)
    if m == "trade":
        return float(t[p, cols].sum())
    if m in ("trade_total", "trade_share"):
        total = float(t[:, cols].sum() + y.get("trade_other", o.year)[cols].sum())
        return total if m == "trade_total" else 100.0 * float(t[p, cols].sum()) / total
    gdp = y.get("gdp", o.year)
    if m == "gdp":
        return float(gdp[cols].sum())
    if m == "fdi_stock":
        return float(y.get("investment", o.year)[p, cols].sum())
    if m in ("remittances_gdp", "remittances"):
        rem = y.get("remittances", o.year)
        shares = rem[p, cols] if o.power else rem[:, cols].sum(axis=0) + y.get("remittances_other", o.year)[cols]
        if m == "remittances_gdp":
            return 100.0 * float(shares[0])
        return float((shares * gdp[cols]).sum())
    raise ValueError(f"no level figure for measure {m}")


def _alignment_of(o_year: int, republic: str, y: Yearly) -> np.ndarray | None:
    a = y.get("alignment", o_year)
    if a is None:
        return None
    if republic and republic != REGION:
        return a[y.republic_ids.index(republic)]
    return a.mean(axis=0)  # the region: mean over the republics


def _transform(kind: str, values) -> np.ndarray:
    v = np.asarray(values, float)
    return np.log(np.maximum(v, 1e-9)) if kind == "log" else v / 100.0


class Patterns:
    """The patterns observations support, with their observed and simulated statistics."""

    def __init__(self, observations: list[Observation]):
        self.levels: dict[str, list[Observation]] = {pat: [] for pat, _ in LEVEL_PATTERN.values()}
        self.kind = {pat: kind for pat, kind in LEVEL_PATTERN.values()}
        polls: dict[tuple, dict[str, float]] = {}
        series: dict[tuple, dict[int, list[float]]] = {}
        for o in observations:
            if o.measure in LEVEL_PATTERN:
                self.levels[LEVEL_PATTERN[o.measure][0]].append(o)
            if o.measure == "trade":
                series.setdefault((o.power, o.republic, o.basis), {}).setdefault(o.year, []).append(o.value)
            elif o.measure.startswith(POLL_PREFIX) and o.power:
                polls.setdefault((o.year, o.measure, o.republic), {})[o.power] = o.value
        # volatility: (power, republic, [(y, y+1) pairs], observed s.d. of log changes)
        self.volatility = []
        for (power, rep, _basis), by_year in sorted(series.items()):
            pairs = [(yr, yr + 1) for yr in sorted(by_year) if yr + 1 in by_year]
            if len(pairs) >= 2:
                ch = [math.log(np.mean(by_year[b]) / np.mean(by_year[a])) for a, b in pairs]
                self.volatility.append((power, rep, pairs, float(np.std(ch, ddof=1))))
        # poll orderings: (year, republic, [powers], values)
        self.polls = [(year, rep, sorted(v), np.array([v[p] for p in sorted(v)]))
                      for (year, _m, rep), v in sorted(polls.items()) if len(v) >= 2]

    def counts(self) -> dict[str, int]:
        c = {k: len(v) for k, v in self.levels.items()}
        c.update(trade_volatility=len(self.volatility), poll_order=len(self.polls))
        return c

    def observed(self) -> dict[str, np.ndarray]:
        out = {k: _transform(self.kind[k], [o.value for o in v]) for k, v in self.levels.items()}
        out["trade_volatility"] = np.log(np.maximum([v[3] for v in self.volatility], 1e-6))
        out["poll_order"] = np.ones(len(self.polls))
        return {k: np.asarray(v, float) for k, v in out.items()}

    def simulated(self, y: Yearly) -> dict[str, np.ndarray]:
        out = {k: _transform(self.kind[k], [model_value(o, y) for o in v]) for k, v in self.levels.items()}
        pi = {p: i for i, p in enumerate(y.power_ids)}
        ri = {r: j for j, r in enumerate(y.republic_ids)}

        def trade(power, rep, year):
            t = y.get("trade", year)
            if t is None:
                return float("nan")
            return float(t[pi[power]].sum() if rep == REGION else t[pi[power], ri[rep]])

        vols = []
        for power, rep, pairs, _obs in self.volatility:
            ch = [math.log(trade(power, rep, b) / trade(power, rep, a)) for a, b in pairs]
            vols.append(max(float(np.std(ch, ddof=1)), 1e-6))
        out["trade_volatility"] = np.log(vols) if vols else np.zeros(0)
        order = []
        for year, rep, powers, values in self.polls:
            a = _alignment_of(year, rep, y)
            if a is None:
                order.append(float("nan"))
                continue
            sim = np.array([a[pi[p]] for p in powers])
            pairs = [(i, j) for i in range(len(powers)) for j in range(i + 1, len(powers)) if values[i] != values[j]]
            agree = [np.sign(sim[i] - sim[j]) == np.sign(values[i] - values[j]) for i, j in pairs]
            order.append(float(np.mean(agree)) if agree else 1.0)
        out["poll_order"] = np.array(order, float)
        return {k: np.asarray(v, float) for k, v in out.items()}


class PatternDistance:
    """sqrt(sum over patterns of mean((simulated - observed) / scale)^2); a NaN (a year the
    run did not reach) counts as far."""

    def __init__(self, scales: dict[str, float] = SCALES):
        self.scales = dict(scales)

    def parts(self, x: dict, x0: dict) -> dict[str, float]:
        out = {}
        for k, s in self.scales.items():
            a, b = np.asarray(x.get(k, ())), np.asarray(x0.get(k, ()))
            if b.size:
                z = (a - b) / s
                out[k] = float(np.mean(np.where(np.isfinite(z), z, 1e3) ** 2))
        return out

    def __call__(self, x: dict, x0: dict, *_args, **_kw) -> float:
        return math.sqrt(sum(self.parts(x, x0).values()))


# ---------------------------------------------------------------- the simulator


class Simulator:
    """Runs the scenario with a parameter set to the last observed year; picklable."""

    def __init__(self, scenario, priors: list[Prior], patterns: Patterns, last_year: int):
        self.scenario = scenario
        self.plain = scenario.model_dump()
        self.priors = list(priors)
        self.patterns = patterns
        self.last_year = last_year

    def spec(self, values: dict[str, float]):
        return scenario_with(self.scenario, values, plain=self.plain)

    def yearly(self, values: dict[str, float], seed: int) -> Yearly:
        model = GreatGameModel(self.spec(values), rng=int(seed), collect_every=0)
        return run_yearly(model, self.last_year)

    def __call__(self, par) -> dict[str, np.ndarray]:
        values = {p.path: float(par[p.key]) for p in self.priors}
        seed = int(np.random.randint(0, 2**31 - 1))  # pyabc seeds numpy's global state per worker
        return self.patterns.simulated(self.yearly(values, seed))


# ---------------------------------------------------------------- running ABC-SMC

DEFAULT_BUDGET = 4000  # simulations; about 2-3 minutes on one core (docs/calibration.md)
DEFAULT_POPULATION = 200
MAX_GENERATIONS = 30
MIN_ACCEPTANCE = 0.02  # stop when epsilon has reached the model's misfit floor and acceptance collapses


class _ProgressWatcher(logging.Handler):
    """Reads pyabc's per-generation log lines ("t: 3, eps: ...", "Accepted: 100 / 493 ...")
    and reports (simulations so far, budget, generation, epsilon) after each generation."""

    def __init__(self, progress, budget: int, done: int):
        super().__init__(logging.INFO)
        self.progress, self.budget, self.done = progress, budget, done
        self.t, self.eps = -1, float("nan")

    def emit(self, record: logging.LogRecord) -> None:
        import re

        msg = record.getMessage()
        m = re.match(r"t: (\d+), eps: ([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|inf)", msg)
        if m:
            self.t, self.eps = int(m.group(1)), float(m.group(2))
            return
        m = re.match(r"Accepted: (\d+) / (\d+)", msg)
        if m:
            self.done += int(m.group(2))
            if self.progress:
                self.progress(self.done, self.budget, self.t, self.eps)


@dataclass
class Setup:
    scenario: str
    scenario_hash: str
    observed_file: str
    observed_digest: str
    until: int
    population: int
    seed: int
    priors: list[dict]
    patterns: dict[str, int]
    scales: dict[str, float] | None = None
    basis: dict[str, str | None] | None = None

    def fingerprint(self) -> str:
        d = asdict(self)
        d.pop("observed_file")
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()


def transition():
    """The proposal kernel: pyabc's multivariate normal, twice its default (Silverman) width.
    In a dozen dimensions with a few hundred particles the default kernel (and pyabc's
    LocalTransition) left a few particles with most of the weight (effective sample size
    5 of 100, 1.2 of 100); the wider kernel kept it at 63-70 of 200 (docs/calibration.md)."""
    return _Kernel(scaling=2.0)


def _pyabc():
    import pyabc

    return pyabc


class _Kernel(_pyabc().transition.MultivariateNormalTransition):
    """pyabc's multivariate normal kernel with the same distribution, drawn faster: a wider
    kernel proposes outside the prior often (about ten proposals a valid one in 12
    dimensions), and pyabc's own draw (a pandas row and an SVD per call) cost more than a
    simulation. Draws use numpy's global generator, as pyabc's do."""

    def fit(self, X, w) -> None:
        super().fit(X, w)
        vals, vecs = np.linalg.eigh(self.cov)
        self._root = vecs * np.sqrt(np.clip(vals, 0.0, None))  # root @ root.T == cov, singular or not
        self._cum = np.cumsum(self.w)
        self._cols = list(X.columns)

    def rvs_single(self):
        i = min(int(np.searchsorted(self._cum, np.random.random() * self._cum[-1], side="right")), len(self._cum) - 1)
        x = self._X_arr[i] + self._root @ np.random.standard_normal(len(self._cols))
        return _pyabc().Parameter(dict(zip(self._cols, x.tolist())))


class _Uniform(_pyabc().RVBase):
    """A uniform prior on [low, high] with a plain-Python density (scipy's costs more than it
    should when called tens of thousands of times). Draws use numpy's global generator."""

    def __init__(self, low: float, high: float):
        self.low, self.high = float(low), float(high)
        self.density = 1.0 / (self.high - self.low)

    def copy(self):
        return _Uniform(self.low, self.high)

    def rvs(self, *args, **kwargs) -> float:
        return self.low + (self.high - self.low) * np.random.random()

    def pdf(self, x, *args, **kwargs) -> float:
        return self.density if self.low <= x <= self.high else 0.0

    def pmf(self, x, *args, **kwargs) -> float:
        return 0.0

    def cdf(self, x, *args, **kwargs) -> float:
        return min(1.0, max(0.0, (x - self.low) * self.density))


def prepare(loaded, observed_file: str | Path, until: int, population: int = DEFAULT_POPULATION,
            seed: int = 1, priors: tuple[Prior, ...] = DEFAULT_PRIORS, basis: dict | None = None):
    """Read and match the observations, build the patterns, the priors and the simulator."""
    obs = read_observed(observed_file)
    matched = match(obs, loaded.scenario, until=until, basis=basis)
    patterns = Patterns(matched.usable)
    counts = patterns.counts()
    if not any(counts.values()):
        raise CalibrationError(f"{observed_file}: no observation up to {until} that the model can produce "
                               f"(see the list above); nothing to calibrate against")
    # the default priors take the scenario's ranges; priors given explicitly are used as given
    pri = priors_for(loaded, priors, scenario_ranges=priors is DEFAULT_PRIORS)
    last = max(o.year for o in matched.usable)
    sim = Simulator(loaded.scenario, pri, patterns, last)
    setup = Setup(loaded.scenario.name, loaded.content_hash if hasattr(loaded, "content_hash") else "",
                  str(observed_file), matched.digest(), int(until), int(population), int(seed),
                  [asdict(p) for p in pri], counts, basis=model_basis(basis))
    return matched, patterns, pri, sim, setup


def _sampler(workers: int, dask_local: int | None, scheduler: str | None):
    import pyabc

    if scheduler or dask_local:
        from dask.distributed import Client, LocalCluster

        if scheduler:
            client = Client(scheduler)
        else:
            client = Client(LocalCluster(n_workers=dask_local, threads_per_worker=1, processes=True,
                                         dashboard_address=None))
        return pyabc.sampler.DaskDistributedSampler(dask_client=client), client
    if workers <= 1:
        return pyabc.sampler.SingleCoreSampler(), None
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers), None


def calibrate(loaded, observed_file, until: int, out: Path, budget: int = DEFAULT_BUDGET,
              population: int = DEFAULT_POPULATION, workers: int = 1, dask_local: int | None = None,
              scheduler: str | None = None, seed: int = 1, priors: tuple[Prior, ...] = DEFAULT_PRIORS,
              log=print, progress=None, scales: dict[str, float] | None = None,
              basis: dict[str, str | None] | None = None) -> dict:
    """ABC-SMC up to ``budget`` simulations; writes posterior.csv, diagnostics.csv, manifest.json
    and the pyabc history (abc.db) in ``out``. A folder holding the same calibration (same
    scenario, used observations, cut-off, priors, population, seed) is resumed from its history."""
    import pyabc

    for name in ("Sampler", "Epsilon", "Distance", "Acceptor", "ABC.History", "ABC.Population", "Redis-Sampler"):
        logging.getLogger(name).setLevel(logging.WARNING)
    matched, patterns, pri, sim, setup = prepare(loaded, observed_file, until, population, seed, priors, basis)
    scales = {**SCALES, **(scales or {})}
    setup.scales = scales
    for line in describe(matched, str(observed_file), until=until):
        log(line)
    log("Patterns: " + ", ".join(f"{k} {v}" for k, v in patterns.counts().items()))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "abc.db"
    spec_file = out / "calibration-setup.json"
    fp = setup.fingerprint()
    prior = pyabc.Distribution(**{p.key: _Uniform(p.low, p.high) for p in pri})
    sampler, client = _sampler(workers, dask_local, scheduler)
    np.random.seed(seed)
    abc = pyabc.ABCSMC(sim, prior, PatternDistance(scales), population_size=population, sampler=sampler,
                       transitions=transition())
    url = "sqlite:///" + str(db.resolve())
    resumed = False
    try:
        if db.exists():
            old = json.loads(spec_file.read_text()) if spec_file.exists() else {}
            if old.get("fingerprint") != fp:
                raise CalibrationError(f"{out}: holds a different calibration (other scenario, observations, "
                                       f"cut-off, priors, population or seed); choose another --out or delete {db}")
            abc.load(url, old["run_id"])
            resumed = True
            log(f"Resuming the calibration in {db} (generation {abc.history.max_t + 1})")
        else:
            abc.new(url, patterns.observed())
            spec_file.write_text(json.dumps({"fingerprint": fp, "run_id": abc.history.id,
                                             "setup": asdict(setup)}, indent=1))
        started = time.time()
        watcher = _ProgressWatcher(progress, budget, int(abc.history.total_nr_simulations) if resumed else 0)
        abc_log = logging.getLogger("ABC")
        saved = (abc_log.handlers[:], abc_log.level, abc_log.propagate)
        abc_log.handlers[:] = [watcher]  # pyabc's own console lines give way to the progress bar
        abc_log.setLevel(logging.INFO)
        abc_log.propagate = False
        try:
            if not resumed or int(abc.history.total_nr_simulations) < budget:
                abc.run(max_total_nr_simulations=budget, max_nr_populations=MAX_GENERATIONS,
                        min_acceptance_rate=MIN_ACCEPTANCE)
        finally:
            abc_log.handlers[:], level, abc_log.propagate = saved
            abc_log.setLevel(level)
        elapsed = time.time() - started
    finally:
        if client is not None:
            client.close()
    return write_results(abc.history, pri, setup, matched, out, elapsed, resumed, patterns)


def write_results(history, pri: list[Prior], setup: Setup, matched: Matched, out: Path, elapsed: float,
                  resumed: bool, patterns: Patterns) -> dict:
    t_max = history.max_t
    df, w = history.get_distribution(m=0, t=t_max)
    post = pd.DataFrame({p.path: df[p.key].to_numpy(float) for p in pri})
    post.insert(0, "weight", np.asarray(w, float) / np.sum(w))
    post.insert(0, "particle", range(len(post)))
    post.to_csv(out / "posterior.csv", index=False, float_format="%.10g")
    rows = []
    pops = history.get_all_populations()
    for _, r in pops.iterrows():
        t = int(r["t"])
        if t < 0:
            continue
        _, wt = history.get_distribution(m=0, t=t)
        wt = np.asarray(wt, float) / np.sum(wt)
        dist = history.get_weighted_distances(t=t)
        particles = int(r["particles"])
        samples = int(r["samples"])
        rows.append({"generation": t, "epsilon": float(r["epsilon"]), "particles": particles,
                     "simulations": samples, "acceptance_rate": particles / samples if samples else float("nan"),
                     "ess": float(1.0 / np.sum(wt ** 2)),
                     "distance_median": float(np.median(dist["distance"])),
                     "distance_min": float(np.min(dist["distance"]))})
    diag = pd.DataFrame(rows)
    diag.to_csv(out / "diagnostics.csv", index=False, float_format="%.6g")
    summary = posterior_summary(post, pri)
    summary.to_csv(out / "posterior_summary.csv", index=False, float_format="%.6g")
    from . import output

    man = {
        "kind": "calibration",
        "method": "ABC-SMC (pyabc), adaptive epsilon (median), uniform priors",
        "scenario": setup.scenario, "scenario_hash": setup.scenario_hash,
        "observed_file": setup.observed_file, "observed_rows_used": len(matched.usable),
        "observed_digest": setup.observed_digest, "until": setup.until,
        "rows_outside_window": len(matched.held_out),
        "rows_not_produced": [{"row": o.line, "year": o.year, "measure": o.measure, "power": o.power,
                               "republic": o.republic, "reason": why} for o, why in matched.unusable],
        "patterns": patterns.counts(), "scales": setup.scales, "model_trade_basis": setup.basis,
        "priors": [asdict(p) for p in pri], "population": setup.population, "seed": setup.seed,
        "generations": int(t_max + 1), "simulations": int(history.total_nr_simulations),
        "seconds": round(elapsed, 1), "resumed": resumed,
        "files": {"posterior": "posterior.csv", "summary": "posterior_summary.csv",
                  "diagnostics": "diagnostics.csv", "history": "abc.db"},
        "versions": _versions(),
        "command": " ".join(["greatgame"] + sys.argv[1:]) if sys.argv and "greatgame" in sys.argv[0] else None,
    }
    try:
        output.write_json(man, out / "manifest.json")
    except AttributeError:  # pragma: no cover
        (out / "manifest.json").write_text(json.dumps(man, indent=1))
    return {"posterior": post, "diagnostics": diag, "summary": summary, "manifest": man}


def posterior_summary(post: pd.DataFrame, pri: list[Prior]) -> pd.DataFrame:
    """Per parameter: prior range, weighted mean, median and 90% interval."""
    w = post["weight"].to_numpy(float)
    rows = []
    for p in pri:
        v = post[p.path].to_numpy(float)
        q = weighted_quantiles(v, w, [0.05, 0.5, 0.95])
        rows.append({"path": p.path, "prior_low": p.low, "prior_high": p.high, "mean": float(np.sum(v * w)),
                     "median": q[1], "lo90": q[0], "hi90": q[2]})
    return pd.DataFrame(rows)


def weighted_quantiles(v, w, qs) -> list[float]:
    order = np.argsort(v)
    v, w = np.asarray(v, float)[order], np.asarray(w, float)[order]
    cw = (np.cumsum(w) - 0.5 * w) / np.sum(w)
    return [float(np.interp(q, cw, v)) for q in qs]


def _versions() -> dict:
    import importlib.metadata as md

    out = {"python": sys.version.split()[0]}
    for pkg in ("greatgame", "mesa", "numpy", "pandas", "pyabc"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = None
    return out

