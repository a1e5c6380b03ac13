"""Data residency and jurisdiction of a deployment preset (its `residency:` section): facts.

Where inputs are processed and stored, who runs it under which law, whether data leaves the
device, and which legal regimes can compel access. Not a score: the user sets these for their
own provider. A provider under US jurisdiction is subject to the CLOUD Act in every region,
EU regions included (18 U.S.C. § 2713), so that regime is added whatever the preset says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.core.errors import ConfigError

LOCATIONS = {
    "device": "on the device",
    "on_premises": "on premises (own site)",
    "eu_region_eu_provider": "an EU region of an EU provider",
    "eu_region_us_provider": "an EU region of a US provider",
    "us_region": "a US region",
    "not_stored": "not stored",
}
REGIMES = {
    "us_cloud_act": "US CLOUD Act, 18 U.S.C. § 2713: a US provider must disclose data in its "
                    "possession, custody or control 'regardless of whether such communication, "
                    "record, or other information is located within or outside of the United "
                    "States'",
    "us_fisa_702": "US FISA section 702, 50 U.S.C. § 1881a (foreign-intelligence acquisition "
                   "from US electronic communication service providers)",
    "eu_e_evidence": "EU e-Evidence Regulation (EU) 2023/1543 (European Production and "
                     "Preservation Orders to service providers offering services in the EU)",
    "national_law": "the criminal-procedure law of the country where the data or the device is",
}
KEYS = ("processed_in", "stored_in", "provider", "provider_jurisdiction", "leaves_device",
        "compelled_access")


@dataclass(frozen=True)
class Residency:
    """Where one deployment processes and stores inputs and which regimes can compel access."""

    name: str
    processed_in: str
    stored_in: str
    provider: str
    provider_jurisdiction: str
    leaves_device: bool
    compelled_access: tuple[str, ...]

    def __post_init__(self) -> None:
        for key in ("processed_in", "stored_in"):
            if getattr(self, key) not in LOCATIONS:
                raise ConfigError(f"Deployment preset '{self.name}': residency.{key} = "
                                  f"'{getattr(self, key)}' is not a known location.",
                                  f"Use one of {', '.join(LOCATIONS)}.")
        unknown = [r for r in self.compelled_access if r not in REGIMES]
        if unknown:
            raise ConfigError(f"Deployment preset '{self.name}': unknown regime(s) {unknown} "
                              "in residency.compelled_access.", f"Use {', '.join(REGIMES)}.")


def residency(name: str, section: dict[str, Any] | None) -> Residency | None:
    """Return the preset's residency facts (CLOUD Act added for US providers), None if unset."""
    if not section:
        return None
    unknown = set(section) - set(KEYS)
    if unknown:
        raise ConfigError(f"Deployment preset '{name}': unknown residency key(s) "
                          f"{sorted(unknown)}.", f"Valid keys: {', '.join(KEYS)}.")
    regimes = list(section.get("compelled_access") or [])
    jurisdiction = str(section.get("provider_jurisdiction", "none"))
    if jurisdiction.upper() == "US" and "us_cloud_act" not in regimes:
        regimes.append("us_cloud_act")
    return Residency(name, str(section.get("processed_in", "")),
                     str(section.get("stored_in", "not_stored")),
                     str(section.get("provider", "")), jurisdiction,
                     bool(section.get("leaves_device", True)), tuple(regimes))


def residency_row(res: Residency) -> dict[str, str]:
    """Return one display row of a preset's residency facts."""
    return {"deployment": res.name, "processed": LOCATIONS[res.processed_in],
            "stored": LOCATIONS[res.stored_in],
            "provider": f"{res.provider} ({res.provider_jurisdiction})".strip(),
            "leaves_device": "yes" if res.leaves_device else "no",
            "compelled_access": "; ".join(res.compelled_access) or "none beyond national law",
            "status": "ok"}


def regime_notes(rows: list[Residency]) -> list[str]:
    """Return one citation line per regime named by any of the presets."""
    named = sorted({r for res in rows for r in res.compelled_access})
    return [f"{r}: {REGIMES[r]}" for r in named]
