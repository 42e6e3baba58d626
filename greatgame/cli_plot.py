"""`greatgame plot` (figures of saved results) and `greatgame report` (one self-contained
HTML file), registered by greatgame.cli.build_parser. Neither runs the model: both read
a results folder (see analysis/plots.py and analysis/report.py)."""

from __future__ import annotations

import sys
from pathlib import Path

KINDS = ("trajectories", "network", "alignment", "wedge", "effects", "heatmap", "sensitivity", "discovery",
         "hindcast")


def register(sub) -> None:
    """Add this module's subcommands to the greatgame parser."""
    p = sub.add_parser(
        "plot", help="figures of a results folder (run, compare, wedge or sweep); runs nothing",
        description="Draw figures from the tables a results folder holds. Run folders: trajectories, network, "
                    "alignment, wedge. Compare and wedge folders: wedge, effects (they hold final outcomes only). "
                    "Sweep folders: heatmap, and sensitivity and discovery once `greatgame sensitivity` and "
                    "`greatgame discover` have written theirs. Default: every kind the folder supports.")
    p.add_argument("results", metavar="RESULTS_DIR", help="a folder written by greatgame run, compare, wedge, sweep "
                                                          "(or sensitivity), or its discovery/ folder")
    p.add_argument("--kind", action="append", metavar="K", default=[],
                   help=f"what to draw (repeatable or comma-separated): {', '.join(KINDS)}")
    p.add_argument("--format", choices=("png", "svg", "pdf"), default="png", help="file format (default png)")
    p.add_argument("--out", metavar="DIR", help="output folder (default RESULTS_DIR/figures)")
    p.add_argument("--dpi", type=int, default=300, help="resolution of PNG files (default 300)")
    p.add_argument("--measure", choices=("alignment", "influence"), default="alignment",
                   help="trajectories: alignment (default) or total influence I(p, r)")
    p.add_argument("--channel", metavar="NAME",
                   help="trajectories: one channel's score instead (trade, aid, investment, remittances, energy, "
                        "political, security, soft_power)")
    p.add_argument("--against", metavar="DIR",
                   help="trajectories, wedge: overlay a second `greatgame run` folder (e.g. the counterfactual "
                        "without an initiative)")
    p.add_argument("--dates", metavar="Q,Q,...",
                   help="network: dates to draw, e.g. 2015-Q4,2030-Q4 (default the first and the last)")
    p.add_argument("--x", metavar="PATH", help="heatmap: parameter on the x axis (default the sweep's first); "
                                               "a sweep's trajectories: one line per range of this parameter")
    p.add_argument("--y", metavar="PATH", help="heatmap: parameter on the y axis (default the sweep's second)")
    p.add_argument("--outcome", metavar="NAME",
                   help="heatmap: the outcome averaged per cell (default wedge_achieved, i.e. the wedge "
                        "probability); sensitivity: only this outcome")
    p.add_argument("--bins", type=int, default=5, help="heatmap, a sweep's trajectories with --x: bins per "
                                                        "continuous parameter (default 5)")
    p.set_defaults(func=cmd_plot)

    r = sub.add_parser(
        "report", help="one self-contained HTML report of a results folder; runs nothing",
        description="Write one HTML file with everything embedded (figures as PNG, no external resources): the "
                    "scenario's title and description, the headline wedge table, the figures, every figure of the "
                    "scenario with its source or assumption, and the manifest (seeds, versions, command).")
    r.add_argument("results", metavar="RESULTS_DIR", help="a folder written by greatgame run, compare, wedge or sweep")
    r.add_argument("--out", metavar="FILE", help="the HTML file (default RESULTS_DIR/report.html)")
    r.add_argument("--dpi", type=int, default=150, help="resolution of the embedded figures (default 150)")
    r.set_defaults(func=cmd_report)


def _headless() -> None:
    """Agg before anything imports pyplot: these commands only write files."""
    import matplotlib

    matplotlib.use("Agg")


def _fail(msg: str) -> int:
    from .cli import EXIT_INPUT

    print(f"greatgame: error: {msg}", file=sys.stderr)
    return EXIT_INPUT


def _kinds(values: list[str]) -> list[str]:
    from .cli import CliError

    kinds = [k.strip() for v in values for k in v.split(",") if k.strip()]
    for k in kinds:
        if k not in KINDS:
            from greatgame.sim.errors import suggest

            raise CliError(f"--kind {k}: unknown kind{suggest(k, KINDS)}; expected one of: {', '.join(KINDS)}")
    return list(dict.fromkeys(kinds))


def cmd_plot(args) -> int:
    from .cli import CliError

    _headless()
    from greatgame.analysis.plots import PlotError, plot

    kinds = _kinds(args.kind)
    _check_dpi(args.dpi)
    dates = [d.strip() for d in args.dates.split(",") if d.strip()] if args.dates else None
    try:
        written = plot(args.results, kinds or None, fmt=args.format, out=args.out, dpi=args.dpi,
                       measure=args.measure, channel=args.channel, dates=dates, x=args.x, y=args.y,
                       outcome=args.outcome, bins=args.bins, against=args.against)
    except PlotError as e:
        return _fail(str(e))
    for path in written:
        print(f"Wrote {path}")
    return 0


def cmd_report(args) -> int:
    from .cli import CliError

    _headless()
    from greatgame.analysis.plots import PlotError
    from greatgame.analysis.report import build

    _check_dpi(args.dpi)
    try:
        path, notes = build(args.results, args.out, dpi=args.dpi)
    except PlotError as e:
        return _fail(str(e))
    for note in notes:
        print(f"note: {note}")
    size = Path(path).stat().st_size
    print(f"Wrote {path} ({size / 1024:.0f} KB, self-contained: open it in any browser)")
    return 0


MAX_DPI = 1200  # print journals ask for 300-600; beyond this a figure runs to gigabytes of pixels


def _check_dpi(dpi: int) -> None:
    from .cli import CliError

    if not 10 <= dpi <= MAX_DPI:
        raise CliError(f"--dpi: must be from 10 to {MAX_DPI}, got {dpi}")
