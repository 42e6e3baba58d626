"""DataCollector reporters: module-level functions (picklable, no lambdas).

Per-power columns are made with functools.partial over these functions, so a
scenario that adds a power (the EU, Turkey …) gets its columns without code.
"""

from __future__ import annotations

from functools import partial

from .schema import CHANNELS

# ---------------------------------------------------------------- model level


def incumbent_share_mean(model) -> float:
    """Wedge measure (a): mean over republics of the incumbents' combined alignment share."""
    return float(model.incumbent_share.mean())


def challenger_share_mean(model) -> float:
    """Wedge measure (b): mean over republics of the challenger's alignment share."""
    return float(model.challenger_share.mean())


def landscape_energy(model) -> float:
    return float(model.landscape_energy)


def incumbents_together(model) -> bool:
    return bool(model.incumbents_together)


def opposite_republics(model) -> str:
    """Wedge measure (c): republics the minimum-energy split puts with the challenger, opposite the incumbents."""
    return ",".join(k for k, o in zip(model.republic_ids, model.opposite) if o)


def wedged_republics(model) -> int:
    return int(model.wedged.sum())


def wedge_achieved(model) -> bool:
    """Wedge measure (d): see GreatGameModel.wedge_achieved."""
    return model.wedge_achieved


def wedge_in_landscape(model) -> bool:
    """The stricter variant of (d): a wedged republic that the landscape also puts opposite the incumbents."""
    return bool(model.wedged_in_landscape.any())


def date(model) -> str:
    return model.date


def model_reporters() -> dict:
    return {
        "date": date,
        "incumbent_share_mean": incumbent_share_mean,
        "challenger_share_mean": challenger_share_mean,
        "landscape_energy": landscape_energy,
        "incumbents_together": incumbents_together,
        "opposite_republics": opposite_republics,
        "wedged_republics": wedged_republics,
        "wedge_achieved": wedge_achieved,
        "wedge_in_landscape": wedge_in_landscape,
    }


# ---------------------------------------------------------------- republics
# Republic and power reporters read model.report, the per-step snapshot in plain lists.


def alignment(agent, p: int) -> float:
    return agent.model.report["alignment"][agent.index][p]


def influence(agent, p: int) -> float:
    return agent.model.report["influence"][p][agent.index]


def channel(agent, c: int, p: int) -> float:
    return agent.model.report["scores"][c][p][agent.index]


def trade(agent, p: int) -> float:
    return agent.model.report["trade"][p][agent.index]


def trade_share(agent, p: int) -> float:
    """The power's share of the republic's total trade (rest of the world included)."""
    return agent.model.report["trade_share"][p][agent.index]


def aid_stock(agent, p: int) -> float:
    return agent.model.report["aid"][p][agent.index]


def investment_stock(agent, p: int) -> float:
    return agent.model.report["investment"][p][agent.index]


def received(agent, p: int) -> float:
    """US$ bn accepted from the power this quarter (all instruments, pledges included)."""
    return agent.model.report["received"][p][agent.index]


def forum_level(agent, f: int) -> str:
    """member, observer, none, or inactive (the forum does not exist yet)."""
    return agent.model.report["forum_level"][f][agent.index]


def republic_gdp(agent) -> float:
    return agent.model.report["gdp_r"][agent.index]


def trade_rest_of_world(agent) -> float:
    return agent.model.report["row_trade"][agent.index]


def incumbent_share(agent) -> float:
    return agent.model.report["incumbent_share"][agent.index]


def challenger_share(agent) -> float:
    return agent.model.report["challenger_share"][agent.index]


def republic_bloc(agent) -> int:
    return agent.model.report["blocs"][agent.model.n_powers + agent.index]


def opposite(agent) -> bool:
    return agent.model.report["opposite"][agent.index]


def wedged(agent) -> bool:
    return agent.model.report["wedged"][agent.index]


def debt_ratio(agent) -> float:
    return agent.model.report["debt_ratio"][agent.index]


def republic_reporters(model) -> dict:
    out = {
        "gdp": republic_gdp,
        "trade_rest_of_world": trade_rest_of_world,
        "debt_ratio": debt_ratio,
        "incumbent_share": incumbent_share,
        "challenger_share": challenger_share,
        "bloc": republic_bloc,
        "opposite_incumbents": opposite,
        "wedged": wedged,
    }
    for i, p in enumerate(model.power_ids):
        out[f"alignment_{p}"] = partial(alignment, p=i)
        out[f"influence_{p}"] = partial(influence, p=i)
        for c, name in enumerate(CHANNELS):
            out[f"{name}_score_{p}"] = partial(channel, c=c, p=i)
        out[f"trade_{p}"] = partial(trade, p=i)
        out[f"trade_share_{p}"] = partial(trade_share, p=i)
        out[f"aid_stock_{p}"] = partial(aid_stock, p=i)
        out[f"investment_stock_{p}"] = partial(investment_stock, p=i)
        out[f"received_{p}"] = partial(received, p=i)
    for f, fid in enumerate(model.forum_ids):
        out[f"forum_{fid}"] = partial(forum_level, f=f)
    return out


# ---------------------------------------------------------------- powers


def power_gdp(agent) -> float:
    return agent.model.report["gdp_p"][agent.index]


def yearly_budget(agent) -> float:
    return float(agent.model.budget[agent.index].sum() * agent.budget_multiplier)


def offered(agent) -> float:
    return float(agent.offered)


def disbursed(agent) -> float:
    return float(agent.disbursed)


def mean_alignment(agent) -> float:
    return agent.model.report["mean_alignment"][agent.index]


def power_bloc(agent) -> int:
    return agent.model.report["blocs"][agent.index]


def power_reporters(model) -> dict:
    return {
        "gdp": power_gdp,
        "budget": yearly_budget,
        "offered": offered,
        "disbursed": disbursed,
        "mean_alignment": mean_alignment,
        "bloc": power_bloc,
    }
