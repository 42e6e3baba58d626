"""Figures of saved results, for papers and briefings. Nothing here runs the model.

``figures(folder, kind, **options)`` returns matplotlib :class:`~matplotlib.figure.Figure`
objects (one or more per kind) built from the tables a results folder holds;
``plot(folder, kinds, fmt, out)`` writes them. Kinds:

============  ==================================================  ==========================
kind          what                                                needs
============  ==================================================  ==========================
trajectories  alignment (or influence, or one channel's score)    actors table (``run``)
              of each republic toward each power over time:       or trajectories table
              median and 5–95% band over replicates; arm B of a   (``compare``, ``wedge``)
              compare or wedge folder dashed over arm A;          or a sweep's trajectories
              ``against`` overlays a second run folder; for a
              sweep, each kept outcome over time (``x``: one
              line per range of a parameter)
network       the influence graph at chosen dates: power→republic actors table (``run``)
              arrows as wide as the influence, nodes filled by
              landscape bloc, at fixed map-like positions
alignment     stacked alignment shares per republic (mean over    actors table (``run``)
              replicates), the incumbents at the bottom
wedge         distribution over runs of the wedge measures at     model table (``run``) or
              the horizon; the arms side by side, paired runs     runs table (``compare``,
              joined, for a compare or wedge folder               ``wedge``)
effects       paired effects with bootstrap intervals, per        effects table (``compare``,
              republic                                            ``wedge``)
heatmap       an outcome's mean (the wedge probability by         scalars table (sweep)
              default) over two parameters, binned
sensitivity   Sobol S1/ST or Morris mu*/sigma bars                sensitivity.parquet
discovery     PRIM coverage/density trade-off and the chosen box  discovery/discovery.json
============  ==================================================  ==========================

Looks: every power has one colour in every figure (Okabe–Ito, safe for colour-blind
readers; :func:`power_colours`); dates on time axes; legends outside the data; sizes for
a paper's column (3.5 in) or page width (7 in). Figures are built on matplotlib's Agg
canvas directly (``Figure`` objects, never pyplot), so nothing here starts or needs a GUI
backend, and nothing changes the caller's matplotlib settings. Saved files carry no
timestamp: the same results give the same bytes (PNG, SVG, PDF).

A kind the folder lacks the inputs for raises :class:`PlotError`, one line saying what is
missing and what the folder holds.
"""

from __future__ import annotations

import json
import math
import textwrap
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

import matplotlib
import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

KINDS = ("trajectories", "network", "alignment", "wedge", "effects", "heatmap", "sensitivity", "discovery",
         "hindcast")
FORMATS = ("png", "svg", "pdf")
MEASURES = ("alignment", "influence")
FOLDER_KINDS = {  # what each kind of results folder can show, in the default order
    "run": ("trajectories", "network", "alignment", "wedge"),
    "compare": ("trajectories", "wedge", "effects"),
    "wedge": ("trajectories", "wedge", "effects"),
    "sweep": ("trajectories", "heatmap", "sensitivity", "discovery"),
    "discovery": ("discovery",),
    "hindcast": ("hindcast",),  # analysis/hindcast_plots.py
    "unknown": (),
}

# Widths for a paper: one column, or the full page.
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
    "text.parse_math": False,  # names are text: '$' in an actor's name is not mathtext
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
}
# No timestamps or version strings in saved files.
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


class PlotError(Exception):
    """A figure that cannot be drawn from this folder; to report as one line."""


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


def pretty(key: str) -> str:
    """'united_states' -> 'United States'."""
    return " ".join(w.capitalize() for w in str(key).split("_"))


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


# ---------------------------------------------------------------- scenario facts


@dataclass
class ScenarioFacts:
    """What the figures need to know about the scenario behind a results folder: the
    powers' names, the wedge's challenger and incumbents; from the scenario files the
    manifest lists (read only), or defaults when they cannot be read."""

    name: str
    title: str
    description: str
    names: dict[str, str]
    challenger: str
    incumbents: list[str]
    threshold: float
    loaded: Any = None   # sim.LoadedScenario, when the files could be read
    problem: str = ""    # why they could not

    def name_of(self, key: str) -> str:
        return self.names.get(key) or pretty(key)


def scenario_facts(manifest: dict, files: list[str] | None = None, overrides: list[str] | dict | None = None
                   ) -> ScenarioFacts:
    """Load the scenario a manifest names (its files, overrides and horizon) without running it."""
    files = list(files if files is not None else manifest.get("scenario_files") or [])
    overrides = overrides if overrides is not None else list(manifest.get("overrides") or [])
    name = str(manifest.get("scenario") or "results")
    facts = ScenarioFacts(name, str(manifest.get("title") or ""), "", {}, str(manifest.get("challenger") or "japan"),
                          list(manifest.get("incumbents") or ["china", "russia"]), 0.5)
    if not files:
        facts.problem = "the manifest lists no scenario files"
        return facts
    try:
        from greatgame.sim import load_scenario

        loaded = load_scenario(files[-1], overrides=overrides)
        years = manifest.get("years")
        if years is not None and float(years) != float(loaded.scenario.years):
            loaded = load_scenario(files[-1], overrides=overrides, years=float(years))
    except Exception as e:  # a moved or edited scenario file must not stop the figures
        facts.problem = f"{files[-1]}: {e}"
        return facts
    sc = loaded.scenario
    facts.loaded = loaded
    facts.name, facts.title, facts.description = sc.name, sc.title, " ".join(sc.description.split())
    facts.names = {k: (p.name or pretty(k)) for k, p in sc.powers.items()}
    facts.names.update({k: (r.name or pretty(k)) for k, r in sc.republics.items()})
    facts.challenger, facts.incumbents = sc.wedge.challenger, list(sc.wedge.incumbents)
    facts.threshold = float(sc.parameters.wedge_incumbent_share)
    return facts


# ---------------------------------------------------------------- results folders


_HOLDS = {
    "run": "a `greatgame run` folder",
    "compare": "a `greatgame compare` folder",
    "wedge": "a `greatgame wedge` folder",
    "sweep": "a sweep",
    "discovery": "a `greatgame discover` folder",
}


