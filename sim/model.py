"""GreatGameModel: great-power competition in Central Asia, one step a quarter.

Per-step state lives in numpy arrays indexed by power (P) and republic (R);
``model.graph`` (a networkx DiGraph) is the public view of influence and is
refreshed at the end of every step.
"""

from __future__ import annotations

import math
import zlib
from collections import deque
from functools import lru_cache, partial
from types import SimpleNamespace

import networkx as nx
import numpy as np
from mesa import DataCollector, Model
from mesa.experimental.scenarios import Scenario as MesaScenario

from . import landscape, reporters
from .agents import (LEVEL_NAMES, MEMBER, NONE, OBSERVER, PowerAgent, RepublicAgent,
                     acceptance_probabilities, allocation_bases, powers_plan_offers, republics_take_offers)
from .errors import REST_OF_WORLD, NonFiniteOutcome
from .influence import channel_scores, hedging_utility, influence_shares, softmax_rows, total_influence
from .schema import CHANNELS, INSTRUMENTS, DateLike, Scenario

GRANTS, LOANS, INVESTMENT = range(3)
# _fill_bandwidth writes the channels in this order.
assert CHANNELS == ("trade", "aid", "investment", "remittances", "energy", "political", "security", "soft_power")
# ndarray.sum goes through a Python wrapper; on arrays this small the wrapper is most of
# the cost, and the step makes dozens of sums.
_sum = np.add.reduce
# Constants as 0-d arrays: numpy converts a Python float operand to an array on every call,
# which on these arrays costs about as much as the operation itself; a 0-d array gives the
# same result without it (see GreatGameModel._bind_step_constants).
_ZERO, _ONE, _HALF, _HUNDRED = (np.array(x) for x in (0.0, 1.0, 0.5, 100.0))
for _a in (_ZERO, _ONE, _HALF, _HUNDRED):
    _a.flags.writeable = False
STREAMS = ("offers", "trade", "meetings", "hedging")


