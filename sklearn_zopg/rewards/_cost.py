"""A cost matrix as an sklearn scorer: ``make_cost_scorer``.

scikit-learn tunes a decision threshold for binary problems only; a cost
per (true, predicted) pair of classes is the usual way to state what the
errors of a multiclass classifier cost. :func:`make_cost_scorer` turns one
into an ordinary scorer (``GridSearchCV``, ``cross_val_score``, pickle),
and the reward engine scores it from the predicted labels directly: a cost
is a mean over samples, so every label vector is scored in ``O(n)``, each
sample's credit is exact, and ``PGClassifier(n_samples="exact")`` applies.
"""

import numpy as np
from sklearn.metrics import make_scorer
from sklearn.utils import check_consistent_length, column_or_1d

from .._messages import preview
from ._confusion import checked_labels

__all__ = ["make_cost_scorer", "neg_mean_cost"]


def _checked_matrix(cost_matrix, labels):
    labels = checked_labels(labels)
    matrix = np.asarray(cost_matrix, dtype=np.float64)
    if matrix.shape != (len(labels), len(labels)):
        raise ValueError(
            f"cost_matrix must be square with one row and one column per label "
            f"({len(labels)} x {len(labels)}: row = true class, column = "
            f"predicted class); got shape {matrix.shape}."
        )
    if not np.isfinite(matrix).all():
        raise ValueError("cost_matrix must hold finite numbers.")
    return matrix, labels


def label_positions(labels, values, what):
    """Positions of ``values`` in ``labels``; a ValueError names unknown ones."""
    sorter = np.argsort(labels)
    found = np.searchsorted(labels, values, sorter=sorter)
    found = sorter[np.clip(found, 0, len(labels) - 1)]
    unknown = labels[found] != values
    if unknown.any():
        raise ValueError(
            f"{what} holds labels that are not in the cost matrix's labels "
            f"{preview(labels)}: {preview(np.unique(values[unknown]))}."
        )
    return found


def neg_mean_cost(y_true, y_pred, *, cost_matrix, labels, sample_weight=None):
    """Minus the mean cost of the predictions (greater is better).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels, each one of ``labels``.
    cost_matrix : array-like of shape (n_labels, n_labels)
        ``cost_matrix[i, j]``: the cost of predicting ``labels[j]`` for a
        sample of class ``labels[i]`` (0 on the diagonal, usually).
    labels : array-like of shape (n_labels,)
        The classes the rows and columns refer to.
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    score : float
        ``-sum_i w_i cost_matrix[y_i, p_i] / sum_i w_i``.
    """
    matrix, labels = _checked_matrix(cost_matrix, labels)
    y_true, y_pred = column_or_1d(y_true), column_or_1d(y_pred)
    check_consistent_length(y_true, y_pred, sample_weight)
    true = label_positions(labels, y_true, "y_true")
    pred = label_positions(labels, y_pred, "y_pred")
    return -float(np.average(matrix[true, pred], weights=sample_weight))


def make_cost_scorer(cost_matrix, *, labels):
    """An sklearn scorer of minus the mean cost of the predicted labels.

    Parameters
    ----------
    cost_matrix : array-like of shape (n_labels, n_labels)
        ``cost_matrix[i, j]``: the cost of predicting ``labels[j]`` for a
        sample of class ``labels[i]``.
    labels : array-like of shape (n_labels,)
        The classes of the rows and columns, as the estimator's ``classes_``
        spell them.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``, from ``sklearn.metrics.make_scorer`` of
        :func:`neg_mean_cost`: usable as ``scoring=`` anywhere in sklearn.
        Inside this library's estimators it is scored from the labels
        directly (exact per-sample credit for PG, ``n_samples="exact"``).

    Examples
    --------
    >>> from sklearn_zopg import make_cost_scorer
    >>> scorer = make_cost_scorer(
    ...     [[0, 1, 5], [1, 0, 5], [10, 10, 0]], labels=["a", "b", "c"]
    ... )
    """
    matrix, labels = _checked_matrix(cost_matrix, labels)
    return make_scorer(neg_mean_cost, cost_matrix=matrix, labels=labels)
