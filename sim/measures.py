"""Measures: the landscape blocs, the wedge measures, and what is published to the
reporters and the influence graph. The dynamics never read them.

ODD §7.10 of docs/model.md ("Landscape blocs and wedge measures"), step 14 of
§3; the split itself is sim/landscape.py's. Actors are all powers, then all republics:

    size_i = (1 − μ) · GDP_i / Σ_j GDP_j + μ · mil_i / Σ_j mil_j        μ = landscape_military_weight
    p_ij   = relations[p,q]                                          power–power
           = tanh(β_r · (U(p,r) − Ū(r)) / 2)                        power–republic (both ways)
           = regional_tie + (1 − regional_tie) · rr_political[r,s] / (rr_political[r,s] + h_political)
                                                                     republic–republic
    E(X)   = Σ_{i<j} size_i · size_j · p_ij · d_ij(X)

mil_i is ``powers.P.military`` or ``republics.R.military`` (0 when a republic has none), U the
hedging utility (sim/hedging.py), Ū(r) its mean over the powers, β_r the republic's choice
sensitivity. Every propensity is in [−1, 1]. The blocs are a *local* minimum reached by
path: at step 0 the global minimum (:func:`compute_blocs`), then every quarter steepest
single-flip descent from the previous quarter's split (:func:`track_landscape`, run each
step whether or not the step is recorded, so the path does not depend on ``collect_every``).
At each measurement the global minimum's energy is computed too (``landscape_global_energy``;
exact up to 16 actors, the multi-start heuristic beyond), with ``landscape_at_global`` (the
split's energy equals it) and ``landscape_frustration`` (the share of pair weight frustrated
in the split, sim/landscape.py).

Wedge measures (:func:`compute_blocs`), per republic r:

    (a) incumbent_share_r  = Σ_{p ∈ incumbents} alignment[r,p]     (and its mean over republics)
    (b) challenger_share_r = alignment[r, challenger]               (and its mean)
    (c) opposite_r         = incumbents in one bloc ∧ bloc_r = bloc(challenger) ≠ bloc(incumbents)
    (d) wedged_r           = incumbent_share_r < wedge_incumbent_share
                             ∧ challenger_share_r ≥ max_{p ∈ incumbents} alignment[r,p]
        wedge_achieved     = any_r wedged_r;   wedge_in_landscape = any_r (wedged_r ∧ opposite_r)

:func:`check_finite` turns a NaN or infinite outcome into ``NonFiniteOutcome``;
:func:`publish` hands the DataCollector plain Python values (sim/reporters.py);
:func:`build_graph` / :func:`update_graph` make the networkx view (``model.graph``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from . import landscape
from .build import spawn as _spawn
from .errors import NonFiniteOutcome
from .forums import forum_ties
from .schema import CHANNELS

if TYPE_CHECKING:  # pragma: no cover
    from .model import GreatGameModel

# ndarray.sum goes through a Python wrapper; on arrays this small the wrapper is most of the cost.
_sum = np.add.reduce


def check_finite(m: "GreatGameModel") -> None:
    """A NaN or infinite outcome is an error naming the measure, never a silent 'no wedge'
    (a NaN share compares false with everything). One sum per array: a sum is finite
    only when every element is."""
    alignment, influence = float(_sum(m.alignment.ravel())), float(_sum(m.influence.ravel()))
    if math.isfinite(alignment + influence + m.landscape_energy):  # inf - inf is NaN: caught too
        return
    bad = [name for name, v in (("alignment", alignment), ("influence", influence),
                                ("landscape_energy", m.landscape_energy)) if not math.isfinite(v)]
    raise NonFiniteOutcome(bad[0] if bad else "alignment", m.steps, m.date)


def propensities(m: "GreatGameModel") -> np.ndarray:
    """Landscape propensities over all actors (powers first), each in [−1, 1] (see the module
    docstring): the powers' relations, a republic's centred hedging utility toward each power,
    and republics' forum ties."""
    return m._fill_propensity().copy()


def fill_propensity(m: "GreatGameModel") -> np.ndarray:
    """The propensities of the state now, written into the model's buffer (powers first; the
    power–power block, the relations, is set once). The model runs it every quarter, so it is
    written for few numpy calls: the centring over the powers and β/2 are one constant matrix
    product, and the republics' ties use 1 − (1 − t)·h / (rr + h) = t + (1 − t)·rr / (rr + h)."""
    P = m.n_powers
    c = m._landscape_const
    buf = m._propensity_buffer
    pr = c.centre @ m.utility  # β/2 · (U − Ū(r)), with β model-wide; else (U − Ū(r)), then β_r/2 per column
    if c.half_beta_r is not None:
        pr *= c.half_beta_r
    np.tanh(pr, out=pr)
    buf[:P, P:] = pr
    buf[P:, :P] = pr.T
    tie = np.add(m.rr_political, c.h_political)
    np.divide(c.slope_h, tie, out=tie)
    np.subtract(c.one, tie, out=tie)
    buf[P:, P:] = tie
    buf.flat[c.republic_diagonal] = 0.0
    return buf