class Folder:
    """A results folder, read lazily: its manifest, tables and what kind of folder it is."""

    def __init__(self, path: str | Path, label: str | None = None):
        self.path = Path(path)
        self.label = label or str(path)
        if not self.path.is_dir():
            raise PlotError(f"{self.label}: no such results folder")
        mf = self.path / "manifest.json"
        try:
            self.manifest = json.loads(mf.read_text(encoding="utf-8")) if mf.exists() else {}
        except (OSError, ValueError) as e:
            raise PlotError(f"{self.label}: manifest.json is not readable JSON ({e})") from None
        if not isinstance(self.manifest, dict):
            raise PlotError(f"{self.label}: manifest.json is not a JSON object (a greatgame manifest)")
        self._tables: dict[str, pd.DataFrame] = {}
        self.kind = self._detect()

    def file(self, stem: str, where: Path | None = None) -> Path | None:
        for ext in ("parquet", "csv"):
            f = (where or self.path) / f"{stem}.{ext}"
            if f.exists():
                return f
        return None

    def has(self, stem: str) -> bool:
        return self.file(stem) is not None

    def table(self, stem: str) -> pd.DataFrame:
        if stem not in self._tables:
            f = self.file(stem)
            if f is None:
                raise PlotError(f"{self.label}: no {stem}.parquet")
            try:
                self._tables[stem] = pd.read_parquet(f) if f.suffix == ".parquet" else pd.read_csv(f)
            except Exception as e:
                raise PlotError(f"{self.label}: {f.name} is not readable ({e})") from None
        return self._tables[stem]

    def _detect(self) -> str:
        kind = self.manifest.get("kind")
        if self.has("actors") or self.has("model"):
            return "run"
        if kind == "wedge" or self.has("wedge"):
            return "wedge" if self.has("runs") else "unknown"
        if kind == "compare" or (self.has("runs") and self.has("effects")):
            return "compare" if self.has("runs") else "unknown"
        if kind == "sweep" or self.has("scalars"):
            return "sweep" if self.has("scalars") else "unknown"
        if (self.path / "discovery.json").exists():
            return "discovery"
        if kind == "hindcast" or self.has("hindcast"):
            return "hindcast"
        return "unknown"

    @property
    def discovery_dir(self) -> Path:
        return self.path if (self.path / "discovery.json").exists() else self.path / "discovery"

    def holds(self) -> str:
        """What the folder holds, for error messages: file names and what they are."""
        files = sorted(f.name for f in self.path.iterdir()
                       if f.suffix in (".parquet", ".csv", ".json") and f.name != "manifest.json")
        if (self.path / "discovery" / "discovery.json").exists():
            files.append("discovery/")
        if not files:
            return "no greatgame results"
        what = _HOLDS.get(self.kind)
        return ", ".join(files) + (f" ({what})" if what else "")

    @cached_property
    def facts(self) -> ScenarioFacts:
        m = self.manifest
        if self.kind in ("compare", "wedge") and "arms" in m:
            a = m["arms"]["A"]
            facts = scenario_facts(m, a.get("files"), [f"initiatives.{n}.enabled=false" for n in a.get("disabled", [])])
            facts.challenger = m.get("challenger") or facts.challenger
            facts.incumbents = list(m.get("incumbents") or facts.incumbents)
            return facts
        if self.kind == "discovery" and not m:  # RESULTS/discovery: the sweep's manifest is one folder up
            parent = self.path.parent / "manifest.json"
            try:
                return scenario_facts(json.loads(parent.read_text(encoding="utf-8")) if parent.exists() else {})
            except ValueError:
                return scenario_facts({})
        return scenario_facts(m)

    @cached_property
    def parameters(self) -> list[str]:
        """A sweep's parameters (dotted scenario paths), in the design's order."""
        if self.has("design"):
            return [c for c in self.table("design").columns if c not in ("point", "index")]
        spec = self.path / "spec.yaml"
        if spec.exists():
            import yaml

            try:
                return list((yaml.safe_load(spec.read_text(encoding="utf-8")) or {}).get("parameters") or {})
            except yaml.YAMLError:
                pass
        return []

    def replicates(self) -> int:
        if self.kind == "run" and self.has("model"):
            m = self.table("model")
            return int(m["replicate"].nunique()) if "replicate" in m else 1
        return int(self.manifest.get("replicates") or 1)


def open_folder(path: str | Path | Folder) -> Folder:
    return path if isinstance(path, Folder) else Folder(path)


def missing(folder: Folder, kind: str, **options) -> str | None:
    """Why ``kind`` cannot be drawn from ``folder`` (one line), or None if it can."""
    if kind not in KINDS:
        raise PlotError(f"unknown kind '{kind}'; expected one of: {', '.join(KINDS)}")
    where = f"{folder.label}: '{kind}' needs"
    holds = f"this folder holds {folder.holds()}"
    if kind == "trajectories" and folder.kind == "sweep":
        if folder.has("trajectories"):
            return None
        return (f"{where} trajectories.parquet (a sweep whose spec keeps outcomes.trajectories, e.g. "
                f"'outcomes: {{trajectories: {{every: 4}}}}'); {holds}")
    if kind == "trajectories" and folder.kind in ("compare", "wedge"):
        if folder.has("trajectories"):
            return None
        return (f"{where} trajectories.parquet (written by `greatgame {folder.kind}` unless --every 0); {holds}; "
                f"plot this folder with --kind wedge or effects, or run it again without --every 0")
    if kind in ("trajectories", "network", "alignment"):
        if not folder.has("actors"):
            hint = ""
            if folder.kind in ("compare", "wedge"):
                hint = ("; plot this folder with --kind trajectories, wedge or effects, or run an arm with "
                        "`greatgame run`")
            return f"{where} actors.parquet (a `greatgame run` folder); {holds}{hint}"
        return None
    if kind == "wedge":
        if folder.kind == "run":
            return None if folder.has("model") else f"{where} model.parquet (a `greatgame run` folder); {holds}"
        if folder.kind in ("compare", "wedge"):
            return None
        return (f"{where} model.parquet (a `greatgame run` folder) or runs.parquet (a `greatgame compare` or "
                f"`greatgame wedge` folder); {holds}")
    if kind == "effects":
        if folder.kind in ("compare", "wedge") and folder.has("effects") and len(folder.table("effects")):
            return None
        return f"{where} effects.parquet with rows (a `greatgame compare` or `greatgame wedge` folder); {holds}"
    if kind == "heatmap":
        if folder.kind != "sweep":
            return f"{where} scalars.parquet (a `greatgame sweep` folder); {holds}"
        params = folder.parameters
        if len(params) < 2:
            return (f"{where} a sweep over at least two parameters; this sweep varies "
                    f"{', '.join(params) if params else 'no parameter'}")
        return None
    if kind == "sensitivity":
        if (folder.path / "sensitivity.parquet").exists():
            return None
        run_it = (" (run `greatgame sensitivity SPEC --results " + folder.label + "` first)"
                  if folder.kind == "sweep" else "")
        return (f"{where} sensitivity.parquet (written by `greatgame sensitivity` into a sobol or morris sweep "
                f"folder){run_it}; {holds}")
    if kind == "hindcast":
        return None if folder.has("hindcast") else f"{where} hindcast.csv (a `greatgame hindcast` folder); {holds}"
    if kind == "discovery":
        d = folder.discovery_dir
        if (d / "discovery.json").exists() and (d / "prim_trajectory.parquet").exists():
            return None
        run_it = f" (run `greatgame discover {folder.label}` first)" if folder.kind == "sweep" else ""
        return (f"{where} discovery/discovery.json and discovery/prim_trajectory.parquet (written by "
                f"`greatgame discover`){run_it}; {holds}")
    return None


def supported(folder: Folder) -> list[str]:
    """The kinds this folder has the inputs for, in the default order."""
    return [k for k in FOLDER_KINDS.get(folder.kind, ()) if missing(folder, k) is None]


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


# ---------------------------------------------------------------- trajectories


def _quantiles(rep: pd.DataFrame, cols: list[str]) -> dict[str, pd.DataFrame]:
    """Per republic: rows = step (with its date), columns (col, q) for q in 0.05, 0.5, 0.95."""
    g = rep.groupby(["actor", "step"], sort=False)[cols]
    q = g.quantile([0.05, 0.5, 0.95]).unstack(-1)
    dates = rep.drop_duplicates("step").set_index("step")["date"]
    out = {}
    for actor, block in q.groupby(level=0, sort=False):
        block = block.droplevel(0).sort_index()
        block.insert(0, ("date", ""), dates.reindex(block.index).to_numpy())
        out[actor] = block
    return out


def trajectories_figure(actors: pd.DataFrame, facts: ScenarioFacts, measure: str = "alignment",
                        channel: str | None = None, against: pd.DataFrame | None = None,
                        labels: tuple[str, str] = ("as given", "counterfactual"),
                        dashed: str = "the counterfactual") -> Figure:
    """One panel per republic: each power's median over replicates with a 5–95% band;
    ``against``: a second actors table (same republics), its medians dashed."""
    powers = _powers(actors)
    colours = power_colours(powers)
    cols, ylabel, what = _measure_columns(actors, powers, measure, channel)
    rep = actors[actors["kind"] == "republic"]
    republics = _republics(actors)
    stats = _quantiles(rep, cols)
    other = None
    if against is not None:
        missing_cols = [c for c in cols if c not in against.columns]
        if missing_cols:
            raise PlotError(f"--against: its actors table has no column {missing_cols[0]}")
        other = _quantiles(against[against["kind"] == "republic"], cols)
    n = _n_runs(actors)
    fig = _new_figure(PAGE, _grid_height(len(republics)))
    axes, spare = _panel_grid(fig, len(republics))
    band = n > 1
    for ax, r in zip(axes, republics):
        s = stats[r]
        dates = quarter_dates(s[("date", "")])
        for p, c in zip(powers, cols):
            if band:
                ax.fill_between(dates, s[(c, 0.05)], s[(c, 0.95)], color=colours[p], alpha=0.2, linewidth=0)
            ax.plot(dates, s[(c, 0.5)], color=colours[p])
            if other is not None and r in other:
                o = other[r]
                ax.plot(quarter_dates(o[("date", "")]), o[(c, 0.5)], color=colours[p], linestyle=(0, (3, 1.5)),
                        linewidth=1.1)
        ax.set_title(facts.name_of(r))
        _time_axis(ax, dates)
        ax.tick_params(labelbottom=True, labelleft=True)
    axes[0].set_ylim(bottom=0)
    fig.supylabel(ylabel)
    fig.supxlabel("Year")
    stat = f"median and 5–95% of {_runs_text(n)}" if band else "one run"
    extra = f"; dashed: {dashed}" if other is not None else ""
    whose = ("alignment of each republic toward each power" if what == "alignment"
             else f"{what} of each power in each republic")
    _suptitle(fig, f"{facts.name}: {whose} ({stat}{extra})")
    handles = [Line2D([], [], color=colours[p], label=facts.name_of(p)) for p in powers]
    if band:
        handles.append(Patch(color="0.5", alpha=0.3, linewidth=0, label=f"5–95% of {_runs_text(n)}"))
    if other is not None:
        handles += [Line2D([], [], color="0.2", label=_wrap(labels[0], 26)),
                    Line2D([], [], color="0.2", linestyle=(0, (3, 1.5)), label=_wrap(labels[1], 26))]
    _legend(fig, spare, handles)
    return fig


