#!/usr/bin/env python
# Writes the peer fixtures of bc-engine's sensitivity methods under tests/data/gsa/: SALib 1.6.0's
# Sobol'/Saltelli samples and indices, its Morris elementary-effect statistics, and the EMA
# Workbench 2.5.3's PRIM boxes on a seeded synthetic data set.
"""Fixtures for crates/engine/tests/gsa_*.rs, made by the real peers.

Usage:  <python with SALib==1.6.0 ema_workbench==2.5.3 numpy scipy pandas<3> scripts/gsa_fixtures.py [OUT_DIR]

Default OUT_DIR = tests/data/gsa. The venv used is outside the repository, e.g.
    python3 -m venv /work/venv-gsa
    /work/venv-gsa/bin/pip install SALib==1.6.0 ema_workbench==2.5.3 'pandas<3' numpy scipy
(pandas < 3, as the fixtures were made with pandas 2.3: SALib 1.5.1's sobol.analyze failed under pandas 3.)
Every random choice is seeded (sample and bootstrap seeds below, numpy default_rng for the
PRIM data), so rerunning with the same versions rewrites the same files.

Large sample matrices are not stored: the Rust side regenerates SALib's unscrambled Sobol'
sample bit for bit, so each file stores the matrix's shape, its first rows and a 64-bit hash
of all its values (`fnv`, below), which the tests recompute. Outputs are stored in full only
for the small cases; for the large ones the tests re-evaluate the test function in Rust on
the regenerated sample (agreeing with numpy to a few ulps) and compare the indices to 1e-12.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
import scipy
from scipy.stats import qmc
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami, Sobol_G

warnings.filterwarnings("ignore")
import ema_workbench  # noqa: E402
from ema_workbench.analysis import prim  # noqa: E402

MASK = (1 << 64) - 1


def fnv(values: np.ndarray) -> str:
    """FNV-1a over the 64-bit patterns of the values in row-major order (word-wise: xor the
    whole word, then multiply), as a hex string; the Rust tests compute the same."""
    h = 0xCBF29CE484222325
    for w in np.ascontiguousarray(values, dtype=np.float64).reshape(-1).view(np.uint64).tolist():
        h = ((h ^ w) * 0x100000001B3) & MASK
    return f"{h:016x}"


def versions() -> dict:
    return {
        "SALib": importlib.metadata.version("SALib"),
        "ema_workbench": importlib.metadata.version("ema_workbench"),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
    }


def floats(a) -> list:
    return [float(v) for v in np.asarray(a, dtype=float).reshape(-1)]


def sobol_sequence() -> dict:
    """Unscrambled scipy.stats.qmc.Sobol points (the generator SALib 1.6 samples with)."""
    out = {}
    for d, n in [(3, 64), (20, 1024), (256, 4096)]:
        pts = qmc.Sobol(d=d, scramble=False).random(n)
        out[f"d{d}"] = {"dims": d, "n": n, "fnv": fnv(pts), "first_rows": [floats(r) for r in pts[:6]]}
    return out


def sobol_case(name, problem, n, func, seed, store_y, analytic) -> dict:
    """SALib's sobol.sample (calc_second_order=False) and sobol.analyze on one function."""
    case = {"name": name, "problem": {"num_vars": problem["num_vars"], "bounds": problem["bounds"]}, "n": n}
    for scramble in (False, True):
        x = sobol_sample.sample(problem, n, calc_second_order=False, scramble=scramble, seed=seed)
        y = func(x)
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=100, conf_level=0.95, seed=seed)
        entry = {
            "scramble": scramble,
            "sample_seed": seed,
            "rows": int(x.shape[0]),
            "cols": int(x.shape[1]),
            "x_fnv": fnv(x),
            "x_first_rows": [floats(r) for r in x[: problem["num_vars"] + 2]],
            "y_sum": float(np.sum(y)),
            "y_first": floats(y[:16]),
            "S1": floats(si["S1"]),
            "S1_conf": floats(si["S1_conf"]),
            "ST": floats(si["ST"]),
            "ST_conf": floats(si["ST_conf"]),
        }
        if store_y and not scramble:
            entry["y"] = floats(y)
        case["unscrambled" if not scramble else "scrambled"] = entry
    case["analytic"] = analytic
    return case


def ishigami_analytic(a=7.0, b=0.1) -> dict:
    pi = np.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {"S1": [v1 / v, v2 / v, 0.0], "ST": [(v1 + v13) / v, v2 / v, v13 / v]}


def morris_case(name, problem, r, levels, func, seed) -> dict:
    x = morris_sample.sample(problem, r, num_levels=levels, seed=seed)
    y = func(x)
    si = morris_analyze.analyze(problem, x, y, num_resamples=100, conf_level=0.95, num_levels=levels, seed=seed)
    return {
        "name": name,
        "problem": {"num_vars": problem["num_vars"], "bounds": problem["bounds"]},
        "trajectories": r,
        "num_levels": levels,
        "x": [floats(row) for row in x],
        "y": floats(y),
        "mu": floats(si["mu"]),
        "mu_star": floats(si["mu_star"]),
        "sigma": floats(si["sigma"]),
        "mu_star_conf": floats(si["mu_star_conf"]),
    }