class GreatGameModel(Model):
    """Powers court five republics through trade, money, forums, security and soft power.

    Args:
        setup: a validated :class:`~sim.schema.Scenario`, a
            :class:`~sim.scenario.LoadedScenario`, or the name/path of a scenario file
            (default ``abe_2015``).
        rng: seed (any integer-like value, numpy integers included) or generator; every
            random draw of the model goes through it.
        scenario: the same as ``setup``, kept as a keyword so that ``mesa.batch_run(GreatGameModel,
            {"scenario": "abe_2015"})`` works. Mesa 3.5 keeps its own ``Scenario`` object in
            ``model.scenario`` and SolaraViz's Reset passes it back under this keyword: a Mesa
            ``Scenario`` given here is not a greatgame scenario and only lends its seed.
        overrides: optional ``{"dotted.path": value}`` applied when ``scenario`` is a name.
        years: optional horizon overriding the scenario's.
        collect_every: the DataCollector records every ``collect_every`` steps and at the
            horizon (1, the default: every step). 0: it never records; the caller reads
            the state itself (the sweep runner does), after :meth:`measure`.

    The outcome measures (``blocs``, ``incumbent_share``, ``wedged`` …, ``headline``)
    are computed when the DataCollector records, and by :meth:`measure`; with the
    default ``collect_every=1`` they are current after every step.
    """

    def __init__(self, setup=None, rng=None, overrides=None, years=None, collect_every: int = 1, *, scenario=None):
        setup, rng = _setup_and_seed(setup, scenario, rng)
        super().__init__(rng=rng)
        if not isinstance(collect_every, (int, np.integer)) or collect_every < 0:
            raise ValueError(f"collect_every must be an integer >= 0, got {collect_every!r}")
        self.collect_every = int(collect_every)
        self.spec: Scenario = _as_scenario(setup, overrides, years)
        # One stream per mechanism, spawned from model.rng: a variant that adds a forum
        # changes the meeting draws only, so paired runs (same seed, two scenarios) keep
        # common trade, acceptance and hedging shocks.
        self.streams = dict(zip(STREAMS, _spawn(self.rng, len(STREAMS))))
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
        self._level_weight = np.zeros(3)  # forum tie weight of each membership level
        self._level_weight[[NONE, OBSERVER, MEMBER]] = [0.0, prm.observer_level, 1.0]
        self._refresh_forum_views()
        # Political ties start at the steady state of the standing forums' meeting rhythm:
        # x = keep * x + quarterly meetings  =>  x = (yearly / 4) / (1 - keep).
        self._political_keep = (1.0 - prm.political_decay) ** 0.25
        steady = 0.25 / max(1.0 - self._political_keep, 1e-12)
        w = self.forum_weight * self.forum_rate
        self.political = steady * ((w[:, None] * self._lvl_p).T @ self._lvl_r)
        self.rr_political = steady * ((w[:, None] * self._lvl_r).T @ self._lvl_r)
        np.fill_diagonal(self.rr_political, 0.0)

        self._meeting_cdf = _poisson_cdf(self.forum_rate * self.forum_active / 4.0)
        # (draws in blocks of at most 1024 quarters: the same numbers as one block of the horizon)
        self._meeting_draws = _ForumDraws(self.streams["meetings"], self.forum_ids, min(max(self.horizon, 1), 1024))

        # -- dynamic bookkeeping ---------------------------------------------
        self.flows = np.zeros((3, P, R))  # accepted this quarter, by instrument
        self._trade_growth = 0.5 * (self.growth_p[:, None] + self.growth_r[None, :])
        self._trade_factors: tuple[np.ndarray, np.ndarray] | None = None  # recomputed when routes or unions change
        self._quarterly = {  # constant quarterly factors of annual rates
            "gdp_p": (1.0 + self.growth_p) ** 0.25,
            "gdp_r": (1.0 + self.growth_r) ** 0.25,
            "aid": (1.0 - prm.aid_decay) ** 0.25,
            "debt": (1.0 - prm.debt_amortisation) ** 0.25,
            "investment": (1.0 - prm.investment_decay) ** 0.25,
            "soft_power_pull": 1.0 - (1.0 - prm.soft_power_reversion) ** 0.25,
        }
        self.capacity_left = np.zeros(R)
        self.trade_boost = np.zeros((P, R))  # extra annual growth from infrastructure
        self.row_boost = np.zeros(R)
        self._ramps: list[list] = []  # [partner rows, republic cols, annual boost, quarters left]
        self._disbursements: list[list] = []  # [instrument, p, r, per quarter, quarters left]
        self._alignment_log: deque = deque([self.alignment.copy()], maxlen=5)
        self.rival_gain = np.zeros((R, P))  # percentage points gained by each power's rivals over a year
        self.accepts = np.zeros((P, R, len(INSTRUMENTS)), dtype=bool)  # this quarter's acceptance draws
        self.offers = np.zeros((P, R, len(INSTRUMENTS)))  # this quarter's offers, US$ bn
        self.offer_order: list[int] = []  # powers in the order they made them
        self._review_affinities: list[list[float]] | None = None
        self._rival_mask = (self.relations < 0).astype(float)  # [p, q] = 1 when q is p's rival
        self._scheduled: dict[int, _ScheduledEvents] = {}  # keeps the callbacks alive (Mesa holds weak refs)

        self.power_agents = [PowerAgent(self, k, i) for i, k in enumerate(self.power_ids)]
        self.republic_agents = [RepublicAgent(self, k, j) for j, k in enumerate(self.republic_ids)]
        self.powers = self.agents_by_type[PowerAgent]
        fixed, by_gdp = allocation_bases(self)
        strategies = [sc.powers[k].strategy for k in self.power_ids]
        self.strategy_arrays = {
            "fixed": fixed, "by_gdp": by_gdp,
            "reactivity": np.array([s.reactivity for s in strategies], float),
            "escalation": np.array([s.escalation for s in strategies], float),
            "cap": np.array([1.0 + s.max_escalation for s in strategies], float),
            "ones": np.ones(P),
        }
        s = self.strategy_arrays  # and the forms powers_plan_offers uses them in
        s["by_gdp_grid"], s["reactivity_grid"] = np.empty((P, R)), np.empty((P, R))
        s["by_gdp_grid"][...], s["reactivity_grid"][...] = by_gdp[:, None], s["reactivity"][:, None]
        s["quarter"], s["ones_list"] = np.array(0.25), s["ones"].tolist()
        self.strategy_arrays["reactive"] = bool(self.strategy_arrays["reactivity"].any())
        self.strategy_arrays["escalating"] = bool(self.strategy_arrays["escalation"].any())
        self.allocation = np.zeros((P, R))  # this quarter's budget shares per republic
        self.offered = [0.0] * P  # US$ bn offered this quarter, per power
        self.budget_multiplier = [1.0] * P
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
        self._bandwidth = np.zeros((len(CHANNELS), P, R))
        self._grid = np.zeros((P, R))  # scratch: a republic figure spread over the powers
        self._others = np.zeros((len(CHANNELS), R))
        self._others[3], self._others[5], self._others[6] = (self.other_remit_share, self.other_political,
                                                             self.other_security)
        self.channel_weights = np.array([getattr(w, c) for c in CHANNELS], float)
        self.half_saturation = np.array([getattr(prm.half_saturation, c) for c in CHANNELS], float)
        ch, inc = sc.wedge.challenger, sc.wedge.incumbents
        self.challenger = pi[ch]
        self.incumbents = [pi[p] for p in inc]
        self._propensity_buffer = np.zeros((P + R, P + R))
        self._landscape_stream: np.random.Generator | None = None  # spawned when first needed (> 16 actors)
        self.landscape_method = "exact"  # how the landscape split was found: "exact" or "heuristic" (sim.landscape)
        self._propensity_buffer[:P, :P] = self.relations
        self._refresh_security()
        # Bordering great powers weigh on a republic's utility (constant over a run).
        self.threat = prm.threat_weight * self.borders * self.military[:, None]
        self._bind_step_constants()
        self._compute_influence()
        self.target = self.alignment.copy()
        self._graph: nx.DiGraph | None = None  # built when first read (see ``graph``)
        self._measured_step = -1
        self.measure()
        self._datacollector: DataCollector | None = None
        if self.collect_every:
            self.datacollector.collect(self)

    @property
    def datacollector(self) -> DataCollector:
        """The Mesa DataCollector (reporters: :mod:`sim.reporters`). Built when first used: a
        run with ``collect_every=0`` never records, and a sweep makes thousands of them."""
        if self._datacollector is None:
            self._datacollector = DataCollector(
                model_reporters=reporters.model_reporters(),
                agenttype_reporters={
                    RepublicAgent: reporters.republic_reporters(self),
                    PowerAgent: reporters.power_reporters(self),
                },
            )
        return self._datacollector

    @datacollector.setter
    def datacollector(self, value: DataCollector) -> None:
        self._datacollector = value

    # ------------------------------------------------------------------ time
    def date_of(self, step: float) -> str:
        q = self.start.year * 4 + self.start.quarter - 1 + int(step)
        return f"{q // 4}-Q{q % 4 + 1}"

    @property
    def date(self) -> str:
        return self.date_of(self.steps)

    def _schedule(self, quarter: int, action, text: str) -> None:
        """Events dated in quarter k fire between steps k and k+1 (time k + 0.5), in the
        order they were scheduled; one Mesa event per quarter carries them all."""
        quarter = max(quarter, 0)
        batch = self._scheduled.get(quarter)
        if batch is None:
            batch = self._scheduled[quarter] = _ScheduledEvents(self)
            self.schedule_event(batch.fire, at=quarter + 0.5)
        batch.items.append((action, text))

    def _bind_step_constants(self) -> None:
        """Bind once what every quarter reads but a run never changes.

        A step is a hundred-odd numpy operations on arrays of a few dozen numbers, so the
        cost is in the calls, not the arithmetic: dict and attribute lookups, a Python float
        operand (converted to an array on every call) and operands of different shapes
        (broadcasting costs about three times an operation between equal shapes). So the
        random streams are bound as attributes, the parameters the step uses as operands are
        held as 0-d arrays (see ``_ZERO``), and constant arrays are spread to the shapes they
        are used with. The results are the same numbers. The parameters are read here, once:
        vary them through the scenario, not on a running model."""
        prm = self.params
        P, R = self.n_powers, self.n_republics
        c = partial(np.array, dtype=float)  # a 0-d array

        def spread(values, shape):
            out = np.empty(shape)
            out[...] = values
            return out

        self._offer_stream = self.streams["offers"]
        self._trade_stream = self.streams["trade"]
        self._hedging_stream = self.streams["hedging"]
        q = self._quarterly
        # acceptance_probabilities works with the negated logit: -logit = slope * share - offset(p)
        offset = (prm.acceptance_base - prm.acceptance_alignment) - prm.acceptance_conditionality * self.conditionality
        self._const = SimpleNamespace(
            # absorptive_capacity * gdp / 4: a quarter is an exact power-of-two scaling, so
            # gdp * (absorptive_capacity / 4) gives the same numbers.
            capacity=c(prm.absorptive_capacity / 4.0),
            trade_sigma=c(prm.trade_noise), trade_drift=c(0.5 * prm.trade_noise**2),
            investment_to_trade=c(prm.investment_to_trade),
            aid=c(q["aid"]), debt=c(q["debt"]), investment=c(q["investment"]),
            political_keep=c(self._political_keep),
            visibility=c(prm.soft_power_visibility), pull=c(q["soft_power_pull"]),
            noise=c(prm.alignment_noise), beta=c(prm.choice_sensitivity),
            adjust=c(prm.adjustment_rate), inertia=c(1.0 - prm.adjustment_rate),
            half_saturation=spread(self.half_saturation[:, None, None], self._bandwidth.shape),  # (C, P, R)
            autonomy_cost=c(prm.autonomy_cost), dominance=c(prm.dominance_threshold),
            neg_slope=c(-(prm.acceptance_alignment * P)),
            neg_offset=spread(-offset[:, None, None], (P, R, len(INSTRUMENTS))),
            debt_threshold=c(prm.debt_threshold), acceptance_debt=c(prm.acceptance_debt),
            debt_penalty=np.zeros((P, R, len(INSTRUMENTS))),  # scratch: written in the loans column only
        )
        self._rival_mask_t = self._rival_mask.T
        self._republic_diagonal = np.arange(0, R * R, R + 1)  # flat indices of an (R, R) diagonal

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """One quarter: offers, economy, forums, soft power, influence, hedging, blocs."""
        self.flows.fill(0.0)
        for a in self.power_agents:
            a.disbursed = 0.0
        self.capacity_left = np.multiply(self.gdp_r, self._const.capacity)
        self._disburse_pledges()
        self._prepare_offers()
        self.powers.shuffle_do("make_offers")
        republics_take_offers(self)
        self._update_economy()
        self._hold_meetings()
        self._update_soft_power()
        self._compute_influence()
        self._draw_targets()
        self._update_alignment()
        if self.steps % 4 == 0:
            # Alignment does not move during the review: every republic's affinities at once.
            self._review_affinities = self._all_forum_affinities().tolist()
            self.republics.shuffle_do("review_forums")
            self._review_affinities = None
            self._refresh_security()
        self._alignment_log.append(self.alignment.copy())
        if self.steps >= self.horizon:
            self.running = False
        k = self.collect_every
        if k and (self.steps % k == 0 or not self.running):
            self.measure()
            self.datacollector.collect(self)

    def measure(self) -> None:
        """Compute the outcome measures for the current state: the landscape blocs, the wedge
        measures and the figures the reporters read. The dynamics never read them, so runs
        that record sparsely skip them in between."""
        if self._measured_step == self.steps:
            return
        self._compute_blocs()
        self._check_finite()
        self._publish()
        self._measured_step = self.steps

    def _check_finite(self) -> None:
        """A NaN or infinite outcome is an error naming the measure, never a silent 'no wedge'
        (a NaN share compares false with everything). One sum per array: a sum is finite
        only when every element is."""
        alignment, influence = float(_sum(self.alignment.ravel())), float(_sum(self.influence.ravel()))
        if math.isfinite(alignment + influence + self.landscape_energy):  # inf - inf is NaN: caught too
            return
        bad = [name for name, v in (("alignment", alignment), ("influence", influence),
                                    ("landscape_energy", self.landscape_energy)) if not math.isfinite(v)]
        raise NonFiniteOutcome(bad[0] if bad else "alignment", self.steps, self.date)

    def wedge_measures(self) -> dict:
        """The model-level outcomes now, by name (``reporters.MODEL_COLUMNS``): the wedge
        measures (a)-(d) and the landscape split, with ``landscape_method`` (how the split
        was found: "exact" or "heuristic"). For scripts and the field's tools (EMA
        Workbench, SALib) that want outcomes without a DataCollector."""
        self.measure()
        return {**dict(zip(reporters.MODEL_COLUMNS, self.headline)), "landscape_method": self.landscape_method}

    @property
    def alignment_year_ago(self) -> np.ndarray:
        return self._alignment_log[0]

    LOANS_ONLY = np.array([0.0, 1.0, 0.0])  # the debt penalty applies to loans only

    def _prepare_offers(self) -> None:
        """What every power's offers need this quarter, for all powers at once: the rivals'
        gains over the past year and one acceptance draw per (power, republic, instrument),
        made whether or not the offer is made, so the draws never depend on budgets."""
        change = self.alignment - self._alignment_log[0]  # (R, P), over the past year
        gain = change @ self._rival_mask_t
        np.maximum(gain, _ZERO, out=gain)
        gain *= _HUNDRED
        self.rival_gain = gain
        powers_plan_offers(self)
        probs = acceptance_probabilities(self)
        self.accepts = self._offer_stream.random(probs.shape) < probs
        self.offer_order: list[int] = []

    def _draw_targets(self) -> None:
        """The hedging target of every republic: softmax(beta * (utility + noise))."""
        c = self._const
        u = self._hedging_stream.standard_normal((self.n_republics, self.n_powers))
        u *= c.noise
        u += self.utility.T
        u *= c.beta
        self.target = softmax_rows(u, overwrite=True)

    def _update_alignment(self) -> None:
        """Every republic moves ``adjustment_rate`` of the way toward its target (inertia).
        A mix of two distributions, so shares stay non-negative and sum to 1."""
        c = self._const
        self.alignment *= c.inertia
        self.alignment += self.target * c.adjust

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
        P, R = self.n_powers, self.n_republics
        c = self._const
        q = self._quarterly
        self.gdp_p *= q["gdp_p"]
        self.gdp_r *= q["gdp_r"]
        # Trade grows with both economies, customs unions and new routes; prices shock it.
        if self._trade_factors is None:
            premium = self.params.customs_union_premium
            growth = self._trade_growth + self.trade_boost + premium * self._customs_union_pairs
            self._trade_factors = (np.maximum(1.0 + growth, 0.0) ** 0.25,
                                   np.maximum(1.0 + self.growth_r + self.row_boost, 0.0) ** 0.25)
        bilateral, rest = self._trade_factors
        # shock = exp(sigma * z - sigma^2 / 2), worked out in place
        shock = self._trade_stream.standard_normal((P + 1, R))
        shock *= c.trade_sigma
        shock -= c.trade_drift
        np.exp(shock, out=shock)
        factor = bilateral * shock[:P]
        flows = self.flows
        new_investment = flows[INVESTMENT]
        self.trade *= factor
        self.trade += new_investment * c.investment_to_trade
        self.energy *= factor
        row_factor = rest * shock[P]
        self.row_trade *= row_factor
        self.row_energy *= row_factor
        if self._ramps:
            self._advance_ramps()
        # Stocks: aid and investment accumulate and depreciate; loans are amortised.
        self.aid *= c.aid
        self.aid += flows[GRANTS]
        self.aid += flows[LOANS]
        self.debt *= c.debt
        self.debt += flows[LOANS]
        self.investment *= c.investment
        self.investment += new_investment
        self.other_aid *= q["gdp_r"]
        self.other_investment *= q["gdp_r"]

    def _advance_ramps(self) -> None:
        keep = []
        for ramp in self._ramps:
            rows, cols, boost, left = ramp
            ramp[3] = left - 1
            if ramp[3] <= 0:
                self._trade_factors = None
                for p in rows:
                    if p is None:
                        self.row_boost[cols] -= boost
                    else:
                        self.trade_boost[p, cols] -= boost
            else:
                keep.append(ramp)
        self._ramps = keep

    def _hold_meetings(self) -> None:
        """Ties decay; each forum meets Poisson(meetings_per_year / 4) times this quarter.

        One uniform draw per forum and quarter, active or not, turned into a count by the
        Poisson distribution function. Each forum draws from its own stream, keyed by its id:
        a variant that adds a forum leaves the other forums' meetings as they were."""
        keep = self._const.political_keep
        self.political *= keep
        self.rr_political *= keep
        meetings = self._meeting_draws.next(self._meeting_cdf)
        if meetings is not None:
            # Ties with every actor (powers first, then republics) in one product.
            w = self._forum_scratch
            w[...] = (meetings * self.forum_weight)[:, None]
            w *= self._lvl
            ties = w.T @ self._lvl_r
            self.political += ties[: self.n_powers]
            rr = ties[self.n_powers:]
            rr.ravel()[self._republic_diagonal] = 0.0
            self.rr_political += rr

    def _update_soft_power(self) -> None:
        """Money received in view raises favourability (grants fully, loans and investment
        half); favourability is pulled back toward its baseline."""
        c = self._const
        f = self.flows
        visible = f[LOANS] + f[INVESTMENT]
        visible *= _HALF
        visible += f[GRANTS]
        gdp = self._grid
        gdp[...] = self.gdp_r  # spread over the powers (see _fill_bandwidth)
        visible /= gdp  # this quarter, share of GDP
        visible *= c.visibility
        fav = self.favour
        fav += visible
        pull = np.subtract(self.favour_base, fav, out=visible)
        pull *= c.pull
        fav += pull
        np.minimum(np.maximum(fav, _ZERO, out=fav), _ONE, out=fav)  # np.clip, without its Python wrapper

    # ------------------------------------------------------------------ influence
    def bandwidth_raw(self) -> tuple[np.ndarray, np.ndarray]:
        """(C, P, R) relationship sizes and (C, R) the same with outsiders, channel by channel.

        Money channels are measured as a share of the republic's GDP."""
        b, o = self._fill_bandwidth()
        return b.copy(), o.copy()

    def _fill_bandwidth(self) -> tuple[np.ndarray, np.ndarray]:
        b, o = self._bandwidth, self._others
        per_gdp = self._grid  # 1 / GDP, spread over the powers: products of equal shapes are cheaper
        per_gdp[...] = self.gdp_r
        np.reciprocal(per_gdp, out=per_gdp)
        np.multiply(self.trade, per_gdp, out=b[0])
        np.multiply(self.aid, per_gdp, out=b[1])
        np.multiply(self.investment, per_gdp, out=b[2])
        b[3] = self.remit_share
        np.multiply(self.energy, per_gdp, out=b[4])
        b[5], b[6], b[7] = self.political, self.security, self.favour
        per_gdp = per_gdp[0]
        np.multiply(self.row_trade, per_gdp, out=o[0])
        np.multiply(self.other_aid, per_gdp, out=o[1])
        np.multiply(self.other_investment, per_gdp, out=o[2])
        np.multiply(self.row_energy, per_gdp, out=o[4])
        # o[3], o[5], o[6] (outsiders' remittances, political and security ties) are constant: set once.
        return b, o

    def _compute_influence(self) -> None:
        c = self._const
        b, o = self._fill_bandwidth()
        self.scores = channel_scores(b, o, c.half_saturation, self.params.dependence_weight)
        self.influence = total_influence(self.scores, self.channel_weights)
        self.influence_share = influence_shares(self.influence)
        self.utility = hedging_utility(self.influence, self.threat, c.autonomy_cost, c.dominance,
                                       self.influence_share)

    def _refresh_forum_views(self, republic_changed: tuple[int, int] | None = None) -> None:
        """Derived views of membership, recomputed only when membership or activity changes.

        ``republic_changed=(f, col)``: only that republic's level in forum f changed, so the
        views of the powers' memberships stand and one label is updated."""
        P = self.n_powers
        lvl = self._level_weight[self.membership] * self.forum_active[:, None]
        self._lvl = lvl  # (F, P + R) tie weight of each actor in each forum
        self._forum_scratch = np.empty(lvl.shape)
        self._lvl_p = lvl[:, :P]
        self._lvl_r = lvl[:, P:]
        # Full members of an active customs union trade at a premium.
        cu = (self.membership[self.customs_union] == MEMBER) & self.forum_active[self.customs_union][:, None]
        self._customs_union_pairs = (cu[:, :P].T.astype(float) @ cu[:, P:].astype(float)) > 0
        self._trade_factors = None
        if republic_changed is not None:
            f, col = republic_changed
            self._forum_levels[col - P][f] = LEVEL_NAMES[int(self.membership[f, col])]
            return
        full_powers = self.membership[:, :P] == MEMBER
        self.forum_powers = [[] for _ in full_powers]  # per forum, its member powers (numpy ints)
        forums, powers = np.nonzero(full_powers)
        for f, p in zip(forums.tolist(), powers):
            self.forum_powers[f].append(p)
        self._forum_power_matrix = full_powers.T.astype(float)  # (P, F)
        k = full_powers.sum(axis=1)
        self._forum_sided = (k > 0) & (k < P)  # a forum with none or all of the powers takes no side
        self._forum_odds_scale = np.maximum(P - k, 1) / np.maximum(k, 1)  # per-power means: inside / outside
        levels = [[LEVEL_NAMES[v] if active else "inactive" for v in row]
                  for active, row in zip(self.forum_active.tolist(), self.membership[:, P:].tolist())]
        self._forum_levels = [list(col) for col in zip(*levels)] if levels else [[] for _ in range(self.n_republics)]

    def forum_affinities(self, r: int) -> list[float]:
        """Republic r's affinity with each forum (see RepublicAgent.forum_affinity)."""
        if self._review_affinities is not None:
            return self._review_affinities[r]
        return self._all_forum_affinities()[r].tolist()

    def _all_forum_affinities(self) -> np.ndarray:
        """(R, F): mean alignment per member power over mean alignment per outside power."""
        inside = self.alignment @ self._forum_power_matrix  # share held by each forum's member powers
        outside = np.maximum(1.0 - inside, 1e-12)
        return np.where(self._forum_sided, inside * self._forum_odds_scale / outside, 1.0)

    def _refresh_security(self) -> None:
        full = (self.membership == MEMBER) & self.forum_active[:, None]
        full = full.astype(float)
        alliance = (self.forum_security[:, None] * full[:, : self.n_powers]).T @ full[:, self.n_powers:]
        self.security = self.security_static + alliance

    # ------------------------------------------------------------------ blocs
    def propensities(self) -> np.ndarray:
        """Landscape propensities over all actors (powers first), from the influence graph.

        power-power: the scenario's relations; power-republic: the power's share of the
        republic's total influence less its threat; republic-republic: a regional tie
        strengthened by shared forums.
        """
        return self._fill_propensity().copy()

    def _fill_propensity(self) -> np.ndarray:
        P = self.n_powers
        prm = self.params
        m = self._propensity_buffer
        pr = self.influence_share - self.threat
        m[:P, P:] = pr
        m[P:, :P] = pr.T
        rr = self.rr_political
        m[P:, P:] = prm.regional_tie * (1.0 + rr / (rr + prm.half_saturation.political))
        m.flat[:: len(m) + 1] = 0.0
        return m

    def _compute_blocs(self) -> None:
        sizes = np.concatenate([self.gdp_p, self.gdp_r])
        sizes /= _sum(sizes)
        self._propensity = self._fill_propensity()
        if len(sizes) <= landscape.EXACT_MAX_ACTORS:
            self.blocs, self.landscape_energy = landscape.minimum_energy_split(sizes, self._propensity, symmetric=True)
            self.landscape_method = "exact"
        else:  # too many actors to enumerate: multi-start greedy descent from a stream of its own
            if self._landscape_stream is None:
                self._landscape_stream = _spawn(self.rng, 1)[0]  # spawned after STREAMS: theirs are unchanged
            self.blocs, self.landscape_energy, self.landscape_method = landscape.best_split(
                sizes, self._propensity, self._landscape_stream, symmetric=True)
        blocs = self.blocs.tolist()
        P = self.n_powers
        inc_blocs = {blocs[i] for i in self.incumbents}
        self.incumbents_together = len(inc_blocs) == 1
        rep_blocs = self.blocs[P:]
        if self.incumbents_together and blocs[self.challenger] not in inc_blocs:
            self.opposite = rep_blocs == blocs[self.challenger]
        else:
            self.opposite = np.zeros(self.n_republics, dtype=bool)
        incumbents = self.alignment[:, self.incumbents]
        self.incumbent_share = _sum(incumbents, axis=1)
        self.challenger_share = self.alignment[:, self.challenger]
        self.wedged = (self.incumbent_share < self.params.wedge_incumbent_share) & (
            self.challenger_share >= np.maximum.reduce(incumbents, axis=1))
        self.wedged_in_landscape = self.wedged & self.opposite

    @property
    def wedge_achieved(self) -> bool:
        """At least one republic where the incumbents together hold less than
        ``wedge_incumbent_share`` of its alignment and the challenger is level with or
        ahead of each of them. The stricter landscape variant (the republic also sits in
        the challenger's bloc, opposite the incumbents) is ``wedge_in_landscape``."""
        self.measure()
        return bool(self.wedged.any())

    def _publish(self) -> None:
        """Hand the DataCollector this step's figures as plain Python values: ``headline``
        (``reporters.MODEL_COLUMNS``) and, per agent, ``row`` (``reporters.republic_row_columns``
        or ``reporters.POWER_ROW``), ``flags`` and ``forum_levels``. It makes hundreds of
        reporter calls a step; indexing a list is far cheaper than reading numpy scalars."""
        P, R = self.n_powers, self.n_republics
        total_trade = _sum(self.trade, axis=0) + self.row_trade
        blocks = (  # (rows, R) each, in the order of reporters.republic_row_columns
            self.gdp_r[None], self.row_trade[None],
            (self.external_debt + _sum(self.debt, axis=0) / self.gdp_r)[None],
            self.incumbent_share[None], self.challenger_share[None],
            self.alignment.T, self.influence, self.scores.transpose(1, 0, 2).reshape(-1, R),
            self.trade, self.trade / np.maximum(total_trade, 1e-300), self.aid, self.investment, _sum(self.flows, axis=0),
        )
        rows = np.concatenate(blocks).T.tolist()
        blocs = self.blocs.tolist()
        opposite, wedged = self.opposite.tolist(), self.wedged.tolist()
        in_landscape = self.wedged_in_landscape.tolist()
        self.headline = (  # laid out as reporters.MODEL_COLUMNS
            self.date,
            sum(row[3] for row in rows) / R,
            sum(row[4] for row in rows) / R,
            self.landscape_energy,
            self.incumbents_together,
            ",".join(k for k, o in zip(self.republic_ids, opposite) if o),
            sum(wedged),
            any(wedged),
            any(in_landscape),
        )
        for j, agent in enumerate(self.republic_agents):
            agent.row = rows[j]
            agent.flags = (blocs[P + j], opposite[j], wedged[j])
            agent.forum_levels = self._forum_levels[j]
        yearly = _sum(self.budget, axis=1).tolist()
        mean_alignment = (_sum(self.alignment, axis=0) / R).tolist()
        gdp_p = self.gdp_p.tolist()
        for i, agent in enumerate(self.power_agents):
            agent.row = (gdp_p[i], yearly[i] * agent.budget_multiplier, agent.offered,
                         agent.disbursed, mean_alignment[i])
            agent.flags = (blocs[i],)

    # ------------------------------------------------------------------ forums
    def forum_name(self, f: int) -> str:
        return self.forum_specs[f].name or self.forum_ids[f]

    def set_membership(self, f: int, col: int, level: int, reason: str = "", quiet: bool = False) -> None:
        old = int(self.membership[f, col])
        if old == level:
            return
        self.membership[f, col] = level
        self._refresh_forum_views(republic_changed=(f, col) if col >= self.n_powers else None)
        if quiet:
            return
        actor = (self.power_ids + self.republic_ids)[col]
        self.log.append((self.steps, self.date, f"{actor}: {self.forum_name(f)} {LEVEL_NAMES[old]} -> {LEVEL_NAMES[level]}"
                         + (f" ({reason})" if reason else "")))

    def _launch_forum(self, f: int) -> None:
        self.forum_active[f] = True
        self._meeting_cdf = _poisson_cdf(self.forum_rate * self.forum_active / 4.0)
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
            # (1 + boost)^ramp_years = 1 + trade_boost: finite for every value the schema admits
            # (trade_boost <= 100, ramp_years >= 0.25: at most 101^4 - 1); a tiny ramp used to overflow
            boost = (1.0 + ev.trade_boost) ** (1.0 / ev.ramp_years) - 1.0
            self._trade_factors = None
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
            elif ev.target == "energy_price":
                # energy exports are part of the trade: the same US$ change in both
                self.trade[p, r] += self.energy[p, r] * (ev.factor - 1.0)
                self.energy[p, r] *= ev.factor
                if ev.power is None:
                    self.row_trade[r] += self.row_energy[r] * (ev.factor - 1.0)
                    self.row_energy[r] *= ev.factor
            elif ev.target == "security":
                self.security_static[p, r] *= ev.factor
                self._refresh_security()

    # ------------------------------------------------------------------ graph
    @property
    def graph(self) -> nx.DiGraph:
        """The influence graph as of the last completed step: the public view of the state.

        Built on first use and refreshed whenever it is read after a step, so a run that
        never looks at it pays nothing for it. Call :meth:`refresh_graph` after editing the
        state arrays by hand."""
        self.measure()
        if self._graph is None:
            self._graph = self._build_graph()
        elif self._graph.graph["step"] != self.steps:
            self._update_graph(self._graph)
        return self._graph

    def refresh_graph(self) -> nx.DiGraph:
        self._measured_step = -1
        self.measure()
        if self._graph is None:
            self._graph = self._build_graph()
        else:
            self._update_graph(self._graph)
        return self._graph

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

    def _update_graph(self, g: nx.DiGraph) -> None:
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
        prop = self._propensity
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


