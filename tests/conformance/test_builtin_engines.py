"""Conformance of the built-in scenario engines (LoadGen's skips where it is not installed)."""

from __future__ import annotations

from tests.conformance.engine_suite import EngineConformance


class TestNativeEngine(EngineConformance):
    engine_name = "native"


class TestLoadgenEngine(EngineConformance):
    engine_name = "loadgen"
