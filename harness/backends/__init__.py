"""Backends: one module each, discovered through the `harness.backends` entry-point group."""
