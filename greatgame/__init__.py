"""greatgame: the command-line layer."""
