"""Verify a signed evidence bundle written by `harness claims ... --evidence DIR`.

Checks the Ed25519 signature over the manifest, every file's SHA-256, that nothing was added,
and each artifact's SHA-256 where the artifact is found. Without --key the bundle's own public
key is used: that proves the bundle is unchanged since it was signed, not who signed it; pass
the signer's published public key with --key to check that too.

Exit status: 0 when every check passes, 1 naming each check that failed, 2 for a usage error.

examples:
  harness verify evidence/my_chip
  harness verify evidence/my_chip --key vendor_public.pem --artifacts models/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.report.evidence_verify import verify_bundle


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the arguments of `harness verify` to `p`."""
    p.add_argument("bundle", type=Path, metavar="BUNDLE", help="the evidence folder")
    p.add_argument("--key", type=Path, metavar="PUBLIC.pem",
                   help="the signer's public key you trust (default: the bundle's own)")
    p.add_argument("--artifacts", type=Path, metavar="FOLDER",
                   help="look for artifacts by file name here (default: their recorded paths)")
    p.add_argument("--require-artifacts", action="store_true",
                   help="fail when an artifact cannot be found to rehash")


def run(args: argparse.Namespace) -> int:
    """Verify the bundle; print what passed and what failed; return 0 or 1."""
    result = verify_bundle(args.bundle, args.key, args.artifacts, args.require_artifacts)
    for note in result.notes:
        print(f"note: {note}")
    for failure in result.failures:
        print(f"FAILED {failure}", file=sys.stderr)
    if result.ok:
        files = len(result.manifest.get("files", {}))
        print(f"OK {args.bundle}: signature and {files} file hashes verify "
              f"(verdicts: {result.manifest.get('verdicts')}).")
        return 0
    print(f"{args.bundle} does NOT verify: {len(result.failures)} check(s) failed.",
          file=sys.stderr)
    return 1
