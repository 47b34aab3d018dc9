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

__all__ = ["make_cost_scorer", "neg_mean_cost", "per_row_matrix"]


_REQUEST = (
    "Costs that vary by row are routed metadata: enable routing with "
    "sklearn.set_config(enable_metadata_routing=True), request them with "
    "scorer.set_score_request(cost_matrix=True), and pass cost_matrix= of shape "
    "(n_samples, n_labels, n_labels) to fit, partial_fit or score."
)


def _checked_matrix(cost_matrix, labels, n_samples=None):
    """The costs as float64, with the labels: ``(L, L)``, or with
    ``n_samples`` given also ``(n_samples, L, L)``, one matrix per row."""
    labels = checked_labels(labels)
    if cost_matrix is None:
        raise ValueError(f"No cost_matrix was given. {_REQUEST}")
    matrix = np.asarray(cost_matrix, dtype=np.float64)
    square = (len(labels), len(labels))
    if matrix.shape != square and matrix.shape != (n_samples, *square):
        per_row = (
            ""
            if n_samples is None
            else f", or one per row of X: {(n_samples, *square)} for the "
            f"{n_samples} rows scored here"
        )
        raise ValueError(
            f"cost_matrix must be square with one row and one column per label "
            f"({len(labels)} x {len(labels)}: row = true class, column = "
            f"predicted class){per_row}; got shape {matrix.shape}."
        )
    if not np.isfinite(matrix).all():
        raise ValueError("cost_matrix must hold finite numbers.")
    return matrix, labels


def per_row_matrix(metadata, labels, n_samples):
    """The routed ``cost_matrix`` of ``n_samples`` rows, checked: ``(L, L)``
    or ``(n_samples, L, L)`` in the order of ``labels``."""
    unknown = set(metadata) - {"cost_matrix"}
    if unknown:
        raise ValueError(
            f"neg_mean_cost got metadata it does not take: {sorted(unknown)}; "
            "it takes cost_matrix."
        )
    return _checked_matrix(metadata.get("cost_matrix"), labels, n_samples)[0]


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


def neg_mean_cost(y_true, y_pred, *, cost_matrix=None, labels, sample_weight=None):
    """Minus the mean cost of the predictions (greater is better).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels, each one of ``labels``.
    cost_matrix : array-like of shape (n_labels, n_labels) or \
            (n_samples, n_labels, n_labels)
        ``cost_matrix[i, j]``: the cost of predicting ``labels[j]`` for a
        sample of class ``labels[i]`` (0 on the diagonal, usually); or one
        such matrix per sample, ``cost_matrix[s, i, j]``, for costs that
        vary by row (routed as metadata, see :func:`make_cost_scorer`).
    labels : array-like of shape (n_labels,)
        The classes the rows and columns refer to.
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    score : float
        ``-sum_s w_s C_s[y_s, p_s] / sum_s w_s``.
    """
    y_true, y_pred = column_or_1d(y_true), column_or_1d(y_pred)
    check_consistent_length(y_true, y_pred, sample_weight)
    matrix, labels = _checked_matrix(cost_matrix, labels, len(y_true))
    true = label_positions(labels, y_true, "y_true")
    pred = label_positions(labels, y_pred, "y_pred")
    if matrix.ndim == 2:
        costs = matrix[true, pred]
    else:
        costs = matrix[np.arange(len(true)), true, pred]
    return -float(np.average(costs, weights=sample_weight))


def make_cost_scorer(cost_matrix=None, *, labels):
    """An sklearn scorer of minus the mean cost of the predicted labels.

    Parameters
    ----------
    cost_matrix : array-like of shape (n_labels, n_labels), default=None
        ``cost_matrix[i, j]``: the cost of predicting ``labels[j]`` for a
        sample of class ``labels[i]``. None for costs that vary by row:
        they are then routed metadata (a loan's exposure, say). Call
        ``.set_score_request(cost_matrix=True)`` on the scorer (with
        ``sklearn.set_config(enable_metadata_routing=True)``) and pass
        ``cost_matrix=`` of shape ``(n_samples, n_labels, n_labels)`` to
        ``fit``, ``partial_fit``, ``score``, a search's ``fit`` or
        ``cross_validate``'s ``params``; each scorer call gets the matrices
        of the rows it scores.
    labels : array-like of shape (n_labels,)
        The classes of the rows and columns, as the estimator's ``classes_``
        spell them.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``, from ``sklearn.metrics.make_scorer`` of
        :func:`neg_mean_cost`: usable as ``scoring=`` anywhere in sklearn.
        Inside this library's estimators it is scored from the labels
        directly, fixed or per-row costs alike (exact per-sample credit for
        PG, ``n_samples="exact"``).

    Examples
    --------
    >>> from sklearn_zopg import make_cost_scorer
    >>> scorer = make_cost_scorer(
    ...     [[0, 1, 5], [1, 0, 5], [10, 10, 0]], labels=["a", "b", "c"]
    ... )

    Per-row costs: a missed default (true 1, predicted 0) costs the loan's
    exposure, a refused good loan (true 0, predicted 1) a tenth of it.

    >>> import numpy as np, sklearn
    >>> exposure = np.array([10.0, 250.0, 40.0])
    >>> costs = np.zeros((3, 2, 2))
    >>> costs[:, 1, 0], costs[:, 0, 1] = exposure, 0.1 * exposure
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     scorer = make_cost_scorer(labels=[0, 1]).set_score_request(
    ...         cost_matrix=True
    ...     )
    """
    labels = checked_labels(labels)
    if cost_matrix is None:
        return make_scorer(neg_mean_cost, labels=labels)
    matrix, labels = _checked_matrix(cost_matrix, labels)
    return make_scorer(neg_mean_cost, cost_matrix=matrix, labels=labels)