class _ScheduledEvents:
    """The scenario events of one quarter; each is logged as it fires."""

    def __init__(self, model: GreatGameModel):
        self.model = model
        self.items: list[tuple] = []  # (action, text)

    def fire(self) -> None:
        m = self.model
        for action, text in self.items:
            action()
            m.log.append((m.steps, m.date, text))


class _ForumDraws:
    """Uniform draws per forum and quarter, each forum from its own generator.

    A forum's generator is spawned from the meetings stream's SeedSequence with a key made
    from the forum's id, so the same forum draws the same numbers in any scenario that has
    it, whatever the other forums. Draws are made a run's length at a time."""

    def __init__(self, stream: np.random.Generator, forum_ids: list[str], chunk: int):
        seq = stream.bit_generator.seed_seq
        if isinstance(seq, np.random.SeedSequence):
            self.generators = [np.random.default_rng(np.random.SeedSequence(
                seq.entropy, spawn_key=tuple(seq.spawn_key) + (zlib.crc32(f.encode()),))) for f in forum_ids]
        else:  # no SeedSequence to key from: spawn in order
            self.generators = list(stream.spawn(len(forum_ids)))
        self.chunk = chunk
        self.block = np.zeros((len(forum_ids), 0))
        self.k = 0
        self._cdf: np.ndarray | None = None

    def next(self, cdf: np.ndarray) -> np.ndarray | None:
        """This quarter's meeting counts per forum (as floats) under the Poisson CDFs ``cdf`` (F, K), or
        None when no forum meets. Counts are worked out a block at a time; a new ``cdf``
        (a forum launched) recomputes the rest of the block."""
        if self.k >= self.block.shape[1]:
            self.block = np.array([g.random(self.chunk) for g in self.generators]).reshape(len(self.generators), self.chunk)
            self.k = 0
            self._cdf = None
        if cdf is not self._cdf:
            self._cdf = cdf
            counts = np.add.reduce(self.block[:, self.k:, None] >= cdf[:, None, :], axis=2)
            # kept quarter by quarter (a row each) and as floats, as the model uses them
            self.counts = np.zeros(self.block.shape[::-1])
            self.counts[self.k:] = counts.T
            self.any = self.counts.any(axis=1).tolist()
        self.k += 1
        return self.counts[self.k - 1] if self.any[self.k - 1] else None


