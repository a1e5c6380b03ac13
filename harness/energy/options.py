"""Meter options: each meter's own dataclass, parsed from `meter.options` with its keys checked.

A meter class names its dataclass in `options_cls`; the dataclass validates its values in
`__post_init__` (ranges through `harness.core.ranges.check_fields`, every float finite), so a
bad option fails while the config is composed, with the key and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from harness.core.errors import ConfigError, did_you_mean

PREFIX = "meter.options"


@dataclass
class NoOptions:
    """Options of a meter that takes none."""


def option_keys(options_cls: type) -> list[str]:
    """Return the option names a meter's options dataclass accepts, in declaration order."""
    return [f.name for f in fields(options_cls)]


def unknown_option(meter: str, key: str, valid: list[str]) -> ConfigError:
    """Return the error for an option key no meter in question accepts, listing the valid ones."""
    return ConfigError(
        f"{PREFIX}.{key} is not an option of meter '{meter}'.{did_you_mean(key, valid)}",
        f"Valid {PREFIX} keys for {meter}: {', '.join(valid) or '(none)'}.",
    )


def parse_options(meter: str, options_cls: type, raw: Mapping[str, Any] | None) -> Any:
    """Return `options_cls` built from `raw`; ConfigError for an unknown key or a bad value."""
    raw = dict(raw or {})
    valid = option_keys(options_cls)
    for key in raw:
        if key not in valid:
            raise unknown_option(meter, str(key), valid)
    try:
        merged = OmegaConf.merge(OmegaConf.structured(options_cls), raw)
        return OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        key = f"{PREFIX}.{exc.full_key}" if getattr(exc, "full_key", "") else PREFIX
        raise ConfigError(
            f"Bad {key} for meter '{meter}': {str(exc).splitlines()[0].rstrip('.')}.",
            f"Give {key} a value of the type the {meter} meter takes (see its options_cls).",
        ) from exc
