"""The browser app, `greatgame app [SCENARIO]`: Mesa's SolaraViz page of the model.

Sidebar (Mesa's): Reset, Play/Pause, Step; the scenario (shipped or a path), seed, horizon,
the counterfactual, one switch per named initiative, sliders for the main budgets and the
decisive parameters (units and source or assumption in each label). Panels: the run's state,
the counterfactual's shift and "Save this run"; alignment per republic with the
counterfactual dashed; the influence network; one republic's channels; forum memberships;
the event log; the sliders' sources. The figures are those of ``greatgame plot``
(:mod:`analysis.plotting`), drawn from the running model's tables; each panel draws again
only when its input changed (a new quarter, another republic chosen).

Served by ``solara run greatgame.app`` (``greatgame app`` does it); the starting scenario
comes from the environment variable ``GREATGAME_APP_SCENARIO`` (default abe_2015).
"""

from __future__ import annotations

import os
import time
from html import escape as esc

import matplotlib
import solara
from matplotlib.lines import Line2D
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from greatgame.analysis.folders import facts_of
from greatgame.analysis.plotting import channels_figure, network_figure, render, trajectories_figure
from greatgame.analysis.plotting.common import (COLUMN, STYLE, _new_figure, _suptitle, _time_axis,
                                                quarter_dates)

from .app_model import SCENARIO_ENV, AppModel, SettingError, model_params, provenance

DPI = 80  # the page's figures: sharp enough on screen, quick to draw
# Seconds the last drawing of each figure took, shown in the state panel.
TIMINGS: dict[str, float] = {}


def _timed(name: str, model: AppModel, build, update=None, key=()) -> bytes:
    """The PNG of one panel's figure. The first time (or when ``key`` changes) the figure is
    built by ``build`` (a function of analysis.plotting, as ``greatgame plot`` draws it) and
    its layout is then frozen; on later quarters ``update`` (when given) only moves the data
    of the lines and bars already drawn, which saves rebuilding the figure and its layout."""
    t0 = time.perf_counter()
    live = model.__dict__.setdefault("_live_figures", {})
    with matplotlib.rc_context(STYLE):
        entry = live.get(name)
        if update is None or entry is None or entry[0] != key:
            fig = build()
            data = render(fig, "png", DPI)
            if update is not None:
                fig.set_layout_engine("none")  # keep the first layout: no constrained-layout pass per quarter
                live[name] = (key, fig)
        else:
            fig = entry[1]
            update(fig)
            data = render(fig, "png", DPI)
    TIMINGS[name] = time.perf_counter() - t0
    return data


def update_trajectories(fig, actors, against) -> None:
    """Move the lines of a one-run ``trajectories_figure`` (alignment) to the quarters so far:
    per republic panel, each power's line, then its dashed counterfactual when there is one."""
    powers = [c[len("alignment_"):] for c in actors.columns if c.startswith("alignment_")]
    rep = actors[actors["kind"] == "republic"]
    other = against[against["kind"] == "republic"] if against is not None else None
    republics = list(dict.fromkeys(rep["actor"]))
    top = 0.0
    axes = [ax for ax in fig.axes if ax.lines]
    for ax, r in zip(axes, republics):
        sub = rep[rep["actor"] == r]
        dates = quarter_dates(sub["date"])
        lines = iter(ax.lines)
        osub = other[other["actor"] == r] if other is not None else None
        for p in powers:
            y = sub[f"alignment_{p}"].to_numpy(float)
            next(lines).set_data(dates, y)
            top = max(top, float(y.max()))
            if osub is not None:
                oy = osub[f"alignment_{p}"].to_numpy(float)
                next(lines).set_data(quarter_dates(osub["date"]), oy)
                top = max(top, float(oy.max()))
        _time_axis(ax, dates)
    if axes:
        axes[0].set_ylim(0, top * 1.05)


def alignment_png(model: AppModel) -> bytes:
    """Alignment of each republic toward each power, the counterfactual dashed (``plot --kind
    trajectories --against``); later quarters move the lines."""
    def build():
        actors, cf = model.frames()
        return trajectories_figure(actors, facts_of(model.loaded), against=cf,
                                   labels=("as set", _without_label(model) if cf is not None else ""),
                                   dashed=_without_label(model))

    def update(fig):
        actors, cf = model.frames()
        update_trajectories(fig, actors, cf)

    return _timed("alignment", model, build, update)


