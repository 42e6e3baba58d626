"""greatgame's analysis layer: running experiments, storing and loading results, statistics.

``analysis.load_results(DIR)`` returns the tables of any results folder as pandas frames.
"""

from .results import Results, load_results

__all__ = ["load_results", "Results"]
