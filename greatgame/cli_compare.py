"""`greatgame compare` (paired counterfactual runs of two arms) and `greatgame wedge` (the
headline answer: how often the challenger achieves the wedge, and what its initiatives do).
See analysis/compare.py."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import numpy as np


def register(sub) -> None:
    """Add this module's subcommands to the greatgame parser."""
    c = sub.add_parser(
        "compare", help="paired runs of two scenarios (or one without some initiatives): effects with CIs",
        description="Run arm A and arm B with common random numbers (run i of both arms uses the same seed) and "
                    "report, per wedge measure, the mean paired difference with a bootstrap confidence interval. "
                    "'compare A B': effect = B - A. 'compare A --without NAME': B is A with initiative NAME "
                    "switched off, and the effect reported is the initiative's: with - without = A - B.")
    c.add_argument("scenario", help="arm A: a shipped scenario name or a YAML file")
    c.add_argument("other", nargs="?", metavar="B", help="arm B: another scenario (or use --without)")
    c.add_argument("--without", action="append", metavar="INITIATIVE", default=[],
                   help="arm B is A with this initiative switched off (repeatable)")
    _common(c, replicates=20, kind="compare-A-vs-B")
    c.set_defaults(func=cmd_compare)

    w = sub.add_parser(
        "wedge", help="the headline answer: how often the challenger achieves the wedge, and what its initiatives do",
        description="Probability that the wedge is achieved in the scenario as given (Wilson score interval), the "
                    "same without the challenger's initiatives (those whose power is wedge.challenger), and the "
                    "shift in the incumbents' alignment share due to those initiatives, per republic and overall "
                    "(paired runs, bootstrap intervals).")
    w.add_argument("scenario", help="a shipped scenario name or a YAML file")
    _common(w, replicates=50, kind="wedge-SCENARIO")
    w.set_defaults(func=cmd_wedge)


def _common(p, replicates: int, kind: str) -> None:
    p.add_argument("--replicates", type=int, default=replicates, metavar="K",
                   help=f"runs per arm, seeds spawned from --seed (default {replicates})")
    p.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    p.add_argument("--years", type=float, help="horizon in years (default: the scenario's)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE", default=[],
                   help="override a scenario value in every arm, e.g. parameters.adjustment_rate=0.02 (repeatable)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    where.add_argument("--dask-local", type=int, metavar="N", help="run on a local Dask cluster of N workers")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on an existing Dask scheduler")
    p.add_argument("--resamples", type=int, default=2000, metavar="N",
                   help="bootstrap resamples of the pairs (default 2000)")
    p.add_argument("--out", metavar="DIR", help=f"output folder (default out/{kind})")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="table format (default parquet)")
    p.add_argument("--every", type=int, default=1, metavar="Q",
                   help="keep the republics' trajectories (for plots) every Q quarters (default 1; 0 keeps none)")
    p.add_argument("--posterior", metavar="DIR",
                   help="run i of every arm draws its parameters from a `greatgame calibrate` posterior (seeded by "
                        "--seed; 'draw' column): the spread then shows parameters + seeds, not seeds only")
    p.add_argument("--ranges", action="store_true",
                   help="run i of every arm also draws every input that has a range (sourced figures within their "
                        "uncertainty, assumptions, the model's defaults) uniformly from it: the spread then covers "
                        "judgement too; with --posterior, the posterior's values replace the draws of its parameters; "
                        "--set values are kept")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true",
                   help="write into --out even if it holds another kind of result (deleting it first)")


def _posterior_arg(args):
    from .cli import _posterior_arg as load

    return load(args)


def _draws(args, K: int, loaded=None):
    """(draws or None, manifest fields, the draws table or None) for --posterior and --ranges."""
    from .cli import parameter_draws

    draws, extra, table = parameter_draws(args, K, loaded)
    print(f"Uncertainty shown: {extra['uncertainty']}")
    return draws, extra, table


def _check(args) -> None:
    from greatgame.analysis import limits

    from .cli import CliError, cap_workers, check_count, check_scheduler, check_seed_and_years

    check_count(args.replicates, limits.MAX_PAIRS, "--replicates", "for more runs use a sweep")
    check_seed_and_years(args.seed, args.years)
    check_scheduler(args.scheduler)
    if args.every < 0:
        raise CliError(f"--every: must be ≥ 0 (0 keeps no trajectories), got {args.every}")
    try:
        limits.check_resamples(args.resamples, args.replicates)
    except limits.LimitError as e:
        raise CliError(str(e)) from None
    cap_workers(args)


