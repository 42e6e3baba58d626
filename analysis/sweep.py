"""Running a sweep: runs batched into tasks, on one process, a process pool or Dask,
stored as they complete and resumable.

Every run is identified by ``run = point * replicates + replicate``; its outcome
depends only on its parameter values and its seed, so the final tables (sorted by
run) are the same whatever the backend, the number of workers or the order in which
tasks finish.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from greatgame.sim import GreatGameModel, Scenario
from greatgame.sim.reporters import MODEL_COLUMNS, REPUBLIC_FLAGS, republic_row_columns
from greatgame.sim.scenario import scenario_with

from . import output
from .runs import replicate_seeds
from .spec import LoadedSpec

BOOL_OUTCOMES = {"incumbents_together", "wedge_achieved", "wedge_in_landscape", "opposite_incumbents", "wedged"}
INT_OUTCOMES = {"wedged_republics", "bloc"}
RUN_COLUMNS = ["run", "point", "replicate", "seed", "status", "error"]


# ---------------------------------------------------------------- seeds and tasks


def run_seeds(spec: LoadedSpec, n_points: int) -> np.ndarray:
    """(points, replicates) seeds, each from ``SeedSequence(seed).spawn(...)`` (see replicate_seeds).

    With common random numbers (the default) replicate i of every point shares seed i, so
    differences between points are not drowned in run-to-run noise; otherwise every run
    gets its own child seed."""
    s = spec.spec
    if s.common_random_numbers:
        row = replicate_seeds(s.seed, s.replicates)
        return np.tile(np.array(row, dtype=np.int64), (n_points, 1))
    flat = replicate_seeds(s.seed, n_points * s.replicates) if n_points * s.replicates > 1 else [s.seed]
    return np.array(flat, dtype=np.int64).reshape(n_points, s.replicates)


@dataclass
class Batch:
    """What a worker needs for a group of runs: the base scenario, what to keep, the runs."""

    scenario: Scenario
    scalars: list[str]
    trajectory_columns: list[str]
    every: int | None
    runs: list[tuple[int, int, int, int, dict]]  # (run, point, replicate, seed, values)
    _plain: dict | None = field(default=None, repr=False)
    # Keep, every ``every`` steps, the republics' arrays (see republic_arrays) instead of
    # named trajectory outcomes: what comparisons plot, without measuring every step.
    republic_arrays: bool = False


def _python(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def point_values(design: pd.DataFrame) -> list[dict]:
    """Each design row as {path: plain Python value}, leaving out blanks of a list design."""
    out = []
    for _, row in design.iterrows():
        out.append({k: _python(v) for k, v in row.items() if not (isinstance(v, float) and np.isnan(v))
                    and v is not None and v is not pd.NA})
    return out


def make_tasks(design: pd.DataFrame, seeds: np.ndarray) -> list[tuple[int, int, int, int, dict]]:
    values = point_values(design)
    R = seeds.shape[1]
    return [(p * R + r, p, r, int(seeds[p, r]), values[p]) for p in range(len(values)) for r in range(R)]


def batch_size(n_runs: int, workers: int) -> int:
    """Enough runs per task that dispatch costs little (about a second of work), and enough
    tasks (8 per worker) that workers finish together."""
    return max(1, min(64, -(-n_runs // (max(workers, 1) * 8))))


# ---------------------------------------------------------------- one run


class OutcomeReader:
    """Reads the named outcomes off a model (after ``model.measure()``): a model-level
    measure by name, or 'REPUBLIC:FIGURE' for a republic's figure."""

    def __init__(self, names: list[str], power_ids: list[str], republic_ids: list[str]):
        self.names = list(names)
        row_index = {c: i for i, c in enumerate(republic_row_columns(power_ids))}
        flag_index = {c: i for i, c in enumerate(REPUBLIC_FLAGS)}
        head_index = {c: i for i, c in enumerate(MODEL_COLUMNS)}
        rep_index = {r: j for j, r in enumerate(republic_ids)}
        self.getters = []
        for n in names:
            if ":" in n:
                r, _, c = n.partition(":")
                kind, i = ("row", row_index[c]) if c in row_index else ("flag", flag_index[c])
                self.getters.append((kind, rep_index[r], i))
            else:
                self.getters.append(("head", 0, head_index[n]))

    def __call__(self, model: GreatGameModel) -> dict:
        agents = model.republic_agents
        values = []
        for kind, j, i in self.getters:
            if kind == "head":
                values.append(model.headline[i])
            elif kind == "row":
                values.append(agents[j].row[i])
            else:
                values.append(agents[j].flags[i])
        return dict(zip(self.names, values))


_GC_FROZEN = False


