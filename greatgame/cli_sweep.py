"""`greatgame sweep`: run a parameter sweep from a spec file (see analysis/spec.py)."""

from __future__ import annotations

import sys
from concurrent.futures import BrokenExecutor
from pathlib import Path


def register(sub) -> None:
    s = sub.add_parser("sweep", help="run a parameter sweep (grid, LHS, Sobol, Morris or a list of points)",
                       description="Run every point of a sweep spec, replicated, and store one row per run "
                                   "(scalars.parquet) and trajectories at the spec's resolution.")
    s.add_argument("spec", help="a shipped sweep spec's name (japan_money, tour_grid, sobol_wedge, morris_screen) or "
                                "a spec file (YAML); see README 'Experiments'")
    s.add_argument("--out", help="output folder (default out/sweep-SPECNAME)")
    where = s.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    where.add_argument("--dask-local", type=int, metavar="N", help="run on a local Dask cluster of N workers (127.0.0.1)")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on an existing Dask scheduler")
    s.add_argument("--resume", action="store_true",
                   help="continue a killed sweep in --out (only if the spec, scenario files and greatgame are unchanged)")
    s.add_argument("--force", action="store_true",
                   help="delete the results --out holds (another sweep, another kind of result) and start over")
    s.add_argument("--dry-run", action="store_true", help="print the design's size and first rows; run nothing")
    s.add_argument("--posterior", metavar="DIR", help="replicate r of every point draws its parameters from a "
                                                      "`greatgame calibrate` posterior (seeded by the spec's seed; "
                                                      "the design's own values win; 'draw' column)")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_sweep)


def progress_bar(total: int, desc: str, quiet: bool):
    """A tqdm bar on stderr with rate and ETA; silent with --quiet or when stderr is not a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="run", disable=quiet or not sys.stderr.isatty(), file=sys.stderr,
                smoothing=0.1)


def stored_runs(out: Path) -> int:
    """How many runs a (killed) sweep folder holds, quietly (unreadable parts count as none)."""
    from greatgame.analysis.sweep import SweepStore

    try:
        done, _ = SweepStore(out).completed()
    except Exception:  # noqa: BLE001 - a count for a message; never a traceback
        return 0
    return len(done)


def resume_command(command: str, spec: str, out: Path) -> str:
    import shlex

    return f"greatgame {command} {shlex.quote(str(spec))} --out {shlex.quote(str(out))} --resume"


def cmd_sweep(args) -> int:
    from greatgame.analysis.spec import read_spec
    from greatgame.analysis.sweep import rerun_command, run_seeds, run_sweep

    from .cli import CliError, cap_workers, check_scheduler, default_out, note

    cap_workers(args)
    check_scheduler(args.scheduler)
    if args.resume and args.force:
        raise CliError("--resume continues the sweep in --out and --force deletes it; give one of them")
    spec = read_spec(args.spec)
    s = spec.spec
    design = spec.design()
    n_runs = len(design) * s.replicates
    name = s.name or Path(spec.file).stem
    out = Path(args.out) if args.out else default_out("sweep-", name, "sweep name")
    print(f"Sweep '{name}' of scenario '{spec.base.scenario.name}': {s.design} design, {len(design)} points x "
          f"{s.replicates} replicate{'s' if s.replicates > 1 else ''} = {n_runs} runs, master seed {s.seed}"
          + (", common random numbers" if s.common_random_numbers and s.replicates else ""))
    draws = None
    if args.posterior:  # replicate r of every point draws parameter set r (analysis/posterior.py)
        from .cli import _posterior_arg

        post, info = _posterior_arg(args)
        draws = post.draw(s.replicates, s.seed)
        print(f"Uncertainty shown: {info['uncertainty']}")
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
                               scheduler=args.scheduler, resume=args.resume, progress=bar.update,
                               force=args.force, notify=note, draws=draws)
    except (KeyboardInterrupt, BrokenExecutor) as e:
        what = "interrupted" if isinstance(e, KeyboardInterrupt) else "a worker process died"
        print(f"greatgame: {what}: {stored_runs(out)} of {n_runs} runs are stored in {out}/; continue with: "
              f"{resume_command('sweep', args.spec, out)}", file=sys.stderr)
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    rate = result.ran / result.seconds if result.seconds > 0 else float("nan")
    print(f"Ran {result.ran} runs in {result.seconds:.1f} s ({rate:.0f} runs/s) on {result.backend}"
          + (f"; {result.skipped} already done" if result.skipped else ""))
    if result.failed:
        first = result.scalars[result.scalars["status"] == "error"].iloc[0]
        print(f"{result.failed} of {result.total} runs FAILED (recorded with their error; first: run "
              f"{first['run']}: {first['error']})")
        if result.failed == result.total:
            print(f"greatgame: error: every one of the {result.total} runs failed (first: {first['error']}); "
                  f"the errors are in {out}/scalars.parquet", file=sys.stderr)
            return 1
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
