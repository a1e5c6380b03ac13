"""Property-based tests (Hypothesis) over the config schema and the statistics."""
