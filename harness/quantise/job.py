"""What every ONNX recipe handler receives: source, destination, options and calibration data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from onnxruntime import quantization as q

from harness.core.errors import QuantisationError
from harness.models.inputs import CalibrationSet
from harness.quantise.config import QuantConfig


@dataclass(frozen=True)
class OnnxJob:
    """One recipe application: read `src`, write `dst` (scratch files go next to `dst`)."""

    src: Path
    dst: Path
    cfg: QuantConfig
    calib: CalibrationSet | None
    input_name: str
    reduce_range: bool
    ranges_dir: Path | None = None  # where calibration ranges are cached (None: not cached)

    def scratch(self, name: str) -> Path:
        """Return a scratch path beside the output (removed with the cache's temp folder)."""
        return self.dst.with_name(name)

    def require_calibration(self) -> CalibrationSet:
        """Return the calibration set; raise QuantisationError when the caller gave none."""
        if self.calib is None or len(self.calib.inputs) == 0:
            raise QuantisationError(
                f"Recipe '{self.cfg.name}' needs calibration data and got none.",
                "Set quant.calibration_size to a positive number.",
            )
        return self.calib


class CalibrationReader(q.CalibrationDataReader):
    """Feeds calibration feeds (dicts of every model input) one at a time."""

    def __init__(self, feeds: list[dict[str, np.ndarray]]) -> None:
        self._feeds = feeds
        self._items: Iterator[dict[str, np.ndarray]] = self._iter()

    def _iter(self) -> Iterator[dict[str, np.ndarray]]:
        return iter(self._feeds)

    def get_next(self) -> dict[str, np.ndarray] | None:
        """Return the next sample's feed dict, or None when all were given."""
        return next(self._items, None)

    def rewind(self) -> None:
        """Start again from the first sample (onnxruntime calls this for some methods)."""
        self._items = self._iter()