# ---------------------------------------------------------------- alignment (stacked)


def alignment_figure(actors: pd.DataFrame, facts: ScenarioFacts) -> Figure:
    """Stacked alignment shares per republic (mean over replicates): the incumbents at the
    bottom, so the top of their band against the dashed threshold line is the wedge rule."""
    powers = _powers(actors)
    colours = power_colours(powers)
    first = [p for p in facts.incumbents if p in powers] + [p for p in [facts.challenger] if p in powers]
    order = first + [p for p in powers if p not in first]
    rep = actors[actors["kind"] == "republic"]
    means = rep.groupby(["actor", "step"], sort=False)[[f"alignment_{p}" for p in order]].mean()
    dates_of = rep.drop_duplicates("step").set_index("step")["date"]
    republics = _republics(actors)
    n = _n_runs(actors)
    fig = _new_figure(PAGE, _grid_height(len(republics)))
    axes, spare = _panel_grid(fig, len(republics))
    show_line = all(p in powers for p in facts.incumbents)
    for ax, r in zip(axes, republics):
        m = means.loc[r].sort_index()
        dates = quarter_dates(dates_of.reindex(m.index))
        ax.stackplot(dates, *[m[f"alignment_{p}"].to_numpy() for p in order], colors=[colours[p] for p in order],
                     alpha=0.9, linewidth=0.3, edgecolor="white")
        if show_line:
            ax.axhline(facts.threshold, color="black", linewidth=0.8, linestyle=(0, (4, 2)))
        ax.set_ylim(0, 1)
        ax.set_title(facts.name_of(r))
        ax.grid(False)
        _time_axis(ax, dates)
        ax.tick_params(labelbottom=True, labelleft=True)
    fig.supylabel("Alignment (share, stacked to 1)")
    fig.supxlabel("Year")
    mean = f"mean of {_runs_text(n)}" if n > 1 else "one run"
    _suptitle(fig, f"{facts.name}: alignment shares of each republic ({mean})")
    handles = [Patch(color=colours[p], label=facts.name_of(p)) for p in reversed(order)]
    if show_line:
        inc = " + ".join(facts.name_of(p) for p in facts.incumbents)
        handles.append(Line2D([], [], color="black", linewidth=0.8, linestyle=(0, (4, 2)),
                              label=_wrap(f"wedge threshold: {inc} together below {facts.threshold:g}", 24)))
    _legend(fig, spare, handles)
    return fig


# ---------------------------------------------------------------- network

# Fixed, roughly geographic positions on a schematic map (x east, y north): Russia
# north, China east, Japan far east, the United States west, the five republics in their
# map arrangement (spread out more than on a map, so that arrows and names stay apart).
# Anything else is placed deterministically along the southern edge.
POSITIONS = {
    "russia": (0.42, 1.00),
    "china": (0.98, 0.42),
    "japan": (1.16, 0.86),
    "united_states": (-0.22, 0.70),
    "kazakhstan": (0.42, 0.70),
    "uzbekistan": (0.22, 0.38),
    "turkmenistan": (0.00, 0.16),
    "kyrgyzstan": (0.68, 0.40),
    "tajikistan": (0.48, 0.10),
}
# Where each name goes relative to its node: offset in points, and alignment.
LABEL_PLACES = {
    "russia": (0, 10, "center", "bottom"),
    "china": (11, 0, "left", "center"),
    "japan": (0, 10, "center", "bottom"),
    "united_states": (0, 10, "center", "bottom"),
    "kazakhstan": (8, 5, "left", "bottom"),
    "uzbekistan": (-8, 4, "right", "bottom"),
    "turkmenistan": (0, -9, "center", "top"),
    "kyrgyzstan": (0, -9, "center", "top"),
    "tajikistan": (0, -9, "center", "top"),
}


def network_positions(powers: list[str], republics: list[str]) -> dict[str, tuple[float, float]]:
    pos = {k: POSITIONS[k] for k in powers + republics if k in POSITIONS}
    extra_p = [p for p in powers if p not in pos]
    extra_r = [r for r in republics if r not in pos]
    for i, p in enumerate(extra_p):  # further powers: along the southern edge
        pos[p] = (-0.1 + (i + 0.5) * 1.2 / len(extra_p), -0.22)
    for i, r in enumerate(extra_r):  # further republics: a row between the five and the south
        pos[r] = (0.1 + (i + 0.5) * 0.8 / len(extra_r), -0.06)
    return pos


def _at_date(actors: pd.DataFrame, date: str) -> pd.DataFrame:
    return actors[actors["date"] == date]


