"""edge-harness: benchmark AI inference across backends, precisions and devices."""

from harness.core.offline import refuse_telemetry

__version__ = "0.1.0"

refuse_telemetry()  # every process that imports the harness: no usage events over the network
