"""`greatgame sensitivity` (SALib Sobol or Morris indices of a sweep's outcomes) and
`greatgame discover` (PRIM scenario discovery, optionally CART, on a sweep's results)."""

from __future__ import annotations

import sys
from concurrent.futures import BrokenExecutor
from pathlib import Path


def register(sub) -> None:
    """Add this module's subcommands to the greatgame parser."""
    s = sub.add_parser("sensitivity", help="sensitivity indices of a sweep's outcomes (SALib: Sobol or Morris)",
                       description="Run the sweep of a spec whose design is sobol or morris (or read an existing "
                                   "one with --results; a finished sweep of the same spec in its default out/sweep-NAME is "
                                   "read, not re-run) and print, per outcome, Sobol first-order and total "
                                   "indices or Morris mu*, sigma; writes sensitivity.parquet.")
    s.add_argument("spec", help="a sweep spec (YAML file, or a shipped spec's name) with design: sobol or morris")
    s.add_argument("--outcome", action="append", metavar="NAME", default=[],
                   help="a scalar outcome of the sweep (repeatable; default: those the spec's "
                        "outcomes.scalars names, else wedge_achieved and incumbent_share_mean)")
    where = s.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    where.add_argument("--dask-local", type=int, metavar="N", help="run on a local Dask cluster of N workers")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on an existing Dask scheduler")
    s.add_argument("--out", metavar="DIR",
                   help="output folder (default out/sensitivity-SPECNAME; with --results, that folder)")
    s.add_argument("--resume", action="store_true",
                   help="continue a killed sweep in --out (only if the spec, scenario files and greatgame are unchanged)")
    s.add_argument("--force", action="store_true",
                   help="delete the results --out holds (another sweep, another kind of result) and start over")
    s.add_argument("--results", metavar="DIR", help="analyse the finished sweep in DIR instead of running it")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_sensitivity)

    d = sub.add_parser("discover", help="scenario discovery (PRIM, optionally CART) on a sweep's results",
                       description="Which parameter ranges make an outcome happen? PRIM peels the sweep's "
                                   "parameter space towards a box dense in runs of interest; prints the "
                                   "coverage/density trade-off and the chosen box; writes discovery.json and "
                                   "prim_trajectory.parquet.")
    d.add_argument("results", help="a sweep's results folder (greatgame sweep --out)")
    d.add_argument("--outcome", default="wedge_achieved", metavar="NAME",
                   help="the outcome: a flag, or a number with --threshold (default wedge_achieved)")
    d.add_argument("--threshold", type=float, metavar="T", help="runs of interest: outcome >= T (numeric outcomes)")
    d.add_argument("--min-mass", type=float, default=0.05, metavar="M",
                   help="smallest box, as a share of runs (default 0.05)")
    d.add_argument("--peel-alpha", type=float, default=0.05, metavar="A",
                   help="share of the box peeled off at each step (default 0.05)")
    d.add_argument("--box", type=int, metavar="N",
                   help="the box of the peeling trajectory to report (default: the last with coverage >= 0.5)")
    d.add_argument("--cart", action="store_true", help="also fit a classification tree and print its rules")
    d.add_argument("--out", metavar="DIR", help="output folder (default RESULTS/discovery)")
    d.set_defaults(func=cmd_discover)


def _fail(msg: str) -> int:
    from .cli import EXIT_INPUT

    print(f"greatgame: error: {msg}", file=sys.stderr)
    return EXIT_INPUT


# ---------------------------------------------------------------- sensitivity


def cmd_sensitivity(args) -> int:
    from greatgame.analysis.sensitivity import AnalysisError

    try:
        return _sensitivity(args)
    except AnalysisError as e:
        return _fail(str(e))


