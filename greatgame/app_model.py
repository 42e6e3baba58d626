"""What the app (``greatgame app``) runs: the chosen scenario and its counterfactual side by
side, built from the page's settings, and "Save this run". No UI here (see greatgame/app.py).

SolaraViz makes the model with ``AppModel(**settings)`` on every Reset; its sidebar's
settings are named by their scenario path (``powers.japan.budget.grants``,
``initiatives.japan_2015_tour.enabled``, ``parameters.autonomy_cost``) plus ``setup``,
``scenario_file``, ``seed``, ``years`` and ``without``. A setting left at the value the
page started with (``base``) keeps the chosen scenario's own value, so choosing another
scenario does not drag the first one's numbers along.

A bad scenario or value never raises: the model is built empty with ``error`` set to the
line the CLI would print (``greatgame: error: FILE: FIELD: ...``), the page shows it, and the
server keeps running.
"""

from __future__ import annotations

import math
import shlex
import time
from dataclasses import dataclass
from pathlib import Path

import mesa

from greatgame.sim import GreatGameModel, ScenarioError, load_scenario, shipped_names

SCENARIO_ENV = "GREATGAME_APP_SCENARIO"  # the scenario `greatgame app SCENARIO` starts the page with
WITHOUT_CHALLENGER = "the challenger's initiatives"
WITHOUT_NOTHING = "nothing (no counterfactual)"
MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class Knob:
    """A slider: a scenario path, what it is, its unit, and its range."""

    path: str
    label: str
    unit: str
    lo: float
    hi: float
    step: float


# The decisive behavioural parameters (docs/model.md; the Sobol sweep's screen).
PARAMETER_KNOBS = (
    Knob("parameters.choice_sensitivity", "β choice sensitivity", "logit slope per unit of utility", 0.5, 12.0, 0.25),
    Knob("parameters.autonomy_cost", "κ autonomy cost", "utility per unit of influence share above d0", 0.0, 5.0, 0.1),
    Knob("parameters.dominance_threshold", "d0 dominance threshold", "share of total influence", 0.05, 0.95, 0.05),
    Knob("parameters.threat_weight", "τ threat weight", "utility per unit of military capability", 0.0, 0.3, 0.01),
    Knob("parameters.adjustment_rate", "λ adjustment rate", "share of the gap closed a quarter", 0.01, 0.5, 0.01),
    Knob("parameters.alignment_noise", "σ hedging noise", "s.d. of utility shocks a quarter", 0.0, 0.5, 0.01),
)
BUDGET_ITEMS = ("grants", "loans", "investment")


class SettingError(ValueError):
    """A value in the page that cannot be used; to show as one line."""


def budget_knobs(loaded) -> list[Knob]:
    """Sliders for the yearly budgets of the challenger and the incumbents (US$ bn a year)."""
    sc = loaded.scenario
    out = []
    for p in [sc.wedge.challenger, *sc.wedge.incumbents]:
        if p not in sc.powers:
            continue
        name = sc.powers[p].name or p.replace("_", " ").title()
        for item in BUDGET_ITEMS:
            value = float(getattr(sc.powers[p].budget, item))
            hi = max(1.0, math.ceil(4 * value))
            out.append(Knob(f"powers.{p}.budget.{item}", f"{name} {item}", "US$ bn a year", 0.0, float(hi),
                            0.05 if hi <= 5 else 0.25))
    return out


def provenance(loaded) -> dict[str, dict]:
    """Every number of the scenario (and the parameters' defaults): source, assumption or default."""
    from greatgame.analysis.figures import figure_rows

    return {r["path"]: r for r in figure_rows(loaded)}


def _tag(row: dict | None) -> str:
    if not row:
        return "unsourced"
    if row["status"] == "source":
        return f"source: {row['source']}"
    return {"assumption": "assumption", "default": "default, justified", "unsourced": "unsourced"}[row["status"]]


def initiative_names(loaded) -> list[str]:
    """The initiatives of the starting scenario, then those of every shipped scenario: one switch each."""
    names = list(loaded.scenario.initiatives)
    for s in shipped_names():
        try:
            names += [n for n in load_scenario(s).scenario.initiatives if n not in names]
        except ScenarioError:  # a broken shipped file is reported by `greatgame scenarios`
            continue
    return names


