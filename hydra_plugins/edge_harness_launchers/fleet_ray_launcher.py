"""Hydra's Ray launcher, plus: records of jobs that ran on other hosts come back to the driver.

A Hydra callback cannot do this: Ray runs `on_job_end` on the node that ran the job, and the
driver's hooks never see the jobs' return values; the launcher is where they arrive.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hydra.core.utils import JobReturn

try:
    from hydra_plugins.hydra_ray_launcher.ray_launcher import RayLauncher
except ImportError:  # the `cluster` extra is not installed: this plugin is not offered
    RayLauncher = None  # type: ignore[assignment,misc]

if RayLauncher is not None:

    class FleetRayLauncher(RayLauncher):
        """RayLauncher that writes returned run records under <sweep>/<host>/ on the driver."""

        def launch(self, job_overrides: Sequence[Sequence[str]],
                   initial_job_idx: int) -> Sequence[JobReturn]:
            """Launch the jobs on Ray; return their results after bringing their records back."""
            from harness.run.fleet import bring_back

            returns = super().launch(job_overrides, initial_job_idx)
            assert self.config is not None  # set by setup(), before any launch
            bring_back(Path(str(self.config.hydra.sweep.dir)), returns)
            return returns
