"""greatgame's simulation layer: the model, its agents, scenario format and loading.

Knows nothing of files beyond reading scenarios, nor of terminals or plots.
"""

from .errors import ScenarioError
from .model import GreatGameModel
from .scenario import LoadedScenario, load_scenario, shipped_names
from .schema import CHANNELS, Scenario

__all__ = ["GreatGameModel", "Scenario", "ScenarioError", "LoadedScenario", "load_scenario", "shipped_names", "CHANNELS"]
