"""Every figure a scenario uses, with its source or the assumption behind it."""

from __future__ import annotations

from greatgame.sim.ranges import DEFAULT_RANGES
from greatgame.sim.scenario import LoadedScenario, numbers, parameter_defaults


def figure_rows(loaded: LoadedScenario, include_defaults: bool = True) -> list[dict]:
    """One row per number: path, value, and 'source' (with title and quote), 'assumption' or 'unsourced';
    low and high where it has a range."""
    rows = []
    seen = set()
    for path, value in numbers(loaded.raw):
        seen.add(path)
        prov = loaded.provenance.get(path)
        row = {"path": path, "value": value, "status": "unsourced", "detail": ""}
        if prov is not None and prov.source:
            src = loaded.sources.get(prov.source, {})
            cite = ", ".join(str(src[k]) for k in ("outlet", "date") if src.get(k))
            where = src.get("file") or src.get("url") or ""
            row.update(status="source", source=prov.source,
                       detail=f"{src.get('title', prov.source)} ({cite}) {where}".strip())
            if prov.quote:
                row["quote"] = prov.quote
        elif prov is not None:
            row.update(status="assumption", detail=prov.assumption or "")
        if prov is not None and prov.note:
            row["note"] = prov.note
        if prov is not None and prov.low is not None:
            row.update(low=prov.low, high=prov.high)
        rows.append(row)
    if include_defaults:
        for path, (value, why) in parameter_defaults().items():
            if path not in seen:
                row = {"path": path, "value": value, "status": "default", "detail": why}
                if path in DEFAULT_RANGES:
                    low, high, reason = DEFAULT_RANGES[path]
                    row.update(low=low, high=high, note=f"range: {reason}")
                rows.append(row)
    return rows
