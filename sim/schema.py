"""The scenario format, as pydantic models.

Money is in US$ billions (stocks) or US$ billions a year (flows); shares are
fractions in [0, 1]; dates are ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``YYYY-Qn``.
Every model parameter has a default here whose ``description`` is its
one-line justification (these defaults are assumptions, listed by
``greatgame sources``). Cross-references (actors named in trade tables,
forums, events) are checked in :func:`Scenario._check_references`.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

CHANNELS: tuple[str, ...] = (
    "trade",
    "aid",
    "investment",
    "remittances",
    "energy",
    "political",
    "security",
    "soft_power",
)
ECONOMIC_CHANNELS = ("trade", "aid", "investment", "remittances", "energy")
INSTRUMENTS: tuple[str, ...] = ("grants", "loans", "investment")

MAX_FIGURE = 1e12
"""Largest magnitude of any number in a scenario (money is in US$ bn: a thousand times the
world's GDP); beyond it the model's sums and products could overflow to inf."""
MIN_POSITIVE = 1e-9
"""Smallest value of a figure that must be positive (a GDP, a half-saturation …): a model
dividing by a subnormal such as 1e-320 gets inf, then NaN."""
MAX_MEETINGS_PER_YEAR = 365.0
"""A forum meets at most daily: the meeting draws tabulate the Poisson distribution up to
a few standard deviations above the rate."""
MAX_TRADE_BOOST = 100.0
"""A route raises its trade at most a hundredfold (trade_boost 100 = +10,000%)."""
MAX_YEARS = 200.0
"""Longest horizon of a scenario (800 quarters)."""


def _number(v):
    """Numbers only: a boolean or a text is not read as a number (``yes``/``true`` as 1, a
    quoted ``"38"`` as 38), so it can never pass as a figure without its source."""
    if isinstance(v, (bool, np.bool_)):
        raise ValueError(f"expected a number, got {str(bool(v)).lower()}")
    if isinstance(v, (str, bytes)):
        raise ValueError(f"expected a number, got {v!r}")
    return v


def _flag(v):
    """true or false only: not yes/no/on/off (text in YAML 1.2), nor 0/1."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    raise ValueError(f"expected true or false, got {v!r}")


def _not_tiny(v: float) -> float:
    if v < MIN_POSITIVE:
        raise ValueError(f"must be at least {MIN_POSITIVE:g} (smaller positive figures overflow the "
                         f"model's divisions), got {v:g}")
    return v


Number = Annotated[float, BeforeValidator(_number), Field(ge=-MAX_FIGURE, le=MAX_FIGURE)]
NonNeg = Annotated[float, BeforeValidator(_number), Field(ge=0, le=MAX_FIGURE)]
Positive = Annotated[float, BeforeValidator(_number), Field(gt=0, le=MAX_FIGURE), AfterValidator(_not_tiny)]
Share = Annotated[float, BeforeValidator(_number), Field(ge=0, le=1)]
Growth = Annotated[float, BeforeValidator(_number), Field(gt=-1, le=1)]
Count = Annotated[int, BeforeValidator(_number), Field(ge=0, le=1_000_000)]
Flag = Annotated[bool, BeforeValidator(_flag)]

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-Q([1-4]))?$")


def parse_date(value) -> tuple[int, int]:
    """Return (year, quarter 1-4) from the date forms the format accepts."""
    if isinstance(value, _dt.date):
        return value.year, (value.month - 1) // 3 + 1
    if isinstance(value, bool):
        raise ValueError("expected a date like 2015-10 or 2015-Q4")
    if isinstance(value, int):
        if 1900 <= value <= 2200:
            return value, 1
        raise ValueError(f"expected a year between 1900 and 2200, got {value}")
    if isinstance(value, str):
        m = _DATE_RE.match(value.strip())
        if m:
            year = int(m.group(1))
            if m.group(4):
                return year, int(m.group(4))
            month = int(m.group(2) or 1)
            if not 1 <= month <= 12:
                raise ValueError(f"month must be 1-12, got {month}")
            if m.group(3):
                try:
                    _dt.date(year, month, int(m.group(3)))
                except ValueError:
                    raise ValueError(f"no such day: {value.strip()}") from None
            return year, (month - 1) // 3 + 1
    raise ValueError(f"expected a date like 2015-10, 2015-10-22 or 2015-Q4, got {value!r}")


