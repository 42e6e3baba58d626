"""Loading saved results back: ``analysis.load_results(DIR)``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# Tables each kind of output folder may hold, by file stem.
TABLES = ("scalars", "trajectories", "design", "actors", "model", "events", "effects", "runs", "wedge", "thresholds",
          "channels", "draws", "sensitivity", "prim_trajectory")


@dataclass
class Results:
    """The tables of a results folder as pandas frames, plus its manifest.

    ``results.scalars`` (sweep: one row per run), ``results.trajectories``, ``results.design``;
    ``results.actors``, ``results.model``, ``results.events`` (``greatgame run``);
    ``results.runs``, ``results.effects``, ``results.wedge``, ``results.trajectories`` (per arm,
    run, quarter and republic) (``compare``, ``wedge``); ``results.thresholds`` (rule (d) per
    republic at thresholds 0.40-0.60) and ``results.channels`` (the shift channel by channel)
    (``wedge``); ``results.draws`` (run, input, drawn: each run's parameters under ``--ranges``);
    ``results.sensitivity``; ``results.prim_trajectory`` (a ``discovery/`` folder). A table
    the folder does not hold is ``None``; ``results.tables`` lists those it does."""

    path: Path
    manifest: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getattr__(self, name: str):
        if name in TABLES:
            return self.tables.get(name)
        raise AttributeError(name)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k} {v.shape[0]}x{v.shape[1]}" for k, v in self.tables.items())
        return f"Results({str(self.path)!r}: {shapes})"


class ResultsError(ValueError):
    """A results folder that cannot be read; the message is one line naming the file."""


def load_results(path: str | Path) -> Results:
    """Every table of a results folder written by greatgame (run, sweep, compare …).

    Each table is read in the format the manifest lists (``files``), so a stale copy in
    another format is never read in its place. A file that cannot be read raises
    :class:`ResultsError` with one line naming it."""
    p = Path(path)
    if not p.is_dir():
        raise FileNotFoundError(f"{p}: no such results folder")
    manifest_file = p / "manifest.json"
    manifest = {}
    if manifest_file.exists():
        try:
            manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ResultsError(f"{manifest_file}: not readable JSON ({_first_line(e)})") from None
        if not isinstance(manifest, dict):
            raise ResultsError(f"{manifest_file}: expected a JSON object (a greatgame manifest), got a "
                               f"{type(manifest).__name__}")
    listed = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    tables = {}
    for stem in TABLES:
        names = [listed[stem]] if isinstance(listed.get(stem), str) else [f"{stem}.parquet", f"{stem}.csv"]
        for name in names:
            f = p / name
            if f.exists():
                reader = pd.read_csv if f.suffix == ".csv" else pd.read_parquet
                try:
                    tables[stem] = reader(f)
                except Exception as e:  # noqa: BLE001 - truncated, empty, not a table: one line
                    raise ResultsError(f"{f}: unreadable ({_first_line(e)})") from None
                break
    if not tables:
        raise FileNotFoundError(f"{p}: holds no greatgame results (no scalars, actors or model table)")
    return Results(p, manifest, tables)


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0][:200] if text else type(e).__name__
