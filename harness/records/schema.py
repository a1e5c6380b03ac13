"""The run record: one frozen, schema-versioned JSON document per run, in typed sections."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any

from harness.records.sections import (
    SECTIONS,
    AccuracySection,
    ArtifactSection,
    BackendSection,
    ColdStartSection,
    EnergySection,
    EnvironmentSection,
    GenerativeSection,
    MemorySection,
    ModelSection,
    ProfileSection,
    ScenarioSection,
)
from harness.records.upgrade import SCHEMA_VERSION, upgrade


class Status(str, Enum):
    """How a run ended."""

    ok = "ok"
    failed = "failed"
    skipped = "skipped"


@dataclass(frozen=True)
class RunRecord:
    """Everything one run measured and everything needed to reproduce and trust it.

    Sections may be given as mappings; they are checked and stored as their typed section."""

    run_id: str
    sweep: str
    status: Status
    config: dict[str, Any]
    config_hash: str
    created_at: str
    reason: str = ""
    error_type: str = ""
    model: ModelSection = field(default_factory=ModelSection)
    artifact: ArtifactSection = field(default_factory=ArtifactSection)
    backend: BackendSection = field(default_factory=BackendSection)
    environment: EnvironmentSection = field(default_factory=EnvironmentSection)
    phases_s: dict[str, float] = field(default_factory=dict)
    scenario: ScenarioSection = field(default_factory=ScenarioSection)
    energy: EnergySection = field(default_factory=EnergySection)
    accuracy: AccuracySection = field(default_factory=AccuracySection)
    memory: MemorySection = field(default_factory=MemorySection)
    profile: ProfileSection = field(default_factory=ProfileSection)
    cold_start: ColdStartSection = field(default_factory=ColdStartSection)
    generative: GenerativeSection = field(default_factory=GenerativeSection)
    warnings: list[str] = field(default_factory=list)
    traceback: str = ""
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        """Store each section as its typed form (TypeError names a mistyped field)."""
        for name, kind in SECTIONS.items():
            object.__setattr__(self, name, kind.from_dict(getattr(self, name)))
        object.__setattr__(self, "status", Status(self.status))

    def to_dict(self) -> dict[str, Any]:
        """Return the record as plain JSON-serialisable types."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in SECTIONS:
            data[name] = data[name].to_dict()
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], owned: bool = False) -> RunRecord:
        """Rebuild a record from its JSON form (any schema up to this one, upgraded to it);
        unknown top-level keys from newer schemas are ignored. `owned`: `data` is the caller's
        to give away (fresh from json.loads): the record may keep and change its parts."""
        data = upgrade(data, owned=owned)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
