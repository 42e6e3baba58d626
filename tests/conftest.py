"""Shared fixtures: scenarios and finished runs, built once per test session.

Loaded scenarios and finished models handed out here are shared between tests:
read them, never change them. A test that needs to poke at a model (set an
array, call an agent method, step it further) builds its own.
"""

from __future__ import annotations

import pytest

from greatgame.sim import GreatGameModel, load_scenario
from greatgame.sim.scenario import shipped_dir


def _key(overrides: dict | None) -> tuple:
    return tuple(sorted((overrides or {}).items()))


@pytest.fixture(scope="session")
def scenario():
    """``scenario(name, overrides=None)``: a :class:`LoadedScenario`, cached by name and overrides."""
    cache: dict = {}

    def load(name: str, overrides: dict | None = None):
        k = (name, _key(overrides))
        if k not in cache:
            cache[k] = load_scenario(name, overrides=dict(overrides) if overrides else None)
        return cache[k]

    return load


@pytest.fixture(scope="session")
def abe(scenario):
    """The baseline scenario, abe_2015."""
    return scenario("abe_2015")


@pytest.fixture(scope="session")
def finished_run(scenario):
    """``finished_run(name, seed, overrides=None)``: a model run to its horizon, cached (read-only)."""
    cache: dict = {}

    def run(name: str, seed: int, overrides: dict | None = None) -> GreatGameModel:
        k = (name, seed, _key(overrides))
        if k not in cache:
            cache[k] = GreatGameModel(scenario(name, overrides), rng=seed).run()
        return cache[k]

    return run


@pytest.fixture
def shipped_or_skip(scenario):
    """``shipped_or_skip(name)``: the shipped scenario, or skip the test if its file is not there (yet)."""

    def need(name: str):
        if not (shipped_dir() / f"{name}.yaml").is_file():
            pytest.skip(f"scenarios/{name}.yaml does not exist")
        return scenario(name)

    return need
