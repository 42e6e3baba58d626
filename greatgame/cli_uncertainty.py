"""`greatgame uncertainty`: which ranged inputs drive an outcome, and how much of its variance
comes from sourced magnitudes against judgement (analysis/uncertainty.py)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path


def register(sub) -> None:
    u = sub.add_parser(
        "uncertainty", help="which ranged inputs drive an outcome: Morris screen, then Sobol (SALib)",
        description="A Morris screen over every number of the scenario that has a range (sourced figures, "
                    "assumptions and the model's defaults), then Sobol first-order and total indices for the "
                    "--top inputs that matter most; prints both tables and the share of the variance from "
                    "sourced magnitudes against judgement (assumptions and defaults). Writes "
                    "out/uncertainty-SCENARIO/: indices.parquet, split.csv, inputs.csv, manifest.json and the "
                    "two sweeps (morris/, sobol/).")
    u.add_argument("scenario", help="a shipped scenario name or a YAML file")
    u.add_argument("--outcome", action="append", metavar="NAME", default=[],
                   help="a model-level outcome at the horizon or REPUBLIC:FIGURE, or the headline shift "
                        "(incumbent_shift_mean, REPUBLIC:incumbent_shift: with - without the challenger's "
                        "initiatives; twice the runs) (repeatable; default incumbent_share_mean)")
    u.add_argument("--replicates", type=int, default=2, help="runs per design point, seeds shared (default 2)")
    u.add_argument("--trajectories", type=int, default=10, help="Morris trajectories (default 10)")
    u.add_argument("--top", type=int, default=8, help="inputs taken to the Sobol stage (default 8; 0: screen only)")
    u.add_argument("--samples", type=int, default=256, help="Sobol base samples N, a power of 2 (default 256)")
    u.add_argument("--seed", type=int, default=1, help="master seed of both designs and their runs (default 1)")
    u.add_argument("--years", type=float, help="horizon in years (default: the scenario's)")
    u.add_argument("--no-defaults", action="store_true",
                   help="screen only the scenario's own numbers, not the model's default parameters")
    where = u.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    where.add_argument("--dask-local", type=int, metavar="N", help="run on a local Dask cluster of N workers")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on an existing Dask scheduler")
    u.add_argument("--out", metavar="DIR", help="output folder (default out/uncertainty-SCENARIO)")
    u.add_argument("--resume", action="store_true", help="continue a killed run in --out (same settings only)")
    u.add_argument("--show", type=int, default=15, metavar="N", help="rows of the Morris table printed (default 15)")
    u.add_argument("--quiet", action="store_true", help="no progress bar")
    u.set_defaults(func=cmd_uncertainty)


def cmd_uncertainty(args) -> int:
    from greatgame.analysis.sensitivity import AnalysisError

    try:
        return _uncertainty(args)
    except AnalysisError as e:
        print(f"greatgame: error: {e}", file=sys.stderr)
        return 1


def _uncertainty(args) -> int:
    from greatgame.analysis.uncertainty import run_uncertainty

    from .cli import CliError, check_scheduler, check_seed_and_years
    from .cli_sweep import progress_bar

    for flag, v in (("--workers", args.workers), ("--dask-local", args.dask_local)):
        if v is not None and v < 1:
            raise CliError(f"{flag}: must be ≥ 1, got {v}")
    check_scheduler(args.scheduler)
    check_seed_and_years(args.seed, args.years)
    outcomes = [o.strip() for name in args.outcome for o in name.split(",") if o.strip()]
    bars = []

    def stages(stage, n):
        print(f"{'Morris screen' if stage == 'morris' else 'Sobol indices'}: {n} runs ...", flush=True)

    def progress(stage, n):
        bar = progress_bar(n, stage, args.quiet)
        bars.append(bar)
        return bar.update

    try:
        res = run_uncertainty(args.scenario, outcomes, trajectories=args.trajectories, samples=args.samples,
                              top=args.top, replicates=args.replicates, seed=args.seed, years=args.years,
                              include_defaults=not args.no_defaults, out=args.out, workers=args.workers,
                              dask_local=args.dask_local, scheduler=args.scheduler, resume=args.resume,
                              progress=progress, stages=stages)
    except KeyboardInterrupt:
        out = args.out or f"out/uncertainty-{Path(args.scenario).stem}"
        print(f"greatgame: interrupted: the finished runs are stored in {out}/; continue with the same command "
              f"and --resume", file=sys.stderr)
        return 130
    finally:
        for b in bars:
            b.close()
    print_report(res, show=args.show)
    return 0


def _fmt(v: float) -> str:
    return f"{v:g}"


def print_report(res, show: int = 15) -> None:
    inp = res.inputs
    c = inp.counts()
    print(f"\nUncertainty of '{res.scenario}': {len(inp.screened)} ranged inputs screened ({c['sourced']} sourced, "
          f"{c['assumption']} assumptions, {c['default']} model defaults); not screened: {len(inp.fixed)} fixed "
          f"(a one-point range), {len(inp.composition)} initial-alignment shares (a composition), "
          f"{len(inp.unranged)} without a range")
    leaders = [p for o in res.outcomes
               for p in res.morris.wide[o]["mu_star"].fillna(0).sort_values(ascending=False).index[:show]]
    width = max([len("input")] + [len(p) for p in leaders + res.top]) + 2
    for o in res.outcomes:
        print(f"\n{o}: Morris screen, {res.runs['morris']} runs (mu*: mean absolute effect of moving the input "
              f"across its range)")
        wide = res.morris.wide[o]
        mine = list(wide["mu_star"].fillna(0).sort_values(ascending=False, kind="stable").index)
        print(f"  {'input':<{width}}{'kind':<12}{'range':<22}{'mu*':>9}{'conf':>9}{'sigma':>9}")
        for p in mine[:show]:
            r = wide.loc[p]
            rg = next(x for x in inp.screened if x.path == p)
            print(f"  {p:<{width}}{res.kind(p):<12}{'[' + _fmt(rg.low) + ', ' + _fmt(rg.high) + ']':<22}"
                  f"{r['mu_star']:>9.4f}{r['mu_star_conf']:>9.4f}{r['sigma']:>9.4f}")
        if len(mine) > show:
            print(f"  ... {len(mine) - show} more in indices.parquet")
        for note in res.morris.notes.get(o, []):
            print(f"  note: {note}")
        if res.sobol is not None:
            print(f"\n{o}: Sobol indices of the top {len(res.top)}, {res.runs['sobol']} runs (S1: alone; ST: with "
                  f"interactions; the other inputs held at their values)")
            w = res.sobol.wide[o].sort_values(["ST", "S1"], ascending=False, na_position="last")
            print(f"  {'input':<{width}}{'kind':<12}{'S1':>16}{'ST':>16}")
            for p, r in w.iterrows():
                s1 = "n/a" if r["S1"] != r["S1"] else f"{r['S1']:.3f} ± {r['S1_conf']:.3f}"
                st = "n/a" if r["ST"] != r["ST"] else f"{r['ST']:.3f} ± {r['ST_conf']:.3f}"
                print(f"  {p:<{width}}{res.kind(p):<12}{s1:>16}{st:>16}")
            for note in res.sobol.notes.get(o, []):
                print(f"  note: {note}")
        print()
        for line in split_lines(res, o):
            print(textwrap.fill(line, 100, subsequent_indent="  "))
    print(f"\nWrote {res.out}/: {', '.join(res.files)}, morris/" + (", sobol/" if res.sobol is not None else ""))


def split_lines(res, outcome: str) -> list[str]:
    s = res.split[res.split["outcome"] == outcome].set_index(["stage", "group"])
    out = []
    m_src, m_jdg = s.loc[("morris", "sourced"), "share"], s.loc[("morris", "judgement"), "share"]
    if m_src == m_src:
        d = s.loc[("morris", "judgement"), "share_defaults"]
        out.append(f"Screen (all {len(res.inputs.screened)} inputs, shares of Σ mu*²): sourced figures "
                   f"{m_src:.1%}, judgement {m_jdg:.1%} (the model's defaults {d:.1%}, the scenario's "
                   f"assumptions {m_jdg - d:.1%}).")
    else:
        out.append("Screen: no input moves the outcome; there is no variance to apportion.")
    if ("sobol", "sourced") in s.index:
        src, jdg = s.loc[("sobol", "sourced")], s.loc[("sobol", "judgement")]
        total = src["sum"] + jdg["sum"]
        if src["share"] == src["share"]:
            out.append(f"Sobol (top {len(res.top)}): first-order effects explain {total:.0%} of the variance; of "
                       f"that, sourced figures {src['share']:.0%} ({int(src['inputs'])} inputs, ΣS1 "
                       f"{src['sum']:.3f}, ΣST {src['sum_ST']:.3f}), judgement {jdg['share']:.0%} "
                       f"({int(jdg['inputs'])} inputs, ΣS1 {jdg['sum']:.3f}, ΣST {jdg['sum_ST']:.3f}; the model's "
                       f"defaults {jdg['share_defaults']:.0%})."
                       + (" No sourced figure is among the top inputs." if not src["inputs"] else ""))
        else:
            out.append("Sobol: the outcome does not vary over the top inputs; the indices are undefined.")
    return out
