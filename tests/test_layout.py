"""The model's layout: each mechanism in a module of its own, documented against docs/model.md.

tests/test_mechanisms.py drives mechanisms through the model's private methods
(``model._update_economy()`` …); these tests make sure those methods are the very functions
the step runs, not copies that could drift, and that every mechanism module names the ODD
section it implements, with its equations."""

from __future__ import annotations

import importlib
import re

import pytest

from greatgame.sim import GreatGameModel

MECHANISMS = {  # model method -> (module, function)
    "_disburse_pledges": ("offers", "disburse_pledges"),
    "_prepare_offers": ("offers", "prepare_offers"),
    "_update_economy": ("economy", "update_economy"),
    "_advance_ramps": ("economy", "advance_ramps"),
    "_hold_meetings": ("forums", "hold_meetings"),
    "_review_forums": ("forums", "yearly_review"),
    "_refresh_security": ("forums", "refresh_security"),
    "_update_soft_power": ("soft_power", "update_soft_power"),
    "_compute_influence": ("influence", "compute_influence"),
    "_draw_targets": ("hedging", "draw_targets"),
    "_update_alignment": ("hedging", "update_alignment"),
    "_apply_event": ("events", "apply_event"),
    "_compute_blocs": ("measures", "compute_blocs"),
    "_track_landscape": ("measures", "track_landscape"),
    "_publish": ("measures", "publish"),
    "_bind_step_constants": ("build", "bind_step_constants"),
}


@pytest.mark.parametrize("method", sorted(MECHANISMS))
def test_the_models_mechanism_methods_are_the_modules_functions(method):
    module, name = MECHANISMS[method]
    fn = getattr(importlib.import_module(f"greatgame.sim.{module}"), name)
    assert getattr(GreatGameModel, method) is fn
    m = GreatGameModel("abe_2015", rng=0, years=1, collect_every=0)
    assert getattr(m, method).__func__ is fn


@pytest.mark.parametrize("module", sorted({m for m, _ in MECHANISMS.values()}))
def test_every_mechanism_module_cites_its_odd_section_and_gives_equations(module):
    doc = importlib.import_module(f"greatgame.sim.{module}").__doc__ or ""
    assert "docs/model.md" in doc
    assert re.search(r"§\d\.\d", doc), f"sim/{module}.py names no ODD section"
    if module != "build":
        assert re.search(r"[←=]", doc.split("\n\n", 1)[1]), f"sim/{module}.py gives no equation"
