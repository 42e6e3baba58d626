"""What every figure shares: sizes, the colours of the powers, the style, dates on time
axes, panel grids and legends, and writing a figure without timestamps."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Iterable

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..folders import PlotError, pretty  # noqa: F401 (pretty: re-exported)

FORMATS = ("png", "svg", "pdf")
MEASURES = ("alignment", "influence")

COLUMN = 3.5
PAGE = 7.0

# Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable with the
# common forms of colour blindness.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
# The four powers of the shipped scenarios keep these colours in every figure. China and
# Japan, the contrast the model is about, sit on the two ends of the red-blue axis that
# colour-blind readers keep apart best after lightness.
POWER_COLOURS = {
    "japan": OKABE_ITO["vermillion"],
    "china": OKABE_ITO["reddish_purple"],
    "russia": OKABE_ITO["blue"],
    "united_states": OKABE_ITO["bluish_green"],
}
# Further powers a scenario adds take these, in the alphabetical order of their keys.
EXTRA_COLOURS = (OKABE_ITO["sky_blue"], OKABE_ITO["orange"], OKABE_ITO["black"], OKABE_ITO["yellow"])
# Landscape blocs (node fill in the network figure): light and dark, told apart by
# lightness as well as hue.
BLOC_WITH = "#F6CDB0"     # in the challenger's bloc (a tint of Japan's vermillion)
BLOC_OTHER = "#A6A6A6"    # in the other bloc
BOX_MIN = 5  # fewer runs than this get points only, no box
# Arms of a comparison (not powers): dark and light grey.
ARM_COLOURS = ("#333333", "#8C8C8C")

STYLE = {
    "font.family": "DejaVu Sans",  # shipped with matplotlib: the same glyphs everywhere
    "font.size": 8,
    "axes.titlesize": 8.5,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7,
    "legend.frameon": False,
    "figure.titlesize": 9.5,
    "figure.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#E6E6E6",
    "grid.linewidth": 0.5,
    "lines.linewidth": 1.3,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "savefig.dpi": 300,
    "svg.fonttype": "path",      # text as outlines: no font needed to view the SVG
    "svg.hashsalt": "greatgame",  # fixed element ids: the same SVG bytes every time
    "pdf.fonttype": 42,
    # Names come from scenario files: "US$ bn" or an actor called "A$B" must print as
    # written, never start matplotlib's mathtext (two '$' would).
    "text.parse_math": False,
}
# No timestamps or version strings in saved files.
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


# ---------------------------------------------------------------- colours and labels


def power_colours(powers: Iterable[str]) -> dict[str, str]:
    """One colour per power: the fixed four, then the rest of Okabe–Ito for any others
    (alphabetically by key, so the same set of powers always gets the same colours)."""
    powers = list(powers)
    out = {p: POWER_COLOURS[p] for p in powers if p in POWER_COLOURS}
    extras = sorted(p for p in powers if p not in POWER_COLOURS)
    for i, p in enumerate(extras):
        out[p] = EXTRA_COLOURS[i % len(EXTRA_COLOURS)]
    return {p: out[p] for p in powers}


def quarter_dates(labels: Iterable[str]) -> np.ndarray:
    """'2015-Q4' -> 2015-10-01 (the first day of the quarter), as numpy datetime64[D]."""
    labels = pd.Series(list(labels), dtype="string")
    parts = labels.str.extract(r"^(\d{4})-Q([1-4])$")
    bad = parts[0].isna()
    if bad.any():
        raise PlotError(f"date {labels[bad].iloc[0]!r} is not a quarter like '2015-Q4'")
    years = parts[0].astype(int).to_numpy()
    months = 3 * (parts[1].astype(int).to_numpy() - 1) + 1
    return np.array([f"{y:04d}-{m:02d}-01" for y, m in zip(years, months)], dtype="datetime64[D]")


def _time_axis(ax, dates: np.ndarray) -> None:
    """Years on the x axis: 3 to 5 labelled ticks, one minor tick a year."""
    lo, hi = dates.min(), dates.max()
    if hi <= lo:  # one date (a run's first quarter in the app): a quarter's width
        hi = lo + np.timedelta64(91, "D")
    span = max((hi - lo) / np.timedelta64(365, "D"), 0.25)
    base = next(b for b in (1, 2, 4, 5, 10, 20, 50) if span / b <= 5)
    ax.xaxis.set_major_locator(mdates.YearLocator(base))
    ax.xaxis.set_minor_locator(mdates.YearLocator(1) if span > 2 else mdates.MonthLocator((1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlim(lo, hi)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _suptitle(fig: Figure, text: str) -> None:
    """A figure title wrapped to the figure's width (each given line on its own)."""
    chars = max(int(fig.get_figwidth() * 13), 30)
    fig.suptitle("\n".join(_wrap(line, chars) for line in str(text).split("\n")))


