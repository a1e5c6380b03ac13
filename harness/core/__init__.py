"""Shared foundations, importing no other harness package:

errors, registries, artifacts, cache, stats, host facts, ONNX helpers."""
