"""harness audit on real backends: the honest built-ins and the example plugin PASS, each of
the plugin's cheat modes FAILs the audit built to catch it (docs/audit.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from harness.audit.cli import audit_one
from harness.audit.config import AUDITS, AuditConfig
from harness.backends.registry import BACKENDS
from harness.cli import dispatch
from tests.conformance.suite import import_ok

PLUGIN_SRC = Path(__file__).resolve().parents[2] / "examples" / "fictional_npu" / "src"
if not import_ok("fictional_npu"):  # not installed: test the source tree, as test_plugin does
    sys.path.insert(0, str(PLUGIN_SRC))
QUICK = ["model=resnet8", "scenario.warmup_count=20", "scenario.warmup_s=0.05",
         "scenario.min_count=300", "scenario.min_duration_s=0.2", "scenario.max_duration_s=2"]
NIMBUS = ["target=nimbus_npu", "hydra.searchpath=[pkg://fictional_npu.configs]"]
CONFIG = AuditConfig(rounds=12, block_queries=30)


@pytest.fixture(autouse=True)
def _registered() -> None:
    BACKENDS.register("nimbus_npu", "fictional_npu.backend:NimbusBackend")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One export cache for the module's audits."""
    return f"cache_dir={tmp_path_factory.mktemp('audit-cache')}"


def verdicts(overrides: list[str], cache: str) -> dict[str, str]:
    """Return {audit: verdict} for one configuration."""
    doc = audit_one([*QUICK, cache, *overrides], CONFIG, list(AUDITS), "")
    assert doc["status"] == "ok", doc.get("reason")
    return {r["audit"]: r["verdict"] for r in doc["results"]}


@pytest.mark.parametrize("target", ["cpu", "torch_cpu", "openvino_cpu"])
def test_honest_builtin_backends_pass(target: str, cache: str) -> None:
    if target == "openvino_cpu":
        pytest.importorskip("openvino", reason="OpenVINO not installed (extra: openvino)")
    got = verdicts([f"target={target}"], cache)
    assert got["accuracy_in_performance"] == "PASS" and got["skipped_work"] == "PASS"
    assert got["caching"] != "FAIL"  # PASS, or INCONCLUSIVE when this shared VM is too noisy


@pytest.mark.parametrize(("cheat", "caught_by"), [
    ("cache", {"caching"}),
    ("stale", {"accuracy_in_performance", "skipped_work"}),
    ("constant", {"skipped_work"}),
])
def test_each_cheat_fails_the_audit_built_for_it(cheat: str, caught_by: set[str],
                                                 cache: str) -> None:
    got = verdicts([*NIMBUS, f"target.options.cheat={cheat}"], cache)
    assert {name for name, v in got.items() if v == "FAIL"} == caught_by, got


def test_honest_plugin_passes_and_the_cli_writes_the_table(tmp_path: Path, cache: str) -> None:
    status = dispatch(["audit", "--out", str(tmp_path), "--rounds", "12", *QUICK, cache,
                       *NIMBUS, "target.options.cheat=none,cache"])
    assert status == 1  # the cache cheat failed
    docs = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("audit-*.json"))]
    assert [d["options"]["cheat"] for d in docs] == ["none", "cache"]
    honest = {r["audit"]: r["verdict"] for r in docs[0]["results"]}
    assert honest["accuracy_in_performance"] == honest["skipped_work"] == "PASS"
    assert honest["caching"] != "FAIL"
    assert dispatch(["audit", "--show", str(tmp_path)]) == 0
    table = (tmp_path / "audit.md").read_text()
    assert "| nimbus_npu cache | resnet8 | fp32 | PASS | FAIL" in table


def test_unavailable_backend_is_skipped_with_its_reason(monkeypatch: pytest.MonkeyPatch,
                                                        cache: str) -> None:
    monkeypatch.setenv("NIMBUS_VISIBLE_DEVICES", "")
    doc = audit_one([*QUICK, cache, *NIMBUS], CONFIG, list(AUDITS), "")
    assert doc["status"] == "skipped" and "nimbus0 not found" in doc["reason"]
