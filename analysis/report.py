"""One self-contained HTML report of a results folder: ``build(DIR)`` → ``DIR/report.html``.

The file holds everything it shows: figures as base64 PNG, styles inline; no scripts, no
external stylesheets, fonts or images, so it opens from disk in any browser, offline,
and can be mailed as it is. Every piece of text from the results or the scenario is
escaped. Sections, as they apply to the folder:

- the scenario's title and description (from the scenario files the manifest lists,
  loaded read-only; nothing is run);
- the headline: the wedge measures at the horizon (run), the paired effects (compare),
  the wedge probability with and without the challenger's initiatives (wedge), or the
  sweep's design, outcomes, sensitivity indices and discovered box (sweep);
- the figures of :mod:`analysis.plots` for every kind the folder supports;
- the events of the first run (run folders);
- every figure of the scenario with its source or assumption
  (:func:`analysis.figures.figure_rows`);
- the manifest: seeds, versions, the command, files and hashes.
"""

from __future__ import annotations

import base64
import html
import json
import shlex
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from . import plots
from .plots import Folder, PlotError

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.88rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.2rem 0 2rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.88rem; color: #444; margin-top: 0.3rem; }
pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; font-size: 0.8rem; }
code { font-size: 0.88em; }
details { margin: 0.6rem 0; }
summary { cursor: pointer; font-weight: 600; }
.note { color: #7a4b00; }
.status-source { color: #1b5e20; } .status-assumption { color: #7a4b00; } .status-default { color: #555; }
.status-unsourced { color: #b00020; font-weight: 600; }
"""

CAPTIONS = {
    "trajectories": "Alignment of each republic toward each power over time: the median over runs, with the "
                    "5–95% range of the runs shaded; in a comparison, arm B's medians dashed over arm A's.",
    "trajectories-influence": "Influence I(p, r) of each power on each republic (the weighted sum of the channel "
                              "scores): median over runs with the 5–95% range; in a comparison, arm B's medians "
                              "dashed.",
    "sweep-trajectories": "The outcomes the sweep kept over time: the median over all its runs with the 5–95% "
                          "range shaded (for a count or a flag, its mean over the runs).",
    "alignment": "Alignment shares stacked to one (mean over runs), the incumbents at the bottom: where their band "
                 "ends below the dashed line, they have lost the majority of the republic's alignment.",
    "network": "The influence graph at the first and the last date: arrows from each power to each republic, as "
               "wide as the mean influence; fill: the landscape-theory bloc (with the challenger or not).",
    "wedge": "The wedge measures at the horizon, one point per run: (a) the incumbents' and (b) the challenger's "
             "alignment share, mean over the republics; (d) the share of runs in which the wedge is achieved, with "
             "its 95% Wilson interval.",
    "effects": "Mean paired difference between the arms at the horizon (common random numbers), per republic and "
               "overall, with the 95% percentile-bootstrap interval; filled: the interval excludes zero.",
    "heatmap": "The wedge probability (share of runs) over two parameters of the sweep, binned; n: runs per cell.",
    "sensitivity": "Global sensitivity of each outcome to each parameter, with 95% confidence intervals.",
    "discovery": "PRIM scenario discovery: (a) the coverage–density trade-off along the peeling trajectory; (b) "
                 "the chosen box, each restricted parameter's range within the range the runs span.",
}


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _num(v: Any, digits: int = 3) -> str:
    """A number for a table cell; text (already formatted) as it is."""
    if isinstance(v, (bool, str)) or v is None:
        return esc(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return esc(v)
    if pd.isna(f):
        return "–"
    if f.is_integer() and abs(f) < 1e15 and not isinstance(v, float):
        return esc(int(f))
    return esc(f"{f:.{digits}f}")


def table(headers: list[str], rows: Iterable[Iterable[Any]], numeric: Iterable[int] = (), raw: Iterable[int] = ()
          ) -> str:
    """An HTML table; every cell escaped (except columns in ``raw``, already HTML)."""
    numeric, raw = set(numeric), set(raw)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            if i in raw:
                cells.append(f"<td>{v}</td>")
            elif i in numeric:
                cells.append(f'<td class="num">{_num(v)}</td>')
            else:
                cells.append(f"<td>{esc(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _pct(p: float) -> str:
    return "–" if pd.isna(p) else f"{100 * p:.0f}%"


# ---------------------------------------------------------------- headline sections


def _run_headline(folder: Folder) -> str:
    from . import runs

    facts = folder.facts
    actors, model = folder.table("actors"), folder.table("model")
    powers = [c[len("alignment_"):] for c in actors.columns if c.startswith("alignment_")]
    incumbents = [p for p in facts.incumbents if p in powers]
    w = runs.wedge_summary(model, actors)
    inc = " + ".join(facts.name_of(p) for p in incumbents)
    ch = facts.name_of(facts.challenger)
    end = str(model["date"].iloc[-1])
    n = w["replicates"]
    opp = {k: v for k, v in w["opposite_frequency"].items() if v > 0}
    wedged = {k: v for k, v in w["wedged_frequency"].items() if v > 0}
    rows = [
        ("(a) mean alignment share of " + inc, f"{w['incumbent_share_mean']:.3f}"),
        ("(b) mean alignment share of " + ch, f"{w['challenger_share_mean']:.3f}"),
        (f"(c) republics in {ch}'s landscape bloc, opposite {inc}",
         ", ".join(f"{facts.name_of(k)} ({v:.0%} of runs)" for k, v in opp.items()) or "none"),
        ("(d) wedge achieved", f"{w['wedge_runs']} of {n} runs ({_pct(w['wedge_probability'])})"),
        ("(d) wedged republics", ", ".join(f"{facts.name_of(k)} ({v:.0%} of runs)" for k, v in wedged.items())
         or "none"),
        (f"(c) and (d): a wedged republic also in {ch}'s landscape bloc", f"{w['wedge_in_landscape_runs']} of {n} runs"),
    ]
    out = [f"<h2>Headline: the wedge in {esc(end)}</h2>",
           f"<p>{'Mean over ' + str(n) + ' runs' if n > 1 else 'One run'}. The wedge is achieved when, in at least "
           f"one republic, {esc(inc)} {'together hold' if len(facts.incumbents) > 1 else 'holds'} less than "
           f"{facts.threshold:g} of its alignment and {esc(ch)} at least as much as "
           f"{'each of them' if len(facts.incumbents) > 1 else 'it'}.</p>",
           table(["measure", "value"], rows)]
    final = runs.final_alignment(actors, powers, incumbents or powers[:1])
    head = ["republic"] + [facts.name_of(p) for p in powers] + [inc or "incumbents"]
    rows = [[facts.name_of(r)] + [f"{v:.3f}" for v in row] for r, row in final.iterrows()]
    out += [f"<h3>Alignment in {esc(end)}{' (mean of runs)' if n > 1 else ''}</h3>",
            table(head, rows, numeric=range(1, len(head)))]
    return "\n".join(out)


def _effects_section(folder: Folder) -> str:
    e = folder.table("effects")
    if not len(e):
        return ""
    facts = folder.facts
    what = plots.effect_text(folder) or str(e["definition"].iloc[0])
    rows = []
    for _, r in e.iterrows():
        star = "*" if (r["ci_low"] > 0 or r["ci_high"] < 0) else ""
        rep = "all (mean)" if r["republic"] == "all" else facts.name_of(r["republic"])
        rows.append([r["measure"], rep, f"{r['mean_A']:.4f}", f"{r['mean_B']:.4f}", f"{r['effect']:+.4f}{star}",
                     f"[{r['ci_low']:+.4f}, {r['ci_high']:+.4f}]"])
    n = int(e["n"].iloc[0])
    return "\n".join([
        "<h3>Paired effects at the horizon</h3>",
        f"<p>{esc(what)}: mean of {n} paired differences (common random numbers) with the 95% percentile-bootstrap "
        f"interval; * marks an interval that excludes zero. Definition: <code>{esc(e['definition'].iloc[0])}</code>."
        "</p>",
        table(["measure", "republic", "mean A", "mean B", "effect", "95% interval"], rows, numeric=(2, 3, 4)),
    ])


def _wedge_shift_section(folder: Folder) -> str:
    """The wedge headline: the shift per republic caused by the challenger's initiatives, with
    the mean's interval and the spread of the pairs; then channel by channel; then rule (d) per
    republic at each threshold. The binary rule in any republic follows, as one measure."""
    facts = folder.facts
    inc = " + ".join(facts.name_of(p) for p in facts.incumbents)
    ch = facts.name_of(facts.challenger)
    m = folder.manifest
    out = []
    if folder.has("effects"):
        e = folder.table("effects")
        e = e[e["measure"] == "incumbent_share"]
        if len(e):
            rows = []
            for _, r in list(e.iloc[1:].iterrows()) + [(0, e.iloc[0])]:
                spread = (f"[{100 * r['pairs_p05']:+.2f}, {100 * r['pairs_p95']:+.2f}]"
                          if "pairs_p05" in e.columns else "–")
                rows.append(["all (mean)" if r["republic"] == "all" else facts.name_of(r["republic"]),
                             f"{100 * r['mean_A']:.1f}%", f"{100 * r['mean_B']:.1f}%", f"{100 * r['effect']:+.2f}",
                             f"[{100 * r['ci_low']:+.2f}, {100 * r['ci_high']:+.2f}]", spread])
            out += [f"<h3>The shift in {esc(inc)}'s share caused by {esc(ch)}'s initiatives</h3>",
                    f"<p>{esc(inc)} share of each republic's alignment at the horizon with and without "
                    f"{esc(ch)}'s initiatives, and the shift (with − without, percentage points): the mean over "
                    f"{int(e['n'].iloc[0])} paired runs with its 95% bootstrap interval, and the spread of the "
                    f"paired shifts themselves (5–95%). Uncertainty shown: "
                    f"{esc(m.get('uncertainty') or 'seeds only (parameters fixed at the scenario values)')}.</p>",
                    table(["republic", "with", "without", "shift", "95% CI of the mean", "5–95% of pairs"], rows,
                          numeric=(1, 2, 3))]
    if folder.has("channels"):
        c = folder.table("channels")
        pivot = c.pivot(index="channel", columns="republic", values="shift")
        reps = [r for r in dict.fromkeys(c["republic"]) if r in pivot.columns]
        rows = [[ch_name] + ["–" if pd.isna(pivot.loc[ch_name, r]) else f"{100 * pivot.loc[ch_name, r]:+.2f}"
                             for r in reps] for ch_name in dict.fromkeys(c["channel"])]
        out += [f"<h3>Through which channels: {esc(inc)}'s share of each channel, shift in points</h3>",
                table(["channel"] + [facts.name_of(r) for r in reps], rows, numeric=range(1, len(reps) + 1))]
    if folder.has("thresholds"):
        t = folder.table("thresholds")
        levels = sorted(t["threshold"].unique())
        rows = []
        for r in dict.fromkeys(t["republic"]):
            cells = []
            for x in levels:
                a = t[(t["arm"] == "A") & (t["republic"] == r) & (t["threshold"] == x)]
                b = t[(t["arm"] == "B") & (t["republic"] == r) & (t["threshold"] == x)]
                cell = _pct(a["probability"].iloc[0]) if len(a) else "–"
                if len(b):
                    cell += f" ({_pct(b['probability'].iloc[0])})"
                cells.append(cell)
            rows.append([facts.name_of(r)] + cells)
        out += [f"<h3>Rule (d) per republic at thresholds {levels[0]:.2f}–{levels[-1]:.2f}</h3>",
                f"<p>Share of runs in which {esc(inc)} together hold less than the threshold and {esc(ch)} at "
                f"least as much as each of them, with {esc(ch)}'s initiatives (without them).</p>",
                table(["republic"] + [f"< {x:.2f}" for x in levels], rows)]
    return "\n".join(out)


def _arms_section(folder: Folder) -> str:
    m = folder.manifest
    arms = m.get("arms") or {}
    rows = []
    if arms:
        for key, a in arms.items():
            rows.append([key, a.get("label"), a.get("scenario"), ", ".join(a.get("disabled") or []) or "–",
                         ", ".join(a.get("files") or [])])
    else:
        runs = folder.table("runs")
        for key, df in runs.groupby("arm", sort=True):
            rows.append([key, df["scenario"].iloc[0] if "scenario" in df else "", m.get("scenario"),
                         ", ".join(m.get("counterfactual_disabled") or []) if key == "B" else "–",
                         ", ".join(m.get("scenario_files") or [])])
    return "<h3>Arms</h3>" + table(["arm", "label", "scenario", "initiatives switched off", "files"], rows)


def _compare_headline(folder: Folder) -> str:
    m = folder.manifest
    runs = folder.table("runs")
    out = ["<h2>Headline</h2>", _arms_section(folder)]
    if folder.kind == "wedge" and folder.has("wedge"):
        w = folder.table("wedge")
        facts = folder.facts
        out.append(_wedge_shift_section(folder))
        rows = [[r["arm"], r["scenario"], f"{int(r['wedge_runs'])} of {int(r['runs'])}", _pct(r["probability"]),
                 f"{_pct(r['ci_low'])}–{_pct(r['ci_high'])}"] for _, r in w.iterrows()]
        out += [f"<h3>Rule (d) at the scenario's threshold, in any republic: does "
                f"{esc(facts.name_of(facts.challenger))} achieve the wedge?</h3>",
                table(["arm", "scenario", "runs with the wedge", "probability", f"interval ({w['interval'].iloc[0]})"],
                      rows)]
    else:
        from .compare import wilson_interval

        rows = []
        for key, df in runs.groupby("arm", sort=True):
            k, n = int(df["wedge_achieved"].astype(bool).sum()), len(df)
            lo, hi = wilson_interval(k, n)
            rows.append([key, df["scenario"].iloc[0] if "scenario" in df else key, f"{k} of {n}", _pct(k / n),
                         f"{_pct(lo)}–{_pct(hi)}"])
        out.append(table(["arm", "scenario", "runs with the wedge", "probability", "95% Wilson interval"], rows))
    if m.get("note"):
        out.append(f'<p class="note">{esc(m["note"])}</p>')
    out.append(_effects_section(folder))
    if not folder.has("trajectories"):
        out.append('<p class="note">This folder holds each arm\'s outcomes at the horizon only (it was written '
                   'with <code>--every 0</code>): no trajectories are shown. For trajectories of an arm, run it '
                   'with <code>greatgame run</code> and plot that folder (<code>--against DIR</code> overlays a '
                   'second run folder).</p>')
    return "\n".join(out)


def _sweep_headline(folder: Folder) -> str:
    m = folder.manifest
    sc = folder.table("scalars")
    params = folder.parameters
    ok = sc[sc["status"] == "ok"] if "status" in sc else sc
    rows = [("design", m.get("design")), ("points", m.get("points")), ("replicates per point", m.get("replicates")),
            ("runs", len(sc)), ("failed runs", len(sc) - len(ok)), ("master seed", m.get("master_seed")),
            ("parameters varied", ", ".join(params))]
    out = ["<h2>Headline: the sweep</h2>", table(["field", "value"], rows)]
    outcome_rows = []
    for c in plots._outcomes(sc, params):
        col = ok[c]
        if pd.api.types.is_bool_dtype(col) or str(col.dtype) == "boolean":
            v = col.astype(float)
            outcome_rows.append([c, "share of runs", _pct(v.mean()), "", ""])
        elif pd.api.types.is_numeric_dtype(col):
            v = col.astype(float)
            outcome_rows.append([c, "mean", f"{v.mean():.4f}", f"{v.min():.4f}", f"{v.max():.4f}"])
    if outcome_rows:
        out += ["<h3>Outcomes over all runs</h3>",
                table(["outcome", "statistic", "value", "min", "max"], outcome_rows, numeric=(2, 3, 4))]
    sens = folder.path / "sensitivity.parquet"
    if sens.exists():
        t = pd.read_parquet(sens)
        rows = [[r["outcome"], r["parameter"], r["index"], f"{r['value']:.3f}",
                 "–" if pd.isna(r["conf"]) else f"± {r['conf']:.3f}"] for _, r in t.iterrows()]
        out += ["<h3>Sensitivity indices</h3>", table(["outcome", "parameter", "index", "value", "95% interval"],
                                                       rows, numeric=(3,))]
    disc = folder.discovery_dir / "discovery.json"
    if disc.exists():
        try:
            d = json.loads(disc.read_text(encoding="utf-8"))
        except ValueError:
            d = None
        if d:
            st = d.get("stats", {})
            rows = []
            for name, lim in (d.get("box") or {}).items():
                if "values" in lim:
                    rows.append([name, "in {" + ", ".join(map(str, lim["values"])) + "}",
                                 "of {" + ", ".join(map(str, lim["of"])) + "}",
                                 "" if lim.get("qp") is None else f"{lim['qp']:.2g}"])
                else:
                    qps = "; ".join(f"{w} {lim[k]:.2g}" for w, k in (("min", "qp_min"), ("max", "qp_max"))
                                    if lim.get(k) is not None)
                    rows.append([name, f"{lim['min']:.4g} to {lim['max']:.4g}",
                                 f"{lim['range'][0]:.4g} to {lim['range'][1]:.4g}", qps])
            out += [f"<h3>Scenario discovery: {esc(d.get('target'))}</h3>",
                    f"<p>{esc(d.get('runs_of_interest'))} of {esc(d.get('runs'))} runs are of interest. Chosen box "
                    f"{esc(d.get('chosen_box'))} ({esc(d.get('rule'))}): coverage {st.get('coverage', float('nan')):.3f}, "
                    f"density {st.get('density', float('nan')):.3f}, mass {st.get('mass', float('nan')):.3f}.</p>",
                    table(["parameter", "box", "range of the runs", "quasi-p-values"], rows) if rows else
                    "<p>No parameter restricted.</p>"]
    spec = folder.path / "spec.yaml"
    if spec.exists():
        out += ["<details><summary>The sweep spec (spec.yaml)</summary>",
                f"<pre>{esc(spec.read_text(encoding='utf-8'))}</pre></details>"]
    return "\n".join(out)


# ---------------------------------------------------------------- figures


def _figure_list(folder: Folder) -> list[tuple[str, dict]]:
    """(kind, options) for every figure the report shows."""
    out = []
    for kind in plots.supported(folder):
        out.append((kind, {}))
        if kind == "trajectories" and folder.kind != "sweep":
            out.append((kind, {"measure": "influence"}))
    return out


def _figures_section(folder: Folder, dpi: int) -> tuple[str, list[str]]:
    parts, notes = ["<h2>Figures</h2>"], []
    items = _figure_list(folder)
    if not items:
        parts.append("<p>No figure applies to this folder.</p>")
    for kind, options in items:
        try:
            made = plots.figures(folder, kind, **options)
        except PlotError as e:
            notes.append(str(e))
            parts.append(f'<p class="note">{esc(kind)}: {esc(e)}</p>')
            continue
        for stem, fig in made:
            data = base64.b64encode(plots.render(fig, "png", dpi)).decode("ascii")
            caption = CAPTIONS.get(f"{folder.kind}-{stem}", CAPTIONS.get(stem, CAPTIONS.get(kind, "")))
            parts.append(f'<figure id="fig-{esc(stem)}"><img alt="{esc(stem)}: {esc(caption)}" '
                         f'src="data:image/png;base64,{data}"><figcaption><b>{esc(stem)}.</b> {esc(caption)}'
                         f"</figcaption></figure>")
    return "\n".join(parts), notes


# ---------------------------------------------------------------- events, sources, manifest


def _events_section(folder: Folder) -> str:
    if not folder.has("events"):
        return ""
    ev = folder.table("events")
    if "replicate" in ev:
        first = ev[ev["replicate"] == ev["replicate"].min()]
        seed = first["seed"].iloc[0] if "seed" in first and len(first) else ""
        label = f"run 1 (seed {seed})" if seed != "" else "run 1"
    else:
        first, label = ev, "the run"
    rows = [[r["date"], r["event"]] for _, r in first.iterrows()]
    return (f"<h2>Events</h2><details><summary>What happened when in {esc(label)}: {len(rows)} events "
            f"(dated pledges, summits, forums, membership changes)</summary>"
            + table(["date", "event"], rows) + "</details>")


def _sources_section(facts: plots.ScenarioFacts, heading: str = "Every figure of the scenario, with its source "
                                                                   "or assumption") -> str:
    if facts.loaded is None:
        return (f"<h2>{esc(heading)}</h2><p class=\"note\">The scenario files could not be read "
                f"({esc(facts.problem)}); the table of figures is left out.</p>")
    from .figures import figure_rows

    rows = figure_rows(facts.loaded)
    counts: dict[str, int] = {}
    body = []
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
        detail = esc(r["detail"])
        if r["status"] == "source":
            detail = f"<b>{esc(r['source'])}</b>: {detail}"
        if r.get("quote"):
            detail += f"<br><i>“{esc(r['quote'])}”</i>"
        if r.get("note"):
            detail += f"<br>note: {esc(r['note'])}"
        status = f'<span class="status-{esc(r["status"])}">{esc(r["status"])}</span>'
        body.append([r["path"], r["value"], status, detail])
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    return (f"<h2>{esc(heading)}</h2><p>Scenario <code>{esc(facts.name)}</code> ({esc(', '.join(facts.loaded.files))})."
            f" {len(rows)} figures: {esc(summary)}. Defaults are model parameters the scenario leaves at their "
            f"default, with the reason for it.</p>"
            f"<details><summary>The {len(rows)} figures</summary>"
            + table(["path", "value", "status", "source, quote or assumption"], body, raw=(2, 3)) + "</details>")


def _manifest_section(manifest: dict) -> str:
    if not manifest:
        return "<h2>Manifest</h2><p class=\"note\">This folder has no manifest.json.</p>"
    cmd = manifest.get("command")
    rows = [("scenario", manifest.get("scenario")),
            ("scenario files", ", ".join(manifest.get("scenario_files") or [])),
            ("scenario sha256", manifest.get("scenario_sha256")),
            ("master seed", manifest.get("master_seed"))]
    seeds = manifest.get("seeds") or manifest.get("replicate_seeds")
    if seeds:
        shown = ", ".join(map(str, seeds[:20])) + (f" … ({len(seeds)} in all)" if len(seeds) > 20 else "")
        rows.append(("run seeds", shown))
    for key in ("replicates", "start", "years", "steps", "overrides", "design", "points", "runs", "backend",
                "created"):
        if manifest.get(key) not in (None, [], ""):
            v = manifest[key]
            rows.append((key, ", ".join(map(str, v)) if isinstance(v, list) else v))
    if isinstance(manifest.get("initiatives"), dict) and manifest["initiatives"]:
        rows.append(("initiatives", ", ".join(f"{k}: {'on' if v else 'off'}"
                                              for k, v in manifest["initiatives"].items())))
    if cmd:
        rows.append(("command", shlex.join(map(str, cmd)) if isinstance(cmd, list) else cmd))
    versions = manifest.get("versions") or {}
    return "\n".join([
        "<h2>Manifest</h2>", table(["field", "value"], rows),
        "<h3>Versions</h3>", table(["package", "version"], list(versions.items())),
        "<details><summary>manifest.json in full</summary>",
        f"<pre>{esc(json.dumps(manifest, indent=2, default=str))}</pre></details>",
    ])


# ---------------------------------------------------------------- the report


def html_report(folder: str | Path | Folder, dpi: int = 150) -> tuple[str, list[str]]:
    """The report as one HTML string, and notes on anything left out."""
    folder = plots.open_folder(folder)
    if folder.kind in ("unknown", "discovery"):
        raise PlotError(f"{folder.label}: a report needs a `greatgame run`, compare, wedge or sweep folder; this "
                        f"folder holds {folder.holds()}")
    facts = folder.facts
    notes = []
    m = folder.manifest
    kind_text = {"run": "simulation runs (greatgame run)", "compare": "a paired comparison (greatgame compare)",
                 "wedge": "the wedge question (greatgame wedge)", "sweep": "a parameter sweep",
                 "hindcast": "an out-of-sample hindcast (greatgame hindcast)"}[folder.kind]
    title = facts.title or m.get("title") or facts.name
    head = [f"<h1>{esc(title)}</h1>",
            f'<p class="sub">Scenario <code>{esc(facts.name)}</code> — {esc(kind_text)}, '
            f"{esc(folder.path.resolve().name)}/, created {esc(m.get('created', 'unknown'))}</p>"]
    if facts.description:
        head.append(f"<p>{esc(facts.description)}</p>")
    if facts.problem:
        notes.append(f"scenario not read: {facts.problem}")
        head.append(f'<p class="note">The scenario files could not be read ({esc(facts.problem)}): names and '
                    f"the wedge definition are the defaults.</p>")
    if folder.kind == "run":
        headline = _run_headline(folder)
    elif folder.kind in ("compare", "wedge"):
        headline = _compare_headline(folder)
    elif folder.kind == "hindcast":
        from .hindcast_plots import hindcast_headline

        headline = hindcast_headline(folder)
    else:
        headline = _sweep_headline(folder)
    figs, fig_notes = _figures_section(folder, dpi)
    notes += fig_notes
    sections = [*head, headline, figs]
    if folder.kind == "run":
        sections.append(_events_section(folder))
    if folder.kind == "sweep":
        heading = "Every figure of the base scenario, with its source or assumption (the sweep varies some of them)"
        base = plots.scenario_facts(m, overrides=_sweep_overrides(folder))
        sections.append(_sources_section(base, heading))
    elif folder.kind in ("compare", "wedge") and (m.get("arms") or {}).get("B", {}).get("scenario") not in (
            None, m.get("scenario")):
        b = m["arms"]["B"]
        sections.append(_sources_section(facts, f"Arm A ({m['arms']['A'].get('label')}): every figure, with its "
                                                f"source or assumption"))
        fb = plots.scenario_facts({"scenario": b.get("scenario")}, b.get("files"),
                                  [f"initiatives.{n}.enabled=false" for n in b.get("disabled", [])])
        sections.append(_sources_section(fb, f"Arm B ({b.get('label')}): every figure, with its source or assumption"))
    else:
        sections.append(_sources_section(facts))
    sections.append(_manifest_section(m))
    body = "\n".join(s for s in sections if s)
    doc = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           f"<title>{esc(title)} — greatgame report</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
           f'<p class="sub">Written by <code>greatgame report</code> from the saved results; nothing was re-run.</p>\n'
           f"</body>\n</html>\n")
    return doc, notes


def _sweep_overrides(folder: Folder) -> dict:
    spec = folder.path / "spec.yaml"
    if not spec.exists():
        return {}
    import yaml

    from greatgame.sim.scenario import load_yaml_text

    try:
        s = load_yaml_text(spec.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return {}
    out = dict(s.get("set") or {})
    if s.get("years") is not None:
        out["years"] = s["years"]
    return out


def build(folder: str | Path | Folder, out: str | Path | None = None, dpi: int = 150) -> tuple[Path, list[str]]:
    """Write the report (default RESULTS/report.html); the path and notes on anything left out."""
    from . import output

    folder = plots.open_folder(folder)
    path = Path(out) if out else folder.path / "report.html"
    if path.is_dir():
        raise PlotError(f"--out {path}: is a directory; give a file name such as {path / 'report.html'}")
    doc, notes = html_report(folder, dpi)
    path.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(doc, path)
    return path, notes


__all__ = ["build", "html_report"]
