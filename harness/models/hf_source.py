"""A local Hugging Face model folder through transformers (extra `hf`); nothing downloads.

from_pretrained runs with local_files_only=True and trust_remote_code=False, so neither the
network nor code shipped in the folder is used. Weights load from safetensors when the folder
has them (use_safetensors=True); otherwise every pickled weights file is scanned (pickle_scan)
before transformers is even imported, and loads under torch.load forced to weights_only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from harness.core.errors import BackendUnavailable, ModelError
from harness.core.pickle_scan import check_torch_file, weights_only_loads
from harness.models.config import InputSpec, ModelConfig
from harness.models.loaded import LoadedModel, weights_hash
from harness.models.resolve import DeclaredInput, resolve_inputs
from harness.models.safety import model_file

INPUT = "input_ids"
PICKLED_WEIGHTS = (".bin", ".pt", ".pth", ".ckpt")
WEIGHT_STEMS = ("pytorch_model", "model", "adapter_model")  # what from_pretrained reads


class HfLogits(torch.nn.Module):
    """Wraps a transformers model: input_ids in, logits (or last hidden state) out."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        """Return the model's logits, or its last hidden state when it has no head."""
        out: Any = self.model(input_ids=input_ids)
        logits = getattr(out, "logits", None)
        return logits if logits is not None else out.last_hidden_state


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
    fills = dict(cfg.inputs)
    given = fills.get(INPUT) or InputSpec()
    if given.describe() == "default" and getattr(config, "vocab_size", None):
        fills[INPUT] = InputSpec(shape=given.shape, dtype=given.dtype, low=0,
                                 high=float(config.vocab_size))
    declared = [DeclaredInput(INPUT, ("batch", "seq_len"), "int64")]
    specs = resolve_inputs(declared, cfg.inputs, cfg.batch_size, cfg.name)
    module = HfLogits(model).eval()
    task = "classification" if auto is not tf.AutoModel else cfg.task
    return LoadedModel(
        name=cfg.name, module=module, inputs=specs, task=task,
        num_classes=getattr(config, "num_labels", None) if task == "classification" else None,
        dataset=None, weights_sha256=weights_hash(module),
        parameter_count=sum(p.numel() for p in module.parameters()), source="hf", fills=fills,
        provenance={"path": str(folder), "architecture": arch,
                    "transformers": tf.__version__},
    )
