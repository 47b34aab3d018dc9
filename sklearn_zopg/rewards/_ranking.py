"""Ranking scorers of K models at once: ROC AUC, average precision, top-k accuracy.

Each class takes the true class indices ``y`` (n,), the models' logits
(K, n, C) float64 numpy and the sample weights (n,) or None, builds the
response the scorer would read (the decision function: ``logit_1 - logit_0``
for two classes, the logits otherwise; or :func:`softmax` probabilities) and
applies the metric's formula to all K at once, equal to scikit-learn's to
float64 rounding:

- ROC AUC is the Mann-Whitney statistic: the weighted probability that a
  positive scores above a negative, ties counting one half, which is the
  area under sklearn's trapezoidal ROC curve; one-vs-rest and one-vs-one
  average it over classes and class pairs as ``roc_auc_score`` does.
- Average precision is ``sum_g (R_g - R_{g-1}) P_g`` over the distinct
  thresholds ``g``: every positive contributes the precision at the end of
  its tie group.
- Top-k accuracy counts a hit when fewer than ``k`` classes rank above the
  true one, in the order of sklearn's stable descending sort (among ties the
  higher class index ranks first).

With two classes both must be in the batch (:meth:`Reward.score_logits`
checks that; training batches always hold both). With more, a class absent
from the batch is left out of the one-vs-rest and one-vs-one averages, as
sklearn's averages leave out undefined terms, where ``roc_auc_score``
itself would refuse the batch.
"""

from itertools import combinations

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score, top_k_accuracy_score

from ._probabilistic import softmax

__all__ = ["ranking_metric_for"]


def _tie_groups(sorted_scores):
    """First and last position of each position's group of equal scores."""
    n = sorted_scores.shape[-1]
    index = np.broadcast_to(np.arange(n), sorted_scores.shape)
    new = np.ones(sorted_scores.shape, dtype=bool)
    new[..., 1:] = sorted_scores[..., 1:] != sorted_scores[..., :-1]
    first = np.maximum.accumulate(np.where(new, index, 0), axis=-1)
    ends = np.ones_like(new)
    ends[..., :-1] = new[..., 1:]
    last = np.minimum.accumulate(np.where(ends, index, n - 1)[..., ::-1], axis=-1)
    return first, last[..., ::-1]


def _sorted_rows(scores, positive, weight, descending):
    """Scores sorted along the last axis, with the positives' and the
    negatives' weights in the same order (unit weights if None). The order
    within ties is irrelevant: the metrics only read tie groups."""
    order = np.argsort(-scores if descending else scores, axis=-1)
    sorted_scores = np.take_along_axis(scores, order, -1)
    hit = np.take_along_axis(np.broadcast_to(positive, scores.shape), order, -1)
    hit = hit.astype(np.float64)
    if weight is None:
        return sorted_scores, hit, 1 - hit
    w = np.take_along_axis(np.broadcast_to(weight, scores.shape), order, -1)
    gained = hit * w
    return sorted_scores, gained, w - gained


def _auc(scores, positive, weight):
    """ROC AUC along the last axis of ``scores`` (..., n) for the mask
    ``positive`` and the weights (both broadcast to ``scores``)."""
    sorted_scores, w_pos, w_neg = _sorted_rows(scores, positive, weight, False)
    first, last = _tie_groups(sorted_scores)
    negatives_before = np.zeros(w_neg.shape[:-1] + (w_neg.shape[-1] + 1,))
    np.cumsum(w_neg, axis=-1, out=negatives_before[..., 1:])
    below = np.take_along_axis(negatives_before, first, -1)
    through = np.take_along_axis(negatives_before, last + 1, -1)  # below + tied
    wins = (w_pos * (below + through)).sum(-1) / 2
    with np.errstate(invalid="ignore"):  # a class of no weight: NaN, as sklearn
        return wins / (w_pos.sum(-1) * w_neg.sum(-1))