def _poisson_cdf(rates: np.ndarray) -> np.ndarray:
    """(F, K) Poisson distribution function P(N <= k) per rate, k = 0..K-1, with K large
    enough that the tail beyond is below 1e-15. count = #{k : u >= cdf[k]} for u ~ U(0, 1).

    Read-only, and shared by the models with the same rates: a table costs tens of
    microseconds, and the runs of a sweep that does not vary the forums share a few."""
    return _poisson_cdf_of(tuple(rates.tolist()))


@lru_cache(maxsize=256)
def _poisson_cdf_of(rates: tuple[float, ...]) -> np.ndarray:
    rates = np.array(rates, dtype=float)
    top = float(rates.max()) if rates.size else 0.0
    K = int(np.ceil(top + 12.0 * np.sqrt(top) + 20.0))
    pmf = np.empty((len(rates), K))
    pmf[:, 0] = np.exp(-rates)
    for k in range(1, K):
        pmf[:, k] = pmf[:, k - 1] * rates / k
    cdf = np.cumsum(pmf, axis=1)
    cdf.flags.writeable = False
    return cdf


def _spawn(rng: np.random.Generator, n: int) -> list[np.random.Generator]:
    """n independent generators derived from rng (through its SeedSequence when it has one)."""
    try:
        return list(rng.spawn(n))
    except (AttributeError, TypeError, ValueError):  # a bit generator built without a SeedSequence
        return [np.random.default_rng(int(s)) for s in rng.integers(0, 2**63, size=n)]


