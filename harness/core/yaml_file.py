"""Read a user's YAML file (claims, deployment presets) with errors that say what to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from harness.core.errors import ConfigError


def load_yaml(path: Path, what: str) -> dict[str, Any]:
    """Return the mapping in a YAML file; ConfigError when missing, unreadable or not a mapping."""
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except OSError as exc:
        raise ConfigError(f"Cannot read the {what} file {path}: {exc.strerror}.",
                          "Check the path.") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"The {what} file {path} is not valid YAML: {exc}".splitlines()[0],
                          "Fix the syntax (see the examples in configs/).") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"The {what} file {path} must hold a mapping at the top level.",
                          "See the examples in configs/.")
    return data
