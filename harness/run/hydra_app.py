"""Entry points: `harness-bench` (Hydra; one run or a multirun sweep)."""

from __future__ import annotations

import io
import signal
import sys
import warnings
from pathlib import Path
from types import FrameType

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from harness.config import register_configs
from harness.core.errors import HarnessError
from harness.records.builder import safe_name
from harness.records.io import NewerRecordError, record_paths
from harness.report.summary import write_summary
from harness.run import progress
from harness.run.fleet import job_output_dir, job_return
from harness.run.job import run_composed
from harness.run.overrides import open_mapping_overrides

CONFIG_DIR = str(Path(__file__).resolve().parents[2] / "configs")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Interrupted(BaseException):
    """SIGTERM or SIGINT arrived: unwinds the sweep (killing its run process) to the CLI."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def _bench(cfg: DictConfig) -> str | dict:

    hydra_cfg = HydraConfig.get()
    cfg.launcher = hydra_cfg.runtime.choices.get("hydra/launcher") or ""
    out_dir = job_output_dir(Path(hydra_cfg.runtime.output_dir), bool(cfg.host_folders))
    try:
        record = run_composed(cfg, out_dir)
    except NewerRecordError as exc:  # written since the start-of-sweep check: stop, touch nothing
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    progress.report_run(record)
    return job_return(record, bool(cfg.host_folders))


def _first_set(preferred: str | None, fallback: str) -> str:
    return preferred if preferred else fallback


def run_folder(resume: str | None, results_dir: str, sweep: str, stamp: str) -> str:
    """Return this invocation's folder: `resume` as given, else a new, unique
    `<results_dir>/<sweep>/<stamp>` (created atomically; `-2`, `-3`... when one exists).

    `sweep` becomes one safe folder name, so output never leaves results_dir."""
    if resume:
        return str(resume)
    base = Path(results_dir) / safe_name(sweep)
    for n in range(1, 10_000):
        folder = base / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            base.mkdir(parents=True, exist_ok=True)
            folder.mkdir()
        except FileExistsError:
            continue
        except OSError:
            break  # unwritable: the start-of-sweep check says so with the fix
        return str(folder)
    return str(base / stamp)


def register_resolvers() -> None:
    """Register the config's resolvers; run_folder is cached, so each invocation makes one."""
    if not OmegaConf.has_resolver("first_set"):
        OmegaConf.register_new_resolver("first_set", _first_set)
    if not OmegaConf.has_resolver("run_folder"):
        OmegaConf.register_new_resolver("run_folder", run_folder, use_cache=True)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    for sig in STOP_SIGNALS:  # the clean-up below must not be interrupted in turn
        signal.signal(sig, signal.SIG_IGN)
    raise Interrupted(signum)


def stop_interrupted(signum: int) -> None:
    """Summarise what completed, print one line saying how to finish, exit 128 + signum."""

    name, folder = signal.Signals(signum).name, progress.STATE.get("folder")
    where = "before its first run"
    if folder and Path(folder).is_dir():
        try:
            from rich.console import Console

            write_summary(Path(folder), Console(file=io.StringIO()))
        except (HarnessError, OSError):
            pass  # the records are what matters; they are complete on disk
        done = len(record_paths(Path(folder)))  # recorded, by this or an earlier attempt
        total = max(progress.STATE["total"], done)
        where = f"after {done} of {total} runs; complete it with resume={folder}"
    print(f"interrupted by {name} {where}", file=sys.stderr, flush=True)
    sys.exit(128 + signum)


def bench() -> None:
    """Console script `harness-bench`: compose the config with Hydra and run it."""
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    register_configs()
    register_resolvers()
    sys.argv[1:] = open_mapping_overrides(sys.argv[1:])
    for sig in STOP_SIGNALS:
        if signal.getsignal(sig) is not signal.SIG_IGN:  # e.g. SIGINT of a background job
            signal.signal(sig, _on_signal)
    try:
        _bench()
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except Interrupted as exc:
        stop_interrupted(exc.signum)