def network_png(model: AppModel) -> bytes:
    """The influence network now (``plot --kind network``), drawn afresh: arrow widths change."""
    def build():
        actors, _ = model.frames()
        now = actors[actors["step"] == actors["step"].max()]
        return network_figure(now, facts_of(model.loaded), [str(now["date"].iloc[0])])

    return _timed("network", model, build)


def channels_png(model: AppModel, republic: str) -> bytes:
    """Each channel's part of each power's influence in ``republic`` now; later quarters
    change the bars' heights and the legend's totals."""
    def now():
        actors, _ = model.frames()
        return actors[actors["step"] == actors["step"].max()]

    def build():
        return channels_figure(now(), facts_of(model.loaded), republic)

    def update(fig):
        update_channels(fig, now(), model.loaded, republic)

    return _timed("channels", model, build, update, key=(republic,))


def update_channels(fig, now, loaded, republic: str) -> None:
    """Set the bars of a ``channels_figure`` (one BarContainer per power, channels in order)."""
    from greatgame.sim.schema import CHANNELS

    ax = fig.axes[0]
    powers = [c[len("alignment_"):] for c in now.columns if c.startswith("alignment_")]
    row = now[(now["kind"] == "republic") & (now["actor"] == republic)]
    w = loaded.scenario.parameters.weights
    top = 0.0
    facts = facts_of(loaded)
    texts = fig.legends[0].get_texts() if fig.legends else []
    for i, (p, bars) in enumerate(zip(powers, ax.containers)):
        values = [float(getattr(w, c)) * float(row[f"{c}_score_{p}"].mean()) for c in CHANNELS]
        for bar, v in zip(bars, values):
            bar.set_height(v)
        top = max(top, max(values))
        if i < len(texts):
            texts[i].set_text(f"{facts.name_of(p)} (I = {sum(values):.3f})")
    ax.set_ylim(0, top * 1.08 if top > 0 else 1)
    date = str(row["date"].iloc[0])
    title = fig.get_suptitle()
    fig.suptitle(date.join([title.split(", ", 1)[0] + ", ", title.split(", ", 1)[1][len(date):]])
                 if ", " in title else title)


def shift_png(model: AppModel) -> bytes:
    return _timed("shift", model, lambda: shift_figure(model), lambda fig: update_shift(fig, model))


def _without_label(model: AppModel) -> str:
    return "without " + ", ".join(model.without)


# ---------------------------------------------------------------- panels


def shift_figure(model: AppModel):
    """The incumbents' share (mean over republics) with and without the chosen initiatives."""
    facts = facts_of(model.loaded)
    dc = model.main.datacollector.get_model_vars_dataframe()
    fig = _new_figure(COLUMN + 1.2, 2.0)
    ax = fig.subplots()
    dates = quarter_dates(dc["date"])
    inc = " + ".join(facts.name_of(p) for p in facts.incumbents)
    ax.plot(dates, dc["incumbent_share_mean"], color="0.15", label="as set")
    if model.counterfactual is not None:
        cf = model.counterfactual.datacollector.get_model_vars_dataframe()
        ax.plot(quarter_dates(cf["date"]), cf["incumbent_share_mean"], color="0.15", linestyle=(0, (3, 1.5)),
                label=_without_label(model))
    ax.axhline(facts.threshold, color="black", linewidth=0.6, linestyle=":")
    if len(dates) > 1:
        _time_axis(ax, dates)
    ax.set_ylabel(f"{inc} share\n(mean over republics)")
    fig.legend(handles=[Line2D([], [], color="0.15", label="as set")]
               + ([Line2D([], [], color="0.15", linestyle=(0, (3, 1.5)), label=_without_label(model))]
                  if model.counterfactual is not None else []), loc="outside lower center", ncol=2)
    _suptitle(fig, f"{facts.name}: {inc} share, the run and its counterfactual")
    return fig


def update_shift(fig, model: AppModel) -> None:
    """Move the lines of ``shift_figure`` to the quarters so far."""
    ax = fig.axes[0]
    series = [model.main.datacollector.get_model_vars_dataframe()]
    if model.counterfactual is not None:
        series.append(model.counterfactual.datacollector.get_model_vars_dataframe())
    lo, hi = [], []
    for line, df in zip(ax.lines, series):
        y = df["incumbent_share_mean"].to_numpy(float)
        line.set_data(quarter_dates(df["date"]), y)
        lo.append(y.min())
        hi.append(y.max())
    dates = quarter_dates(series[0]["date"])
    _time_axis(ax, dates)
    ax.set_ylim(min(min(lo), 0.5) - 0.02, max(max(hi), 0.5) + 0.02)


