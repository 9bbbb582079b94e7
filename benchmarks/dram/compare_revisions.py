"""Speed of the DRAM model at another git revision against the working tree, side by side.

Usage::

    python benchmarks/dram/compare_revisions.py REV [--rounds 3] [--designs 10]

Checks ``REV`` out into a temporary git worktree, lays out both trees as the
``archgym`` package the editable install maps (``archgym/`` plus
``simulators``, ``envs`` and ``agents`` inside it), and times
``run_prepared`` on the four workloads (the default design and
``--designs`` random ones the device can run, best of 5 passes of CPU time)
in separate processes, alternating between the two trees ``--rounds`` times.
Prints requests/s of CPU time of each and the ratio. Both trees compile
their own numba kernels (cached in each tree's ``__pycache__``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: run in a subprocess whose ``archgym`` is the tree at TREE; the timing is speed.py's (this folder's)
MEASURE = r'''
import json, sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path[:0] = [TREE, BENCH]
import numpy as np
import archgym.simulators.dram.model as model
from archgym.simulators.dram import SPACE, WORKLOADS, prepare
from speed import feasible, measure
assert model.__file__.startswith(TREE), model.__file__
rng = np.random.default_rng(0)
designs = [SPACE.defaults()] + [SPACE.sample(rng) for _ in range(N_DESIGNS)]
out = {}
for w in WORKLOADS:
    p = prepare(w)
    ds = feasible(p, designs)
    out[w] = max(measure(p, ds)[1] for _ in range(5))
print(json.dumps(out))
'''


def package_view(tree: Path, into: Path) -> Path:
    """A folder whose ``archgym`` package is ``tree`` laid out as the editable install maps it."""
    pkg = into / "archgym"
    pkg.mkdir(parents=True)
    for entry in (tree / "archgym").iterdir():
        (pkg / entry.name).symlink_to(entry)
    for sub in ("simulators", "envs", "agents"):
        (pkg / sub).symlink_to(tree / sub)
    return into


def rates(view: Path, n_designs: int) -> dict[str, float]:
    bench = Path(__file__).resolve().parent
    code = f"TREE = {str(view)!r}\nBENCH = {str(bench)!r}\nN_DESIGNS = {n_designs}\n" + MEASURE
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=view)
    if r.returncode:
        raise SystemExit(f"measuring {view} failed:\n{r.stderr[-2000:]}")
    return json.loads(r.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="git revision to compare with the working tree, e.g. HEAD~5")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--designs", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        made = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tmp / "rev"),
                               args.rev], capture_output=True, text=True)
        if made.returncode:
            raise SystemExit(f"cannot check out {args.rev!r}: {made.stderr.strip()}")
        try:
            views = {args.rev: package_view(tmp / "rev", tmp / "view-rev"),
                     "working tree": package_view(ROOT, tmp / "view-work")}
            got: dict[str, list[dict[str, float]]] = {k: [] for k in views}
            for _ in range(args.rounds):
                for name, view in views.items():
                    got[name].append(rates(view, args.designs))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tmp / "rev")], check=True)
    print(f"| workload | {args.rev} (M req/s CPU) | working tree (M req/s CPU) | speed-up |")
    print("| --- | --- | --- | --- |")
    for w in got[args.rev][0]:
        before = max(r[w] for r in got[args.rev])
        after = max(r[w] for r in got["working tree"])
        print(f"| {w} | {before / 1e6:.2f} | {after / 1e6:.2f} | {after / before:.2f}x |")


if __name__ == "__main__":
    main()