def landscape_sizes(m: "GreatGameModel") -> np.ndarray:
    """(1 − μ) · GDP share + μ · military share (sim/landscape.py, ``capability_sizes``; the
    military part is constant over a run and bound once)."""
    c = m._landscape_const
    gdp = np.concatenate((m.gdp_p, m.gdp_r))
    gdp *= c.economy / np.add.reduce(gdp)
    gdp += c.military_part
    return gdp


def track_landscape(m: "GreatGameModel") -> None:
    """This quarter's split: steepest single-flip descent from the previous quarter's
    (Axelrod and Bennett's path). The model runs it every step it does not measure; only
    the split is kept (the energies are computed when measured)."""
    spins = m._landscape_spins
    m.landscape_flips = landscape.descend_spins(landscape_sizes(m), fill_propensity(m), spins,
                                                m._landscape_const.tol)
    if m.landscape_flips:
        m.blocs = (spins != spins[0]).astype(int)


def _global_minimum(m: "GreatGameModel") -> tuple[np.ndarray, float]:
    """The global minimum of the landscape now: exact up to ``EXACT_MAX_ACTORS`` actors,
    multi-start greedy descent from a stream of its own beyond (``landscape_method``)."""
    sizes = m.landscape_sizes
    if len(sizes) <= landscape.EXACT_MAX_ACTORS:
        m.landscape_method = "exact"
        return landscape.minimum_energy_split(sizes, m._propensity, symmetric=True)
    if m._landscape_stream is None:
        m._landscape_stream = _spawn(m.rng, 1)[0]  # spawned after STREAMS: theirs are unchanged
    x, e, m.landscape_method = landscape.best_split(sizes, m._propensity, m._landscape_stream, symmetric=True)
    return x, e


def compute_blocs(m: "GreatGameModel") -> None:
    sizes = m.landscape_sizes = landscape_sizes(m)
    prop = m._propensity = m._fill_propensity()
    tol = m._landscape_const.tol
    global_blocs, global_energy = _global_minimum(m)
    if m.blocs is None:  # step 0: the path starts at the global minimum
        m._landscape_spins = 1.0 - 2.0 * global_blocs
    spins = m._landscape_spins
    m.landscape_flips = landscape.descend_spins(sizes, prop, spins, tol)
    m.blocs = (spins != spins[0]).astype(int)
    m.landscape_energy = landscape.spin_energy(sizes, prop, spins)
    # (beyond 16 actors the heuristic's "global" minimum can lie above a split the path found)
    m.landscape_global_energy = min(global_energy, m.landscape_energy)
    m.landscape_at_global = bool(m.landscape_energy <= m.landscape_global_energy + 1e3 * tol)
    m.landscape_frustration = landscape.frustration_share(sizes, prop, m.blocs, m.landscape_energy)
    blocs = m.blocs.tolist()
    P = m.n_powers
    inc_blocs = {blocs[i] for i in m.incumbents}
    m.incumbents_together = len(inc_blocs) == 1
    rep_blocs = m.blocs[P:]
    if m.incumbents_together and blocs[m.challenger] not in inc_blocs:
        m.opposite = rep_blocs == blocs[m.challenger]
    else:
        m.opposite = np.zeros(m.n_republics, dtype=bool)
    incumbents = m.alignment[:, m.incumbents]
    m.incumbent_share = _sum(incumbents, axis=1)
    m.challenger_share = m.alignment[:, m.challenger]
    m.wedged = (m.incumbent_share < m.params.wedge_incumbent_share) & (
        m.challenger_share >= np.maximum.reduce(incumbents, axis=1))
    m.wedged_in_landscape = m.wedged & m.opposite


