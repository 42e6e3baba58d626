"""The app's model without a browser: built as SolaraViz's Reset builds it, one-line errors,
settings that keep the chosen scenario's own values, "Save this run" = `greatgame run`."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from greatgame.app_model import WITHOUT_NOTHING, AppModel, model_params
from greatgame.cli import main
from greatgame.sim import GreatGameModel, load_scenario


def start_values(params: dict) -> dict:
    """What SolaraViz's ModelCreator puts in model_parameters on first render."""
    return {k: (v["value"] if isinstance(v, dict) and "type" in v else v) for k, v in params.items()}


@pytest.fixture(scope="module")
def params():
    return model_params("abe_2015")


def test_reset_builds_the_model_as_solaraviz_does(params):
    from mesa.experimental.scenarios import Scenario as MesaScenario
    from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params

    first = AppModel(**start_values(params))
    _check_model_params(first, params)  # what SolaraViz's ModelCreator checks on first render
    chosen = {**start_values(params), "initiatives.japan_2015_tour.enabled": False,
              "parameters.autonomy_cost": 2.5, "seed": "7"}
    kwargs = _build_model_init_kwargs(first, chosen, add_scenario_when_empty=True, require_model_accepts_scenario=True)
    assert isinstance(kwargs.get("scenario"), MesaScenario)  # Mesa hands its own Scenario back
    model = type(first)(**kwargs)
    assert model.error == ""
    assert sorted(model.overrides) == ["initiatives.japan_2015_tour.enabled=false", "parameters.autonomy_cost=2.5"]
    assert model.main.spec.parameters.autonomy_cost == 2.5
    assert not model.main.spec.initiatives["japan_2015_tour"].enabled
    assert model.counterfactual is None  # Japan has no initiative left to switch off
    for _ in range(6):
        model.step()
    direct = GreatGameModel(load_scenario("abe_2015", overrides=model.overrides), rng=7)
    for _ in range(6):
        direct.step()
    assert model.main.wedge_measures() == direct.wedge_measures()
    assert model.steps == 6 and model.main.steps == 6


def test_counterfactual_is_the_same_seed_without_the_challengers_initiatives(params):
    model = AppModel(**{**start_values(params), "seed": "3"})
    assert model.without == ["japan_2015_tour"]
    for _ in range(8):
        model.step()
    alone = GreatGameModel(load_scenario("abe_2015", overrides=["initiatives.japan_2015_tour.enabled=false"]), rng=3)
    for _ in range(8):
        alone.step()
    assert model.counterfactual.wedge_measures() == alone.wedge_measures()
    assert model.main.wedge_measures() != alone.wedge_measures()  # the tour moves something within two years
    none = AppModel(**{**start_values(params), "without": WITHOUT_NOTHING})
    assert none.counterfactual is None and none.without == []


def test_a_setting_left_alone_keeps_the_chosen_scenarios_own_value(params):
    """abe_2015's sliders start at abe_2015's values; choosing japan_all_in must not drag them along."""
    model = AppModel(**{**start_values(params), "setup": "japan_all_in"})
    own = load_scenario("japan_all_in").scenario
    assert model.error == "" and model.overrides == []
    assert model.main.spec.powers["japan"].budget.loans == own.powers["japan"].budget.loans
    assert sorted(model.without) == sorted(k for k, i in own.initiatives.items() if i.enabled and i.power == "japan")
    # a slider snaps its start to its step (China's grants 0.208 -> 0.2): that is not a move
    snapped = AppModel(**{**start_values(params), "powers.china.budget.grants": 0.2})
    assert snapped.overrides == []
    moved = AppModel(**{**start_values(params), "powers.china.budget.grants": 0.25})
    assert moved.overrides == ["powers.china.budget.grants=0.25"]
    # a switch for an initiative the chosen scenario lacks is ignored, and the page says so
    off = AppModel(**{**start_values(params), "setup": "us_disengaged", "initiatives.kishida_2024.enabled": False})
    assert off.error == "" and any("kishida_2024" in n for n in off.notes)