def _claim(args, out: Path, kind: str) -> None:
    """Lock --out for this command (released by _release) and refuse a folder of another kind."""
    from .cli import claim_out

    args.lock = claim_out(out, kind, args.force)


def _release(args) -> None:
    lock = getattr(args, "lock", None)
    if lock is not None:
        lock.release()


def _fail(msg: str) -> int:
    from .cli import EXIT_INPUT

    print(f"greatgame: error: {msg}", file=sys.stderr)
    return EXIT_INPUT


def _names(sc, powers) -> str:
    return " + ".join(sc.powers[p].name or p for p in powers)


def _span(sc) -> str:
    return f"{sc.start} + {sc.years:g} years"


# ---------------------------------------------------------------- compare


def cmd_compare(args) -> int:
    from greatgame.analysis.compare import CompareError

    try:
        return _compare(args)
    except CompareError as e:
        return _fail(str(e))
    finally:
        _release(args)


def _compare(args) -> int:
    from greatgame.analysis import compare as cmp

    from .cli import CliError
    from .cli_sweep import progress_bar

    _check(args)
    if args.other is not None and args.without:
        raise CliError("give either a second scenario B or --without INITIATIVE, not both")
    if args.other is None and not args.without:
        raise CliError("give a second scenario B, or --without INITIATIVE to compare the scenario without it")
    _posterior_arg(args)  # a bad --posterior is refused before --out is touched
    a, b, sign, definition = cmp.prepare(args.scenario, args.other, args.without, args.years, args.replicates,
                                         args.resamples, overrides=args.set)
    sc = a.scenario
    K = args.replicates
    if args.out:
        out = Path(args.out)
    else:
        other = f"{sc.name}-without-{'-'.join(b.disabled)}" if b.disabled else b.scenario.name
        out = cmp.default_out("compare", sc.name, other)
    _claim(args, out, "compare")
    crn = (f"run i of both arms uses seed i of SeedSequence({args.seed}) (master seed {args.seed})" if K > 1
           else f"both arms use seed {args.seed}")
    print(f"Comparing {K} pair{'s' if K > 1 else ''} of runs, {_span(sc)}, with common random numbers: {crn}")
    print(f"  A = {a.label}")
    print(f"  B = {b.label}")
    if sign < 0:
        what = ", ".join(b.disabled)
        them = "the initiative" if len(b.disabled) == 1 else "the initiatives"
        print(f"  effect = A - B = with {what} - without: the effect of {them}")
    else:
        print("  effect = B - A")

    draws, post_info, draws_table = _draws(args, K, a.loaded)
    with progress_bar(2 * K, "runs", args.quiet) as bar:
        res = cmp.run_comparison(a, b, sign, definition, K, args.seed, workers=args.workers,
                                 resamples=args.resamples, dask_local=args.dask_local, scheduler=args.scheduler,
                                 progress=bar.update, every=args.every or None, draws=draws)
    for note in res.notes:
        print(f"  note: {note}")

    inc = _names(sc, sc.wedge.incumbents)
    ch = _names(sc, [sc.wedge.challenger])
    labels = {
        "incumbent_share": f"(a) {inc} share",
        "challenger_share": f"(b) {ch} share",
        "incumbent_forums": f"{inc} forums (memberships)",
        "challenger_forums": f"{ch} forums (memberships)",
        "opposite_republics": f"(c) republics opposite {inc}",
        "wedge_achieved": "(d) wedge achieved (share of runs)",
        "wedged_republics": "(d) wedged republics",
    }
    width = max(len(v) for v in labels.values()) + 2
    print(f"\nFinal step ({res.runs['date'].iloc[0]}), mean over {K} pair{'s' if K > 1 else ''}; 95% CI: percentile bootstrap of the "
          f"mean paired difference ({args.resamples:,} resamples of the pairs, seeded from --seed):")
    print(f"{'measure':<{width}}{'republic':<14}{'A':>8}{'B':>8}{'effect':>10}   95% CI")
    last, starred = None, False
    for _, r in res.effects.iterrows():
        name = labels[r["measure"]] if r["measure"] != last else ""
        last = r["measure"]
        excludes = K > 1 and (r["ci_low"] > 0 or r["ci_high"] < 0)
        starred = starred or excludes
        print(f"{name:<{width}}{r['republic']:<14}{r['mean_A']:>8.3f}{r['mean_B']:>8.3f}{r['effect']:>+10.4f}   "
              f"[{r['ci_low']:+.4f}, {r['ci_high']:+.4f}]{' *' if excludes else ''}")
    print(("* the interval excludes zero. " if starred else "")
          + "Shares are of each republic's alignment (0-1); forums count memberships of the forums each side "
            "convenes (member 1, observer parameters.observer_level); 'all' is the mean over the republics.")

    files = _write(out, args, res.runs, res.effects, a.loaded, res.seeds, {
        "kind": "compare",
        "arms": {arm.key: _arm_info(arm) for arm in (a, b)},
        "effect": definition,
        "bootstrap": {"resamples": args.resamples, "level": res.level, "method": "percentile, pairs resampled",
                      "generator": "numpy default_rng(SeedSequence(master_seed, spawn_key=(0x626F6F74,)))"},
        "backend": res.backend, **post_info,
    }, tables={"trajectories": res.trajectories, "draws": draws_table})
    print(f"\nWrote {out}/: {', '.join(files)}")
    print("Re-run any pair alone with the seeds in the 'seed' column, e.g. run 0: " + _rerun(args, b, res.seeds[0]))
    return 0


