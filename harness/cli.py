"""The `harness` command: reports and checks over run records, one subcommand each.

Each subcommand module exposes `add_arguments(parser)` and `run(args) -> int`; this module only
builds the parser and dispatches, in the style of pytest-benchmark's CLI (`harness help COMMAND`
is `harness COMMAND --help`). Benchmarks run with `harness-bench`, the Hydra application.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection, Sequence
from importlib import import_module
from typing import NoReturn

from harness.core.errors import exit_with, unknown_name

# name -> (module with add_arguments/run, the one line `harness --help` shows); a command's module
# is imported only when it runs (some import torch: seconds that `harness history` need not pay)
COMMANDS: dict[str, tuple[str, str]] = {
    "compare": ("harness.report.compare_cli",
                "tables and ratios over results folders (markdown, CSV, HTML)"),
    "check": ("harness.report.check_cli",
              "exit 1 on a regression against a baseline folder (for CI)"),
    "deploy": ("harness.report.deployment_cli",
               "on-device vs datacenter verdicts: latency, energy, CO2e"),
    "claims": ("harness.report.claims_cli",
               "PASS / FAIL / INCONCLUSIVE per vendor claim, on intervals"),
    "audit": ("harness.audit.cli",
              "PASS / FAIL per MLPerf-style audit: is the backend doing the work?"),
    "selfcheck": ("harness.selfcheck.cli",
                  "measure the methodology against LoadGen and benchmark_app"),
    "serve": ("harness.serve.cli",
              "serve a model behind Triton Inference Server (KServe v2 REST, gRPC)"),
    "verify": ("harness.report.verify_cli",
               "check a signed evidence bundle's signature and hashes"),
    "history": ("harness.report.history_cli",
                "one metric across harness commits and runtime versions"),
    "cold-start": ("harness.report.cold_start_cli",
                   "per-phase cold-start tables: import, load, first result"),
    "store": ("harness.report.store_cli",
              "rebuild the results store (DuckDB index) from the JSON records"),
}
EPILOG = ("Run 'harness COMMAND --help' (or 'harness help COMMAND') for a command's options.\n"
          "Benchmarks themselves run with harness-bench: harness-bench experiment=default")


def parser(load: Collection[str] | None = None) -> argparse.ArgumentParser:
    """Return the parser of `harness`, one subparser per command with its own help; only the
    commands in `load` (default: all) get their options, the others only their summary."""
    raw = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(prog="harness", formatter_class=raw, epilog=EPILOG,
                                description="edge-harness reports and checks over run records.")
    commands = p.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for name, (module_name, summary) in COMMANDS.items():
        if load is not None and name not in load:
            commands.add_parser(name, help=summary)
            continue
        module = import_module(module_name)
        command = commands.add_parser(name, help=summary, description=module.__doc__,
                                      formatter_class=raw)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    helper = commands.add_parser("help", help="show this help, or one command's",
                                 description="Show the help of harness or of one command.")
    helper.add_argument("topic", nargs="?", choices=list(COMMANDS), metavar="COMMAND",
                        help=f"one of: {', '.join(COMMANDS)}")
    return p


def check_command(argv: Sequence[str]) -> None:
    """Raise ConfigError (valid names, did-you-mean) when argv starts with an unknown command."""
    if argv and not argv[0].startswith("-") and argv[0] not in (*COMMANDS, "help"):
        raise unknown_name("command", argv[0], [*COMMANDS, "help"])


def dispatch(argv: Sequence[str]) -> int:
    """Parse `argv` and run the chosen command; return its exit status (2 when none is given)."""
    check_command(argv)
    chosen = argv[1:2] if argv[:1] == ["help"] else argv[:1]
    p = parser(load=[name for name in chosen if name in COMMANDS])
    args = p.parse_args(argv)
    if args.command is None:
        p.print_help(sys.stderr)
        return 2
    if args.command == "help":
        if args.topic:
            p.parse_args([args.topic, "--help"])  # prints that command's help and exits 0
        p.print_help()
        return 0
    return args.run(args)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console script `harness`: exit with the command's status (2: usage or input error)."""
    exit_with(lambda: dispatch(list(sys.argv[1:] if argv is None else argv)))
