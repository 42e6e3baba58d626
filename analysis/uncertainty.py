"""How much of an answer is judgement? A Morris screen over every ranged input of a
scenario, then Sobol indices for the inputs that matter (``greatgame uncertainty``).

The inputs are the scenario's numbers with a range wider than a point (``range:`` or
``uncertainty:`` in the file; the model's defaults take theirs from sim/ranges.py), as
:func:`sim.scenario.input_ranges` lists them. Two sweeps are built programmatically as
sweep specs and run with the sweep machinery (:func:`analysis.sweep.run_sweep`), then
analysed with :func:`analysis.sensitivity.analyse`:

1. **Morris** (elementary effects): every ranged input, ``trajectories`` × (D + 1) points.
   mu* ranks the inputs; mu*² stands in for each input's share of the variance in the
   screen (exact for a linear response over uniform ranges).
2. **Sobol** (Saltelli, first-order S1 and total ST): the ``top`` inputs by mu* (with several
   outcomes, each outcome's leaders in turn), the others held at their values,
   ``samples`` × (k + 2) points.

The split between **sourced** magnitudes (figures that cite a source) and **judgement**
(assumptions and defaults) sums each stage's measure by kind: in the screen, the shares of
Σ mu*²; in the Sobol stage, the shares of Σ S1 (variance each input explains alone), with
Σ S1 itself and Σ ST beside them (what interactions add). Ranges are sampled uniformly.

Not screened, and counted in the report: numbers with no range, numbers fixed by a range
of one point (definitions, counterfactual settings, counts), and the shares of a republic's
initial alignment (a composition that sums to one: one share cannot move alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import yaml

from greatgame.sim import load_scenario
from greatgame.sim.scenario import InputRange, LoadedScenario, _split_path, input_ranges, is_composition

from . import output
from .sensitivity import AnalysisError, Sensitivity, analyse
from .spec import resolve_outcomes, validate_spec
from .sweep import run_sweep

DEFAULT_OUTCOME = "incumbent_share_mean"
GROUPS = ("sourced", "judgement")


@dataclass
class Inputs:
    """The inputs a screen varies, and what it leaves out (and why)."""

    screened: list[InputRange]
    fixed: list[InputRange] = field(default_factory=list)  # a range of one point
    unranged: list[InputRange] = field(default_factory=list)
    composition: list[InputRange] = field(default_factory=list)
    integer: set[str] = field(default_factory=set)  # paths of whole-number fields (military bases)

    def counts(self) -> dict[str, int]:
        return {k: sum(1 for r in self.screened if r.kind == k) for k in ("sourced", "assumption", "default")}


def group_of(r: InputRange) -> str:
    return "sourced" if r.kind == "sourced" else "judgement"


def _plain_value(plain: Any, path: str) -> Any:
    node = plain
    for k in _split_path(path):
        node = node[k]
    return node


def select_inputs(loaded: LoadedScenario, include_defaults: bool = True) -> Inputs:
    """Split a scenario's numbers into those the screen varies and those it leaves out."""
    plain = loaded.scenario.model_dump()
    out = Inputs([])
    for r in input_ranges(loaded, include_defaults=include_defaults).values():
        if not r.ranged:
            out.unranged.append(r)
        elif not r.varies:
            out.fixed.append(r)
        elif is_composition(r.path):
            out.composition.append(r)
        else:
            out.screened.append(r)
            v = _plain_value(plain, r.path)
            if isinstance(v, int) and not isinstance(v, bool):
                out.integer.add(r.path)
    return out


RANGES_KEY = 0x72616E67  # "rang": the draws' generator is SeedSequence(seed, spawn_key=(RANGES_KEY,))


def range_draws(loaded: LoadedScenario, n: int, seed: int, exclude: set[str] | frozenset = frozenset(),
                include_defaults: bool = True) -> tuple[list[dict[str, float]], list[InputRange]]:
    """``n`` parameter sets for runs whose spread should cover judgement as well as seeds:
    every input the screen varies (``select_inputs``: sourced figures within their
    uncertainty, assumptions, the model's defaults; not compositions, not one-point ranges)
    drawn uniformly and independently from its range, whole numbers for whole-number fields.
    ``exclude``: paths left at the scenario's value (what the user ``--set``). The generator
    is never one of the run seeds, so the same ``seed`` gives the same draws."""
    inputs = select_inputs(loaded, include_defaults=include_defaults)
    drawn = [r for r in inputs.screened if r.path not in exclude]
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(RANGES_KEY,)))
    u = rng.random((int(n), len(drawn)))
    out: list[dict[str, float]] = [{} for _ in range(int(n))]
    for j, r in enumerate(drawn):
        if r.path in inputs.integer:
            lo, hi = int(np.floor(r.low)), int(np.ceil(r.high))
            col = np.minimum(lo + np.floor(u[:, j] * (hi - lo + 1)), hi).astype(int).tolist()
        else:
            col = (r.low + u[:, j] * (r.high - r.low)).tolist()
        for i, v in enumerate(col):
            out[i][r.path] = v
    return out, drawn


