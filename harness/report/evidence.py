"""Signed evidence bundles: the claim file, the records it judged, the artifacts' hashes, the
environment and the harness commit, under a manifest signed with Ed25519.

Layout of a bundle folder:
  manifest.json   what the bundle holds: every file's SHA-256, each record's artifact (path,
                  SHA-256 as recorded and as found on disk when bundled), the verdicts, the
                  environment and harness commit of the machine that bundled it
  manifest.sig    base64 Ed25519 signature of manifest.json's exact bytes
  public_key.pem  the public half of the signing key
  claims.yaml     the claim file, byte for byte
  records/        each judged record file, byte for byte (raw latencies included)

Artifacts are large, so a bundle holds their hashes, not the files; `harness verify` rehashes
them where they are found.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness.core.cache import file_sha256
from harness.core.errors import HarnessError
from harness.records.env import fingerprint as environment
from harness.records.env import git_commit
from harness.report import evidence_sign as signing
from harness.report.load import Run

FORMAT = "edge-harness-evidence/1"
MANIFEST, SIGNATURE, PUBLIC_KEY, CLAIMS, RECORDS = (
    "manifest.json", "manifest.sig", "public_key.pem", "claims.yaml", "records")


def sha256_bytes(data: bytes) -> str:
    """Return the SHA-256 (hex) of `data`."""
    return hashlib.sha256(data).hexdigest()


def artifact_entry(run: Run) -> dict[str, Any]:
    """Return the manifest's entry for a run's artifact: its path and SHA-256 as the record has
    them, and the SHA-256 of the file on disk now (None when it is not there)."""
    art = run.record.artifact
    path = Path(art.path) if art.path else None
    found = file_sha256(path) if path is not None and path.is_file() else None
    return {"path": art.path, "recorded_sha256": art.sha256, "bundled_sha256": found,
            "size_bytes": art.size_bytes}


def _prepare(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        raise HarnessError(f"The evidence folder {out} exists and is not empty.",
                           "Choose a new folder for --evidence; a bundle is never overwritten.")
    (out / RECORDS).mkdir(parents=True, exist_ok=True)


def write_bundle(out: Path, claims_path: Path, runs: Sequence[Run],
                 verdicts: Mapping[str, str], key_path: Path | None) -> dict[str, Any]:
    """Write a signed bundle of `runs` judged against `claims_path` into `out`; return the
    manifest. Signs with the key in `key_path`, or a key generated here (then discarded)."""
    key = signing.load_private_key(key_path) if key_path else signing.generate_key()
    out = Path(out)
    _prepare(out)
    files: dict[str, str] = {}
    shutil.copyfile(claims_path, out / CLAIMS)
    files[CLAIMS] = file_sha256(out / CLAIMS)
    records = []
    for i, run in enumerate(runs):
        name = f"{RECORDS}/{i + 1:04d}-{run.path.name}"
        shutil.copyfile(run.path, out / name)
        files[name] = file_sha256(out / name)
        entry = artifact_entry(run)
        if entry["recorded_sha256"] and entry["bundled_sha256"] not in (
                None, entry["recorded_sha256"]):
            print(f"warning: the artifact of {run.record.run_id} on disk ({entry['path']}) is "
                  "not the one its record measured; the bundle keeps both hashes.",
                  file=sys.stderr)
        records.append({"file": name, "source": str(run.path), "run_id": run.record.run_id,
                        "artifact": entry})
    public = signing.public_pem(key)
    (out / PUBLIC_KEY).write_bytes(public)
    manifest = {
        "format": FORMAT, "created_at": datetime.now(timezone.utc).isoformat(),
        "harness_commit": git_commit(), "environment": environment(),
        "claims": CLAIMS, "verdicts": dict(verdicts), "records": records, "files": files,
        "key": {"fingerprint_sha256": signing.fingerprint(key.public_key()),
                "source": "given (--key)" if key_path else "generated for this bundle"},
    }
    data = (json.dumps(manifest, indent=1, sort_keys=True, default=str) + "\n").encode()
    (out / MANIFEST).write_bytes(data)
    (out / SIGNATURE).write_text(signing.sign(key, data))
    return manifest