def prim_data(seed=20260512, n=1000):
    """Five uniform inputs on different ranges; the outcome is 1 in two boxes (x0 high and
    x1 low; x2 high and x3 high) with 5% of labels flipped; x4 is noise."""
    rng = np.random.default_rng(seed)
    lo = np.array([0.0, -1.0, 10.0, 0.0, 0.0])
    hi = np.array([1.0, 1.0, 20.0, 5.0, 1.0])
    x = lo + (hi - lo) * rng.random((n, 5))
    y = ((x[:, 0] > 0.6) & (x[:, 1] < 0.0)) | ((x[:, 2] > 17.0) & (x[:, 3] > 3.0))
    flip = rng.random(n) < 0.05
    y = (y ^ flip).astype(int)
    return x, y


def prim_case(x, y, threshold, peel_alpha, paste_alpha, mass_min, n_boxes) -> dict:
    cols = [f"x{i}" for i in range(x.shape[1])]
    df = pd.DataFrame(x, columns=cols)
    p = prim.Prim(df, y, threshold=threshold, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
    boxes = []
    for _ in range(n_boxes):
        box = p.find_box()
        if box is None:
            break
        pt = box.peeling_trajectory
        boxes.append(
            {
                "accepted": bool(box.mean >= threshold),
                "trajectory": [
                    {
                        "coverage": float(pt["coverage"][i]),
                        "density": float(pt["density"][i]),
                        "mean": float(pt["mean"][i]),
                        "res_dim": int(pt["res_dim"][i]),
                        "mass": float(pt["mass"][i]),
                        "n": int(pt["n"][i]),
                        "k": int(pt["k"][i]),
                    }
                    for i in range(pt.shape[0])
                ],
                "limits": [
                    {"lower": floats(lim.loc[0, cols].values), "upper": floats(lim.loc[1, cols].values)}
                    for lim in box.box_lims
                ],
                "selected": {
                    "coverage": float(box.coverage),
                    "density": float(box.density),
                    "mass": float(box.mass),
                    "res_dim": int(box.res_dim),
                },
                "members": [int(i) for i in box.yi],
            }
        )
    return {
        "threshold": threshold,
        "peel_alpha": peel_alpha,
        "paste_alpha": paste_alpha,
        "mass_min": mass_min,
        "boxes": boxes,
        "stats": [{k: float(v) for k, v in s.items()} for s in p.stats],
    }


def write(path, obj) -> None:
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests/data/gsa")
    os.makedirs(out, exist_ok=True)
    meta = {"versions": versions(), "script": "scripts/gsa_fixtures.py"}

    skipper = qmc.Sobol(d=5, scramble=False)
    skipper.fast_forward(1000)
    skipped = {"dims": 5, "skip": 1000, "rows": [floats(r) for r in skipper.random(8)]}
    write(os.path.join(out, "sobol_sequence.json"), {**meta, "sequences": sobol_sequence(), "skipped": skipped})

    ishigami = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    g_a = [0, 1, 4.5, 9, 99, 99, 99, 99]
    gfun = {"num_vars": 8, "names": [f"x{i}" for i in range(8)], "bounds": [[0.0, 1.0]] * 8}
    g_analytic = {
        "a": g_a,
        "S1": floats(Sobol_G.sensitivity_index(g_a)),
        "ST": floats(Sobol_G.total_sensitivity_index(g_a)),
    }
    cases = [
        sobol_case("ishigami_small", ishigami, 2**8, Ishigami.evaluate, 11, True, ishigami_analytic()),
        sobol_case("ishigami", ishigami, 2**13, Ishigami.evaluate, 12, False, ishigami_analytic()),
        sobol_case("sobol_g", gfun, 2**13, lambda x: Sobol_G.evaluate(x, a=np.array(g_a, dtype=float)), 13, False, g_analytic),
    ]
    write(os.path.join(out, "sobol.json"), {**meta, "cases": cases})

    morris_problem = {
        "num_vars": 6,
        "names": [f"x{i}" for i in range(6)],
        "bounds": [[0.0, 1.0], [-2.0, 2.0], [0.0, 10.0], [1.0, 3.0], [0.0, 1.0], [-1.0, 0.0]],
    }

    def morris_func(x):
        # Linear, quadratic, interaction and inert terms so that mu, mu* and sigma all differ.
        return 3 * x[:, 0] + x[:, 1] ** 2 - 0.5 * x[:, 2] + x[:, 3] * x[:, 4] * 4 + np.sin(3 * x[:, 1]) + 0 * x[:, 5]

    mcases = [
        morris_case("mixed_p4", morris_problem, 20, 4, morris_func, 21),
        morris_case("mixed_p6", morris_problem, 15, 6, morris_func, 22),
        morris_case("ishigami_p4", {**ishigami, "bounds": ishigami["bounds"]}, 25, 4, Ishigami.evaluate, 23),
    ]
    write(os.path.join(out, "morris.json"), {**meta, "cases": mcases})

    x, y = prim_data()
    data_path = os.path.join(out, "prim_data.csv")
    with open(data_path, "w") as f:
        f.write("# Seeded synthetic PRIM data (scripts/gsa_fixtures.py, numpy default_rng(20260512)): x0..x4, y\n")
        f.write("x0,x1,x2,x3,x4,y\n")
        for row, yy in zip(x, y):
            f.write(",".join(repr(float(v)) for v in row) + f",{int(yy)}\n")
    print(f"wrote {data_path} ({os.path.getsize(data_path)} bytes)")
    pcases = [
        {"name": "default", **prim_case(x, y, 0.8, 0.05, 0.05, 0.05, 3)},
        {"name": "coarse", **prim_case(x, y, 0.7, 0.1, 0.1, 0.1, 3)},
    ]
    write(os.path.join(out, "prim.json"), {**meta, "data": "prim_data.csv", "cases": pcases})


if __name__ == "__main__":
    main()
