"""Running scenarios and turning Mesa's DataCollector into tidy tables.

One row per (replicate, step, actor) in the actors table; one row per
(replicate, step) in the model table (the wedge measures); one row per logged
event. Seeds: a single run uses the seed it is given; K replicates use
``SeedSequence(seed).spawn(K)``, each child reduced to a 32-bit integer that
``greatgame run --seed`` accepts, so any replicate can be re-run alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from greatgame.sim import GreatGameModel, LoadedScenario
from greatgame.sim.agents import PowerAgent, RepublicAgent


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """The run seeds for K replicates of a master seed."""
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    if replicates == 1:
        return [int(seed)]
    children = np.random.SeedSequence(int(seed)).spawn(replicates)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


@dataclass
class RunResult:
    seed: int
    actors: pd.DataFrame
    model: pd.DataFrame
    events: pd.DataFrame


def tidy_actors(model: GreatGameModel) -> pd.DataFrame:
    """Republics and powers, one row per step and actor."""
    dc = model.datacollector
    frames = []
    for agent_type, kind in ((RepublicAgent, "republic"), (PowerAgent, "power")):
        df = dc.get_agenttype_vars_dataframe(agent_type).reset_index()
        ids = {a.unique_id: a.key for a in model.agents_by_type[agent_type]}
        df.insert(1, "actor", df.pop("AgentID").map(ids))
        df.insert(2, "kind", kind)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True, sort=False).rename(columns={"Step": "step"})
    out["step"] = out["step"].astype("int64")  # Mesa gives a float; every table has an integer step
    dates = pd.Series([model.date_of(s) for s in range(model.steps + 1)])
    out.insert(1, "date", out["step"].map(dates))
    order = {k: i for i, k in enumerate(model.republic_ids + model.power_ids)}
    out = out.sort_values(["step", "actor"], key=lambda s: s.map(order) if s.name == "actor" else s, kind="stable")
    return out.reset_index(drop=True)


def tidy_model(model: GreatGameModel) -> pd.DataFrame:
    df = model.datacollector.get_model_vars_dataframe().reset_index(names="step")
    return df


def tidy_events(model: GreatGameModel) -> pd.DataFrame:
    return pd.DataFrame(model.log, columns=["step", "date", "event"])


def run_one(loaded: LoadedScenario, seed: int) -> RunResult:
    model = GreatGameModel(loaded, rng=seed).run()
    return RunResult(seed, tidy_actors(model), tidy_model(model), tidy_events(model))


def run_replicates(
    loaded: LoadedScenario,
    seeds: Iterable[int],
    progress: Callable[[int], None] | None = None,
    draws: list[tuple[int, dict]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run every seed; return (actors, model, events) with replicate and seed columns.

    ``draws``: one (particle, {path: value}) per seed, from a posterior
    (:meth:`analysis.posterior.Posterior.draw`): replicate i runs with draw i's parameters, and
    the tables get a ``draw`` column (the particle)."""
    from greatgame.sim.scenario import scenario_with

    seeds = list(seeds)
    if draws is not None and len(draws) != len(seeds):
        raise ValueError(f"{len(draws)} parameter draws for {len(seeds)} seeds")
    plain = loaded.scenario.model_dump() if draws else None
    actors, models, events = [], [], []
    for i, seed in enumerate(seeds):
        if draws:
            spec = scenario_with(loaded.scenario, draws[i][1], plain=plain)
            model = GreatGameModel(spec, rng=seed).run()
            r = RunResult(seed, tidy_actors(model), tidy_model(model), tidy_events(model))
        else:
            r = run_one(loaded, seed)
        for df, bucket in ((r.actors, actors), (r.model, models), (r.events, events)):
            df = df.copy()
            df.insert(0, "replicate", i)
            df.insert(1, "seed", seed)
            if draws:
                df.insert(2, "draw", draws[i][0])
            bucket.append(df)
        if progress is not None:
            progress(1)
    return (pd.concat(actors, ignore_index=True), pd.concat(models, ignore_index=True),
            pd.concat(events, ignore_index=True))


# ---------------------------------------------------------------- summaries


def final_alignment(actors: pd.DataFrame, powers: list[str], incumbents: list[str]) -> pd.DataFrame:
    """Mean final alignment by republic (over replicates), with the incumbents' combined share
    in a last column named 'incumbents' (a single incumbent's share is also its own column)."""
    last = actors[(actors["kind"] == "republic") & (actors["step"] == actors["step"].max())]
    cols = [f"alignment_{p}" for p in powers]
    table = last.groupby("actor", sort=False)[cols + ["incumbent_share"]].mean()
    table.columns = powers + ["incumbents"]
    table.index.name = "republic"
    return table


def wedge_summary(model_df: pd.DataFrame, actors: pd.DataFrame) -> dict:
    """The wedge measures at the final step, over replicates."""
    last = model_df[model_df["step"] == model_df["step"].max()]
    n = len(last)
    achieved = int(last["wedge_achieved"].sum())
    opp = actors[(actors["kind"] == "republic") & (actors["step"] == actors["step"].max())]
    opposite_freq = opp.groupby("actor", sort=False)["opposite_incumbents"].mean()
    wedged_freq = opp.groupby("actor", sort=False)["wedged"].mean()
    return {
        "replicates": n,
        "incumbent_share_mean": float(last["incumbent_share_mean"].mean()),
        "challenger_share_mean": float(last["challenger_share_mean"].mean()),
        "wedge_runs": achieved,
        "wedge_probability": achieved / n if n else float("nan"),
        "opposite_frequency": {k: float(v) for k, v in opposite_freq.items()},
        "wedged_frequency": {k: float(v) for k, v in wedged_freq.items()},
        "wedge_in_landscape_runs": int(last["wedge_in_landscape"].sum()),
    }