def _sensitivity(args) -> int:
    from greatgame.analysis import sensitivity as sa
    from greatgame.analysis.spec import read_spec
    from greatgame.analysis.sweep import SpecMismatch, run_sweep

    from .cli import CliError, cap_workers, check_scheduler, default_out, note
    from .cli_sweep import progress_bar, resume_command, stored_runs

    if args.results and (args.resume or args.force or args.dask_local or args.scheduler or args.workers != 1):
        raise CliError("--results analyses a finished sweep; it takes no --resume, --force, --workers, --dask-local "
                       "or --scheduler")
    if args.resume and args.force:
        raise CliError("--resume continues the sweep in --out and --force deletes it; give one of them")
    cap_workers(args)
    check_scheduler(args.scheduler)
    spec = read_spec(args.spec)
    s = spec.spec
    sa.check_design(s, where=args.spec)
    requested = [o.strip() for name in args.outcome for o in name.split(",") if o.strip()]
    # Outcomes are checked before anything runs: each must be one the sweep records.
    if not args.results:
        sa.check_outcomes(requested, [o for o in spec.scalars])
    name = s.name or Path(spec.file).stem
    design = spec.design()
    n_runs = len(design) * s.replicates
    what = (f"N = {s.samples} base samples, {len(design)} points" if s.design == "sobol"
            else f"{s.samples} trajectories of {len(s.parameters) + 1} points, {s.levels or 4} levels")
    print(f"Sensitivity of sweep '{name}' (scenario '{spec.base.scenario.name}'): {s.design} design, {what}, "
          f"{s.replicates} replicate{'s' if s.replicates > 1 else ''} each = {n_runs} runs, "
          f"{len(s.parameters)} parameters, master seed {s.seed}")

    if not args.results and not args.out and not args.resume:
        # The usual order is `greatgame sweep SPEC` then `greatgame sensitivity SPEC`: analyse
        # that finished sweep rather than run it again.
        found = _finished_sweep(default_out("sweep-", name, "sweep name"), spec, n_runs)
        if found is not None:
            args.results = str(found)
            print(f"Found the finished sweep of this spec in {found}/; analysing it "
                  f"(to run it afresh, give --out DIR)")
    if args.results:
        folder = Path(args.results)
        manifest, scalars = sa.read_sweep_folder(folder)
        if manifest.get("design") not in sa.DESIGNS:
            raise sa.AnalysisError(f"{folder}: a '{manifest.get('design')}' sweep; sensitivity analysis needs a sweep "
                                   f"whose design is sobol or morris")
        if manifest.get("spec_sha256") != spec.hash:
            raise sa.AnalysisError(f"{folder}: holds a sweep of another spec (spec hash "
                                   f"{str(manifest.get('spec_sha256'))[:12]}, {args.spec} has {spec.hash[:12]}); "
                                   f"give the spec the sweep was run with ({folder / 'spec.yaml'} holds a copy)")
        if len(scalars) < n_runs:
            raise sa.AnalysisError(f"{folder}: holds {len(scalars)} of the {n_runs} runs; finish the sweep with: "
                                   f"greatgame sweep {args.spec} --out {folder} --resume")
        out = Path(args.out) if args.out else folder
        print(f"Read {len(scalars)} runs from {folder}/")
    else:
        folder = Path(args.out) if args.out else default_out("sensitivity-", name, "sweep name")
        try:
            with progress_bar(n_runs, "runs", args.quiet) as bar:
                result = run_sweep(spec, folder, workers=args.workers, dask_local=args.dask_local,
                                   scheduler=args.scheduler, resume=args.resume, progress=bar.update,
                                   force=args.force, notify=note)
        except SpecMismatch as e:
            msg = str(e)
            if "add --resume" in msg:
                msg += f" (or analyse them as they are: --results {folder})"
            raise SpecMismatch(msg) from None
        except (KeyboardInterrupt, BrokenExecutor) as e:
            what = "interrupted" if isinstance(e, KeyboardInterrupt) else "a worker process died"
            print(f"greatgame: {what}: {stored_runs(folder)} of {n_runs} runs are stored in {folder}/; continue "
                  f"with: {resume_command('sensitivity', args.spec, folder)}", file=sys.stderr)
            return 130 if isinstance(e, KeyboardInterrupt) else 1
        scalars = result.scalars
        rate = result.ran / result.seconds if result.seconds > 0 else float("nan")
        failed = f"; {result.failed} of {result.total} runs FAILED (left out of the means)" if result.failed else ""
        if result.ran:
            print(f"Ran {result.ran} runs in {result.seconds:.1f} s ({rate:.0f} runs/s) on {result.backend}"
                  + (f"; {result.skipped} already done" if result.skipped else "") + failed)
        else:
            print(f"All {result.total} runs were already stored in {folder}/; nothing to run{failed}")
        out = folder

    res = sa.analyse(s, scalars, requested or None)
    conf = f"{sa.CONF_LEVEL:.0%} confidence, {sa.NUM_RESAMPLES} bootstrap resamples"
    for outcome in res.wide:
        mean_note = f"mean of {res.replicates} replicates per point" if res.replicates > 1 else "one run per point"
        if s.design == "sobol":
            head = f"Sobol indices of {outcome} ({mean_note}; ± = {conf}), most influential first:"
        else:
            head = (f"Morris elementary effects of {outcome} per unit of each parameter's range ({mean_note}; "
                    f"conf = {conf} on mu*), most influential first:")
        print(f"\n{head}")
        for note in res.notes.get(outcome, []):
            print(f"  note: {note}")
        for line in sa.format_table(outcome, res):
            print(f"  {line}")
    if s.design == "sobol":
        print("\nS1: share of the outcome's variance due to the parameter alone; ST: including its interactions. "
              "Wide intervals mean too few samples for a firm ranking.")
    else:
        print("\nmu*: mean absolute effect (importance); sigma: spread of the effects (interactions or "
              "non-linearity).")
    path = sa.write_table(res.table, out)
    print(f"Wrote {path} ({len(res.table)} rows: outcome, parameter, index, value, conf)")
    return 0


