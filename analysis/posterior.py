"""A calibration's posterior (``posterior.csv`` written by ``greatgame calibrate``): reading it
and drawing parameter sets from it, reproducibly by seed.

Each replicate of ``run``/``hindcast`` with ``--posterior DIR`` takes one draw: a particle
index (``draw`` column in the outputs) and its parameter values, which are applied to the
scenario as ``--set`` paths.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


class PosteriorError(Exception):
    """A posterior folder that cannot be used, in one line."""


@dataclass
class Posterior:
    path: Path
    table: pd.DataFrame  # particle, weight, one column per parameter path
    manifest: dict

    @property
    def parameters(self) -> list[str]:
        return [c for c in self.table.columns if c not in ("particle", "weight")]

    @property
    def weights(self) -> np.ndarray:
        return self.table["weight"].to_numpy(float)

    def draw(self, n: int, seed: int) -> list[tuple[int, dict[str, float]]]:
        """``n`` parameter sets drawn with replacement by weight, from ``numpy.random.default_rng(seed)``:
        (particle, {path: value}) pairs. The same seed gives the same draws."""
        rng = np.random.default_rng(int(seed))
        w = self.weights
        idx = rng.choice(len(w), size=int(n), replace=True, p=w / w.sum())
        params = self.parameters
        rows = self.table[params].to_numpy(float)
        return [(int(self.table["particle"].iat[i]), {p: float(rows[i, k]) for k, p in enumerate(params)})
                for i in idx.tolist()]


def shipped_posteriors() -> dict[str, Path]:
    """Posteriors that ship with greatgame (``data/posteriors/NAME/``), by name."""
    from importlib import resources

    root = Path(str(resources.files("greatgame.data"))) / "posteriors"
    if not root.is_dir():
        return {}
    return {d.name: d for d in sorted(root.iterdir()) if (d / "posterior.csv").exists()}


def load_posterior(path: str | Path) -> Posterior:
    """Read ``DIR/posterior.csv`` (and its manifest); one-line errors for anything missing or malformed.
    A name that is not a folder may be a shipped posterior (``greatgame.analysis.posterior.shipped_posteriors``)."""
    d = Path(path)
    if not d.is_dir():
        shipped = shipped_posteriors()
        if str(path) in shipped:
            d = shipped[str(path)]
        else:
            names = f"; shipped: {', '.join(shipped)}" if shipped else ""
            raise PosteriorError(f"--posterior {d}: no such folder (expected the --out folder of `greatgame "
                                 f"calibrate`, or a shipped posterior's name{names})")
    f = d / "posterior.csv"
    if not f.exists():
        raise PosteriorError(f"--posterior {d}: no posterior.csv (is it a `greatgame calibrate` folder?)")
    try:
        table = pd.read_csv(f)
    except Exception as e:  # malformed CSV
        raise PosteriorError(f"{f}: not a readable CSV ({e})") from None
    for col in ("particle", "weight"):
        if col not in table.columns:
            raise PosteriorError(f"{f}: missing column '{col}'")
    if len(table) == 0:
        raise PosteriorError(f"{f}: no particles")
    w = table["weight"].to_numpy(float)
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise PosteriorError(f"{f}: weight: expected non-negative numbers with a positive sum")
    for c in table.columns:
        if c not in ("particle", "weight") and not np.all(np.isfinite(pd.to_numeric(table[c], errors="coerce"))):
            raise PosteriorError(f"{f}: {c}: expected numbers in every row")
    man = {}
    if (d / "manifest.json").exists():
        try:
            man = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
        except ValueError:
            raise PosteriorError(f"{d / 'manifest.json'}: not valid JSON") from None
    return Posterior(d, table, man)


def uncertainty_label(posterior: Posterior | None) -> str:
    """What the spread of a set of replicates shows."""
    if posterior is None:
        return "seeds only (parameters fixed at the scenario's values)"
    return f"parameters + seeds (each replicate draws its parameters from the posterior in {posterior.path})"


def run_replicates(loaded, seeds: list[int], posterior: Posterior, seed: int, progress=None):
    """:func:`greatgame.analysis.runs.run_replicates`, each replicate with its own parameter set
    drawn from ``posterior`` (``Posterior.draw(len(seeds), seed)``). The tables get a ``draw``
    column (the posterior particle); returns (actors, model, events, draws)."""
    from . import runs

    draws = posterior.draw(len(seeds), seed)
    actors, model, events = runs.run_replicates(loaded, seeds, progress, draws=draws)
    return actors, model, events, draws
