"""A .pt2 archive read before torch.export.load: nothing in it may unpickle, load code or eval.

torch 2.13's loader (torch/export/pt2_archive/_package.py, torch/_export/serde/serialize.py)
runs code from the file in four ways, each refused here:
- payload configs (`data/{weights,constants}/*_config.json`) marking an entry `use_pickle`:
  torch.load(weights_only=False) for tensors, `pickle.loads` for `opaque_obj_*`, the torchbind
  unpickler for `custom_obj_*` — refused, whatever the entry holds;
- `.pt` entries (sample inputs, legacy weights/constants, the 2.7 zip format) that
  deserialize_torch_artifact loads with a fallback to a full unpickle — scanned by pickle_scan,
  then loaded under weights_only_loads;
- `data/aotinductor/` (a compiled shared library, loaded as native code) — refused;
- symbolic shape expressions (`expr_str`), parsed by sympy.sympify, which calls eval — only
  arithmetic over shape symbols and sympy's integer functions is let through.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.core.errors import ModelError
from harness.core.pickle_scan import check_torch_file

OBJECT_PREFIXES = ("custom_obj_", "opaque_obj_")
SYMPY_NAMES = frozenset({
    "FloorDiv", "ModularIndexing", "Where", "PythonMod", "Mod", "CleanDiv", "CeilToInt",
    "FloorToInt", "CeilDiv", "LShift", "RShift", "PowByNatural", "FloatPow", "FloatTrueDiv",
    "IntTrueDiv", "IsNonOverlappingAndDenseIndicator", "TruncToFloat", "TruncToInt",
    "RoundToInt", "RoundDecimal", "ToFloat", "Identity", "Max", "Min", "Abs", "Eq", "Ne", "Lt",
    "Le", "Gt", "Ge", "And", "Or", "Not", "Piecewise", "floor", "ceiling", "sqrt", "oo", "True",
    "False", "true", "false", "Integer", "Rational", "Float", "Symbol", "positive", "integer",
    "real", "negative", "nonnegative", "nonpositive", "finite", "zero", "nonzero", "even", "odd",
})
_TOKEN = re.compile(r"\s+|\d+(\.\d+)?(e[+-]?\d+)?|[A-Za-z]\w*|'[a-z]{1,4}\d+'|\*\*|//"
                    r"|[-+*/%(),<>=!&|~^]")
_SYMBOL = re.compile(r"[a-z]{1,4}\d+")
ADVICE = ("Re-export the model without opaque or custom (torchbind) objects and tensor "
          "subclasses (plain tensors only) with torch.export.save, or export it to ONNX.")


def _refuse(path: Path, what: str) -> ModelError:
    return ModelError(f"{path.name} is refused: it holds {what}, which torch.export.load would "
                      "run or unpickle; model files never execute here.", ADVICE)


def safe_expression(expr: str) -> bool:
    """Return whether a symbolic shape expression is plain arithmetic on shape symbols."""
    pos = 0
    while pos < len(expr):
        match = _TOKEN.match(expr, pos)
        if match is None:
            return False
        word = match.group()
        if word[0].isalpha() and word not in SYMPY_NAMES and not _SYMBOL.fullmatch(word):
            return False
        pos = match.end()
    return True


def _expressions(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr_str" and isinstance(value, str):
                yield value
            else:
                yield from _expressions(value)
    elif isinstance(node, list):
        for value in node:
            yield from _expressions(value)


def _check_config(path: Path, name: str, config: Any) -> None:
    entries = config.get("config", {}) if isinstance(config, dict) else {}
    for fqn, meta in (entries.items() if isinstance(entries, dict) else []):
        meta = meta if isinstance(meta, dict) else {}
        if meta.get("use_pickle") or str(meta.get("path_name", "")).startswith(OBJECT_PREFIXES):
            raise _refuse(path, f"a pickled entry '{fqn}' ({meta.get('path_name')}) in {name}")


def check_pt2(path: Path) -> None:
    """Raise ModelError if loading the .pt2 at `path` could unpickle, load code or eval."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            for info in infos:
                rel = info.filename.split("/", 1)[-1]
                base = rel.rsplit("/", 1)[-1]
                if "/aotinductor/" in f"/{rel}":
                    raise _refuse(path, f"compiled AOTInductor code ({info.filename})")
                if base.startswith(OBJECT_PREFIXES):
                    raise _refuse(path, f"a pickled object ({info.filename})")
                if base.endswith(".json"):
                    _check_json(path, info.filename, archive.read(info))
                elif base.endswith((".pt", ".pkl")):
                    _check_pickled(archive.read(info), f"{path.name} (entry {info.filename})")
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"{path} is not a torch.export archive (zip): {exc}".splitlines()[0],
                         "Save it with torch.export.save(torch.export.export(...), path).") from exc


def _check_pickled(data: bytes, where: str) -> None:
    try:
        check_torch_file(data, where)
    except ModelError as exc:  # same finding, with the advice for .pt2 files
        raise ModelError(exc.message, ADVICE) from exc


def _check_json(path: Path, name: str, raw: bytes) -> None:
    try:
        data = json.loads(raw)
    except ValueError:
        return  # torch's own reader reports a damaged JSON entry
    if name.endswith("_config.json"):
        _check_config(path, name, data)
    for expr in _expressions(data):
        if not safe_expression(expr):
            raise _refuse(path, f"a shape expression that is not arithmetic ('{expr[:80]}')")