def _param(r: InputRange, integer: bool) -> dict:
    if integer:
        return {"range": [int(np.floor(r.low)), int(np.ceil(r.high))], "type": "int"}
    return {"range": [float(r.low), float(r.high)]}


def make_spec(loaded: LoadedScenario, scenario_ref: str, inputs: list[InputRange], integer: set[str], design: str,
              samples: int, outcomes: list[str], replicates: int, seed: int, years: float | None,
              levels: int = 4, name: str = "uncertainty"):
    """A sweep spec (validated like a spec file) over the given inputs' ranges."""
    raw: dict = {
        "name": f"{name}-{design}",
        "description": f"{design} stage of `greatgame uncertainty {loaded.scenario.name}`",
        "scenario": scenario_ref,
        "parameters": {r.path: _param(r, r.path in integer) for r in inputs},
        "design": design,
        "samples": samples,
        "replicates": replicates,
        "seed": seed,
        "outcomes": {"scalars": list(outcomes)},
    }
    if design == "morris":
        raw["levels"] = levels
    if years is not None:
        raw["years"] = years
    text = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    return validate_spec(raw, file=f"uncertainty:{design}", text=text)


def screen_order(morris: Sensitivity, outcomes: list[str]) -> list[str]:
    """Inputs by importance: each outcome's ranking by mu*, interleaved (the first of every
    outcome, then the second …), so the Sobol stage's top k holds each outcome's leaders."""
    ranked = [list(morris.wide[o]["mu_star"].astype(float).fillna(0).sort_values(ascending=False, kind="stable").index)
              for o in outcomes]
    order: list[str] = []
    for i in range(max(len(r) for r in ranked)):
        for r in ranked:
            if i < len(r) and r[i] not in order:
                order.append(r[i])
    return order


SPLIT_COLUMNS = ["outcome", "stage", "group", "share", "share_defaults", "measure", "sum", "inputs", "sum_ST"]


def split_table(kinds: dict[str, str], morris: Sensitivity, sobol: Sensitivity | None,
                outcomes: list[str]) -> pd.DataFrame:
    """Per outcome and stage: the share of the measure (screen: Σ mu*²; Sobol: Σ S1) that
    sourced and judgement inputs carry, with the sums themselves. ``kinds`` maps each input
    to its kind (sourced, assumption, default); ``share_defaults`` is the part of a group's
    share that the model's defaults carry (the rest of judgement is the scenario's assumptions)."""
    group = {p: ("sourced" if k == "sourced" else "judgement") for p, k in kinds.items()}
    rows = []

    def add(o, stage, measure, v, st=None):
        total = float(np.nansum(v))
        for g in GROUPS:
            mask = np.array([group[p] == g for p in v.index], dtype=bool)
            dmask = np.array([kinds[p] == "default" for p in v.index], dtype=bool) & mask
            part = float(np.nansum(v[mask]))
            rows.append({"outcome": o, "stage": stage, "group": g,
                         "share": part / total if total > 0 else np.nan,
                         "share_defaults": float(np.nansum(v[dmask])) / total if total > 0 else np.nan,
                         "measure": measure, "sum": part, "inputs": int(mask.sum()),
                         "sum_ST": float(np.nansum(st[mask])) if st is not None else np.nan})

    for o in outcomes:
        add(o, "morris", "mu_star^2", morris.wide[o]["mu_star"].astype(float).fillna(0) ** 2)
        if sobol is not None:
            w = sobol.wide[o]
            add(o, "sobol", "S1", w["S1"].astype(float).clip(lower=0), w["ST"].astype(float).clip(lower=0))
    return pd.DataFrame(rows, columns=SPLIT_COLUMNS)


@dataclass
class UncertaintyResult:
    scenario: str
    outcomes: list[str]
    inputs: Inputs
    morris: Sensitivity
    sobol: Sensitivity | None
    top: list[str]
    order: list[str]
    split: pd.DataFrame
    indices: pd.DataFrame
    runs: dict[str, int]
    out: Path
    files: list[str]

    def kind(self, path: str) -> str:
        return next(r.kind for r in self.inputs.screened if r.path == path)


