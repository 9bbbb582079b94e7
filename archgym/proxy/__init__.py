"""Proxy cost models: scikit-learn regressors trained on a dataset that stand in for a simulator.

ArchGym's case study replaced DRAMSys with a random forest trained on logged
evaluations (0.61 % RMSE, 2,000x faster). Here that is :func:`train` on any
dataset, and :class:`ProxySimulator` plugs the result back into every env:
``gymnasium.make(ID, cost_model="proxy", proxy=MODEL)``.

A :class:`ProxyModel` is a *bundle*: one regressor per target metric (by
default the metrics the recorded objective reads, so the env's default
objective works with the proxy), plus a feasibility
classifier when the data holds infeasible designs. It is saved (a versioned file format)
together with its feature schema, the env id and version, simulator version,
workloads and its test metrics, so a model is never silently used for an env
it does not describe.

Features: numeric knobs as numbers (``log2`` for power-of-two-like ranges),
categorical knobs one-hot, and the workload one-hot when the data holds more
than one (:meth:`FeatureSchema.describe`), followed by the simulator's
derived design features when it offers them
(:meth:`~archgym.simulator.Simulator.proxy_features`; computed from the knobs
and the workload without running the simulation, e.g. the SoC's HEFT mapping). Targets are learnt on a log scale
when strictly positive, so relative errors matter equally over decades;
``poly`` and ``auto`` also try the linear scale and keep the better on the
validation split (:meth:`ProxyModel.transforms` lists the choices; they are
saved with the model). ``mlp`` and ``poly`` (ridge on degree-2 monomials)
predict in plain numpy, ``rf`` and ``gbt`` through compiled flattened trees
(:mod:`archgym.proxy.trees`); ``auto`` (the default) keeps per target the
candidate with the least validation error. The split is a fixed-seed
train / validation / test split; the validation part picks among a few
hyperparameter settings and the test part is only used for the reported
figures: RMSE (absolute and relative to the target's mean, ArchGym's
figure), R², Spearman rank correlation (what DSE ranking needs), MAPE, and the
measured per-evaluation speed-up over the simulator.

The package holds one module per part: :mod:`~archgym.proxy.bundle` (the
model bundle and its file), :mod:`~archgym.proxy.training`,
:mod:`~archgym.proxy.timing`, :mod:`~archgym.proxy.adapter` (the proxy as a
simulator), :mod:`~archgym.proxy.report` (the plot),
:mod:`~archgym.proxy.encoding` (features), :mod:`~archgym.proxy.models`
(estimators) and :mod:`~archgym.proxy.trees` (compiled tree ensembles). The
public names are re-exported here.
"""

from archgym.proxy.adapter import COST_MODELS, PREDICTED_INFEASIBLE, ProxySimulator, swap_in_proxy
from archgym.proxy.bundle import FORMAT, FORMAT_VERSION, ProxyModel, load_model
from archgym.proxy.encoding import LOG_FEATURE_RATIO, Feature, FeatureSchema, IndexEncoder
from archgym.proxy.models import FeasibilityModel, PolyRidge, PolyTables, TargetModel
from archgym.proxy.report import report_plot
from archgym.proxy.timing import designs_of, measure_speedup
from archgym.proxy.training import (
    AUTO_FOREST_TREES,
    CANDIDATES,
    MODELS,
    TREE_MARGIN,
    derived_features,
    objective_metrics,
    score,
    split_indices,
    train,
    training_frame,
)

__all__ = [
    "AUTO_FOREST_TREES", "CANDIDATES", "COST_MODELS", "FORMAT", "FORMAT_VERSION", "LOG_FEATURE_RATIO", "MODELS",
    "PREDICTED_INFEASIBLE", "TREE_MARGIN", "FeasibilityModel", "Feature", "FeatureSchema", "IndexEncoder",
    "PolyRidge", "PolyTables", "ProxyModel", "ProxySimulator", "TargetModel", "derived_features", "designs_of",
    "load_model", "measure_speedup", "objective_metrics", "report_plot", "score", "split_indices", "swap_in_proxy",
    "train", "training_frame",
]
