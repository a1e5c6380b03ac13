"""Ed25519 keys and signatures for evidence bundles (the `cryptography` package, `evidence` extra).

A key file is an unencrypted PKCS#8 PEM private key, as `openssl genpkey -algorithm ed25519`
writes it; a public key is a SubjectPublicKeyInfo PEM. A key's fingerprint is the SHA-256 of its
raw 32 public bytes, which a signer publishes so a buyer can tell the key is theirs.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from harness.core.errors import HarnessError

KEY_HINT = ("Make one with: openssl genpkey -algorithm ed25519 -out signing_key.pem (keep it "
            "private), or omit --key to sign with a key generated for this bundle.")


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError as exc:
        raise HarnessError("Signed evidence needs the 'cryptography' package, which is not "
                           "installed.", "Install it with: pip install -e '.[evidence]'") from exc
    return ed25519


def _serialization() -> Any:
    _crypto()
    from cryptography.hazmat.primitives import serialization

    return serialization


def generate_key() -> Any:
    """Return a fresh Ed25519 private key."""
    return _crypto().Ed25519PrivateKey.generate()


def load_private_key(path: Path) -> Any:
    """Return the Ed25519 private key in PEM file `path`; HarnessError with the fix otherwise."""
    ed25519, ser = _crypto(), _serialization()
    try:
        key = ser.load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as exc:
        raise HarnessError(f"Cannot read the signing key {path}: {exc.strerror}.", KEY_HINT) \
            from exc
    except (ValueError, TypeError) as exc:
        raise HarnessError(f"{path} is not an unencrypted PEM private key: {exc}.", KEY_HINT) \
            from exc
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise HarnessError(f"{path} holds a {type(key).__name__}, not an Ed25519 key.", KEY_HINT)
    return key


def public_pem(key: Any) -> bytes:
    """Return the PEM (SubjectPublicKeyInfo) of a private key's public half."""
    ser = _serialization()
    return key.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo)


def load_public_key(data: bytes, where: str) -> Any:
    """Return the Ed25519 public key in PEM `data` (a private key's PEM gives its public half);
    HarnessError naming `where` otherwise."""
    ed25519, ser = _crypto(), _serialization()
    try:
        key = ser.load_pem_public_key(data)
    except ValueError:
        try:
            key = ser.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise HarnessError(f"{where} is not a PEM Ed25519 key: {exc}.",
                               "Pass the signer's public key file (public_key.pem).") from exc
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise HarnessError(f"{where} holds a {type(key).__name__}, not an Ed25519 key.",
                           "Pass the signer's Ed25519 public key.")
    return key


def fingerprint(public_key: Any) -> str:
    """Return the SHA-256 (hex) of the raw 32-byte public key."""
    ser = _serialization()
    raw = public_key.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign(key: Any, data: bytes) -> str:
    """Return the base64 Ed25519 signature of `data`."""
    return base64.b64encode(key.sign(data)).decode() + "\n"


def signature_ok(public_key: Any, data: bytes, signature_b64: str) -> bool:
    """Return True when `signature_b64` is `public_key`'s valid signature of `data`."""
    from cryptography.exceptions import InvalidSignature

    try:
        public_key.verify(base64.b64decode(signature_b64.strip(), validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True
