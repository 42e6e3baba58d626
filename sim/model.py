"""GreatGameModel: great-power competition in Central Asia, one step a quarter.

Per-step state lives in numpy arrays indexed by power (P) and republic (R);
``model.graph`` (a networkx DiGraph) is the public view of influence and is
refreshed at the end of every step.
"""

from __future__ import annotations

from collections import deque
from functools import partial

import networkx as nx
import numpy as np
from mesa import DataCollector, Model

from . import landscape, reporters
from .agents import LEVEL_NAMES, MEMBER, NONE, OBSERVER, PowerAgent, RepublicAgent
from .errors import REST_OF_WORLD
from .influence import channel_scores, hedging_target, total_influence
from .schema import CHANNELS, INSTRUMENTS, DateLike, Scenario

GRANTS, LOANS, INVESTMENT = range(3)


class GreatGameModel(Model):
    """Powers court five republics through trade, money, forums, security and soft power.

    Args:
        scenario: a validated :class:`~sim.schema.Scenario`, a
            :class:`~sim.scenario.LoadedScenario`, or the name/path of a scenario file.
        rng: seed or generator; every random draw of the model goes through it.
        overrides: optional ``{"dotted.path": value}`` applied when ``scenario`` is a name.
        years: optional horizon overriding the scenario's.
    """

    def __init__(self, scenario="abe_2015", rng=None, overrides=None, years=None):
        super().__init__(rng=rng)
        self.spec: Scenario = _as_scenario(scenario, overrides, years)
        sc, prm = self.spec, self.spec.parameters
        self.params = prm
        self.start: DateLike = sc.start
        self.horizon = sc.steps
        self.log: list[tuple[int, str, str]] = []  # (step, date, what happened)

        self.power_ids = list(sc.powers)
        self.republic_ids = list(sc.republics)
        P, R = self.n_powers, self.n_republics = len(self.power_ids), len(self.republic_ids)
        pi = {k: i for i, k in enumerate(self.power_ids)}
        ri = {k: i for i, k in enumerate(self.republic_ids)}
        self._pi, self._ri = pi, ri

        # -- powers --------------------------------------------------------
        pw = [sc.powers[k] for k in self.power_ids]
        self.gdp_p = np.array([p.gdp for p in pw], float)
        self.growth_p = np.array([p.gdp_growth for p in pw], float)
        self.military = np.array([p.military for p in pw], float)
        self.conditionality = np.array([p.conditionality for p in pw], float)
        self.budget = np.array([[p.budget.grants, p.budget.loans, p.budget.investment] for p in pw], float)

        # -- republics -----------------------------------------------------
        rp = [sc.republics[k] for k in self.republic_ids]
        self.gdp_r = np.array([r.gdp for r in rp], float)
        self.growth_r = np.array([r.gdp_growth for r in rp], float)
        self.population = np.array([r.population for r in rp], float)
        self.resources = np.array([[r.resources.gas, r.resources.oil, r.resources.uranium] for r in rp], float)
        self.external_debt = np.array([r.external_debt for r in rp], float)
        self.borders = np.zeros((P, R))
        self.remit_share = np.zeros((P, R))
        self.alignment = np.zeros((R, P))
        for j, r in enumerate(rp):
            for p in r.borders:
                self.borders[pi[p], j] = 1.0
            for p, s in r.remittances.items():
                self.remit_share[pi[p], j] = s
            for p, s in r.alignment.items():
                self.alignment[j, pi[p]] = s
        self.target = self.alignment.copy()
        others = {c: np.array([getattr(r.others, c) for r in rp], float)
                  for c in ("trade", "aid", "investment", "remittances", "energy", "political", "security")}
        self.row_trade = others["trade"]
        self.other_aid = others["aid"]
        self.other_investment = others["investment"]
        self.other_remit_share = others["remittances"]
        self.row_energy = others["energy"]
        self.other_political = others["political"]
        self.other_security = others["security"]

        # -- bilateral tables ------------------------------------------------
        def table(name):
            out = np.zeros((P, R))
            for p, alloc in getattr(sc, name).items():
                for r, v in alloc.per_republic().items():
                    out[pi[p], ri[r]] = v
            return out

        self.trade = table("trade")
        self.investment = table("investment")
        self.aid = table("aid")
        self.debt = table("loans")
        self.energy = table("energy")
        self.favour = np.zeros((P, R))
        for i, p in enumerate(pw):
            if isinstance(p.soft_power, dict):
                fill = float(np.mean(list(p.soft_power.values()))) if p.soft_power else 0.5
                self.favour[i] = [p.soft_power.get(r, fill) for r in self.republic_ids]
            else:
                self.favour[i] = p.soft_power
        self.favour_base = self.favour.copy()
        self.security_static = np.zeros((P, R))
        for p, ties in sc.security.items():
            for r, tie in ties.items():
                self.security_static[pi[p], ri[r]] = tie.guarantee + prm.bases_weight * tie.bases
        self.relations = np.zeros((P, P))
        for rel in sc.relations:
            self.relations[pi[rel.a], pi[rel.b]] = self.relations[pi[rel.b], pi[rel.a]] = rel.propensity

        # -- forums ------------------------------------------------------------
        forums = sc.active_forums()
        self.forum_ids = list(forums)
        self.forum_specs = [forums[f] for f in self.forum_ids]
        self._fi = {f: i for i, f in enumerate(self.forum_ids)}
        actor_index = {**pi, **{r: P + j for r, j in ri.items()}}
        self._actor_index = actor_index
        F = len(self.forum_ids)
        self.membership = np.zeros((F, P + R), dtype=np.int8)
        self.forum_active = np.zeros(F, dtype=bool)
        self.forum_convenor = np.array([actor_index[f.convenor] for f in self.forum_specs], dtype=int)
        for f, spec in enumerate(self.forum_specs):
            for a in spec.members:
                self.membership[f, actor_index[a]] = MEMBER
            for a in spec.observers:
                self.membership[f, actor_index[a]] = OBSERVER
            self.forum_active[f] = spec.founded.quarters_since(self.start) <= 0
        self.forum_weight = np.array([f.weight for f in self.forum_specs], float)
        self.forum_rate = np.array([f.meetings_per_year for f in self.forum_specs], float)
        self.forum_security = np.array([f.security_weight for f in self.forum_specs], float)
        self.customs_union = np.array([f.customs_union for f in self.forum_specs], bool)
        self._refresh_forum_views()
        # Political ties start at the steady state of the standing forums' meeting rhythm.
        decay = max(prm.political_decay, 1e-9)
        yearly = np.einsum("f,fp,fr->pr", self.forum_weight * self.forum_rate, self._lvl_p, self._lvl_r)
        self.political = yearly / decay
        self.rr_political = np.einsum("f,fr,fs->rs", self.forum_weight * self.forum_rate, self._lvl_r, self._lvl_r) / decay
        np.fill_diagonal(self.rr_political, 0.0)

        # -- dynamic bookkeeping ---------------------------------------------
        self.flows = np.zeros((3, P, R))  # accepted this quarter, by instrument
        self.capacity_left = np.zeros(R)
        self.trade_boost = np.zeros((P, R))  # extra annual growth from infrastructure
        self.row_boost = np.zeros(R)
        self._ramps: list[list] = []  # [partner rows, republic cols, annual boost, quarters left]
        self._disbursements: list[list] = []  # [instrument, p, r, per quarter, quarters left]
        self._alignment_log: deque = deque([self.alignment.copy()], maxlen=5)
        self._scheduled: list[_ScheduledEvent] = []  # keeps the callbacks alive (Mesa holds weak refs)

        self.power_agents = [PowerAgent(self, k, i) for i, k in enumerate(self.power_ids)]
        self.republic_agents = [RepublicAgent(self, k, j) for j, k in enumerate(self.republic_ids)]
        self.powers = self.agents_by_type[PowerAgent]
        self.republics = self.agents_by_type[RepublicAgent]

        for f, spec in enumerate(self.forum_specs):
            k = spec.founded.quarters_since(self.start)
            if k > 0:
                self._schedule(k, partial(self._launch_forum, f), f"{self.forum_name(f)} launched")
        for initiative, ev in sc.active_events():
            self._schedule(ev.date.quarters_since(self.start), partial(self._apply_event, ev),
                           _describe(ev, initiative))

        # -- influence, blocs, graph, data -----------------------------------
        w = prm.weights
        self.channel_weights = np.array([getattr(w, c) for c in CHANNELS], float)
        self.half_saturation = np.array([getattr(prm.half_saturation, c) for c in CHANNELS], float)
        ch, inc = sc.wedge.challenger, sc.wedge.incumbents
        self.challenger = pi[ch]
        self.incumbents = [pi[p] for p in inc]
        self._refresh_security()
        self._compute_influence()
        self._compute_blocs()
        self.graph = self._build_graph()
        self._snapshot()
        self.datacollector = DataCollector(
            model_reporters=reporters.model_reporters(),
            agenttype_reporters={
                RepublicAgent: reporters.republic_reporters(self),
                PowerAgent: reporters.power_reporters(self),
            },
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ time
    def date_of(self, step: float) -> str:
        q = self.start.year * 4 + self.start.quarter - 1 + int(step)
        return f"{q // 4}-Q{q % 4 + 1}"

    @property
    def date(self) -> str:
        return self.date_of(self.steps)

    def _schedule(self, quarter: int, action, text: str) -> None:
        """Events dated in quarter k fire between steps k and k+1 (time k + 0.5)."""
        ev = _ScheduledEvent(self, action, text)
        self._scheduled.append(ev)
        self.schedule_event(ev.fire, at=max(quarter, 0) + 0.5)

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """One quarter: offers, economy, forums, soft power, influence, hedging, blocs."""
        prm = self.params
        self.flows[:] = 0.0
        for a in self.power_agents:
            a.disbursed = 0.0
        self.capacity_left = prm.absorptive_capacity * self.gdp_r / 4.0
        self._disburse_pledges()
        self.powers.shuffle_do("make_offers")
        self._update_economy()
        self._hold_meetings()
        self._update_soft_power()
        self._compute_influence()
        self.republics.shuffle_do("update_alignment")
        if self.steps % 4 == 0:
            self.republics.shuffle_do("review_forums")
            self._refresh_security()
        self._alignment_log.append(self.alignment.copy())
        self._compute_blocs()
        self._update_graph()
        self._snapshot()
        self.datacollector.collect(self)
        if self.steps >= self.horizon:
            self.running = False

    @property
    def alignment_year_ago(self) -> np.ndarray:
        return self._alignment_log[0]

    def _disburse_pledges(self) -> None:
        keep = []
        for d in self._disbursements:
            k, p, r, amount, left = d
            self.flows[k, p, r] += amount
            self.capacity_left[r] = max(0.0, self.capacity_left[r] - amount)
            self.power_agents[p].disbursed += amount
            d[4] = left - 1
            if d[4] > 0:
                keep.append(d)
        self._disbursements = keep

    def _update_economy(self) -> None:
        prm = self.params
        q = 0.25
        self.gdp_p *= (1.0 + self.growth_p) ** q
        gdp_before = self.gdp_r.copy()
        self.gdp_r *= (1.0 + self.growth_r) ** q
        # Trade: grows with both economies, customs unions and new routes; shocked by prices.
        growth = 0.5 * (self.growth_p[:, None] + self.growth_r[None, :]) + self.trade_boost
        if self.customs_union.any():
            cu = self.membership[self.customs_union] == MEMBER
            both = np.einsum("fp,fr->pr", cu[:, : self.n_powers], cu[:, self.n_powers:]) > 0
            growth = growth + prm.customs_union_premium * both
        sigma = prm.trade_noise
        shock = np.exp(sigma * self.rng.standard_normal((self.n_powers, self.n_republics)) - 0.5 * sigma**2)
        row_shock = np.exp(sigma * self.rng.standard_normal(self.n_republics) - 0.5 * sigma**2)
        factor = np.maximum(1.0 + growth, 0.0) ** q * shock
        new_investment = self.flows[INVESTMENT]
        self.trade = self.trade * factor + prm.investment_to_trade * new_investment
        self.energy = self.energy * factor
        row_factor = np.maximum(1.0 + self.growth_r + self.row_boost, 0.0) ** q * row_shock
        self.row_trade = self.row_trade * row_factor
        self.row_energy = self.row_energy * row_factor
        self._advance_ramps()
        # Stocks: aid and investment accumulate and depreciate; loans are amortised.
        self.aid = self.aid * (1.0 - prm.aid_decay) ** q + self.flows[GRANTS] + self.flows[LOANS]
        self.debt = self.debt * (1.0 - prm.debt_amortisation) ** q + self.flows[LOANS]
        self.investment = self.investment * (1.0 - prm.investment_decay) ** q + new_investment
        scale = self.gdp_r / gdp_before
        self.other_aid = self.other_aid * scale
        self.other_investment = self.other_investment * scale

    def _advance_ramps(self) -> None:
        keep = []
        for ramp in self._ramps:
            rows, cols, boost, left = ramp
            ramp[3] = left - 1
            if ramp[3] <= 0:
                for p in rows:
                    if p is None:
                        self.row_boost[cols] -= boost
                    else:
                        self.trade_boost[p, cols] -= boost
            else:
                keep.append(ramp)
        self._ramps = keep

    def _hold_meetings(self) -> None:
        prm = self.params
        keep = (1.0 - prm.political_decay) ** 0.25
        self.political *= keep
        self.rr_political *= keep
        active = self.forum_active & (self.forum_rate > 0)
        meetings = np.zeros(len(self.forum_ids))
        if active.any():
            meetings[active] = self.rng.poisson(self.forum_rate[active] / 4.0)
        if meetings.any():
            w = meetings * self.forum_weight
            self.political += np.einsum("f,fp,fr->pr", w, self._lvl_p, self._lvl_r)
            rr = np.einsum("f,fr,fs->rs", w, self._lvl_r, self._lvl_r)
            np.fill_diagonal(rr, 0.0)
            self.rr_political += rr

    def _update_soft_power(self) -> None:
        prm = self.params
        visible = (self.flows[GRANTS] + 0.5 * (self.flows[LOANS] + self.flows[INVESTMENT])) * 4.0 / self.gdp_r
        pull = 1.0 - (1.0 - prm.soft_power_reversion) ** 0.25
        self.favour += prm.soft_power_visibility * visible / 4.0 + pull * (self.favour_base - self.favour)
        np.clip(self.favour, 0.0, 1.0, out=self.favour)

    # ------------------------------------------------------------------ influence
    def bandwidth_raw(self) -> tuple[np.ndarray, np.ndarray]:
        """(C, P, R) relationship sizes and (C, R) the same with outsiders, channel by channel."""
        g = self.gdp_r
        b = np.stack([
            self.trade / g,
            self.aid / g,
            self.investment / g,
            self.remit_share,
            self.energy / g,
            self.political,
            self.security,
            self.favour,
        ])
        o = np.stack([
            self.row_trade / g,
            self.other_aid / g,
            self.other_investment / g,
            self.other_remit_share,
            self.row_energy / g,
            self.other_political,
            self.other_security,
            np.zeros(self.n_republics),
        ])
        return b, o

    def _compute_influence(self) -> None:
        prm = self.params
        b, o = self.bandwidth_raw()
        self.scores = channel_scores(b, o, self.half_saturation, prm.dependence_weight)
        self.influence = total_influence(self.scores, self.channel_weights)
        col = self.influence.sum(axis=0, keepdims=True)
        self.influence_share = np.divide(self.influence, col, out=np.zeros_like(self.influence), where=col > 0)
        self.threat = prm.threat_weight * self.borders * self.military[:, None]
        _, self.utility = hedging_target(self.influence, self.threat, prm.autonomy_cost,
                                         prm.dominance_threshold, prm.choice_sensitivity)

    def _refresh_forum_views(self) -> None:
        prm = self.params
        lvl = np.where(self.membership == MEMBER, 1.0, np.where(self.membership == OBSERVER, prm.observer_level, 0.0))
        lvl = lvl * self.forum_active[:, None]
        self._lvl_p = lvl[:, : self.n_powers]
        self._lvl_r = lvl[:, self.n_powers:]
        self.forum_powers = [list(np.flatnonzero(self.membership[f, : self.n_powers] == MEMBER))
                             for f in range(len(self.forum_ids))]

    def _refresh_security(self) -> None:
        full = (self.membership == MEMBER) & self.forum_active[:, None]
        full = full.astype(float)
        alliance = np.einsum("f,fp,fr->pr", self.forum_security, full[:, : self.n_powers], full[:, self.n_powers:])
        self.security = self.security_static + alliance

    # ------------------------------------------------------------------ blocs
    def propensities(self) -> np.ndarray:
        """Landscape propensities over all actors (powers first), from the influence graph.

        power-power: the scenario's relations; power-republic: the power's share of the
        republic's total influence less its threat; republic-republic: a regional tie
        strengthened by shared forums.
        """
        P, R = self.n_powers, self.n_republics
        prm = self.params
        m = np.zeros((P + R, P + R))
        m[:P, :P] = self.relations
        pr = self.influence_share - self.threat
        m[:P, P:] = pr
        m[P:, :P] = pr.T
        h = prm.half_saturation.political
        m[P:, P:] = prm.regional_tie * (1.0 + self.rr_political / (self.rr_political + h))
        np.fill_diagonal(m, 0.0)
        return m

    def _compute_blocs(self) -> None:
        sizes = np.concatenate([self.gdp_p, self.gdp_r])
        sizes = sizes / sizes.sum()
        self.blocs, self.landscape_energy = landscape.minimum_energy_split(sizes, self.propensities())
        P = self.n_powers
        inc_blocs = {int(self.blocs[i]) for i in self.incumbents}
        self.incumbents_together = len(inc_blocs) == 1
        inc_bloc = next(iter(inc_blocs))
        rep_blocs = self.blocs[P:]
        self.opposite = self.incumbents_together & (rep_blocs != inc_bloc) & (rep_blocs == self.blocs[self.challenger])
        self.incumbent_share = self.alignment[:, self.incumbents].sum(axis=1)
        self.challenger_share = self.alignment[:, self.challenger]
        incumbent_max = self.alignment[:, self.incumbents].max(axis=1)
        self.wedged = (self.incumbent_share < self.params.wedge_incumbent_share) & (
            self.challenger_share >= incumbent_max)
        self.wedged_in_landscape = self.wedged & self.opposite

    @property
    def wedge_achieved(self) -> bool:
        """At least one republic where the incumbents together hold less than
        ``wedge_incumbent_share`` of its alignment and the challenger is level with or
        ahead of each of them. The stricter landscape variant (the republic also sits in
        the challenger's bloc, opposite the incumbents) is ``wedge_in_landscape``."""
        return bool(self.wedged.any())

    def _snapshot(self) -> None:
        """Plain-list copies of what the reporters read: list indexing is far cheaper
        than numpy scalar access, and the DataCollector makes thousands per step."""
        total_trade = self.trade.sum(axis=0) + self.row_trade
        share = np.divide(self.trade, total_trade, out=np.zeros_like(self.trade), where=total_trade > 0)
        lvl = self.membership[:, self.n_powers:]
        levels = [[("inactive" if not self.forum_active[f] else LEVEL_NAMES[int(v)]) for v in lvl[f]]
                  for f in range(len(self.forum_ids))]
        self.report = {
            "alignment": self.alignment.tolist(),
            "influence": self.influence.tolist(),
            "scores": self.scores.tolist(),
            "trade": self.trade.tolist(),
            "trade_share": share.tolist(),
            "aid": self.aid.tolist(),
            "investment": self.investment.tolist(),
            "received": self.flows.sum(axis=0).tolist(),
            "forum_level": levels,
            "gdp_r": self.gdp_r.tolist(),
            "gdp_p": self.gdp_p.tolist(),
            "row_trade": self.row_trade.tolist(),
            "debt_ratio": (self.external_debt + self.debt.sum(axis=0) / self.gdp_r).tolist(),
            "incumbent_share": self.incumbent_share.tolist(),
            "challenger_share": self.challenger_share.tolist(),
            "blocs": self.blocs.tolist(),
            "opposite": self.opposite.tolist(),
            "wedged": self.wedged.tolist(),
            "wedged_in_landscape": self.wedged_in_landscape.tolist(),
            "mean_alignment": self.alignment.mean(axis=0).tolist(),
        }

    # ------------------------------------------------------------------ forums
    def forum_name(self, f: int) -> str:
        return self.forum_specs[f].name or self.forum_ids[f]

    def set_membership(self, f: int, col: int, level: int, reason: str = "", quiet: bool = False) -> None:
        old = int(self.membership[f, col])
        if old == level:
            return
        self.membership[f, col] = level
        self._refresh_forum_views()
        if quiet:
            return
        actor = (self.power_ids + self.republic_ids)[col]
        self.log.append((self.steps, self.date, f"{actor}: {self.forum_name(f)} {LEVEL_NAMES[old]} -> {LEVEL_NAMES[level]}"
                         + (f" ({reason})" if reason else "")))

    def _launch_forum(self, f: int) -> None:
        self.forum_active[f] = True
        self._refresh_forum_views()
        self._refresh_security()

    # ------------------------------------------------------------------ events
    def _apply_event(self, ev) -> None:
        pi, ri = self._pi, self._ri
        kind = ev.kind
        if kind == "pledge":
            k = INSTRUMENTS.index(ev.instrument)
            quarters = max(1, int(round(ev.years * 4)))
            for r, amount in ev.amounts.items():
                per_q = amount * ev.realisation / quarters
                if per_q > 0:
                    self._disbursements.append([k, pi[ev.power], ri[r], per_q, quarters])
        elif kind == "summit":
            p = pi[ev.power]
            for r in ev.republics:
                self.political[p, ri[r]] += ev.political
                self.favour[p, ri[r]] = min(1.0, max(0.0, self.favour[p, ri[r]] + ev.soft_power))
        elif kind == "membership":
            level = {"member": MEMBER, "observer": OBSERVER, "none": NONE}[ev.level]
            self.set_membership(self._fi[ev.forum], self._actor_index[ev.republic], level, quiet=True)
            self._refresh_security()
        elif kind == "infrastructure":
            cols = np.array([ri[r] for r in ev.republics])
            quarters = max(1, int(round(ev.ramp_years * 4)))
            boost = (1.0 + ev.trade_boost) ** (1.0 / ev.ramp_years) - 1.0
            rows = []
            for partner in ev.partners:
                if partner == REST_OF_WORLD:
                    self.row_boost[cols] += boost
                    rows.append(None)
                else:
                    self.trade_boost[pi[partner], cols] += boost
                    rows.append(pi[partner])
            self._ramps.append([rows, cols, boost, quarters])
        elif kind == "budget":
            p = pi[ev.power]
            if ev.factor is not None:
                self.budget[p] *= ev.factor
            else:
                self.budget[p] = [ev.set.grants, ev.set.loans, ev.set.investment]
        elif kind == "shock":
            p = pi[ev.power] if ev.power is not None else slice(None)
            r = ri[ev.republic] if ev.republic is not None else slice(None)
            if ev.target == "gdp":
                if ev.power is not None:
                    self.gdp_p[p] *= ev.factor
                if ev.republic is not None:
                    self.gdp_r[r] *= ev.factor
            elif ev.target == "trade":
                self.trade[p, r] *= ev.factor
                self.energy[p, r] *= ev.factor
            elif ev.target == "remittances":
                self.remit_share[p, r] *= ev.factor
            elif ev.target == "investment":
                self.investment[p, r] *= ev.factor
            elif ev.target == "soft_power":
                self.favour[p, r] = np.clip(self.favour[p, r] * ev.factor, 0.0, 1.0)
                self.favour_base[p, r] = np.clip(self.favour_base[p, r] * ev.factor, 0.0, 1.0)

    # ------------------------------------------------------------------ graph
    def _build_graph(self) -> nx.DiGraph:
        g = nx.DiGraph(start=str(self.start))
        for i, k in enumerate(self.power_ids):
            g.add_node(k, kind="power", name=self.power_agents[i].name)
        for j, k in enumerate(self.republic_ids):
            g.add_node(k, kind="republic", name=self.republic_agents[j].name)
        for i, p in enumerate(self.power_ids):
            for j, r in enumerate(self.republic_ids):
                g.add_edge(p, r, kind="influence")
        for a in range(self.n_republics):
            for b in range(self.n_republics):
                if a != b:
                    g.add_edge(self.republic_ids[a], self.republic_ids[b], kind="regional")
        for a in range(self.n_powers):
            for b in range(self.n_powers):
                if a != b:
                    g.add_edge(self.power_ids[a], self.power_ids[b], kind="rivalry")
        self._power_edges(g)
        self._update_graph(g)
        return g

    def _update_graph(self, g: nx.DiGraph | None = None) -> None:
        g = self.graph if g is None else g
        g.graph["date"] = self.date
        g.graph["step"] = self.steps
        P = self.n_powers
        for i, k in enumerate(self.power_ids):
            g.nodes[k].update(gdp=float(self.gdp_p[i]), bloc=int(self.blocs[i]))
        for j, k in enumerate(self.republic_ids):
            g.nodes[k].update(gdp=float(self.gdp_r[j]), bloc=int(self.blocs[P + j]),
                              wedged=bool(self.wedged[j]))
        scores = self.scores.tolist()
        influence, share, alignment = self.influence.tolist(), self.influence_share.tolist(), self.alignment.tolist()
        for i, p in enumerate(self.power_ids):
            for j, r in enumerate(self.republic_ids):
                attrs = {c: scores[n][i][j] for n, c in enumerate(CHANNELS)}
                attrs["weight"] = influence[i][j]
                attrs["share"] = share[i][j]
                attrs["alignment"] = alignment[j][i]
                g.edges[p, r].update(attrs)
        prop = self.propensities()
        for a in range(self.n_republics):
            for b in range(self.n_republics):
                if a != b:
                    g.edges[self.republic_ids[a], self.republic_ids[b]]["weight"] = float(prop[P + a, P + b])

    def _power_edges(self, g: nx.DiGraph) -> None:
        """Power-power edges: the scenario's relations (constant over a run)."""
        for a in range(self.n_powers):
            for b in range(self.n_powers):
                if a != b:
                    w = float(self.relations[a, b])
                    g.edges[self.power_ids[a], self.power_ids[b]].update(weight=w, rivalry=max(0.0, -w))

    # ------------------------------------------------------------------ running
    def run(self) -> "GreatGameModel":
        """Run to the scenario's horizon."""
        remaining = self.horizon - self.steps
        if remaining > 0:
            self.run_for(remaining)
        return self


class _ScheduledEvent:
    """A dated scenario event; logs itself when it fires."""

    def __init__(self, model: GreatGameModel, action, text: str):
        self.model, self.action, self.text = model, action, text

    def fire(self) -> None:
        self.action()
        m = self.model
        m.log.append((m.steps, m.date, self.text))


def _describe(ev, initiative: str | None) -> str:
    head = f"[{initiative}] " if initiative else ""
    kind = ev.kind
    if kind == "pledge":
        total = sum(ev.amounts.values())
        return f"{head}{ev.power} pledges US${total:.3g}bn of {ev.instrument} to {', '.join(ev.amounts)}"
    if kind == "summit":
        return f"{head}{ev.power} summit with {', '.join(ev.republics)}"
    if kind == "membership":
        return f"{head}{ev.republic}: {ev.forum} -> {ev.level}"
    if kind == "infrastructure":
        return f"{head}{ev.name} opens ({', '.join(ev.republics)})"
    if kind == "budget":
        return f"{head}{ev.power} budget " + (f"x{ev.factor}" if ev.factor is not None else "reset")
    return f"{head}shock to {ev.target}" + (f" of {ev.power}" if ev.power else "") + (f" in {ev.republic}" if ev.republic else "")


def _as_scenario(scenario, overrides, years) -> Scenario:
    if isinstance(scenario, Scenario):
        if overrides or years is not None:
            raise ValueError("overrides and years apply to a scenario name or path, not a Scenario object")
        return scenario
    if hasattr(scenario, "scenario") and isinstance(scenario.scenario, Scenario):
        if overrides or years is not None:
            raise ValueError("overrides and years apply to a scenario name or path, not a loaded scenario")
        return scenario.scenario
    from .scenario import load_scenario

    return load_scenario(scenario, overrides=overrides, years=years).scenario
