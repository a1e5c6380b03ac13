"""Convert a save_pretrained() folder into the folder OpenVINO GenAI's LLMPipeline loads.

optimum-intel (the usual exporter) pins transformers < 5.6, so the conversion is done here with
the same recipe: trace the causal LM with its KV cache as explicit inputs/outputs
(`openvino.convert_model`), fuse a `beam_idx` Gather into the cache inputs, hide the cache in
model state (`apply_make_stateful_transformation`), compress weights with NNCF (int8: INT8_ASYM
per channel; int4: INT4_ASYM, group 128 adjusted to a divisor where a layer needs it), and
convert the tokenizer with openvino_tokenizers. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import time
import warnings
from pathlib import Path
from typing import Any

from harness.core.errors import ModelError

#: Weight formats and the NNCF mode each uses (fp32: none).
WEIGHT_FORMATS = {"fp32": None, "int8": "INT8_ASYM", "int4": "INT4_ASYM"}
INT4_GROUP_SIZE = 128
COPIED_FILES = ("config.json", "generation_config.json", "tokenizer_config.json",
                "tokenizer.json", "special_tokens_map.json", "harness_model.json")
MARKER = "harness_ov.json"


def converted_folder(folder: Path, cache_dir: str | Path, weight_format: str) -> tuple[Path, dict]:
    """Return the converted folder under cache_dir/generative/ovgenai and its provenance
    (cache_hit, convert_s, converter, compression); converts on a cache miss."""
    out = Path(cache_dir) / "generative" / "ovgenai" / f"{folder.name}-{weight_format}"
    source = _fingerprint(folder)
    if (out / MARKER).is_file():
        info = json.loads((out / MARKER).read_text())
        if info.get("source") == source:
            return out, {**info, "cache_hit": True}
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    start = time.perf_counter()
    info = convert(folder, tmp, weight_format)
    info.update(convert_s=round(time.perf_counter() - start, 3), source=source)
    (tmp / MARKER).write_text(json.dumps(info, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out, {**info, "cache_hit": False}


def _fingerprint(folder: Path) -> str:
    """Return a hash of the folder's path and its files' names, sizes and mtimes, so another
    folder of the same name, or re-saved weights, convert again instead of hitting the cache."""
    entries = sorted((f.name, f.stat().st_size, f.stat().st_mtime_ns)
                     for f in folder.iterdir() if f.is_file())
    key = json.dumps([str(folder.resolve()), entries])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def convert(folder: Path, out: Path, weight_format: str) -> dict[str, Any]:
    """Write openvino_model.xml/.bin (stateful, compressed), the OpenVINO tokenizer and
    detokenizer, and the folder's config files into out; return what was done."""
    import openvino as ov
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(folder), local_files_only=True,
                                                 trust_remote_code=False, dtype=torch.float32)
    model.eval()
    kv_in, kv_out = _kv_names(int(model.config.num_hidden_layers))
    with torch.no_grad(), warnings.catch_warnings():
        # the trace's shape-dependent branches are checked by the tests (prefill logits and
        # cached decode steps equal transformers'); per-branch TracerWarnings are only noise
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        ov_model = ov.convert_model(_cache_as_tensors(model), example_input=_example(model))
    for port, name in zip(ov_model.inputs, ["input_ids", "attention_mask", "position_ids"]
                          + kv_in, strict=True):
        port.get_tensor().set_names({name})
    for port, name in zip(ov_model.outputs, ["logits"] + kv_out, strict=True):
        port.get_tensor().set_names({name})
    _make_stateful(ov_model, kv_in, kv_out)
    compression = _compress(ov_model, weight_format)
    ov.save_model(ov_model, str(out / "openvino_model.xml"), compress_to_fp16=False)
    _tokenizer(folder, out)
    for name in COPIED_FILES:
        if (folder / name).is_file():
            shutil.copy(folder / name, out / name)
    import openvino_tokenizers

    return {"weight_format": weight_format, "compression": compression,
            "converter": f"openvino.convert_model (TorchScript trace) + stateful KV cache + "
                         f"nncf {_nncf_version()} + openvino_tokenizers "
                         f"{openvino_tokenizers.__version__.split('-')[0]}",
            "source_folder": str(folder)}


def _cache_as_tensors(model: Any) -> Any:
    """Return a torch module whose forward takes and returns the KV cache as flat tensors
    (past_key_values.i.key/value in, present.i.key/value out), which tracing needs."""
    import torch
    from transformers import DynamicCache

    # transformers 5.x renames past_key_values to cache (the old name is deprecated)
    params = inspect.signature(model.forward).parameters
    cache_arg = "cache" if "cache" in params else "past_key_values"

    class CacheAsTensors(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, position_ids: Any,
                    *past: Any) -> tuple:
            cache = DynamicCache(config=self.model.config)
            for i, layer in enumerate(cache.layers):
                layer.keys, layer.values = past[2 * i], past[2 * i + 1]
                layer.device, layer.is_initialized = past[2 * i].device, True
            out = self.model(input_ids=input_ids, attention_mask=attention_mask,
                             position_ids=position_ids, use_cache=True, **{cache_arg: cache})
            cache = getattr(out, "cache", None) or out.past_key_values
            return (out.logits, *[t for layer in cache.layers
                                  for t in (layer.keys, layer.values)])

    return CacheAsTensors()


