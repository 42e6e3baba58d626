"""Observed data shipped with greatgame (observed.csv; see data/README.md and analysis/observed.py)."""