def network_figure(actors: pd.DataFrame, facts: ScenarioFacts, dates: list[str] | None = None) -> Figure:
    """The influence graph at each date: power→republic arrows as wide as the mean influence;
    every actor filled by its landscape bloc (with the challenger, or not; the share of runs
    when the runs disagree)."""
    import networkx as nx

    powers = _powers(actors)
    republics = _republics(actors)
    colours = power_colours(powers)
    available = list(dict.fromkeys(actors["date"]))
    if not dates:
        dates = [available[0], available[-1]] if len(available) > 1 else available[:1]
    unknown = [d for d in dates if d not in available]
    if unknown:
        from greatgame.sim.errors import suggest

        raise PlotError(f"--dates {unknown[0]}: not a date of these results{suggest(unknown[0], available)}; they run "
                        f"from {available[0]} to {available[-1]}, one a quarter")
    challenger = facts.challenger if facts.challenger in powers else powers[0]
    pos = network_positions(powers, republics)
    n = _n_runs(actors)
    panels = len(dates)
    ncols = min(panels, 2)
    nrows = math.ceil(panels / ncols)
    fig = _new_figure(PAGE if panels > 1 else COLUMN + 0.5, 0.9 + 2.6 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    scale = 7.0  # points of line width per unit of influence
    any_mixed = False
    for ax in axes[panels:]:
        ax.set_axis_off()
    for ax, date in zip(axes, dates):
        now = _at_date(actors, date)
        rep = now[now["kind"] == "republic"]
        influence = rep.groupby("actor", sort=False)[[f"influence_{p}" for p in powers]].mean()
        with_ch = _with_challenger(now, challenger)
        G = nx.DiGraph()
        for k in powers + republics:
            G.add_node(k, kind="power" if k in powers else "republic", share=with_ch.get(k, float("nan")))
        for r in republics:
            for p in powers:
                G.add_edge(p, r, weight=float(influence.loc[r, f"influence_{p}"]))
        nodes = list(G.nodes)
        sizes = {k: (230 if k in powers else 180) for k in nodes}
        edges = sorted(G.edges(data="weight"), key=lambda e: e[2])  # thin first, wide on top
        nx.draw_networkx_edges(
            G, pos, ax=ax, edgelist=[(u, v) for u, v, _ in edges], width=[scale * w for _, _, w in edges],
            edge_color=[colours[u] for u, _, _ in edges], alpha=0.7, arrows=True, arrowstyle="-|>", arrowsize=6,
            connectionstyle="arc3,rad=0.12", nodelist=nodes, node_size=[sizes[k] for k in nodes],
            min_source_margin=6, min_target_margin=7)
        for shape, group in (("s", powers), ("o", republics)):
            fills = [BLOC_WITH if G.nodes[k]["share"] >= 0.5 else BLOC_OTHER for k in group]
            nx.draw_networkx_nodes(G, pos, ax=ax, nodelist=group, node_shape=shape, node_size=[sizes[k] for k in group],
                                   node_color=fills, linewidths=[2.2 if k in powers else 0.8 for k in group],
                                   edgecolors=[colours[k] if k in powers else "black" for k in group])
        for k in nodes:
            share = G.nodes[k]["share"]
            mixed = n > 1 and 0 < share < 1
            any_mixed = any_mixed or mixed
            # Anything without a place of its own sits on the southern edge: its name goes below it.
            dx, dy, ha, va = LABEL_PLACES.get(k, (0, -10 if k in republics else -12, "center", "top"))
            ax.annotate(facts.name_of(k) + (f" ({share:.0%})" if mixed else ""), pos[k], xytext=(dx, dy),
                        textcoords="offset points", ha=ha, va=va, fontsize=6.5, zorder=5,
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        xs = [x for x, _ in pos.values()]
        ys = [y for _, y in pos.values()]
        ax.set_xlim(min(xs) - 0.17, max(xs) + 0.17)
        ax.set_ylim(min(ys) - 0.16, max(ys) + 0.14)
        ax.set_axis_off()
        ax.set_title(date)
    mean = f"mean of {_runs_text(n)}" if n > 1 else "one run"
    _suptitle(fig, f"{facts.name}: influence of each power on each republic ({mean})")
    ch = facts.name_of(challenger)
    blank = Line2D([], [], linestyle="none", label=" ")
    columns = [
        [Line2D([], [], color=colours[p], linewidth=2, label=facts.name_of(p)) for p in powers],
        [Line2D([], [], color="0.4", linewidth=scale * w, label=f"influence {w:g}") for w in (0.1, 0.3, 0.5)],
        [Patch(facecolor=BLOC_WITH, edgecolor="black", linewidth=0.6, label=f"in {ch}'s bloc"),
         Patch(facecolor=BLOC_OTHER, edgecolor="black", linewidth=0.6, label="in the other bloc")]
        + ([Line2D([], [], linestyle="none", label=f"(x%): share of runs\nin {ch}'s bloc")] if any_mixed else []),
    ]
    rows = max(len(c) for c in columns)
    handles = [h for c in columns for h in c + [blank] * (rows - len(c))]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(columns),
               title=_wrap("Arrows: power → republic, width = influence I(p, r); fill: landscape bloc "
                           "(squares: powers)", int(fig.get_figwidth() * 17)))
    return fig


def _with_challenger(now: pd.DataFrame, challenger: str) -> dict[str, float]:
    """Share of runs in which each actor is in the challenger's landscape bloc."""
    if "bloc" not in now:
        return {}
    df = now[["replicate", "actor", "bloc"]] if "replicate" in now else now[["actor", "bloc"]].assign(replicate=0)
    ch = df[df["actor"] == challenger].set_index("replicate")["bloc"]
    same = df["bloc"].to_numpy() == df["replicate"].map(ch).to_numpy()
    return pd.Series(same, index=df.index).groupby(df["actor"].to_numpy(), sort=False).mean().to_dict()


# ---------------------------------------------------------------- wedge measures


@dataclass
class Group:
    """One distribution of final wedge measures: a run folder, or one arm of a comparison."""

    label: str
    incumbent: np.ndarray
    challenger: np.ndarray
    achieved: np.ndarray
    keys: np.ndarray  # seeds, to join paired runs
    short: str = ""   # the x tick label ("A", "B"); the label goes to the legend


def _arm_labels(folder: Folder) -> dict[str, str]:
    """Arm key → label, from the runs table (as printed by compare and wedge)."""
    labels = {"A": "arm A", "B": "arm B"}
    if folder.has("runs"):
        runs = folder.table("runs")
        if "scenario" in runs and "arm" in runs:
            labels.update({str(k): str(v) for k, v in runs.drop_duplicates("arm")[["arm", "scenario"]].values})
    return labels


def groups_of(folder: Folder) -> list[Group]:
    if folder.kind == "run":
        m = folder.table("model")
        last = m[m["step"] == m["step"].max()]
        keys = last["seed"] if "seed" in last else pd.Series(range(len(last)))
        return [Group(_run_label(folder), last["incumbent_share_mean"].to_numpy(float),
                      last["challenger_share_mean"].to_numpy(float), last["wedge_achieved"].astype(bool).to_numpy(),
                      keys.to_numpy())]
    runs = folder.table("runs")
    out = []
    for arm, df in runs.groupby("arm", sort=True):
        df = df.sort_values("run")
        label = str(df["scenario"].iloc[0]) if "scenario" in df else f"arm {arm}"
        out.append(Group(label, df["incumbent_share_mean"].to_numpy(float),
                         df["challenger_share_mean"].to_numpy(float), df["wedge_achieved"].astype(bool).to_numpy(),
                         df["seed"].to_numpy(), str(arm)))
    return out


def wedge_figure(groups: list[Group], facts: ScenarioFacts, date: str = "") -> Figure:
    """Final incumbents' and challenger's shares (mean over republics) per run, box and
    points, paired runs joined; and the share of runs achieving the wedge with its Wilson
    interval. One group per run folder or arm."""
    from .compare import wilson_interval

    inc = " + ".join(facts.name_of(p) for p in facts.incumbents)
    ch = facts.name_of(facts.challenger)
    k = len(groups)
    fig = _new_figure(PAGE, 2.5 + (0.35 if k > 1 else 0))
    axes = fig.subplots(1, 3)
    rng = np.random.default_rng(0)  # fixed jitter: the same picture every time
    paired = k == 2 and len(groups[0].keys) == len(groups[1].keys) and np.array_equal(
        np.sort(groups[0].keys), np.sort(groups[1].keys))
    labels = [g.short or _wrap(g.label, 30) for g in groups] if k > 1 else [_wrap(groups[0].label, 30)]
    for ax, attr, title in ((axes[0], "incumbent", f"(a) {inc} share"), (axes[1], "challenger", f"(b) {ch} share")):
        jitters = []
        for i, g in enumerate(groups):
            v = getattr(g, attr)
            if len(v) >= BOX_MIN:
                ax.boxplot(v, positions=[i], widths=0.45, whis=(5, 95), showfliers=False, manage_ticks=False,
                           medianprops={"color": ARM_COLOURS[i % 2], "linewidth": 1.4},
                           boxprops={"linewidth": 0.8}, whiskerprops={"linewidth": 0.8}, capprops={"linewidth": 0.8})
            j = i + rng.uniform(-0.12, 0.12, len(v)) if len(v) > 1 else np.full(len(v), float(i))
            jitters.append(j)
            ax.scatter(j, v, s=6 if len(v) >= BOX_MIN else 16, color=ARM_COLOURS[i % 2], alpha=0.6 if len(v) > 1 else 1,
                       linewidths=0, zorder=3)
        if paired:
            a, b = groups
            ib, vb = pd.Series(jitters[1], index=b.keys), pd.Series(getattr(b, attr), index=b.keys)
            for key, xa, va in zip(a.keys, jitters[0], getattr(a, attr)):
                ax.plot([xa, ib[key]], [va, vb[key]], color="0.6", linewidth=0.4, alpha=0.5, zorder=2)
        ax.set_xticks(range(k), labels)
        ax.set_xlim(-0.6, k - 0.4)
        ax.set_title(title)
        ax.set_ylabel("Alignment share, mean over republics")
    for i, g in enumerate(groups):
        n, hits = len(g.achieved), int(g.achieved.sum())
        lo, hi = wilson_interval(hits, n) if n else (np.nan, np.nan)
        p = hits / n if n else np.nan
        axes[2].bar(i, p, width=0.55, color=ARM_COLOURS[i % 2], alpha=0.85)
        axes[2].errorbar(i, p, yerr=[[p - lo], [hi - p]], color="black", capsize=3, linewidth=0.9)
        axes[2].text(i, hi + 0.03, f"{hits} of {n}", ha="center", va="bottom", fontsize=7)
    axes[2].set_ylim(0, 1.12)
    axes[2].set_yticks(np.linspace(0, 1, 6))
    axes[2].set_xticks(range(k), labels)
    axes[2].set_xlim(-0.6, k - 0.4)
    axes[2].set_title("(d) wedge achieved")
    axes[2].set_ylabel("Share of runs (95% Wilson interval)")
    for ax in axes:
        ax.grid(axis="x", visible=False)
    when = f" in {date}" if date else " at the horizon"
    n_runs = max(len(g.achieved) for g in groups)
    what = f"{_runs_text(n_runs)}" + (" per arm" if k > 1 else "")
    _suptitle(fig, f"{facts.name}: wedge measures{when} ({what})")
    handles = []
    if any(len(g.achieved) >= BOX_MIN for g in groups):
        handles.append(Patch(facecolor="white", edgecolor="black", linewidth=0.8,
                             label="box: quartiles and median; whiskers: 5–95% of runs"))
    if paired:
        handles.append(Line2D([], [], color="0.6", linewidth=0.6, label="a pair of runs with the same seed"))
    if k > 1:
        handles += [Patch(color=ARM_COLOURS[i % 2], label=_wrap(f"{g.short or i}: {g.label}", 60))
                    for i, g in enumerate(groups)]
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=2 if k > 1 else len(handles))
    return fig


