"""`greatgame sweep`: run a parameter sweep from a spec file (see analysis/spec.py)."""

from __future__ import annotations

import sys
from pathlib import Path


def register(sub) -> None:
    s = sub.add_parser("sweep", help="run a parameter sweep (grid, LHS, Sobol, Morris or a list of points)",
                       description="Run every point of a sweep spec, replicated, and store one row per run "
                                   "(scalars.parquet) and trajectories at the spec's resolution.")
    s.add_argument("spec", help="sweep spec (YAML); see README 'Experiments' and the examples in sweeps/")
    s.add_argument("--out", help="output folder (default out/sweep-SPECNAME)")
    where = s.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    where.add_argument("--dask-local", type=int, metavar="N", help="run on a local Dask cluster of N workers (127.0.0.1)")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on an existing Dask scheduler")
    s.add_argument("--resume", action="store_true", help="continue a killed sweep in --out (same spec only)")
    s.add_argument("--dry-run", action="store_true", help="print the design's size and first rows; run nothing")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_sweep)


def progress_bar(total: int, desc: str, quiet: bool):
    """A tqdm bar on stderr with rate and ETA; silent with --quiet or when stderr is not a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="run", disable=quiet or not sys.stderr.isatty(), file=sys.stderr,
                smoothing=0.1)


def cmd_sweep(args) -> int:
    from greatgame.analysis.spec import read_spec
    from greatgame.analysis.sweep import rerun_command, run_seeds, run_sweep

    from .cli import CliError, check_scheduler

    for flag, v in (("--workers", args.workers), ("--dask-local", args.dask_local)):
        if v is not None and v < 1:
            raise CliError(f"{flag}: must be ≥ 1, got {v}")
    check_scheduler(args.scheduler)
    spec = read_spec(args.spec)
    s = spec.spec
    design = spec.design()
    n_runs = len(design) * s.replicates
    name = s.name or Path(args.spec).stem
    out = Path(args.out) if args.out else Path("out") / f"sweep-{name}"
    print(f"Sweep '{name}' of scenario '{spec.base.scenario.name}': {s.design} design, {len(design)} points x "
          f"{s.replicates} replicate{'s' if s.replicates > 1 else ''} = {n_runs} runs, master seed {s.seed}"
          + (", common random numbers" if s.common_random_numbers and s.replicates else ""))
    if args.dry_run:
        import pandas as pd

        seeds = run_seeds(spec, len(design))
        shown = design.head(8).copy()
        shown.insert(0, "seeds", [", ".join(str(x) for x in seeds[i][:3]) + (" …" if s.replicates > 3 else "")
                                  for i in range(len(shown))])
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(shown.to_string())
        if len(design) > len(shown):
            print(f"... and {len(design) - len(shown)} more points")
        print(f"Outcomes: {', '.join(spec.scalars)}")
        if spec.trajectory_columns:
            print(f"Trajectories every {s.outcomes.trajectories.every} steps: {', '.join(spec.trajectory_columns)}")
        print(f"Dry run: nothing written (would write to {out}/)")
        return 0

    try:
        with progress_bar(n_runs, "runs", args.quiet) as bar:
            result = run_sweep(spec, out, workers=args.workers, dask_local=args.dask_local,
                               scheduler=args.scheduler, resume=args.resume, progress=bar.update)
    except KeyboardInterrupt:
        from greatgame.analysis.sweep import SweepStore

        done, _ = SweepStore(out).completed()
        print(f"greatgame: interrupted: {len(done)} of {n_runs} runs are stored in {out}/; continue with: "
              f"greatgame sweep {args.spec} --out {out} --resume", file=sys.stderr)
        return 130
    rate = result.ran / result.seconds if result.seconds > 0 else float("nan")
    print(f"Ran {result.ran} runs in {result.seconds:.1f} s ({rate:.0f} runs/s) on {result.backend}"
          + (f"; {result.skipped} already done" if result.skipped else ""))
    if result.failed:
        first = result.scalars[result.scalars["status"] == "error"].iloc[0]
        print(f"{result.failed} of {result.total} runs FAILED (recorded with their error; first: run "
              f"{first['run']}: {first['error']})")
    else:
        print(f"All {result.total} runs succeeded.")
    ok = result.scalars[result.scalars["status"] == "ok"]
    if "wedge_achieved" in ok and len(ok):
        print(f"Wedge achieved in {int(ok['wedge_achieved'].sum())} of {len(ok)} runs "
              f"({ok['wedge_achieved'].mean():.1%}).")
    if len(ok):
        print("Re-run one alone, e.g. run 0: " + rerun_command(spec, result.scalars.iloc[0]))
    print(f"Wrote {out}/: {', '.join(sorted(set(result.files.values())))}")
    print(f"Load with: python -c \"from greatgame import analysis; r = analysis.load_results('{out}'); print(r.scalars)\"")
    return 0
