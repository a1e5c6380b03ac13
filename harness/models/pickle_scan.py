"""The one rule for pickles inside model files: read statically, refuse anything but tensors.

Every loader that meets a pickle — state dicts (.pt/.pth/.bin/.ckpt), the `data.pkl` inside torch
zip files, legacy (non-zip) torch files, the tensor pickles inside a .pt2 archive, and whatever
later loaders meet (GGUF, .tflite, tokenizers) — calls `check_torch_file` or `check_pickle` here
before anything unpickles, then unpickles only through torch.load(weights_only=True). The scan
walks the opcodes with `pickletools.genops`, never executing one, and refuses any import
(GLOBAL, STACK_GLOBAL, INST, extension codes) outside ALLOWED: torch's tensor-rebuild functions,
storages, dtypes, `collections.OrderedDict` and plain builtins. A pickle it cannot follow is
refused too.
"""

from __future__ import annotations

import io
import pickletools
import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

from harness.errors import ModelError

ALLOWED = frozenset({
    "collections.OrderedDict", "_codecs.encode",
    *(f"builtins.{n}" for n in ("set", "frozenset", "list", "dict", "tuple", "int", "float",
                                "complex", "bool", "str", "bytes", "bytearray", "slice")),
    *(f"torch._utils.{n}" for n in ("_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3",
                                    "_rebuild_parameter", "_rebuild_parameter_with_state",
                                    "_rebuild_qtensor")),
    "torch.device", "torch.Size", "torch.storage.UntypedStorage", "torch.storage.TypedStorage",
})
_STRINGS = {"STRING", "BINSTRING", "SHORT_BINSTRING", "UNICODE", "BINUNICODE",
            "SHORT_BINUNICODE", "BINUNICODE8"}
#: Pickles a legacy (non-zip) torch file starts with: magic, protocol, sys info, object, keys.
LEGACY_PICKLES = 5


class _Global(str):
    """An imported name on the simulated stack (never mistaken for a pushed string)."""


def allowed(name: str) -> bool:
    """Return whether an imported `module.name` may appear in a weights pickle."""
    module, _, attr = name.rpartition(".")
    if name in ALLOWED:
        return True
    value = getattr(torch, attr, None) if module == "torch" else None
    return isinstance(value, (torch.dtype, torch.qscheme)) or (
        module == "torch" and attr.endswith("Storage") and isinstance(value, type))


def _imports(stream: io.BytesIO, found: list[str]) -> None:
    """Append to `found` every name one pickle in `stream` imports (stream left after STOP)."""
    stack: list[object] = []
    mark = object()
    memo: dict[object, object] = {}
    for op, arg, _ in pickletools.genops(stream):
        name, before = op.name, list(op.stack_before)
        pushed: object = None
        if name in ("GLOBAL", "INST"):
            pushed = _Global(str(arg).replace(" ", "."))
            found.append(pushed)
        elif name == "STACK_GLOBAL":
            mod, attr = (stack[-2:] if len(stack) >= 2 else [None, None])
            ok = type(mod) is str and type(attr) is str
            pushed = _Global(f"{mod}.{attr}" if ok else "<a name built at load time>")
            found.append(pushed)
        elif name in ("EXT1", "EXT2", "EXT4"):
            found.append(f"<copyreg extension code {arg}>")
        elif name in _STRINGS:
            pushed = str(arg)
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            pushed = memo.get(arg)
        elif name in ("PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"):
            memo[len(memo) if name == "MEMOIZE" else arg] = stack[-1] if stack else None
            continue  # a store leaves the stack as it is
        if pickletools.markobject in before or (name == "POP" and stack and stack[-1] is mark):
            while stack and stack[-1] is not mark:
                stack.pop()
            if not stack:
                raise ValueError(f"{name} without a mark")
            stack.pop()
            count = before.index(pickletools.markobject) if pickletools.markobject in before else 0
        else:
            count = len(before)
        if count > len(stack):
            raise ValueError(f"{name} pops more than the stack holds")
        del stack[len(stack) - count:]
        for kind in op.stack_after:
            stack.append(mark if kind is pickletools.markobject else pushed)


def refused_imports(data: bytes, pickles: int = 1) -> list[str]:
    """Return the disallowed imports of the first `pickles` pickles in `data` (ValueError: bad)."""
    stream = io.BytesIO(data)
    names: list[str] = []
    try:
        for _ in range(pickles):
            _imports(stream, names)
    except Exception:  # a malformed stream: report what it imported before, else re-raise
        if not any(not allowed(n) for n in names):
            raise
    return sorted({n for n in names if not allowed(n)})


def _refuse(where: str, what: str) -> ModelError:
    return ModelError(
        f"{where} is refused: {what}. Loading it would unpickle and could run code.",
        "Save plain tensors only (torch.save(module.state_dict(), path), or safetensors); "
        "files holding other objects are never loaded.")


def check_pickle(data: bytes, where: str, pickles: int = 1) -> None:
    """Raise ModelError unless the pickle(s) in `data` import only tensor-rebuild names."""
    try:
        bad = refused_imports(data, pickles)
    except Exception as exc:  # genops raises ValueError and others on a malformed stream
        raise _refuse(where, f"it is not a pickle this harness can read ({exc})") from exc
    if bad:
        raise _refuse(where, f"its pickle imports {', '.join(bad[:5])}")


def check_torch_file(data: bytes, where: str) -> None:
    """Scan a torch.save file (zip: every .pkl entry; legacy: its pickles); ModelError if bad."""
    if data[:4] == b"PK\x03\x04":  # the test torch.load itself makes
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                entries = {i.filename: archive.read(i) for i in archive.infolist()
                           if i.filename.endswith(".pkl")}
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise _refuse(where, f"it is a damaged zip file ({exc})") from exc
        if not entries:
            raise _refuse(where, "it is a zip file without a torch pickle (data.pkl)")
        for name, payload in entries.items():
            check_pickle(payload, f"{where} (entry {name})")
        return
    try:
        is_tar = tarfile.is_tarfile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - tarfile probing raises several types on junk
        is_tar = False
    if is_tar:
        raise _refuse(where, "it is torch's old tar format, whose pickles this harness refuses")
    check_pickle(data, where, LEGACY_PICKLES)


@contextmanager
def weights_only_loads() -> Iterator[None]:
    """Force every torch.load inside to weights_only=True (torch.export.load and transformers
    may ask for a full unpickle), and make torch's other unpicklers refuse to run."""
    from torch.export.pt2_archive import _package

    original, pickler, obj_loader = torch.load, _package.pickle, torch._C._pickle_load_obj

    def safe(*args: Any, **kwargs: Any) -> Any:
        kwargs["weights_only"] = True
        return original(*args, **kwargs)

    def refuse(*_: Any, **__: Any) -> Any:
        raise _refuse("an object in the model file", "it needs a full unpickle")

    class NoPickle:
        loads = load = Unpickler = staticmethod(refuse)

    torch.load, _package.pickle, torch._C._pickle_load_obj = safe, NoPickle, refuse
    try:
        yield
    finally:
        torch.load, _package.pickle, torch._C._pickle_load_obj = original, pickler, obj_loader