# ---------------------------------------------------------------- effects


def effects_figure(effects: pd.DataFrame, facts: ScenarioFacts, definition: str = "", what: str = "") -> Figure:
    """Mean paired effect with its bootstrap interval, per republic and overall, on the
    incumbents' and the challenger's shares (percentage points)."""
    measures = [("incumbent_share", " + ".join(facts.name_of(p) for p in facts.incumbents) + " share"),
                ("challenger_share", facts.name_of(facts.challenger) + " share")]
    present = [m for m in measures if (effects["measure"] == m[0]).any()]
    if not present:
        raise PlotError("the effects table holds neither incumbent_share nor challenger_share rows")
    rows = effects[effects["measure"] == present[0][0]]["republic"].tolist()
    order = ["all"] + [r for r in rows if r != "all"]
    fig = _new_figure(PAGE if len(present) > 1 else COLUMN, 1.3 + 0.28 * len(order))
    axes = np.atleast_1d(fig.subplots(1, len(present), sharey=True))
    y = np.arange(len(order))[::-1]
    for ax, (measure, title) in zip(axes, present):
        e = effects[effects["measure"] == measure].set_index("republic").reindex(order)
        eff, lo, hi = (100 * e[c].to_numpy(float) for c in ("effect", "ci_low", "ci_high"))
        sig = (lo > 0) | (hi < 0)
        ax.axvline(0, color="0.3", linewidth=0.7)
        ax.hlines(y, lo, hi, color="black", linewidth=1.0)
        ax.scatter(eff[sig], y[sig], s=18, color="black", zorder=3, label="interval excludes 0")
        ax.scatter(eff[~sig], y[~sig], s=18, facecolor="white", edgecolor="black", zorder=3,
                   label="interval includes 0")
        ax.set_title(title)
        ax.set_xlabel("Effect (percentage points)")
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, ["All republics (mean)" if r == "all" else facts.name_of(r) for r in order])
    n = int(effects["n"].iloc[0]) if "n" in effects and len(effects) else 0
    definition = definition or (str(effects["definition"].iloc[0]) if "definition" in effects and len(effects) else "")
    _suptitle(fig, f"{facts.name}: {what or definition}\n(mean of {n} paired differences at the horizon, "
                 f"95% bootstrap interval)")
    handles, lbls = axes[0].get_legend_handles_labels()
    fig.legend(handles, lbls, loc="outside lower center", ncol=2)
    return fig


# ---------------------------------------------------------------- sweeps: trajectories


def sweep_trajectories_figure(traj: pd.DataFrame, scalars: pd.DataFrame, facts: ScenarioFacts,
                              x: str | None = None, bins: int = 3) -> Figure:
    """One panel per outcome the sweep kept over time: the median over every successful run
    with its 5–95% band (a count or flag: its mean over the runs); with ``x``, one line per
    range of that parameter (binned as in the heatmap) over the pooled band, so the futures
    of a sweep can be told apart by an assumption."""
    ok_runs = scalars.loc[scalars["status"] == "ok", "run"] if "status" in scalars else scalars["run"]
    t = traj[traj["run"].isin(ok_runs)]
    outcomes = [c for c in t.columns if c not in ("run", "step", "date")]
    if t.empty or not outcomes:
        raise PlotError("the sweep's trajectories table holds no successful run")
    n = int(t["run"].nunique())
    dates = t.drop_duplicates("step").set_index("step")["date"].sort_index()
    when = quarter_dates(dates)
    groups: list[tuple[str, list]] = []
    if x:
        sc = scalars.set_index("run").loc[t["run"].unique()]
        sc = sc[sc[x].notna()]
        cell, labels = _axis_values(sc[x], bins)
        groups = [(label, list(cell.index[cell.to_numpy() == i])) for i, label in enumerate(labels)]
        groups = [g for g in groups if g[1]]
    colours = [matplotlib.colormaps["viridis"](0.1 + 0.8 * i / max(len(groups) - 1, 1)) for i in range(len(groups))]
    fig = _new_figure(PAGE, _grid_height(len(outcomes)) + (0.3 if groups else 0))
    axes, spare = _panel_grid(fig, len(outcomes), sharey=False)
    for ax, col in zip(axes, outcomes):
        values = t.pivot(index="step", columns="run", values=col).astype(float).sort_index()
        discrete = not pd.api.types.is_float_dtype(t[col])
        if discrete:  # a count or a flag: quantiles jump between integers, the mean says more
            ax.plot(when, values.mean(axis=1), color="black" if not groups else "0.6",
                    linestyle="-" if not groups else (0, (3, 1.5)))
        else:
            q = values.quantile([0.05, 0.5, 0.95], axis=1).T
            ax.fill_between(when, q[0.05], q[0.95], color="0.5", alpha=0.22, linewidth=0)
            ax.plot(when, q[0.5], color="black" if not groups else "0.6", linestyle="-" if not groups
                    else (0, (3, 1.5)))
        for colour, (_, runs) in zip(colours, groups):
            sub = values[runs]
            ax.plot(when, sub.mean(axis=1) if discrete else sub.median(axis=1), color=colour)
        label, _ = _outcome_label(col, facts)  # a flag's mean is its probability; a count's, its mean
        ax.set_title(_wrap(_SWEEP_TRAJECTORY_TITLES.get(col, label if discrete else label.removeprefix("Mean ")), 34))
        _time_axis(ax, when)
        ax.set_xlabel("Year")
        ax.tick_params(labelbottom=True)
    stat = "mean" if all(not pd.api.types.is_float_dtype(t[c]) for c in outcomes) else "median"
    handles = [Line2D([], [], color="black" if not groups else "0.6",
                      linestyle="-" if not groups else (0, (3, 1.5)), label=f"all {_runs_text(n)}"),
               Patch(color="0.5", alpha=0.3, linewidth=0, label="5–95% of all runs")]
    handles += [Line2D([], [], color=c, label=f"{g} ({_runs_text(len(r))})") for c, (g, r) in zip(colours, groups)]
    _legend(fig, spare, handles, ncol_below=min(len(handles), 3),
            title=_wrap(_path_label(x, 60), 45) if x else None)
    by = f", {stat}s by {x}" if x else ""
    _suptitle(fig, f"{facts.name} sweep: outcomes over time ({_runs_text(n)}{by})")
    return fig


_SWEEP_TRAJECTORY_TITLES = {"wedged_republics": "Wedged republics (mean count)",
                            "opposite_republics": "Republics opposite the incumbents (mean count)"}


