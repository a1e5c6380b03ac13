"""Random override values for every numeric, enum and bool field of the config schema.

Each composed config either builds (`OmegaConf.to_object`) or fails with a ConfigError, or
Hydra's composition error, whose message names one of the keys that were overridden; never
any other exception. Values include out-of-range, negative, huge, NaN and ±inf numbers.
"""

from __future__ import annotations

import math
import typing
from dataclasses import fields
from enum import Enum
from types import NoneType, UnionType

from hydra.errors import ConfigCompositionException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from harness import config as bench_config
from harness.backends import config as target_config
from harness.config import BenchConfig
from harness.core.errors import ConfigError
from harness.core.ranges import Range
from harness.energy import config as meter_config
from harness.models import config as model_config
from harness.quantise import config as quant_config
from harness.scenarios import config as scenario_config
from tests.faults.conftest import compose_config


def _leaf_type(hint: object) -> object:
    """Return the hint without Optional (None for unions of several real types)."""
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not NoneType]
        return args[0] if len(args) == 1 else None
    return hint


def schema_fields() -> dict[str, object]:
    """Return {dotted key: type} for every int/float/bool/enum field of the schema."""
    keys: dict[str, object] = {}
    top = typing.get_type_hints(BenchConfig)
    for f in fields(BenchConfig):
        hint = top[f.name]
        if hasattr(hint, "__dataclass_fields__"):
            sub = typing.get_type_hints(hint)
            keys.update({f"{f.name}.{g.name}": _leaf_type(sub[g.name]) for g in fields(hint)})
        else:
            keys[f.name] = _leaf_type(hint)
    return {k: t for k, t in keys.items()
            if t in (int, float, bool) or (isinstance(t, type) and issubclass(t, Enum))}


FIELDS = schema_fields()
NUMBERS = st.one_of(
    st.integers(-10, 10), st.integers(-(2**40), 2**40), st.sampled_from([0, 1, -1, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-2.0, 2.0),
)


def _text(value: object) -> str:
    """Return the override spelling of a value (Hydra's grammar: nan, inf, true, null)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return repr(value)


def _values(kind: object) -> st.SearchStrategy[str]:
    wild = st.one_of(NUMBERS, st.booleans(), st.none(), st.sampled_from(["zzz", "1.5.2"]))
    if isinstance(kind, type) and issubclass(kind, Enum):
        return st.one_of(st.sampled_from([m.value for m in kind]), wild.map(_text))
    typed = st.booleans() if kind is bool else NUMBERS
    return st.one_of(typed.map(_text), wild.map(_text))


@st.composite
def overrides(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Draw 1-4 distinct keys and a value for each."""
    keys = draw(st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=4, unique=True))
    return [(k, draw(_values(FIELDS[k]))) for k in keys]


def test_schema_has_the_fields_we_mean_to_fuzz() -> None:
    for key in ("run_timeout_s", "memory_cap_mb", "fidelity_samples", "model.batch_size",
                "quant.recipe", "scenario.confidence", "scenario.name", "meter.sample_period_s",
                "target.threads", "isolation"):
        assert key in FIELDS, key


@settings(max_examples=50, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(overrides())
def test_random_overrides_build_or_fail_naming_a_key(pairs: list[tuple[str, str]]) -> None:
    texts = [f"{k}={v}" for k, v in pairs]
    try:
        OmegaConf.to_object(compose_config(*texts))
    except ConfigCompositionException as exc:
        message = f"{exc} {exc.__cause__ or ''}"
        assert any(k in message for k, _ in pairs), message
    except ConfigError as exc:
        assert any(k in str(exc) for k, _ in pairs), (texts, str(exc))


#: {dotted key: Range} for every range the schema declares.
RANGES = {f"{prefix}{key}": rule for prefix, table in (
    ("model.", model_config.MODEL_RANGES), ("quant.", quant_config.QUANT_RANGES),
    ("target.", target_config.TARGET_RANGES), ("", bench_config.BENCH_RANGES),
    ("scenario.", scenario_config.RANGES), ("meter.", meter_config.RANGES))
    for key, rule in table.items()}


@st.composite
def outside(draw: st.DrawFn) -> tuple[str, str]:
    """Draw a ranged key and a value outside its range (or NaN/inf, or null when not allowed)."""
    key = draw(st.sampled_from(sorted(RANGES)))
    rule: Range = RANGES[key]
    value = draw(st.one_of(NUMBERS, st.none()).filter(
        lambda v: (v is None and not rule.none) or (v is not None and (
            not math.isfinite(v) or not rule.holds(v)))))
    if FIELDS.get(key) is int and isinstance(value, float) and math.isfinite(value):
        value = math.floor(value) if rule.lo is not None and value < rule.lo else math.ceil(value)
        if rule.holds(value):
            value = -(10**6)
    return key, _text(value)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(outside())
def test_every_out_of_range_value_is_rejected_naming_its_key(pair: tuple[str, str]) -> None:
    key, value = pair
    try:
        OmegaConf.to_object(compose_config(f"{key}={value}"))
    except ConfigCompositionException as exc:  # e.g. a float given to an int field
        assert key in f"{exc} {exc.__cause__ or ''}"
    except ConfigError as exc:
        assert key in str(exc), str(exc)
    else:
        raise AssertionError(f"{key}={value} was accepted")
