"""Vectorised evaluation of an XGBoost tree ensemble in numpy, for low-latency serving.

XGBoost's own ``inplace_predict`` costs ~0.7 ms per call however few rows it gets (ctypes and
array-interface overhead); a depth-3 forest of a few hundred trees evaluates in tens of
microseconds as arrays. The booster remains the source of truth: this is derived from its
JSON dump at load time and a test checks both agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import xgboost as xgb


@dataclass(frozen=True, eq=False)
class Forest:
    """All trees padded to the same node count: arrays of shape (trees, nodes)."""

    left: np.ndarray
    right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray  # split condition (float32, as XGBoost compares), or leaf value
    leaf: np.ndarray  # the same values in float64 for summing leaves
    default_left: np.ndarray
    depth: int
    base_score: float

    @staticmethod
    def from_booster(booster: xgb.Booster) -> Forest:
        model = json.loads(bytes(booster.save_raw("json")))
        learner = model["learner"]
        trees = learner["gradient_booster"]["model"]["trees"]
        width = max(len(t["left_children"]) for t in trees)

        def pad(key: str, fill: float, dtype: type) -> np.ndarray:
            out: np.ndarray = np.full((len(trees), width), fill, dtype=dtype)
            for i, t in enumerate(trees):
                out[i, : len(t[key])] = t[key]
            return out

        left = pad("left_children", -1, np.int64)
        depth = _max_depth(left, pad("right_children", -1, np.int64))
        base = str(learner["learner_model_param"]["base_score"]).strip("[]")
        cond = pad("split_conditions", 0.0, np.float64)
        return Forest(left, pad("right_children", -1, np.int64),
                      pad("split_indices", 0, np.int64), cond.astype(np.float32), cond,
                      pad("default_left", 0, np.int64).astype(bool), depth, float(base))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Sum of leaf values plus the base score, for rows ``x`` (n, F)."""
        x = np.asarray(x, dtype=np.float32)  # XGBoost splits on float32 values
        n, t = x.shape[0], self.left.shape[0]
        trees = np.arange(t)[None, :]
        node = np.zeros((n, t), dtype=np.int64)
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            feat = self.feature[trees, node]
            value = x[rows, feat]
            go_left = np.where(np.isnan(value), self.default_left[trees, node],
                               value < self.threshold[trees, node])
            child = np.where(go_left, self.left[trees, node], self.right[trees, node])
            node = np.where(child >= 0, child, node)  # leaves stay where they are
        return self.leaf[trees, node].sum(axis=1) + self.base_score


def _max_depth(left: np.ndarray, right: np.ndarray) -> int:
    """Deepest leaf over all trees (XGBoost numbers children after their parent)."""
    depth = np.zeros(left.shape, dtype=np.int64)
    trees = np.arange(left.shape[0])
    for j in range(left.shape[1]):
        for children in (left[:, j], right[:, j]):
            has = children >= 0
            depth[trees[has], children[has]] = depth[trees[has], j] + 1
    return int(depth.max())
