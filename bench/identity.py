"""Identity check: SHA-256 fingerprints of every shipped scenario's runs, for refactorings
that must not change a single number.

Run as ``.venv/bin/python bench/identity.py > /tmp/before.txt`` before a change and again
after it, then ``diff /tmp/before.txt /tmp/after.txt``: any difference means the results
changed. For each shipped scenario (``greatgame.sim.shipped_names()``) and seeds 0..4, a
run to the scenario's horizon with ``collect_every=1`` prints four hashes:

- ``model``: the DataCollector's model table (columns, index and every value, bytes exact);
- ``agents``: its agent tables (republics, then powers), the same way;
- ``state``: the final state arrays (``STATE`` below: dtype, shape and bytes of each);
- ``log``: the event log (step, date, text of every entry).

A last line hashes all the lines above. Nothing is asserted: this is a report.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from greatgame.sim import GreatGameModel, shipped_names  # noqa: E402
from greatgame.sim.agents import PowerAgent, RepublicAgent  # noqa: E402

SEEDS = range(5)
# The model's state at the horizon: every array a mechanism writes or reads.
STATE = (
    "gdp_p", "gdp_r", "budget", "military", "conditionality", "population", "resources", "external_debt",
    "borders", "remit_share", "alignment", "target", "row_trade", "other_aid", "other_investment",
    "other_remit_share", "row_energy", "other_political", "other_security",
    "trade", "investment", "aid", "debt", "energy", "favour", "favour_base", "security_static", "security",
    "relations", "membership", "forum_active", "political", "rr_political", "flows", "capacity_left",
    "trade_boost", "row_boost", "rival_gain", "accepts", "offers", "allocation", "threat",
    "scores", "influence", "influence_share", "utility", "blocs", "incumbent_share", "challenger_share",
    "opposite", "wedged", "wedged_in_landscape",
)


def frame_hash(h, df: pd.DataFrame) -> None:
    h.update(repr(list(df.columns)).encode())
    h.update(repr(list(df.dtypes.astype(str))).encode())
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())


def fingerprint(name: str, seed: int) -> dict[str, str]:
    m = GreatGameModel(name, rng=seed, collect_every=1)
    m.run()
    dc = m.datacollector
    out = {}
    h = hashlib.sha256()
    frame_hash(h, dc.get_model_vars_dataframe())
    out["model"] = h.hexdigest()
    h = hashlib.sha256()
    for kind in (RepublicAgent, PowerAgent):
        frame_hash(h, dc.get_agenttype_vars_dataframe(kind))
    out["agents"] = h.hexdigest()
    h = hashlib.sha256()
    for attr in STATE:
        a = np.ascontiguousarray(np.asarray(getattr(m, attr)))
        h.update(f"{attr}:{a.dtype}:{a.shape}".encode())
        h.update(a.tobytes())
    h.update(repr((m.steps, m.landscape_energy, m.headline)).encode())
    out["state"] = h.hexdigest()
    out["log"] = hashlib.sha256(repr(m.log).encode()).hexdigest()
    return out


def main() -> None:
    lines = []
    for name in shipped_names():
        for seed in SEEDS:
            fp = fingerprint(name, seed)
            line = f"{name} seed={seed} " + " ".join(f"{k}={v[:16]}" for k, v in fp.items())
            lines.append(line)
            print(line, flush=True)
    print("all", hashlib.sha256("\n".join(lines).encode()).hexdigest())


if __name__ == "__main__":
    main()