def model_params(setup: str = "abe_2015") -> dict:
    """SolaraViz's ``model_params`` for a page that starts with ``setup`` (a shipped name or a
    path): the controls, with their units and their source or assumption in the label."""
    loaded = load_scenario(setup)  # a bad scenario stops `greatgame app` before the server starts
    sc = loaded.scenario
    prov = provenance(loaded)
    names = shipped_names()
    choices = names if setup in names else [setup, *names]
    initiatives = initiative_names(loaded)
    params: dict = {
        "setup": {"type": "Select", "value": setup, "values": choices, "label": "Scenario"},
        "scenario_file": {"type": "InputText", "value": "",
                          "label": "…or a scenario file (path; replaces the choice above)"},
        "seed": {"type": "InputText", "value": "1", "label": "Seed (0 to 2^63-1)"},
        "years": {"type": "SliderFloat", "value": float(sc.years), "min": 0.25, "max": 30.0, "step": 0.25,
                  "label": "Horizon (years)"},
        "without": {"type": "Select", "value": WITHOUT_CHALLENGER,
                    "values": [WITHOUT_CHALLENGER, *initiatives, WITHOUT_NOTHING],
                    "label": "Counterfactual (dashed): the same seed without"},
    }
    for n in initiatives:
        ini = sc.initiatives.get(n)
        where = f"{ini.power}" if ini is not None and ini.power else ("not in this scenario" if ini is None else "")
        params[f"initiatives.{n}.enabled"] = {"type": "Checkbox", "value": bool(ini.enabled) if ini else True,
                                              "label": f"Initiative {n}" + (f" ({where})" if where else "")}
    for k in budget_knobs(loaded) + list(PARAMETER_KNOBS):
        value = float(_get(sc, k.path))
        params[k.path] = {"type": "SliderFloat", "value": value, "min": min(k.lo, value), "max": max(k.hi, value),
                          "step": k.step, "label": f"{k.label} ({k.unit}) [{_tag(prov.get(k.path))}]"}
    base = {k: v["value"] for k, v in params.items() if isinstance(v, dict) and "type" in v}
    params["base"] = base  # fixed: passed to every AppModel unchanged
    # A slider snaps its starting value to its step (China's grants, 0.208, show as 0.2): within
    # half a step of where it started, it has not been moved.
    params["tolerance"] = {k: v["step"] / 2 for k, v in params.items()
                           if isinstance(v, dict) and v.get("type") == "SliderFloat"}
    return params


def _get(sc, path: str):
    obj = sc
    for part in path.split("."):
        obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
    return obj


def _yaml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(round(v, 10))
    return str(v)


def parse_seed(text) -> int:
    """The seed field: a whole number from 0 to 2^63-1 (as `greatgame run --seed`)."""
    s = str(text).strip()
    try:
        seed = int(s)
    except ValueError:
        raise SettingError(f"--seed: expected a whole number from 0 to 2^63-1, got {s!r}") from None
    if not 0 <= seed <= MAX_SEED:
        raise SettingError(f"--seed: expected a whole number from 0 to 2^63-1, got {seed}")
    return seed


