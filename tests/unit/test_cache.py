"""The artifact cache builds once, verifies by hash, and rebuilds a corrupt entry."""

from pathlib import Path

from harness.core.cache import ArtifactCache, content_hash


def _builder(calls: list[int]):
    def build(path: Path) -> dict:
        calls.append(1)
        path.write_bytes(b"model bytes")
        return {"note": "built"}

    return build


def test_second_lookup_is_a_hit(tmp_path: Path) -> None:
    cache, calls = ArtifactCache(tmp_path), []
    first = cache.get_or_build("onnx", content_hash("k"), "model.onnx", _builder(calls))
    second = cache.get_or_build("onnx", content_hash("k"), "model.onnx", _builder(calls))
    assert (first.hit, second.hit, len(calls)) == (False, True, 1)
    assert second.meta == {"note": "built"} and second.sha256 == first.sha256


def test_corrupt_entry_is_rebuilt(tmp_path: Path) -> None:
    cache, calls = ArtifactCache(tmp_path), []
    entry = cache.get_or_build("onnx", content_hash("k"), "model.onnx", _builder(calls))
    entry.path.write_bytes(b"truncat")
    again = cache.get_or_build("onnx", content_hash("k"), "model.onnx", _builder(calls))
    assert not again.hit and len(calls) == 2 and again.path.read_bytes() == b"model bytes"


def test_missing_manifest_is_a_miss(tmp_path: Path) -> None:
    cache, calls = ArtifactCache(tmp_path), []
    entry = cache.get_or_build("onnx", content_hash("k"), "model.onnx", _builder(calls))
    (entry.path.parent / "manifest.json").unlink()
    assert cache.lookup("onnx", content_hash("k"), "model.onnx") is None


def test_failed_build_leaves_nothing(tmp_path: Path) -> None:
    cache = ArtifactCache(tmp_path)

    def broken(path: Path) -> dict:
        path.write_bytes(b"half")
        raise RuntimeError("exporter crashed")

    try:
        cache.get_or_build("onnx", content_hash("k"), "model.onnx", broken)
    except RuntimeError:
        pass
    assert cache.lookup("onnx", content_hash("k"), "model.onnx") is None
    assert not [p for p in (tmp_path / "onnx").iterdir() if p.name.startswith(".")]


def test_content_hash_depends_on_every_part() -> None:
    assert content_hash("a", 1) != content_hash("a", 2)
    assert content_hash(b"x", {"k": 1}) == content_hash(b"x", {"k": 1})
