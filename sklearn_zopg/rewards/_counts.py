"""Confusion-count versions of scikit-learn's label metrics, for many vectors at once.

Every supported metric is written as ``finalize(sum_j terms_j)``: a handful of
per-class terms (functions of that class's weighted true positives, predicted
count, true count and presence) added over classes, then one closing formula.
That form gives the score of ``K`` label vectors from their counts, and the
score of every single-label change of every vector (``swap_scores``) in
``O(K * n * C)``: changing sample ``i``'s label from ``a`` to ``c`` alters the
terms of classes ``a`` and ``c`` only.

The formulas follow ``sklearn.metrics._classification`` line by line
(``_prf_divide``, ``_nanaverage``, ``matthews_corrcoef``...) so that the results
equal scikit-learn's in float64.
"""

import math

import numpy as np
import torch
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    fbeta_score,
    get_scorer,
    jaccard_score,
    matthews_corrcoef,
    precision_score,
    recall_score,
)

from .._messages import preview
from ._clustering import clustering_table_function
from ._confusion import confusion_score
from ._cost import label_positions
from ._cost_metric import cost_metric_for
from ._scorer_parts import scorer_parts

__all__ = ["ClassCounts", "count_metric_for"]

_NAN = float("nan")


class ClassCounts:
    """Per-class weighted counts of ``K`` label vectors against one truth.

    Built from each vector's confusion matrix, as sklearn does, so that the
    true and predicted totals of a vector are sums of the same cells. All
    attributes are tensors of shape ``(K, C)``; ``true_count`` is ``(C,)``.
    """

    def __init__(self, y_true, Y_pred, weight=None, n_classes=2):
        if n_classes == 2 and weight is None:
            self._binary_unweighted(y_true, Y_pred)
            return
        K = Y_pred.shape[0]
        C = n_classes
        if C * C > Y_pred.shape[1]:
            self._by_class(y_true, Y_pred, weight, C)
            return
        dtype = torch.float64 if weight is None else weight.dtype
        offsets = torch.arange(K, device=Y_pred.device)[:, None] * (C * C)
        cell = (offsets + y_true * C + Y_pred).flatten()
        size = K * C * C
        counts = torch.bincount(cell, minlength=size).view(K, C, C).to(dtype)
        if weight is None:
            cm = counts
        else:
            cm = (
                torch.bincount(
                    cell, weights=weight.expand(K, -1).flatten(), minlength=size
                )
                .view(K, C, C)
                .to(dtype)
            )
        self.tp = torch.diagonal(cm, dim1=1, dim2=2)
        self.pred = cm.sum(1)
        self.true = cm.sum(2)
        self.pred_count = counts.sum(1)
        self.true_count = counts[0].sum(1)

    @classmethod
    def from_totals(cls, tp, pred, true, pred_count, true_count):
        """Counts already summed by the caller (one that knows how its
        vectors differ can count them faster than from the labels)."""
        counts = cls.__new__(cls)
        counts.tp, counts.pred, counts.true = tp, pred, true
        counts.pred_count, counts.true_count = pred_count, true_count
        return counts

    def _by_class(self, y_true, Y_pred, weight, C):
        """More classes than rows can fill a confusion matrix: the totals
        counted by class from the rows, ``O(K * (n + C))`` instead of a
        ``(K, C, C)`` histogram (100 classes, K=16: 10x faster). Counts are
        integers and unit weights sum exactly, so they equal the matrix's
        sums; other weights agree to rounding."""
        K, n = Y_pred.shape
        cell = (torch.arange(K, device=Y_pred.device)[:, None] * C + Y_pred).flatten()
        hit = Y_pred == y_true
        dtype = torch.float64 if weight is None else weight.dtype
        size = K * C
        pred_count = torch.bincount(cell, minlength=size).view(K, C)
        true_count = torch.bincount(y_true, minlength=C)
        if weight is None:
            hits = torch.bincount(cell, weights=hit.flatten().to(dtype), minlength=size)
            self.pred = pred_count.to(dtype)
            self.true = true_count.to(dtype).expand(K, C)
        else:
            weights = weight.expand(K, n)
            hits = torch.bincount(
                cell, weights=(weights * hit).flatten(), minlength=size
            )
            self.pred = torch.bincount(
                cell, weights=weights.flatten(), minlength=size
            ).view(K, C)
            self.true = torch.bincount(y_true, weights=weight, minlength=C).expand(K, C)
        self.tp = hits.view(K, C).to(dtype)
        self.pred_count = pred_count
        self.true_count = true_count

    def _binary_unweighted(self, y_true, Y_pred):
        """Two classes, unit weights: integer sums, no histogram (10x faster)."""
        K, n = Y_pred.shape
        pred1 = Y_pred.sum(1)
        positive = y_true.bool()
        n1 = positive.sum()
        if Y_pred.device.type != "cpu":  # a mask index would wait for the device
            tp1 = (Y_pred * positive).sum(1)
        elif 2 * int(n1) <= n:  # sum over the smaller class's columns only
            tp1 = Y_pred[:, positive].sum(1)
        else:
            tp1 = pred1 - Y_pred[:, ~positive].sum(1)
        n1 = n1.expand(K)
        n0 = n - n1
        tp0 = n0 - (pred1 - tp1)
        f64 = torch.float64
        self.tp = torch.stack([tp0, tp1], 1).to(f64)
        self.pred = torch.stack([n - pred1, pred1], 1).to(f64)
        self.true = torch.stack([n0, n1], 1).to(f64)
        self.pred_count = self.pred
        self.true_count = self.true[0]

    def present(self, pred_count):
        """Classes that occur in the truth or in the predictions (unweighted)."""
        return (pred_count + self.true_count) > 0


