"""The `harness` command: help lists every subcommand, a missing or unknown one exits 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import COMMANDS, main
from tests.unit.report.records_factory import make_record, write_records

HARNESS = Path(sys.executable).with_name("harness")


def _main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def test_help_lists_every_subcommand_with_one_line() -> None:
    done = subprocess.run([str(HARNESS), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: harness")
    for name in ("compare", "check", "deploy", "claims", "selfcheck"):
        summary = COMMANDS[name][1]
        assert summary in done.stdout, name
    assert "harness-bench" in done.stdout


@pytest.mark.parametrize("name", [*COMMANDS])
def test_each_subcommand_has_its_own_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main([name, "--help"], capsys)
    assert code == 0 and out.startswith(f"usage: harness {name}") and "examples:" in out
    assert _main(["help", name], capsys)[:2] == (0, out)


def test_no_subcommand_prints_the_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main([], capsys)
    assert code == 2 and out == ""
    assert err.startswith("usage: harness") and all(name in err for name in COMMANDS)


def test_unknown_subcommand_is_one_line_with_did_you_mean(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _main(["comapre", "results"], capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith("error: Unknown command 'comapre'. Did you mean 'compare'?")
    assert "selfcheck" in err


def test_missing_required_option_is_a_usage_error(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_records(tmp_path / "r", [make_record()])
    code, _, err = _main(["check", str(folder)], capsys)
    assert code == 2 and "--against" in err and "usage: harness check" in err


def test_check_with_no_matching_baseline_exits_1(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    now = write_records(tmp_path / "now", [make_record(model="kws")])
    base = write_records(tmp_path / "base", [make_record(model="vww")])
    code, _, err = _main(["check", str(now), "--against", str(base)], capsys)
    assert code == 1 and "no run matches" in err
