"""Format checks for the project's observed data, data/observed.csv.

The file is hand-gathered (every row cites its source and quotes it); these tests make sure a bad
row cannot slip in: wrong header, unknown ids, non-numeric values, a row without its source or
quote, two rows for the same observation, a year out of range, a measure not documented in
data/README.md. The loader that the calibration uses (analysis/observed.py) validates files
given on the command line; this test guards the shipped file itself.
"""

from __future__ import annotations

import csv
import sys
import math
import re
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
OBSERVED = DATA / "observed.csv"
README = DATA / "README.md"

HEADER = ["year", "measure", "power", "republic", "basis", "value", "unit", "source", "quote"]
POWERS = {"china", "russia", "japan", "us", "eu", "turkey"}
REPUBLICS = {"kazakhstan", "kyrgyzstan", "tajikistan", "turkmenistan", "uzbekistan", "central_asia"}
BASES = {"partner", "republic", "intl", ""}
KEY = ["year", "measure", "power", "republic", "basis"]
YEARS = (1990, 2026)

# Measures whose rows name no power (a republic's own figure) and those with no republic either.
NO_POWER = {"gdp", "trade_total"}
GLOBAL = {"oil_price", "gas_price", "metals_price"}
SHARES = {"remittances_gdp", "trade_share"}


def _rows() -> list[dict[str, str]]:
    with OBSERVED.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        assert header == HEADER, f"header is {header}, expected {HEADER}"
        rows = []
        for lineno, fields in enumerate(reader, start=2):
            assert len(fields) == len(HEADER), f"line {lineno}: {len(fields)} fields, expected {len(HEADER)}"
            rows.append({"line": lineno, **dict(zip(HEADER, fields))})
    return rows


ROWS = _rows()


def _documented_measures() -> set[str]:
    # The README's measure table (section "## Measures"): lines like "| `trade` | ...".
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Measures", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*`([a-z_]+)`\s*\|", section, flags=re.M))


def test_file_has_rows_and_the_exact_header():
    assert len(ROWS) >= 100


def test_ids_are_known():
    for r in ROWS:
        assert r["power"] in POWERS | {""}, f"line {r['line']}: unknown power {r['power']!r}"
        assert r["republic"] in REPUBLICS | {""}, f"line {r['line']}: unknown republic {r['republic']!r}"
        assert r["basis"] in BASES, f"line {r['line']}: unknown basis {r['basis']!r}"
        assert re.fullmatch(r"[a-z][a-z_]*", r["measure"]), f"line {r['line']}: bad measure {r['measure']!r}"


def test_every_measure_is_documented_in_the_readme():
    documented = _documented_measures()
    used = {r["measure"] for r in ROWS}
    assert used <= documented, f"measures used but not documented in data/README.md: {sorted(used - documented)}"


def test_values_are_plain_finite_numbers_and_years_in_range():
    for r in ROWS:
        assert re.fullmatch(r"-?\d+(\.\d+)?", r["value"]), f"line {r['line']}: value {r['value']!r} is not a plain number"
        assert math.isfinite(float(r["value"]))
        assert re.fullmatch(r"\d{4}", r["year"]), f"line {r['line']}: year {r['year']!r}"
        assert YEARS[0] <= int(r["year"]) <= YEARS[1], f"line {r['line']}: year {r['year']} out of range"


def test_every_row_has_a_unit_a_source_and_a_quote():
    for r in ROWS:
        for col in ("unit", "source", "quote"):
            assert r[col].strip(), f"line {r['line']}: empty {col}"
        assert r["source"] == r["source"].strip() and r["quote"] == r["quote"].strip()


def test_derived_rows_say_how_and_quote_what_they_are_derived_from():
    for r in ROWS:
        if r["source"].startswith("derived"):
            assert re.search(r"\d", r["quote"]), f"line {r['line']}: a derived row must quote its figures"
            assert re.search(r"[/+*x×-]|times|growth", r["source"]), f"line {r['line']}: say how it is derived"


def test_no_duplicate_observation_keys():
    seen: dict[tuple, int] = {}
    for r in ROWS:
        k = tuple(r[c] for c in KEY)
        assert k not in seen, f"line {r['line']} repeats the key {k} of line {seen[k]}"
        seen[k] = r["line"]


def test_measure_specific_rules():
    for r in ROWS:
        m, v, where = r["measure"], float(r["value"]), f"line {r['line']}"
        if m in ("trade", "exports", "imports", "trade_total", "gdp", "remittances", "fdi_stock"):
            assert r["unit"].startswith("USD bn"), f"{where}: {m} must be in USD bn, got {r['unit']!r}"
            assert v >= 0
        if m == "trade_eur":
            assert r["unit"].startswith("EUR bn"), f"{where}: trade_eur must be in EUR bn"
        if m == "oda":
            assert r["unit"].startswith("USD m") and r["power"] == "japan", f"{where}: oda is Japan's, in USD m"
        if m in GLOBAL:
            assert r["power"] == "" and r["republic"] == "", f"{where}: {m} is a global price"
            assert v > 0
        if m in NO_POWER:
            assert r["power"] == "", f"{where}: {m} names no power"
        if m in SHARES or m.startswith("poll_"):
            assert 0 <= v <= 100, f"{where}: {m} is a share 0-100, got {v}"
        if m.startswith("poll_"):
            assert r["basis"] == "", f"{where}: polls have no statistical basis"
        if m == "forum_event":
            assert v == 1 and r["unit"], f"{where}: a forum event has value 1 and names the event in unit"
        if m in ("trade", "exports", "imports", "trade_share", "trade_eur"):
            assert r["power"] in POWERS and r["republic"], f"{where}: {m} needs a power and a republic"


def test_pandas_reads_the_same_table():
    df = pd.read_csv(OBSERVED, dtype={"power": str, "republic": str, "basis": str}, keep_default_na=False)
    assert list(df.columns) == HEADER
    assert len(df) == len(ROWS)
    assert pd.api.types.is_numeric_dtype(df["value"]) and pd.api.types.is_integer_dtype(df["year"])
    assert not df.duplicated(KEY).any()


def test_scored_series_cover_the_hindcast_years():
    """The hindcast scores trade of China, Russia and Japan with the five republics together."""
    df = pd.read_csv(OBSERVED, keep_default_na=False)
    trade = df[(df.measure == "trade") & (df.republic == "central_asia")]
    china = set(trade[(trade.power == "china") & (trade.basis == "partner")].year)
    assert {2021, 2022, 2023, 2024} <= china
    russia = set(trade[trade.power == "russia"].year)
    assert {2017, 2021, 2022, 2024} <= russia


@pytest.mark.parametrize("bad, message", [
    ("2020,trade,chna,central_asia,partner,1,USD bn,s,q", "unknown power"),
    ("2020,trade,china,central_asia,partner,1.2.3,USD bn,s,q", "not a plain number"),
    ("2020,trade,china,central_asia,partner,1,USD bn,,q", "empty source"),
])
def test_the_checks_catch_a_bad_row(tmp_path, monkeypatch, bad, message):
    """The same checks, run on a copy with one bad row appended, fail with a message naming the fault."""
    copy = tmp_path / "observed.csv"
    copy.write_text(OBSERVED.read_text(encoding="utf-8") + bad + "\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "OBSERVED", copy)
    rows = _rows()
    monkeypatch.setattr(sys.modules[__name__], "ROWS", rows)
    with pytest.raises(AssertionError, match=message):
        test_ids_are_known()
        test_values_are_plain_finite_numbers_and_years_in_range()
        test_every_row_has_a_unit_a_source_and_a_quote()
