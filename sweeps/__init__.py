"""Shipped sweep specifications (YAML), found by name."""
