"""TargetConfig: the `target` config group (a backend on a device)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.core.ranges import at_least, check_fields

TARGET_RANGES = {"threads": at_least(1, "the runtime's default")}


@dataclass
class TargetConfig:
    """A backend on a device, with the backend's own options (validated by the backend)."""

    name: str = "cpu"
    backend: str = "onnxruntime"
    device: str = "cpu"
    threads: int | None = None  # None: the runtime's default; else at least 1
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_fields(self, "target", TARGET_RANGES)
