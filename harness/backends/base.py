"""The backend contract: load an artifact into a session; capabilities are class flags."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from harness.backends.cold import ColdSettings
from harness.backends.config import TargetConfig
from harness.backends.profile import NoOperatorProfile, OperatorProfile
from harness.core.artifact import Artifact, TensorSpec
from harness.core.errors import (
    BackendUnavailable,
    ConfigError,
    HarnessError,
    UnsupportedError,
    reason_of,
)
from harness.core.probe import Probe


class SessionClosed(HarnessError):
    """run() was called on a session after close()."""

    def __init__(self, runtime: str) -> None:
        super().__init__(f"The {runtime} session was used after close().",
                         "Load the artifact again with backend.load(artifact).")


def input_error(inputs: dict[str, Any], specs: tuple[TensorSpec, ...], dynamic_batch: bool,
                runtime: str, cause: BaseException | None = None) -> UnsupportedError:
    """Return the UnsupportedError explaining why `inputs` do not fit the model's `specs`."""
    want = ", ".join(f"{s.name}{list(s.shape)} {s.dtype}" for s in specs)
    hint = f"The model takes: {want}" + (" (any batch size)." if dynamic_batch else
                                         " (static batch: re-export with model.batch_size=N).")
    names = {s.name for s in specs}
    if set(inputs) != names:
        return UnsupportedError(f"{runtime}: input names {sorted(inputs)} do not match the "
                                f"model's {sorted(names)}.", hint)
    for spec in specs:
        got = np.asarray(inputs[spec.name])
        fixed = spec.shape[1:] if dynamic_batch else spec.shape
        shape = got.shape[1:] if dynamic_batch else got.shape
        if tuple(shape) != tuple(fixed) or got.dtype != np.dtype(spec.dtype):
            return UnsupportedError(f"{runtime}: input '{spec.name}' has shape "
                                    f"{list(got.shape)} {got.dtype}.", hint)
    reason = reason_of(cause) if cause else "unknown reason"
    return UnsupportedError(f"{runtime} rejected the inputs: {reason}",
                            hint + _zero_scalars(inputs))


def _zero_scalars(inputs: dict[str, Any]) -> str:
    """Return a hint naming integer scalar inputs fed 0, which a model may branch on."""
    zeros = [name for name, value in inputs.items()
             if (arr := np.asarray(value)).size == 1 and arr.dtype.kind in "iu" and not arr.any()]
    if not zeros:
        return ""
    named = ", ".join(f"'{n}'" for n in zeros)
    example = zeros[0]
    return (f" Integer scalar input {named} was fed 0: if the model branches on its value (a "
            f"sample rate, a length, a flag), give the value it expects, e.g. "
            f"model.inputs.{example}.value=16000.")


@dataclass(frozen=True)
class DeviceTiming:
    """The runtime's own timing of one run() (ns): time on the device and, where the runtime
    reports it, host<->device transfer (None: not reported, never 0 by default)."""

    device_ns: int
    transfer_ns: int | None = None


@dataclass
class NoOptions:
    """Options of a backend that takes none."""


class Session(ABC):
    """A loaded model: run inputs, wait for the device, describe itself, release resources.

    Contract (checked by tests/conformance): run() returns host numpy arrays; inputs that do
    not fit the model raise UnsupportedError; close() may be called twice; run() after close()
    raises SessionClosed. Implementations validate inputs only after the runtime fails, so the
    timed path pays nothing for the checks.
    """

    @abstractmethod
    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run one inference and return the outputs as host numpy arrays."""

    def synchronize(self) -> None:
        """Wait until queued device work is done (a no-op for synchronous CPU runtimes)."""

    #: Where runtime_latency_ns() comes from, for the record; None when the runtime has no timer.
    runtime_timer: ClassVar[str | None] = None

    def runtime_latency_ns(self) -> int | None:
        """Return the runtime's own timing of the last run() (ns), where it reports one."""
        return None

    #: What device_timing() measures, for the record (e.g. "SDK's device timer"); None: the
    #: runtime_timer (a session reporting only runtime_latency_ns), or nothing at all.
    device_timer: ClassVar[str | None] = None

    def device_timing(self) -> DeviceTiming | None:
        """Return the runtime's own split of the last run() (device, transfer; ns), or None.

        Read after every single-stream query, outside the timed span. The default is the
        runtime_latency_ns() timer as device time, with no transfer; sessions whose runtime
        reports neither return None and the record shows nothing new."""
        latency_ns = self.runtime_latency_ns()
        return None if latency_ns is None else DeviceTiming(latency_ns)

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """Return provenance: runtime version, device, providers actually used, threads."""

    def close(self) -> None:
        """Release the session's resources; the session is unusable afterwards."""


class ProfiledSession(Session):
    """A session whose runtime records per-operator times between begin and end.

    Loaded by `Backend.load_profiled` for the profile only, never for timed trials: a
    runtime's profiler slows every node it records."""

    _runs: int = 0  # runs so far (counted by counted())
    _skip: int = 0  # runs before begin_profile(): the warm-up, left out

    def counted(self, outputs: list[np.ndarray]) -> list[np.ndarray]:
        """Count one run and return its outputs (for run() of a session using the default)."""
        self._runs += 1
        return outputs

    def begin_profile(self) -> None:
        """Start counting: runs before this call (the warm-up) are left out of the profile."""
        self._skip = self._runs

    @property
    def profiled_runs(self) -> int:
        """Return how many runs since begin_profile() the profile covers."""
        return self._runs - self._skip

    @abstractmethod
    def end_profile(self, folder: Path) -> OperatorProfile:
        """Return the profile of the runs since begin_profile(); write the runtime's own trace
        into `folder` (created if needed) and name its files in the profile."""