def _arm_info(arm) -> dict:
    sc = arm.scenario
    return {"label": arm.label, "scenario": sc.name, "files": arm.loaded.files,
            "scenario_sha256": arm.loaded.content_hash, "disabled": list(arm.disabled),
            "initiatives": {k: v.enabled for k, v in sc.initiatives.items()}}


def _rerun(args, b, seed: int) -> str:
    years = f" --years {args.years:g}" if args.years is not None else ""
    years += "".join(f" --set {shlex.quote(o)}" for o in args.set or [])
    a_cmd = f"greatgame run {shlex.quote(args.scenario)} --seed {seed}{years}"
    if b.disabled:
        sets = " ".join(f"--set initiatives.{n}.enabled=false" for n in b.disabled)
        return f"{a_cmd} (A); {a_cmd} {sets} (B)"
    return f"{a_cmd} (A); greatgame run {shlex.quote(args.other)} --seed {seed}{years} (B)"


def _write(out: Path, args, runs, effects, loaded, seeds, extra: dict, tables: dict | None = None) -> list[str]:
    """Every table under a temporary name, then renamed; the manifest last."""
    from greatgame.analysis import output

    from .cli import replace_results

    replace_results(out)
    files = {}
    for stem, df in {"runs": runs, "effects": effects, **(tables or {})}.items():
        if df is None:
            continue
        files[stem] = output.write_table(df, out / stem, args.format).name
    man = output.manifest(loaded, seeds, args.seed, files, extra={**extra, "overrides": list(args.set or []),
                                                                 "format": args.format})
    output.write_json(man, out / "manifest.json")
    return list(files.values()) + ["manifest.json"]


# ---------------------------------------------------------------- wedge


def _pct(x: float) -> str:
    return f"{100 * x:.0f}" if x == 0 or x >= 0.01 or x == 1 else f"{100 * x:.1f}"


def _prob(p, how: str = "") -> str:
    return f"{p.k} of {p.n} runs: {_pct(p.p)}% (95% CI {_pct(p.low)}–{_pct(p.high)}%{how})"


def cmd_wedge(args) -> int:
    from greatgame.analysis.compare import CompareError

    try:
        return _wedge(args)
    except CompareError as e:
        return _fail(str(e))
    finally:
        _release(args)


