#!/usr/bin/env bash
# Runs scripts/bench_analyze.py: NegMAS 0.16.0 (installed from PyPI into a venv outside the
# repository, $NEGMAS_VENV, default ~/.cache/backchannel/negmas-venv) vs a release build of backchannel.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${NEGMAS_VENV:-$HOME/.cache/backchannel/negmas-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import negmas" 2>/dev/null; then
  echo "installing negmas==0.16.0 into $venv ..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q negmas==0.16.0
fi
(cd "$root" && cargo build --release -q -p backchannel)
exec "$venv/bin/python" "$root/scripts/bench_analyze.py" "$@"
