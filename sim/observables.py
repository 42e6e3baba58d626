"""What a run shows that can be set against observed data, year by year.

Module-level functions read the model's state arrays (no DataCollector needed) and
:func:`run_yearly` steps a model through calendar years, averaging each quarter's
state over the year. The model itself is unchanged: the runner advances it a quarter at a time (``run_for(1)``)
and reads the state after each step, so it works with ``collect_every=0`` (fast).

Units are the model's: goods trade in US$ bn a year (an annual rate each quarter; the
year's figure is the mean of its quarters' rates), GDP in US$ bn, remittances as a share
of GDP, alignment as shares summing to one per republic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

OBSERVABLES = ("trade", "trade_other", "gdp", "remittances", "remittances_other", "investment", "alignment")


def trade(model) -> np.ndarray:
    """(P, R) goods trade both ways of each power with each republic, US$ bn a year."""
    return model.trade.copy()


def trade_other(model) -> np.ndarray:
    """(R,) each republic's goods trade with partners outside the model, US$ bn a year."""
    return np.asarray(model.row_trade, float).copy()


def investment(model) -> np.ndarray:
    """(P, R) each power's stock of direct investment in each republic, US$ bn."""
    return model.investment.copy()


def gdp(model) -> np.ndarray:
    """(R,) the republics' GDP, US$ bn."""
    return model.gdp_r.copy()


def remittances(model) -> np.ndarray:
    """(P, R) remittances from each power's territory, share of the republic's GDP."""
    return model.remit_share.copy()


def remittances_other(model) -> np.ndarray:
    """(R,) remittances from outside the modelled powers, share of GDP."""
    return np.asarray(model.other_remit_share, float).copy()


def alignment(model) -> np.ndarray:
    """(R, P) each republic's alignment toward each power (rows sum to one)."""
    return model.alignment.copy()


_READERS = {"trade": trade, "trade_other": trade_other, "gdp": gdp, "remittances": remittances,
            "remittances_other": remittances_other, "investment": investment, "alignment": alignment}


def snapshot(model) -> dict[str, np.ndarray]:
    """Every observable of the current state."""
    return {name: read(model) for name, read in _READERS.items()}


@dataclass
class Yearly:
    """Yearly means of the observables: ``values[name][year]`` is an array."""

    power_ids: list[str]
    republic_ids: list[str]
    values: dict[str, dict[int, np.ndarray]] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted(self.values.get("trade", {}))

    def get(self, name: str, year: int) -> np.ndarray | None:
        return self.values.get(name, {}).get(year)


def model_year(model) -> int:
    """The calendar year of the model's current quarter."""
    return int(model.date[:4])


def run_yearly(model, last_year: int | None = None) -> Yearly:
    """Step ``model`` to the end of ``last_year`` (or its horizon, if sooner) and return the
    yearly mean of each observable over the quarters of each year it covered, the starting
    quarter included (its state stands for its own year)."""
    sums: dict[str, dict[int, np.ndarray]] = {name: {} for name in _READERS}
    counts: dict[int, int] = {}

    def add() -> None:
        y = model_year(model)
        counts[y] = counts.get(y, 0) + 1
        for name, value in snapshot(model).items():
            acc = sums[name].get(y)
            sums[name][y] = value if acc is None else acc + value

    add()
    while model.steps < model.horizon:
        if last_year is not None and int(model.date_of(model.steps + 1)[:4]) > last_year:
            break
        model.run_for(1)  # one quarter, with the events scheduled in it
        add()
    out = Yearly(list(model.power_ids), list(model.republic_ids))
    out.values = {name: {y: v / counts[y] for y, v in by_year.items()} for name, by_year in sums.items()}
    return out
