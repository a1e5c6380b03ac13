"""No usage telemetry from OpenVINO's tools: the harness makes no network calls at run time.

openvino_telemetry (used by OpenVINO's model converter and by NNCF) sends usage events to
Google Analytics from a forked process unless a consent file in ~/intel says no; without a
network that process can wait on DNS and hold the run up. `refuse_telemetry()` answers its
consent check with "declined" in this process, without writing any file of the user's.
"""

from __future__ import annotations

import importlib.util


def refuse_telemetry() -> bool:
    """Make openvino_telemetry's consent check return DECLINED here; return whether it was
    installed."""
    if importlib.util.find_spec("openvino_telemetry") is None:
        return False
    from openvino_telemetry.utils import opt_in_checker  # an optional extra's dependency

    declined = opt_in_checker.ConsentCheckResult.DECLINED

    def check(self: object, enable_opt_in_dialog: bool, disable_in_ci: bool = False) -> object:
        return declined

    opt_in_checker.OptInChecker.check = check
    return True
