"""Verify an evidence bundle: the signature over the manifest, then every hash it lists.

Checks, each failure named: the manifest's signature verifies with the bundle's public key (or
with the key the verifier trusts, `--key`, which must be the same key); every listed file is
present with its SHA-256; no unlisted file was added; each record names the artifact the manifest
lists; each artifact found on disk (at its recorded path, or by file name under `--artifacts`)
has the listed SHA-256. An artifact not found is reported as not checked, a failure only with
`require_artifacts`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.cache import file_sha256
from harness.report import evidence_sign as signing
from harness.report.evidence import CLAIMS, MANIFEST, PUBLIC_KEY, SIGNATURE


@dataclass
class Verification:
    """What verifying a bundle found: failures (each one sentence) and notes."""

    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures


def _signature(bundle: Path, trusted_key: Path | None, result: Verification) -> bytes | None:
    """Check the signature; return the manifest bytes when it verifies, else None."""
    missing = [n for n in (MANIFEST, SIGNATURE, PUBLIC_KEY) if not (bundle / n).is_file()]
    if missing:
        result.failures.append(f"{', '.join(missing)} missing from {bundle}: not an evidence "
                               "bundle, or an incomplete one.")
        return None
    data = (bundle / MANIFEST).read_bytes()
    own = signing.load_public_key((bundle / PUBLIC_KEY).read_bytes(), str(bundle / PUBLIC_KEY))
    key = own
    if trusted_key is not None:
        key = signing.load_public_key(Path(trusted_key).read_bytes(), str(trusted_key))
        if signing.fingerprint(key) != signing.fingerprint(own):
            result.failures.append(
                f"wrong key: the bundle was signed with key {signing.fingerprint(own)[:16]}…, "
                f"not with the trusted key {signing.fingerprint(key)[:16]}… given by --key.")
    if not signing.signature_ok(key, data, (bundle / SIGNATURE).read_text()):
        result.failures.append(
            f"signature: {MANIFEST} does not verify against {SIGNATURE} with key "
            f"{signing.fingerprint(key)[:16]}… (the manifest was edited after signing, or "
            "signed with another key).")
        return None
    if trusted_key is None:
        result.notes.append(f"signed by key {signing.fingerprint(own)} (the bundle's own "
                            "public key: this proves the bundle is unchanged since signing, not "
                            "who signed it; pass --key with the signer's published key).")
    return data


def _files(bundle: Path, manifest: dict[str, Any], result: Verification) -> None:
    listed = manifest.get("files", {})
    for name, digest in sorted(listed.items()):
        path = bundle / name
        if not path.is_file():
            result.failures.append(f"{name}: listed in the manifest but missing.")
        elif file_sha256(path) != digest:
            result.failures.append(f"{name}: SHA-256 differs from the manifest (tampered).")
    own = {MANIFEST, SIGNATURE, PUBLIC_KEY}
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        name = path.relative_to(bundle).as_posix()
        if name not in listed and name not in own:
            result.failures.append(f"{name}: in the bundle but not in the manifest (added).")
    if CLAIMS not in listed:
        result.failures.append(f"{CLAIMS}: the manifest lists no claim file.")


def _artifacts(bundle: Path, manifest: dict[str, Any], search: Path | None, required: bool,
               result: Verification) -> None:
    for entry in manifest.get("records", []):
        art, name = entry.get("artifact", {}), entry.get("file", "")
        path = bundle / name
        if path.is_file() and name in manifest.get("files", {}):
            try:
                recorded = json.loads(path.read_text()).get("artifact", {}).get("sha256")
            except ValueError:  # not JSON any more: its hash check has failed already
                recorded = art.get("recorded_sha256")
            if recorded != art.get("recorded_sha256"):
                result.failures.append(f"{name}: its artifact SHA-256 is not the manifest's.")
        expected = art.get("bundled_sha256") or art.get("recorded_sha256")
        where = Path(art["path"]) if art.get("path") else None
        if where is not None and search is not None:
            where = Path(search) / where.name
        if expected is None or where is None or not where.is_file():
            (result.failures if required else result.notes).append(
                f"artifact of {entry.get('run_id')}: not checked ({where or 'no path'} not "
                "found, or no hash recorded).")
        elif file_sha256(where) != expected:
            result.failures.append(f"artifact of {entry.get('run_id')}: {where} has SHA-256 "
                                   f"{file_sha256(where)[:16]}…, not the bundled "
                                   f"{expected[:16]}… (swapped or modified).")


def verify_bundle(bundle: Path, trusted_key: Path | None = None, artifacts: Path | None = None,
                  require_artifacts: bool = False) -> Verification:
    """Return what verifying the bundle folder found (`.ok` when every check passed)."""
    bundle, result = Path(bundle), Verification()
    data = _signature(bundle, trusted_key, result)
    if data is None:
        return result
    result.manifest = json.loads(data)
    _files(bundle, result.manifest, result)
    _artifacts(bundle, result.manifest, artifacts, require_artifacts, result)
    return result