class AppModel(mesa.Model):
    """The chosen scenario (``main``) and, stepped in lockstep on the same seed, its
    counterfactual without the chosen initiatives (``counterfactual``; None when there is
    nothing to switch off). ``error`` holds the one-line message when the settings cannot
    be used (then ``main`` is None and the model does not run)."""

    def __init__(self, setup: str = "abe_2015", scenario_file: str = "", seed="1", years: float | None = None,
                 without: str = WITHOUT_CHALLENGER, base: dict | None = None, tolerance: dict | None = None, *,
                 rng=None, scenario=None, **settings):
        # ``scenario``: Mesa's own Scenario object, which SolaraViz's Reset passes back; the
        # seed comes from the page's seed field, so it is not used.
        self.error = ""
        self.notes: list[str] = []
        self.main: GreatGameModel | None = None
        self.counterfactual: GreatGameModel | None = None
        self.loaded = self.loaded_without = None
        self.overrides: list[str] = []
        self.without: list[str] = []
        self.source = str(scenario_file).strip() or str(setup)
        self.step_seconds = 0.0
        try:
            self.seed = parse_seed(seed)
        except SettingError as e:
            self.seed = None
            self.error = f"greatgame: error: {e}"
        super().__init__(rng=self.seed if rng is None else rng)
        if self.error:
            self.running = False
            return
        try:
            self._build(years, without, dict(base or {}), dict(tolerance or {}), settings)
        except (ScenarioError, SettingError) as e:
            self.error = f"greatgame: error: {e}"
            self.main = self.counterfactual = None
            self.running = False

    def _build(self, years, without: str, base: dict, tolerance: dict, settings: dict) -> None:
        first = load_scenario(self.source)  # the scenario as written: which switches apply
        sc = first.scenario
        overrides = []
        for path, value in settings.items():
            if path in base and _same(value, base[path], tolerance.get(path, 0.0)):
                continue  # left as the page started: the chosen scenario's own value
            parts = path.split(".")
            if parts[0] == "initiatives" and parts[1] not in sc.initiatives:
                if not value:
                    self.notes.append(f"initiative {parts[1]}: scenario '{sc.name}' has no such initiative; "
                                      f"the switch is ignored")
                continue
            if parts[0] == "powers" and parts[1] not in sc.powers:
                self.notes.append(f"{path}: scenario '{sc.name}' has no power '{parts[1]}'; the slider is ignored")
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isfinite(value):
                raise SettingError(f"{path}: expected a finite number, got {value}")
            overrides.append(f"{path}={_yaml_value(value)}")
        if years is not None and "years" in base and _same(years, base["years"], tolerance.get("years", 0.0)):
            years = None
        if years is not None and not (math.isfinite(float(years)) and float(years) >= 0.25):
            raise SettingError(f"--years: must be a finite number ≥ 0.25 (one quarter), got {float(years):g}")
        self.years = None if years is None else float(years)
        self.loaded = load_scenario(self.source, overrides=overrides, years=self.years)
        self.overrides = overrides
        sc = self.loaded.scenario
        on = [k for k, ini in sc.initiatives.items() if ini.enabled]
        if without == WITHOUT_CHALLENGER:
            self.without = [k for k in on if sc.initiatives[k].power == sc.wedge.challenger]
            if not self.without:
                self.notes.append(f"no initiative of {sc.wedge.challenger} is switched on: no counterfactual")
        elif without == WITHOUT_NOTHING or not without:
            self.without = []
        elif without in on:
            self.without = [without]
        else:
            self.without = []
            self.notes.append(f"counterfactual without {without}: it is not switched on in '{sc.name}'; "
                              f"no counterfactual")
        self.main = GreatGameModel(self.loaded, rng=self.seed)
        if self.without:
            self.loaded_without = load_scenario(
                self.source, overrides=overrides + [f"initiatives.{n}.enabled=false" for n in self.without],
                years=self.years)
            self.counterfactual = GreatGameModel(self.loaded_without, rng=self.seed)

    def step(self) -> None:
        if self.main is None:
            self.running = False
            return
        t0 = time.perf_counter()
        self.main.step()
        if self.counterfactual is not None and self.counterfactual.running:
            self.counterfactual.step()
        self.running = self.main.running
        self.step_seconds = time.perf_counter() - t0

    # ------------------------------------------------------------------ what the panels read
    def frames(self):
        """(actors of the run, actors of the counterfactual or None) so far, in the layout of a
        run folder's actors table; made once per step and shared by the panels."""
        from greatgame.analysis import runs

        key = (self.main.steps if self.main is not None else -1)
        cached = getattr(self, "_frames", None)
        if cached is None or cached[0] != key:
            cf = runs.tidy_actors(self.counterfactual) if self.counterfactual is not None else None
            self._frames = (key, runs.tidy_actors(self.main), cf)
        return self._frames[1], self._frames[2]

    def command(self) -> list[str]:
        """The `greatgame run` command line that makes the same run."""
        cmd = ["greatgame", "run", self.source, "--seed", str(self.seed)]
        if self.years is not None:
            cmd += ["--years", f"{self.years:g}"]
        for o in self.overrides:
            cmd += ["--set", o]
        return cmd

    def save(self, out: str | Path) -> Path:
        """Write this run, to the horizon, as `greatgame run` would (actors, model, events,
        manifest.json) into ``out``; ``greatgame plot`` and ``report`` read it. The run is made
        afresh from the same scenario, settings and seed: the same numbers as on the page."""
        from greatgame.analysis import output, runs

        if self.loaded is None:
            raise SettingError("nothing to save: " + (self.error.removeprefix("greatgame: error: ") or "no run"))
        out = Path(str(out).strip() or f"out/app-{self.loaded.scenario.name}")
        actors, model_df, events = runs.run_replicates(self.loaded, [self.seed])
        output.prepare_dir(out)
        files = {"actors": output.write_table(actors, out / "actors", "parquet").name,
                 "model": output.write_table(model_df, out / "model", "parquet").name,
                 "events": output.write_table(events, out / "events", "csv").name}
        man = output.manifest(self.loaded, [self.seed], self.seed, files,
                              extra={"overrides": list(self.overrides), "format": "parquet",
                                     "command": self.command(), "made_by": "greatgame app"})
        output.write_json(man, out / "manifest.json")
        return out

    def command_text(self) -> str:
        return shlex.join(self.command())


def _same(a, b, tolerance: float = 0.0) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < tolerance or math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return str(a) == str(b)