def run_batch(batch: Batch) -> tuple[list[dict], list[dict]]:
    """Run every run of a batch; a run that raises is recorded with its error."""
    global _GC_FROZEN
    if not _GC_FROZEN:  # the imported modules are long-lived: keep the collector off them
        import gc

        gc.freeze()
        _GC_FROZEN = True
    if batch._plain is None:
        batch._plain = batch.scenario.model_dump()
    sc0 = batch.scenario
    read = OutcomeReader(batch.scalars, list(sc0.powers), list(sc0.republics))
    read_traj = OutcomeReader(batch.trajectory_columns, list(sc0.powers), list(sc0.republics))
    scalars, trajectories = [], []
    cache: dict[int, Scenario] = {}
    for run, point, rep, seed, values in batch.runs:
        head = {"run": run, "point": point, "replicate": rep, "seed": seed}
        try:
            if point not in cache:
                cache = {point: scenario_with(sc0, values, plain=batch._plain) if values else sc0}
            model = GreatGameModel(cache[point], rng=seed, collect_every=0)
            if batch.every and batch.republic_arrays:
                steps, frames = [model.steps], [republic_arrays(model)]
                while model.steps < model.horizon:
                    model.run_for(min(batch.every, model.horizon - model.steps))
                    steps.append(model.steps)
                    frames.append(republic_arrays(model))
                trajectories.append((run, steps, [model.date_of(k) for k in steps], np.stack(frames)))
            elif batch.every:
                rows = [_traj_row(run, model, read_traj)]
                while model.steps < model.horizon:
                    model.run_for(min(batch.every, model.horizon - model.steps))
                    rows.append(_traj_row(run, model, read_traj))
                trajectories.extend(rows)
            else:
                model.run()
            model.measure()
            scalars.append({**head, "status": "ok", "error": None, **read(model)})
        except Exception as e:  # noqa: BLE001 - a failing run is data, not a crash
            msg = f"{type(e).__name__}: {e}".splitlines()[0][:500]
            scalars.append({**head, "status": "error", "error": msg})
    return scalars, trajectories


def republic_arrays(model: GreatGameModel) -> np.ndarray:
    """(columns, republics): alignment toward each power, influence of each power, then each
    power's channel scores, in the order of ``reporters.republic_row_columns`` (the dynamics
    keep them current every step, so no measurement is needed)."""
    R = model.n_republics
    return np.concatenate((model.alignment.T, model.influence, model.scores.transpose(1, 0, 2).reshape(-1, R)))


def _traj_row(run: int, model: GreatGameModel, read: OutcomeReader) -> dict:
    model.measure()
    return {"run": run, "step": model.steps, "date": model.date, **read(model)}


# ---------------------------------------------------------------- backends


def _pool_context():
    # forkserver: no fork of a multi-threaded parent (tqdm, Dask) and faster than spawn.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def execute(batches: list[Batch], on_done: Callable[[Batch, tuple], None], workers: int = 1,
            dask_local: int | None = None, scheduler: str | None = None) -> str:
    """Run the batches on the chosen backend, calling ``on_done`` as each one completes.
    Returns a description of the backend."""
    if dask_local or scheduler:
        return _execute_dask(batches, on_done, dask_local, scheduler)
    if workers <= 1:
        for b in batches:
            on_done(b, run_batch(b))
        return "1 process"
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
        pending = {pool.submit(run_batch, b): b for b in batches}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    b = pending.pop(fut)
                    on_done(b, fut.result())
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    return f"process pool of {workers}"


