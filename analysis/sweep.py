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

from . import outdir, output
from .runs import replicate_seeds
from .spec import LoadedSpec, challenger_initiatives, is_shift_outcome

BOOL_OUTCOMES = {"incumbents_together", "wedge_achieved", "wedge_in_landscape", "opposite_incumbents", "wedged",
                 "landscape_at_global"}
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
    plain_names = [n for n in batch.scalars if not is_shift_outcome(n)]
    shift_names = [n for n in batch.scalars if is_shift_outcome(n)]
    read = OutcomeReader(plain_names, list(sc0.powers), list(sc0.republics))
    read_traj = OutcomeReader(batch.trajectory_columns, list(sc0.powers), list(sc0.republics))
    scalars, trajectories = [], []
    cache: dict[int, Scenario] = {}
    for run, point, rep, seed, values in batch.runs:
        head = {"run": run, "point": point, "replicate": rep, "seed": seed}
        try:
            key = (point, id(values))  # runs of a point share their values dict, unless drawn per run (--posterior)
            if key not in cache:
                cache = {key: scenario_with(sc0, values, plain=batch._plain) if values else sc0}
            model = GreatGameModel(cache[key], rng=seed, collect_every=0)
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
            shifts = shift_outcomes(model, cache[key], seed, shift_names) if shift_names else {}
            scalars.append({**head, "status": "ok", "error": None, **read(model), **shifts})
        except Exception as e:  # noqa: BLE001 - a failing run is data, not a crash
            msg = f"{type(e).__name__}: {e}".splitlines()[0][:500]
            scalars.append({**head, "status": "error", "error": msg})
    return scalars, trajectories


def shift_outcomes(model: GreatGameModel, scenario: Scenario, seed: int, names: list[str]) -> dict:
    """The headline's shifts for one run that has finished: the same scenario without the
    challenger's initiatives, on the same seed to the same horizon, and each share's
    difference (with - without) at the last step, per republic and as the mean over them."""
    off = challenger_initiatives(scenario)
    if not off:
        raise ValueError(f"no enabled initiative of {scenario.wedge.challenger} (wedge.challenger) at this point: "
                         f"the shift is not defined")
    without = GreatGameModel(scenario_with(scenario, {f"initiatives.{n}.enabled": False for n in off}),
                             rng=seed, collect_every=0)
    without.run()
    without.measure()
    diff = {"incumbent": model.incumbent_share - without.incumbent_share,
            "challenger": model.challenger_share - without.challenger_share}
    out = {}
    for n in names:
        if ":" in n:
            r, _, c = n.partition(":")
            out[n] = float(diff[c.removesuffix("_shift")][model.republic_ids.index(r)])
        else:
            out[n] = float(diff[n.removesuffix("_shift_mean")].mean())
    return out


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


def _worker_init(main_pid: int) -> None:
    """In each pool worker: leave Ctrl-C to the main process (which stops the sweep and prints
    the resume hint; no worker tracebacks), and exit when the main process is gone (killed),
    so no worker outlives it."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(main_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except OSError:
                pass

    threading.Thread(target=watch, name="greatgame-parent-watch", daemon=True).start()


def _start_forkserver(ctx) -> None:
    """Start the forkserver with Ctrl-C ignored, so that it and the workers it forks inherit
    that (the main process alone handles Ctrl-C)."""
    import signal
    import threading

    if ctx.get_start_method() != "forkserver" or threading.current_thread() is not threading.main_thread():
        return
    from multiprocessing import forkserver

    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, old)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop at once: cancel what has not started and end the workers (their runs are not stored)."""
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.terminate()
        except (OSError, AttributeError):
            pass


