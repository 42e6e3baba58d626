"""`greatgame calibrate` (ABC-SMC against observed data up to a cut-off year) and
`greatgame hindcast` (posterior draws × seeds over the years after it, against the
observations and three naive baselines); registered by greatgame.cli.build_parser.

See analysis/observed.py, analysis/calibration.py, analysis/hindcast.py and
docs/calibration.md."""

from __future__ import annotations

import sys
from pathlib import Path


def _shared(p) -> None:
    """Options calibrate and hindcast both take."""
    p.add_argument("--set", action="append", metavar="PATH=VALUE", default=[], help="override a scenario value")
    p.add_argument("--basis", action="append", metavar="POWER=BASIS", default=[],
                   help="the basis of the model's trade with POWER (partner, republic, or empty: any); default "
                        "china=partner, russia=republic, japan and us any (analysis/observed.py MODEL_BASIS)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def register(sub) -> None:
    c = sub.add_parser(
        "calibrate", help="estimate uncertain parameters from observed data up to a year (ABC-SMC, pyabc)",
        description="ABC-SMC (pyabc) over several patterns at once: trade levels and partner shares, trade "
                    "volatility, GDP, remittance dependence, poll orderings. Uses the observations up to --until "
                    "only; rows the model cannot produce are listed with the reason. Writes posterior.csv "
                    "(parameter sets with weights), posterior_summary.csv, diagnostics.csv (epsilon, acceptance "
                    "rate, effective sample size, distance per generation), manifest.json and the pyabc history "
                    "abc.db; running the same command again on the same --out resumes it.")
    c.add_argument("scenario", help="a shipped scenario name or a YAML file")
    c.add_argument("--observed", metavar="FILE", help="observed data CSV (default: the shipped data/observed.csv)")
    c.add_argument("--until", type=int, required=True, metavar="YEAR", help="use observations up to this year only")
    c.add_argument("--budget", type=int, metavar="N", help="total simulations (default 4000: a few minutes on one core)")
    c.add_argument("--population", type=int, metavar="N", help="particles per generation (default 200)")
    g = c.add_mutually_exclusive_group()
    g.add_argument("--workers", type=int, metavar="N", default=1,
                   help="local processes (default 1: exactly reproducible; more is faster but not bit-reproducible)")
    g.add_argument("--dask-local", type=int, metavar="N", help="a local Dask cluster of N worker processes")
    g.add_argument("--scheduler", metavar="ADDR", help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    c.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    c.add_argument("--out", metavar="DIR", help="output folder (default out/calibrate/SCENARIO-until-YEAR)")
    _shared(c)
    c.set_defaults(func=cmd_calibrate)

    h = sub.add_parser(
        "hindcast", help="out-of-sample skill: posterior draws × seeds against the observations from a year",
        description="Runs --draws parameter sets drawn from the posterior × --seeds seeds and writes hindcast.csv, "
                    "one row per observation from --from on (observed, model median and 90% interval, and the "
                    "naive baselines persistence, trend and growth fitted only on the observations before --from), "
                    "skill.csv and manifest.json; prints per series the MAPE of the model and of each baseline and "
                    "the share of observations inside the 90% interval. `greatgame plot DIR` draws it.")
    h.add_argument("scenario", help="a shipped scenario name or a YAML file (the one calibrated)")
    h.add_argument("--posterior", metavar="DIR", help="a `greatgame calibrate` folder (default: none, the "
                                                      "scenario's own values: seed noise only)")
    h.add_argument("--observed", metavar="FILE", help="observed data CSV (default: the shipped data/observed.csv)")
    h.add_argument("--from", dest="from_year", type=int, required=True, metavar="YEAR",
                   help="first year predicted (baselines use the observations before it)")
    h.add_argument("--draws", type=int, default=40, metavar="N", help="posterior draws (default 40)")
    h.add_argument("--seeds", type=int, default=5, metavar="N", help="seeds per draw (default 5)")
    h.add_argument("--seed", type=int, default=1, help="seed of the draws and runs (default 1)")
    h.add_argument("--out", metavar="DIR", help="output folder (default out/hindcast/SCENARIO-from-YEAR)")
    _shared(h)
    h.set_defaults(func=cmd_hindcast)


def _fail(msg: str) -> int:
    from .cli import EXIT_INPUT

    print(f"greatgame: error: {msg}", file=sys.stderr)
    return EXIT_INPUT


def _claim(out: Path, kind: str):
    """Lock the output folder (one writer at a time, analysis/outdir.py) and refuse one that
    holds another kind of result; returns the lock (a context manager)."""
    from greatgame.analysis import outdir

    held = outdir.existing_kind(out)
    m = outdir.read_manifest(out) if held is not None else None
    if held is not None and not (m and m.get("kind") == kind):
        raise outdir.OutputConflict(f"{out}: holds {outdir.describe(held)}, not a `greatgame "
                                    f"{'calibrate' if kind == 'calibration' else kind}` result; use another --out")
    return outdir.OutputLock(out)


def _observed(arg: str | None) -> str:
    from greatgame.analysis.observed import shipped_path

    return arg if arg else str(shipped_path())


def _positive(name: str, value: int | None) -> None:
    from .cli import CliError

    if value is not None and value < 1:
        raise CliError(f"{name}: must be ≥ 1, got {value}")


def _basis(values: list[str]) -> dict[str, str | None]:
    from greatgame.analysis.observed import BASES

    from .cli import CliError

    out = {}
    for v in values:
        power, sep, basis = v.partition("=")
        if not sep or not power or basis not in BASES:
            raise CliError(f"--basis {v}: expected POWER=BASIS with BASIS one of partner, republic, intl or "
                           f"empty (any), e.g. --basis china=republic")
        out[power.strip()] = basis or None
    return out


def cmd_calibrate(args) -> int:
    from tqdm import tqdm

    from greatgame.analysis import calibration as cal
    from greatgame.analysis.observed import ObservedDataError
    from greatgame.sim import load_scenario

    from .cli import check_scheduler, check_seed_and_years

    for name in ("--budget", "--population", "--workers", "--dask-local"):
        _positive(name, getattr(args, name.lstrip("-").replace("-", "_")))
    check_seed_and_years(args.seed, None)
    check_scheduler(args.scheduler)
    loaded = load_scenario(args.scenario, overrides=args.set)
    sc = loaded.scenario
    budget = args.budget or cal.DEFAULT_BUDGET
    population = args.population or cal.DEFAULT_POPULATION
    out = Path(args.out) if args.out else Path("out") / "calibrate" / f"{sc.name}-until-{args.until}"
    observed = _observed(args.observed)
    try:  # a malformed file is refused before --out is touched (calibrate reads it again, the same way)
        from greatgame.analysis.observed import read_observed

        read_observed(observed)
    except ObservedDataError as e:
        return _fail(str(e))
    show = not args.quiet and sys.stderr.isatty()
    print(f"Calibrating '{sc.name}' on {observed} up to {args.until}: ABC-SMC, {population} particles a generation, "
          f"budget {budget} simulations")
    with _claim(out, "calibration"), \
            tqdm(total=budget, desc="simulations", unit="sim", disable=not show, file=sys.stderr) as bar:
        def progress(done, total, t, eps):
            bar.n = min(done, total)
            bar.set_postfix_str(f"generation {t}, epsilon {eps:.3g}")
            bar.refresh()

        try:
            res = cal.calibrate(loaded, observed, args.until, out, budget=budget, population=population,
                                workers=args.workers or 1, dask_local=args.dask_local, scheduler=args.scheduler,
                                seed=args.seed, log=print, progress=progress, basis=_basis(args.basis))
        except (ObservedDataError, cal.CalibrationError) as e:
            return _fail(str(e))
        except KeyboardInterrupt:
            db = out / "abc.db"
            if db.exists():
                print(f"greatgame: interrupted: the generations done are kept in {db}; run the same command "
                      f"to resume", file=sys.stderr)
                return 130
            raise
    diag, summ = res["diagnostics"], res["summary"]
    print("\nGenerations (epsilon, acceptance rate, effective sample size, median distance):")
    for _, r in diag.iterrows():
        print(f"  {int(r['generation']):>2}  eps {r['epsilon']:.4g}  acceptance {r['acceptance_rate']:.3f}  "
              f"ESS {r['ess']:.1f}  distance {r['distance_median']:.4g}")
    last = diag.iloc[-1]
    if float(last["ess"]) < 0.1 * float(last["particles"]):
        print(f"warning: the last generation's effective sample size is {last['ess']:.1f} of "
              f"{int(last['particles'])} particles: the posterior rests on a few parameter sets; calibrate again "
              f"with a larger --population (or --budget), or another --seed, before drawing answers from it",
              file=sys.stderr)
    print("\nPosterior (weighted median and 90% interval; prior range):")
    for _, r in summ.iterrows():
        print(f"  {r['path']:<36} {r['median']:>9.4g}  [{r['lo90']:.4g}, {r['hi90']:.4g}]   "
              f"prior [{r['prior_low']:.4g}, {r['prior_high']:.4g}]")
    print(f"\nWrote {out}/: posterior.csv, posterior_summary.csv, diagnostics.csv, manifest.json, abc.db")
    print(f"Out of sample: greatgame hindcast {args.scenario} --posterior {out} --from {args.until + 1}")
    return 0


def cmd_hindcast(args) -> int:
    from greatgame.analysis.posterior import PosteriorError, load_posterior, uncertainty_label
    from greatgame.sim import load_scenario

    from .cli import check_seed_and_years

    _positive("--draws", args.draws)
    _positive("--seeds", args.seeds)
    check_seed_and_years(args.seed, None)
    loaded = load_scenario(args.scenario, overrides=args.set)
    sc = loaded.scenario
    try:
        post = load_posterior(args.posterior) if args.posterior else None
    except PosteriorError as e:
        return _fail(str(e))
    observed = _observed(args.observed)
    try:  # a malformed file is refused before --out is touched
        from greatgame.analysis.observed import ObservedDataError, read_observed

        read_observed(observed)
    except ObservedDataError as e:
        return _fail(str(e))
    out = Path(args.out) if args.out else Path("out") / "hindcast" / f"{sc.name}-from-{args.from_year}"
    label = uncertainty_label(post)
    n = args.draws * args.seeds
    print(f"Hindcast of '{sc.name}' from {args.from_year}: {args.draws} draws × {args.seeds} seeds = {n} runs; "
          f"uncertainty shown: {label}")
    with _claim(out, "hindcast"):
        return _hindcast_into(args, loaded, post, observed, out, label, n)


def _hindcast_into(args, loaded, post, observed, out, label, n) -> int:
    from tqdm import tqdm

    from greatgame.analysis import hindcast as hc
    from greatgame.analysis.observed import ObservedDataError

    sc = loaded.scenario
    show = not args.quiet and sys.stderr.isatty()
    try:
        with tqdm(total=n, desc="runs", unit="run", disable=not show, file=sys.stderr) as bar:
            table, lines, runs = hc.hindcast(loaded, post, observed, args.from_year, draws=args.draws,
                                             seeds=args.seeds, seed=args.seed, progress=bar.update,
                                             basis=_basis(args.basis))
    except (ObservedDataError, ValueError) as e:
        return _fail(str(e))
    for line in lines:
        print(line)
    sk = hc.skill(table)
    print()
    for line in hc.format_skill(sk):
        print(line)
    inside = ((table["lo90"] <= table["observed"]) & (table["observed"] <= table["hi90"]))
    trade = table["measure"] == "trade"
    print(f"\nAll: {int(inside.sum())} of {len(table)} observations inside the 90% interval"
          + (f"; trade: {int(inside[trade].sum())} of {int(trade.sum())}" if trade.any() else ""))
    from greatgame.analysis.calibration import _versions

    man = {"kind": "hindcast", "scenario": sc.name, "title": sc.title, "scenario_files": loaded.files,
           "overrides": list(args.set or []), "scenario_hash": loaded.content_hash,
           "observed_file": observed, "from": args.from_year, "draws": args.draws, "seeds_per_draw": args.seeds,
           "master_seed": args.seed, "seeds": runs["run_seeds"], "replicates": len(runs["run_seeds"]), "posterior": str(post.path) if post else None,
           "posterior_scenario": (post.manifest.get("scenario") if post else None),
           "posterior_until": (post.manifest.get("until") if post else None),
           "uncertainty": label, "model_trade_basis": _basis(args.basis) or None, "runs": runs["runs"],
           "versions": _versions(),
           "files": {"hindcast": "hindcast.csv", "skill": "skill.csv"},
           "command": " ".join(["greatgame"] + sys.argv[1:])}
    hc.write(table, out, man)
    print(f"\nWrote {out}/: hindcast.csv, skill.csv, manifest.json. Figure: greatgame plot {out}")
    return 0
