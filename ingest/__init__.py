"""Question banks in, graph records out."""