# ---------------------------------------------------------------- sweeps: heatmap


def _axis_values(values: pd.Series, bins: int) -> tuple[pd.Series, list[str]]:
    """Cell index of each run along one parameter, and the cells' labels: the values
    themselves when there are few, else equal-width bins over the range."""
    v = values
    if v.dtype == object or isinstance(v.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(v) \
            or pd.api.types.is_string_dtype(v):
        cats = sorted(v.dropna().unique(), key=lambda x: (str(type(x)), x))
        labels = [("true" if c else "false") if isinstance(c, (bool, np.bool_)) else str(c) for c in cats]
        return v.map({c: i for i, c in enumerate(cats)}), labels
    uniq = np.sort(v.dropna().unique())
    if len(uniq) <= max(bins, 8) and (pd.api.types.is_integer_dtype(v) or len(uniq) <= bins):
        return v.map({c: i for i, c in enumerate(uniq)}), [f"{c:.3g}" for c in uniq]
    lo, hi = float(uniq[0]), float(uniq[-1])
    edges = np.linspace(lo, hi, bins + 1)
    idx = np.clip(np.searchsorted(edges, v.to_numpy(float), side="right") - 1, 0, bins - 1)
    labels = [f"{edges[i]:.3g}–{edges[i + 1]:.3g}" for i in range(bins)]
    return pd.Series(idx, index=v.index), labels


def _outcome_label(outcome: str, facts: ScenarioFacts) -> tuple[str, bool]:
    names = {"wedge_achieved": "Wedge probability (share of runs)",
             "wedge_in_landscape": "Wedge-in-landscape probability (share of runs)",
             "incumbent_share_mean": f"{' + '.join(facts.name_of(p) for p in facts.incumbents)} share (mean)",
             "challenger_share_mean": f"{facts.name_of(facts.challenger)} share (mean)"}
    return names.get(outcome, f"Mean {outcome}"), outcome in ("wedge_achieved", "wedge_in_landscape")


def heatmap_figure(scalars: pd.DataFrame, x: str, y: str, facts: ScenarioFacts, outcome: str = "wedge_achieved",
                   bins: int = 5, params: list[str] | None = None) -> Figure:
    """Mean of ``outcome`` over the runs in each (x, y) cell (the wedge probability for a
    flag), with the number of runs per cell."""
    ok = scalars[scalars["status"] == "ok"] if "status" in scalars else scalars
    ok = ok[ok[outcome].notna() & ok[x].notna() & ok[y].notna()]  # a list design may leave a parameter unset
    if not len(ok):
        raise PlotError(f"no successful run with values of {outcome}, {x} and {y}")
    xi, xlabels = _axis_values(ok[x], bins)
    yi, ylabels = _axis_values(ok[y], bins)
    vals = ok[outcome].astype(float).to_numpy()
    grid = np.full((len(ylabels), len(xlabels)), np.nan)
    count = np.zeros_like(grid, dtype=int)
    cell = pd.DataFrame({"x": xi.to_numpy(), "y": yi.to_numpy(), "v": vals}).groupby(["y", "x"])["v"].agg(["mean", "size"])
    for (iy, ix), row in cell.iterrows():
        grid[int(iy), int(ix)] = row["mean"]
        count[int(iy), int(ix)] = int(row["size"])
    label, is_prob = _outcome_label(outcome, facts)
    fig = _new_figure(COLUMN + 1.0, 3.3)
    ax = fig.subplots()
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="#EEEEEE")
    vmin, vmax = (0.0, max(float(np.nanmax(grid)), 1e-9)) if is_prob else (float(np.nanmin(grid)), float(np.nanmax(grid)))
    if vmin == vmax:
        vmax = vmin + 1e-9
    im = ax.imshow(np.ma.masked_invalid(grid), origin="lower", aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax,
                   interpolation="nearest")
    ax.set_xticks(range(len(xlabels)), xlabels, rotation=30 if max(map(len, xlabels)) > 5 else 0,
                  ha="right" if max(map(len, xlabels)) > 5 else "center")
    ax.set_yticks(range(len(ylabels)), ylabels)
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)
    if grid.size <= 100:
        for iy in range(grid.shape[0]):
            for ix in range(grid.shape[1]):
                if not count[iy, ix]:
                    ax.text(ix, iy, "no runs", ha="center", va="center", fontsize=6, color="0.45")
                else:
                    v = grid[iy, ix]
                    light = (v - vmin) / (vmax - vmin) > 0.6
                    text = f"{v:.0%}" if is_prob else f"{v:.3g}"
                    ax.text(ix, iy, f"{text}\nn={count[iy, ix]}", ha="center", va="center", fontsize=6,
                            color="black" if light else "white")
    ax.set_xlabel(_path_label(x, 45))
    ax.set_ylabel(_path_label(y, 30))
    bar = fig.colorbar(im, ax=ax, shrink=0.9)
    bar.set_label(_wrap(label, 20))
    if is_prob:
        bar.ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0, decimals=0))
    others = [c for c in (params or []) if c not in (x, y)]
    pooled = _wrap(f"(pooled over {', '.join(others)})", 70) if others else ""
    short = label.split(" (")[0]
    short = short[0].lower() + short[1:] if short.split(" ")[0] in ("Wedge", "Wedge-in-landscape", "Mean") else short
    _suptitle(fig, f"{facts.name} sweep: {short} ({len(ok)} runs)" + (f"\n{pooled}" if pooled else ""))
    return fig


# ---------------------------------------------------------------- sweeps: sensitivity


def sensitivity_figure(table: pd.DataFrame, facts: ScenarioFacts, outcomes: list[str] | None = None) -> Figure:
    """Sobol S1 and ST (or Morris mu* and sigma) per parameter, one panel per outcome,
    most influential at the top, confidence intervals as error bars."""
    if outcomes:
        unknown = [o for o in outcomes if o not in set(table["outcome"])]
        if unknown:
            from greatgame.sim.errors import suggest

            have = list(dict.fromkeys(table["outcome"]))
            raise PlotError(f"--outcome {unknown[0]}: not in sensitivity.parquet{suggest(unknown[0], have)}; "
                            f"it holds: {', '.join(have)}")
        table = table[table["outcome"].isin(outcomes)]
    indices = set(table["index"])
    sobol = "ST" in indices or "S1" in indices
    pair = ("S1", "ST") if sobol else ("mu_star", "sigma")
    names = {"S1": "S1 (first order)", "ST": "ST (total)", "mu_star": "mu* (importance)",
             "sigma": "sigma (interactions, non-linearity)"}
    outs = list(dict.fromkeys(table["outcome"]))
    params = list(dict.fromkeys(table["parameter"]))
    k = len(outs)
    ncols = min(k, 2)
    nrows = math.ceil(k / ncols)
    fig = _new_figure(PAGE if k > 1 else COLUMN + 1.5, 0.9 + nrows * (0.5 + 0.34 * len(params)))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax in axes[k:]:
        ax.set_axis_off()
    shades = ("#404040", "#B3B3B3")
    for ax, out in zip(axes, outs):
        t = table[table["outcome"] == out].pivot_table(index="parameter", columns="index", values=["value", "conf"],
                                                        aggfunc="first", dropna=False)
        key = ("value", pair[1]) if ("value", pair[1]) in t.columns else ("value", pair[0])
        order = t[key].fillna(-np.inf).sort_values(ascending=True).index.tolist()  # most influential on top
        y = np.arange(len(order))
        h = 0.38
        for j, (idx, shade) in enumerate(zip(pair, shades)):
            if ("value", idx) not in t.columns:
                continue
            v = t.loc[order, ("value", idx)].to_numpy(float)
            c = t.loc[order, ("conf", idx)].to_numpy(float) if ("conf", idx) in t.columns else np.full(len(v), np.nan)
            ax.barh(y + (h / 2 if j == 0 else -h / 2), np.nan_to_num(v), height=h, color=shade, label=names[idx],
                    edgecolor="black", linewidth=0.4)
            has = ~np.isnan(c) & ~np.isnan(v)
            ax.errorbar(v[has], (y + (h / 2 if j == 0 else -h / 2))[has], xerr=c[has], fmt="none", ecolor="black",
                        elinewidth=0.7, capsize=2)
        ax.axvline(0, color="0.3", linewidth=0.6)
        ax.set_yticks(y, [_wrap_path(p, 30) for p in order])
        ax.set_title(_wrap(out, 50))
        ax.set_xlabel("Sobol index (share of variance)" if sobol else
                      "Elementary effect\n(per range, outcome units)")
        vals = t["value"].to_numpy(float) if "value" in t.columns.get_level_values(0) else np.array([])
        if not np.isfinite(vals).any() or not np.nan_to_num(vals).any():
            ax.text(0.5, 0.5, "the outcome is the\nsame in every run:\nno index", ha="center", va="center",
                    transform=ax.transAxes, fontsize=7, color="0.3",
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9})
        ax.grid(axis="y", visible=False)
    handles, lbls = axes[0].get_legend_handles_labels()
    what = "Sobol indices" if sobol else "Morris screening"
    _suptitle(fig, f"{facts.name} sweep: {what} (bars: 95% confidence intervals)")
    fig.legend(handles, lbls, loc="outside lower center", ncol=2)
    return fig


