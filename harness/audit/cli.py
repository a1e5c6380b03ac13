"""harness audit: catch a backend that does not do the work it is timed for (MLPerf-style).

Takes the same Hydra overrides as harness-bench (comma lists sweep), builds the very model,
artifact and backend that run would time, and runs three audits on it: accuracy in
performance mode (TEST01), caching (TEST04) and skipped work. Prints PASS / FAIL /
INCONCLUSIVE per audit and writes audit-<n>.json files into --out; --show DIR prints the table
of every audit file in DIR. Exit status 1 when any audit FAILs. docs/audit.md has the details.

examples:
  harness audit model=resnet8 target=cpu,torch_cpu scenario.min_duration_s=0.5
  harness audit target=nimbus_npu target.options.cheat=cache 'hydra.searchpath=[pkg://fictional_npu.configs]'
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from harness.audit.config import AUDITS, AuditConfig
from harness.audit.prepare import expand_sweep, prepare
from harness.audit.runner import run_audits
from harness.audit.table import audit_markdown, audit_table
from harness.core.errors import BackendUnavailable, ConfigError
from harness.run.compose import compose_config


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the audit command's options to `p`."""
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE",
                   help="harness-bench overrides (model=…, quant=…, target=…, scenario.…)")
    p.add_argument("--audit", action="append", choices=AUDITS, dest="audits",
                   help="run only this audit (repeatable; default: all three)")
    p.add_argument("--out", type=Path, default=Path("results/audit"),
                   help="folder for the audit-<n>.json files (default results/audit)")
    p.add_argument("--label", default="", help="a label for the table's backend column")
    p.add_argument("--rounds", type=int, default=AuditConfig.rounds,
                   help="caching: rounds of repeat/unique blocks (default %(default)s)")
    p.add_argument("--show", type=Path, metavar="DIR",
                   help="print the table of the audit files in DIR (writes audit.md) and exit")


def _next_path(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    n = 1 + max((int(p.stem.split("-")[1]) for p in out.glob("audit-*.json")
                 if p.stem.split("-")[1].isdigit()), default=0)
    return out / f"audit-{n}.json"


def audit_one(overrides: list[str], audit: AuditConfig, names: list[str], label: str
              ) -> dict[str, Any]:
    """Return the audit document of one configuration (skipped when its backend cannot run)."""
    cfg = compose_config(overrides)
    doc: dict[str, Any] = {"overrides": overrides, "label": label or _label(overrides),
                           "model": cfg.model.name, "quant": cfg.quant.name,
                           "target": cfg.target.name, "backend": cfg.target.backend,
                           "options": dict(cfg.target.options or {})}
    try:
        prep = prepare(cfg)
    except BackendUnavailable as exc:
        return {**doc, "status": "skipped", "reason": str(exc), "results": []}
    results, facts = run_audits(cfg, prep, audit, names)
    return {**doc, "status": "ok", "facts": facts, "results": [r.to_dict() for r in results]}


def _label(overrides: list[str]) -> str:
    keep = [o.split("=", 1)[1] for o in overrides if o.startswith(("target=", "target.options."))]
    return " ".join(keep) or "default target"


def run(args: argparse.Namespace) -> int:
    """Run the audits (or show a folder's); return 1 when any audit FAILed, else 0."""
    console = Console(width=200)
    if args.show:
        docs = [json.loads(p.read_text()) for p in sorted(args.show.glob("audit-*.json"))]
        if not docs:
            raise ConfigError(f"No audit-*.json files in {args.show}.",
                              "Run harness audit … --out DIR first.")
        console.print(audit_table(docs))
        (args.show / "audit.md").write_text(audit_markdown(docs))
        return 0
    audit = AuditConfig(rounds=args.rounds)
    names = args.audits or list(AUDITS)
    docs = []
    for point in expand_sweep(args.overrides):
        doc = audit_one(point, audit, names, args.label)
        path = _next_path(args.out)
        path.write_text(json.dumps(doc, indent=1, default=str))
        docs.append(doc)
    console.print(audit_table(docs))
    failed = any(r["verdict"] == "FAIL" for d in docs for r in d["results"])
    return 1 if failed else 0
