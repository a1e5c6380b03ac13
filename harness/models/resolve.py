"""Input specs from a model's own metadata plus `model.inputs`: every dimension made concrete."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harness.core.artifact import TensorSpec
from harness.core.errors import ConfigError
from harness.models.config import InputSpec

Dim = int | str | None  # a size, a symbolic name, or unknown


@dataclass(frozen=True)
class DeclaredInput:
    """An input as the model declares it: name, dimensions (some may be dynamic), dtype."""

    name: str
    dims: tuple[Dim, ...] | None  # None: the model says nothing about the shape
    dtype: str


def _label(dim: Dim, axis: int) -> str:
    return f"'{dim}'" if isinstance(dim, str) and dim else f"#{axis}"


def _resolve_one(decl: DeclaredInput, given: InputSpec | None, batch: int,
                 known: Mapping[str, int]) -> tuple[TensorSpec, list[str]]:
    dtype = (given.dtype if given and given.dtype else decl.dtype)
    if given is not None and given.shape is not None:
        shape = tuple(int(d) for d in given.shape)
        if any(d < 1 for d in shape):
            raise ConfigError(f"model.inputs.{decl.name}.shape={list(shape)} has a size below 1.",
                              "Give every dimension a positive size.")
        if decl.dims is not None:
            if len(shape) != len(decl.dims):
                raise ConfigError(
                    f"model.inputs.{decl.name}.shape={list(shape)} has rank {len(shape)}; the "
                    f"model's input '{decl.name}' has rank {len(decl.dims)} {list(decl.dims)}.",
                    "Give one size per dimension.")
            for axis, (want, got) in enumerate(zip(decl.dims, shape, strict=True)):
                if isinstance(want, int) and want != got:
                    raise ConfigError(
                        f"model.inputs.{decl.name}.shape={list(shape)}: axis {axis} is fixed at "
                        f"{want} in the model.", f"Use {want} on axis {axis}.")
        return TensorSpec(decl.name, shape, dtype), []
    if decl.dims is None:
        return TensorSpec(decl.name, (), dtype), [
            f"input '{decl.name}' has no shape in the model; set "
            f"model.inputs.{decl.name}.shape=[{batch},...]"]
    shape_out: list[int] = []
    missing: list[str] = []
    for axis, dim in enumerate(decl.dims):
        if isinstance(dim, int):
            shape_out.append(dim)
        elif isinstance(dim, str) and dim in known:  # named like a dimension already sized
            shape_out.append(known[dim])
        elif axis == 0:
            shape_out.append(batch)  # a dynamic first axis is the batch: model.batch_size
        else:
            missing.append(f"{_label(dim, axis)} (axis {axis})")
            shape_out.append(-1)
    if missing:
        hint = [str(d) if d >= 0 else f"<{_label(decl.dims[a], a).strip(chr(39))}>"
                for a, d in enumerate(shape_out)]
        return TensorSpec(decl.name, tuple(shape_out), dtype), [
            f"input '{decl.name}' has dynamic dimension {', '.join(missing)}; set "
            f"model.inputs.{decl.name}.shape=[{','.join(hint)}]"]
    return TensorSpec(decl.name, tuple(shape_out), dtype), []


def named_sizes(declared: Sequence[DeclaredInput], given: Mapping[str, InputSpec], batch: int
                ) -> dict[str, int]:
    """Return sizes of named dynamic dimensions: from shapes given, else a first axis = batch."""
    known: dict[str, int] = {}
    for decl in declared:
        shape = given[decl.name].shape if decl.name in given else None
        if shape is not None and decl.dims is not None and len(shape) == len(decl.dims):
            for dim, size in zip(decl.dims, shape, strict=True):
                if isinstance(dim, str) and dim:
                    known.setdefault(dim, int(size))
    for decl in declared:
        if decl.dims and isinstance(decl.dims[0], str) and decl.dims[0]:
            known.setdefault(decl.dims[0], batch)
    return known


def resolve_inputs(declared: Sequence[DeclaredInput], given: Mapping[str, InputSpec],
                   batch: int, model: str) -> tuple[TensorSpec, ...]:
    """Return concrete specs; ConfigError naming every unknown input or unresolved dimension."""
    names = [d.name for d in declared]
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ConfigError(f"model.inputs names {unknown}, which '{model}' does not have.",
                          f"Its inputs are: {', '.join(names)}.")
    known = named_sizes(declared, given, batch)
    specs, problems = [], []
    for decl in declared:
        spec, missing = _resolve_one(decl, given.get(decl.name), batch, known)
        specs.append(spec)
        problems += missing
    if problems:
        raise ConfigError(f"Cannot size the inputs of '{model}': " + "; ".join(problems) + ".",
                          "Every dynamic dimension but the batch (axis 0) needs a value.")
    return tuple(specs)


def dynamic_batch(declared: Sequence[DeclaredInput]) -> bool:
    """Return True when every input of rank >= 1 has a dynamic first axis (a free batch)."""
    ranked = [d for d in declared if d.dims]
    return bool(ranked) and all(not isinstance(d.dims[0], int) for d in ranked if d.dims)
