"""Tree ensembles (random forests, histogram gradient boosting) flattened for one compiled pass.

scikit-learn predicts a forest tree by tree, each call checking its input,
allocating the leaf indices and gathering their values: for a proxy that
replaces a simulator in batch, that bookkeeping costs as much as the
traversal. :class:`FlatTrees` copies the fitted trees' nodes into a few flat
arrays once, and :func:`_descend` walks every tree for every row in one
compiled loop (:mod:`archgym.compiled`), tree after tree so each tree's nodes
stay in cache. The numbers are scikit-learn's: the trees are summed in their
order, random forests compare ``float32`` inputs and divide by the number of
trees, boosting starts from the baseline prediction and sends missing values
along each node's missing-value branch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from archgym.compiled import AVAILABLE, jit

__all__ = ["FlatTrees"]


#: rows descended together: their loads are independent, so the CPU overlaps their cache misses
_BLOCK = 32


@jit
def _descend(x, feature, threshold, missing_left, left, value, roots, depth, out):  # pragma: no cover - compiled
    """Add every tree's leaf value to ``out`` (``(rows, outputs)``) for each row of ``x``.

    A node's right child is ``left + 1`` and a leaf is its own left child with
    threshold +inf, so every row takes ``depth[t]`` branch-free steps in tree ``t``.
    """
    rows = x.shape[0]
    node = np.empty(_BLOCK, np.int64)
    for t in range(roots.shape[0]):
        for r0 in range(0, rows, _BLOCK):
            m = min(_BLOCK, rows - r0)
            for j in range(m):
                node[j] = roots[t]
            for _ in range(depth[t]):
                for j in range(m):
                    n = node[j]
                    v = x[r0 + j, feature[n]]
                    right = (v > threshold[n]) if v == v else not missing_left[n]
                    node[j] = left[n] + right
            for j in range(m):
                for k in range(out.shape[1]):
                    out[r0 + j, k] += value[node[j], k]


@dataclass(frozen=True)
class FlatTrees:
    """The nodes of all trees of a fitted ensemble, concatenated.

    ``start`` is added to the sum of the trees' leaf values, then divided by
    ``divisor``: 0 and the number of trees for a forest (the mean: class
    probabilities for a classifier), the baseline and 1 for boosting (a binary
    classifier's logit).
    """

    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray  # the right child is left + 1; a leaf's left is itself
    value: np.ndarray  # (nodes, outputs)
    roots: np.ndarray
    depth: np.ndarray  # per tree: its deepest leaf's depth
    start: float
    divisor: float
    float32: bool  # scikit-learn's forests compare the inputs cast to float32

    @classmethod
    def of(cls, estimator: Any) -> "FlatTrees | None":
        """The flattened ensemble of a fitted random forest or histogram gradient boosting model (regressor or
        binary classifier); ``None`` for other estimators
        (and when numba is missing: the plain-Python loop would be slower than scikit-learn)."""
        if not AVAILABLE:
            return None
        name = type(estimator).__name__
        if name in ("RandomForestRegressor", "RandomForestClassifier") and hasattr(estimator, "estimators_"):
            return cls._of_forest(estimator)
        if name in ("HistGradientBoostingRegressor", "HistGradientBoostingClassifier") and hasattr(
                estimator, "_predictors"):
            if getattr(estimator, "is_categorical_", None) is not None or estimator.n_trees_per_iteration_ != 1:
                return None
            return cls._of_boosting(estimator)
        return None

    @classmethod
    def _of_forest(cls, forest: Any) -> "FlatTrees":
        trees = []
        for est in forest.estimators_:
            t = est.tree_
            missing = getattr(t, "missing_go_to_left", None)
            trees.append((t.feature, t.threshold, np.zeros(t.node_count, bool) if missing is None else missing,
                          t.children_left, t.children_right, t.value[:, 0, :]))
        return cls._join(trees, 0.0, float(len(trees)), True)

    @classmethod
    def _of_boosting(cls, boosting: Any) -> "FlatTrees":
        trees = []
        for (predictor,) in boosting._predictors:
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            left, right = (np.where(leaf, -1, nodes[k].astype(np.int64)) for k in ("left", "right"))
            trees.append((nodes["feature_idx"], nodes["num_threshold"], nodes["missing_go_to_left"], left, right,
                          nodes["value"][:, None]))
        return cls._join(trees, float(np.ravel(boosting._baseline_prediction)[0]), 1.0, False)

    @classmethod
    def _join(cls, trees: list[tuple[np.ndarray, ...]], start: float, divisor: float, float32: bool) -> "FlatTrees":
        """Renumber each tree's nodes (children side by side, leaves looping on themselves) and concatenate."""
        cols: list[list[np.ndarray]] = [[], [], [], [], []]
        roots, depths, offset = [], [], 0
        for feature, threshold, missing, left, right, value in trees:
            left, right = np.asarray(left, np.int64), np.asarray(right, np.int64)
            new, depth = _breadth_first(left, right)
            leaf = left < 0
            n = len(left)
            order = np.empty(n, np.int64)
            order[new] = np.arange(n)  # old node at each new position
            leaf_o = leaf[order]
            cols[0].append(np.where(leaf_o, 0, np.asarray(feature, np.int64)[order]))
            cols[1].append(np.where(leaf_o, np.inf, np.asarray(threshold, np.float64)[order]))
            cols[2].append(np.where(leaf_o, True, np.asarray(missing, bool)[order]))
            cols[3].append(offset + np.where(leaf_o, np.arange(n), new[np.maximum(left[order], 0)]))
            cols[4].append(np.asarray(value, np.float64)[order])
            roots.append(offset)
            depths.append(depth)
            offset += n
        return cls(*(np.ascontiguousarray(np.concatenate(c)) for c in cols), np.asarray(roots, np.int64),
                   np.asarray(depths, np.int64), start, divisor, float32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The ensemble's raw prediction for each row of ``x``, shape ``(rows, outputs)``."""
        x = np.ascontiguousarray(x, dtype=np.float32 if self.float32 else np.float64)
        out = np.full((len(x), self.value.shape[1]), self.start)
        _descend(x, self.feature, self.threshold, self.missing_left, self.left, self.value, self.roots, self.depth, out)
        return out / self.divisor if self.divisor != 1.0 else out


def _breadth_first(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, int]:
    """New number of each node (root 0; each internal node's children get two consecutive numbers) and the depth."""
    new = np.zeros(len(left), np.int64)
    frontier = np.zeros(1, np.int64)
    next_id, depth = 1, 0
    while True:
        inner = frontier[left[frontier] >= 0]
        if not len(inner):
            return new, depth
        ids = next_id + 2 * np.arange(len(inner))
        new[left[inner]], new[right[inner]] = ids, ids + 1
        next_id += 2 * len(inner)
        frontier = np.concatenate([left[inner], right[inner]])
        depth += 1
