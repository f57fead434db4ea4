"""Domains from Python: GENIUS and GeniusWeb files under both semantics, outcomes and indices,
and errors raised as BackchannelError with the CLI's message (file, line, field)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import backchannel as bc
from conftest import GENIUS, binary, cli_error, cli_json

import subprocess


def test_genius_domain_loads_with_both_semantics():
    g = bc.load_domain(GENIUS / "LaptopB")
    n = bc.load_domain(GENIUS / "LaptopB", semantics="negmas")
    assert g.n_outcomes == n.n_outcomes == 27
    assert g.label == "LaptopB" and g.semantics == "genius" and n.semantics == "negmas"
    assert [i[0] for i in g.issues] == ["Laptop", "Harddisk", "External Monitor"]
    # GENIUS divides by the issue's maximum and caps at 1; NegMAS reads raw numbers.
    assert g.utilities().max() <= 1.0
    assert not np.array_equal(g.utilities(), n.utilities())
    for k in (0, 5, 26):
        assert g.index(g.outcome(k)) == k


def test_files_and_folders_give_the_same_domain():
    folder = bc.load_domain(GENIUS / "Ultimatum")
    files = bc.load_domain(GENIUS / "Ultimatum" / "Ultimatum.xml", GENIUS / "Ultimatum" / "Ultimatum_util1.xml", GENIUS / "Ultimatum" / "Ultimatum_util2.xml")
    assert np.array_equal(folder.utilities(), files.utilities())


def test_geniusweb_domain_loads(tmp_path):
    out = tmp_path / "web"
    subprocess.run([str(binary()), "convert", str(GENIUS / "Camera"), "--to", "geniusweb", "--out", str(out)], check=True, capture_output=True)
    d = bc.load_domain(out)
    assert d.n_outcomes == 3600
    assert bc.analyze(d) == cli_json("analyze", str(out))


def test_errors_carry_file_line_and_field(tmp_path):
    bad = tmp_path / "LaptopB"
    shutil.copytree(GENIUS / "LaptopB", bad)
    prof = bad / "Laptop-B-prof1.xml"
    text = prof.read_text()
    prof.write_text(text.replace('<weight index="1" value="', '<weight index="1" value="heavy', 1))
    with pytest.raises(bc.BackchannelError) as e:
        bc.load_domain(bad)
    msg = str(e.value)
    assert "Laptop-B-prof1.xml" in msg and "line" in msg and "heavy" in msg
    assert msg == cli_error("analyze", str(bad)).removeprefix("error: ")
    assert isinstance(e.value, ValueError)


def test_unknown_semantics_and_missing_paths_are_refused():
    with pytest.raises(bc.BackchannelError, match="unknown semantics"):
        bc.load_domain(GENIUS / "LaptopB", semantics="java")
    with pytest.raises(bc.BackchannelError, match="no-such"):
        bc.load_domain(GENIUS / "no-such")
    d = bc.load_domain(GENIUS / "LaptopB")
    with pytest.raises(bc.BackchannelError, match="expected 0..27"):
        d.outcome(27)
    with pytest.raises(bc.BackchannelError, match="Laptop"):
        d.index(["Mac", "60 Gb", "19'' LCD"])


def test_the_extension_is_one_abi3_module_with_stubs():
    from pathlib import Path

    core = Path(bc._core.__file__)
    # One wheel for CPython 3.9+: the stable-ABI suffix, not a per-version one.
    assert core.name == "_core.abi3.so"
    assert (core.parent / "_core.pyi").exists() and (core.parent / "py.typed").exists()
    assert bc.Domain.load.__doc__ and "domain folder" in bc.Domain.load.__doc__
