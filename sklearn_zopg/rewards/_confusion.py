"""Any function of the confusion matrix as an sklearn scorer:
``make_confusion_scorer``.

Many scores a user reports are functions of the confusion matrix that
sklearn has no scorer for, or has one whose options do not fit (a kappa
with the user's own disagreement weights, a recall floor on one class, a
profit per cell). :func:`make_confusion_scorer` turns such a function into
an ordinary scorer; the reward engine counts the matrices of ``K`` label
vectors at once and gives per-sample credit from the changed matrices.
"""

import numpy as np
from sklearn.metrics import confusion_matrix, make_scorer

from .._messages import preview

__all__ = ["confusion_score", "make_confusion_scorer"]


def checked_labels(labels):
    """``labels`` as an array of at least 2 distinct classes, or a ValueError."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(np.unique(labels)) != len(labels) or len(labels) < 2:
        raise ValueError(
            f"labels must list at least 2 distinct classes, once each; got "
            f"{preview(labels.ravel())}."
        )
    return labels


def confusion_score(y_true, y_pred, *, func, labels, sample_weight=None):
    """``func`` of the confusion matrix of the predictions.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    func : callable
        Maps a float64 confusion matrix of shape ``(n_labels, n_labels)``
        (row: true class, column: predicted class, in the order of
        ``labels``) to a number.
    labels : array-like of shape (n_labels,)
        The classes of the matrix's rows and columns.
    sample_weight : array-like of shape (n_samples,), default=None
        Each sample's weight in the counts.

    Returns
    -------
    score : float
        ``func(confusion_matrix(y_true, y_pred, labels=labels,
        sample_weight=sample_weight))``.
    """
    matrix = confusion_matrix(
        y_true, y_pred, labels=checked_labels(labels), sample_weight=sample_weight
    )
    return float(func(matrix.astype(np.float64)))


def make_confusion_scorer(func, *, labels, greater_is_better=True):
    """An sklearn scorer of any function of the confusion matrix.

    Parameters
    ----------
    func : callable
        Maps a confusion matrix (float64, row: true class, column: predicted
        class, in the order of ``labels``) to a number. Written with numpy
        on the last two axes (``m[..., i, j]``, ``m.sum(-1)``,
        ``np.trace(m, axis1=-2, axis2=-1)``), it also scores a stack of
        shape ``(..., n_labels, n_labels)`` in one call, and the estimators
        use that; a function of one matrix only is called once per matrix
        (correct, slower). Define it at module level so that the scorer
        pickles.
    labels : array-like of shape (n_labels,)
        The classes of the rows and columns, as the estimator's
        ``classes_`` spell them. Samples of other classes are left out of
        the matrix, as ``confusion_matrix`` does.
    greater_is_better : bool, default=True
        False for a loss: the scorer then returns minus ``func``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``, from ``sklearn.metrics.make_scorer`` of
        :func:`confusion_score`: usable as ``scoring=`` anywhere in sklearn.
        Inside this library's estimators the matrices of many label vectors
        are counted at once, with per-sample credit for PG.

    Examples
    --------
    A kappa with quadratic disagreement weights, for ordered classes:

    >>> import numpy as np
    >>> from sklearn_zopg import make_confusion_scorer
    >>> def quadratic_kappa(m):
    ...     n = m.shape[-1]
    ...     weights = (np.arange(n)[:, None] - np.arange(n)) ** 2
    ...     total = m.sum((-2, -1))[..., None, None]
    ...     expected = m.sum(-1)[..., :, None] * m.sum(-2)[..., None, :] / total
    ...     observed = (weights * m).sum((-2, -1))
    ...     return 1 - observed / (weights * expected).sum((-2, -1))
    >>> scorer = make_confusion_scorer(quadratic_kappa, labels=[0, 1, 2])
    """
    if not callable(func):
        raise TypeError(
            f"func must be a function of the confusion matrix; got "
            f"{type(func).__name__}."
        )
    return make_scorer(
        confusion_score,
        greater_is_better=greater_is_better,
        func=func,
        labels=checked_labels(labels),
    )
