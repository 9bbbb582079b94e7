"""The proxy as a simulator: :class:`ProxySimulator` and the env's cost-model switch."""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import numpy as np

from archgym.errors import UserError, unknown_choice
from archgym.metrics import Metrics
from archgym.proxy.bundle import ProxyModel, load_model
from archgym.proxy.encoding import IndexEncoder
from archgym.simulator import Simulator

#: reason given to designs the feasibility classifier rejects
PREDICTED_INFEASIBLE = "predicted infeasible by the proxy model"


class ProxySimulator(Simulator):
    """A :class:`~archgym.simulator.Simulator` whose metrics come from a :class:`ProxyModel`.

    It keeps the replaced simulator's design space and workload names, reports
    only the metrics the model predicts, marks every result ``predicted=True``
    and returns designs the feasibility classifier rejects as infeasible.

    Example:
        >>> env = gymnasium.make("archgym/DRAM-v1", cost_model="proxy", proxy="dram.proxy")  # doctest: +SKIP
        >>> env.step(env.action_space.sample())[-1]["predicted"]                              # doctest: +SKIP
        True
    """

    def __init__(self, model: ProxyModel, base: Simulator):
        self.model = model
        self.base = base
        self.name = f"proxy-{model.kind}:{base.name}"
        self.version = f"{base.version}+{model.fingerprint()}"
        self.space = base.space
        self.metrics = tuple(m for m in base.metrics if m.name in model.targets)
        self.default_workload = base.default_workload if base.default_workload in model.workloads \
            else model.workloads[0]
        self._encoders: dict[str, IndexEncoder] = {}

    def workloads(self) -> list[str]:
        return list(self.model.workloads)

    def load_workload(self, workload: Any) -> str:
        """The workload's name, checked against those the model was trained on."""
        known = isinstance(workload, str) and workload in self.model.workloads
        name = workload if known else self.base.workload_name(self.base.load_workload(workload))
        if name not in self.model.workloads:
            raise UserError(f"the proxy model was not trained on workload {name!r}; "
                            f"it knows {', '.join(self.model.workloads)}")
        return name

    def workload_name(self, workload: Any) -> str:
        return str(workload)

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> Metrics:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(self, designs: Sequence[Mapping[str, Any]], workload: Any) -> list[Metrics]:
        return self._metrics(*self.model.predict(designs, str(workload)))

    def evaluate_indices(self, idx: np.ndarray, workload: Any) -> list[Metrics]:
        """:meth:`evaluate_batch` of designs given as a ``(n, n_knobs)`` array of action indices.

        Encodes by table look-up (:class:`IndexEncoder`, built once per
        workload), so no design dicts are made; the metrics are identical.
        """
        name = str(workload)
        encoder = self._encoders.get(name)
        if encoder is None:
            encoder = self._encoders[name] = self.model.index_encoder(self.space, name)
        return self._metrics(*self.model.predict_indices(idx, encoder))

    @staticmethod
    def _metrics(values: Mapping[str, np.ndarray], feasible: np.ndarray) -> list[Metrics]:
        """One :class:`Metrics` per design from predicted columns and the feasibility mask."""
        out = []
        for i, ok in enumerate(feasible):
            if ok:
                out.append(Metrics({k: float(v[i]) for k, v in values.items()}, predicted=True))
            else:
                out.append(Metrics(feasible=False, reason=PREDICTED_INFEASIBLE, predicted=True))
        return out


COST_MODELS = ("simulator", "proxy")


def swap_in_proxy(
    simulator: Simulator, env_id: str, cost_model: str, proxy: str | os.PathLike[str] | ProxyModel | None,
    needs: Sequence[str],
) -> Simulator:
    """The cost model an env evaluates with: its simulator, or a proxy checked against the env and objective.

    Called by :class:`~archgym.envs.design_env.DesignEnv` for
    ``gymnasium.make(ID, cost_model="proxy", proxy=MODEL)``.

    Raises:
        UserError: unknown cost model, no or mismatched proxy, or a proxy that
            does not predict a metric the objective reads.
    """
    if cost_model not in COST_MODELS:
        raise unknown_choice("cost_model", cost_model, COST_MODELS)
    if cost_model == "simulator":
        if proxy is not None:
            raise UserError("proxy= is only used with cost_model='proxy'")
        return simulator
    if proxy is None:
        raise UserError("cost_model='proxy' needs proxy=PATH of a model from `archgym proxy train`")
    from archgym.registry import env_version

    model = proxy if isinstance(proxy, ProxyModel) else load_model(proxy)
    model.check_env(env_id, env_version(env_id), simulator.space.names)
    missing = [m for m in needs if m not in model.targets]
    if missing:
        wanted = " ".join(f"--target {m}" for m in dict.fromkeys([*model.targets, *missing]))
        raise UserError(f"the proxy predicts {', '.join(model.targets)} but the objective reads "
                        f"{', '.join(missing)} too; train a bundle (`archgym proxy train DATA {wanted}`) "
                        f"or choose an objective over the predicted metrics")
    return ProxySimulator(model, simulator)
