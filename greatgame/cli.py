"""The greatgame command line: run, validate, scenarios, sources; experiments (sweep,
compare, wedge, sensitivity, discover, uncertainty) are registered from cli_sweep,
cli_compare, cli_analyse and cli_uncertainty.

Bad input ends in one line on stderr (file, field, what was expected) and a
non-zero exit status; nothing is written unless the scenario validates.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import textwrap
from pathlib import Path

EXIT_USAGE = 2
EXIT_INPUT = 1


class CliError(Exception):
    """An error to print as one line."""


def _fail(msg: str, code: int = EXIT_INPUT) -> int:
    print(f"greatgame: error: {msg}", file=sys.stderr)
    return code


# ---------------------------------------------------------------- commands


def cmd_scenarios(args) -> int:
    from greatgame.sim.scenario import load_scenario, shipped_dir, shipped_names

    print(f"Shipped scenarios ({shipped_dir()}):")
    for name in shipped_names():
        try:
            sc = load_scenario(name).scenario
            extends = f"  [extends {sc.extends}]" if sc.extends else ""
            print(f"  {name:<20} {sc.title}{extends}")
        except Exception as e:  # a broken shipped file should not hide the others
            print(f"  {name:<20} (invalid: {e})")
    print("Run one with: greatgame run NAME   (or a path to your own YAML file)")
    from greatgame.analysis.spec import shipped_spec_names, shipped_specs_dir

    print(f"\nShipped sweep specs ({shipped_specs_dir()}): {', '.join(shipped_spec_names())}")
    print("Run one with: greatgame sweep NAME [--dry-run]   (or a path to your own spec)")
    return 0


def cmd_validate(args) -> int:
    from greatgame.sim import ScenarioError, load_scenario
    from greatgame.sim.scenario import check_range_ends, input_ranges

    status = 0
    for f in args.files:
        try:
            ls = load_scenario(f, overrides=args.set)
        except ScenarioError as e:
            print(f"greatgame: error: {e}", file=sys.stderr)
            status = EXIT_INPUT
            continue
        sc = ls.scenario
        ranges = input_ranges(ls, include_defaults=True)
        mine = [r for r in ranges.values() if r.kind != "default"]
        counts = {k: sum(1 for r in mine if r.kind == k) for k in ("sourced", "assumption", "unsourced")}
        unranged = [r for r in ranges.values() if not r.ranged]
        problems = []
        if args.strict:
            for r in unranged:
                if r.kind == "unsourced":
                    why = "a bare number: give it a source or an assumption, and a range: [low, high]"
                elif r.kind == "default":
                    why = "a model default without a range in sim/ranges.py"
                elif r.kind == "sourced":
                    why = f"no range: add uncertainty: (relative, e.g. 0.1) or range: [low, high] (value {r.value:g})"
                else:
                    why = f"no range: add range: [low, high] (value {r.value:g})"
                problems.append(f"{f}: {r.path}: {why}")
            problems += [str(e) for e in check_range_ends(ls, ranges)]
        summary = (f"{f}: scenario '{sc.name}', {len(sc.powers)} powers, {len(sc.republics)} republics, "
                   f"{len(sc.active_forums())} forums, {len(sc.active_events())} events; figures: "
                   f"{counts['sourced']} sourced, {counts['assumption']} assumptions, {counts['unsourced']} unsourced; "
                   f"{len(ranges) - len(unranged)} of {len(ranges)} numbers (with the model's defaults) have a range")
        if not problems:
            print(f"ok: {summary}")
            continue
        print(summary)
        for line in problems:
            print(f"greatgame: error: {line}", file=sys.stderr)
        bare = counts["unsourced"]
        print(f"greatgame: error: {f}: {len(problems)} problem{'s' if len(problems) > 1 else ''}: "
              f"{len(unranged)} number{'s' if len(unranged) != 1 else ''} without a range"
              + (f" ({bare} with neither a source nor an assumption)" if bare else "")
              + (f", {len(problems) - len(unranged)} range{'s' if len(problems) - len(unranged) != 1 else ''} "
                 f"outside what the field accepts" if len(problems) > len(unranged) else ""),
              file=sys.stderr)
        status = EXIT_INPUT
    return status


def _numbers(ls):
    from greatgame.sim.scenario import numbers

    return numbers(ls.raw)


def cmd_sources(args) -> int:
    from greatgame.analysis.figures import figure_rows
    from greatgame.sim import load_scenario

    ls = load_scenario(args.scenario, overrides=args.set)
    if args.csv is not None:
        return _sources_csv(ls, args)
    rows = figure_rows(ls, include_defaults=not args.no_defaults)
    if args.unsourced:
        rows = [r for r in rows if r["status"] == "unsourced"]
    width = max(20, min(120, _term_width()))
    print(f"Figures of scenario '{ls.scenario.name}' ({', '.join(ls.files)}):")
    counts = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
        label = {"source": "SOURCE", "assumption": "ASSUMED", "default": "DEFAULT", "unsourced": "UNSOURCED"}[r["status"]]
        rng = f"   range [{r['low']:g}, {r['high']:g}]" if r.get("low") is not None else ""
        print(f"{r['path']} = {r['value']}   [{label}]{rng}")
        detail = r["detail"]
        if r["status"] == "source":
            detail = f"{r['source']}: {detail}"
        for line in textwrap.wrap(detail, width - 4):
            print(f"    {line}")
        if r.get("quote"):
            for line in textwrap.wrap(f'"{r["quote"]}"', width - 4):
                print(f"    {line}")
        if r.get("note"):
            for line in textwrap.wrap(f"note: {r['note']}", width - 4):
                print(f"    {line}")
    print("Totals: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


CSV_COLUMNS = ["path", "value", "kind", "source", "low", "high"]


def _sources_csv(ls, args) -> int:
    """Every number as path,value,kind,source,low,high (low and high blank without a range)."""
    import csv
    import io

    from greatgame.sim.scenario import input_ranges

    rows = input_ranges(ls, include_defaults=not args.no_defaults).values()
    if args.unsourced:
        rows = [r for r in rows if r.kind == "unsourced"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        w.writerow([r.path, repr(r.value) if isinstance(r.value, float) else r.value, r.kind, r.source,
                    "" if r.low is None else repr(r.low), "" if r.high is None else repr(r.high)])
    if args.csv == "-":
        sys.stdout.write(buf.getvalue())
    else:
        from greatgame.analysis import output

        target = Path(args.csv)
        if target.is_dir():
            raise CliError(f"--csv {target}: is a folder; expected a file name (or - for standard output)")
        output.write_text(buf.getvalue(), target)
        print(f"Wrote {target}: {len(rows)} numbers of scenario '{ls.scenario.name}' (columns {','.join(CSV_COLUMNS)})")
    return 0


def _term_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 100


MAX_SEED = 2**63 - 1  # seeds are stored as 64-bit integers in every table


def check_seed_and_years(seed: int, years: float | None) -> None:
    """Refuse what would fail later (a seed the tables cannot hold, a horizon that is not a
    positive number of years, or beyond the limit) before anything runs or is written."""
    from greatgame.analysis import limits

    if not 0 <= seed <= MAX_SEED:
        raise CliError(f"--seed: expected a whole number from 0 to 2^63-1, got {seed}")
    try:
        limits.check_years(years)
    except limits.LimitError as e:
        raise CliError(str(e)) from None


def check_count(value: int, limit: int, flag: str, hint: str = "") -> None:
    from greatgame.analysis import limits

    try:
        limits.check_count(value, limit, flag, hint)
    except limits.LimitError as e:
        raise CliError(str(e)) from None


def cap_workers(args) -> None:
    """--workers and --dask-local: at least 1, and at most the CPU count (with a notice)."""
    from greatgame.analysis import limits

    for attr, flag in (("workers", "--workers"), ("dask_local", "--dask-local")):
        v = getattr(args, attr, None)
        if v is None:
            continue
        if v < 1:
            raise CliError(f"{flag}: must be ≥ 1, got {v}")
        capped, notice = limits.cap_workers(v)
        if notice:
            print(f"note: {flag}: {notice}", file=sys.stderr)
            setattr(args, attr, capped)


def note(msg: str) -> None:
    """A one-line notice on stderr."""
    print(f"note: {msg}", file=sys.stderr)


def default_out(prefix: str, name: str, what: str) -> Path:
    """out/PREFIXNAME for a name that is safe as a folder name (one line otherwise)."""
    from greatgame.analysis.outdir import safe_name

    return Path("out") / f"{prefix}{safe_name(name, what)}"


def claim_out(out: Path, kind: str, force: bool):
    """Lock the output folder and refuse (unless --force) one that holds another kind of
    result. Returns the lock (a context manager)."""
    from greatgame.analysis import outdir

    lock = outdir.OutputLock(out).acquire()
    try:
        if lock.took_over:
            note(f"{out}: took over the lock left by process {lock.took_over}, which is no longer running")
        outdir.check_kind(out, kind, force)
    except BaseException:
        lock.release()
        raise
    return lock


def replace_results(out: Path) -> None:
    """Delete the results a folder held (manifest first) just before new ones are written, so
    no table of another format or kind stays beside the new manifest."""
    from greatgame.analysis import outdir

    outdir.clean(out)


def check_scheduler(address: str | None) -> None:
    """A Dask scheduler address must say where: [PROTOCOL://]HOST:PORT."""
    import re

    if address is not None and not re.fullmatch(r"(?:[a-z]+://)?(?:\[[0-9a-fA-F:]+\]|[^\s:/\[\]]+):\d{1,5}", address):
        raise CliError(f"--scheduler {address}: expected a Dask scheduler address like tcp://HOST:PORT "
                       f"(e.g. tcp://10.0.0.5:8786)")


def cmd_run(args) -> int:
    from tqdm import tqdm

    from greatgame.analysis import output, runs
    from greatgame.sim import load_scenario

    from greatgame.analysis.limits import MAX_RUN_REPLICATES

    check_count(args.replicates, MAX_RUN_REPLICATES, "--replicates",
                "a run keeps every step of every actor; for more runs use `greatgame wedge` or a sweep")
    check_seed_and_years(args.seed, args.years)
    loaded = load_scenario(args.scenario, overrides=args.set, years=args.years)
    sc = loaded.scenario
    seeds = runs.replicate_seeds(args.seed, args.replicates)
    out = Path(args.out) if args.out else default_out("", sc.name, "scenario name")
    # --posterior / --ranges: parameters drawn per replicate (analysis/posterior.py, analysis/uncertainty.py)
    draws, extra, draws_table = parameter_draws(args, len(seeds), loaded)
    if "draws" in extra:  # a run's rows are replicates
        extra["draws"] = [{"replicate": d.pop("run"), **d} for d in extra["draws"]]
    show = not args.quiet and sys.stderr.isatty()
    with claim_out(out, "run", args.force):
        print(f"Scenario '{sc.name}': {sc.title} — {sc.start} + {sc.years:g} years ({sc.steps} quarterly steps), "
              f"{len(seeds)} replicate{'s' if len(seeds) > 1 else ''}, seed {args.seed}")
        with tqdm(total=len(seeds), desc="replicates", unit="run", disable=not show, file=sys.stderr) as bar:
            actors, model_df, events = runs.run_replicates(loaded, seeds, progress=bar.update, draws=draws)

        replace_results(out)
        files = {}
        files["actors"] = output.write_table(actors, out / "actors", args.format).name
        files["model"] = output.write_table(model_df, out / "model", args.format).name
        files["events"] = output.write_table(events, out / "events", "csv").name
        if draws_table is not None:
            files["draws"] = output.write_table(draws_table.rename(columns={"run": "replicate"}), out / "draws",
                                                args.format).name
        man = output.manifest(loaded, seeds, args.seed, files,
                              extra={"overrides": list(args.set or []), "format": args.format, **extra})
        output.write_json(man, out / "manifest.json")

    _print_summary(loaded, actors, model_df)
    if len(seeds) > 1:
        print(f"Spread over replicates: {extra['uncertainty']}")
    print(f"\nWrote {out}/: {', '.join(files.values())}, manifest.json")
    if len(seeds) > 1 and draws_table is not None:
        print("Re-run any replicate alone with its seed and its draws as --set (draws table: replicate, input, drawn)")
    elif len(seeds) > 1 and draws is not None:
        print("Re-run any replicate alone with its seed and its draw's values as --set (manifest.json: 'draws')")
    elif len(seeds) > 1:
        print(f"Re-run any replicate alone with: greatgame run {shlex.quote(args.scenario)} --seed SEED "
              f"(seeds in manifest.json and in the 'seed' column)")
    return 0


def _posterior_arg(args):
    """(Posterior or None, manifest fields saying which uncertainty the replicates show)."""
    from greatgame.analysis.posterior import PosteriorError, load_posterior, uncertainty_label

    post = None
    if getattr(args, "posterior", None):
        try:
            post = load_posterior(args.posterior)
        except PosteriorError as e:
            raise CliError(str(e)) from None
        drawn = set(post.parameters)
        for text in getattr(args, "set", None) or []:
            path = text.split("=", 1)[0].strip()
            if path in drawn:
                raise CliError(f"--set {path}: --posterior {args.posterior} draws this value for every run; "
                               f"drop one of the two")
    return post, {"uncertainty": uncertainty_label(post), "posterior": str(post.path) if post else None}


def parameter_draws(args, K: int, loaded):
    """Each run's parameters for --posterior (analysis/posterior.py) and --ranges
    (analysis/uncertainty.range_draws: every ranged input drawn uniformly from its range; the
    posterior's values replace the draws of its parameters; --set values are kept).
    Returns (draws or None, manifest fields, the draws table or None)."""
    post, extra = _posterior_arg(args)
    draws = post.draw(K, args.seed) if post is not None else None
    table = None
    if getattr(args, "ranges", False):
        import pandas as pd

        from greatgame.analysis.uncertainty import RANGES_KEY, range_draws
        from greatgame.sim.scenario import parse_assignment

        kept = {parse_assignment(o)[0] for o in getattr(args, "set", None) or []}
        values, drawn = range_draws(loaded, K, args.seed, exclude=kept)
        draws = ([(p, {**values[i], **v}) for i, (p, v) in enumerate(draws)] if draws
                 else [(-1, v) for v in values])
        calibrated = f"; the calibrated ones from the posterior in {post.path}" if post is not None else ""
        extra["uncertainty"] = (f"parameters + seeds (each run draws every one of {len(drawn)} inputs with a range "
                                f"uniformly from it{calibrated})")
        extra["ranges"] = {"inputs": len(drawn), "generator": f"numpy default_rng(SeedSequence({args.seed}, "
                                                              f"spawn_key=({RANGES_KEY:#x},)))",
                           "kept": sorted(kept), "table": "draws"}
        table = pd.DataFrame([{"run": i, "input": k, "drawn": float(x)} for i, (_, v) in enumerate(draws)
                              for k, x in v.items()])
    elif draws:
        extra["draws"] = [{"run": i, "particle": p, **v} for i, (p, v) in enumerate(draws)]
    return draws, extra, table


def _print_summary(loaded, actors, model_df) -> None:
    from greatgame.analysis import runs

    sc = loaded.scenario
    powers = list(sc.powers)
    table = runs.final_alignment(actors, powers, sc.wedge.incumbents)
    end = model_df["date"].iloc[-1]
    reps = model_df["replicate"].nunique()
    print(f"\nAlignment in {end}" + (f" (mean of {reps} replicates)" if reps > 1 else "") + ":")
    names = {p: (sc.powers[p].name or p) for p in powers}
    width = {p: max(14, len(names[p]) + 2) for p in powers}
    header = (f"{'republic':<14}" + "".join(f"{names[p]:>{width[p]}}" for p in powers)
              + f"{'+'.join(x[:2].upper() for x in sc.wedge.incumbents):>10}")
    print(header)
    for rep, row in table.iterrows():
        print(f"{rep:<14}" + "".join(f"{row[p]:>{width[p]}.3f}" for p in powers) + f"{row.iloc[-1]:>10.3f}")
    w = runs.wedge_summary(model_df, actors)
    inc = " + ".join(names[p] for p in sc.wedge.incumbents)
    ch = names[sc.wedge.challenger]
    print("\nWedge measures (final step):")
    print(f"  (a) mean {inc} alignment share: {w['incumbent_share_mean']:.3f}")
    print(f"  (b) mean {ch} alignment share: {w['challenger_share_mean']:.3f}")
    opp = {k: v for k, v in w["opposite_frequency"].items() if v > 0}
    opp_text = ", ".join(f"{k} ({v:.0%})" for k, v in opp.items()) if opp else "none"
    print(f"  (c) republics in {ch}'s bloc, opposite {inc} (landscape theory): {opp_text}")
    print(f"  (d) wedge achieved: {w['wedge_runs']} of {w['replicates']} runs ({w['wedge_probability']:.0%})"
          f" — some republic gives {inc}{' together' if len(sc.wedge.incumbents) > 1 else ''} < "
          f"{sc.parameters.wedge_incumbent_share:g} and {ch} at least as much as "
          f"{'each' if len(sc.wedge.incumbents) > 1 else 'it'}")
    wedged = {k: v for k, v in w["wedged_frequency"].items() if v > 0}
    if wedged:
        print("      wedged republics: " + ", ".join(f"{k} ({v:.0%} of runs)" for k, v in wedged.items()))
    print(f"      stricter (also in {ch}'s landscape bloc): {w['wedge_in_landscape_runs']} of {w['replicates']} runs")
    print(f"  (the landscape split (c) is reported, not part of any headline: docs/model.md §7.10)")
    if sc.initiatives:
        post = " --posterior history" if sc.name == "history" else ""
        print(f"\nThese describe {'one run' if reps == 1 else f'{reps} runs'}; the answer is the shift each republic "
              f"makes because of {ch}'s initiatives, with intervals: greatgame wedge {sc.name}{post}")


# ---------------------------------------------------------------- parser


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("greatgame")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="greatgame",
        description="Agent-based simulation of great-power competition in Central Asia.",
        epilog="Examples: greatgame run abe_2015 --replicates 20 | greatgame sources kishida_2024 | "
               "greatgame validate my_scenario.yaml",
    )
    p.add_argument("--version", action="version", version=f"greatgame {version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    r = sub.add_parser("run", help="run a scenario and write tidy results")
    r.add_argument("scenario", help="a shipped scenario name (see 'greatgame scenarios') or a YAML file")
    r.add_argument("--seed", type=int, default=1, help="seed of the run, or master seed of the replicates (default 1)")
    r.add_argument("--years", type=float, help="horizon in years (default: the scenario's)")
    r.add_argument("--replicates", type=int, default=1, help="number of runs with seeds spawned from --seed")
    r.add_argument("--out", help="output folder (default out/SCENARIO)")
    r.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="table format (default parquet)")
    r.add_argument("--set", action="append", metavar="PATH=VALUE", default=[],
                   help="override a scenario value, e.g. powers.japan.budget.grants=0.5 (repeatable)")
    r.add_argument("--posterior", metavar="DIR", help="draw each replicate's parameters from a `greatgame calibrate` "
                                                      "posterior (seeded by --seed; 'draw' column in the tables)")
    r.add_argument("--ranges", action="store_true",
                   help="each replicate also draws every input that has a range uniformly from it (the calibrated "
                        "ones from --posterior when given; --set values kept); draws table")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--force", action="store_true",
                   help="write into --out even if it holds another kind of result (deleting it first)")
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("validate", help="check scenario files; one line per problem")
    v.add_argument("files", nargs="+")
    v.add_argument("--set", action="append", metavar="PATH=VALUE", default=[])
    v.add_argument("--strict", action="store_true", help="also fail on any number without a range (and so on bare numbers, with neither a "
                        "source nor an assumption): one line per path, then a count")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("scenarios", help="list the shipped scenarios")
    s.set_defaults(func=cmd_scenarios)

    so = sub.add_parser("sources", help="print every figure of a scenario with its source or assumption")
    so.add_argument("scenario")
    so.add_argument("--set", action="append", metavar="PATH=VALUE", default=[])
    so.add_argument("--unsourced", action="store_true", help="only the numbers with neither source nor assumption")
    so.add_argument("--no-defaults", action="store_true", help="leave out model parameters left at their defaults")
    so.add_argument("--csv", nargs="?", const="-", metavar="FILE",
                    help="write path,value,kind,source,low,high (kind: sourced, assumption, default, unsourced) "
                         "to FILE, or to standard output with - or no FILE")
    so.set_defaults(func=cmd_sources)

    # Experiment commands live in their own modules, each with register(subparsers).
    from . import cli_analyse, cli_app, cli_calibrate, cli_compare, cli_plot, cli_sweep, cli_uncertainty

    for module in (cli_sweep, cli_compare, cli_analyse, cli_plot, cli_uncertainty, cli_app, cli_calibrate):
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C while the libraries are still being imported
        return _fail("interrupted; no partial output was written", 130)


def _main(argv: list[str] | None = None) -> int:
    from concurrent.futures import BrokenExecutor

    from greatgame.analysis.limits import LimitError
    from greatgame.analysis.outdir import OutputConflict
    from greatgame.sim import ScenarioError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as e:
        return _fail(str(e))
    except CliError as e:
        return _fail(str(e), EXIT_USAGE)
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (OutputConflict, ConnectionError) as e:  # after BrokenPipeError, a ConnectionError too
        return _fail(str(e))
    except LimitError as e:
        return _fail(str(e), EXIT_USAGE)
    except BrokenExecutor as e:
        return _fail(f"a worker process died ({str(e).splitlines()[0] if str(e) else type(e).__name__}); "
                     f"nothing was written")
    except OSError as e:
        return _fail(f"{e.filename + ': ' if getattr(e, 'filename', None) else ''}{e.strerror or e}")
    except KeyboardInterrupt:
        return _fail("interrupted; no partial output was written", 130)


if __name__ == "__main__":
    sys.exit(main())
