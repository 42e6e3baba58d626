"""`greatgame app [SCENARIO]`: serve the browser app (Mesa's SolaraViz, greatgame/app.py),
registered by greatgame.cli.build_parser. Binds to 127.0.0.1 unless --host says otherwise;
everything the page loads comes from installed packages (solara-assets), nothing from a CDN."""

from __future__ import annotations

import os
import sys


def register(sub) -> None:
    p = sub.add_parser(
        "app", help="explore a scenario in the browser: initiatives, budgets, parameters, step by step",
        description="Serve an interactive page (Mesa's SolaraViz) of the model: switch initiatives off, move "
                    "budgets and parameters, step or play quarter by quarter beside the counterfactual, and save "
                    "a run as `greatgame run` would. Needs the 'app' extra (installed by `make run`).")
    p.add_argument("scenario", nargs="?", default="abe_2015",
                   help="the scenario the page starts with: a shipped name or a YAML file (default abe_2015)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 exposes the app, "
                        "which runs anything its users set, to the network)")
    p.set_defaults(func=cmd_app)


def cmd_app(args) -> int:
    from greatgame.cli import CliError
    from greatgame.sim import load_scenario

    if not 0 <= args.port <= 65535:
        raise CliError(f"--port: expected a port number from 0 to 65535, got {args.port}")
    load_scenario(args.scenario)  # a bad scenario: the usual one line, before any server starts
    try:
        import mesa.visualization  # noqa: F401  (needs altair, solara)
        import solara  # noqa: F401
        import solara_assets  # noqa: F401  (the browser files, so nothing comes from a CDN)
    except ImportError as e:
        raise CliError(f"the app needs the 'app' extra ({e.name} is not installed): "
                       f"pip install -e '.[app]' (make run installs it)") from None
    from .app_model import SCENARIO_ENV

    env = dict(os.environ)
    env[SCENARIO_ENV] = args.scenario
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # no usage reports leave the machine
    # solara warns on every page load that a cookie meant for https falls back to samesite=lax
    # on plain http, which is what 127.0.0.1 serves: not the user's concern.
    env.setdefault("PYTHONWARNINGS", "ignore::UserWarning:solara.server.starlette")
    argv = [sys.executable, "-m", "solara", "run", "greatgame.app:Page", "--host", args.host,
            "--port", str(args.port), "--production", "--no-open", "--no-check-version", "--log-level", "warning"]
    print(f"greatgame app: {args.scenario} at http://{args.host}:{args.port}/ (Ctrl-C stops it)", flush=True)
    os.execve(sys.executable, argv, env)  # the server takes this process's place (and its pid)
    return 0  # pragma: no cover
