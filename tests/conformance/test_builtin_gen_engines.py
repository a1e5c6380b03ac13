"""Conformance of every registered generative engine; each skips with its probe's reason where
its runtime is not installed (engines from other packages are picked up by entry point)."""

from __future__ import annotations

from tests.conformance.gen_engine_suite import (  # noqa: F401  (fixtures used by the suite)
    GenEngineConformance,
    engine_name,
    model_cfg,
    session,
)


class TestGenerativeEngines(GenEngineConformance):
    """The suite, once per engine in harness.generative_engines."""
