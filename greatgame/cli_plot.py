"""Figure and report commands (registered by greatgame.cli.build_parser)."""

from __future__ import annotations


def register(sub) -> None:
    """Add this module's subcommands to the greatgame parser."""
