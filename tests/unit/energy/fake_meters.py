"""Stand-ins for NVML (hardware this machine may not have), registered in place of `nvml`."""

from __future__ import annotations

from harness.core.probe import Probe
from harness.energy.base import NullMeter


class NoGpu(NullMeter):
    """NVML on a machine without an NVIDIA driver or GPU."""

    def probe(self) -> Probe:
        """Return unavailable, worded as the real meter words it."""
        return Probe(False, "NVML: cannot initialise (faked), so no NVIDIA driver or GPU here")


class GpuPresent(NullMeter):
    """NVML on a machine with an NVIDIA GPU."""

    def probe(self) -> Probe:
        """Return available."""
        return Probe(True, "NVML: GPU 0 (faked)")