def incumbent_shift(model: AppModel) -> str:
    """One line of HTML: the incumbents' share now, in the counterfactual, and the shift."""
    facts = facts_of(model.loaded)
    inc = esc(" + ".join(facts.name_of(p) for p in facts.incumbents))
    now = model.main.wedge_measures()
    text = f"{inc} share (mean over republics) in {now['date']}: <b>{now['incumbent_share_mean']:.3f}</b>"
    if model.counterfactual is not None:
        cf = model.counterfactual.wedge_measures()
        shift = 100 * (now["incumbent_share_mean"] - cf["incumbent_share_mean"])
        text += (f"; {esc(_without_label(model))}: {cf['incumbent_share_mean']:.3f}; shift due to them "
                 f"(with − without): <b class='greatgame-shift'>{shift:+.2f} percentage points</b>")
    achieved = "yes" if now["wedge_achieved"] else "no"
    return text + f". Wedge achieved now: {achieved} ({now['wedged_republics']} republics wedged)."


def Html(body: str, classes: list[str] | None = None):
    """HTML we made (every scenario text escaped). solara.Markdown is not used: it loads KaTeX
    from a CDN, which solara-assets does not ship, and the app must work offline."""
    return solara.HTML(tag="div", unsafe_innerHTML=body, classes=classes or [])


