"""Content-addressed artifact cache: build once, verify by hash on every use, rebuild if corrupt."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.core.errors import ResultsError

MANIFEST = "manifest.json"


def content_hash(*parts: Any) -> str:
    """Return a sha256 hex digest over bytes and JSON-serialisable parts, in order."""
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else json.dumps(part, sort_keys=True, default=str)
        digest.update(data if isinstance(data, bytes) else data.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """Return the sha256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class CachedFile:
    """A file from the cache, its hash, and whether it was already there."""

    path: Path
    sha256: str
    size_bytes: int
    hit: bool
    meta: dict[str, Any]


class ArtifactCache:
    """Files under `root/<kind>/<key>/`, each directory written whole or not at all."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _dir(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:16]

    def lookup(self, kind: str, key: str, filename: str) -> CachedFile | None:
        """Return the cached file if present and its hash matches; a corrupt entry is removed."""
        folder = self._dir(kind, key)
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
            path = folder / filename
            if manifest.get("key") != key or file_sha256(path) != manifest["sha256"]:
                raise ValueError("hash mismatch")
        except (OSError, ValueError, KeyError):
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
            return None
        return CachedFile(path, manifest["sha256"], path.stat().st_size, True, manifest["meta"])

    def get_or_build(
        self,
        kind: str,
        key: str,
        filename: str,
        build: Callable[[Path], dict[str, Any]],
    ) -> CachedFile:
        """Return the cached file, or call `build(path)` (which returns metadata) and store it."""
        found = self.lookup(kind, key, filename)
        if found is not None:
            return found
        folder = self._dir(kind, key)
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        except OSError as exc:
            raise ResultsError(
                f"Cannot write the model cache at {folder.parent}: {exc.strerror}.",
                "Make it writable or point cache_dir=... at a writable folder.",
            ) from exc
        try:
            meta = build(tmp / filename)
            sha = file_sha256(tmp / filename)
            manifest = {"key": key, "sha256": sha, "meta": meta}
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, default=str))
            shutil.rmtree(folder, ignore_errors=True)
            try:
                os.replace(tmp, folder)
            except OSError:  # another process stored the same key first: use theirs
                found = self.lookup(kind, key, filename)
                if found is None:
                    raise
                return found
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        path = folder / filename
        return CachedFile(path, sha, path.stat().st_size, False, meta)