class Backend(ABC):
    """A runtime on a device. Subclasses set the capability flags and implement `load`."""

    name: ClassVar[str]
    formats: ClassVar[tuple[str, ...]]  # artifact formats accepted, preferred first
    precisions: ClassVar[frozenset[str]] = frozenset({"fp32", "int8_dynamic", "int8_static"})
    needs_sync: ClassVar[bool] = False  # device work is asynchronous; time after synchronize()
    dynamic_batch: ClassVar[bool] = True  # one session runs any batch size
    device_resident_io: ClassVar[bool] = False  # inputs can live on the device between runs
    extra: ClassVar[str] = ""  # pip extra that installs the runtime
    options_cls: ClassVar[type] = NoOptions
    #: The per-operator profiler load_profiled() uses (e.g. "onnxruntime profiling"); None: the
    #: backend has none, and runs say "no operator profile for <backend>" instead.
    profiler: ClassVar[str | None] = None
    #: The runtime's own Python packages: what a cold start's import phase imports (none: the
    #: import is not separated from the harness's adapter).
    runtime_modules: ClassVar[tuple[str, ...]] = ()
    #: The pip distribution whose version is the runtime's version (e.g. "executorch"); "":
    #: none, and version() says "unknown" unless the backend overrides it.
    distribution: ClassVar[str] = ""
    #: Why a cold start has no compiled-model cache to use (when compile_cache() is None).
    no_compile_cache: ClassVar[str] = "the runtime compiles nothing before its first inference"

    def __init__(self, target: TargetConfig) -> None:
        self.target = target
        self.options = self.parse_options(target.options)

    @classmethod
    def parse_options(cls, raw: Any) -> Any:
        """Return the backend's options dataclass; unknown keys and wrong types are ConfigErrors."""
        try:
            merged = OmegaConf.merge(OmegaConf.structured(cls.options_cls), raw or {})
            return OmegaConf.to_object(merged)
        except OmegaConfBaseException as exc:
            valid = ", ".join(cls.options_cls.__dataclass_fields__) or "(none)"
            raise ConfigError(
                f"Bad option for backend '{cls.name}': {str(exc).splitlines()[0]}",
                f"Valid target.options keys for {cls.name}: {valid}.",
            ) from exc

    @classmethod
    def version(cls) -> str:
        """Return the runtime's version string: its distribution's, else "unknown"."""
        return version(cls.distribution) if cls.distribution else "unknown"

    def probe(self) -> Probe:
        """Return whether the target's device is present here (override for accelerators)."""
        return Probe(True)

    def require_available(self, fix: str) -> Probe:
        """Return the probe; raise BackendUnavailable with its reason and `fix` if unavailable."""
        probe = self.probe()
        if not probe.available:
            raise BackendUnavailable(f"{self.name}: {probe.reason}.", fix)
        return probe

    def check(self, artifact: Artifact) -> None:
        """Raise UnsupportedError unless the backend accepts the artifact's format and precision."""
        if artifact.format not in self.formats:
            raise UnsupportedError(
                f"Backend '{self.name}' cannot load '{artifact.format}' artifacts.",
                f"It accepts: {', '.join(sorted(self.formats))}.",
            )
        if artifact.precision not in self.precisions:
            raise UnsupportedError(
                f"Backend '{self.name}' does not support precision '{artifact.precision}'.",
                f"It supports: {', '.join(sorted(self.precisions))}; pick one with quant=...",
            )

    def server_counters(self) -> dict[str, Any] | None:
        """Return cumulative client and server counters where the runtime is a server (remote
        backends; see harness.backends.remote_split), None for in-process runtimes."""
        return None

    def prepare(self, artifact: Artifact, fixed_inputs: dict[str, np.ndarray],
                cache_dir: Path) -> Artifact:
        """Return the artifact this backend will load: `artifact` itself, or a prepared copy
        (a new file and hash, its meta saying what changed) where the runtime needs one.
        `fixed_inputs`: the inputs the run fixes by value (model.inputs.NAME.value)."""
        return artifact

    def server_energy(self) -> Any | None:
        """Return the reader of a server's own energy around each timed window (remote
        backends: harness.backends.remote_energy.ServerEnergyBracket), None in-process."""
        return None

    @abstractmethod
    def load(self, artifact: Artifact) -> Session:
        """Return a ready session for the artifact on the target's device."""

    def compile_cache(self) -> str | None:
        """Return what the runtime's compiled-model cache is, or None when nothing is compiled."""
        return None

    def no_compile_cache_reason(self) -> str:
        """Return why there is no compiled-model cache to use (when compile_cache() is None)."""
        return self.no_compile_cache

    def cold_start_settings(self, cache_dir: Path, use_cache: bool) -> ColdSettings:
        """Return the options and environment of one cold start: the compiled-model cache in
        `cache_dir` on (use_cache) or off; the default changes nothing."""
        return ColdSettings()

    def load_profiled(self, artifact: Artifact) -> ProfiledSession:
        """Return a session that records per-operator times (backends with a `profiler`);
        raises NoOperatorProfile otherwise."""
        raise NoOperatorProfile(f"no operator profile for {self.name}",
                                "The backend does not implement load_profiled().")