def html_table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th style='text-align:left;padding:2px 8px'>{esc(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td style='padding:2px 8px'>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table style='border-collapse:collapse;font-size:13px'><tr>{th}</tr>{trs}</table>"


@solara.component
def StatePanel(model: AppModel):
    update_counter.get()
    folder, set_folder = solara.use_state("")
    message, set_message = solara.use_state(("", ""))
    steps = model.main.steps if model.main is not None else -1
    data = solara.use_memo(lambda: shift_png(model) if model.main is not None else b"", [model, steps])
    with solara.Card("Run", elevation=1, classes=["greatgame-card"]):
        if model.error:
            solara.Error(model.error, classes=["greatgame-error"])
            Html("Fix the setting in the sidebar and press <b>Reset</b>; the app keeps running.")
            return
        main = model.main
        sc = model.loaded.scenario
        Html(f"<b>{esc(sc.name)}</b>: {esc(sc.title)}<br>{main.date}, quarter {main.steps} of {main.horizon}; "
             f"seed {model.seed}", classes=["greatgame-date"])
        for note in model.notes:
            solara.Warning(note)
        Html(incumbent_shift(model))
        solara.Image(data, width="100%")
        timings = ", ".join(f"{k} {1000 * v:.0f} ms" for k, v in TIMINGS.items())
        Html(f"<small>Last step {1000 * model.step_seconds:.1f} ms; drawing: {timings or '–'}. "
             f"The same run: <code>{esc(model.command_text())}</code></small>")
        default = f"out/app-{sc.name}-seed{model.seed}"

        def save():
            try:
                out = model.save(folder or default)
            except (SettingError, OSError) as e:
                text = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
                where = f"{e.filename}: " if isinstance(e, OSError) and getattr(e, "filename", None) else ""
                set_message(("error", f"greatgame: error: {where}{text}"))
                return
            set_message(("ok", f"Saved {out}/ (actors, model, events, manifest.json); draw it with: "
                               f"greatgame plot {out}"))

        with solara.Row():
            solara.InputText("Save into folder", value=folder or default, on_value=set_folder,
                             classes=["greatgame-folder"])
            solara.Button("Save this run", on_click=save, color="primary", classes=["greatgame-save"])
        if message[0] == "error":
            solara.Error(message[1], classes=["greatgame-save-error"])
        elif message[0] == "ok":
            solara.Success(message[1], classes=["greatgame-saved"])


def _figure_panel(model: AppModel, title: str, draw, extra: tuple = (), css: str = "", header=None):
    """A card with one figure, drawn again only when the quarter (or ``extra``) changes."""
    steps = model.main.steps if model.main is not None else -1
    data = solara.use_memo(lambda: draw() if model.main is not None else b"", [model, steps, *extra])
    with solara.Card(title, elevation=1, classes=["greatgame-card"]):
        if header is not None:
            header()
        if model.main is not None:
            solara.Image(data, width="100%", classes=[css])


@solara.component
def AlignmentPanel(model: AppModel):
    update_counter.get()
    _figure_panel(model, "Alignment of each republic (dashed: the counterfactual)", lambda: alignment_png(model),
                  css="greatgame-alignment")


@solara.component
def NetworkPanel(model: AppModel):
    update_counter.get()
    _figure_panel(model, "Influence network", lambda: network_png(model), css="greatgame-network")


@solara.component
def ChannelsPanel(model: AppModel):
    update_counter.get()
    republic, set_republic = solara.use_state("")
    republics = list(model.main.republic_ids) if model.main is not None else []
    chosen = republic if republic in republics else (republics[0] if republics else "")

    def header():
        if republics:
            solara.Select("Republic", value=chosen, values=republics, on_value=set_republic,
                          classes=["greatgame-republic"])

    _figure_panel(model, "Channels of influence", lambda: channels_png(model, chosen), extra=(chosen,),
                  css="greatgame-channels", header=header)


@solara.component
def ForumsPanel(model: AppModel):
    update_counter.get()
    main = model.main
    state = (main.membership.tobytes() + main.forum_active.tobytes()) if main is not None else b""

    def table() -> str:
        if main is None:
            return ""
        facts = facts_of(model.loaded)
        cols = main.republic_ids
        agents = {a.key: a for a in main.republic_agents}
        marks = {"member": "member", "observer": "observer", "none": "–", "inactive": "(not yet)"}
        rows = [[main.forum_name(f)] + [marks.get(agents[r].forum_levels[f], agents[r].forum_levels[f]) for r in cols]
                for f in range(len(main.forum_ids))]
        return html_table(["forum"] + [facts.name_of(r) for r in cols], rows)

    body = solara.use_memo(table, [model, state])
    with solara.Card("Forum memberships" + (f", {main.date}" if main is not None else ""), elevation=1, classes=["greatgame-card"]):
        Html(body, classes=["greatgame-forums"])


@solara.component
def EventsPanel(model: AppModel):
    update_counter.get()
    log = model.main.log if model.main is not None else []
    n = len(log)

    def text() -> str:
        if not n:
            return "Nothing has happened yet."
        return "<ul>" + "".join(f"<li><b>{esc(date)}</b> {esc(what)}</li>" for _, date, what in reversed(log[-80:])) \
            + "</ul>"

    body = solara.use_memo(text, [model, n])
    with solara.Card(f"Events ({n}, latest first)", elevation=1, classes=["greatgame-card"]):
        Html(body, classes=["greatgame-events"])


@solara.component
def SourcesPanel(model: AppModel):
    update_counter.get()

    def text() -> str:
        if model.loaded is None:
            return ""
        prov = provenance(model.loaded)
        rows = []
        for path, spec in model_params_cache().items():
            if not (isinstance(spec, dict) and spec.get("type") == "SliderFloat" and "." in path):
                continue
            r = prov.get(path) or {}
            why = (f"{r.get('source')}: {r.get('detail', '')}" if r.get("status") == "source"
                   else f"{r.get('status', 'unsourced')}: {r.get('detail', '')}")
            rows.append([spec["label"].split(" [")[0], str(r.get("value", "")), why])
        return html_table(["setting", "value in this run", "source or assumption"], rows)

    body = solara.use_memo(text, [model])
    with solara.Card("Sliders: what they are and where the numbers come from", elevation=1, classes=["greatgame-card"]):
        Html(body)


# ---------------------------------------------------------------- the page

_PARAMS: dict[str, dict] = {}


def model_params_cache() -> dict:
    setup = os.environ.get(SCENARIO_ENV) or "abe_2015"
    if setup not in _PARAMS:
        _PARAMS[setup] = model_params(setup)
    return _PARAMS[setup]


def initial_kwargs(params: dict) -> dict:
    return {k: (v["value"] if isinstance(v, dict) and "type" in v else v) for k, v in params.items()}


# Mesa's grid gives each panel a cell of about 390 px: a panel scrolls rather than spill over the next.
CSS = """
.greatgame-card { max-height: 385px; overflow-y: auto; }
"""

COMPONENTS = [StatePanel, AlignmentPanel, NetworkPanel, ChannelsPanel, ForumsPanel, EventsPanel, SourcesPanel]


@solara.component
def Page():
    params = model_params_cache()
    model = solara.use_memo(lambda: AppModel(**initial_kwargs(params)), [])  # one model per browser session
    solara.Style(CSS)
    SolaraViz(model, components=[(c, 0) for c in COMPONENTS], model_params=params, name="greatgame",
              play_interval=150)


__all__ = ["Page", "AppModel", "COMPONENTS", "shift_figure"]