def test_bad_scenario_gets_the_clis_one_line_in_the_page(tmp_path, params, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: abe_2015\nname: bad\npowers:\n  japan:\n    budget:\n      grants: -3\n", encoding="utf-8")
    assert main(["run", str(bad), "--out", str(tmp_path / "never")]) == 1
    cli_line = capsys.readouterr().err.strip()
    assert cli_line.startswith("greatgame: error: ") and "\n" not in cli_line
    model = AppModel(**{**start_values(params), "scenario_file": str(bad)})
    assert model.error == cli_line
    assert model.main is None and not model.running
    model.step()  # Mesa's Play/Step on an empty model: nothing happens, nothing raises
    assert model.main is None
    unknown = AppModel(**{**start_values(params), "setup": "abe_2051"})
    assert unknown.error.startswith("greatgame: error: ") and "abe_2015" in unknown.error  # did you mean
    seed = AppModel(**{**start_values(params), "seed": "twelve"})
    assert seed.error == "greatgame: error: --seed: expected a whole number from 0 to 2^63-1, got 'twelve'"


def test_save_this_run_writes_what_greatgame_run_writes(tmp_path, params):
    from greatgame.analysis import load_results, plots

    model = AppModel(**{**start_values(params), "years": 3.0, "seed": "11", "parameters.autonomy_cost": 2.0})
    model.step()
    out = model.save(tmp_path / "saved")
    res = load_results(out)
    assert {"actors", "model", "events"} <= set(res.tables)
    man = res.manifest
    assert man["scenario"] == "abe_2015" and man["seeds"] == [11] and man["years"] == 3.0
    assert man["overrides"] == ["parameters.autonomy_cost=2.0"]
    assert man["command"] == model.command()
    # the command in the manifest makes the same tables
    cli = tmp_path / "cli"
    assert main(model.command()[1:] + ["--out", str(cli), "--quiet"]) == 0
    for name in ("actors", "model"):
        pd.testing.assert_frame_equal(res.tables[name], pd.read_parquet(cli / f"{name}.parquet"))
    assert json.loads((cli / "manifest.json").read_text())["scenario_sha256"] == man["scenario_sha256"]
    folder = plots.open_folder(out)
    assert plots.supported(folder) == ["trajectories", "network", "alignment", "wedge"]
    assert len(res.actors["step"].unique()) == 13  # to the horizon, whatever the page had stepped to
    empty = AppModel(**{**start_values(params), "setup": "nope"})
    with pytest.raises(ValueError, match="nothing to save"):
        empty.save(tmp_path / "x")


def test_app_command_refuses_bad_input_in_one_line(capsys):
    assert main(["app", "no_such_scenario", "--port", "8765"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("greatgame: error: no scenario file or shipped scenario named")
    assert main(["app", "abe_2015", "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip() == "greatgame: error: --port: expected a port number from 0 to 65535, got 70000"


def test_figure_text_with_dollar_signs_prints_as_written():
    """Scenario names reach figures: two '$' must not start mathtext (nor fail)."""
    from greatgame.analysis.folders import facts_of
    from greatgame.analysis.plotting import render, trajectories_figure
    from greatgame.analysis.runs import tidy_actors

    m = GreatGameModel("abe_2015", rng=1, years=1).run()
    facts = facts_of(load_scenario("abe_2015", years=1))
    name = r"Japan $\nocommand$"  # as mathtext: an unknown command, which fails to render
    facts.names["japan"] = name
    import matplotlib

    from greatgame.analysis.plotting.common import STYLE

    with matplotlib.rc_context(STYLE):
        fig = trajectories_figure(tidy_actors(m), facts)
        assert render(fig, "png", 50)[:4] == b"\x89PNG"
    texts = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    texts += [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert name in texts


def test_the_pages_figures_updated_in_place_match_a_fresh_drawing(params):
    """Later quarters move the lines and bars of the first drawing (the app's speed-up); what
    they show must be what `greatgame plot`'s functions draw afresh."""
    import numpy as np

    from greatgame import app
    from greatgame.analysis.folders import facts_of
    from greatgame.analysis.plotting import channels_figure, trajectories_figure

    model = AppModel(**start_values(params))
    app.alignment_png(model)
    app.channels_png(model, "uzbekistan")
    for _ in range(6):
        model.step()
    app.alignment_png(model)
    app.channels_png(model, "uzbekistan")
    actors, cf = model.frames()
    facts = facts_of(model.loaded)
    live = model._live_figures["alignment"][1]
    fresh = trajectories_figure(actors, facts, against=cf)
    for a, b in zip([ax for ax in live.axes if ax.lines], [ax for ax in fresh.axes if ax.lines], strict=True):
        assert a.get_title() == b.get_title()
        for la, lb in zip(a.lines, b.lines, strict=True):
            assert len(la.get_ydata()) == 7
            np.testing.assert_allclose(la.get_ydata(), lb.get_ydata())
            assert (la.get_xdata() == lb.get_xdata()).all()
    live = model._live_figures["channels"][1]
    fresh = channels_figure(actors[actors["step"] == 6], facts, "uzbekistan")
    heights = [[r.get_height() for r in c] for c in live.axes[0].containers]
    np.testing.assert_allclose(heights, [[r.get_height() for r in c] for c in fresh.axes[0].containers])
    assert [t.get_text() for t in live.legends[0].get_texts()] == [t.get_text() for t in fresh.legends[0].get_texts()]
    assert live.get_suptitle() == fresh.get_suptitle()
    assert len(app.channels_png(model, "kazakhstan")) > 1000  # another republic: drawn afresh
    assert model._live_figures["channels"][0] == ("kazakhstan",)


def test_app_command_serves_on_localhost_offline(monkeypatch, capsys):
    """What `greatgame app` hands to solara: this machine only, no version check, no usage reports."""
    import os

    seen = {}

    def fake_execve(path, argv, env):
        seen.update(path=path, argv=argv, env=env)

    monkeypatch.setattr(os, "execve", fake_execve)
    monkeypatch.delenv("SOLARA_TELEMETRY_MIXPANEL_ENABLE", raising=False)
    assert main(["app"]) == 0
    argv = seen["argv"]
    assert argv[argv.index("--host") + 1] == "127.0.0.1" and argv[argv.index("--port") + 1] == "8765"
    assert "greatgame.app:Page" in argv and "--no-check-version" in argv and "--no-open" in argv
    assert seen["env"]["GREATGAME_APP_SCENARIO"] == "abe_2015"
    assert seen["env"]["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert "http://127.0.0.1:8765/" in capsys.readouterr().out
    assert main(["app", "kishida_2024", "--host", "0.0.0.0", "--port", "9000"]) == 0
    assert seen["argv"][seen["argv"].index("--host") + 1] == "0.0.0.0"
    assert seen["env"]["GREATGAME_APP_SCENARIO"] == "kishida_2024"
