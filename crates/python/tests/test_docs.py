"""The notebook-style example of docs/ runs and draws its plot; the README's install command and
docs/python.md name the package that is built here."""

from __future__ import annotations

import os
import runpy

from conftest import ROOT


def test_the_notebook_example_runs_and_plots(tmp_path, capsys, monkeypatch):
    plot = tmp_path / "scores.png"
    monkeypatch.setenv("BC_EXAMPLE_PLOT", str(plot))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    ns = runpy.run_path(str(ROOT / "docs" / "python_example.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "Pareto outcomes" in out and "wrote" in out
    assert plot.stat().st_size > 1000 and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    scores = ns["scores"]
    assert list(scores.columns) == ["utility", "advantage"]
    assert set(scores.index) == {"boulware", "conceder", "linear", "micro", "hardheaded"}
    assert len(ns["results"]) == 5 * 5 * 2 * 3


def test_the_docs_name_the_install_command():
    readme = (ROOT / "README.md").read_text()
    assert "pip install ./crates/python" in readme
    assert "scripts/test_all.sh" in readme
    doc = (ROOT / "docs" / "python.md").read_text()
    assert "docs/python_example.py" in doc
