"""Command-line overrides that add keys to the open mappings of the config.

`model.inputs`, `target.options`, `meter.options` and `generative.options` are mappings whose
keys the user chooses (input names, backend, meter and generative engine options). Hydra's
struct mode refuses a key the composed config does not have yet unless the override starts with
`+`, and `+` refuses one it already has; `++` (add or override) does both. So the documented
spellings `model.inputs.images.shape=[1,3,320,320]` and `target.options.io_binding=true` are
passed to Hydra as `++…`. Overrides that already carry a prefix (`+`, `++`, `~`) are left alone."""

from __future__ import annotations

import re
from collections.abc import Sequence

OPEN_MAPPINGS = ("model.inputs", "target.options", "meter.options", "generative.options")
_OPEN_KEY = re.compile(rf"^(?:{'|'.join(re.escape(m) for m in OPEN_MAPPINGS)})\.[^=]+=")


def open_mapping_overrides(argv: Sequence[str]) -> list[str]:
    """Return `argv` with each plain override of a key inside an open mapping made `++key=v`."""
    return [f"++{arg}" if _OPEN_KEY.match(arg) else arg for arg in argv]
