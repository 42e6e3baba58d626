"""docs/model.md stays true to the code: every model parameter is in its tables with the
default of sim/schema.py and the range of sim/ranges.py, and the documents it links exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from greatgame.sim.ranges import DEFAULT_RANGES
from greatgame.sim.schema import ChannelWeights, HalfSaturation, Parameters

ROOT = Path(__file__).resolve().parents[1]
MODEL_MD = ROOT / "docs" / "model.md"


def documented() -> dict[str, tuple[float, float, float]]:
    """`name` -> (default, low, high) from the rows of model.md's parameter tables."""
    rows = {}
    for line in MODEL_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([a-z_.]+)` \| ([-0-9.]+) \| ([-0-9.]+)–([-0-9.]+) \|", line)
        if m and m.group(1) not in rows:  # the first row; a scenario's overrides table comes later
            rows[m.group(1)] = tuple(float(x) for x in m.group(2, 3, 4))
    return rows


def defaults() -> dict[str, float]:
    out = {f"weights.{k}": f.default for k, f in ChannelWeights.model_fields.items()}
    out.update({f"half_saturation.{k}": f.default for k, f in HalfSaturation.model_fields.items()})
    out.update({k: f.default for k, f in Parameters.model_fields.items() if k not in ("weights", "half_saturation")})
    return out


@pytest.mark.parametrize("name,default", sorted(defaults().items()))
def test_every_parameter_is_documented_with_its_default_and_range(name, default):
    rows = documented()
    assert name in rows, f"docs/model.md has no table row for parameters.{name}"
    doc_default, low, high = rows[name]
    assert doc_default == pytest.approx(default), f"{name}: docs say {doc_default}, the schema {default}"
    lo, hi, _ = DEFAULT_RANGES[f"parameters.{name}"]
    assert (low, high) == pytest.approx((lo, hi)), f"{name}: docs say {low}-{high}, sim/ranges.py {lo}-{hi}"


def test_no_documented_parameter_is_unknown():
    known = set(defaults())
    stray = set(documented()) - known
    assert not stray, f"docs/model.md documents parameters the schema does not have: {sorted(stray)}"


@pytest.mark.parametrize("doc", ["model.md", "trace.md"])
def test_local_links_resolve(doc):
    """Links to files in the repository point at files that exist (calibration.md arrives with
    the calibration branch and is the one link allowed to wait for it)."""
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([\w./-]+\.(?:md|png|csv|yaml|py))(?:#[^)]*)?\)", text):
        if target == "calibration.md":
            continue
        assert (ROOT / "docs" / target).exists(), f"docs/{doc} links to {target}, which does not exist"
