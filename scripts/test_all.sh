#!/usr/bin/env bash
# Runs every test of the repository: the Rust workspace's (the README's `cargo test --workspace
# --release`, verbatim), the Python package's (pytest, in a virtual environment where the
# wheel of crates/python is built and installed with one `pip install`, beside NegMAS 0.16.0,
# Dask and the EMA Workbench from PyPI) and the live-room client's (clients/python/tests: a
# NegMAS negotiator in a seat of the release binary's `backchannel serve`, same venv).
#
# Environment: PYTHON (default python3) makes the venv; BC_PY_VENV (default target/python-venv)
# is where it lives; BC_PY_SETUP_ONLY=1 builds the venv and the wheel and runs no test;
# BC_PY_ONLY=1 skips `cargo test` (the Python tests alone, for working on crates/python);
# BC_SLOW=1 adds the slow Python cases (NegMAS's analytics of EnergyGrid, minutes).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
venv="${BC_PY_VENV:-$root/target/python-venv}"

if [ -z "${BC_PY_SETUP_ONLY:-}" ] && [ -z "${BC_PY_ONLY:-}" ]; then
  cargo test --workspace --release
fi
# The Python tests compare against the release binary.
cargo build --release -q -p backchannel

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
# maturin's build backend runs the `maturin` of PATH.
export PATH="$venv/bin:$PATH"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -r crates/python/requirements-test.txt
# The README's install command, in this venv (maturin from the venv: no isolated build env).
"$venv/bin/python" -m pip install -q --no-build-isolation --force-reinstall --no-deps ./crates/python
if [ -n "${BC_PY_SETUP_ONLY:-}" ]; then
  exit 0
fi

# pytest exits 5 when it collected no test: that is a failure here, not a pass.
set +e
(cd crates/python && BACKCHANNEL_BIN="$root/target/release/backchannel" "$venv/bin/python" -m pytest tests -q -p no:cacheprovider -p no:logging)
rc=$?
# The live-room client's tests (a NegMAS negotiator in a seat of `backchannel serve`).
(cd clients/python && BACKCHANNEL_BIN="$root/target/release/backchannel" "$venv/bin/python" -m pytest tests -q -p no:cacheprovider -p no:logging)
rc_client=$?
set -e
for r in "$rc" "$rc_client"; do
  if [ "$r" -eq 5 ]; then
    echo "scripts/test_all.sh: pytest collected no test" >&2
    exit 1
  fi
done
if [ "$rc" -ne 0 ]; then exit "$rc"; fi
exit "$rc_client"