def _describe(ev, initiative: str | None) -> str:
    head = f"[{initiative}] " if initiative else ""
    kind = ev.kind
    if kind == "pledge":
        total = sum(ev.amounts.values())
        return f"{head}{ev.power} pledges US${total:.3g}bn of {ev.instrument} to {', '.join(ev.amounts)}"
    if kind == "summit":
        at = f" ({ev.forum})" if getattr(ev, "forum", None) else ""
        return f"{head}{ev.power} summit{at} with {', '.join(ev.republics)}"
    if kind == "membership":
        return f"{head}{ev.republic}: {ev.forum} -> {ev.level}"
    if kind == "infrastructure":
        return f"{head}{ev.name} opens ({', '.join(ev.republics)})"
    if kind == "budget":
        return f"{head}{ev.power} budget " + (f"x{ev.factor}" if ev.factor is not None else "reset")
    return f"{head}shock to {ev.target}" + (f" of {ev.power}" if ev.power else "") + (f" in {ev.republic}" if ev.republic else "")


def _setup_and_seed(setup, scenario, rng):
    """Resolve the constructor's ``setup``/``scenario`` pair and make integer-like seeds ints.

    Mesa's Model seeds Python's ``random`` too, which takes only built-in ints: a numpy
    integer (what EMA Workbench and numpy-made seed lists pass) would be refused there."""
    if scenario is not None:
        if isinstance(scenario, MesaScenario):
            if rng is None and scenario.rng is not None:
                rng = scenario.rng
        elif setup is not None:
            raise ValueError("give the scenario once: as setup or as scenario, not both")
        else:
            setup = scenario
    if rng is not None and not isinstance(rng, (bool, np.bool_)) and isinstance(rng, (int, np.integer)):
        rng = int(rng)
    return ("abe_2015" if setup is None else setup), rng


def _as_scenario(scenario, overrides, years) -> Scenario:
    if isinstance(scenario, Scenario):
        if overrides or years is not None:
            raise ValueError("overrides and years apply to a scenario name or path, not a Scenario object")
        return scenario
    if hasattr(scenario, "scenario") and isinstance(scenario.scenario, Scenario):
        if overrides or years is not None:
            raise ValueError("overrides and years apply to a scenario name or path, not a loaded scenario")
        return scenario.scenario
    from .scenario import load_spec

    return load_spec(scenario, overrides=overrides, years=years)  # cached by content: cheap after the first
