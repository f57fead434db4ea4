# A notebook-style example of backchannel from Python: load a domain, analyse it, run a
# tournament, and plot the agents' scores with pandas. Run it as a script, or cell by cell
# (`# %%` marks cells for Jupyter/VS Code). Tested by crates/python/tests/test_docs.py.
"""backchannel in a notebook: a domain, its analysis, a tournament and a plot of the scores."""

# %% Load a GENIUS domain (a folder of XML files), read with GENIUS's own rules.
import os
from pathlib import Path

import backchannel as bc

ROOT = Path(__file__).resolve().parent.parent
domain = bc.load_domain(ROOT / "tests" / "data" / "genius" / "Camera")
print(domain)

# %% The same analysis as `backchannel analyze --json`: Pareto frontier and bargaining solutions.
stats = bc.analyze(domain)
print(stats["n_pareto"], "Pareto outcomes; Nash point:", stats["nash"][0]["outcome"], stats["nash"][0]["utils"])

# %% A tournament: every ordered pair of agents, both role assignments, 3 repetitions.
t = bc.tournament([domain], ["boulware", "conceder", "linear", "micro", "hardheaded"], steps=200, repetitions=3, seed=1)
results = t.results.to_pandas()  # one row per negotiation, the columns of results.csv
print(results[["agent_0", "agent_1", "ending", "step", "utility_0", "utility_1"]].head())

# %% Each agent's mean utility, whichever seat it took.
import pandas as pd

seats = [
    results[[f"agent_{k}", f"utility_{k}", f"advantage_{k}"]].set_axis(["agent", "utility", "advantage"], axis=1)
    for k in range(2)
]
scores = pd.concat(seats).groupby("agent")[["utility", "advantage"]].mean().sort_values("utility", ascending=False)
print(scores)

# %% Plot the scores (pandas plots through matplotlib).
import matplotlib

if os.environ.get("MPLBACKEND") is None and not os.environ.get("DISPLAY"):
    matplotlib.use("Agg")
ax = scores.plot.bar(title=f"Mean utility per agent on {domain.label} ({len(results)} negotiations)", rot=0)
ax.set_ylabel("mean over negotiations")
out = Path(os.environ.get("BC_EXAMPLE_PLOT", "scores.png"))
ax.figure.savefig(out, bbox_inches="tight")
print("wrote", out)
