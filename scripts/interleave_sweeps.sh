#!/bin/bash
# Run the default sweep from two checkouts in an interleaved order, then compare them.
#
# Usage: scripts/interleave_sweeps.sh BEFORE_CHECKOUT AFTER_CHECKOUT OUT [ORDER]
#   Each checkout needs its own .venv (make setup there). ORDER is the sequence of sweeps,
#   default "wA wB A1 B1 B2 A2 A3 B3 B4 A4 A5 B5" (w*: warm-up sweeps, not compared).
#   AFTER_OVERRIDES (environment) is appended to the after side's command line, e.g. to pin
#   a default that the after side changed on purpose.
# Writes OUT/<label>/ (records), OUT/<label>.log, and OUT/compare.md from sweep_compare.py.
set -u
before=$(realpath "$1"); after=$(realpath "$2"); out=$(realpath -m "$3")
order=${4:-"wA wB A1 B1 B2 A2 A3 B3 B4 A4 A5 B5"}
mkdir -p "$out"
for label in $order; do
  side=${label//[^AB]/}
  dir=$before; extra=""
  if [ "$side" = B ]; then dir=$after; extra=${AFTER_OVERRIDES:-}; fi
  # shellcheck disable=SC2086  # AFTER_OVERRIDES is a list of Hydra overrides
  (cd "$dir" && .venv/bin/harness-bench experiment=default results_dir="$out/$label" $extra \
     > "$out/$label.log" 2>&1)
  echo "$(date -u +%T) $label rc=$?"
done
befores=(); afters=()
for label in $order; do
  case $label in A*) befores+=("$out/$label");; B*) afters+=("$out/$label");; esac
done
cd "$after" && .venv/bin/python scripts/sweep_compare.py --before "${befores[@]}" \
  --after "${afters[@]}" > "$out/compare.md"
echo "compare rc=$? ($(tail -1 "$out/compare.md"))"