def _average_precision(scores, positive, weight):
    """Average precision along the last axis of ``scores`` (..., n)."""
    sorted_scores, gained, lost = _sorted_rows(scores, positive, weight, True)
    tps = gained.cumsum(-1)
    predicted = tps + lost.cumsum(-1)
    precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted != 0)
    # each positive counts the precision at the end of its tie group
    _, last = _tie_groups(sorted_scores)
    at_threshold = np.take_along_axis(precision, last, -1)
    total = tps[..., -1]
    # no positive weight: sklearn's recall is 1 at every threshold, and the
    # area is the precision at the first threshold, 0
    area = (gained * at_threshold).sum(-1)
    return np.divide(area, total, out=np.zeros_like(area), where=total != 0)


def _class_rows(scores, y):
    """One-vs-rest rows: column ``c`` of ``scores`` (K, n, C) against
    ``y == c``, laid out (K, C, n)."""
    C = scores.shape[-1]
    rows = np.ascontiguousarray(np.moveaxis(scores, -1, 1))
    return rows, y[None, :] == np.arange(C)[:, None]


def _class_average(per_class, y, weight, average):
    """Macro or (support-)weighted mean of per-class scores (K, C); a class
    of no weight counts 0 (sklearn zeroes its score, maybe NaN, first). A
    class absent from the batch has no defined one-vs-rest score: the macro
    mean leaves it out, as sklearn's averages leave out undefined terms (the
    weighted mean gives it no weight anyway)."""
    if average == "macro":
        present = np.bincount(y, minlength=per_class.shape[-1]) > 0
        return per_class[..., present].mean(-1)
    onehot = np.eye(per_class.shape[-1])[y]
    support = (onehot if weight is None else onehot * weight[:, None]).sum(0)
    per_class = np.where(support == 0, 0.0, per_class)
    return np.average(per_class, axis=-1, weights=support)


def _binary_response(logits, response):
    """What a binary scorer reads: the margin, or the positive probability."""
    if response == "decision_function":
        return logits[..., 1] - logits[..., 0]
    return softmax(logits)[..., 1]


class RocAuc:
    """``roc_auc_score`` (binary; ``multi_class`` "ovr"/"ovo", macro/weighted)."""

    def __init__(self, response, multi_class, average, sign=1.0):
        self.response = response
        self.multi_class = multi_class
        self.average = average
        self.sign = sign

    def accepts(self, n_classes, weighted):
        if n_classes == 2:
            return True
        return self.multi_class == "ovr" or (self.multi_class == "ovo" and not weighted)

    def score_logits(self, y, logits, sample_weight):
        if logits.shape[-1] == 2:
            scores = _binary_response(logits, self.response)
            return self.sign * _auc(scores, y == 1, sample_weight)
        proba = softmax(logits)
        if self.multi_class == "ovo":
            return self.sign * self._one_vs_one(y, proba)
        rows, positive = _class_rows(proba, y)
        per_class = _auc(rows, positive, sample_weight)
        return self.sign * _class_average(per_class, y, sample_weight, self.average)

    def _one_vs_one(self, y, proba):
        """Every pair (a, b) on the samples of a or b: the mean of column a's
        AUC against y == a and column b's against y == b."""
        present = np.flatnonzero(np.bincount(y, minlength=proba.shape[-1]))
        pairs = list(combinations(present, 2))  # pairs of an absent class: undefined
        scores = np.empty((proba.shape[0], len(pairs)))
        prevalence = np.empty(len(pairs))
        for index, (a, b) in enumerate(pairs):
            mask = (y == a) | (y == b)
            rows = np.stack([proba[:, mask, a], proba[:, mask, b]], 1)
            positive = np.stack([y[mask] == a, y[mask] == b])
            scores[:, index] = _auc(rows, positive, None).mean(-1)
            prevalence[index] = mask.mean()
        weights = prevalence if self.average == "weighted" else None
        return np.average(scores, axis=-1, weights=weights)


