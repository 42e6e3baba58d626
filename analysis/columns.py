"""Units and meanings of the columns of every result table, written into each Parquet file's
schema (field metadata ``unit`` and ``description``; schema metadata ``greatgame``) and listed
in docs/results.md.

Naming: columns are snake_case; ``step`` is an integer (quarters since the start) in every
table. Two kinds of names carry structure on purpose and are kept as the commands take them:
a sweep's parameter columns are the scenario paths they vary (``powers.japan.budget.loans``,
as for ``--set``), and a per-republic outcome is ``REPUBLIC:FIGURE``
(``kazakhstan:incumbent_share``, as in a spec's ``outcomes``).
"""

from __future__ import annotations

import json
import re

from greatgame.sim.schema import CHANNELS

SHARE = "share (0-1)"
FLAG = "true/false"
BN = "US$ bn"
BN_YEAR = "US$ bn a year"
BN_QUARTER = "US$ bn a quarter"

# Exact names (any table).
EXACT: dict[str, tuple[str, str]] = {
    "replicate": ("count", "replicate number, from 0"),
    "seed": ("integer", "the run's seed: `greatgame run SCENARIO --seed S` repeats the run"),
    "step": ("quarter", "quarters since the scenario's start (0 = the start), an integer"),
    "date": ("YYYY-Qn", "the quarter of the step"),
    "actor": ("id", "the power or republic"),
    "kind": ("text", "republic or power"),
    "event": ("text", "what happened"),
    "run": ("count", "run number: point x replicates + replicate"),
    "point": ("count", "design point, from 0"),
    "status": ("text", "ok, or error (the run raised; see error)"),
    "error": ("text", "the error of a failed run"),
    "arm": ("text", "A or B"),
    "scenario": ("text", "the scenario's name"),
    "interval": ("text", "how the interval is computed (Wilson score, 95%)"),
    "republic": ("id", "the republic, or 'all' (the mean over republics)"),
    "measure": ("text", "the wedge measure"),
    "mean_A": ("unit of the measure", "mean over the runs of arm A"),
    "mean_B": ("unit of the measure", "mean over the runs of arm B"),
    "effect": ("unit of the measure", "mean paired difference (see definition)"),
    "ci_low": ("unit of the measure", "lower end of the 95% interval"),
    "ci_high": ("unit of the measure", "upper end of the 95% interval"),
    "pairs_p05": ("unit of the measure", "5th percentile of the paired differences (their spread, not the mean's interval)"),
    "pairs_p95": ("unit of the measure", "95th percentile of the paired differences"),
    "with": (SHARE, "the incumbents' share of the channel's scores, with the challenger's initiatives"),
    "without": (SHARE, "the same without them"),
    "shift": (SHARE, "mean paired difference, with - without"),
    "channel": ("id", "the influence channel"),
    "threshold": (SHARE, "the incumbents' combined share below which rule (d) can hold"),
    "n": ("count", "number of runs or pairs"),
    "definition": ("text", "how the effect is computed (B - A, or with - without)"),
    "probability": (SHARE, "share of runs achieving the wedge"),
    "wedge_runs": ("count", "runs achieving the wedge"),
    "runs": ("count", "runs"),
    "outcome": ("text", "the outcome analysed"),
    "parameter": ("text", "scenario path of the parameter"),
    "index": ("text", "the sensitivity index (S1, ST, mu_star, mu, sigma …)"),
    "value": ("index units", "the index's value (Morris: per unit of the parameter's range)"),
    "input": ("text", "scenario path of an input drawn from its range (--ranges)"),
    "drawn": ("the input's own unit", "the value the run drew for the input (--ranges; run i of every arm)"),
    "conf": ("index units", "half-width of the 95% bootstrap interval"),
    "gdp": (BN, "GDP (current US$ bn, growing yearly)"),
    "trade_rest_of_world": (BN_YEAR, "trade with actors outside the model"),
    "debt_ratio": ("share of GDP", "external debt plus concessional debt owed to the powers, over GDP"),
    "incumbent_share": (SHARE, "the incumbents' combined share of the republic's alignment"),
    "challenger_share": (SHARE, "the challenger's share of the republic's alignment"),
    "incumbent_forums": ("memberships", "membership of the forums the incumbents convene (member 1, observer "
                                        "observer_level, active forums only)"),
    "challenger_forums": ("memberships", "membership of the forums the challenger convenes (member 1, observer "
                                         "observer_level, active forums only)"),
    "bloc": ("0 or 1", "landscape bloc (1 = the challenger's bloc)"),
    "opposite_incumbents": (FLAG, "the landscape puts the republic with the challenger, opposite the incumbents"),
    "wedged": (FLAG, "the wedge rule holds in this republic"),
    "budget": (BN_YEAR, "the power's budget (after escalation)"),
    "offered": (BN_QUARTER, "money the power offered this quarter"),
    "disbursed": (BN_QUARTER, "money taken up this quarter (pledges included)"),
    "mean_alignment": (SHARE, "mean over republics of their alignment toward the power"),
    "incumbent_share_mean": (SHARE, "wedge measure (a): mean over republics of the incumbents' share"),
    "challenger_share_mean": (SHARE, "wedge measure (b): mean over republics of the challenger's share"),
    "incumbent_forums_mean": ("memberships", "mean over republics of incumbent_forums"),
    "incumbent_shift_mean": (SHARE + ", with − without", "the headline: the shift in the incumbents' share caused by "
                             "the challenger's initiatives (same seed and parameters), mean over republics"),
    "challenger_shift_mean": (SHARE + ", with − without", "the same for the challenger's share"),
    "incumbent_shift": (SHARE + ", with − without", "the shift in the republic's incumbents' share caused by the "
                        "challenger's initiatives"),
    "challenger_shift": (SHARE + ", with − without", "the same for the challenger's share"),
    "challenger_forums_mean": ("memberships", "mean over republics of challenger_forums"),
    "landscape_energy": ("energy units", "energy of the landscape split: the local minimum reached by descent from "
                                         "the previous quarter's split (landscape theory; sizes sum to 1, propensities in [-1, 1])"),
    "landscape_global_energy": ("energy units", "energy of the global minimum of the landscape now"),
    "landscape_at_global": (FLAG, "the landscape split's energy is the global minimum's"),
    "landscape_frustration": ("share of pair weight (0-1)", "share of the pairs' absolute weight frustrated in the "
                                                           "landscape split (friends apart, foes together)"),
    "incumbents_together": (FLAG, "the split keeps the incumbents in one bloc"),
    "opposite_republics": ("list of ids", "wedge measure (c): republics with the challenger, opposite the incumbents"),
    "opposite_count": ("count", "wedge measure (c): number of republics opposite the incumbents"),
    "wedged_republics": ("count", "republics where the wedge rule holds"),
    "wedge_achieved": (FLAG, "wedge measure (d): the wedge holds in at least one republic"),
    "wedge_in_landscape": (FLAG, "(d) and the landscape puts that republic opposite the incumbents"),
    # PRIM's peeling trajectory (discover)
    "coverage": (SHARE, "share of the runs of interest inside the box"),
    "density": (SHARE, "share of the box's runs that are of interest"),
    "mass": (SHARE, "share of all runs inside the box"),
    "mean": (SHARE, "share of the box's runs that are of interest"),
    "res_dim": ("count", "restricted dimensions"),
    "k": ("count", "runs of interest inside the box"),
    "restricted": ("text", "the box's limits on the restricted parameters"),
    "box": ("count", "box number along the peeling trajectory"),
    "id": ("count", "box number along the peeling trajectory"),
}

