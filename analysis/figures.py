"""Every figure a scenario uses, with its source or the assumption behind it."""

from __future__ import annotations

from greatgame.sim.scenario import LoadedScenario, numbers, parameter_defaults


def figure_rows(loaded: LoadedScenario, include_defaults: bool = True) -> list[dict]:
    """One row per number: path, value, and 'source' (with title and quote), 'assumption' or 'unsourced'."""
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
        rows.append(row)
    if include_defaults:
        for path, (value, why) in parameter_defaults().items():
            if path not in seen:
                rows.append({"path": path, "value": value, "status": "default", "detail": why})
    return rows
