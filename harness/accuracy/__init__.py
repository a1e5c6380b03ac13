"""Accuracy: fidelity against the FP32 reference, and task metrics on real data."""
