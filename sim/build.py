"""Scenario → state: the arrays a model steps on, built once from a validated scenario.

ODD §5 (Initialisation) of docs/model.md, and §6.1 (Input data: base-year figures) for what each table
holds. One function per block, called in this order by ``GreatGameModel.__init__``
(each block may read what the ones before it built):

1. :func:`index_actors`      ids and indices of powers (P) and republics (R)
2. :func:`build_powers`      GDP, growth, military, conditionality, yearly budget (P,) / (P, 3)
3. :func:`build_republics`   GDP, growth, population, resources, debt, borders, remittance
                             shares, initial alignment (normalised by the schema), outsiders
4. :func:`build_bilateral`   trade, investment, aid, loans (debt), energy (P, R);
                             favourability and its baseline; static security; relations (P, P)
5. :func:`build_forums`      membership (F, P + R), activity, forum constants; political ties
                             at the steady state of the standing forums' meeting rhythm:
                                 keep = (1 − political_decay)^(1/4)
                                 political[p,r] = Σ_f (meetings_per_year_f · weight_f · ℓ_f(p) · ℓ_f(r) / 4) / (1 − keep)
                             (the same for republic pairs, diagonal 0)
6. :func:`build_bookkeeping` this quarter's flows, constant quarterly factors of annual rates,
                             ramps, pledges, the one-year alignment log, offers and draws
7. :func:`build_agents`      PowerAgent and RepublicAgent (Mesa), the strategies as arrays
8. :func:`build_schedule`    forum launches and the scenario's dated events (sim/events.py)
9. :func:`build_channels`    channel buffers, weights and half-saturations, the wedge's
                             challenger and incumbents, landscape buffers and the actors'
                             military capabilities (landscape sizes), the threat term
                                 threat(p,r) = threat_weight · borders[p,r] · military_p
10. :func:`bind_step_constants` the parameters the step reads, as 0-d arrays / spread arrays

Nothing here draws a random number: the streams are spawned (:func:`spawn`) before the
blocks run, and the forum meeting generators are keyed, not drawn from.
"""

from __future__ import annotations

from collections import deque
from functools import partial
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from .agents import MEMBER, NONE, OBSERVER, PowerAgent, RepublicAgent
from .events import describe
from .forums import ForumDraws, poisson_cdf
from .offers import allocation_bases
from .schema import CHANNELS, INSTRUMENTS, Scenario

if TYPE_CHECKING:  # pragma: no cover
    from .model import GreatGameModel

STREAMS = ("offers", "trade", "meetings", "hedging")


def spawn(rng: np.random.Generator, n: int) -> list[np.random.Generator]:
    """n independent generators derived from rng (through its SeedSequence when it has one)."""
    try:
        return list(rng.spawn(n))
    except (AttributeError, TypeError, ValueError):  # a bit generator built without a SeedSequence
        return [np.random.default_rng(int(s)) for s in rng.integers(0, 2**63, size=n)]


def index_actors(m: "GreatGameModel", sc: Scenario) -> None:
    m.power_ids = list(sc.powers)
    m.republic_ids = list(sc.republics)
    m.n_powers, m.n_republics = len(m.power_ids), len(m.republic_ids)
    m._pi = {k: i for i, k in enumerate(m.power_ids)}
    m._ri = {k: i for i, k in enumerate(m.republic_ids)}


def build_powers(m: "GreatGameModel", sc: Scenario) -> None:
    pw = [sc.powers[k] for k in m.power_ids]
    m.gdp_p = np.array([p.gdp for p in pw], float)
    m.growth_p = np.array([p.gdp_growth for p in pw], float)
    m.military = np.array([p.military for p in pw], float)
    m.conditionality = np.array([p.conditionality for p in pw], float)
    m.budget = np.array([[p.budget.grants, p.budget.loans, p.budget.investment] for p in pw], float)


