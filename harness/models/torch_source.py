"""torch models the user brings: a module by import path, a .pt2 ExportedProgram, TorchScript.

Loading never unpickles arbitrary objects: a state dict's pickle is scanned (pickle_scan) and
then loaded from the same bytes with torch.load(weights_only=True); a .pt2 archive is inspected
first (pt2_check: no pickled objects, native code or non-arithmetic expressions) and loaded with
every unpickler inside forced safe. TorchScript carries code: only with model.trust_torchscript.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import types
from pathlib import Path
from typing import Any

import torch

from harness.core.cache import file_sha256
from harness.core.errors import ModelError
from harness.core.pickle_scan import check_torch_file, weights_only_loads
from harness.models.config import ModelConfig
from harness.models.datasets import load_dataset
from harness.models.loaded import LoadedModel, weights_hash
from harness.models.pt2_check import check_pt2
from harness.models.resolve import DeclaredInput, dynamic_batch, resolve_inputs
from harness.models.safety import model_file


def _instantiate(cfg: ModelConfig) -> torch.nn.Module:
    from hydra.utils import instantiate

    spec: Any = cfg.module if cfg.module is not None else (
        {"_target_": cfg.target, **cfg.kwargs} if cfg.target else None)
    if not spec or "_target_" not in spec:
        raise ModelError("model.source=torch needs the module to build.",
                         "Set model.module={_target_: pkg.mod.Net, width: 32} or "
                         "model.target=pkg.mod.Net (with model.kwargs).")
    try:
        module = instantiate(spec)
    except Exception as exc:  # hydra wraps import and constructor errors in several types
        raise ModelError(f"Could not build {spec['_target_']}: {exc}".splitlines()[0],
                         "Check the import path and that its package is importable here "
                         "(installed, or on PYTHONPATH).") from exc
    if not isinstance(module, torch.nn.Module):
        raise ModelError(f"{spec['_target_']} built a {type(module).__name__}, not a module.",
                         "Point _target_ at a torch.nn.Module class or factory.")
    return module


def load_state(module: torch.nn.Module, raw: str) -> str:
    """Load a state-dict file (weights_only) into `module`; return the file's sha256."""
    path = model_file(raw, "weights", (".pt", ".pth", ".bin", ".ckpt"))
    data = path.read_bytes()  # scanned and loaded from the same bytes
    try:
        check_torch_file(data, path.name)
    except ModelError as exc:
        raise ModelError(f"{path} is not a plain state dict: {exc.message}", exc.hint) from exc
    try:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # UnpicklingError for anything that is not plain tensors
        raise ModelError(f"{path} is not a plain state dict: {exc}".splitlines()[0],
                         "Save it with torch.save(module.state_dict(), path); files holding "
                         "other objects are refused because loading them runs code.") from exc
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    try:
        module.load_state_dict(state, strict=True)
    except (RuntimeError, TypeError, AttributeError) as exc:
        raise ModelError(f"{path} does not fit the module: {exc}".splitlines()[0][:400],
                         "Save the state dict of this same architecture and settings.") from exc
    return hashlib.sha256(data).hexdigest()


def _signature_inputs(module: torch.nn.Module, cfg: ModelConfig) -> list[DeclaredInput]:
    try:
        params = inspect.signature(module.forward).parameters.values()
        names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                 and (p.default is p.empty or p.name in cfg.inputs)]
    except (TypeError, ValueError):  # TorchScript methods: read the schema instead
        names = [a.name for a in module.forward.schema.arguments[1:]]
    names = names or list(cfg.inputs)
    return [DeclaredInput(n, None, "float32") for n in names]


