"""The `harness` command."""
