"""DataCollector reporters: module-level functions (picklable, no lambdas).

Per-power columns are made with functools.partial over these functions, so a
scenario that adds a power (the EU, Turkey …) gets its columns without code.
"""

from __future__ import annotations

from functools import lru_cache, partial

from .schema import CHANNELS

# ---------------------------------------------------------------- model level
# The model publishes its headline figures once a step as ``model.headline`` (plain
# Python values), in this order; see GreatGameModel._publish.

MODEL_COLUMNS = (
    "date",
    "incumbent_share_mean",   # wedge measure (a): mean over republics of the incumbents' combined share
    "challenger_share_mean",  # wedge measure (b): mean over republics of the challenger's share
    "landscape_energy",       # energy of the landscape split (a local minimum reached by path; sim/measures.py)
    "landscape_global_energy",  # energy of the global minimum now
    "landscape_at_global",    # the split's energy is the global minimum's
    "landscape_frustration",  # share of the pairs' absolute weight frustrated in the split (0-1)
    "incumbents_together",    # the split keeps the incumbents in one bloc
    "opposite_republics",     # wedge measure (c): republics put with the challenger, opposite the incumbents
    "wedged_republics",       # how many republics are wedged (rule (d), republic by republic)
    "wedge_achieved",         # wedge measure (d): see GreatGameModel.wedge_achieved
    "wedge_in_landscape",     # (d) and (c) together: a wedged republic the landscape also puts opposite
)


def headline_value(model, i: int):
    return model.headline[i]


def model_reporters() -> dict:
    return {name: partial(headline_value, i=i) for i, name in enumerate(MODEL_COLUMNS)}


# ---------------------------------------------------------------- agents
# Agent reporters read the plain lists the model hands each agent every step
# (GreatGameModel._publish): ``agent.row`` (numbers), ``agent.flags`` (bloc and
# booleans) and ``agent.forum_levels``. One reporter per column, as a partial.

REPUBLIC_SCALARS = ("gdp", "trade_rest_of_world", "debt_ratio", "incumbent_share", "challenger_share",
                    "incumbent_forums", "challenger_forums")
REPUBLIC_FLAGS = ("bloc", "opposite_incumbents", "wedged")
# Per-power blocks of agent.row after the scalars, in order; the channel scores are
# one block of len(CHANNELS) columns per power.
REPUBLIC_PER_POWER = ("alignment", "influence", "scores", "trade", "trade_share", "aid_stock",
                      "investment_stock", "received")
POWER_ROW = ("gdp", "budget", "offered", "disbursed", "mean_alignment")
POWER_FLAGS = ("bloc",)


def row_value(agent, i: int) -> float:
    return agent.row[i]


def flag_value(agent, i: int):
    return agent.flags[i]


def forum_level(agent, f: int) -> str:
    """member, observer, none, or inactive (the forum does not exist yet)."""
    return agent.forum_levels[f]


def republic_row_columns(power_ids: list[str]) -> list[str]:
    """Column names of ``RepublicAgent.row``, in order."""
    cols = list(REPUBLIC_SCALARS)
    for block in REPUBLIC_PER_POWER:
        if block == "scores":
            cols += [f"{c}_score_{p}" for p in power_ids for c in CHANNELS]
        else:
            cols += [f"{block}_{p}" for p in power_ids]
    return cols


def republic_reporters(model) -> dict:
    """Scalars and flags first, then every column of one power together, then forums.

    ``trade_share_P`` is the power's share of the republic's total trade (rest of the
    world included); ``received_P`` is US$ bn accepted from it this quarter (all
    instruments, pledges included); ``forum_F`` the republic's level in forum F."""
    return dict(_republic_reporters(tuple(model.power_ids), tuple(model.forum_ids)))


@lru_cache(maxsize=64)
def _republic_reporters(power_ids: tuple[str, ...], forum_ids: tuple[str, ...]) -> dict:
    """Built once per set of powers and forums: reporters hold no state, models share them."""
    index = {name: i for i, name in enumerate(republic_row_columns(list(power_ids)))}
    out = {name: partial(row_value, i=index[name]) for name in REPUBLIC_SCALARS}
    out.update({name: partial(flag_value, i=i) for i, name in enumerate(REPUBLIC_FLAGS)})
    for p in power_ids:
        for block in REPUBLIC_PER_POWER:
            names = [f"{c}_score_{p}" for c in CHANNELS] if block == "scores" else [f"{block}_{p}"]
            out.update({name: partial(row_value, i=index[name]) for name in names})
    for f, fid in enumerate(forum_ids):
        out[f"forum_{fid}"] = partial(forum_level, f=f)
    return out


def power_reporters(model) -> dict:
    """GDP, the yearly budget after escalation, offered and disbursed this quarter (US$ bn),
    mean alignment with the power over the republics, and its landscape bloc."""
    out = {name: partial(row_value, i=i) for i, name in enumerate(POWER_ROW)}
    out.update({name: partial(flag_value, i=i) for i, name in enumerate(POWER_FLAGS)})
    return out
