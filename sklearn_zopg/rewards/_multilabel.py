"""Multilabel label scorers of K indicator matrices at once (issue 13, first step).

``y`` is an (n, L) 0/1 indicator matrix and each of the K predictions an
(n, L) one. Counted per label (columns: ``micro``, ``macro``, ``weighted``
averages, which reuse the multiclass formulas of ``_counts`` with every
label selected, as sklearn selects all L columns) or per sample (rows:
``average="samples"``), and for subset accuracy and the Hamming loss, equal
to scikit-learn's to float64 rounding.

Not yet wired into the estimators: the multilabel ``PGClassifier`` /
``ZOClassifier`` build on it.
"""

import math

import torch
from sklearn.metrics import accuracy_score, fbeta_score, hamming_loss, jaccard_score

from ._counts import _PRF, Jaccard, PrecisionRecallF, _zero_division_value

__all__ = ["MultilabelCounts", "multilabel_metric_for"]


class MultilabelCounts:
    """Per-label weighted counts of K indicator matrices against one truth.

    Attributes are ``(K, L)`` tensors (``true`` and ``true_count`` ``(L,)``),
    the interface of :class:`~sklearn_zopg.rewards._counts.ClassCounts`.
    """

    def __init__(self, y_true, Y_pred, weight=None):
        hits = Y_pred * y_true  # K, n, L
        if weight is None:
            self.tp = hits.sum(1).double()
            self.pred = Y_pred.sum(1).double()
            self.true = y_true.sum(0).double()
        else:
            column = weight[:, None]
            self.tp = (hits * column).sum(1)
            self.pred = (Y_pred * column).sum(1)
            self.true = (y_true * column).sum(0)
        self.pred_count = Y_pred.sum(1)
        self.true_count = y_true.sum(0)

    def present(self, pred_count):
        return (pred_count + self.true_count) > 0


def _nan_average(values, weight):
    """``_nanaverage``: the (weighted) mean over the last axis of the
    entries that are not NaN; NaN where all are."""
    keep = ~torch.isnan(values)
    w = keep.double() if weight is None else keep * weight
    total = (torch.where(keep, values, 0.0) * w).sum(-1)
    return total / w.sum(-1)


class SampleAverage:
    """``average="samples"``: the metric of each row, averaged over rows."""

    def __init__(self, metric, nan_aware):
        self.metric = metric
        self.nan_aware = nan_aware

    def score_labels(self, y_true, Y_pred, weight):
        tp = (Y_pred * y_true).sum(-1).double()  # K, n
        pred = Y_pred.sum(-1).double()
        true = y_true.sum(-1).double().expand_as(tp)
        values = self.metric._value(tp, pred, true)
        if self.nan_aware:
            return self.metric._signed(_nan_average(values, weight))
        if weight is None:
            return self.metric._signed(values.mean(-1))
        return self.metric._signed(values @ weight / weight.sum())


class LabelAverage:
    """``micro``/``macro``/``weighted``: the multiclass metric on per-label counts."""

    def __init__(self, metric):
        self.metric = metric

    def score_labels(self, y_true, Y_pred, weight):
        return self.metric.score(MultilabelCounts(y_true, Y_pred, weight))


class SubsetAccuracy:
    """``accuracy_score`` of indicator matrices: the rows predicted exactly."""

    def __init__(self, normalize, sign):
        self.normalize = normalize
        self.sign = sign

    def score_labels(self, y_true, Y_pred, weight):
        exact = (Y_pred == y_true).all(-1).double()  # K, n
        if weight is None:
            value = exact.mean(-1) if self.normalize else exact.sum(-1)
        else:
            value = exact @ weight
            if self.normalize:
                value = value / weight.sum()
        return self.sign * value


class HammingLoss:
    """``hamming_loss``: the weighted share of wrong entries."""

    def __init__(self, sign):
        self.sign = sign

    def score_labels(self, y_true, Y_pred, weight):
        n, L = y_true.shape
        wrong = (Y_pred != y_true).sum(-1).double()  # K, n
        if weight is None:
            return self.sign * wrong.sum(-1) / (n * L)
        return self.sign * (wrong @ weight) / (n * L * weight.mean())


def multilabel_metric_for(parts, n_labels):
    """The count-based multilabel twin of a label scorer (``ScorerParts``),
    or None (the scorer is then called per matrix)."""
    func, kw, sign = parts.score_func, dict(parts.kwargs), parts.sign
    if func is accuracy_score and set(kw) <= {"normalize"}:
        return SubsetAccuracy(bool(kw.get("normalize", True)), sign)
    if func is hamming_loss and not kw:
        return HammingLoss(sign)
    if func not in _PRF and func is not jaccard_score:
        return None
    # pos_label only matters to average="binary", refused for multilabel
    allowed = {"average", "zero_division", "pos_label"}
    if func is fbeta_score:
        allowed.add("beta")
    if not set(kw) <= allowed:
        return None
    average = kw.get("average", "binary")
    zero_division = _zero_division_value(kw.get("zero_division", "warn"))
    if average not in ("micro", "macro", "weighted", "samples"):
        return None
    if zero_division is None:
        return None
    every_label = torch.ones(n_labels, dtype=torch.bool)
    metric_average = "macro" if average == "samples" else average
    if func is jaccard_score:
        if math.isnan(zero_division):
            return None
        metric = Jaccard(metric_average, every_label, zero_division)
    else:
        beta = float(kw.get("beta", 1.0)) if func is fbeta_score else 1.0
        metric = PrecisionRecallF(
            _PRF[func], beta, metric_average, every_label, zero_division
        )
    metric.sign = float(sign)
    if average == "samples":
        return SampleAverage(metric, nan_aware=func is not jaccard_score)
    return LabelAverage(metric)