def _wedge(args) -> int:
    from greatgame.analysis import compare as cmp
    from greatgame.sim import load_scenario

    from .cli_sweep import progress_bar

    _check(args)
    _posterior_arg(args)  # a bad --posterior is refused before --out is touched
    loaded = load_scenario(args.scenario, overrides=args.set, years=args.years)
    sc = loaded.scenario
    K = args.replicates
    names = cmp.challenger_initiatives(sc)
    out = Path(args.out) if args.out else cmp.default_out("wedge", sc.name)
    _claim(args, out, "wedge")
    inc = _names(sc, sc.wedge.incumbents)
    ch = _names(sc, [sc.wedge.challenger])
    print(f"Can {ch} drive a wedge between the republics and {inc}? Scenario '{sc.name}'"
          + (f" ({sc.title})" if sc.title else "") + f", {_span(sc)}, {K} run{'s' if K > 1 else ''}, "
          f"master seed {args.seed}")
    several = len(sc.wedge.incumbents) > 1
    print(f"The wedge: at the horizon, in at least one republic {inc}{' together hold' if several else ' holds'} "
          f"less than {sc.parameters.wedge_incumbent_share:g} of its alignment and {ch} at least as much as "
          f"{'each of them' if several else 'it'}.")

    draws, post_info, draws_table = _draws(args, K, loaded)
    with progress_bar(K * (2 if names else 1), "runs", args.quiet) as bar:
        rep = cmp.wedge_report(loaded, K, args.seed, workers=args.workers, resamples=args.resamples,
                               dask_local=args.dask_local, scheduler=args.scheduler, progress=bar.update,
                               every=args.every or None, draws=draws)

    w = rep.with_initiatives
    wo = rep.without_initiatives
    if wo is None:
        print(f"\nNo counterfactual: {rep.note}.")
    else:
        e = rep.effects[rep.effects["measure"] == "incumbent_share"]
        print(f"\nThe headline: {inc} share of each republic's alignment at the horizon, with and without {ch}'s "
              f"initiatives ({', '.join(names)}; {ch}'s routine budget and strategy stay as given), mean over {K} "
              f"paired runs; shift = with − without, in percentage points; 95% CI: bootstrap interval of the mean "
              f"shift ({args.resamples:,} resamples of the pairs); 5–95% of pairs: the spread of the shift itself, "
              f"which covers "
              + ("seed noise only, not parameter uncertainty (give --posterior, e.g. --posterior history, "
                 "or --ranges, or see `greatgame uncertainty`):" if draws is None
                 else f"{_covered(args)} and seeds:"))
        print(f"  {'republic':<14}{'with':>8}{'without':>9}{'shift':>9}   {'95% CI':<18}  5–95% of pairs")
        for _, r in list(e.iloc[1:].iterrows()) + [(0, e.iloc[0])]:
            name = "all (mean)" if r["republic"] == "all" else r["republic"]
            ci = f"[{100 * r['ci_low']:+.2f}, {100 * r['ci_high']:+.2f}]"
            print(f"  {name:<14}{100 * r['mean_A']:>7.1f}%{100 * r['mean_B']:>8.1f}%{100 * r['effect']:>+9.2f}   "
                  f"{ci:<18}  [{100 * r['pairs_p05']:+.2f}, {100 * r['pairs_p95']:+.2f}]")
        _print_channels(rep, inc)
        _print_forums(rep, inc, ch)
    _print_thresholds(rep, ch, inc, sc.parameters.wedge_incumbent_share)
    print(f"\nRule (d) at the scenario's threshold {sc.parameters.wedge_incumbent_share:g}, in any republic: "
          f"{_prob(w, ', Wilson score interval')}")
    wedged = {r: n for r, n in rep.wedged_runs.items() if n}
    if wedged:
        print("  where: " + ", ".join(f"{r} ({n} run{'s' if n > 1 else ''})" for r, n in wedged.items()))
    if wo is not None:
        print(f"  without {ch}'s initiatives, same seeds: {_prob(wo)}")
    print(f"\nAnswer: {_answer(rep, ch, inc, covered=_covered(args) if draws is not None else None)}")

    files = _write(out, args, rep.runs, rep.effects, loaded, rep.seeds, {
        "kind": "wedge",
        "challenger": rep.challenger, "incumbents": rep.incumbents,
        "counterfactual_disabled": names, "note": rep.note or None,
        "wedge": {"with_initiatives": _prop_json(w), "without_initiatives": _prop_json(wo) if wo else None,
                  "interval": "Wilson score, 95%"},
        "effect": rep.comparison.definition if rep.comparison else None,
        "bootstrap": {"resamples": args.resamples, "level": rep.level, "method": "percentile, pairs resampled"},
        "backend": rep.backend, **post_info,
    }, tables={"wedge": rep.probability_table(), "thresholds": rep.thresholds, "channels": rep.channels,
               "trajectories": rep.trajectories, "draws": draws_table})
    print(f"\nWrote {out}/: {', '.join(files)}")
    return 0


def _prop_json(p) -> dict:
    return {"wedge_runs": p.k, "runs": p.n, "probability": p.p, "ci_low": p.low, "ci_high": p.high}


def _print_channels(rep, inc: str) -> None:
    """Through which channels the shift comes: the incumbents' share of each channel."""
    c = rep.channels
    if c is None or c.empty:
        return
    table = c.pivot(index="channel", columns="republic", values="shift")
    republics = [r for r in rep.scenario.republics if r in table.columns]
    print(f"\nBy channel: shift in {inc} share of each channel's scores (with − without, percentage points; "
          f"blank: no power active in the channel):")
    print(f"  {'channel':<13}" + "".join(f"{r[:12]:>13}" for r in republics))
    for ch_name in [k for k in c["channel"].unique()]:
        cells = []
        for r in republics:
            v = table.loc[ch_name, r]
            cells.append(f"{'':>13}" if not np.isfinite(v) else f"{100 * v:>+13.2f}")
        print(f"  {ch_name:<13}" + "".join(cells))