def execute(batches: list[Batch], on_done: Callable[[Batch, tuple], None], workers: int = 1,
            dask_local: int | None = None, scheduler: str | None = None) -> str:
    """Run the batches on the chosen backend, calling ``on_done`` as each one completes.
    Returns a description of the backend. A worker that dies raises
    ``concurrent.futures.process.BrokenProcessPool`` (what was stored stays stored)."""
    if dask_local or scheduler:
        return _execute_dask(batches, on_done, dask_local, scheduler)
    if workers <= 1:
        for b in batches:
            on_done(b, run_batch(b))
        return "1 process"
    ctx = _pool_context()
    _start_forkserver(ctx)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                               initargs=(os.getpid(),))
    try:
        pending = {pool.submit(run_batch, b): b for b in batches}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                b = pending.pop(fut)
                on_done(b, fut.result())
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)
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

    def existing_manifest(self) -> dict | None:
        """The folder's manifest; None if there is none; {"unreadable": ...} if it cannot be read."""
        m = self.out / "manifest.json"
        if not m.exists():
            return None
        import json

        try:
            data = json.loads(m.read_text(encoding="utf-8"))
        except (ValueError, OSError) as e:
            return {"unreadable": str(e)}
        return data if isinstance(data, dict) else {"unreadable": "not a JSON object"}

    def existing_hash(self) -> str | None:
        m = self.existing_manifest()
        return None if m is None else m.get("spec_sha256", "unreadable")

    def has_results(self) -> bool:
        return (self.out / "scalars.parquet").exists() or (self.parts.exists() and any(self.parts.glob("*.parquet")))

    def write_part(self, index: int, scalars: pd.DataFrame, trajectories: pd.DataFrame | None) -> None:
        self.parts.mkdir(parents=True, exist_ok=True)
        stamp = f"{index:07d}-{time.time_ns()}"
        if trajectories is not None and len(trajectories):
            output.write_table(trajectories, self.parts / f"trajectories-{stamp}", "parquet")
        # The scalars part is written last: its presence marks the batch complete.
        output.write_table(scalars, self.parts / f"scalars-{stamp}", "parquet")

    def completed(self, notify: Callable[[str], None] | None = None,
                  discard: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Everything stored so far, one row per run (the first copy if a run appears twice).

        A table that cannot be read (truncated, 0 bytes) counts as missing: its runs are run
        again on --resume. ``notify`` gets one line about each; ``discard`` deletes them."""
        sc, tr = [], []
        pairs = [(self.out / "scalars.parquet", self.out / "trajectories.parquet")]
        if self.parts.exists():
            pairs += [(p, p.with_name(p.name.replace("scalars-", "trajectories-", 1)))
                      for p in sorted(self.parts.glob("scalars-*.parquet"))]
        for s_file, t_file in pairs:
            if not s_file.exists():
                continue
            bad = s_file
            try:
                s_df = pd.read_parquet(s_file)
                if "run" not in s_df:
                    raise ValueError("no 'run' column")
                bad = t_file
                t_df = pd.read_parquet(t_file) if t_file.exists() else None
            except Exception as e:  # noqa: BLE001 - any unreadable file is a missing one
                what = str(e).splitlines()[0][:120] if str(e) else type(e).__name__
                if notify is not None:
                    notify(f"{bad}: unreadable ({what}); its runs count as not done and run again")
                if discard:
                    for f in (s_file, t_file):
                        try:
                            f.unlink()
                        except OSError:
                            pass
                continue
            sc.append(s_df)
            if t_df is not None:
                tr.append(t_df)
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


class SpecMismatch(outdir.OutputConflict):
    """The output folder holds results of another spec (or inputs that changed)."""


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
              progress: Callable[[int], None] | None = None, force: bool = False,
              notify: Callable[[str], None] | None = None, draws: list[tuple[int, dict]] | None = None
              ) -> SweepResult:
    """Run (or resume) a sweep into ``out``; see the module docstring.

    The folder is locked while the sweep runs (a second process refuses). ``resume`` continues
    the sweep stored in ``out`` only if everything its results depend on is unchanged (the
    spec, every scenario file of the extends chain, greatgame's version and model code, the
    design); ``force`` deletes whatever greatgame results ``out`` holds and starts over.
    ``notify`` gets one-line notices (unreadable parts run again, a stale lock taken over).
    ``draws`` (``--posterior``, analysis/posterior.py): replicate r of every point takes the
    parameter set of draw r (the design's own values win); the scalars get a ``draw`` column."""
    out = Path(out)
    if resume and force:
        raise SpecMismatch("--resume continues the sweep in the folder and --force deletes it; give one of them")
    if out.exists() and not out.is_dir():
        raise OSError(f"--out {out}: exists and is not a directory")
    design = spec.design()
    seeds = run_seeds(spec, len(design))
    tasks = make_tasks(design, seeds)
    inputs = sweep_inputs(spec)
    if draws:
        import hashlib
        import json

        tasks = [(run, p, r, sd, {**draws[r][1], **v}) for run, p, r, sd, v in tasks]
        inputs["posterior_draws_sha256"] = hashlib.sha256(json.dumps(draws, sort_keys=True).encode()).hexdigest()
    with outdir.OutputLock(out) as lock:
        if lock.took_over and notify is not None:
            notify(f"{out}: took over the lock left by process {lock.took_over}, which is no longer running")
        store = SweepStore(out)
        held = outdir.check_kind(out, "sweep", force)
        if force and held is not None:
            removed = outdir.clean(out)
            if removed and notify is not None:
                notify(f"{out}: --force: deleted the old results ({', '.join(removed)})")
        elif held is not None:
            _check_existing(store, spec, inputs, design, resume)
        done, _ = store.completed(notify, discard=True) if resume else (pd.DataFrame(columns=RUN_COLUMNS), None)
        finished = set(int(r) for r in done["run"]) if len(done) else set()
        todo = [t for t in tasks if t[0] not in finished]
        if not finished:  # nothing of value here: no table of an earlier attempt may survive
            outdir.clean(out)
        return _run_into(store, spec, inputs, design, seeds, tasks, todo, workers, dask_local, scheduler, progress,
                         draws)


def _run_into(store: "SweepStore", spec: LoadedSpec, inputs: dict, design: pd.DataFrame, seeds: np.ndarray,
              tasks: list, todo: list, workers: int, dask_local: int | None, scheduler: str | None,
              progress: Callable[[int], None] | None, draws: list | None = None) -> SweepResult:
    out = store.out
    output.write_text(spec.text, out / "spec.yaml")
    output.write_table(design.reset_index(), out / "design", "parquet")
    traj = spec.spec.outcomes.trajectories
    manifest = _manifest(spec, len(design), seeds, backend=None, inputs=inputs)
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
    if draws:
        scalars.insert(4, "draw", scalars["replicate"].map(dict(enumerate(p for p, _ in draws))).astype("int64"))
    trajectories = tidy_trajectories(traj_rows, spec.trajectory_columns) if every else None
    files = store.finish(scalars, trajectories)
    files.update({"design": "design.parquet", "spec": "spec.yaml", "manifest": "manifest.json"})
    manifest = _manifest(spec, len(design), seeds, backend=backend, inputs=inputs)
    if draws:
        manifest.update({"uncertainty": "parameters + seeds (replicate r of every point takes posterior draw r)",
                         "draws": [{"replicate": i, "particle": p, **v} for i, (p, v) in enumerate(draws)]})
    manifest.update({"runs": len(tasks), "failed": int((scalars["status"] == "error").sum()),
                     "files": files, "last_session": {"ran": len(todo), "skipped": len(tasks) - len(todo),
                                                      "seconds": round(seconds, 3)}})
    output.write_json(manifest, out / "manifest.json")
    return SweepResult(out, len(tasks), len(todo), len(tasks) - len(todo), manifest["failed"], seconds, backend,
                       files, scalars, trajectories)


def sweep_inputs(spec: LoadedSpec) -> dict:
    """Everything a sweep's results depend on besides the seeds: the spec text, every file of
    the base scenario's extends chain (and the merged scenario), greatgame's version and the
    model's code."""
    from importlib import metadata

    try:
        version = metadata.version("greatgame")
    except metadata.PackageNotFoundError:
        version = "not installed"
    return {
        "spec_sha256": spec.hash,
        "scenario_sha256": spec.base.content_hash,
        "scenario_files": output.scenario_file_hashes(spec.base.files),
        "greatgame": version,
        "model_code_sha256": output.code_sha256(),
    }


def input_changes(old: dict | None, new: dict) -> list[str]:
    """What differs between the inputs recorded in a manifest and the current ones (empty: the same)."""
    if not isinstance(old, dict) or not old:
        return ["the folder's manifest records none of the sweep's inputs (written by an older greatgame)"]
    changes = []
    if old.get("spec_sha256") != new["spec_sha256"]:
        changes.append(f"a different sweep spec (spec hash {str(old.get('spec_sha256'))[:12]}, this spec "
                       f"{new['spec_sha256'][:12]})")
    of, nf = old.get("scenario_files") or [], new["scenario_files"]
    names = lambda fs: [Path(str(f.get("file"))).name for f in fs if isinstance(f, dict)]  # noqa: E731
    if names(of) != names(nf):
        changes.append(f"the scenario's files changed (were {' <- '.join(names(of)) or 'none'}, now "
                       f"{' <- '.join(names(nf))})")
    else:
        changes += [f"scenario file {Path(n['file']).name} changed (sha256 {str(o.get('sha256'))[:12]} -> "
                    f"{n['sha256'][:12]})" for o, n in zip(of, nf) if o.get("sha256") != n["sha256"]]
    if not changes and old.get("scenario_sha256") != new["scenario_sha256"]:
        changes.append("the scenario's content changed")
    if old.get("greatgame") != new["greatgame"]:
        changes.append(f"greatgame {old.get('greatgame')} -> {new['greatgame']}")
    if old.get("model_code_sha256") != new["model_code_sha256"]:
        changes.append("the model's code (greatgame.sim) changed")
    if old.get("posterior_draws_sha256") != new.get("posterior_draws_sha256"):
        changes.append("the parameter draws from --posterior changed (or --posterior was added or left out)")
    return changes


def _check_existing(store: "SweepStore", spec: LoadedSpec, inputs: dict, design: pd.DataFrame,
                    resume: bool) -> None:
    """A folder holding a sweep: continue it (--resume, same inputs only), or refuse."""
    out = store.out
    m = store.existing_manifest()
    if not store.has_results() and not (out / "scalars.parquet").exists():
        return  # a sweep that stored nothing: start it again
    if m is None:
        changes = ["the folder holds sweep tables but no manifest.json"]
    elif "unreadable" in m:
        changes = [f"its manifest.json is unreadable ({m['unreadable']})"]
    elif isinstance(m.get("inputs"), dict):
        changes = input_changes(m["inputs"], inputs)
    elif m.get("spec_sha256") != spec.hash:
        changes = [f"a different sweep spec (spec hash {str(m.get('spec_sha256'))[:12]}, this spec {spec.hash[:12]})"]
    else:
        changes = ["the folder's manifest records none of the sweep's inputs besides the spec (written by an older "
                   "greatgame), so an edited scenario cannot be ruled out"]
    if not changes and resume:
        stored = out / "design.parquet"
        try:
            same = stored.exists() and pd.read_parquet(stored).equals(design.reset_index())
        except Exception:  # noqa: BLE001
            same = False
        if not same:
            changes.append("the design built from the spec differs from the stored design.parquet (another "
                           "SALib version?)")
    if changes:
        verb = "cannot resume" if resume else "holds results of another sweep"
        raise SpecMismatch(f"{out}: {verb}: {'; '.join(changes)}; use another --out, or add --force to delete "
                           f"the old results and start over")
    if not resume:
        raise SpecMismatch(f"{out}: already holds results of this spec; add --resume to continue it, --force to "
                           f"start over, or use another --out")


def _manifest(spec: LoadedSpec, n_points: int, seeds: np.ndarray, backend: str | None,
              inputs: dict | None = None) -> dict:
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
        "inputs": inputs if inputs is not None else sweep_inputs(spec),
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
