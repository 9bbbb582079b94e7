"""Import time of ``archgym`` and the env's overhead per step against the simulator's own cost.

Prints, side by side in one run:
* ``import archgym`` wall time (median of fresh interpreters) next to ``import numpy`` and
  ``import gymnasium`` (what archgym cannot avoid), and the heavy modules it did not load;
* seconds per evaluation through ``env.step`` vs a direct ``simulator.evaluate`` call, and
  through ``gymnasium.make_vec`` (one batched call) vs the same designs one by one.

Run: ``python benchmarks/core/import_and_overhead.py [--workload resnet18] [--n 300]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from typing import Callable


def import_seconds(stmt: str, repeats: int = 7) -> float:
    """Median wall time of ``stmt`` in fresh interpreters (bytecode already cached)."""
    code = f"import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(repeats)]
    return statistics.median(times)


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Fastest of ``repeats`` timed calls (the least disturbed by other load)."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", default="resnet18")
    parser.add_argument("--n", type=int, default=300, help="designs per measurement")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats; the fastest is kept")
    args = parser.parse_args()

    t_np, t_gym, t_ag = (import_seconds(s) for s in ("import numpy", "import gymnasium", "import archgym"))
    print(f"import numpy     {t_np * 1e3:7.1f} ms")
    print(f"import gymnasium {t_gym * 1e3:7.1f} ms")
    print(f"import archgym   {t_ag * 1e3:7.1f} ms   (target <= 300 ms; includes numpy and gymnasium)")

    import gymnasium
    import numpy as np

    import archgym  # noqa: F401

    env = gymnasium.make("archgym/Accelerator-v1", workload=args.workload, max_steps=args.n)
    base = env.unwrapped
    env.reset(seed=0)
    actions = np.stack([env.action_space.sample() for _ in range(args.n)])
    designs = base.design_space.decode_batch(actions)
    for d in designs:  # warm the model's mapping caches identically for every path
        base.simulator.evaluate(d, base.workload)

    venv = gymnasium.make_vec("archgym/Accelerator-v1", num_envs=args.n, workload=args.workload)
    venv.reset(seed=0)

    def direct_run() -> None:
        for d in designs:
            base.simulator.evaluate(d, base.workload)

    def step_run() -> None:
        env.reset(seed=0)
        for a in actions:
            env.step(a)

    direct, stepped, batched = (best_of(fn, args.repeats) / args.n
                                for fn in (direct_run, step_run, lambda: venv.step(actions)))
    print(f"\nper design on {args.workload} ({args.n} random designs):")
    print(f"  simulator.evaluate     {direct * 1e6:9.1f} us")
    print(f"  env.step               {stepped * 1e6:9.1f} us   overhead {stepped / direct - 1:+.1%}")
    print(f"  make_vec step (batch)  {batched * 1e6:9.1f} us   speed-up vs env.step {stepped / batched:.1f}x")
    print(f"  evaluations/s: step {1 / stepped:,.0f}, batch {1 / batched:,.0f}")


if __name__ == "__main__":
    main()