def _print_forums(rep, inc: str, ch: str) -> None:
    """The shift in forum memberships: a wedge in the institutional sense (leaving the CSTO,
    joining the challenger's format), which alignment shares alone do not show."""
    e = rep.effects.set_index(["measure", "republic"])
    republics = [r for r in rep.scenario.republics]
    print(f"\nForum memberships at the horizon (member 1, observer {rep.scenario.parameters.observer_level:g}; with "
          f"/ without, and the mean shift):")
    print(f"  {'forums of':<22}" + "".join(f"{r[:12]:>20}" for r in republics))
    for measure, who in (("incumbent_forums", inc), ("challenger_forums", ch)):
        cells = []
        for r in republics:
            row = e.loc[(measure, r)]
            cells.append(f"{row['mean_A']:.2f} / {row['mean_B']:.2f} {row['effect']:>+6.2f}")
        print(f"  {who[:22]:<22}" + "".join(f"{c:>20}" for c in cells))


def _print_thresholds(rep, ch: str, inc: str, rule: float) -> None:
    """Rule (d), republic by republic, at each threshold: how arbitrary the 0.5 line is."""
    t = rep.thresholds
    if t is None or t.empty:
        return
    levels = sorted(t["threshold"].unique())
    several = len(rep.scenario.wedge.incumbents) > 1
    rule_text = (f"{inc} together below the threshold and {ch} at least as much as each" if several
                 else f"{inc} below the threshold and {ch} at least as much")
    print(f"\nRule (d) per republic — {rule_text} — share of runs with {ch}'s initiatives"
          + (" (without them)" if rep.without_initiatives else "") + ":")
    print(f"  {'republic':<14}" + "".join(f"{f'< {x:.2f}':>14}" for x in levels))
    for r in rep.scenario.republics:
        cells = []
        for x in levels:
            a = t[(t.arm == "A") & (t.republic == r) & (t.threshold == x)].iloc[0]
            cell = f"{_pct(a.probability)}%"
            if rep.without_initiatives is not None:
                b = t[(t.arm == "B") & (t.republic == r) & (t.threshold == x)].iloc[0]
                cell += f" ({_pct(b.probability)}%)"
            cells.append(f"{cell:>14}")
        print(f"  {r:<14}" + "".join(cells))
    print(f"  ({rep.with_initiatives.n} runs per cell; the scenario's own threshold is {rule:g})")


def _covered(args) -> str:
    """What the parameter draws of a wedge or compare cover, in words."""
    post = "the posterior" if getattr(args, "posterior", None) else None
    if getattr(args, "ranges", False):
        return "every ranged input drawn from its range" + (" (calibrated ones from the posterior)" if post else "")
    return "parameters drawn from the posterior"


def _answer(rep, ch: str, inc: str, covered: str | None = None) -> str:
    """The headline answer: the shift per republic first, then rule (d) as one measure."""
    w, sc = rep.with_initiatives, rep.scenario
    rule = f"rule (d) at {sc.parameters.wedge_incumbent_share:g} holds in {w.k} of {w.n} runs " \
           f"({_pct(w.p)}%, CI {_pct(w.low)}–{_pct(w.high)}%)"
    if rep.without_initiatives is None:
        return (f"'{sc.name}' has no initiative of {ch}'s to switch off, so nothing measures its effect; "
                f"{rule}.")
    e = rep.effects[rep.effects["measure"] == "incumbent_share"].set_index("republic")
    moved, still = [], []
    for r in sc.republics:
        x = e.loc[r]
        lo, hi = 100 * x["ci_low"], 100 * x["ci_high"]
        (still if lo <= 0 <= hi else moved).append((r, 100 * x["effect"], lo, hi))
    overall = e.loc["all"]
    head = (f"{ch}'s initiatives move {inc} share of the republics' alignment by {100 * overall['effect']:+.2f} "
            f"points on average (CI {100 * overall['ci_low']:+.2f} to {100 * overall['ci_high']:+.2f}; 5–95% of "
            f"pairs {100 * overall['pairs_p05']:+.2f} to {100 * overall['pairs_p95']:+.2f})")
    if moved:
        big = max(moved, key=lambda m: abs(m[1]))
        head += (f"; most in {big[0]} ({big[1]:+.2f}, CI {big[2]:+.2f} to {big[3]:+.2f}), least in "
                 + "{} ({:+.2f})".format(*min(moved, key=lambda m: abs(m[1]))[:2]))
    if still:
        head += f"; no measurable shift in {', '.join(r for r, *_ in still)}"
    wo = rep.without_initiatives
    return (f"{head}. A wedge in the sense of rule (d): {rule}; {_pct(wo.p)}% without the initiatives. "
            + (f"Intervals cover {covered} and seeds." if covered else "Intervals cover seed noise only."))