# ---------------------------------------------------------------- sweeps: discovery


def discovery_figure(info: dict, trajectory: pd.DataFrame, facts: ScenarioFacts) -> Figure:
    """(a) PRIM's peeling trajectory, coverage against density, coloured by the number of
    restricted parameters, the chosen box ringed; (b) the chosen box: each restricted
    parameter's limits within the range the runs span."""
    chosen = int(info.get("chosen_box", 0))
    box = info.get("box") or {}
    fig = _new_figure(PAGE, 3.1)
    ax, bx = fig.subplots(1, 2, width_ratios=[1.0, 1.25])
    dims = trajectory["res_dim"].astype(int).to_numpy()
    levels = sorted(set(dims))
    cmap = matplotlib.colormaps["viridis"]
    col = {d: cmap(0.9 * i / max(len(levels) - 1, 1)) for i, d in enumerate(levels)}
    ax.plot(trajectory["coverage"], trajectory["density"], color="0.75", linewidth=0.8, zorder=1)
    for d in levels:
        sel = dims == d
        ax.scatter(trajectory["coverage"][sel], trajectory["density"][sel], s=16, color=col[d], zorder=2,
                   label=str(d), linewidths=0)
    c = trajectory.iloc[chosen]
    ax.scatter([c["coverage"]], [c["density"]], s=80, facecolor="none", edgecolor="black", linewidths=1.1, zorder=3)
    ax.annotate(f"box {chosen}", (c["coverage"], c["density"]), xytext=(-8, 8), textcoords="offset points",
                ha="right", fontsize=7)
    ax.set_xlabel("Coverage\n(share of the runs of interest inside)")
    ax.set_ylabel("Density\n(share of the runs inside of interest)")
    ax.set_xlim(-0.02, 1.05)
    ax.set_ylim(0, 1.05)
    ax.set_title("(a) PRIM peeling trajectory")
    ax.legend(title="restricted\nparameters", loc="upper left", bbox_to_anchor=(1.0, 1.0), handletextpad=0.2,
              borderaxespad=0.2)
    # (b) the chosen box
    names = list(box)
    bx.set_title(f"(b) the chosen box, {chosen}:\ncoverage {c['coverage']:.2f}, density {c['density']:.2f}, "
                 f"mass {c['mass']:.2f}")
    if not names:
        bx.text(0.5, 0.5, "no parameter restricted:\nthe whole sweep", ha="center", va="center",
                transform=bx.transAxes)
        bx.set_axis_off()
    else:
        y = np.arange(len(names))[::-1]
        notes = []
        for yi, name in zip(y, names):
            lim = box[name]
            bx.barh(yi, 1.0, left=0.0, height=0.5, color="#EEEEEE", edgecolor="0.6", linewidth=0.5)
            if "values" in lim:
                of = [str(v) for v in lim["of"]]
                keep = {str(v) for v in lim["values"]}
                w = 1.0 / max(len(of), 1)
                for i, v in enumerate(of):
                    if v in keep:
                        bx.barh(yi, w, left=i * w, height=0.5, color=OKABE_ITO["sky_blue"], edgecolor="black",
                                linewidth=0.5)
                    bx.text((i + 0.5) * w, yi, v, ha="center", va="center", fontsize=6)
                qp = lim.get("qp")
                note = f"qp {qp:.2g}" if qp is not None else ""
            else:
                lo0, hi0 = lim["range"]
                span = (hi0 - lo0) or 1.0
                a, b = (lim["min"] - lo0) / span, (lim["max"] - lo0) / span
                bx.barh(yi, b - a, left=a, height=0.5, color=OKABE_ITO["sky_blue"], edgecolor="black", linewidth=0.5)
                bx.text(a, yi - 0.3, f"{lim['min']:.3g}", ha="left" if a < 0.08 else "center", va="top", fontsize=6)
                bx.text(b, yi - 0.3, f"{lim['max']:.3g}", ha="right" if b > 0.92 else "center", va="top", fontsize=6)
                qps = [f"{w} qp {lim[k]:.2g}" for w, k in (("min", "qp_min"), ("max", "qp_max"))
                       if lim.get(k) is not None]
                note = "; ".join(qps)
            notes.append(note)
        bx.set_yticks(y, [_wrap_path(n, 32) + (f"\n({q})" if q else "") for n, q in zip(names, notes)])
        bx.set_xlim(0, 1)
        bx.set_ylim(-0.9, len(names) - 0.4)
        bx.set_xticks([0, 0.5, 1], ["low end", "middle", "high end"])
        bx.set_xlabel("Position in the range the runs span")
        bx.grid(False)
    target = info.get("target", "")
    runs = info.get("runs")
    k = info.get("runs_of_interest")
    extra = f" ({k} of {runs} runs)" if runs else ""
    _suptitle(fig, f"{facts.name} sweep: scenario discovery, runs of interest: {target}{extra}")
    return fig


# ---------------------------------------------------------------- dispatch