class AveragePrecision:
    """``average_precision_score`` (binary; multiclass macro/weighted/micro)."""

    def __init__(self, response, average, sign=1.0):
        self.response = response
        self.average = average
        self.sign = sign

    def accepts(self, n_classes, weighted):
        return True

    def score_logits(self, y, logits, sample_weight):
        w = sample_weight
        C = logits.shape[-1]
        if C == 2:
            scores = _binary_response(logits, self.response)
            return self.sign * _average_precision(scores, y == 1, w)
        scores = logits if self.response == "decision_function" else softmax(logits)
        rows, positive = _class_rows(scores, y)
        if self.average == "micro":  # every (sample, class) cell, one ranking
            flat_w = None if w is None else np.tile(w, C)
            flat = rows.reshape(len(rows), -1)
            return self.sign * _average_precision(flat, positive.ravel(), flat_w)
        per_class = _average_precision(rows, positive, w)
        return self.sign * _class_average(per_class, y, w, self.average)


class TopKAccuracy:
    """``top_k_accuracy_score`` (``k``, ``normalize``) on the decision function."""

    def __init__(self, response, k, normalize, sign=1.0):
        self.response = response
        self.k = k
        self.normalize = normalize
        self.sign = sign

    def accepts(self, n_classes, weighted):
        return True

    def score_logits(self, y, logits, sample_weight):
        if logits.shape[-1] == 2:
            scores = _binary_response(logits, self.response)  # K, n
            if self.k >= 2:
                hits = np.ones(scores.shape, dtype=bool)
            else:
                probability_like = (scores.min(1) >= 0) & (scores.max(1) <= 1)
                threshold = np.where(probability_like, 0.5, 0.0)[:, None]
                hits = (scores > threshold) == (y == 1)
        else:
            scores = logits if self.response == "decision_function" else softmax(logits)
            hits = self._multiclass_hits(y, scores)
        if self.normalize:
            value = np.average(hits, axis=-1, weights=sample_weight)
        elif sample_weight is None:
            value = hits.sum(-1).astype(np.float64)
        else:
            value = hits @ sample_weight
        return self.sign * value

    def _multiclass_hits(self, y, scores):
        """Whether fewer than k classes rank above the true one: those
        scoring higher, and those tied with it at a higher index (sklearn's
        stable ascending sort, reversed). Column by column over the classes."""
        index = np.broadcast_to(y[None, :, None], scores.shape[:2] + (1,))
        true_score = np.take_along_axis(scores, index, -1)[..., 0]
        above = np.zeros(true_score.shape, dtype=np.int64)
        for c in range(scores.shape[-1]):
            column = scores[..., c]
            above += column > true_score
            above += (column == true_score) & (c > y)
        return above < self.k


def _positive_is_last(classes, kwargs):
    """Binary scorers read the margin towards ``classes[1]``: the fast path
    needs their ``pos_label`` (default 1) to be that class. (Multiclass
    average precision refuses any ``pos_label`` but 1: the scorer says so.)"""
    pos_label = kwargs.get("pos_label", 1)
    return pos_label == (classes[1] if len(classes) == 2 else 1)


def ranking_metric_for(parts, classes):
    """The vectorized twin of a ranking scorer (``ScorerParts``), or None."""
    func, kw, sign = parts.score_func, parts.kwargs, parts.sign
    response = parts.response_methods[0]
    classes = list(classes)
    numeric = np.asarray(classes).dtype.kind in "iufb"
    if func is roc_auc_score and set(kw) <= {"multi_class", "average"}:
        multi_class = kw.get("multi_class", "raise")
        average = kw.get("average", "macro")
        if average in ("macro", "weighted") and (
            len(classes) == 2 or multi_class in ("ovr", "ovo")
        ):
            return RocAuc(response, multi_class, average, sign)
    if func is average_precision_score and set(kw) <= {"average", "pos_label"}:
        average = kw.get("average", "macro")
        if (
            average in ("macro", "weighted", "micro")
            and (numeric or len(classes) > 2)  # binary: pos_label must be a class
            and _positive_is_last(classes, kw)
        ):
            return AveragePrecision(response, average, sign)
    if func is top_k_accuracy_score and set(kw) <= {"k", "normalize"}:
        return TopKAccuracy(
            response, int(kw.get("k", 2)), bool(kw.get("normalize", True)), sign
        )
    return None