class DateLike(str):
    """A date normalised to ``YYYY-Qn``."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source, handler):
        from pydantic_core import core_schema

        def convert(v):
            y, q = parse_date(v)
            return cls(f"{y}-Q{q}")

        return core_schema.no_info_plain_validator_function(convert)

    @property
    def year(self) -> int:
        return int(self[:4])

    @property
    def quarter(self) -> int:
        return int(self[-1])

    def quarters_since(self, other: "DateLike") -> int:
        return (self.year - other.year) * 4 + (self.quarter - other.quarter)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# --------------------------------------------------------------------------- actors


class Budget(Strict):
    """Yearly engagement budget by instrument, US$ bn a year."""

    grants: NonNeg = 0.0
    loans: NonNeg = 0.0
    investment: NonNeg = 0.0


class Strategy(Strict):
    """How a power spreads its budget over the republics and reacts to rivals."""

    allocation: Literal["equal", "gdp", "resources"] | dict[str, NonNeg] = Field(
        "equal",
        description="equal shares, by GDP, by resource endowment, or explicit weights per republic",
    )
    reactivity: NonNeg = Field(
        0.0,
        description="extra relative allocation weight per percentage point the power's rivals together gained in the republic over the past year: weight = base x (1 + reactivity x gain), normalised over the republics",
    )
    escalation: NonNeg = Field(
        0.0, description="budget increase, as a fraction of the budget, per percentage point of the rivals' gain over the past year averaged over the republics: multiplier = 1 + escalation x mean gain"
    )
    max_escalation: NonNeg = Field(1.0, description="cap on the budget increase: the multiplier is at most 1 + max_escalation")


class Power(Strict):
    name: str | None = None
    gdp: Positive = Field(description="US$ bn")
    gdp_growth: Growth = Field(0.0, description="annual real growth")
    military: Share = Field(description="relative military capability (0-1), drives threat perception")
    budget: Budget = Budget()
    strategy: Strategy = Strategy()
    conditionality: Share = Field(0.0, description="political strings attached to offers (0-1)")
    soft_power: Share | dict[str, Share] = Field(
        0.5, description="favourability in the republics: one figure for all, or per republic"
    )


class Resources(Strict):
    """Shares of world totals, in percent."""

    gas: NonNeg = 0.0
    oil: NonNeg = 0.0
    uranium: NonNeg = 0.0


class Others(Strict):
    """What a republic has with actors outside the model, per channel."""

    trade: NonNeg = Field(0.0, description="US$ bn a year of trade with the rest of the world")
    aid: NonNeg = Field(0.0, description="US$ bn stock of aid from other donors (multilateral banks, EU …)")
    investment: NonNeg = Field(0.0, description="US$ bn FDI stock from the rest of the world")
    remittances: NonNeg = Field(0.0, description="share of GDP received from elsewhere")
    energy: NonNeg = Field(0.0, description="US$ bn a year of energy exports to the rest of the world")
    political: NonNeg = Field(0.0, description="political tie stock with other actors")
    security: NonNeg = Field(0.0, description="security ties with other actors")


class Decision(Strict):
    """A republic's own hedging parameters, where the data support them (ODD+D, docs/model.md
    §4.2); a field left out takes the model-wide value in ``parameters``."""

    choice_sensitivity: Positive | None = Field(None, description="this republic's β (parameters.choice_sensitivity)")
    autonomy_cost: NonNeg | None = Field(None, description="this republic's κ (parameters.autonomy_cost)")
    dominance_threshold: Share | None = Field(None, description="this republic's d0 (parameters.dominance_threshold)")


class Republic(Strict):
    name: str | None = None
    gdp: Positive = Field(description="US$ bn")
    gdp_growth: Growth = 0.0
    population: Positive = Field(description="million")
    resources: Resources = Resources()
    borders: list[str] = Field(default_factory=list, description="powers it borders")
    neutrality: Literal["none", "military", "permanent"] = Field(
        "none",
        description="permanent: joins no binding forum and rises no higher than observer elsewhere; military: joins no security forum (neither forces it out of a forum it is in)",
    )
    remittances: dict[str, Share] = Field(default_factory=dict, description="share of GDP, by sending power")
    external_debt: NonNeg = Field(0.0, description="external public debt, share of GDP")
    alignment: dict[str, Share] = Field(description="initial alignment over the powers; sums to 1")
    others: Others = Others()
    decision: Decision = Decision()
    military: Share | None = Field(
        None, description="relative military capability on the powers' scale (US = 1); enters the landscape sizes only (0 when left out)")

    @field_validator("alignment")
    @classmethod
    def _sums_to_one(cls, v: dict[str, float]) -> dict[str, float]:
        total = sum(v.values())
        if abs(total - 1.0) > 0.01:
            raise ValueError(f"shares must sum to 1, got {total:.3f}")
        return {k: x / total for k, x in v.items()}


class Allocation(Strict):
    """A bilateral quantity of one power: a regional total split by weights, or per republic."""

    total: NonNeg | None = None
    split: dict[str, NonNeg] | None = None
    by_republic: dict[str, NonNeg] | None = None

    @model_validator(mode="after")
    def _one_form(self):
        if self.by_republic is not None:
            if self.total is not None or self.split is not None:
                raise ValueError("give either by_republic, or total with split, not both")
        elif self.total is None or self.split is None:
            raise ValueError("give by_republic, or total with split")
        elif self.split and sum(self.split.values()) <= 0:
            raise ValueError("split weights must not all be zero")
        return self

    def per_republic(self) -> dict[str, float]:
        if self.by_republic is not None:
            return dict(self.by_republic)
        s = sum(self.split.values())
        return {r: self.total * w / s for r, w in self.split.items()}

    def republics(self) -> list[str]:
        return list((self.by_republic or self.split or {}).keys())


class SecurityTie(Strict):
    bases: Count = Field(0, description="military bases or facilities")
    guarantee: Share = Field(0.0, description="strength of a security guarantee (0-1)")


class Forum(Strict):
    name: str | None = None
    convenor: str
    founded: DateLike
    members: list[str]
    observers: list[str] = Field(default_factory=list)
    kind: Literal["security", "economic", "political", "finance"]
    binding: Flag = Field(description="treaty obligations (a neutral state stays out)")
    meetings_per_year: Annotated[NonNeg, Field(le=MAX_MEETINGS_PER_YEAR)] = Field(
        1.0, description="mean meetings a year (Poisson); at most 365")
    weight: NonNeg = Field(1.0, description="political tie added per meeting between two full members")
    security_weight: NonNeg = Field(0.0, description="security tie between full members (alliances)")
    customs_union: Flag = False
    open: Flag = Field(True, description="whether republics may join or leave by themselves")


class Relation(Strict):
    a: str
    b: str
    propensity: Annotated[float, BeforeValidator(_number), Field(ge=-1, le=1)] = Field(
        description="landscape-theory propensity: + affinity, - rivalry"
    )


# --------------------------------------------------------------------------- events


class _Event(Strict):
    date: DateLike
    note: str | None = None


class PledgeEvent(_Event):
    kind: Literal["pledge"]
    power: str
    instrument: Literal["grants", "loans", "investment"]
    amounts: dict[str, NonNeg] = Field(description="US$ bn by republic")
    years: Positive = Field(1.0, description="disbursed evenly over this many years")
    realisation: Share = Field(1.0, description="share of the pledge that is actually disbursed")


class SummitEvent(_Event):
    kind: Literal["summit"]
    power: str
    republics: list[str]
    forum: str | None = Field(None, description="a label shown in the event log; it has no other effect")
    political: NonNeg = Field(1.0, description="political tie added with each participant")
    soft_power: Annotated[float, BeforeValidator(_number), Field(ge=-1, le=1)] = Field(0.0, description="change in favourability")


class MembershipEvent(_Event):
    kind: Literal["membership"]
    republic: str
    forum: str
    level: Literal["member", "observer", "none"]


class InfrastructureEvent(_Event):
    kind: Literal["infrastructure"]
    name: str
    republics: list[str]
    partners: list[str] = Field(description="powers (or rest_of_world) whose trade the route carries")
    trade_boost: Annotated[NonNeg, Field(le=MAX_TRADE_BOOST)] = Field(
        description="total proportional rise in that trade, reached over ramp_years (at most 100)")
    ramp_years: Annotated[Positive, Field(ge=0.25)] = Field(3.0, description="years to reach the rise: at least one quarter")


class BudgetEvent(_Event):
    kind: Literal["budget"]
    power: str
    factor: NonNeg | None = Field(None, description="multiply every instrument by this")
    set: Budget | None = Field(None, description="or set the yearly budget outright")

    @model_validator(mode="after")
    def _one(self):
        if (self.factor is None) == (self.set is None):
            raise ValueError("give exactly one of factor or set")
        return self


class ShockEvent(_Event):
    """A dated change by a factor. ``energy_price`` rescales the value of energy exports (to
    the power, or to everyone including the rest of the world when no power is given) and
    the trade that contains them by the same US$ amount; ``security`` rescales a power's
    standing security tie (guarantee and bases) with the republic."""

    kind: Literal["shock"]
    target: Literal["gdp", "trade", "remittances", "investment", "soft_power", "energy_price", "security"]
    power: str | None = None
    republic: str | None = None
    factor: NonNeg = Field(description="multiply the target (of that power, republic or pair) by this")


Event = Annotated[
    PledgeEvent | SummitEvent | MembershipEvent | InfrastructureEvent | BudgetEvent | ShockEvent,
    Field(discriminator="kind"),
]


class Initiative(Strict):
    """A named policy package: switch it off to build a counterfactual."""

    enabled: Flag = True
    description: str = ""
    power: str | None = None
    events: list[Event] = Field(default_factory=list)
    forums: dict[str, Forum] = Field(default_factory=dict)


# --------------------------------------------------------------------------- parameters


def _w(default: float, why: str, **kw):
    return Field(default, description=why, **kw)


class ChannelWeights(Strict):
    trade: NonNeg = _w(0.20, "economic relationships: 1/3 of influence in the Lowy API (15 of 45 points), raised to 0.45 in all because the sources single out China's trade (000, 004); trade takes the largest part")
    aid: NonNeg = _w(0.06, "part of the economic 0.45; aid is small next to trade")
    investment: NonNeg = _w(0.08, "part of the economic 0.45")
    remittances: NonNeg = _w(0.06, "part of the economic 0.45; migration is Russia's lever on Tajikistan and Kyrgyzstan")
    energy: NonNeg = _w(0.05, "part of the economic 0.45; pipelines lock in buyers")
    political: NonNeg = _w(0.20, "diplomatic influence: 10 of 45 influence points in the Lowy API, scaled to the remaining 0.55")
    security: NonNeg = _w(0.20, "defence networks: 10 of 45 influence points in the Lowy API, scaled to the remaining 0.55")
    soft_power: NonNeg = _w(0.15, "cultural influence: 10 of 45 influence points in the Lowy API, scaled down: favourability polls overstate it (Japan 89% friendly, 25% important partner)")


class HalfSaturation(Strict):
    """Bandwidth = B / (B + h): the size of a relationship at which bandwidth is one half."""

    trade: Positive = _w(0.10, "trade worth 10% of the republic's GDP is a half-saturated relationship")
    aid: Positive = _w(0.03, "an aid stock of 3% of GDP is a major donor relationship")
    investment: Positive = _w(0.10, "an FDI stock of 10% of GDP is a major investor")
    remittances: Positive = _w(0.05, "remittances of 5% of GDP are a major dependence")
    energy: Positive = _w(0.05, "energy exports of 5% of GDP to one buyer are a major dependence")
    political: Positive = _w(2.0, "two full-member meetings' worth of standing ties")
    security: Positive = _w(0.5, "a half-strength guarantee")
    soft_power: Positive = _w(0.5, "favourability of 50%")


class Parameters(Strict):
    weights: ChannelWeights = ChannelWeights()
    half_saturation: HalfSaturation = HalfSaturation()
    dependence_weight: Share = _w(0.5, "FBIC gives bandwidth and dependence equal standing in a channel's score")
    choice_sensitivity: Positive = _w(4.0, "logit sensitivity of the alignment target to utility differences; a prior with a range, calibrated against 2015-2019 in docs/calibration.md; 4 is the point of an earlier least-squares fit of the 2015 target to the 2016 poll, no longer taken as a fit (docs/model.md section 5)")
    adjustment_rate: Share = _w(0.05, "share of the gap to the target closed per quarter: alignment is inertial (half-life about 3.4 years)")
    alignment_noise: NonNeg = _w(0.05, "standard deviation of quarterly utility shocks (events the model does not represent)")
    threat_weight: NonNeg = _w(0.03, "utility cost of a bordering great power per unit of military capability (002: Japan, sharing no border, 'does not represent any immediate threat'); a judgement with a range, a prior of the calibration (docs/calibration.md)")
    autonomy_cost: NonNeg = _w(1.0, "utility cost per unit of a power's share of total influence above the dominance threshold (001: the republics 'aspire to diversify')")
    dominance_threshold: Share = _w(0.4, "share of total influence above which a republic resents dependence")
    trade_noise: NonNeg = _w(0.03, "quarterly standard deviation of log trade shocks (commodity prices)")
    customs_union_premium: NonNeg = _w(0.02, "extra annual trade growth between a power and a republic that are both full members of an active customs union")
    investment_to_trade: NonNeg = _w(0.2, "US$ of annual trade created per US$ of new investment")
    aid_decay: Share = _w(0.10, "annual depreciation of the aid stock (projects age out of view)")
    investment_decay: Share = _w(0.05, "annual depreciation of the FDI stock")
    debt_amortisation: Share = _w(0.05, "annual repayment rate of concessional loans")
    political_decay: Share = _w(0.25, "annual decay of political ties without meetings")
    soft_power_reversion: Share = _w(0.10, "annual pull of favourability back toward its baseline")
    soft_power_visibility: NonNeg = _w(1.0, "favourability gained per unit of money received in a quarter as a share of GDP; grants count fully, loans and investment half")
    observer_level: Share = _w(0.5, "an observer counts for this fraction of a member in forum ties")
    acceptance_base: Number = _w(2.0, "logit of accepting an offer from a power aligned at parity, with no debt or conditions")
    acceptance_alignment: NonNeg = _w(1.0, "logit gained per unit of alignment above parity (share x number of powers - 1)")
    acceptance_debt: NonNeg = _w(6.0, "logit lost per unit of external debt/GDP above the threshold (loans only)")
    debt_threshold: Share = _w(0.4, "debt/GDP above which new loans are resisted (IMF-World Bank LIC-DSF-style threshold)")
    acceptance_conditionality: NonNeg = _w(2.0, "logit lost per unit of the offering power's conditionality")
    absorptive_capacity: Share = _w(0.10, "new foreign money a republic can absorb in a year, as a share of GDP; a quarter's room is a quarter of it; pledged disbursements are delivered in full and use the room first")
    bases_weight: NonNeg = _w(0.5, "security tie per military base")
    regional_tie: Share = _w(0.1, "landscape propensity between two republics with no shared forum; shared forums raise it toward 1")
    landscape_military_weight: Share = _w(0.5, "landscape sizes: weight of the military share against the GDP share (Axelrod and Bennett size actors by national capability, not GDP; economy and military weigh equally)")
    join_binding_above: NonNeg = _w(3.0, "joins (or upgrades in) a binding forum when its affinity with the forum's powers exceeds this (affinity: mean alignment per member power over mean per outside power; with four powers and one member power, 3.0 means that power holds over half the republic's alignment); no endogenous entry into a binding forum happened in 2015-24")
    leave_binding_below: NonNeg = _w(0.6, "downgrades in (or leaves) a binding forum when its affinity falls below this (one member power of four: under about a sixth of the alignment)")
    join_dialogue_above: NonNeg = _w(0.8, "joins (or upgrades in) a non-binding dialogue when its affinity exceeds this: dialogues cost little, a near-even stance suffices")
    leave_dialogue_below: NonNeg = _w(0.1, "leaves a non-binding dialogue when its affinity falls below this: only an open break ends a dialogue")
    wedge_incumbent_share: Share = _w(0.5, "wedge rule: a republic is wedged when the incumbents' combined alignment share falls below this (they lose the majority) and the challenger's share is at least each incumbent's")


class WedgeSpec(Strict):
    challenger: str = Field("japan", description="the power trying to drive the wedge")
    incumbents: list[str] = Field(default_factory=lambda: ["china", "russia"])


# --------------------------------------------------------------------------- scenario


class Scenario(Strict):
    name: str
    title: str = ""
    description: str = ""
    extends: str | None = None
    start: DateLike
    years: Annotated[float, BeforeValidator(_number), Field(ge=0.25, le=MAX_YEARS,
                                                            description="horizon: at least one quarter, at most 200 years")] = 15.0
    powers: dict[str, Power]
    republics: dict[str, Republic]
    trade: dict[str, Allocation] = Field(default_factory=dict, description="US$ bn a year, base year")
    investment: dict[str, Allocation] = Field(default_factory=dict, description="FDI stock, US$ bn")
    aid: dict[str, Allocation] = Field(default_factory=dict, description="outstanding aid stock, US$ bn")
    loans: dict[str, Allocation] = Field(default_factory=dict, description="outstanding concessional debt, US$ bn")
    energy: dict[str, Allocation] = Field(default_factory=dict, description="energy exports to the power, US$ bn a year")
    security: dict[str, dict[str, SecurityTie]] = Field(default_factory=dict)
    forums: dict[str, Forum] = Field(default_factory=dict)
    relations: list[Relation] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    initiatives: dict[str, Initiative] = Field(default_factory=dict)
    parameters: Parameters = Parameters()
    wedge: WedgeSpec = WedgeSpec()

    @model_validator(mode="after")
    def _check_references(self):
        from .errors import check_references

        check_references(self)
        return self

    # convenient views ------------------------------------------------------
    def active_forums(self) -> dict[str, Forum]:
        forums = dict(self.forums)
        for ini in self.initiatives.values():
            if ini.enabled:
                forums.update(ini.forums)
        return forums

    def active_events(self) -> list[tuple[str | None, object]]:
        """(initiative name or None, event) for every event that will happen."""
        out: list[tuple[str | None, object]] = [(None, e) for e in self.events]
        for name, ini in self.initiatives.items():
            if ini.enabled:
                out.extend((name, e) for e in ini.events)
        return out

    @property
    def steps(self) -> int:
        return int(round(self.years * 4))