def _divide(num, den, zero_division):
    """``_prf_divide``: num / den, with ``zero_division`` where den is 0."""
    zero = den == 0
    out = num / torch.where(zero, torch.ones_like(den), den)
    return torch.where(zero, torch.full_like(out, zero_division), out)


def _zero_division_value(zero_division):
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if zero_division in (0, 1) and not isinstance(zero_division, bool):
        return float(zero_division)
    if isinstance(zero_division, float) and math.isnan(zero_division):
        return _NAN
    return None


class CountMetric:
    """A metric as per-class terms plus a closing formula.

    Subclasses define ``terms(tp, pred, true, selected) -> (..., C, T)`` and
    ``finalize(sums) -> (...)``. ``sign`` is the scorer's sign.
    """

    sign = 1.0
    decomposable = False
    takes_weights = True  # False: the scorer refuses sample_weight

    uses_selection = False  # whether terms() reads ``selected``
    from_counts = True  # False: needs more than per-class counts (a cost)
    needs_counts = True  # False: its swaps and credit read no counts (a cost)

    def selected(self, present, class_index):
        """Which classes enter the average (sklearn's ``labels``)."""
        return present

    def _signed(self, value):
        return value if self.sign == 1.0 else self.sign * value

    def _base_terms(self, counts):
        C = counts.tp.shape[1]
        index = torch.arange(C, device=counts.tp.device)
        selected = None
        if self.uses_selection:
            selected = self.selected(counts.present(counts.pred_count), index)
        return self.terms(counts.tp, counts.pred, counts.true, selected)

    def score(self, counts):
        return self._signed(self.finalize(self._base_terms(counts).sum(-2)))

    def score_labels(self, y_true, Y_pred, weight, n_classes):
        """Score of each row of ``Y_pred`` (shape ``(K, n)``), shape ``(K,)``."""
        return self.score(ClassCounts(y_true, Y_pred, weight, n_classes))

    def _base_minus_old(self, counts, terms, sums, y_true, Y_pred, w, regain=None):
        """The summed terms with sample ``i`` taken out of its old class
        ``a = Y_pred[k, i]`` (and not yet added anywhere), shape ``(K, n, T)``.

        With ``regain`` (a weight), also what class ``a``'s terms gain when,
        without sample ``i``, it gains a sample of that weight and ``i``'s
        true class: a second ``(K, n, T)`` tensor.
        """
        K, n = Y_pred.shape
        hit_old = (Y_pred == y_true.expand(K, n)).to(w.dtype)

        def at_old(t):
            return t.gather(1, Y_pred)

        true_old = at_old(counts.true)
        tp_old = at_old(counts.tp) - w * hit_old
        pred_old = at_old(counts.pred) - w
        selected_old = None
        if self.uses_selection:
            pcount_old = at_old(counts.pred_count) - 1
            present_old = (pcount_old + counts.true_count[Y_pred]) > 0
            selected_old = self.selected(present_old, Y_pred)
        if regain is not None:
            tp_old = torch.stack([tp_old, tp_old + regain * hit_old])
            pred_old = torch.stack([pred_old, pred_old + regain])
            if self.uses_selection:
                everywhere = torch.ones_like(present_old)
                selected_old = torch.stack(
                    [selected_old, self.selected(everywhere, Y_pred)]
                )
        old_new = self.terms(tp_old, pred_old, true_old, selected_old)  # K,n,T
        old_base = terms.gather(1, Y_pred[..., None].expand(K, n, terms.shape[-1]))
        if regain is None:
            return sums[:, None, :] - old_base + old_new
        without, regained = old_new.unbind(0)
        return sums[:, None, :] - old_base + without, regained - without

    def swap_scores(self, counts, y_true, Y_pred, weight):
        """Score of each vector with each sample's label set to each class.

        Returns a tensor of shape ``(K, n, C)``.
        """
        K, n = Y_pred.shape
        C = counts.tp.shape[1]
        terms = self._base_terms(counts)  # K,C,T
        sums = terms.sum(-2)  # K,T
        w = weight.expand(K, n)
        base_minus_old = self._base_minus_old(counts, terms, sums, y_true, Y_pred, w)
        if C == 2:
            return self._binary_swap_scores(
                counts, terms, base_minus_old, y_true, Y_pred, w
            )

        # New class c gains sample i.
        onehot_true = torch.nn.functional.one_hot(y_true, C).to(w.dtype)  # n,C
        gain_tp = w[..., None] * onehot_true  # K,n,C
        tp_new = counts.tp[:, None, :] + gain_tp
        pred_new = counts.pred[:, None, :] + w[..., None]
        selected_new = None
        if self.uses_selection:
            index = torch.arange(C, device=w.device).expand(K, n, C)
            selected_new = self.selected(
                torch.ones_like(index, dtype=torch.bool), index
            )
        true_new = counts.true[:, None, :]
        new_new = self.terms(tp_new, pred_new, true_new, selected_new)  # K,n,C,T
        new_base = terms[:, None, :, :]

        # sums - terms[a] + terms'[a] - terms[c] + terms'[c], for every c ...
        all_sums = (new_new - new_base).add_(base_minus_old[:, :, None, :])
        # ... except c == a, where nothing changes.
        T = all_sums.shape[-1]
        at_own = Y_pred[..., None, None].expand(K, n, 1, T)
        all_sums.scatter_(2, at_own, sums[:, None, None, :].expand(K, n, 1, T))
        return self._signed(self.finalize(all_sums))

    def swap_scores_by_class(self, counts, y_true, Y_pred):
        """:meth:`swap_scores` for unit weights and many classes.

        With unit weights, class ``c`` gaining sample ``i`` changes its terms
        in one of two ways only, whether ``c`` is ``i``'s true class or not:
        both are computed once per (vector, class), shape ``(K, C, T)``, and
        broadcast over the samples, instead of evaluating the terms on a
        ``(K, n, C)`` table. The ``(K, n, C, T)`` sums then take one add, one
        scatter for the true class and one for the own class.
        """
        K, n = Y_pred.shape
        C = counts.tp.shape[1]
        terms = self._base_terms(counts)  # K,C,T
        T = terms.shape[-1]
        sums = terms.sum(-2)  # K,T
        ones = torch.ones(K, n, dtype=counts.tp.dtype, device=Y_pred.device)
        base_minus_old = self._base_minus_old(counts, terms, sums, y_true, Y_pred, ones)
        selected = None
        if self.uses_selection:
            index = torch.arange(C, device=Y_pred.device).expand(K, C)
            selected = self.selected(torch.ones_like(index, dtype=torch.bool), index)
        missed = self.terms(counts.tp, counts.pred + 1, counts.true, selected) - terms
        hit = self.terms(counts.tp + 1, counts.pred + 1, counts.true, selected) - terms
        # Laid out (T, K, n, C): the broadcast add and finalize then run over
        # contiguous rows of C (3x faster than (K, n, C, T) with small T).
        bmo = base_minus_old.permute(2, 0, 1)[..., None]  # T,K,n,1
        all_sums = bmo + missed.permute(2, 0, 1)[:, :, None, :]  # T,K,n,C
        correction = (hit - missed).gather(1, y_true[None, :, None].expand(K, n, T))
        at_true = y_true[None, None, :, None].expand(T, K, n, 1)
        all_sums.scatter_add_(3, at_true, correction.permute(2, 0, 1)[..., None])
        at_own = Y_pred[None, :, :, None].expand(T, K, n, 1)
        all_sums.scatter_(3, at_own, sums.T[:, :, None, None].expand(T, K, n, 1))
        return self._signed(self.finalize(all_sums.movedim(0, -1)))

    def mean_field_credit(self, counts, y_true, Y_pred, weight, proba):
        """Per-sample credit for many classes, in ``O(K * n * (C + T))``.

        The credit of sample ``i`` in vector ``k`` is the vector's score
        minus a baseline that does not depend on ``Y_pred[k, i]``, so the
        policy gradient stays unbiased. :meth:`swap_scores` gives the exact
        conditional expectation ``sum_c p_i(c) swap[k, i, c]`` at the price of
        ``K * n * C`` closing formulas; here the closing formula is evaluated
        once per (vector, sample), at the expected summed terms instead:

        ``base_minus_old[k, i] + sum_c p_i(c) delta[k, i, c]``, where
        ``delta`` is what class ``c`` gaining sample ``i`` adds to the sums.
        The summed terms are linear in ``delta``, so their expectation is one
        ``(n, C) x (K, C, T)`` contraction of the per-class deltas of a
        sample of the batch's mean weight (scaled to each sample's weight),
        with the true and the own class corrected by gathers. Only the sums
        with sample ``i`` taken out and ``p_i`` enter, so the baseline is free
        of ``Y_pred[k, i]``. The closing formula is linear in the sums for
        accuracy and balanced accuracy, where the baseline is the exact
        expectation; for F-scores, Jaccard and MCC it differs from it by the
        curvature of the closing formula over one sample's change.

        With unit weights (``weight=None``) taking a sample out of its class
        changes that class's terms in one of two ways (a hit or a miss), so
        every per-sample table is a gather from ``(K, C, 2)`` tables.

        Returns
        -------
        advantage : tensor of shape (K, n)
        scores : tensor of shape (K,)
        """
        K, n = Y_pred.shape
        C = counts.tp.shape[1]
        unweighted = weight is None
        unit = 1.0 if unweighted else weight.mean()
        tp, pred = counts.tp, counts.pred
        variants = [(tp, pred, counts.pred_count), (tp, pred + unit, None)]
        variants.append((tp + unit, pred + unit, None))
        if unweighted:  # sample i taken out of its class: a miss, a hit
            variants += [(tp, pred - 1, pred - 1), (tp - 1, pred - 1, pred - 1)]
        # Laid out (V, T, K, C) and (T, K, n) below: the elementwise work and
        # the closing formula then run over contiguous rows (2x faster).
        all_terms = self._variant_terms(counts, variants).permute(0, 3, 1, 2)
        all_terms = all_terms.contiguous()
        terms = all_terms[0]  # T,K,C
        T = terms.shape[0]
        sums = terms.sum(-1)  # T,K
        missed = all_terms[1] - terms  # class c gains a sample it does not own
        hit_gain = all_terms[2] - all_terms[1]  # ... the extra if c owns it
        p = proba.to(terms.dtype)
        p_own = p.gather(1, Y_pred.T).T  # K,n
        # sum_c p_i(c) missed[c] + p_i(y_i) hit_gain[y_i], as one product
        p_true = torch.zeros_like(p).scatter_(
            1, y_true[:, None], p.gather(1, y_true[:, None])
        )
        deltas = torch.cat([missed, hit_gain], -1).view(T * K, 2 * C)
        gained = (deltas @ torch.cat([p, p_true], 1).T).view(T, K, n)
        hit_own = Y_pred == y_true
        if unweighted:
            # The sums without sample i: sums + removed[k, a, hit]; the own
            # class's unit delta is replaced by the exact one (-removed).
            removed = all_terms[3:5] - terms  # 2,T,K,C (miss, hit)
            own_unit = torch.stack([missed, missed + hit_gain])
            table = torch.cat([removed, -removed - own_unit], 1)  # 2,2T,K,C
            table = table.permute(1, 2, 3, 0).reshape(2 * T, K, 2 * C)
            index = (Y_pred * 2 + hit_own).expand(2 * T, K, n)
            change, own_fix = table.gather(2, index).split(T)
            expected = change.add_(sums[..., None]).add_(gained)
            expected += p_own * own_fix
        else:
            # The own class's delta, as every other's, that of a sample of
            # the mean weight, but added to its counts without sample i.
            w = weight.expand(K, n)
            base_minus_old, own_delta = (
                t.permute(2, 0, 1)  # T,K,n
                for t in self._base_minus_old(
                    counts, terms.permute(1, 2, 0), sums.T, y_true, Y_pred, w, unit
                )
            )
            index = Y_pred.expand(T, K, n)
            own_unit = missed.gather(2, index) + hit_own * hit_gain.gather(2, index)
            expected = base_minus_old + (w / unit) * (
                gained + p_own * (own_delta - own_unit)
            )
        baseline = self._signed(self.finalize(expected.movedim(0, -1)))
        scores = self._signed(self.finalize(sums.T))
        if K > 1:  # a degenerate closing formula: the other vectors' mean
            others = (scores.sum() - scores) / (K - 1)
            baseline = torch.where(
                torch.isfinite(baseline), baseline, others[:, None].expand(K, n)
            )
        return scores[:, None] - baseline, scores

    def _variant_terms(self, counts, variants):
        """Terms of several ``(tp, pred, pred_count)`` variants of the
        counts in one call, shape ``(V, K, C, T)``. A variant's classes are
        selected as present at its ``pred_count``, or all of them (a class
        gaining a sample is present) where that is None."""
        tp = torch.stack([torch.as_tensor(v[0]).expand_as(counts.tp) for v in variants])
        pred = torch.stack([v[1] for v in variants])
        selected = None
        if self.uses_selection:
            C = counts.tp.shape[1]
            index = torch.arange(C, device=counts.tp.device).expand_as(counts.tp)
            everywhere = torch.ones_like(index, dtype=torch.bool)
            selected = torch.stack(
                [
                    self.selected(
                        everywhere if v[2] is None else counts.present(v[2]), index
                    )
                    for v in variants
                ]
            )
        return self.terms(tp, pred, counts.true, selected)

    def swap_scores_unweighted(self, counts, y_true, Y_pred):
        """:meth:`swap_scores` for unit weights, computed once per label pair.

        Without weights, a sample's row of swap scores depends only on its (predicted,
        true) pair: the ``C * C`` possible rows of each vector are computed
        and looked up, instead of one row per sample (binary F1, K=16, 256
        samples: 0.26 ms instead of 0.39 ms on the 2-core CPU).
        """
        K, n = Y_pred.shape
        C = counts.tp.shape[1]
        pairs = torch.arange(C * C, device=Y_pred.device)
        ones = torch.ones(C * C, dtype=torch.float64, device=Y_pred.device)
        table = self.swap_scores(counts, pairs % C, (pairs // C).expand(K, -1), ones)
        index = (Y_pred * C + y_true)[..., None].expand(K, n, C)
        return table.gather(1, index)

    def _binary_swap_scores(self, counts, terms, base_minus_old, y_true, Y_pred, w):
        """Two classes: the only change of sample i is the flip to the other."""
        K, n = Y_pred.shape
        other = 1 - Y_pred
        gained = self.terms(
            counts.tp.gather(1, other) + w * (y_true == other),
            counts.pred.gather(1, other) + w,
            counts.true.gather(1, other),
            self.selected(torch.ones_like(other, dtype=torch.bool), other)
            if self.uses_selection
            else None,
        )
        T = terms.shape[-1]
        other_base = terms.gather(1, other[..., None].expand(K, n, T))
        flipped = self._signed(self.finalize(base_minus_old - other_base + gained))
        own = self._signed(self.finalize(terms.sum(-2)))[:, None].expand(K, n)
        is_one = Y_pred.bool()
        # swap[..., 0] is the score with label 0: own where Y=0, else the flip
        return torch.stack(
            [torch.where(is_one, flipped, own), torch.where(is_one, own, flipped)], -1
        )


class Accuracy(CountMetric):
    decomposable = True

    def __init__(self, normalize=True):
        self.normalize = normalize

    def terms(self, tp, pred, true, selected):
        return torch.stack([tp, pred], -1)

    def finalize(self, s):
        return s[..., 0] / s[..., 1] if self.normalize else s[..., 0]

    def score_labels(self, y_true, Y_pred, weight, n_classes):
        """Matches counted directly: no per-class counts needed (2x faster)."""
        hits = Y_pred == y_true
        if weight is None:
            correct = hits.sum(1).double()
            total = float(y_true.shape[0])
        else:
            correct = (hits * weight).sum(1)
            total = weight.sum()
        return self._signed(correct / total if self.normalize else correct)

    def mean_field_credit(self, counts, y_true, Y_pred, weight, proba):
        """A sample's hit against its chance of one, over the total weight
        (the exact expectation: the score is a sum over samples)."""
        scores = self.score_labels(y_true, Y_pred, weight, None)
        return self._signed(_hit_gain(y_true, Y_pred, weight, proba, None)), scores


def _hit_gain(y_true, Y_pred, weight, proba, per_class):
    """``w_i (hit[k, i] - p_i(y_i)) / scale``: a decomposable score's exact
    credit, ``scale`` the total weight or the true class's
    (``per_class[y_i]``, then with the number of classes averaged)."""
    hits = (Y_pred == y_true).to(torch.float64)
    gain = hits - proba.to(torch.float64).gather(1, y_true[:, None]).T
    if weight is not None:
        gain = gain * weight
    if per_class is None:
        return gain / (y_true.shape[0] if weight is None else weight.sum())
    return gain / per_class[y_true]


class BalancedAccuracy(CountMetric):
    decomposable = True  # true counts do not depend on the predictions

    def __init__(self, adjusted=False):
        self.adjusted = adjusted

    def terms(self, tp, pred, true, selected):
        true = true.expand_as(tp)
        valid = true != 0
        recall = tp / torch.where(valid, true, torch.ones_like(true))
        return torch.stack([torch.where(valid, recall, 0.0), valid.to(tp.dtype)], -1)

    def mean_field_credit(self, counts, y_true, Y_pred, weight, proba):
        """A sample's hit against its chance of one, over its class's weight
        and the number of classes (the exact expectation)."""
        if self.adjusted:
            return super().mean_field_credit(counts, y_true, Y_pred, weight, proba)
        true = counts.true[0]
        n_valid = (true != 0).sum()
        gain = _hit_gain(y_true, Y_pred, weight, proba, true * n_valid)
        return self._signed(gain), self.score(counts)

    def finalize(self, s):
        score = s[..., 0] / s[..., 1]
        if self.adjusted:
            chance = 1 / s[..., 1]
            score = (score - chance) / (1 - chance)
        return score


class _SetWise(CountMetric):
    """Shared label selection of the precision/recall/F/Jaccard family.

    ``selection`` is a fixed boolean mask over classes (``labels=`` or the
    binary ``pos_label``), or None for sklearn's default: the labels present
    in truth or predictions.
    """

    def __init__(self, average, selection, zero_division):
        self.average = average
        self.selection = selection
        self.zero_division = zero_division

    uses_selection = True

    def selected(self, present, class_index):
        if self.selection is None:
            return present
        return self.selection.to(present.device)[class_index]


class PrecisionRecallF(_SetWise):
    def __init__(self, kind, beta, average, selection, zero_division):
        super().__init__(average, selection, zero_division)
        self.kind = kind
        self.beta = beta

    def _value(self, tp, pred, true):
        zd = self.zero_division
        if self.kind == "precision" or (self.kind == "f" and self.beta == 0):
            return _divide(tp, pred, zd)
        if self.kind == "recall" or (self.kind == "f" and math.isinf(self.beta)):
            return _divide(tp, true, zd)
        beta2 = self.beta**2
        return _divide((1 + beta2) * tp, beta2 * true + pred, zd)

    def score_labels(self, y_true, Y_pred, weight, n_classes):
        """``average="binary"``: the positive class's value from three sums."""
        if self.average != "binary":
            return super().score_labels(y_true, Y_pred, weight, n_classes)
        positive = int(torch.nonzero(self.selection)[0])
        predicted = Y_pred == positive
        actual = y_true == positive
        hit = predicted & actual
        if weight is None:
            tp, pred = hit.sum(1).double(), predicted.sum(1).double()
            true = actual.sum().double()
        else:
            tp, pred = (hit * weight).sum(1), (predicted * weight).sum(1)
            true = (actual * weight).sum()
        return self._signed(self._value(tp, pred, true.expand_as(tp)))

    def terms(self, tp, pred, true, selected):
        true = true.expand_as(tp)
        sel = selected.expand_as(tp)
        if self.average == "micro":
            zero = torch.zeros_like(tp)
            parts = [torch.where(sel, t, zero) for t in (tp, pred, true)]
            return torch.stack(parts, -1)
        value = self._value(tp, pred, true)
        ok = sel & ~torch.isnan(value)
        okf = ok.to(tp.dtype)
        value = torch.where(ok, value, 0.0)
        if self.average == "weighted":
            parts = [value * true * okf, true * okf, value, okf, sel.to(tp.dtype)]
        else:
            parts = [value, okf, sel.to(tp.dtype)]
        return torch.stack(parts, -1)

    def finalize(self, s):
        if self.average == "micro":
            return self._value(s[..., 0], s[..., 1], s[..., 2])
        nan = torch.full_like(s[..., 0], _NAN)
        if self.average == "weighted":
            weighted = s[..., 0] / s[..., 1]
            plain = s[..., 2] / s[..., 3]
            out = torch.where(s[..., 1] != 0, weighted, plain)
        else:
            out = s[..., 0] / s[..., 1]
        return torch.where(s[..., -2] == 0, nan, out)


class Jaccard(_SetWise):
    def _value(self, tp, pred, true):
        fp = pred - tp
        fn = true - tp
        return _divide(tp, tp + fp + fn, self.zero_division)

    def terms(self, tp, pred, true, selected):
        true = true.expand_as(tp)
        sel = selected.expand_as(tp)
        zero = torch.zeros_like(tp)
        if self.average == "micro":
            fp = pred - tp
            fn = true - tp
            den = tp + fp + fn
            return torch.stack(
                [torch.where(sel, tp, zero), torch.where(sel, den, zero)], -1
            )
        value = torch.where(sel, self._value(tp, pred, true), zero)
        support = torch.where(sel, (true - tp) + tp, zero)
        self_f = sel.to(tp.dtype)
        if self.average == "weighted":
            return torch.stack([value * support, support, value, self_f], -1)
        return torch.stack([value, self_f], -1)

    def finalize(self, s):
        if self.average == "micro":
            return _divide(s[..., 0], s[..., 1], self.zero_division)
        if self.average == "weighted":
            return torch.where(
                s[..., 1] != 0, s[..., 0] / s[..., 1], s[..., 2] / s[..., 3]
            )
        return s[..., 0] / s[..., 1]


class LikelihoodRatio(CountMetric):
    """The scorers ``positive_likelihood_ratio`` and
    ``neg_negative_likelihood_ratio`` (binary; 1.0 where the ratio is
    undefined, as their ``replace_undefined_by=1.0``). The positive class is
    the second one, as in sklearn's sorted confusion matrix."""

    uses_selection = True
    takes_weights = False  # the metric functions have no sample_weight

    def __init__(self, positive):
        self.positive = positive

    def selected(self, present, class_index):
        return class_index == 1

    def terms(self, tp, pred, true, selected):
        pos = selected.expand_as(tp).to(tp.dtype)
        neg = 1 - pos
        true = true.expand_as(tp)
        return torch.stack(
            [tp * pos, (pred - tp) * pos, (true - tp) * pos, tp * neg], -1
        )

    def finalize(self, s):
        tp, fp, fn, tn = s.unbind(-1)
        support_pos = tp + fn
        support_neg = tn + fp
        if self.positive:
            undefined, num, den = fp == 0, tp * support_neg, fp * support_pos
        else:
            undefined, num, den = tn == 0, fn * support_neg, tn * support_pos
        value = torch.where(undefined, torch.ones_like(num), num / den)
        # one label in truth and predictions: sklearn's 1x1 confusion matrix
        # is an error there, NaN here (which the reward refuses)
        single = (tp + fp + fn == 0) | (tn + fp + fn == 0)
        return torch.where(single, _NAN, value)


class MatthewsCorrcoef(CountMetric):
    def terms(self, tp, pred, true, selected):
        true = true.expand_as(tp)
        return torch.stack([tp, pred, true * pred, pred * pred, true * true], -1)

    def finalize(self, s):
        n = s[..., 1]
        n2 = n * n  # products, not powers: torch.pow is 5x slower on the CPU
        cov_ytyp = s[..., 0] * n - s[..., 2]
        cov_ypyp = n2 - s[..., 3]
        cov_ytyt = n2 - s[..., 4]
        prod = cov_ypyp * cov_ytyt
        # Both factors are >= 0; rounding in swap_scores' updated sums can leave
        # a degenerate case a few ulps away from sklearn's exact zero.
        prod = torch.where(prod <= 1e-13 * (n2 * n2), torch.zeros_like(prod), prod)
        safe = torch.where(prod == 0, torch.ones_like(prod), prod)
        return torch.where(
            prod == 0, torch.zeros_like(prod), cov_ytyp / torch.sqrt(safe)
        )


# ---------------------------------------------------------------- recognition

_PRF = {
    precision_score: "precision",
    recall_score: "recall",
    f1_score: "f",
    fbeta_score: "f",
}
_SETWISE_KEYS = {"labels", "pos_label", "average", "zero_division"}


def _selection(classes, kwargs, average):
    """Boolean class mask for ``labels=`` / binary ``pos_label``, or None.

    Returns ``False`` when the configuration is outside the fast path.
    """
    if average == "binary":
        pos_label = kwargs.get("pos_label", 1)
        if len(classes) > 2:
            raise ValueError(
                f"The scorer averages with average='binary', which needs two "
                f"classes, but y has {len(classes):,}: {preview(classes)}. Use a "
                "multiclass average, e.g. scoring='f1_macro'."
            )
        if pos_label not in list(classes):
            raise ValueError(
                f"The scorer's pos_label={pos_label!r} is not one of the classes "
                f"{preview(classes)}. Pass make_scorer(..., pos_label=<a class>)."
            )
        return torch.as_tensor(np.asarray(classes) == pos_label)
    labels = kwargs.get("labels")
    if labels is None:
        return None
    labels = list(labels)
    known = list(classes)
    if len(set(labels)) != len(labels) or any(lab not in known for lab in labels):
        return False
    return torch.as_tensor(np.isin(np.asarray(classes), labels))


def _likelihood_ratio_functions():
    """The metric functions behind the likelihood-ratio scorers (sklearn
    defines them in a private module; they are read from the public scorers)."""
    return {
        scorer_parts(get_scorer(name)).score_func: name.startswith("positive")
        for name in ("positive_likelihood_ratio", "neg_negative_likelihood_ratio")
    }


_LIKELIHOOD_RATIOS = _likelihood_ratio_functions()


class ConfusionFunction(CountMetric):
    """A user's function of the confusion matrix (``make_confusion_scorer``).

    ``K`` matrices are counted at once (in the order of the scorer's
    ``labels``: ``positions`` are those labels' indices among the classes);
    a sample's swap or expected label changes its true class's row only, by
    its weight. ``func`` is applied to the whole stack of matrices where it
    broadcasts over leading axes (``batched``), else once per matrix.
    """

    from_counts = False
    _CHUNK_ENTRIES = 1 << 21  # matrix entries built at once

    def __init__(self, func, positions, n_classes, batched=None):
        self.func = func
        self.positions = torch.as_tensor(positions)
        self.n_classes = n_classes
        self.batched = self._broadcasts() if batched is None else batched
        self._in_order = bool((self.positions == torch.arange(n_classes)).all())

    def _broadcasts(self):
        """Whether ``func`` scores a stack of matrices as it scores each."""
        C = len(self.positions)
        stack = np.random.default_rng(0).integers(0, 5, (2, 3, C, C)).astype(float)
        try:
            with np.errstate(all="ignore"):
                together = np.asarray(self.func(stack), dtype=np.float64)
                apart = [float(self.func(m)) for m in stack.reshape(-1, C, C)]
        except Exception:  # noqa: BLE001 - any failure: call it per matrix
            return False
        return together.shape == (2, 3) and np.allclose(
            together.ravel(), apart, rtol=1e-12, atol=1e-12, equal_nan=True
        )

    def _apply(self, matrices):
        """``func`` of ``(..., C, C)`` matrices in labels order, as a tensor."""
        ordered = matrices
        if not self._in_order:
            index = self.positions.to(matrices.device)
            ordered = matrices.index_select(-2, index).index_select(-1, index)
        host = ordered.cpu().numpy()
        with np.errstate(all="ignore"):  # a NaN score is the reward's to refuse
            if self.batched:
                values = np.asarray(self.func(host), dtype=np.float64)
            else:
                flat = host.reshape(-1, *host.shape[-2:])
                values = np.array([float(self.func(m)) for m in flat])
        values = values.reshape(host.shape[:-2])
        return self._signed(torch.as_tensor(values, device=matrices.device))

    def _matrices(self, y_true, Y_pred, weight, counts=None):
        """The ``(K, C, C)`` confusion matrices of the vectors; two classes
        and unit weights from the integer sums of ``counts`` (the caller's
        unweighted :class:`ClassCounts`, counted here if None)."""
        K, C = Y_pred.shape[0], self.n_classes
        if C == 2 and weight is None:  # from the integer sums, no histogram
            if counts is None:
                counts = ClassCounts(y_true, Y_pred, None, 2)
            missed = counts.true - counts.tp  # row c, the other column
            return torch.stack(
                [counts.tp[:, 0], missed[:, 0], missed[:, 1], counts.tp[:, 1]], 1
            ).view(K, 2, 2)
        cell = (
            torch.arange(K, device=Y_pred.device)[:, None] * (C * C)
            + y_true * C
            + Y_pred
        ).flatten()
        weights = None if weight is None else weight.expand_as(Y_pred).flatten()
        counts = torch.bincount(cell, weights=weights, minlength=K * C * C)
        return counts.view(K, C, C).to(torch.float64)

    def score_labels(self, y_true, Y_pred, weight, n_classes):
        return self._apply(self._matrices(y_true, Y_pred, weight))

    def _changed(self, matrices, y_true, Y_pred, weight, new_rows):
        """``func`` of each vector's matrix (``matrices``, from
        :meth:`_matrices`) with sample ``i``'s one-hot
        label replaced by each of ``new_rows(rows)`` (``(K, r, A, C)``:
        ``A`` alternatives of ``C`` entries for the rows ``rows``), shape
        ``(K, n, A)``: only the sample's true row of the matrix changes, by
        its weight. Built in chunks of rows of bounded size."""
        K, n = Y_pred.shape
        C = self.n_classes
        matrices = matrices[:, None, None]  # K,1,1,C,C
        eye = torch.eye(C, dtype=torch.float64, device=Y_pred.device)
        w = torch.ones(n, dtype=torch.float64, device=Y_pred.device)
        if weight is not None:
            w = weight.to(torch.float64)
        alternatives = new_rows(slice(0, 1)).shape[2]
        step = max(1, self._CHUNK_ENTRIES // (K * alternatives * C * C))
        out = []
        for start in range(0, n, step):
            rows = slice(start, min(n, start + step))
            drawn = eye[Y_pred[:, rows]][:, :, None]  # K,r,1,C
            change = (new_rows(rows) - drawn) * w[rows, None, None]  # K,r,A,C
            true_row = eye[y_true[rows]][None, :, None, :, None]  # 1,r,1,C,1
            out.append(self._apply(matrices + true_row * change[..., None, :]))
        return torch.cat(out, 1)

    def swap_scores(self, counts, y_true, Y_pred, weight):
        K, C = Y_pred.shape[0], self.n_classes
        eye = torch.eye(C, dtype=torch.float64, device=Y_pred.device)

        def every_class(rows):  # K,r,C,C: each class's one-hot
            r = len(range(*rows.indices(Y_pred.shape[1])))
            return eye.expand(K, r, C, C)

        matrices = self._matrices(y_true, Y_pred, weight, counts)
        return self._changed(matrices, y_true, Y_pred, weight, every_class)

    def swap_scores_unweighted(self, counts, y_true, Y_pred):
        return self.swap_scores(counts, y_true, Y_pred, None)

    swap_scores_by_class = swap_scores_unweighted

    def mean_field_credit(self, counts, y_true, Y_pred, weight, proba):
        """The baseline: ``func`` of the matrix with sample ``i``'s one-hot
        label replaced by ``p_i`` (the expected counts; free of the drawn
        label)."""
        p = proba.to(torch.float64)
        K = Y_pred.shape[0]

        def expected(rows):  # K,r,1,C
            return p[rows][None, :, None].expand(K, -1, 1, -1)

        matrices = self._matrices(y_true, Y_pred, weight, counts)
        baseline = self._changed(matrices, y_true, Y_pred, weight, expected)[..., 0]
        scores = self._apply(matrices)
        return scores[:, None] - baseline, scores


class ContingencyScore(ConfusionFunction):
    """A clustering comparison score of the predictions against the truth
    (``adjusted_rand_score``, ``v_measure_score``...), from the contingency
    tables of :mod:`._clustering`; these metrics take no weights."""

    takes_weights = False

    def __init__(self, table_function, n_classes):
        super().__init__(table_function, range(n_classes), n_classes, batched=True)


def _confusion_metric(kw, classes):
    """The :class:`ConfusionFunction` of ``make_confusion_scorer``'s
    keywords; None unless its labels are exactly the classes, in any order
    (otherwise its own call, which leaves samples out, is the reference)."""
    labels = np.asarray(kw["labels"])
    classes = np.asarray(classes)
    if len(labels) != len(classes) or not np.isin(labels, classes).all():
        return None
    positions = label_positions(classes, labels, "labels")
    return ConfusionFunction(kw["func"], positions, len(classes))


def count_metric_for(score_func, kwargs, classes, sign=1.0):
    """The count-based twin of ``score_func(**kwargs)``, or None if there is none."""
    metric = _build(score_func, dict(kwargs), classes)
    if metric is not None:
        metric.sign = float(sign)
    return metric


def _build(func, kw, classes):
    cost = cost_metric_for(func, kw, classes)
    if cost is not None:
        return cost
    if func is confusion_score and set(kw) == {"func", "labels"}:
        return _confusion_metric(kw, classes)
    table_function = clustering_table_function(func, kw)
    if table_function is not None:
        return ContingencyScore(table_function, len(classes))
    if func is accuracy_score and set(kw) <= {"normalize"}:
        return Accuracy(bool(kw.get("normalize", True)))
    if func is balanced_accuracy_score and set(kw) <= {"adjusted"}:
        return BalancedAccuracy(bool(kw.get("adjusted", False)))
    if func is matthews_corrcoef and not kw:
        return MatthewsCorrcoef()
    if func in _LIKELIHOOD_RATIOS and not kw and len(classes) == 2:
        return LikelihoodRatio(positive=_LIKELIHOOD_RATIOS[func])
    if func in _PRF or func is jaccard_score:
        allowed = _SETWISE_KEYS | ({"beta"} if func is fbeta_score else set())
        if not set(kw) <= allowed:
            return None
        average = kw.get("average", "binary")
        if average not in ("binary", "micro", "macro", "weighted"):
            return None
        zero_division = _zero_division_value(kw.get("zero_division", "warn"))
        if zero_division is None:
            return None
        selection = _selection(classes, kw, average)
        if selection is False:
            return None
        if func is jaccard_score:
            if math.isnan(zero_division):  # sklearn's jaccard_score refuses nan
                return None
            return Jaccard(average, selection, zero_division)
        beta = float(kw.get("beta", 1.0)) if func is fbeta_score else 1.0
        return PrecisionRecallF(_PRF[func], beta, average, selection, zero_division)
    return None
