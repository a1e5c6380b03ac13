"""Cost per million inferences: a fixed cost per month plus a variable cost per inference.

Device: fixed = purchase / (lifetime in months); variable = measured J/inference / 3.6e6 x
EUR/kWh. At duty cycle d it serves V = d x (seconds per month / service time) inferences a month.
Server or cloud instance: fixed = EUR/h x hours per month (billed whether busy or not); variable
= GB on the wire x egress EUR/GB, plus, when the price excludes energy, PUE x net J/inference x
EUR/kWh (and PUE x idle W in the fixed part). At utilisation u it serves u x capacity.
EUR per inference at volume V = fixed / V + variable, so two options cross at
V* = (fixed_a - fixed_b) / (variable_b - variable_a), reported only where both can serve V*.
One device is compared with one instance; more volume than one can serve needs more of them.
"""

from __future__ import annotations

from dataclasses import dataclass

J_PER_KWH = 3.6e6
SECONDS_PER_MONTH = 365.25 * 24 * 3600 / 12


@dataclass(frozen=True)
class CostLine:
    """One option's cost model: EUR per month fixed, EUR per inference, capacity per month."""

    name: str
    fixed_eur_per_month: float
    variable_eur_per_inference: float
    capacity_per_month: float
    utilisation: float

    def eur_per_million(self, volume_per_month: float | None = None) -> float:
        """Return EUR per million inferences at this volume (default: its own utilisation)."""
        volume = self.volume_per_month if volume_per_month is None else volume_per_month
        return (self.fixed_eur_per_month / volume + self.variable_eur_per_inference) * 1e6

    @property
    def volume_per_month(self) -> float:
        """Return the inferences a month served at the option's own utilisation."""
        return self.utilisation * self.capacity_per_month


def device_line(name: str, purchase_eur: float, lifetime_years: float, duty_cycle: float,
                energy_j: float, eur_per_kwh: float, service_s: float) -> CostLine:
    """Return the cost line of a device bought outright and powered at `eur_per_kwh`."""
    return CostLine(name, purchase_eur / (lifetime_years * 12),
                    energy_j / J_PER_KWH * eur_per_kwh, SECONDS_PER_MONTH / service_s,
                    duty_cycle)


def server_line(name: str, price_eur_per_hour: float, service_s: float, utilisation: float,
                wire_gb: float = 0.0, egress_eur_per_gb: float = 0.0,
                facility_net_j: float = 0.0, facility_idle_w: float = 0.0,
                eur_per_kwh: float = 0.0) -> CostLine:
    """Return the cost line of a server or instance billed per hour (energy in or on top)."""
    hours = SECONDS_PER_MONTH / 3600
    idle_kwh = facility_idle_w * SECONDS_PER_MONTH / J_PER_KWH
    return CostLine(name, price_eur_per_hour * hours + idle_kwh * eur_per_kwh,
                    wire_gb * egress_eur_per_gb + facility_net_j / J_PER_KWH * eur_per_kwh,
                    SECONDS_PER_MONTH / service_s, utilisation)


def crossover_per_month(a: CostLine, b: CostLine) -> float | None:
    """Return the monthly volume at which a and b cost the same, or None if they never do
    within what both can serve."""
    dv = b.variable_eur_per_inference - a.variable_eur_per_inference
    if dv == 0:
        return None
    volume = (a.fixed_eur_per_month - b.fixed_eur_per_month) / dv
    if volume <= 0 or volume > min(a.capacity_per_month, b.capacity_per_month):
        return None
    return volume


def duty_crossover(device: CostLine, other: CostLine) -> float | None:
    """Return the device duty cycle (0-1] above which its EUR/inference beats `other` at
    other's own utilisation, or None when it never does."""
    spare = other.eur_per_million() / 1e6 - device.variable_eur_per_inference
    if spare <= 0:
        return None
    duty = device.fixed_eur_per_month / (device.capacity_per_month * spare)
    return duty if duty <= 1 else None


def cheaper_above(a: CostLine, b: CostLine) -> tuple[str, str]:
    """Return (cheaper at low volume, cheaper at high volume) of the two options."""
    low = a if a.fixed_eur_per_month <= b.fixed_eur_per_month else b
    high = b if low is a else a
    return low.name, high.name
