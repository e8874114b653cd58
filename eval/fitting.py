"""Small fitters shared by the eval/ fitting scripts: standardised linear models, listwise or
binary, with an L2 penalty, fitted by L-BFGS (scipy); and threshold choice for a precision."""

from __future__ import annotations

import math

import numpy as np

from rag.reader import Linear

L2 = 1.0


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def fit_listwise(groups: list[tuple[np.ndarray, np.ndarray]], l2: float = L2) -> Linear:
    """Conditional logit: maximise log P(positive) under a softmax over each group's rows."""
    from scipy.optimize import minimize

    allx = np.concatenate([g[0] for g in groups])
    mean, scale = _standardise(allx)
    gs = [((x - mean) / scale, y.astype(bool)) for x, y in groups]
    n = len(gs)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.5 * l2 * w @ w, l2 * w
        for x, y in gs:
            z = x @ w
            zmax = z.max()
            p = np.exp(z - zmax)
            p /= p.sum()
            zp = z[y]
            pm = zp.max()
            q = np.exp(zp - pm)
            total += (zmax + math.log(np.exp(z - zmax).sum())) - (pm + math.log(q.sum()))
            q /= q.sum()
            g = x.T @ p - x[y].T @ q
            grad = grad + g
        return total / n, grad / n

    w0 = np.zeros(allx.shape[1])
    res = minimize(loss, w0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return Linear(res.x, mean, scale, 0.0)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2) -> Linear:
    from scipy.optimize import minimize

    mean, scale = _standardise(x)
    xs = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    n = len(xs)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = xs @ w
        p = 1 / (1 + np.exp(-z))
        eps = 1e-12
        reg = w.copy()
        reg[-1] = 0
        val = -np.sum(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)) / n
        return val + 0.5 * l2 * reg @ reg / n, xs.T @ (p - y) / n + l2 * reg / n

    res = minimize(loss, np.zeros(xs.shape[1]), jac=True, method="L-BFGS-B")
    return Linear(res.x[:-1], mean, scale, float(res.x[-1]))


def choose_threshold(p: np.ndarray, answerable: np.ndarray, precision: float) -> float:
    """Highest abstention recall whose abstention precision is at least `precision`."""
    best_t, best_recall = 0.0, -1.0
    for t in np.unique(np.round(p, 3)):
        abstain = p < t
        if not abstain.any():
            continue
        prec = float((~answerable[abstain]).mean())
        rec = float((abstain & ~answerable).sum() / max(1, (~answerable).sum()))
        if prec >= precision and rec > best_recall:
            best_t, best_recall = float(t), rec
    return best_t


def auc(score: np.ndarray, y: np.ndarray) -> float:
    """Area under the ROC curve of `score` for the boolean labels `y` (rank-sum form)."""
    ranks = np.argsort(np.argsort(score)) + 1
    pos = y.sum()
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / max(1, pos * (len(y) - pos)))