def _pt2(path: Path) -> tuple[torch.nn.Module, list[DeclaredInput]]:
    check_pt2(path)
    try:
        with weights_only_loads():
            program = torch.export.load(str(path))
    except ModelError:
        raise
    except Exception as exc:  # bad zip, schema mismatch, or an object that needs a full unpickle
        raise ModelError(f"{path} is not a loadable torch.export program: {exc}".splitlines()[0],
                         "Save it with torch.export.save(torch.export.export(...), path) "
                         "with this torch version.") from exc
    user = set(program.graph_signature.user_inputs)
    declared = []
    for node in program.graph.nodes:
        if node.op == "placeholder" and node.name in user:
            val = node.meta.get("val")
            dims = tuple(int(d) if isinstance(d, int) else str(d) for d in val.shape)
            declared.append(DeclaredInput(node.name, dims, str(val.dtype).removeprefix("torch.")))
    return program.module(), declared


def _pin_mode(module: torch.nn.Module) -> torch.nn.Module:
    """Return an ExportedProgram's module with train()/eval() as no-ops (torch forbids them:
    the program is fixed in the mode it was exported in)."""
    module.train = types.MethodType(lambda self, mode=True: self, module)  # type: ignore[method-assign]
    module.eval = types.MethodType(lambda self: self, module)  # type: ignore[method-assign]
    return module


def _torchscript(path: Path, cfg: ModelConfig) -> torch.nn.Module:
    if not cfg.trust_torchscript:
        raise ModelError(
            f"{path.name} is TorchScript, which holds code that runs when the file is loaded; "
            "it is not loaded unless you trust its origin.",
            "Set model.trust_torchscript=true for files you made or trust, or export the model "
            "with torch.export.save (.pt2) or to ONNX instead.")
    try:
        return torch.jit.load(str(path), map_location="cpu")
    except Exception as exc:  # torch.jit raises RuntimeError and others for bad archives
        raise ModelError(f"{path} is not a TorchScript archive: {exc}".splitlines()[0],
                         "Save it with torch.jit.save(torch.jit.script(module), path).") from exc


def load_torch_model(cfg: ModelConfig, cache_dir: Path) -> LoadedModel:
    """Return a torch module from an import path, a .pt2 program or a TorchScript file."""
    provenance: dict[str, Any] = {}
    formats: frozenset[str] | None = None
    if cfg.source.value == "torch":
        module = _instantiate(cfg)
        if cfg.weights:
            sha = load_state(module, cfg.weights)
            provenance.update(weights=cfg.weights, weights_file_sha256=sha)
        declared = _signature_inputs(module, cfg)
        provenance["target"] = (cfg.module or {}).get("_target_", cfg.target)
    else:
        suffixes = (".pt2",) if cfg.source.value == "pt2" else (".pt", ".ts", ".torchscript")
        path = model_file(cfg.path, "path", suffixes)
        provenance.update(path=str(path), file_sha256=file_sha256(path))
        if cfg.source.value == "pt2":
            module, declared = _pt2(path)
        else:
            module = _torchscript(path, cfg)
            declared = _signature_inputs(module, cfg)
            formats = frozenset({"onnx", "torch"})  # torch.export (ExecuTorch) refuses scripts
    module = module.eval() if cfg.source.value != "pt2" else _pin_mode(module)
    for param in module.parameters():  # inference only (TorchScript trips on inference tensors)
        param.requires_grad_(False)
    specs = resolve_inputs(declared, cfg.inputs, cfg.batch_size, cfg.name)
    dataset = None
    if cfg.dataset_path:
        dataset = load_dataset(cfg.dataset_path, cfg.dataset_format, specs[0].shape[1:])
    dynamic = dynamic_batch(declared) or all(d.dims is None for d in declared)
    return LoadedModel(
        name=cfg.name, module=module, inputs=specs, task=cfg.task, num_classes=None,
        dataset=dataset, weights_sha256=weights_hash(module),
        parameter_count=sum(p.numel() for p in module.parameters()), source=cfg.source.value,
        fills=dict(cfg.inputs), dynamic_batch=dynamic, formats=formats, provenance=provenance,
    )
