"""GreatGameModel: great-power competition in Central Asia, one step a quarter.

Per-step state lives in numpy arrays indexed by power (P) and republic (R);
``model.graph`` (a networkx DiGraph) is the public view of influence and is
refreshed at the end of every step.

This module holds the model's shape: construction in order, the step in order, and the
public API. Each mechanism lives in a module of its own, whose docstring gives its
equations and the section of docs/model.md (ODD) it implements:

    scenario → state arrays                     sim/build.py        §5, §6.1
    pledges, offers, acceptance, taking offers  sim/offers.py       §7.1
    GDP, trade, ramps, aid/debt/investment      sim/economy.py      §7.2
    meetings, security ties, forum review       sim/forums.py       §7.4, §7.6, §7.9
    soft power (favourability)                  sim/soft_power.py   §7.5
    channels → influence                        sim/influence.py    §7.7
    utility, targets, alignment (hedging)       sim/hedging.py      §7.8
    dated events and their schedule             sim/events.py       §3, §7.3
    blocs, wedge measures, reporters, graph     sim/measures.py     §7.10 (split: sim/landscape.py)

The model's private methods (``_update_economy``, ``_compute_influence`` …) are those
modules' functions, bound as methods: ``model._update_economy()`` runs
``economy.update_economy(model)``, with no wrapper in between.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from mesa import DataCollector, Model
from mesa.experimental.scenarios import Scenario as MesaScenario

from . import build, economy, events, forums, hedging, influence, measures, offers, reporters, soft_power
from .agents import PowerAgent, RepublicAgent
from .offers import republics_take_offers
from .schema import CHANNELS, DateLike, Scenario

# Kept importable from here, where they used to live.
from .build import STREAMS, spawn as _spawn  # noqa: F401
from .events import ScheduledEvents as _ScheduledEvents, describe as _describe  # noqa: F401
from .forums import ForumDraws as _ForumDraws, poisson_cdf as _poisson_cdf  # noqa: F401
from .offers import GRANTS, INVESTMENT, LOANS  # noqa: F401

# _fill_bandwidth writes the channels in this order.
assert CHANNELS == ("trade", "aid", "investment", "remittances", "energy", "political", "security", "soft_power")


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
        self.streams = dict(zip(STREAMS, build.spawn(self.rng, len(STREAMS))))
        sc = self.spec
        self.params = sc.parameters
        self.start: DateLike = sc.start
        self.horizon = sc.steps
        self.log: list[tuple[int, str, str]] = []  # (step, date, what happened)

        # Scenario -> state, block by block (sim/build.py; each block reads the ones before it).
        build.index_actors(self, sc)
        build.build_powers(self, sc)
        build.build_republics(self, sc)
        build.build_bilateral(self, sc)
        build.build_forums(self, sc)
        build.build_bookkeeping(self)
        build.build_agents(self, sc)
        build.build_schedule(self, sc)
        build.build_channels(self, sc)
        self._refresh_security()
        self._bind_step_constants()
        # The state at step 0: influence, the target (the alignment itself), the measures.
        self._compute_influence()
        self.target = self.alignment.copy()
        self._graph = None  # built when first read (see ``graph``)
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
            self._review_forums()  # yearly: every republic reviews its forums; security ties follow
        self._alignment_log.append(self.alignment.copy())
        if self.steps >= self.horizon:
            self.running = False
        k = self.collect_every
        if k and (self.steps % k == 0 or not self.running):
            self.measure()
            self.datacollector.collect(self)
        else:  # the landscape split follows its path every quarter, recorded or not
            self._track_landscape()

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

    @property
    def wedge_achieved(self) -> bool:
        """At least one republic where the incumbents together hold less than
        ``wedge_incumbent_share`` of its alignment and the challenger is level with or
        ahead of each of them. The stricter landscape variant (the republic also sits in
        the challenger's bloc, opposite the incumbents) is ``wedge_in_landscape``."""
        self.measure()
        return bool(self.wedged.any())

    # ------------------------------------------------------------------ mechanisms
    # Each is a function of the model in its mechanism's module, bound here as a method.
    _bind_step_constants = build.bind_step_constants
    _schedule = events.schedule
    _apply_event = events.apply_event
    _disburse_pledges = offers.disburse_pledges
    _prepare_offers = offers.prepare_offers
    _update_economy = economy.update_economy
    _advance_ramps = economy.advance_ramps
    _hold_meetings = forums.hold_meetings
    _review_forums = forums.yearly_review
    _launch_forum = forums.launch_forum
    _refresh_forum_views = forums.refresh_forum_views
    _refresh_security = forums.refresh_security
    _all_forum_affinities = forums.all_forum_affinities
    forum_affinities = forums.forum_affinities
    forum_name = forums.forum_name
    set_membership = forums.set_membership
    _update_soft_power = soft_power.update_soft_power
    bandwidth_raw = influence.bandwidth_raw
    _fill_bandwidth = influence.fill_bandwidth
    _compute_influence = influence.compute_influence
    _draw_targets = hedging.draw_targets
    _update_alignment = hedging.update_alignment
    propensities = measures.propensities
    _fill_propensity = measures.fill_propensity
    _compute_blocs = measures.compute_blocs
    _track_landscape = measures.track_landscape
    _check_finite = measures.check_finite
    _publish = measures.publish
    _build_graph = measures.build_graph
    _update_graph = measures.update_graph
    _power_edges = measures.power_edges

    LOANS_ONLY = np.array([0.0, 1.0, 0.0])  # the debt penalty applies to loans only

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

    # ------------------------------------------------------------------ running
    def run(self) -> "GreatGameModel":
        """Run to the scenario's horizon."""
        remaining = self.horizon - self.steps
        if remaining > 0:
            self.run_for(remaining)
        return self


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
