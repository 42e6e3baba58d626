"""The figures of greatgame, by family; ``analysis.plots`` draws them from results folders
and the app (``greatgame app``) from a running model, with the same functions.

- :mod:`.common`: sizes, the powers' colours (Okabe–Ito), the style, time axes, saving;
- :mod:`.trajectories`: each republic's alignment (influence, a channel) over time, stacked shares;
- :mod:`.network`: the influence graph at map-like positions;
- :mod:`.channels`: each channel's part of each power's influence in one republic;
- :mod:`.outcomes`: the wedge measures over runs, paired effects;
- :mod:`.sweeps`: a sweep's outcomes over time, heatmap, sensitivity, discovery.

Every function takes tables (pandas) and :class:`~analysis.folders.ScenarioFacts` and
returns a matplotlib ``Figure`` on the Agg canvas; none reads files.
"""

from .common import (COLUMN, EXTRA_COLOURS, OKABE_ITO, PAGE, POWER_COLOURS, STYLE, power_colours, pretty,
                     quarter_dates, render, save)
from .channels import channels_figure
from .network import network_figure, network_positions
from .outcomes import Group, effects_figure, wedge_figure
from .sweeps import discovery_figure, heatmap_figure, sensitivity_figure, sweep_trajectories_figure
from .trajectories import alignment_figure, trajectories_figure

__all__ = ["COLUMN", "EXTRA_COLOURS", "OKABE_ITO", "PAGE", "POWER_COLOURS", "STYLE", "Group", "alignment_figure", "channels_figure",
           "discovery_figure", "effects_figure", "heatmap_figure", "network_figure", "network_positions",
           "power_colours", "pretty", "quarter_dates", "render", "save", "sensitivity_figure",
           "sweep_trajectories_figure", "trajectories_figure", "wedge_figure"]