def figures(folder: str | Path | Folder, kind: str, *, measure: str = "alignment", channel: str | None = None,
            dates: list[str] | None = None, x: str | None = None, y: str | None = None,
            outcome: str | None = None, bins: int = 5, against: str | Path | Folder | None = None
            ) -> list[tuple[str, Figure]]:
    """The figures of one kind for a results folder, as (file stem, Figure) pairs."""
    folder = open_folder(folder)
    why = missing(folder, kind)
    if why:
        raise PlotError(why)
    if bins < 2:
        raise PlotError(f"--bins: must be ≥ 2, got {bins}")
    if kind == "hindcast":
        from .hindcast_plots import hindcast_figure

        with matplotlib.rc_context(STYLE):
            return [("hindcast", hindcast_figure(folder.table("hindcast"), folder.manifest))]
    facts = folder.facts
    with matplotlib.rc_context(STYLE):
        if kind == "trajectories" and folder.kind == "sweep":
            if against is not None:
                raise PlotError(f"--against: overlays a second `greatgame run` folder on a run folder; "
                                f"{folder.label} is a sweep folder")
            params = folder.parameters
            if x is not None and x not in params:
                from greatgame.sim.errors import suggest

                raise PlotError(f"--x {x}: not a parameter of this sweep{suggest(x, params)}; it varies: "
                                f"{', '.join(params)}")
            stem = "trajectories" + (f"-by-{_safe(x)}" if x else "")
            return [(stem, sweep_trajectories_figure(folder.table("trajectories"), folder.table("scalars"), facts,
                                                     x, bins if x else 3))]
        if kind == "trajectories" and folder.kind in ("compare", "wedge"):
            if against is not None:
                raise PlotError(f"--against: overlays a second `greatgame run` folder on a run folder; "
                                f"{folder.label} is a {folder.kind} folder, its arms are already overlaid")
            t = folder.table("trajectories")
            arms = _arm_labels(folder)
            main = t[t["arm"] == "A"]
            other = t[t["arm"] == "B"] if (t["arm"] == "B").any() else None
            if main.empty:
                raise PlotError(f"{folder.label}: trajectories.parquet holds no rows of arm A")
            stem = "trajectories" + (f"-{channel}" if channel else "" if measure == "alignment" else f"-{measure}")
            counterfactual = folder.kind == "wedge" or bool(folder.manifest.get("arms", {}).get("B", {}).get("disabled"))
            dashed = "the counterfactual" if counterfactual else arms.get("B", "arm B")
            return [(stem, trajectories_figure(main, facts, measure, channel, other, (arms["A"], arms.get("B", "")),
                                               dashed))]
        if kind == "trajectories":
            other, labels = None, ("as given", "counterfactual")
            if against is not None:
                af = open_folder(against) if not isinstance(against, (str, Path)) else Folder(against, str(against))
                why = missing(af, "trajectories")
                if why:
                    raise PlotError(f"--against {why}")
                other = af.table("actors")
                if _republics(other) != _republics(folder.table("actors")):
                    raise PlotError(f"--against {af.label}: holds other republics "
                                    f"({', '.join(_republics(other))}); the trajectories cannot be overlaid")
                labels = (_run_label(folder), _run_label(af))
            stem = "trajectories" + (f"-{channel}" if channel else "" if measure == "alignment" else f"-{measure}")
            return [(stem, trajectories_figure(folder.table("actors"), facts, measure, channel, other, labels))]
        if kind == "alignment":
            return [("alignment", alignment_figure(folder.table("actors"), facts))]
        if kind == "network":
            return [("network", network_figure(folder.table("actors"), facts, dates))]
        if kind == "wedge":
            gs = groups_of(folder)
            if against is not None and folder.kind != "run":
                raise PlotError(f"--against: overlays a second `greatgame run` folder on a run folder; "
                                f"{folder.label} is a {folder.kind} folder, its arms are already side by side")
            if against is not None:
                af = Folder(against, str(against)) if isinstance(against, (str, Path)) else against
                why = missing(af, "wedge")
                if why or af.kind != "run":
                    raise PlotError(f"--against {why or af.label + ': not a `greatgame run` folder'}")
                gs += groups_of(af)
                gs[0].label, gs[1].label = _run_label(folder), _run_label(af)
                gs[0].short, gs[1].short = "A", "B"
            date = ""
            if folder.kind == "run":
                date = str(folder.table("model")["date"].iloc[-1])
            return [("wedge", wedge_figure(gs, facts, date))]
        if kind == "effects":
            return [("effects", effects_figure(folder.table("effects"), facts,
                                               str(folder.manifest.get("effect") or ""), effect_text(folder)))]
        if kind == "heatmap":
            params = folder.parameters
            x = x or params[0]
            y = y or next(p for p in params if p != x)
            sc = folder.table("scalars")
            for flag, p in (("--x", x), ("--y", y)):
                if p not in params or p not in sc.columns:
                    from greatgame.sim.errors import suggest

                    raise PlotError(f"{flag} {p}: not a parameter of this sweep{suggest(p, params)}; it varies: "
                                    f"{', '.join(params)}")
            if x == y:
                raise PlotError(f"--x and --y are both {x}; choose two parameters")
            outcome = outcome or ("wedge_achieved" if "wedge_achieved" in sc.columns else _outcomes(sc, params)[0])
            if outcome not in sc.columns or outcome in params:
                from greatgame.sim.errors import suggest

                have = _outcomes(sc, params)
                raise PlotError(f"--outcome {outcome}: not an outcome of this sweep{suggest(outcome, have)}; it "
                                f"records: {', '.join(have)}")
            stem = "heatmap" + ("" if outcome == "wedge_achieved" else f"-{_safe(outcome)}")
            return [(stem, heatmap_figure(sc, x, y, facts, outcome, bins, params))]
        if kind == "sensitivity":
            table = pd.read_parquet(folder.path / "sensitivity.parquet")
            return [("sensitivity", sensitivity_figure(table, facts, [outcome] if outcome else None))]
        if kind == "discovery":
            d = folder.discovery_dir
            try:
                info = json.loads((d / "discovery.json").read_text(encoding="utf-8"))
            except ValueError as e:
                raise PlotError(f"{d / 'discovery.json'}: not readable JSON ({e})") from None
            traj = pd.read_parquet(d / "prim_trajectory.parquet")
            return [("discovery", discovery_figure(info, traj, facts))]
    raise PlotError(f"unknown kind '{kind}'")  # pragma: no cover - missing() refuses it first


def effect_text(folder: Folder) -> str:
    """What the effects are, in words: 'effect of X (with − without)' or 'B − A'."""
    m = folder.manifest
    if m.get("counterfactual_disabled"):
        who = folder.facts.name_of(m.get("challenger") or folder.facts.challenger)
        return f"effect of {who}'s initiatives {', '.join(m['counterfactual_disabled'])} (with − without)"
    arms = m.get("arms") or {}
    a, b = arms.get("A") or {}, arms.get("B") or {}
    if b.get("disabled"):
        return f"effect of {', '.join(b['disabled'])} (with − without)"
    if a and b:
        return f"{b.get('label') or b.get('scenario')} − {a.get('label') or a.get('scenario')} (B − A)"
    return ""


def _outcomes(scalars: pd.DataFrame, params: list[str]) -> list[str]:
    skip = {"run", "point", "replicate", "seed", "status", "error", *params}
    return [c for c in scalars.columns if c not in skip]


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text)


def _run_label(folder: Folder) -> str:
    """'abe_2015', 'abe_2015 without japan_2015_tour', 'abe_2015 with parameters.x=2'."""
    m = folder.manifest
    parts = []
    for o in m.get("overrides") or []:
        path, _, value = str(o).partition("=")
        bits = path.split(".")
        if len(bits) == 3 and bits[0] == "initiatives" and bits[2] == "enabled" and value.lower() in ("false", "true"):
            parts.append(("without " if value.lower() == "false" else "with ") + bits[1])
        else:
            parts.append(f"with {o}")
    return " ".join([str(m.get("scenario") or folder.path.name)] + parts)


def save(fig: Figure, path: str | Path, fmt: str | None = None, dpi: int = 300) -> Path:
    """Write a figure without timestamps (same figure, same bytes) and release it."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".")
    if fmt not in FORMATS:
        raise PlotError(f"--format {fmt}: expected one of: {', '.join(FORMATS)}")
    from . import output

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


def plot(folder: str | Path | Folder, kinds: list[str] | None = None, fmt: str = "png", out: str | Path | None = None,
         dpi: int = 300, **options) -> list[Path]:
    """Write the figures of ``kinds`` (default: every kind the folder supports) into
    ``out`` (default RESULTS/figures) as ``KIND.FORMAT``; the paths written."""
    folder = open_folder(folder)
    if fmt not in FORMATS:
        raise PlotError(f"--format {fmt}: expected one of: {', '.join(FORMATS)}")
    if kinds:
        for k in kinds:
            why = missing(folder, k)
            if why:
                raise PlotError(why)
    else:
        kinds = supported(folder)
        if not kinds:
            if folder.kind == "sweep" and len(folder.parameters) < 2:
                raise PlotError(f"{folder.label}: nothing to plot; a heatmap needs a sweep over two parameters or "
                                f"more, this one varies {', '.join(folder.parameters) or 'none'}; sensitivity and "
                                f"discovery figures come after `greatgame sensitivity` or `greatgame discover` "
                                f"(load the table with analysis.load_results('{folder.label}'))")
            raise PlotError(f"{folder.label}: nothing to plot; this folder holds {folder.holds()}")
    out = Path(out) if out else folder.path / "figures"
    if out.exists() and not out.is_dir():
        raise PlotError(f"--out {out}: exists and is not a directory")
    built = [(stem, fig) for k in kinds for stem, fig in figures(folder, k, **options)]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, fig in built:
        written.append(save(fig, out / f"{stem}.{fmt}", fmt, dpi))
    return written


__all__ = ["FORMATS", "KINDS", "Folder", "PlotError", "figures", "missing", "open_folder", "plot", "power_colours",
           "quarter_dates", "render", "save", "supported"]
