"""A local Hugging Face model folder through transformers (extra `hf`); nothing downloads.

from_pretrained runs with local_files_only=True and trust_remote_code=False, so neither the
network nor code shipped in the folder is used. Weights load from safetensors when the folder
has them (use_safetensors=True); otherwise every pickled weights file is scanned (pickle_scan)
before transformers is even imported, and loads under torch.load forced to weights_only.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.core.errors import BackendUnavailable, ModelError
from harness.core.pickle_scan import check_torch_file, weights_only_loads
from harness.models.config import InputSpec, ModelConfig
from harness.models.loaded import LoadedModel, weights_hash
from harness.models.resolve import DeclaredInput, resolve_inputs
from harness.models.safety import model_file
from harness.zoo.encoder import EncoderModule

PICKLED_WEIGHTS = (".bin", ".pt", ".pth", ".ckpt")
WEIGHT_STEMS = ("pytorch_model", "model", "adapter_model")  # what from_pretrained reads


def _transformers() -> Any:
    try:
        import transformers
    except ImportError as exc:
        raise BackendUnavailable("model.source=hf needs transformers, which is not installed.",
                                 "pip install 'edge-harness[hf]'.") from exc
    return transformers


def check_weights(folder: Path) -> bool:
    """Scan the folder's pickled weights files (ModelError if one is unsafe); return whether
    it has safetensors weights, which are then the only ones loaded."""
    if any(folder.glob("*.safetensors")):
        return True
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in PICKLED_WEIGHTS
                       and p.name.startswith(WEIGHT_STEMS)):
        check_torch_file(path.read_bytes(), f"{folder.name}/{path.name}")
    return False


def token_fills(names: tuple[str, ...], given: Mapping[str, InputSpec], vocab_size: int | None
                ) -> dict[str, InputSpec]:
    """Return each token input's fill: what model.inputs sets, else what a deployment feeds
    (token ids uniform in [0, vocab_size), attention_mask all ones, token_type_ids zeros)."""
    defaults: dict[str, dict[str, float]] = {"attention_mask": {"value": 1},
                                             "token_type_ids": {"value": 0}}
    if vocab_size:
        defaults["input_ids"] = {"low": 0, "high": float(vocab_size)}
    fills = dict(given)
    for name in names:
        spec = fills.get(name) or InputSpec()
        if spec.describe() == "default" and name in defaults:
            fills[name] = InputSpec(shape=spec.shape, dtype=spec.dtype, **defaults[name])
    return fills


def load_hf(cfg: ModelConfig, cache_dir: Path) -> LoadedModel:
    """Return the folder's model (AutoModelFor... from config.architectures, else AutoModel)."""
    folder = model_file(cfg.path, "path", (), folder=True)
    safetensors = check_weights(folder)
    tf = _transformers()
    opts = {"local_files_only": True, "trust_remote_code": False}
    try:
        config = tf.AutoConfig.from_pretrained(str(folder), **opts)
        arch = (getattr(config, "architectures", None) or [""])[0]
        auto = tf.AutoModelForSequenceClassification if arch.endswith(
            "ForSequenceClassification") else tf.AutoModel
        with weights_only_loads():
            model = auto.from_pretrained(str(folder), use_safetensors=safetensors or None,
                                         **opts).eval()
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{folder} is not a loadable Hugging Face model: {exc}".splitlines()[0],
                         "Point model.path at a folder with config.json and weights "
                         "(save_pretrained); nothing is downloaded.") from exc
    module = EncoderModule(model).eval()
    fills = token_fills(module.input_names, cfg.inputs, getattr(config, "vocab_size", None))
    declared = [DeclaredInput(n, ("batch", "seq_len"), "int64") for n in module.input_names]
    specs = resolve_inputs(declared, cfg.inputs, cfg.batch_size, cfg.name)
    task = "classification" if auto is not tf.AutoModel else cfg.task
    return LoadedModel(
        name=cfg.name, module=module, inputs=specs, task=task,
        num_classes=getattr(config, "num_labels", None) if task == "classification" else None,
        dataset=None, weights_sha256=weights_hash(module),
        parameter_count=sum(p.numel() for p in module.parameters()), source="hf", fills=fills,
        provenance={"path": str(folder), "architecture": arch,
                    "transformers": tf.__version__},
    )