def build_republics(m: "GreatGameModel", sc: Scenario) -> None:
    pi = m._pi
    P, R = m.n_powers, m.n_republics
    rp = [sc.republics[k] for k in m.republic_ids]
    m.gdp_r = np.array([r.gdp for r in rp], float)
    m.growth_r = np.array([r.gdp_growth for r in rp], float)
    m.population = np.array([r.population for r in rp], float)
    m.resources = np.array([[r.resources.gas, r.resources.oil, r.resources.uranium] for r in rp], float)
    m.external_debt = np.array([r.external_debt for r in rp], float)
    m.borders = np.zeros((P, R))
    m.remit_share = np.zeros((P, R))
    m.alignment = np.zeros((R, P))
    for j, r in enumerate(rp):
        for p in r.borders:
            m.borders[pi[p], j] = 1.0
        for p, s in r.remittances.items():
            m.remit_share[pi[p], j] = s
        for p, s in r.alignment.items():
            m.alignment[j, pi[p]] = s
    others = {c: np.array([getattr(r.others, c) for r in rp], float)
              for c in ("trade", "aid", "investment", "remittances", "energy", "political", "security")}
    m.row_trade = others["trade"]
    m.other_aid = others["aid"]
    m.other_investment = others["investment"]
    m.other_remit_share = others["remittances"]
    m.row_energy = others["energy"]
    m.other_political = others["political"]
    m.other_security = others["security"]


def build_bilateral(m: "GreatGameModel", sc: Scenario) -> None:
    pi, ri = m._pi, m._ri
    P, R = m.n_powers, m.n_republics
    prm = sc.parameters

    def table(name):
        out = np.zeros((P, R))
        for p, alloc in getattr(sc, name).items():
            for r, v in alloc.per_republic().items():
                out[pi[p], ri[r]] = v
        return out

    m.trade = table("trade")
    m.investment = table("investment")
    m.aid = table("aid")
    m.debt = table("loans")
    m.energy = table("energy")
    m.favour = np.zeros((P, R))
    for i, p in enumerate(sc.powers[k] for k in m.power_ids):
        if isinstance(p.soft_power, dict):
            fill = float(np.mean(list(p.soft_power.values()))) if p.soft_power else 0.5
            m.favour[i] = [p.soft_power.get(r, fill) for r in m.republic_ids]
        else:
            m.favour[i] = p.soft_power
    m.favour_base = m.favour.copy()
    m.security_static = np.zeros((P, R))
    for p, ties in sc.security.items():
        for r, tie in ties.items():
            m.security_static[pi[p], ri[r]] = tie.guarantee + prm.bases_weight * tie.bases
    m.relations = np.zeros((P, P))
    for rel in sc.relations:
        m.relations[pi[rel.a], pi[rel.b]] = m.relations[pi[rel.b], pi[rel.a]] = rel.propensity


def build_forums(m: "GreatGameModel", sc: Scenario) -> None:
    prm = sc.parameters
    P = m.n_powers
    forums = sc.active_forums()
    m.forum_ids = list(forums)
    m.forum_specs = [forums[f] for f in m.forum_ids]
    m._fi = {f: i for i, f in enumerate(m.forum_ids)}
    actor_index = {**m._pi, **{r: P + j for r, j in m._ri.items()}}
    m._actor_index = actor_index
    F = len(m.forum_ids)
    m.membership = np.zeros((F, P + m.n_republics), dtype=np.int8)
    m.forum_active = np.zeros(F, dtype=bool)
    m.forum_convenor = np.array([actor_index[f.convenor] for f in m.forum_specs], dtype=int)
    for f, spec in enumerate(m.forum_specs):
        for a in spec.members:
            m.membership[f, actor_index[a]] = MEMBER
        for a in spec.observers:
            m.membership[f, actor_index[a]] = OBSERVER
        m.forum_active[f] = spec.founded.quarters_since(m.start) <= 0
    m.forum_weight = np.array([f.weight for f in m.forum_specs], float)
    m.forum_rate = np.array([f.meetings_per_year for f in m.forum_specs], float)
    m.forum_security = np.array([f.security_weight for f in m.forum_specs], float)
    m.customs_union = np.array([f.customs_union for f in m.forum_specs], bool)
    m._level_weight = np.zeros(3)  # forum tie weight of each membership level
    m._level_weight[[NONE, OBSERVER, MEMBER]] = [0.0, prm.observer_level, 1.0]
    m._refresh_forum_views()
    # Political ties start at the steady state of the standing forums' meeting rhythm:
    # x = keep * x + quarterly meetings  =>  x = (yearly / 4) / (1 - keep).
    m._political_keep = (1.0 - prm.political_decay) ** 0.25
    steady = 0.25 / max(1.0 - m._political_keep, 1e-12)
    w = m.forum_weight * m.forum_rate
    m.political = steady * ((w[:, None] * m._lvl_p).T @ m._lvl_r)
    m.rr_political = steady * ((w[:, None] * m._lvl_r).T @ m._lvl_r)
    np.fill_diagonal(m.rr_political, 0.0)

    m._meeting_cdf = poisson_cdf(m.forum_rate * m.forum_active / 4.0)
    # (draws in blocks of at most 1024 quarters: the same numbers as one block of the horizon)
    m._meeting_draws = ForumDraws(m.streams["meetings"], m.forum_ids, min(max(m.horizon, 1), 1024))


