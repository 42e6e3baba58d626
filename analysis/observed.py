"""Observed data (``data/observed.csv``): reading, validating, and matching rows to what the
model can produce.

One observation a row::

    year,measure,power,republic,basis,value,unit,source,quote

A malformed file is refused with one line naming the file, the row, the column and what
was expected (:class:`ObservedDataError`). A well-formed row the model cannot produce (an
exogenous driver, a power the scenario lacks, a year outside the run, another statistical
basis, another unit) is never dropped silently: :func:`match` returns it with the reason.

Bases: ``partner`` (the power's own statistics), ``republic`` (the republics'), ``intl``
(an international compilation, e.g. the IMF's Direction of Trade), empty (not stated). The
model's trade with a power is on the basis of the scenario's base-year figure for that
power (:data:`MODEL_BASIS`); a trade row on another stated basis is not comparable.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

COLUMNS = ("year", "measure", "power", "republic", "basis", "value", "unit", "source", "quote")
BASES = ("partner", "republic", "intl", "")
REGION = "central_asia"  # the five republics together (all the scenario's republics)
POWER_ALIASES = {"us": "united_states", "usa": "united_states"}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")

# The basis of the model's trade figures, per power, from the base-year figure's source in
# abe_2015 (None: the source states none, so rows of any basis are compared and flagged).
MODEL_BASIS: dict[str, str | None] = {
    # trade.china: cctv_2015 (US$38bn, 2014) with "partner shares of China's 2014 customs data"
    "china": "partner",
    # trade.russia: review_uz_2024 (US$24bn, 2017), "Central Asian-side data"
    "russia": "republic",
    # trade.japan: cctv_2015 (US$2bn), basis not stated
    "japan": None,
    # trade.united_states: an assumption scaled from the USTR's 2003 figure
    "united_states": None,
}
# The level measures the model produces, with the unit it produces them in: a row's unit must
# start with one of the spellings (what follows in brackets or after ';' is a description).
_BN = ("us$ bn", "usd bn", "us$bn", "usd bn a year", "us$ bn a year")
UNITS = {
    "trade": ("US$ bn", _BN),  # goods trade both ways with the power
    "trade_total": ("US$ bn", _BN),  # the republic's trade with all partners (outsiders included)
    "trade_share": ("percent", ("percent", "%")),  # the power's share of the republic's total trade
    "gdp": ("US$ bn", _BN),
    "remittances": ("US$ bn", _BN),  # inflows (from the power, or from all senders when power is empty)
    "remittances_gdp": ("percent of GDP", ("percent of gdp", "% of gdp")),
    "fdi_stock": ("US$ bn", _BN),  # the power's stock of direct investment
}
# Measures the model does not produce, with the reason (any other unknown measure gets a generic one).
NOT_PRODUCED = {
    "exports": "the model's trade has no direction (exports and imports are one flow)",
    "imports": "the model's trade has no direction (exports and imports are one flow)",
    "trade_eur": "the model's trade is in US$; a figure in euros is not converted",
    "forum_event": "forum events are logged in events.csv; they are not yet a calibration pattern",
    "oda": "Japan's ODA disbursements are not an output series of the model (aid offers are)",
}
# Measures the model takes as given (exogenous drivers): listed with this reason.
EXOGENOUS = {"oil_price", "gas_price", "metal_price", "metals_price", "gold_price", "commodity_price"}
POLL_PREFIX = "poll_"


class ObservedDataError(Exception):
    """A malformed observed-data file: file, row (file line), column, what was expected."""

    def __init__(self, file: str, message: str, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.file, self.row, self.column, self.message = file, row, column, message

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(self.column)
        return ": ".join(parts + [self.message])


@dataclass(frozen=True)
class Observation:
    line: int  # line in the file (the header is line 1)
    year: int
    measure: str
    power: str
    republic: str
    basis: str
    value: float
    unit: str
    source: str
    quote: str

    @property
    def series(self) -> tuple[str, str, str, str]:
        """(measure, power, republic, basis): the rows a naive baseline is fitted on."""
        return (self.measure, self.power, self.republic, self.basis)

    def key(self) -> tuple:
        return (self.year, self.measure, self.power, self.republic, self.basis, self.value, self.unit,
                self.source, self.quote)


def shipped_path() -> Path:
    """The observed data shipped with the package (``greatgame.data``)."""
    return Path(str(resources.files("greatgame.data").joinpath("observed.csv")))


def read_observed(path: str | Path) -> list[Observation]:
    """Read and validate an observed-data file; raise :class:`ObservedDataError` on the first problem."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ObservedDataError(file, "no such file") from None
    except IsADirectoryError:
        raise ObservedDataError(file, "is a folder, expected a CSV file") from None
    except UnicodeDecodeError as e:
        raise ObservedDataError(file, f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        raise ObservedDataError(file, f"empty file; expected the header {','.join(COLUMNS)}") from None
    header = [h.strip() for h in header]
    if tuple(header) != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        what = (f"missing column '{missing[0]}'" if missing else f"unexpected column '{extra[0]}'" if extra
                else "columns out of order")
        raise ObservedDataError(file, f"header: {what}; expected exactly {','.join(COLUMNS)}", row=1)
    out = []
    seen: dict[tuple, int] = {}
    for line, fields in enumerate(reader, start=2):
        if not fields or all(not f.strip() for f in fields):
            continue  # a blank line
        if len(fields) != len(COLUMNS):
            raise ObservedDataError(file, f"{len(fields)} fields, expected {len(COLUMNS)} ({','.join(COLUMNS)}); "
                                          f"quote a field that contains a comma", row=line)
        o = _parse_row(file, line, dict(zip(COLUMNS, (f.strip() for f in fields))))
        k = (o.year, o.measure, o.power, o.republic, o.basis)
        if k in seen:
            raise ObservedDataError(file, f"same year, measure, power, republic and basis as row {seen[k]}; keep one "
                                          f"row per observation (name the other source in its source field)",
                                    row=line)
        seen[k] = line
        out.append(o)
    if not out:
        raise ObservedDataError(file, "no observations (only a header)")
    return out


def _parse_row(file: str, line: int, r: dict[str, str]) -> Observation:
    def fail(column: str, message: str):
        raise ObservedDataError(file, message, row=line, column=column)

    if not re.fullmatch(r"\d{4}", r["year"]):
        fail("year", f"expected a four-digit year, got {r['year']!r}")
    year = int(r["year"])
    if not 1900 <= year <= 2100:
        fail("year", f"expected a year from 1900 to 2100, got {year}")
    if not _ID.match(r["measure"]):
        fail("measure", f"expected a name in lower case (e.g. trade, gdp, remittances_gdp), got {r['measure']!r}")
    for col in ("power", "republic"):
        if r[col] and not _ID.match(r[col]):
            fail(col, f"expected an id in lower case (e.g. china, kazakhstan, central_asia) or empty, got {r[col]!r}")
    if r["basis"] not in BASES:
        fail("basis", f"expected one of partner, republic, intl or empty, got {r['basis']!r}")
    try:
        value = float(r["value"])
    except ValueError:
        fail("value", f"expected a number, got {r['value']!r}")
    if not math.isfinite(value):
        fail("value", f"expected a finite number, got {r['value']!r}")
    if r["measure"] in UNITS and value < 0:
        fail("value", f"{r['measure']} cannot be negative, got {value:g}")
    if not r["unit"]:
        fail("unit", "expected a unit (e.g. US$ bn, percent of GDP)")
    if not r["source"]:
        fail("source", "every observation needs its source")
    if r["measure"] == "trade" and not (r["power"] and r["republic"]):
        fail("power" if not r["power"] else "republic",
             "a trade row needs both a power and a republic (or central_asia)")
    power = POWER_ALIASES.get(r["power"], r["power"])
    return Observation(line, year, r["measure"], power, r["republic"], r["basis"], value, r["unit"],
                       r["source"], r["quote"])


# ---------------------------------------------------------------- matching to a scenario


@dataclass
class Matched:
    """Observations the model can produce (``usable``), those it cannot (``unusable``, with
    the reason), and those after the cut-off (``held_out``, left aside for the hindcast)."""

    usable: list[Observation]
    unusable: list[tuple[Observation, str]]
    held_out: list[Observation]
    flagged: list[tuple[Observation, str]]  # usable, with a caveat (basis not stated)

    def digest(self) -> str:
        """sha256 of the usable rows: what a calibration used, whatever else the file holds."""
        h = hashlib.sha256()
        for o in sorted(self.usable, key=Observation.key):
            h.update(repr(o.key()).encode())
        return h.hexdigest()


def model_span(scenario) -> tuple[int, int]:
    """(first, last) calendar years a run of ``scenario`` covers."""
    start = scenario.start
    q0 = start.year * 4 + start.quarter - 1
    return start.year, (q0 + scenario.steps) // 4


def why_unusable(o: Observation, scenario, model_basis: dict[str, str | None] | None = None) -> str | None:
    """The reason the model cannot produce observation ``o``, or None."""
    powers, republics = list(scenario.powers), list(scenario.republics)
    first, last = model_span(scenario)
    m = o.measure
    if m in EXOGENOUS:
        return f"'{m}' is an exogenous driver, not a model output"
    if m in NOT_PRODUCED:
        return NOT_PRODUCED[m]
    if m not in UNITS and not m.startswith(POLL_PREFIX):
        return f"measure '{m}' is not produced by the model (it produces {', '.join(UNITS)} and poll_* orderings)"
    if o.power and o.power not in powers:
        return f"power '{o.power}' is not in scenario '{scenario.name}' ({', '.join(powers)})"
    if o.republic and o.republic != REGION and o.republic not in republics:
        return f"republic '{o.republic}' is not in scenario '{scenario.name}' (nor '{REGION}')"
    if not first <= o.year <= last:
        return f"year {o.year} is outside the run ({scenario.start} to {last})"
    if m in UNITS:
        unit, spellings = UNITS[m]
        head = o.unit.split("(")[0].split(";")[0].strip().lower()
        if not any(head == sp or (sp in ("percent", "%") and head.startswith(sp)) for sp in spellings):
            return f"unit '{o.unit}'; the model's {m} is in {unit}"
        if not o.republic:
            return f"{m} needs a republic or '{REGION}'"
    if m in ("gdp", "trade_total") and o.power:
        return f"{m} rows are the republics' own figure (power empty)"
    if m in ("trade_share", "fdi_stock") and not o.power:
        return f"{m} needs a power"
    if m == "remittances_gdp" and o.republic == REGION:
        return "remittances as a share of GDP are compared per republic, not for the region"
    if m == "trade":
        basis = (model_basis or MODEL_BASIS).get(o.power)
        if basis is not None and o.basis and o.basis != basis:
            return (f"basis '{o.basis}'; the model's trade with {o.power} is on the '{basis}' basis "
                    f"(the scenario's base-year figure): not like with like")
    return None


def caveat(o: Observation, model_basis: dict[str, str | None] | None = None) -> str | None:
    if o.measure == "trade" and not o.basis:
        return "basis not stated: compared as if on the model's basis"
    if o.measure == "trade" and (model_basis or MODEL_BASIS).get(o.power, "x") is None:
        return f"the model's base figure for {o.power} states no basis: compared as given"
    return None


def model_basis(overrides: dict[str, str | None] | None = None) -> dict[str, str | None]:
    """:data:`MODEL_BASIS` with ``overrides`` (``--basis POWER=BASIS``; an empty basis: any)."""
    out = dict(MODEL_BASIS)
    for p, b in (overrides or {}).items():
        out[POWER_ALIASES.get(p, p)] = b or None
    return out


def match(observations: list[Observation], scenario, until: int | None = None,
          since: int | None = None, basis: dict[str, str | None] | None = None) -> Matched:
    """Split observations for ``scenario``: usable up to ``until`` (and from ``since``),
    unusable (with the reason), and held out (after ``until`` or before ``since``).
    ``basis``: the model's trade basis per power (default :data:`MODEL_BASIS`)."""
    usable, unusable, held, flagged = [], [], [], []
    basis = model_basis(basis) if basis else MODEL_BASIS
    for o in observations:
        reason = why_unusable(o, scenario, basis)
        if reason:
            unusable.append((o, reason))
        elif (until is not None and o.year > until) or (since is not None and o.year < since):
            held.append(o)
        else:
            usable.append(o)
            c = caveat(o, basis)
            if c:
                flagged.append((o, c))
    return Matched(usable, unusable, held, flagged)


def describe(matched: Matched, file: str, until: int | None = None, since: int | None = None) -> list[str]:
    """Human-readable lines: what is used, what is not and why."""
    lines = []
    window = (f" up to {until}" if until is not None else "") + (f" from {since}" if since is not None else "")
    lines.append(f"{file}: {len(matched.usable)} observations used{window}, {len(matched.held_out)} outside the "
                 f"window, {len(matched.unusable)} the model cannot produce:")
    for o, reason in matched.unusable:
        lines.append(f"  row {o.line}: {o.year} {o.measure} {o.power or '-'} {o.republic or '-'}: {reason}")
    for o, note in matched.flagged:
        lines.append(f"  note: row {o.line}: {o.year} {o.measure} {o.power} {o.republic}: {note}")
    return lines