# Units of the scenario paths a sweep commonly varies, by the path's last part(s); a
# parameter that is a pure number (a weight, a logit slope, a share of alignment) has none.
_PATH_UNITS = {
    ("budget", "grants"): "US$ bn a year", ("budget", "loans"): "US$ bn a year",
    ("budget", "investment"): "US$ bn a year", ("gdp",): "US$ bn", ("gdp_growth",): "per year",
    ("population",): "million", ("aid_decay",): "per year", ("investment_decay",): "per year",
    ("debt_amortisation",): "per year", ("political_decay",): "per year", ("soft_power_reversion",): "per year",
    ("customs_union_premium",): "per year", ("absorptive_capacity",): "share of GDP a year",
    ("adjustment_rate",): "per quarter", ("trade_noise",): "s.d. of log trade a quarter",
    ("meetings_per_year",): "a year", ("years",): "years",
}


def _path_label(path: str, width: int = 28) -> str:
    """A parameter path for an axis, with its unit when it has one."""
    parts = str(path).split(".")
    unit = _PATH_UNITS.get(tuple(parts[-2:])) or _PATH_UNITS.get((parts[-1],))
    text = _wrap_path(path, width)
    if not unit:
        return text
    sep = " " if len(text.split("\n")[-1]) + len(unit) + 3 <= width else "\n"
    return f"{text}{sep}({unit})"


def _wrap_path(path: str, width: int = 28) -> str:
    """A dotted parameter path over lines, broken after dots: 'powers.japan.\nbudget.loans'."""
    lines, line = [], ""
    parts = str(path).split(".")
    for i, part in enumerate(parts):
        piece = part + ("." if i < len(parts) - 1 else "")
        if line and len(line) + len(piece) > width:
            lines.append(line)
            line = ""
        line += piece
    lines.append(line)
    return "\n".join(lines)


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)  # Agg, explicitly: no GUI backend is ever involved
    return fig


# ---------------------------------------------------------------- actors tables


def _powers(actors: pd.DataFrame) -> list[str]:
    return [c[len("alignment_"):] for c in actors.columns if c.startswith("alignment_")]


def _republics(actors: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(actors.loc[actors["kind"] == "republic", "actor"]))


def _n_runs(df: pd.DataFrame) -> int:
    return int(df["replicate"].nunique()) if "replicate" in df else 1


def _runs_text(n: int) -> str:
    return f"{n} run{'s' if n != 1 else ''}"


def _panel_grid(fig: Figure, n: int, sharey: bool = True):
    """Panels for n republics: up to three a row; unused slots are returned for a legend."""
    ncols = n if n <= 3 else (2 if n == 4 else 3)
    nrows = math.ceil(n / ncols)
    axes = fig.subplots(nrows, ncols, sharey=sharey, squeeze=False).ravel()
    return list(axes[:n]), list(axes[n:])


def _grid_height(n: int) -> float:
    """Inches for n panels of about 1.9 in, a title, and a legend below when no slot is spare."""
    ncols = n if n <= 3 else (2 if n == 4 else 3)
    rows = math.ceil(n / ncols)
    return 0.5 + 1.9 * rows + (0.5 if n % ncols == 0 else 0)


def _legend(fig: Figure, spare: list, handles: list, ncol_below: int | None = None, title: str | None = None) -> None:
    """The legend in an unused panel slot if there is one, else below the panels."""
    if spare:
        for ax in spare:
            ax.set_axis_off()
        spare[0].legend(handles=handles, loc="center", borderaxespad=0, title=title)
    else:
        fig.legend(handles=handles, loc="outside lower center", ncol=ncol_below or min(len(handles), 4), title=title)


def _measure_columns(actors: pd.DataFrame, powers: list[str], measure: str, channel: str | None
                     ) -> tuple[list[str], str, str]:
    """Columns, y label and a short name of what is drawn."""
    if channel:
        from greatgame.sim.schema import CHANNELS

        if channel not in CHANNELS:
            from greatgame.sim.errors import suggest

            raise PlotError(f"--channel {channel}: unknown channel{suggest(channel, CHANNELS)}; expected one of: "
                            f"{', '.join(CHANNELS)}")
        cols = [f"{channel}_score_{p}" for p in powers]
        what = f"{channel.replace('_', ' ')} score"
        ylabel = f"{what.capitalize()} (0–1)"
    elif measure == "influence":
        cols = [f"influence_{p}" for p in powers]
        what, ylabel = "influence", "Influence I(p, r) (index, 0–1)"
    elif measure == "alignment":
        cols = [f"alignment_{p}" for p in powers]
        what, ylabel = "alignment", "Alignment (share, 0–1)"
    else:
        raise PlotError(f"--measure {measure}: expected one of: {', '.join(MEASURES)}")
    absent = [c for c in cols if c not in actors.columns]
    if absent:
        raise PlotError(f"the actors table has no column {absent[0]}")
    return cols, ylabel, what


def save(fig: Figure, path: str | Path, fmt: str | None = None, dpi: int = 300) -> Path:
    """Write a figure without timestamps (same figure, same bytes) and release it."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".")
    if fmt not in FORMATS:
        raise PlotError(f"--format {fmt}: expected one of: {', '.join(FORMATS)}")
    from .. import output

    with matplotlib.rc_context(STYLE):
        output._atomic_write(path, lambda p: fig.savefig(p, format=fmt, dpi=dpi, metadata=METADATA[fmt]))
    return path


def render(fig: Figure, fmt: str = "png", dpi: int = 150) -> bytes:
    """A figure as bytes (for embedding)."""
    import io

    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=METADATA[fmt])
    return buf.getvalue()