def build_bookkeeping(m: "GreatGameModel") -> None:
    prm = m.params
    P, R = m.n_powers, m.n_republics
    m.flows = np.zeros((3, P, R))  # accepted this quarter, by instrument
    m._trade_growth = 0.5 * (m.growth_p[:, None] + m.growth_r[None, :])
    m._trade_factors = None  # (bilateral, rest of world): recomputed when routes or unions change
    m._quarterly = {  # constant quarterly factors of annual rates
        "gdp_p": (1.0 + m.growth_p) ** 0.25,
        "gdp_r": (1.0 + m.growth_r) ** 0.25,
        "aid": (1.0 - prm.aid_decay) ** 0.25,
        "debt": (1.0 - prm.debt_amortisation) ** 0.25,
        "investment": (1.0 - prm.investment_decay) ** 0.25,
        "soft_power_pull": 1.0 - (1.0 - prm.soft_power_reversion) ** 0.25,
    }
    m.capacity_left = np.zeros(R)
    m.trade_boost = np.zeros((P, R))  # extra annual growth from infrastructure
    m.row_boost = np.zeros(R)
    m._ramps = []  # [partner rows, republic cols, annual boost, quarters left]
    m._disbursements = []  # [instrument, p, r, per quarter, quarters left]
    m._alignment_log = deque([m.alignment.copy()], maxlen=5)
    m.rival_gain = np.zeros((R, P))  # percentage points gained by each power's rivals over a year
    m.accepts = np.zeros((P, R, len(INSTRUMENTS)), dtype=bool)  # this quarter's acceptance draws
    m.offers = np.zeros((P, R, len(INSTRUMENTS)))  # this quarter's offers, US$ bn
    m.offer_order = []  # powers in the order they made them
    m._review_affinities = None
    m._rival_mask = (m.relations < 0).astype(float)  # [p, q] = 1 when q is p's rival
    m._scheduled = {}  # keeps the callbacks alive (Mesa holds weak refs)


