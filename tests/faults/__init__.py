"""Backends that misbehave on purpose, for the fault-injection suite (loaded by import path)."""
