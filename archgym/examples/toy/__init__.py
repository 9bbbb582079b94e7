"""The toy simulator and env of ``docs/adding-a-simulator.md``: three knobs, a known optimum, one infeasible corner.

Laid out like a real simulator package (``simulators/<name>/``) and its env
module (``envs/<name>.py``), in one place so the recipe and the tests import
the same code:

* :mod:`~archgym.examples.toy.knobs` declares the design space;
* :mod:`~archgym.examples.toy.simulator` is the cost model (numpy and the
  archgym core only, never gymnasium);
* :mod:`~archgym.examples.toy.env` wraps it as a Gymnasium env and
  :func:`~archgym.examples.toy.env.register` registers ``archgym-test/Toy-v0``.
"""

from archgym.examples.toy.simulator import ToySimulator

__all__ = ["ToySimulator"]
