#!/usr/bin/env bash
# Runs scripts/bench_python.py in the Python test environment of scripts/test_all.sh (built there
# first if missing): NegMAS 0.16.0's pareto_frontier vs backchannel's, and the Dask overhead.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${BC_PY_VENV:-$root/target/python-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import backchannel, negmas, distributed" 2>/dev/null; then
  BC_PY_SETUP_ONLY=1 "$root/scripts/test_all.sh"
fi
(cd "$root" && cargo build --release -q -p backchannel)
exec "$venv/bin/python" "$root/scripts/bench_python.py" "$@"