def publish(m: "GreatGameModel") -> None:
    """Hand the DataCollector this step's figures as plain Python values: ``headline``
    (``reporters.MODEL_COLUMNS``) and, per agent, ``row`` (``reporters.republic_row_columns``
    or ``reporters.POWER_ROW``), ``flags`` and ``forum_levels``. It makes hundreds of
    reporter calls a step; indexing a list is far cheaper than reading numpy scalars."""
    P, R = m.n_powers, m.n_republics
    total_trade = _sum(m.trade, axis=0) + m.row_trade
    incumbent_forums, challenger_forums = forum_ties(m)
    blocks = (  # (rows, R) each, in the order of reporters.republic_row_columns
        m.gdp_r[None], m.row_trade[None],
        (m.external_debt + _sum(m.debt, axis=0) / m.gdp_r)[None],
        m.incumbent_share[None], m.challenger_share[None], incumbent_forums[None], challenger_forums[None],
        m.alignment.T, m.influence, m.scores.transpose(1, 0, 2).reshape(-1, R),
        m.trade, m.trade / np.maximum(total_trade, 1e-300), m.aid, m.investment, _sum(m.flows, axis=0),
    )
    rows = np.concatenate(blocks).T.tolist()
    blocs = m.blocs.tolist()
    opposite, wedged = m.opposite.tolist(), m.wedged.tolist()
    in_landscape = m.wedged_in_landscape.tolist()
    m.headline = (  # laid out as reporters.MODEL_COLUMNS
        m.date,
        sum(row[3] for row in rows) / R,
        sum(row[4] for row in rows) / R,
        m.landscape_energy,
        m.landscape_global_energy,
        m.landscape_at_global,
        m.landscape_frustration,
        m.incumbents_together,
        ",".join(k for k, o in zip(m.republic_ids, opposite) if o),
        sum(wedged),
        any(wedged),
        any(in_landscape),
    )
    for j, agent in enumerate(m.republic_agents):
        agent.row = rows[j]
        agent.flags = (blocs[P + j], opposite[j], wedged[j])
        agent.forum_levels = m._forum_levels[j]
    yearly = _sum(m.budget, axis=1).tolist()
    mean_alignment = (_sum(m.alignment, axis=0) / R).tolist()
    gdp_p = m.gdp_p.tolist()
    for i, agent in enumerate(m.power_agents):
        agent.row = (gdp_p[i], yearly[i] * agent.budget_multiplier, agent.offered,
                     agent.disbursed, mean_alignment[i])
        agent.flags = (blocs[i],)


def build_graph(m: "GreatGameModel") -> nx.DiGraph:
    g = nx.DiGraph(start=str(m.start))
    for i, k in enumerate(m.power_ids):
        g.add_node(k, kind="power", name=m.power_agents[i].name)
    for j, k in enumerate(m.republic_ids):
        g.add_node(k, kind="republic", name=m.republic_agents[j].name)
    for i, p in enumerate(m.power_ids):
        for j, r in enumerate(m.republic_ids):
            g.add_edge(p, r, kind="influence")
    for a in range(m.n_republics):
        for b in range(m.n_republics):
            if a != b:
                g.add_edge(m.republic_ids[a], m.republic_ids[b], kind="regional")
    for a in range(m.n_powers):
        for b in range(m.n_powers):
            if a != b:
                g.add_edge(m.power_ids[a], m.power_ids[b], kind="rivalry")
    m._power_edges(g)
    m._update_graph(g)
    return g


def update_graph(m: "GreatGameModel", g: nx.DiGraph) -> None:
    g.graph["date"] = m.date
    g.graph["step"] = m.steps
    P = m.n_powers
    for i, k in enumerate(m.power_ids):
        g.nodes[k].update(gdp=float(m.gdp_p[i]), bloc=int(m.blocs[i]))
    for j, k in enumerate(m.republic_ids):
        g.nodes[k].update(gdp=float(m.gdp_r[j]), bloc=int(m.blocs[P + j]),
                          wedged=bool(m.wedged[j]))
    scores = m.scores.tolist()
    influence, share, alignment = m.influence.tolist(), m.influence_share.tolist(), m.alignment.tolist()
    for i, p in enumerate(m.power_ids):
        for j, r in enumerate(m.republic_ids):
            attrs = {c: scores[n][i][j] for n, c in enumerate(CHANNELS)}
            attrs["weight"] = influence[i][j]
            attrs["share"] = share[i][j]
            attrs["alignment"] = alignment[j][i]
            g.edges[p, r].update(attrs)
    prop = m._propensity
    for a in range(m.n_republics):
        for b in range(m.n_republics):
            if a != b:
                g.edges[m.republic_ids[a], m.republic_ids[b]]["weight"] = float(prop[P + a, P + b])


def power_edges(m: "GreatGameModel", g: nx.DiGraph) -> None:
    """Power-power edges: the scenario's relations (constant over a run)."""
    for a in range(m.n_powers):
        for b in range(m.n_powers):
            if a != b:
                w = float(m.relations[a, b])
                g.edges[m.power_ids[a], m.power_ids[b]].update(weight=w, rivalry=max(0.0, -w))