def _example(model: Any) -> tuple:
    """A decode-like example (2 new tokens after 3 cached) so no prefill-only branch is traced."""
    import torch

    c = model.config
    heads = int(getattr(c, "num_key_value_heads", None) or c.num_attention_heads)
    head_dim = int(getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads)
    past, new = 3, 2
    kv = tuple(torch.zeros(1, heads, past, head_dim) for _ in range(2 * c.num_hidden_layers))
    return (torch.ones(1, new, dtype=torch.long), torch.ones(1, past + new, dtype=torch.long),
            torch.arange(past, past + new).view(1, -1)) + kv


def _kv_names(layers: int) -> tuple[list[str], list[str]]:
    kv_in = [f"past_key_values.{i}.{k}" for i in range(layers) for k in ("key", "value")]
    return kv_in, [n.replace("past_key_values", "present") for n in kv_in]


def _make_stateful(ov_model: Any, kv_in: list[str], kv_out: list[str]) -> None:
    """Fuse beam_idx into the cache inputs, then turn cache inputs/outputs into state whose
    initial value is an empty cache of the input's batch size (optimum-intel's recipe)."""
    import numpy as np
    import openvino as ov
    from openvino import opset13
    from openvino._offline_transformations import apply_make_stateful_transformation

    ids = ov_model.input("input_ids")
    beam = opset13.parameter(name="beam_idx", dtype=ov.Type.i32,
                             shape=ov.PartialShape([ids.get_partial_shape()[0]]))
    beam.output(0).get_tensor().add_names({"beam_idx"})
    ov_model.add_parameters([beam])
    for name in kv_in:
        port = ov_model.input(name)
        consumers = port.get_target_inputs()
        gather = opset13.gather(port, beam, opset13.constant(0))
        for consumer in consumers:
            consumer.replace_source_output(gather.output(0))
    ov_model.validate_nodes_and_infer_types()
    apply_make_stateful_transformation(ov_model, dict(zip(kv_in, kv_out, strict=True)))
    batch = opset13.gather(opset13.shape_of(ids, output_type="i64"), opset13.constant([0]),
                           opset13.constant(0))
    for op in ov_model.get_ops():
        if op.get_type_name() == "ReadValue":
            dims = [d.min_length for d in list(op.get_output_partial_shape(0))]
            parts = [batch] + [opset13.constant(np.array([d], dtype=np.int64)) for d in dims[1:]]
            zero = opset13.constant(0.0, dtype=op.get_output_element_type(0))
            op.set_arguments([opset13.broadcast(zero, opset13.concat(parts, axis=0))])
    ov_model.validate_nodes_and_infer_types()


def _compress(ov_model: Any, weight_format: str) -> dict[str, Any]:
    """Compress weights in place with NNCF; return the recipe."""
    mode = WEIGHT_FORMATS[weight_format]
    if mode is None:
        return {"mode": "none (fp32 weights)"}
    import nncf
    from nncf.quantization.advanced_parameters import (
        AdvancedCompressionParameters,
        GroupSizeFallbackMode,
    )

    kwargs: dict[str, Any] = {"mode": getattr(nncf.CompressWeightsMode, mode)}
    if weight_format == "int4":
        kwargs.update(ratio=1.0, group_size=INT4_GROUP_SIZE,
                      advanced_parameters=AdvancedCompressionParameters(
                          group_size_fallback_mode=GroupSizeFallbackMode.ADJUST))
    nncf.compress_weights(ov_model, **kwargs)
    return {"mode": mode, **({"group_size": INT4_GROUP_SIZE, "ratio": 1.0,
                              "group_size_fallback": "adjust",
                              "backup_mode": "nncf default: embedding and last layer int8_asym"}
                             if weight_format == "int4" else {"granularity": "per channel"})}


def _tokenizer(folder: Path, out: Path) -> None:
    """Write openvino_tokenizer.xml and openvino_detokenizer.xml from the folder's tokenizer."""
    import openvino as ov
    from openvino_tokenizers import convert_tokenizer
    from transformers import AutoTokenizer

    try:
        hf_tok = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        tok, detok = convert_tokenizer(hf_tok, with_detokenizer=True)
    except Exception as exc:  # converters raise many types; the message is what helps
        raise ModelError(f"openvino_tokenizers could not convert the tokenizer in {folder}: "
                         f"{exc}", "Give the folder a tokenizer.json (a fast tokenizer).") from exc
    ov.save_model(tok, str(out / "openvino_tokenizer.xml"))
    ov.save_model(detok, str(out / "openvino_detokenizer.xml"))


def _nncf_version() -> str:
    import nncf

    return nncf.__version__
