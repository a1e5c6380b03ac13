"""Audit tests that catch a backend not doing the work it is timed for (MLPerf compliance)."""