def _finished_sweep(folder: Path, spec, n_runs: int) -> Path | None:
    """``folder`` if it holds every run of this spec's sweep, with the same inputs (spec,
    scenario files, greatgame)."""
    import json

    import pandas as pd

    from greatgame.analysis.sweep import input_changes, sweep_inputs

    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or input_changes(manifest.get("inputs"), sweep_inputs(spec)):
            return None
        runs = pd.read_parquet(folder / "scalars.parquet", columns=["run"])
    except Exception:  # noqa: BLE001 - anything unreadable: not a finished sweep to reuse
        return None
    return folder if runs["run"].nunique() >= n_runs else None


# ---------------------------------------------------------------- discovery


def cmd_discover(args) -> int:
    from greatgame.analysis.sensitivity import AnalysisError

    try:
        return _discover(args)
    except AnalysisError as e:
        return _fail(str(e))


def _discover(args) -> int:
    from greatgame.analysis import discovery as disc

    disc.check_options(args.peel_alpha, args.min_mass)
    table = disc.load_sweep(args.results)
    sc = table.scalars
    params = list(table.parameters)
    y_all, target = disc.make_y(sc, args.outcome, args.threshold, params)
    ok = (sc["status"] == "ok").to_numpy() if "status" in sc else True
    ok = ok & sc[args.outcome].notna().to_numpy()
    failed = int((~ok).sum())
    runs = sc[ok]
    y = y_all[ok]
    n, k = len(y), int(y.sum())
    left_out = f" ({failed} failed run{'s' if failed > 1 else ''} left out)" if failed else ""
    print(f"Scenario discovery on {table.path}/: {n} runs{left_out}, {len(params)} parameters; "
          f"runs of interest: {target}")
    if n == 0:
        print("No successful run: nothing to discover.")
        return 0
    if k == 0:
        print(f"No run is of interest ({target}) among the {n} runs: nothing to discover. Widen the sweep's "
              f"ranges, or choose another outcome or threshold.")
        return 0
    if k == n:
        print(f"Every run is of interest ({target}), all {n} of them: nothing to discover. Widen the sweep's "
              f"ranges, or choose another outcome or threshold.")
        return 0
    x, dropped = disc.make_x(runs, table.parameters, table.values)
    print(f"{k} of {n} runs are of interest ({k / n:.1%}).")
    for d in dropped:
        print(f"  left out: {d}")
    res = disc.discover(x, y, peel_alpha=args.peel_alpha, mass_min=args.min_mass, box=args.box, target=target,
                        dropped=dropped, kinds=table.parameters)

    print(f"\nPRIM peeling trajectory ({len(res.trajectory)} boxes, peel alpha {args.peel_alpha:g}, min mass "
          f"{args.min_mass:g}); a few of them:")
    rows = disc.summary_rows(res)
    print(f"  {'box':>4} {'coverage':>9} {'density':>8} {'mass':>6} {'dims':>5}  restricted")
    for _, r in rows.iterrows():
        mark = "*" if r["box"] == res.chosen else " "
        print(f"{mark} {int(r['box']):>4} {r['coverage']:>9.3f} {r['density']:>8.3f} {r['mass']:>6.3f} "
              f"{int(r['res_dim']):>5}  {_clip(r['restricted'] or '-', 90)}")
    st = res.stats
    print(f"\nChosen box {res.chosen} (*): {res.rule}")
    print(f"  coverage {st['coverage']:.3f} ({st['k']} of the {k} runs of interest are inside), density "
          f"{st['density']:.3f} ({st['k']} of the {st['n']} runs inside), mass {st['mass']:.3f}")
    for line in disc.format_box(res):
        print(line)
    print("  (qp: quasi-p-value of each limit, a one-sided binomial test; small = the limit matters)")

    if args.cart:
        res.cart = disc.cart_rules(x, y, mass_min=args.min_mass)
        c = res.cart
        print(f"\nCART (scikit-learn tree, depth <= {c['max_depth']}, leaves of >= {c['min_leaf']} runs; "
              f"{c['leaves']} leaves, accuracy {c['accuracy']:.3f}); leaves where {target} is the majority:")
        lines = disc.dumps_rules(c)
        print("\n".join(lines) if lines else "  none: no leaf holds a majority of runs of interest")

    out = Path(args.out) if args.out else Path(table.path) / "discovery"
    extra = {"results": str(table.path), "outcome": args.outcome, "threshold": args.threshold,
             "peel_alpha": args.peel_alpha, "min_mass": args.min_mass}
    files = disc.write(res, out, extra)
    print(f"\nWrote {out}/: {', '.join(f.name for f in files)}")
    return 0


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