# Per-power and per-forum families: (regex, unit, description with {p} for the power or forum).
_FAMILIES: list[tuple[re.Pattern, str, str]] = [
    (re.compile(r"^alignment_(?P<p>\w+)$"), SHARE, "the republic's alignment toward {p} (its row sums to 1)"),
    (re.compile(r"^influence_(?P<p>\w+)$"), "weighted sum of channel scores", "{p}'s influence I(p, r)"),
    (re.compile(rf"^(?P<c>{'|'.join(CHANNELS)})_score_(?P<p>\w+)$"), "score (0-1)", "{p}'s score in the {c} channel"),
    (re.compile(r"^trade_share_(?P<p>\w+)$"), "share of the republic's trade", "{p}'s share of the republic's trade"),
    (re.compile(r"^trade_(?P<p>\w+)$"), BN_YEAR, "goods trade with {p}"),
    (re.compile(r"^aid_stock_(?P<p>\w+)$"), BN, "aid stock from {p} (grants and concessional loans in view)"),
    (re.compile(r"^investment_stock_(?P<p>\w+)$"), BN, "FDI stock from {p}"),
    (re.compile(r"^received_(?P<p>\w+)$"), BN_QUARTER, "money received from {p} this quarter (all instruments)"),
    (re.compile(r"^forum_(?P<p>\w+)$"), "member/observer/none/inactive", "standing in the forum {p}"),
]


def describe(name: str) -> tuple[str, str]:
    """(unit, description) of a column; a per-republic outcome ``REPUBLIC:FIGURE`` takes its
    figure's; a dotted name is a sweep parameter (a scenario path)."""
    if ":" in name:
        republic, _, figure = name.partition(":")
        unit, what = describe(figure)
        return unit, f"{republic}: {what}"
    if name in EXACT:
        return EXACT[name]
    for pattern, unit, what in _FAMILIES:
        m = pattern.match(name)
        if m:
            return unit, what.format(**m.groupdict())
    if "." in name:
        return "the scenario field's unit", f"sweep parameter: the scenario value at {name} (as for --set)"
    return "", ""


def arrow_schema_metadata(table, stem: str):
    """The pyarrow table with each field's unit and description, and a ``greatgame`` schema
    entry listing them by column."""
    import pyarrow as pa

    fields, listing = [], {}
    for f in table.schema:
        unit, what = describe(f.name)
        meta = dict(f.metadata or {})
        if unit:
            meta[b"unit"] = unit.encode()
        if what:
            meta[b"description"] = what.encode()
        fields.append(f.with_metadata(meta))
        listing[f.name] = {"unit": unit, "description": what}
    meta = dict(table.schema.metadata or {})
    meta[b"greatgame"] = json.dumps({"table": stem, "columns": listing}).encode()
    return pa.Table.from_arrays(table.columns, schema=pa.schema(fields, metadata=meta))