def build_agents(m: "GreatGameModel", sc: Scenario) -> None:
    """The Mesa agents (powers first, then republics) and the powers' strategies as arrays,
    in the forms :func:`sim.offers.powers_plan_offers` uses them in."""
    P, R = m.n_powers, m.n_republics
    m.power_agents = [PowerAgent(m, k, i) for i, k in enumerate(m.power_ids)]
    m.republic_agents = [RepublicAgent(m, k, j) for j, k in enumerate(m.republic_ids)]
    m.powers = m.agents_by_type[PowerAgent]
    fixed, by_gdp = allocation_bases(m)
    strategies = [sc.powers[k].strategy for k in m.power_ids]
    s = m.strategy_arrays = {
        "fixed": fixed, "by_gdp": by_gdp,
        "reactivity": np.array([st.reactivity for st in strategies], float),
        "escalation": np.array([st.escalation for st in strategies], float),
        "cap": np.array([1.0 + st.max_escalation for st in strategies], float),
        "ones": np.ones(P),
    }
    s["by_gdp_grid"], s["reactivity_grid"] = np.empty((P, R)), np.empty((P, R))
    s["by_gdp_grid"][...], s["reactivity_grid"][...] = by_gdp[:, None], s["reactivity"][:, None]
    s["quarter"], s["ones_list"] = np.array(0.25), s["ones"].tolist()
    s["reactive"] = bool(s["reactivity"].any())
    s["escalating"] = bool(s["escalation"].any())
    m.allocation = np.zeros((P, R))  # this quarter's budget shares per republic
    m.offered = [0.0] * P  # US$ bn offered this quarter, per power
    m.budget_multiplier = [1.0] * P
    m.republics = m.agents_by_type[RepublicAgent]


def build_schedule(m: "GreatGameModel", sc: Scenario) -> None:
    """Forums founded after the start, then the scenario's and the enabled initiatives' events
    (the order the events of one quarter fire in; see sim/events.py)."""
    for f, spec in enumerate(m.forum_specs):
        k = spec.founded.quarters_since(m.start)
        if k > 0:
            m._schedule(k, partial(m._launch_forum, f), f"{m.forum_name(f)} launched")
    for initiative, ev in sc.active_events():
        m._schedule(ev.date.quarters_since(m.start), partial(m._apply_event, ev), describe(ev, initiative))


def build_channels(m: "GreatGameModel", sc: Scenario) -> None:
    """Buffers and constants of the influence channels, the wedge and the landscape, and the
    threat term (bordering great powers weigh on a republic's utility, constant over a run)."""
    prm = sc.parameters
    P, R = m.n_powers, m.n_republics
    w = prm.weights
    m._bandwidth = np.zeros((len(CHANNELS), P, R))
    m._grid = np.zeros((P, R))  # scratch: a republic figure spread over the powers
    m._others = np.zeros((len(CHANNELS), R))
    m._others[3], m._others[5], m._others[6] = m.other_remit_share, m.other_political, m.other_security
    m.channel_weights = np.array([getattr(w, c) for c in CHANNELS], float)
    m.half_saturation = np.array([getattr(prm.half_saturation, c) for c in CHANNELS], float)
    m.challenger = m._pi[sc.wedge.challenger]
    m.incumbents = [m._pi[p] for p in sc.wedge.incumbents]
    m._propensity_buffer = np.zeros((P + R, P + R))
    m._landscape_stream = None  # spawned when first needed (> 16 actors)
    m.landscape_method = "exact"  # how the global minimum was found: "exact" or "heuristic" (sim.landscape)
    m._propensity_buffer[:P, :P] = m.relations
    # Landscape sizes by capability: the powers' military and the republics' (0 where a
    # scenario gives none); propensities toward the powers scaled by each republic's β.
    m.military_r = np.array([sc.republics[k].military or 0.0 for k in m.republic_ids], float)
    m._landscape_military = np.concatenate([m.military, m.military_r])
    mil_total = float(m._landscape_military.sum())
    mu = prm.landscape_military_weight if mil_total > 0 else 0.0  # GDP alone when no actor has a military figure
    tie = prm.regional_tie
    half_beta = 0.5 * _per_republic(m, "choice_sensitivity")  # () model-wide, or (R,) when some republic has its own
    centre = np.eye(P) - 1.0 / P  # U − Ū(r) = centre @ U
    m._landscape_const = SimpleNamespace(
        economy=np.array(1.0 - mu), military_part=mu * m._landscape_military / max(mil_total, 1e-300),
        centre=centre * half_beta if half_beta.ndim == 0 else centre,
        half_beta_r=None if half_beta.ndim == 0 else half_beta,
        h_political=np.array(prm.half_saturation.political), one=np.array(1.0),
        slope_h=np.array((1.0 - tie) * prm.half_saturation.political),
        republic_diagonal=np.arange(P, P + R) * (P + R + 1),  # flat indices of the republics' diagonal
        tol=1e-12,  # of Σ|W| at most 1: the sizes sum to 1 and every |propensity| is at most 1
    )
    m.blocs = None  # the landscape split: the global minimum at step 0, then the path (sim/measures.py)
    m.landscape_flips = 0
    m.threat = prm.threat_weight * m.borders * m.military[:, None]


