"""Judge vendor claims against run records: PASS / FAIL / INCONCLUSIVE per claim.

A claim (configs/claims/*.yaml) names a metric, a bound and the runs it is about. PASS when the
whole 95% interval meets the bound, FAIL when the whole interval violates it, INCONCLUSIVE when it
straddles the bound, evidence is missing, or energy is estimated. Prints the evidence per claim.

Exit status: 0 when every claim passes, 1 when any fails, 3 when none fails but some are
inconclusive, 2 for a usage or input error (a malformed claim included).

examples:
  harness claims configs/claims/example.yaml results/default/<ts>
  harness claims my_chip.yaml results/edge results/server
  harness claims my_chip.yaml results/edge --evidence evidence/my_chip --key signing_key.pem

--evidence DIR also writes a signed bundle of the claim file and the records judged (see
`harness verify`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.table import Table

from harness.report.claims import Claim, judge, load_claims, matching_runs
from harness.report.load import Run, load_runs
from harness.report.summary import wide_console

EXIT = {"PASS": 0, "FAIL": 1, "INCONCLUSIVE": 3}
STYLE = {"PASS": "green", "FAIL": "red", "INCONCLUSIVE": "yellow"}


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def write_evidence(args: argparse.Namespace, claims: list[Claim], runs: list[Run],
                   verdicts: list[str]) -> None:
    """Write the signed bundle of the runs the claims were judged on; say where and by whom."""
    from harness.report.evidence import write_bundle  # cryptography loads only when asked for

    judged = {r.path: r for c in claims for r in matching_runs(c, runs)}
    manifest = write_bundle(args.evidence, args.claims, list(judged.values()),
                            {c.id: v for c, v in zip(claims, verdicts, strict=True)}, args.key)
    print(f"Evidence: {len(judged)} records signed in {args.evidence} by key "
          f"{manifest['key']['fingerprint_sha256']} ({manifest['key']['source']}); check it "
          f"with: harness verify {args.evidence}", file=sys.stderr)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the arguments of `harness claims` to `p`."""
    p.add_argument("claims", type=Path, metavar="CLAIMS.yaml",
                   help="claims YAML (see configs/claims/)")
    p.add_argument("folders", nargs="+", type=Path, metavar="FOLDER",
                   help="results folders to judge")
    p.add_argument("--evidence", type=Path, metavar="DIR",
                   help="also write a signed evidence bundle here (a new folder)")
    p.add_argument("--key", type=Path, metavar="KEY.pem", help="Ed25519 private key to sign "
                   "the bundle with (default: one generated for it, its public key inside)")


def run(args: argparse.Namespace) -> int:
    """Judge every claim in `args.claims` against the runs in `args.folders`; return 0, 1 or 3."""
    claims_path = args.claims
    claims, runs = load_claims(claims_path), load_runs(args.folders)
    table = Table(title=f"Claims: {claims_path}", caption_justify="left",
                  caption="PASS: the whole 95% interval meets the bound; FAIL: the whole interval "
                  "violates it; INCONCLUSIVE: it straddles the bound, evidence is missing, or "
                  "energy is estimated.")
    for col in ("claim", "verdict", "metric", "bound", "run", "value", "95% CI", "provenance",
                "note"):
        table.add_column(col, overflow="fold")
    verdicts = []
    for claim in claims:
        verdict, evidence = judge(claim, runs)
        verdicts.append(verdict)
        head = [claim.id, f"[{STYLE[verdict]}]{verdict}[/]", claim.metric,
                f"{claim.op} {claim.bound:g}"]
        if not evidence:
            table.add_row(*head, "", "", "", "", "no matching ok run")
        for i, e in enumerate(evidence):
            cells = head if i == 0 else [""] * 4
            ci = f"{_num(e.low)}–{_num(e.high)}" if e.low is not None else ""
            table.add_row(*cells, e.run, _num(e.value), ci, e.provenance, f"{e.verdict} {e.note}")
    wide_console().print(table)
    if args.evidence:
        write_evidence(args, claims, runs, verdicts)
    return max((EXIT[v] for v in verdicts), key=lambda c: (c == 1, c))
