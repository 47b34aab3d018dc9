"""Scorers of predicted probabilities for K models at once (log loss, Brier, D²).

The generic path calls the sklearn scorer once per model; most of its cost is
the scorer's own validation, not arithmetic. Here the K models' probabilities
are computed exactly as the scorer would see them (:func:`softmax`, the same
numpy operations as the estimator-like holder's ``predict_proba``; for two
classes the scorer reads the positive column ``p1`` and rebuilds ``1 - p1``)
and the metric's formula is applied to all K at once, in numpy, so that the
result equals sklearn's to float64 rounding.
"""

import numpy as np
from sklearn.metrics import (
    brier_score_loss,
    d2_brier_score,
    d2_log_loss_score,
    log_loss,
)

__all__ = ["probability_metric_for", "softmax"]


def _row_sums(columns):
    """Sum over the first axis, one column at a time: numpy's own order for
    fewer than 8 terms (its pairwise sum starts unrolling at 8)."""
    if len(columns) >= 8:
        return np.moveaxis(columns, 0, -1).sum(axis=-1)
    total = columns[0].copy()
    for column in columns[1:]:
        total += column
    return total


def softmax(logits):
    """Softmax over the last axis: the holder's ``predict_proba`` and the
    vectorized metrics share it, so both see the same numbers.

    The maximum and the sum run column by column over the few classes:
    numpy's reductions along a short last axis cost a loop per row (9 ms
    instead of 1 ms for 32 models of 4,096 rows and two classes).
    """
    columns = np.moveaxis(logits, -1, 0)
    top = columns[0].copy()
    for column in columns[1:]:
        np.maximum(top, column, out=top)
    proba = np.exp(logits - top[..., None])
    return proba / _row_sums(np.moveaxis(proba, -1, 0))[..., None]


class LogLoss:
    """``log_loss`` (``normalize`` as given) of K models' probabilities."""

    def __init__(self, normalize=True, sign=1.0):
        self.normalize = normalize
        self.sign = sign

    def accepts(self, n_classes, weighted):
        return True

    @staticmethod
    def losses(y, proba):
        """Per-sample log loss ``(..., n)`` of probabilities ``(..., n, C)``."""
        if proba.shape[-1] == 2:
            # the scorer reads p1 only and log_loss rebuilds [1 - p1, p1]
            p1 = proba[..., 1]
            chosen = np.where(y == 1, p1, 1 - p1)
        else:
            index = np.broadcast_to(y[..., None], proba.shape[:-1] + (1,))
            chosen = np.take_along_axis(proba, index, -1)[..., 0]
        eps = np.finfo(proba.dtype).eps
        return -np.log(np.clip(chosen, eps, 1 - eps))

    def score_logits(self, y, logits, sample_weight):
        """``y`` (n,) class indices, ``logits`` (K, n, C) float64 numpy."""
        return self.sign * self.total(y, softmax(logits), sample_weight)

    def total(self, y, proba, sample_weight):
        """The unsigned log loss of probabilities ``(..., n, C)``."""
        loss = self.losses(y, proba)
        if self.normalize:
            value = np.average(loss, axis=-1, weights=sample_weight)
        elif sample_weight is None:
            value = loss.sum(axis=-1)
        else:
            value = loss @ sample_weight
        return value


class BrierScore:
    """``brier_score_loss`` of K models' probabilities.

    Two classes: the scorer reads ``p1`` and ``brier_score_loss`` compares
    ``[1 - p1, p1]`` with the one-hot truth, halved; three or more: the full
    rows, not halved. Two classes must be numeric (with string classes and
    no ``pos_label`` the binary metric raises; the scorer keeps that answer).
    """

    def __init__(self, sign=1.0):
        self.sign = sign

    def accepts(self, n_classes, weighted):
        return True

    def score_logits(self, y, logits, sample_weight):
        return self.sign * self.total(y, softmax(logits), sample_weight)

    def total(self, y, proba, sample_weight):
        """The unsigned Brier score of probabilities ``(..., n, C)``."""
        if proba.shape[-1] == 2:
            t1 = (y == 1).astype(np.float64)
            p1 = proba[..., 1]
            below = (1 - t1) - (1 - p1)
            above = t1 - p1
            per_row = below * below + above * above
        else:
            onehot = np.eye(proba.shape[-1])[y]  # n, C
            diff = np.moveaxis(onehot[None] - proba, -1, 0)
            per_row = _row_sums(diff * diff)
        value = np.average(per_row, axis=-1, weights=sample_weight)
        if proba.shape[-1] == 2:
            value = value * 0.5
        return value


class D2Score:
    """``d2_log_loss_score`` / ``d2_brier_score``: ``1 - loss / null loss``.

    The null model predicts the (weighted) class frequencies of the batch
    for every sample; ``loss`` is :class:`LogLoss` (summed) or
    :class:`BrierScore`.
    """

    def __init__(self, loss, sign=1.0):
        self.loss = loss
        self.sign = sign

    def accepts(self, n_classes, weighted):
        return True

    def score_logits(self, y, logits, sample_weight):
        C = logits.shape[-1]
        frequencies = np.average(np.eye(C)[y], axis=0, weights=sample_weight)
        null = np.broadcast_to(frequencies, (len(y), C))
        model = self.loss.total(y, softmax(logits), sample_weight)
        return self.sign * (1 - model / self.loss.total(y, null, sample_weight))


def probability_metric_for(parts, classes):
    """The vectorized twin of a probability scorer (``ScorerParts``), or None.

    With more than two classes a batch may lack some: the twins then score
    it as the metric does with ``labels=`` the fitted classes, where the
    scorer itself (which encodes the classes present in ``y_true``) would
    refuse a batch whose probabilities have more columns than it has classes.
    """
    func, kwargs, sign = parts.score_func, parts.kwargs, parts.sign
    numeric = np.asarray(classes).dtype.kind in "iufb"
    if func is log_loss and set(kwargs) <= {"normalize"}:
        return LogLoss(bool(kwargs.get("normalize", True)), sign)
    # Binary Brier scores of string classes need a pos_label (the scorer
    # says so); with more classes any labels work.
    any_labels = numeric or len(classes) > 2
    if func is brier_score_loss and not kwargs and any_labels:
        return BrierScore(sign)
    if func is d2_log_loss_score and not kwargs:
        return D2Score(LogLoss(normalize=False), sign)
    if func is d2_brier_score and not kwargs and any_labels:
        return D2Score(BrierScore(), sign)
    return None
