"""The recipe registry: `<format>.<recipe>` -> the function applying one recipe to one format.

Built-ins and plugins register in the `harness.recipes` entry-point group, e.g.
`onnx.int8_static = "harness.quantise.onnx_int:quantise_static"`. The format's quantiser
(harness.quantisers) looks its handlers up here; what a handler is called with is the
quantiser's business (an OnnxJob for ONNX, a module and calibration set for torch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.core.errors import QuantisationError
from harness.core.registry import Registry

RECIPES: Registry = Registry("quantisation recipe", None, group="harness.recipes")


def recipes_for(fmt: str) -> list[str]:
    """Return the recipe names registered for artifact format `fmt`, sorted."""
    prefix = f"{fmt}."
    return [name[len(prefix):] for name in RECIPES.names() if name.startswith(prefix)]


def recipe_handler(fmt: str, recipe: str, fix: str = "") -> Callable[..., Any]:
    """Return the handler of `recipe` for format `fmt`; QuantisationError naming the recipes
    that format has (and `fix`, when given) if there is none."""
    if f"{fmt}.{recipe}" not in RECIPES:
        known = ", ".join(recipes_for(fmt)) or "none"
        raise QuantisationError(f"Recipe '{recipe}' has no {fmt} handler.",
                                fix or f"{fmt} recipes: {known}.")
    return RECIPES.get(f"{fmt}.{recipe}")