def _execute_dask(batches, on_done, dask_local, scheduler) -> str:
    import logging

    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="15s")
            except (OSError, TimeoutError, ValueError) as e:
                raise ConnectionError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({e})") from None
            desc = f"Dask scheduler {scheduler}"
        else:
            cluster = LocalCluster(n_workers=dask_local, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
            desc = f"Dask local cluster of {dask_local} on 127.0.0.1"
        with client:
            futures = {client.submit(run_batch, b, pure=False): b for b in batches}
            for fut in as_completed(list(futures)):
                on_done(futures[fut], fut.result())
        return desc
    finally:
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------- storage


class SweepStore:
    """The output folder of a sweep: spec.yaml, manifest.json, design.parquet, parts/ while
    running, then scalars.parquet and trajectories.parquet. Every file is written under a
    temporary name and renamed, so a killed sweep leaves only complete files."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.parts = self.out / "parts"

    def existing_hash(self) -> str | None:
        m = self.out / "manifest.json"
        if not m.exists():
            return None
        import json

        try:
            return json.loads(m.read_text(encoding="utf-8")).get("spec_sha256")
        except (ValueError, OSError):
            return "unreadable"

    def has_results(self) -> bool:
        return (self.out / "scalars.parquet").exists() or (self.parts.exists() and any(self.parts.glob("*.parquet")))

    def write_part(self, index: int, scalars: pd.DataFrame, trajectories: pd.DataFrame | None) -> None:
        self.parts.mkdir(parents=True, exist_ok=True)
        stamp = f"{index:07d}-{time.time_ns()}"
        if trajectories is not None and len(trajectories):
            output.write_table(trajectories, self.parts / f"trajectories-{stamp}", "parquet")
        # The scalars part is written last: its presence marks the batch complete.
        output.write_table(scalars, self.parts / f"scalars-{stamp}", "parquet")

    def completed(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Everything stored so far, one row per run (the first copy if a run appears twice)."""
        sc, tr = [], []
        final = self.out / "scalars.parquet"
        if final.exists():
            sc.append(pd.read_parquet(final))
            t = self.out / "trajectories.parquet"
            if t.exists():
                tr.append(pd.read_parquet(t))
        if self.parts.exists():
            for p in sorted(self.parts.glob("scalars-*.parquet")):
                sc.append(pd.read_parquet(p))
                t = p.with_name(p.name.replace("scalars-", "trajectories-", 1))
                if t.exists():
                    tr.append(pd.read_parquet(t))
        scalars = pd.concat(sc, ignore_index=True) if sc else pd.DataFrame(columns=RUN_COLUMNS)
        scalars = scalars.drop_duplicates("run", keep="first")
        traj = pd.concat(tr, ignore_index=True) if tr else pd.DataFrame()
        if len(traj):
            traj = traj[traj["run"].isin(scalars["run"])].drop_duplicates(["run", "step"], keep="first")
        return scalars, traj

    def finish(self, scalars: pd.DataFrame, trajectories: pd.DataFrame | None) -> dict[str, str]:
        files = {"scalars": output.write_table(scalars, self.out / "scalars", "parquet").name}
        if trajectories is not None:
            files["trajectories"] = output.write_table(trajectories, self.out / "trajectories", "parquet").name
        if self.parts.exists():
            for p in self.parts.iterdir():
                p.unlink()
            self.parts.rmdir()
        return files


def tidy_scalars(rows: pd.DataFrame, design: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """Sorted by run, with each run's parameter values, and fixed dtypes (the same table
    whatever the backend and whichever runs failed)."""
    df = rows.sort_values("run", kind="stable").reset_index(drop=True)
    for c in RUN_COLUMNS:
        if c not in df:
            df[c] = None
    for c in outcomes:
        if c not in df:
            df[c] = np.nan
    df = df[RUN_COLUMNS + outcomes]
    df = df.astype({"run": "int64", "point": "int64", "replicate": "int64", "seed": "int64",
                    "status": "string", "error": "string"})
    for c in outcomes:
        base = c.partition(":")[2] or c
        if base in BOOL_OUTCOMES:
            df[c] = df[c].astype("boolean")
        elif base in INT_OUTCOMES:
            df[c] = df[c].astype("Int64")
        else:
            df[c] = df[c].astype("float64")
    params = design.reset_index().rename(columns={"index": "point"})
    return df[RUN_COLUMNS[:4]].merge(params, on="point", how="left").join(df[RUN_COLUMNS[4:] + outcomes])


def tidy_trajectories(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    if not len(rows):
        return pd.DataFrame(columns=["run", "step", "date"] + columns)
    df = rows.sort_values(["run", "step"], kind="stable").reset_index(drop=True)
    df = df.astype({"run": "int64", "step": "int64", "date": "string"})
    for c in columns:
        base = c.partition(":")[2] or c
        df[c] = df[c].astype("boolean" if base in BOOL_OUTCOMES else "Int64" if base in INT_OUTCOMES else "float64")
    return df[["run", "step", "date"] + columns]


# ---------------------------------------------------------------- the sweep


class SpecMismatch(Exception):
    """The output folder holds results of another spec."""


@dataclass
class SweepResult:
    out: Path
    total: int
    ran: int
    skipped: int
    failed: int
    seconds: float
    backend: str
    files: dict[str, str]
    scalars: pd.DataFrame
    trajectories: pd.DataFrame | None


def run_sweep(spec: LoadedSpec, out: Path, workers: int = 1, dask_local: int | None = None,
              scheduler: str | None = None, resume: bool = False,
              progress: Callable[[int], None] | None = None) -> SweepResult:
    """Run (or resume) a sweep into ``out``; see the module docstring."""
    out = Path(out)
    store = SweepStore(out)
    if out.exists() and not out.is_dir():
        raise OSError(f"--out {out}: exists and is not a directory")
    old = store.existing_hash()
    if old is not None and old != spec.hash:
        raise SpecMismatch(f"{out}: holds results of a different sweep spec (spec hash {old[:12]}, this spec "
                           f"{spec.hash[:12]}); use another --out, or remove the folder to start over")
    if old is not None and store.has_results() and not resume:
        raise SpecMismatch(f"{out}: already holds results of this spec; add --resume to continue it, "
                           f"or use another --out")
    design = spec.design()
    seeds = run_seeds(spec, len(design))
    tasks = make_tasks(design, seeds)
    done, _ = store.completed() if resume else (pd.DataFrame(columns=RUN_COLUMNS), None)
    finished = set(int(r) for r in done["run"]) if len(done) else set()
    todo = [t for t in tasks if t[0] not in finished]

    output.prepare_dir(out)
    output.write_text(spec.text, out / "spec.yaml")
    output.write_table(design.reset_index(), out / "design", "parquet")
    traj = spec.spec.outcomes.trajectories
    manifest = _manifest(spec, len(design), seeds, backend=None)
    output.write_json(manifest, out / "manifest.json")

    every = traj.every if traj else None
    n_workers = dask_local or workers or 1
    size = batch_size(len(todo), n_workers if not scheduler else 8)
    batches = [Batch(spec.base.scenario, spec.scalars, spec.trajectory_columns, every, todo[i:i + size])
               for i in range(0, len(todo), size)]
    counter = {"n": 0}

    def on_done(batch: Batch, result) -> None:
        sc_rows, tr_rows = result
        store.write_part(batch.runs[0][0], pd.DataFrame(sc_rows), pd.DataFrame(tr_rows) if every else None)
        counter["n"] += 1
        if progress is not None:
            progress(len(batch.runs))

    t0 = time.perf_counter()
    backend = execute(batches, on_done, workers=workers, dask_local=dask_local, scheduler=scheduler) if batches \
        else "nothing to run"
    seconds = time.perf_counter() - t0

    rows, traj_rows = store.completed()
    scalars = tidy_scalars(rows, design, spec.scalars)
    trajectories = tidy_trajectories(traj_rows, spec.trajectory_columns) if every else None
    files = store.finish(scalars, trajectories)
    files.update({"design": "design.parquet", "spec": "spec.yaml", "manifest": "manifest.json"})
    manifest = _manifest(spec, len(design), seeds, backend=backend)
    manifest.update({"runs": len(tasks), "failed": int((scalars["status"] == "error").sum()),
                     "files": files, "last_session": {"ran": len(todo), "skipped": len(tasks) - len(todo),
                                                      "seconds": round(seconds, 3)}})
    output.write_json(manifest, out / "manifest.json")
    return SweepResult(out, len(tasks), len(todo), len(tasks) - len(todo), manifest["failed"], seconds, backend,
                       files, scalars, trajectories)


def _manifest(spec: LoadedSpec, n_points: int, seeds: np.ndarray, backend: str | None) -> dict:
    import sys
    from datetime import datetime, timezone

    s = spec.spec
    return {
        "kind": "sweep",
        "spec_file": spec.file,
        "spec_sha256": spec.hash,
        "scenario": spec.base.scenario.name,
        "scenario_files": spec.base.files,
        "scenario_sha256": spec.base.content_hash,
        "design": s.design,
        "points": n_points,
        "replicates": s.replicates,
        "runs": n_points * s.replicates,
        "master_seed": s.seed,
        "common_random_numbers": s.common_random_numbers,
        "replicate_seeds": [int(x) for x in seeds[0]] if s.common_random_numbers and len(seeds) else None,
        "outcomes": spec.scalars,
        "trajectory_columns": spec.trajectory_columns,
        "backend": backend,
        "versions": output.versions(),
        "command": sys.argv,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def rerun_command(spec: LoadedSpec, row: pd.Series | dict) -> str:
    """The `greatgame run` line that repeats one run of the sweep alone."""
    import shlex

    scenario = spec.spec.scenario
    if spec.scenario_ref != scenario:  # found beside the spec file: say where from here
        scenario = os.path.relpath(spec.scenario_ref)
    parts = ["greatgame", "run", shlex.quote(scenario), "--seed", str(int(row["seed"]))]
    if spec.spec.years:
        parts += ["--years", f"{spec.spec.years:g}"]
    for k, v in list(spec.spec.set.items()) + [(k, row[k]) for k in spec.parameter_names if k in row
                                                  and not (isinstance(row[k], float) and np.isnan(row[k]))]:
        v = _python(v)
        text = ("true" if v else "false") if isinstance(v, bool) else str(v)
        parts += ["--set", shlex.quote(f"{k}={text}")]
    return " ".join(parts)
