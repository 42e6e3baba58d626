"""Figures of saved results, for papers and briefings. Nothing here runs the model.

This module picks and feeds the figures; the results-folder reader is :mod:`analysis.folders`
and the figure functions are in :mod:`analysis.plotting` (by family), shared with the app.

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
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

# The reader and the figure functions live in analysis.folders and analysis.plotting (by family);
# they are re-exported here, so ``plots.trajectories_figure``, ``plots.open_folder`` ... keep working.
from .folders import Folder, PlotError, ScenarioFacts, open_folder, pretty, scenario_facts  # noqa: F401
from .plotting.common import (COLUMN, EXTRA_COLOURS, FORMATS, MEASURES, OKABE_ITO, PAGE,  # noqa: F401
                              POWER_COLOURS, STYLE, _path_label, _republics, power_colours, quarter_dates,
                              render, save)
from .plotting.network import network_figure, network_positions  # noqa: F401
from .plotting.outcomes import Group, effects_figure, wedge_figure
from .plotting.sweeps import discovery_figure, heatmap_figure, sensitivity_figure, sweep_trajectories_figure
from .plotting.trajectories import alignment_figure, trajectories_figure

KINDS = ("trajectories", "network", "alignment", "wedge", "effects", "heatmap", "sensitivity", "discovery",
         "hindcast")
FOLDER_KINDS = {  # what each kind of results folder can show, in the default order
    "run": ("trajectories", "network", "alignment", "wedge"),
    "compare": ("trajectories", "wedge", "effects"),
    "wedge": ("trajectories", "wedge", "effects"),
    "sweep": ("trajectories", "heatmap", "sensitivity", "discovery"),
    "discovery": ("discovery",),
    "hindcast": ("hindcast",),  # analysis/hindcast_plots.py
    "unknown": (),
}


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
