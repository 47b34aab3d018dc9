"""scikit-learn's clustering comparison scores, from stacks of contingency tables.

A classifier's predictions can be scored as a clustering of the rows
against the true classes (``scoring="adjusted_rand_score"``,
``"v_measure_score"``...). Each of these scores is a function of the
contingency table of the two labelings, which for class labels is the
confusion matrix: rows and columns of classes absent from a labeling are
zero and change none of the sums below. Each function here maps a float64
stack ``(..., C, C)`` of tables to the scores ``(...)``, following
``sklearn.metrics.cluster._supervised`` formula by formula (its special
cases included), so that one call scores ``K`` label vectors, and every
single-label change of every vector, as the scorer would one by one.

The adjusted mutual information needs the expected mutual information
under permutations, a sum over every cell's hypergeometric range; it keeps
the scorer's own path.
"""

import numpy as np
from sklearn.metrics import (
    adjusted_rand_score,
    completeness_score,
    fowlkes_mallows_score,
    homogeneity_score,
    mutual_info_score,
    normalized_mutual_info_score,
    rand_score,
    v_measure_score,
)

__all__ = ["clustering_table_function"]

_EPS = np.finfo(np.float64).eps


def _pair_counts(m):
    """``pair_confusion_matrix``'s cells (tn, fp, fn, tp) of each table."""
    n = m.sum((-2, -1))
    squares = (m * m).sum((-2, -1))
    true_sizes, pred_sizes = m.sum(-1), m.sum(-2)
    tp = squares - n
    fp = (m * pred_sizes[..., None, :]).sum((-2, -1)) - squares
    fn = (m * true_sizes[..., :, None]).sum((-2, -1)) - squares
    tn = n * n - fp - fn - squares
    return tn, fp, fn, tp


def _rand(m):
    tn, fp, fn, tp = _pair_counts(m)
    agree, pairs = tn + tp, tn + fp + fn + tp
    perfect = (agree == pairs) | (pairs == 0)
    return np.where(perfect, 1.0, agree / np.where(pairs == 0, 1.0, pairs))


def _adjusted_rand(m):
    tn, fp, fn, tp = _pair_counts(m)
    perfect = (fn == 0) & (fp == 0)
    den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)
    value = 2.0 * (tp * tn - fn * fp) / np.where(perfect, 1.0, den)
    return np.where(perfect, 1.0, value)


def _entropy(sizes):
    """``_entropy`` of a labeling from its label sizes (last axis)."""
    total = sizes.sum(-1, keepdims=True)
    present = sizes > 0
    safe = np.where(present, sizes, 1.0)
    terms = np.where(present, safe / total * (np.log(safe) - np.log(total)), 0.0)
    single = present.sum(-1) == 1
    return np.where(single, 0.0, -terms.sum(-1))


def _mutual_info(m):
    """``mutual_info_score`` of each table (nats)."""
    n = m.sum((-2, -1))[..., None, None]
    true_sizes, pred_sizes = m.sum(-1), m.sum(-2)
    outer = true_sizes[..., :, None] * pred_sizes[..., None, :]
    cell = m > 0
    safe_m = np.where(cell, m, 1.0)
    share = safe_m / n
    log_n = np.log(n)
    mi = share * (np.log(safe_m) - log_n) + share * (
        -np.log(np.where(cell, outer, 1.0)) + log_n + log_n
    )
    mi = np.where(cell & (np.abs(mi) >= _EPS), mi, 0.0)
    one_side = ((true_sizes > 0).sum(-1) == 1) | ((pred_sizes > 0).sum(-1) == 1)
    return np.where(one_side, 0.0, np.clip(mi.sum((-2, -1)), 0.0, None))


def _homogeneity_completeness_v(m, beta=1.0):
    mi = _mutual_info(m)
    h_true, h_pred = _entropy(m.sum(-1)), _entropy(m.sum(-2))
    homogeneity = np.where(h_true != 0, mi / np.where(h_true != 0, h_true, 1.0), 1.0)
    completeness = np.where(h_pred != 0, mi / np.where(h_pred != 0, h_pred, 1.0), 1.0)
    total = homogeneity + completeness
    den = beta * homogeneity + completeness
    v = (1 + beta) * homogeneity * completeness / np.where(total == 0, 1.0, den)
    return homogeneity, completeness, np.where(total == 0, 0.0, v)


_AVERAGES = {
    "min": np.minimum,
    "max": np.maximum,
    "geometric": lambda u, v: np.sqrt(u * v),
    "arithmetic": lambda u, v: (u + v) / 2,
}


def _normalized_mutual_info(m, average_method="arithmetic"):
    mi = _mutual_info(m)
    true_sizes, pred_sizes = m.sum(-1), m.sum(-2)
    both_single = ((true_sizes > 0).sum(-1) == 1) & ((pred_sizes > 0).sum(-1) == 1)
    norm = _AVERAGES[average_method](_entropy(true_sizes), _entropy(pred_sizes))
    value = np.where(mi == 0, 0.0, mi / np.where(mi == 0, 1.0, norm))
    return np.where(both_single, 1.0, value)


def _fowlkes_mallows(m):
    n = m.sum((-2, -1))
    tk = (m * m).sum((-2, -1)) - n
    pk = (m.sum(-2) ** 2).sum(-1) - n
    qk = (m.sum(-1) ** 2).sum(-1) - n
    defined = tk != 0
    value = np.sqrt(tk / np.where(defined, pk, 1.0)) * np.sqrt(
        tk / np.where(defined, qk, 1.0)
    )
    return np.where(defined, value, 0.0)


def _one(index):
    def part(m, beta=1.0):
        return _homogeneity_completeness_v(m, beta)[index]

    return part


# metric -> (table function, the keyword arguments it takes)
_TABLE_FUNCTIONS = {
    rand_score: (_rand, set()),
    adjusted_rand_score: (_adjusted_rand, set()),
    mutual_info_score: (_mutual_info, set()),
    normalized_mutual_info_score: (_normalized_mutual_info, {"average_method"}),
    homogeneity_score: (_one(0), set()),
    completeness_score: (_one(1), set()),
    v_measure_score: (_one(2), {"beta"}),
    fowlkes_mallows_score: (_fowlkes_mallows, set()),
}


def clustering_table_function(func, kwargs):
    """``func(**kwargs)`` as a function of stacks of contingency tables,
    or None when it is not one of the clustering scores computed here."""
    try:
        table_function, allowed = _TABLE_FUNCTIONS[func]
    except (KeyError, TypeError):  # TypeError: an unhashable callable
        return None
    if not set(kwargs) <= allowed:
        return None
    if kwargs.get("average_method", "arithmetic") not in _AVERAGES:
        return None  # the scorer's own call raises sklearn's error

    def table_score(m):
        with np.errstate(all="ignore"):
            return table_function(np.asarray(m, dtype=np.float64), **kwargs)

    return table_score
