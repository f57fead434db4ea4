"""Shared fixtures of the Python tests: the repository's paths and the release binary they
compare against (scripts/test_all.sh builds it; BACKCHANNEL_BIN overrides its path)."""

from __future__ import annotations

import json
import os
import subprocess
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GENIUS = ROOT / "tests" / "data" / "genius"
DOMAINS = sorted(p.name for p in GENIUS.iterdir() if p.is_dir())

warnings.filterwarnings("ignore")


def binary() -> Path:
    b = Path(os.environ.get("BACKCHANNEL_BIN", ROOT / "target" / "release" / "backchannel"))
    if not b.exists():
        raise RuntimeError(f"{b}: the backchannel binary is missing; build it with `cargo build --release -p backchannel` (scripts/test_all.sh does)")
    return b


def cli_json(*args: str) -> dict:
    """Runs the binary with --json and parses its output."""
    out = subprocess.run([str(binary()), *args, "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError(f"backchannel {' '.join(args)} failed: {out.stderr}")
    return json.loads(out.stdout)


def cli_error(*args: str) -> str:
    """Runs the binary, expects failure, returns its message (without the `error: ` prefix)."""
    out = subprocess.run([str(binary()), *args], capture_output=True, text=True)
    assert out.returncode == 2, out
    return out.stderr.strip()


@pytest.fixture(scope="session")
def genius() -> Path:
    return GENIUS
