"""`harness selfcheck`: the methodology's acceptance checks, measured side by side in one run."""