def _per_republic(m, name: str, column: bool = False) -> np.ndarray:
    """A hedging parameter as the step uses it: the model-wide value as a 0-d array, or, when
    some republic has its own (``republics.R.decision``), one value per republic, shaped (R,)
    to broadcast over (P, R) utilities, or (R, 1) (``column``) over (R, P) targets."""
    model_wide = float(getattr(m.params, name))
    own = [getattr(m.spec.republics[r].decision, name) for r in m.republic_ids]
    if all(v is None for v in own):
        out = np.array(model_wide)
    else:
        out = np.array([model_wide if v is None else float(v) for v in own])
        if column:
            out = out[:, None]
    out.flags.writeable = False
    return out


def bind_step_constants(m: "GreatGameModel") -> None:
    """Bind once what every quarter reads but a run never changes.

    A step is a hundred-odd numpy operations on arrays of a few dozen numbers, so the
    cost is in the calls, not the arithmetic: dict and attribute lookups, a Python float
    operand (converted to an array on every call) and operands of different shapes
    (broadcasting costs about three times an operation between equal shapes). So the
    random streams are bound as attributes, the parameters the step uses as operands are
    held as 0-d arrays (see ``sim.offers._ZERO``), and constant arrays are spread to the shapes they
    are used with. The results are the same numbers. The parameters are read here, once:
    vary them through the scenario, not on a running model."""
    prm = m.params
    P, R = m.n_powers, m.n_republics
    c = partial(np.array, dtype=float)  # a 0-d array

    def spread(values, shape):
        out = np.empty(shape)
        out[...] = values
        return out

    m._offer_stream = m.streams["offers"]
    m._trade_stream = m.streams["trade"]
    m._hedging_stream = m.streams["hedging"]
    q = m._quarterly
    # acceptance_probabilities works with the negated logit: -logit = slope * share - offset(p)
    offset = (prm.acceptance_base - prm.acceptance_alignment) - prm.acceptance_conditionality * m.conditionality
    m._const = SimpleNamespace(
        # absorptive_capacity * gdp / 4: a quarter is an exact power-of-two scaling, so
        # gdp * (absorptive_capacity / 4) gives the same numbers.
        capacity=c(prm.absorptive_capacity / 4.0),
        trade_sigma=c(prm.trade_noise), trade_drift=c(0.5 * prm.trade_noise**2),
        investment_to_trade=c(prm.investment_to_trade),
        aid=c(q["aid"]), debt=c(q["debt"]), investment=c(q["investment"]),
        political_keep=c(m._political_keep),
        visibility=c(prm.soft_power_visibility), pull=c(q["soft_power_pull"]),
        noise=c(prm.alignment_noise), beta=_per_republic(m, "choice_sensitivity", column=True),
        adjust=c(prm.adjustment_rate), inertia=c(1.0 - prm.adjustment_rate),
        half_saturation=spread(m.half_saturation[:, None, None], m._bandwidth.shape),  # (C, P, R)
        autonomy_cost=_per_republic(m, "autonomy_cost"), dominance=_per_republic(m, "dominance_threshold"),
        neg_slope=c(-(prm.acceptance_alignment * P)),
        neg_offset=spread(-offset[:, None, None], (P, R, len(INSTRUMENTS))),
        debt_threshold=c(prm.debt_threshold), acceptance_debt=c(prm.acceptance_debt),
        debt_penalty=np.zeros((P, R, len(INSTRUMENTS))),  # scratch: written in the loans column only
    )
    m._rival_mask_t = m._rival_mask.T
    m._republic_diagonal = np.arange(0, R * R, R + 1)  # flat indices of an (R, R) diagonal
