"""int8 defaults per backend: which quantiser and activation symmetry `quant=int8_static` gets.

`quant.quantiser: auto` and `quant.activation_symmetric: null` (the int8_static preset) are
filled in here from the run's backend, before the artifact is built, so the same preset gives
each backend the graph its int8 kernels run fastest; a value the user sets is kept. Each choice
carries the one line the record keeps (`artifact.meta.int8_defaults`); the measurements behind
the table are in docs/int8_defaults.md.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, replace

from harness.core.host import has_vnni
from harness.quantise.config import QuantConfig, Recipe

AUTO = "auto"


@dataclass(frozen=True)
class Int8Default:
    """What `auto` means on one backend: a quantiser, symmetric activations or not, and why."""

    quantiser: str
    activation_symmetric: bool
    why: str


ONNXRUNTIME = Int8Default(
    "onnxruntime", False,
    "onnxruntime's QDQ quantiser, U8S8 (asymmetric uint8 activations): onnxruntime fuses it "
    "into QLinearConv/QGemm, which have x86 int8 kernels; its S8S8 and NNCF graphs ran their "
    "Convs in fp32")
OPENVINO = Int8Default(
    "nncf", True,
    "NNCF's performance preset (symmetric activations): OpenVINO's CPU plugin runs its "
    "quantised Convs in int8, whereas onnxruntime's U8S8 QDQ graph left a third to a half of "
    "the time in unfused quantise/dequantise")
#: backend -> its default; any other backend (a plugin's, torch's own recipes) gets ONNXRUNTIME.
BY_BACKEND = {"onnxruntime": ONNXRUNTIME, "openvino": OPENVINO}


def _installed(quantiser: str) -> bool:
    return quantiser == "onnxruntime" or importlib.util.find_spec(quantiser) is not None


def choose(backend: str) -> tuple[Int8Default, str]:
    """Return (backend's int8 default, the record's line on it), falling back to onnxruntime's
    quantiser when the default's package is not installed."""
    choice = BY_BACKEND.get(backend, ONNXRUNTIME)
    cpu = "VNNI/AMX" if has_vnni() else "no VNNI"
    if not _installed(choice.quantiser):
        return ONNXRUNTIME, (f"{backend} (CPU {cpu}): onnxruntime's quantiser, because "
                             f"{choice.quantiser} is not installed (pip install -e '.[nncf]' "
                             f"gives {backend} its faster default: {choice.why})")
    return choice, f"{backend} (CPU {cpu}): {choice.why}"


def ort_only_settings(cfg: QuantConfig) -> list[str]:
    """Return cfg's settings that only onnxruntime's quantiser honours, where they differ from
    int8_static's (NNCF chooses these itself), as `quant.NAME=value`."""
    base = QuantConfig(recipe=Recipe.int8_static)
    names = ("per_channel", "activation_type", "weight_type", "weight_symmetric", "op_types",
             "calibration_method", "reduce_range")
    values = {n: getattr(cfg, n) for n in names if getattr(cfg, n) != getattr(base, n)}
    return [f"quant.{n}={getattr(v, 'value', v)}" for n, v in values.items()]


def resolve(cfg: QuantConfig, backend: str | None) -> tuple[QuantConfig, str | None]:
    """Return (cfg with `auto`/unset filled for `backend`, the line saying what was chosen and
    why, or None when nothing was left to choose); backend None means onnxruntime's defaults."""
    auto_quantiser = cfg.quantiser == AUTO
    if not auto_quantiser and cfg.activation_symmetric is not None:
        return cfg, None
    if cfg.recipe is not Recipe.int8_static:
        return replace(cfg, quantiser="onnxruntime" if auto_quantiser else cfg.quantiser,
                       activation_symmetric=bool(cfg.activation_symmetric)), None
    choice, why = choose(backend or "onnxruntime")
    if auto_quantiser and choice.quantiser != "onnxruntime" and (pinned := ort_only_settings(cfg)):
        choice, why = ONNXRUNTIME, (f"{backend}: onnxruntime's quantiser, because "
                                    f"{', '.join(pinned)} is only honoured by it")
    quantiser = choice.quantiser if auto_quantiser else cfg.quantiser
    symmetric = cfg.activation_symmetric
    if symmetric is None:
        symmetric = OPENVINO.activation_symmetric if quantiser == "nncf" else False
    line = why if auto_quantiser else None
    return replace(cfg, quantiser=quantiser, activation_symmetric=symmetric), line
