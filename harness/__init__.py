"""edge-harness: benchmark AI inference across backends, precisions and devices."""

__version__ = "0.1.0"
