"""Reading a results folder for figures and reports: what kind of folder it is, its
manifest and tables (read lazily), and the facts of the scenario behind it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd


class PlotError(Exception):
    """A figure that cannot be drawn from this folder; to report as one line."""


def pretty(key: str) -> str:
    """'united_states' -> 'United States'."""
    return " ".join(w.capitalize() for w in str(key).split("_"))


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
    return _fill(facts, loaded)


def facts_of(loaded) -> ScenarioFacts:
    """The facts of a scenario already loaded (a running model's, in the app)."""
    sc = loaded.scenario
    return _fill(ScenarioFacts(sc.name, sc.title, "", {}, sc.wedge.challenger, list(sc.wedge.incumbents), 0.5), loaded)


def _fill(facts: ScenarioFacts, loaded) -> ScenarioFacts:
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
            return "hindcast"  # analysis/hindcast_plots.py
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

            from greatgame.sim.scenario import load_yaml_text

            try:
                return list((load_yaml_text(spec.read_text(encoding="utf-8")) or {}).get("parameters") or {})
            except (yaml.YAMLError, AttributeError):
                pass
        return []

    def replicates(self) -> int:
        if self.kind == "run" and self.has("model"):
            m = self.table("model")
            return int(m["replicate"].nunique()) if "replicate" in m else 1
        return int(self.manifest.get("replicates") or 1)



def open_folder(path: str | Path | Folder) -> Folder:
    return path if isinstance(path, Folder) else Folder(path)