def run_uncertainty(scenario: str | LoadedScenario, outcomes: list[str] | None = None, *,
                    trajectories: int = 10, samples: int = 256, top: int = 8, replicates: int = 2, seed: int = 1,
                    years: float | None = None, include_defaults: bool = True, out: str | Path | None = None,
                    workers: int = 1, dask_local: int | None = None, scheduler: str | None = None,
                    resume: bool = False, progress: Callable[[str, int], Callable[[int], None]] | None = None,
                    stages: Callable[[str, int], None] | None = None) -> UncertaintyResult:
    """Morris over every ranged input, then Sobol over the ``top`` (0: Morris only); see the
    module docstring. ``progress(stage, n_runs)`` may return a callback given each batch's
    count of finished runs; ``stages(stage, n_runs)`` is told when a stage starts."""
    if isinstance(scenario, LoadedScenario):
        loaded, ref = scenario, scenario.files[-1]
    else:
        loaded, ref = load_scenario(scenario, years=years), str(scenario)
    outcomes = list(dict.fromkeys(outcomes or [DEFAULT_OUTCOME]))
    resolve_outcomes(outcomes, loaded, ref, "--outcome", shifts=True)
    for what, v, least in (("trajectories", trajectories, 2), ("replicates", replicates, 1), ("samples", samples, 2)):
        if v < least:
            raise AnalysisError(f"--{what}: must be ≥ {least}, got {v}")
    if samples & (samples - 1):
        raise AnalysisError(f"--samples: Sobol needs a power of 2 (Saltelli), got {samples}")
    if top < 0:
        raise AnalysisError(f"--top: must be ≥ 0, got {top}")
    inputs = select_inputs(loaded, include_defaults=include_defaults)
    if not inputs.screened:
        raise AnalysisError(f"{loaded.scenario.name}: no number has a range wider than a point, so there is nothing "
                            f"to screen (give ranges: {{value: 0.3, assumption: \"...\", range: [0.1, 0.6]}})")
    kinds = {r.path: r.kind for r in inputs.screened}
    folder = Path(out) if out else Path("out") / f"uncertainty-{loaded.scenario.name}"
    name = f"uncertainty-{loaded.scenario.name}"

    mspec = make_spec(loaded, ref, inputs.screened, inputs.integer, "morris", trajectories, outcomes, replicates,
                      seed, years, name=name)
    n_m = len(mspec.design()) * replicates
    if stages:
        stages("morris", n_m)
    mres = run_sweep(mspec, folder / "morris", workers=workers, dask_local=dask_local, scheduler=scheduler,
                     resume=resume, progress=progress("morris", n_m) if progress else None)
    morris = analyse(mspec.spec, mres.scalars, outcomes)
    order = screen_order(morris, outcomes)
    chosen = order[:min(top, len(order))]
    sobol, n_s = None, 0
    if chosen:
        by_path = {r.path: r for r in inputs.screened}
        sspec = make_spec(loaded, ref, [by_path[p] for p in chosen], inputs.integer, "sobol", samples, outcomes,
                          replicates, seed, years, name=name)
        n_s = len(sspec.design()) * replicates
        if stages:
            stages("sobol", n_s)
        sres = run_sweep(sspec, folder / "sobol", workers=workers, dask_local=dask_local, scheduler=scheduler,
                         resume=resume, progress=progress("sobol", n_s) if progress else None)
        sobol = analyse(sspec.spec, sres.scalars, outcomes)

    split = split_table(kinds, morris, sobol, outcomes)
    info = {r.path: r for r in inputs.screened}
    parts = [morris.table.assign(stage="morris")]
    if sobol is not None:
        parts.append(sobol.table.assign(stage="sobol"))
    indices = pd.concat(parts, ignore_index=True)
    indices["kind"] = indices["parameter"].map(lambda p: info[p].kind)
    indices["group"] = indices["parameter"].map(lambda p: group_of(info[p]))
    indices = indices[["stage", "outcome", "parameter", "kind", "group", "index", "value", "conf"]]

    table = pd.DataFrame([{"path": r.path, "value": float(r.value), "kind": r.kind, "source": r.source,
                           "low": r.low, "high": r.high,
                           "status": status, "rank": (order.index(r.path) + 1) if r.path in order else None}
                          for status, rows in (("screened", inputs.screened), ("fixed", inputs.fixed),
                                               ("composition", inputs.composition), ("no range", inputs.unranged))
                          for r in rows])
    table["rank"] = table["rank"].astype("Int64")
    files = [output.write_table(indices, folder / "indices", "parquet").name,
             output.write_table(split, folder / "split", "csv").name,
             output.write_table(table, folder / "inputs", "csv").name]
    manifest = {
        "kind": "uncertainty", "scenario": loaded.scenario.name, "scenario_files": loaded.files,
        "scenario_sha256": loaded.content_hash, "outcomes": outcomes,
        "morris": {"trajectories": trajectories, "levels": 4, "inputs": len(inputs.screened), "runs": n_m,
                   "folder": "morris"},
        "sobol": {"samples": samples, "inputs": chosen, "runs": n_s, "folder": "sobol" if chosen else None},
        "replicates": replicates, "seed": seed, "years": years, "include_defaults": include_defaults,
        "not_screened": {"fixed": len(inputs.fixed), "composition": len(inputs.composition),
                         "no_range": len(inputs.unranged)},
        "files": files, "versions": output.versions(),
    }
    output.write_json(manifest, folder / "manifest.json")
    return UncertaintyResult(loaded.scenario.name, outcomes, inputs, morris, sobol, chosen, order, split, indices,
                             {"morris": n_m, "sobol": n_s}, folder, files + ["manifest.json"])


__all__ = ["Inputs", "UncertaintyResult", "make_spec", "run_uncertainty", "select_inputs", "split_table"]
