"""Signed evidence: a clean bundle verifies; tampering, a swapped artifact, an edited manifest
and a wrong key each fail verification, naming what failed."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("cryptography", reason="signed evidence needs the 'evidence' extra")

from harness.cli import dispatch  # noqa: E402
from harness.core.artifact import Artifact  # noqa: E402
from harness.core.cache import file_sha256  # noqa: E402
from harness.core.errors import HarnessError  # noqa: E402
from harness.report.evidence_sign import generate_key, public_pem  # noqa: E402
from harness.report.evidence_verify import verify_bundle  # noqa: E402
from tests.unit.report.records_factory import make_record, write_records  # noqa: E402

CLAIMS = """
claims:
  - {id: fast, metric: p90_ms, op: "<=", bound: 2.0, match: {model: resnet8}}
"""


@pytest.fixture()
def bundle(tmp_path: Path, tiny_onnx: Artifact) -> Path:
    """Return a bundle signed with a generated key over two real records and a real artifact."""
    art = {"path": str(tiny_onnx.path), "sha256": file_sha256(tiny_onnx.path), "format": "onnx",
           "size_bytes": tiny_onnx.path.stat().st_size}
    records = [dataclasses.replace(make_record(seed=s), run_id=f"r{s}", artifact=art)
               for s in (0, 1)]
    folder = write_records(tmp_path / "results", [*records, make_record(model="vww")])
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS)
    out = tmp_path / "evidence"
    assert dispatch(["claims", str(claims), str(folder), "--evidence", str(out)]) == 0
    return out


def failures(bundle: Path, **kwargs: object) -> list[str]:
    return verify_bundle(bundle, **kwargs).failures  # type: ignore[arg-type]


def test_clean_bundle_verifies(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert sorted(manifest["files"]) == ["claims.yaml", "records/0001-r0.json",
                                         "records/0002-r1.json"]  # only the judged records
    assert manifest["verdicts"] == {"fast": "PASS"} and manifest["environment"]["python"]
    result = verify_bundle(bundle)
    assert result.ok, result.failures
    assert any("not who signed it" in n for n in result.notes)
    assert dispatch(["verify", str(bundle)]) == 0


def test_tampered_record_fails(bundle: Path) -> None:
    path = bundle / "records/0001-r0.json"
    path.write_text(path.read_text().replace('"status": "ok"', '"status": "failed"', 1))
    assert failures(bundle) == ["records/0001-r0.json: SHA-256 differs from the manifest "
                                "(tampered)."]
    assert dispatch(["verify", str(bundle)]) == 1


def test_added_file_fails(bundle: Path) -> None:
    (bundle / "records/0003-extra.json").write_text("{}")
    assert failures(bundle) == ["records/0003-extra.json: in the bundle but not in the manifest "
                                "(added)."]


def test_swapped_artifact_fails(bundle: Path, tiny_onnx: Artifact) -> None:
    tiny_onnx.path.write_bytes(tiny_onnx.path.read_bytes() + b"\0")
    found = failures(bundle)
    assert len(found) == 2 and all("swapped or modified" in f for f in found)


def test_missing_artifact_is_a_note_unless_required(bundle: Path, tiny_onnx: Artifact) -> None:
    tiny_onnx.path.unlink()
    assert verify_bundle(bundle).ok
    assert all("not checked" in f for f in failures(bundle, require_artifacts=True))


def test_edited_manifest_fails(bundle: Path) -> None:
    path = bundle / "manifest.json"
    path.write_text(path.read_text().replace('"PASS"', '"FAIL"'))
    (found,) = failures(bundle)
    assert found.startswith("signature: manifest.json does not verify")


def test_wrong_key_fails(bundle: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(public_pem(generate_key()))
    found = failures(bundle, trusted_key=other)
    assert found[0].startswith("wrong key: the bundle was signed with key")
    assert dispatch(["verify", str(bundle), "--key", str(other)]) == 1


def test_given_key_signs_and_its_public_key_verifies(tmp_path: Path) -> None:
    key = tmp_path / "signing_key.pem"
    done = subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(key)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"openssl cannot make an Ed25519 key here: {done.stderr[-200:]!r}")
    pub = tmp_path / "public.pem"
    subprocess.run(["openssl", "pkey", "-in", str(key), "-pubout", "-out", str(pub)], check=True)
    folder = write_records(tmp_path / "results", [make_record()])
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS)
    out = tmp_path / "evidence"
    dispatch(["claims", str(claims), str(folder), "--evidence", str(out), "--key", str(key)])
    result = verify_bundle(out, trusted_key=pub)
    assert result.ok and not any("not who signed" in n for n in result.notes)


def test_bad_key_file_and_reused_folder_say_what_to_do(bundle: Path, tmp_path: Path) -> None:
    claims, folder = bundle / "claims.yaml", tmp_path / "results"
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    with pytest.raises(HarnessError, match="openssl genpkey"):
        dispatch(["claims", str(claims), str(folder), "--evidence", str(tmp_path / "new"),
                  "--key", str(bad)])
    with pytest.raises(HarnessError, match="never overwritten"):
        dispatch(["claims", str(claims), str(folder), "--evidence", str(bundle)])
