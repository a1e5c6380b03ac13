"""Energy meters: one contract (base.py), one module per source, a factory and the method.

Importing this package touches no hardware; meters probe lazily.
"""

from harness.energy.auto import create_meter
from harness.energy.base import (
    EnergyMeter,
    EnergyReading,
    MeterWindow,
    NullMeter,
    Probe,
    Provenance,
)
from harness.energy.config import MeterConfig
from harness.energy.method import (
    EnergySummary,
    IdleBaseline,
    idle_baseline,
    provenance_mark,
    required_window_s,
    summarise_energy,
    window_covered,
)
from harness.energy.registry import METERS, meter_names

__all__ = [
    "METERS",
    "EnergyMeter",
    "EnergyReading",
    "EnergySummary",
    "IdleBaseline",
    "MeterConfig",
    "MeterWindow",
    "NullMeter",
    "Probe",
    "Provenance",
    "create_meter",
    "idle_baseline",
    "meter_names",
    "provenance_mark",
    "required_window_s",
    "summarise_energy",
    "window_covered",
]
