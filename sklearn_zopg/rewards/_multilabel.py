"""Multilabel label scorers of K indicator matrices at once.

``y`` is an (n, L) 0/1 indicator matrix and each of the K predictions an
(n, L) one. Counted per label (columns: ``micro``, ``macro``, ``weighted``
averages, which reuse the multiclass formulas of ``_counts`` with every
label selected, as sklearn selects all L columns) or per sample (rows:
``average="samples"``), and for subset accuracy and the Hamming loss, equal
to scikit-learn's to float64 rounding.

:class:`~sklearn_zopg.rewards.MultilabelReward` scores the multilabel
``PGClassifier`` / ``ZOClassifier`` with them.
"""

import math

import torch
from sklearn.metrics import accuracy_score, fbeta_score, hamming_loss, jaccard_score

from ._counts import _PRF, Jaccard, PrecisionRecallF, _zero_division_value

__all__ = ["MultilabelCounts", "multilabel_metric_for", "multilabel_swap_scores"]


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


def _row_sums(entry_terms, y_true, Y_pred):
    """Per-row sums over the labels of ``entry_terms(y, Y)``: (K, n) each."""
    return [term.sum(-1) for term in entry_terms(y_true, Y_pred)]


def _row_sums_both_ways(entry_terms, y_true, base, c):
    """:func:`_row_sums` of ``base`` (n, L) with label ``c`` set to 0 in
    every row, and to 1: (2, n) each, the base's sums with label ``c``'s
    terms swapped."""
    n = base.shape[0]
    states = torch.stack([torch.zeros_like(base[:, c]), torch.ones_like(base[:, c])])
    full = _row_sums(entry_terms, y_true, base)
    old = entry_terms(y_true[:, c], base[:, c])
    new = entry_terms(y_true[:, c].expand(2, n), states)
    return [f - o + s for f, o, s in zip(full, old, new)]


def _wrong_entries(y_true, Y_pred):
    """The entries predicted wrong, as the one term of a row's sum."""
    return ((Y_pred != y_true).long(),)


def _ratio_of_row_shares(num, den, column):
    """Scores ``sum(num) / sum(den)`` of K matrices that differ in one label
    only, from each row's shares with the label off and on (``num``,
    ``den``: (2, n)) and the label's values in the K matrices (``column``:
    (K, n)): O(K n) in all."""
    on = column.to(num.dtype)
    total = num[0].sum() + on @ (num[1] - num[0])
    return total / (den[0].sum() + on @ (den[1] - den[0]))


class SampleAverage:
    """``average="samples"``: the metric of each row, averaged over rows."""

    def __init__(self, metric, nan_aware):
        self.metric = metric
        self.nan_aware = nan_aware

    @staticmethod
    def _entry_terms(y_true, Y_pred):
        return (Y_pred * y_true).double(), Y_pred.double()

    def score_labels(self, y_true, Y_pred, weight):
        tp, pred = _row_sums(self._entry_terms, y_true, Y_pred)  # K, n
        values = self._row_values(y_true, tp, pred)
        if self.nan_aware:
            return self.metric._signed(_nan_average(values, weight))
        if weight is None:
            return self.metric._signed(values.mean(-1))
        return self.metric._signed(values @ weight / weight.sum())

    def score_column(self, y_true, base, c, column, weight):
        """The scores of ``base`` (n, L) with label ``c`` replaced by each
        row of ``column`` (K, n): each row's value takes one of two values."""
        tp, pred = _row_sums_both_ways(self._entry_terms, y_true, base, c)
        values = self._row_values(y_true, tp, pred)  # 2, n
        keep = ~torch.isnan(values) if self.nan_aware else torch.ones_like(tp) > 0
        w = torch.ones_like(tp) if weight is None else weight.expand_as(tp)
        num = torch.where(keep, values, 0.0) * w
        return self.metric._signed(_ratio_of_row_shares(num, keep * w, column))

    def _row_values(self, y_true, tp, pred):
        true = y_true.sum(-1).double().expand_as(tp)
        return self.metric._value(tp, pred, true)


class LabelAverage:
    """``micro``/``macro``/``weighted``: the multiclass metric on per-label counts."""

    def __init__(self, metric):
        self.metric = metric

    def score_labels(self, y_true, Y_pred, weight):
        return self.metric.score(MultilabelCounts(y_true, Y_pred, weight))

    def score_column(self, y_true, base, c, column, weight):
        """The scores of ``base`` (n, L) with label ``c`` replaced by each
        row of ``column`` (K, n): only label ``c``'s counts change."""
        counts = MultilabelCounts(y_true, base[None], weight)
        replaced = MultilabelCounts(y_true[:, c : c + 1], column[..., None], weight)
        K = column.shape[0]
        for name in ("tp", "pred", "pred_count"):
            table = getattr(counts, name).expand(K, -1).clone()
            table[:, c] = getattr(replaced, name)[:, 0]
            setattr(counts, name, table)
        return self.metric.score(counts)


class SubsetAccuracy:
    """``accuracy_score`` of indicator matrices: the rows predicted exactly."""

    def __init__(self, normalize, sign):
        self.normalize = normalize
        self.sign = sign

    def score_labels(self, y_true, Y_pred, weight):
        (wrong,) = _row_sums(_wrong_entries, y_true, Y_pred)
        exact = (wrong == 0).double()  # K, n
        if weight is None:
            value = exact.mean(-1) if self.normalize else exact.sum(-1)
        else:
            value = exact @ weight
            if self.normalize:
                value = value / weight.sum()
        return self.sign * value

    def score_column(self, y_true, base, c, column, weight):
        (wrong,) = _row_sums_both_ways(_wrong_entries, y_true, base, c)
        exact = (wrong == 0).double()  # 2, n
        w = torch.ones_like(exact) if weight is None else weight.expand_as(exact)
        den = w if self.normalize else torch.full_like(w, 1 / w.shape[1])
        return self.sign * _ratio_of_row_shares(exact * w, den, column)


class HammingLoss:
    """``hamming_loss``: the weighted share of wrong entries."""

    def __init__(self, sign):
        self.sign = sign

    def score_labels(self, y_true, Y_pred, weight):
        n, L = y_true.shape
        (wrong,) = _row_sums(_wrong_entries, y_true, Y_pred)
        wrong = wrong.double()  # K, n
        if weight is None:
            return self.sign * wrong.sum(-1) / (n * L)
        return self.sign * (wrong @ weight) / (n * L * weight.mean())

    def score_column(self, y_true, base, c, column, weight):
        L = y_true.shape[1]
        (wrong,) = _row_sums_both_ways(_wrong_entries, y_true, base, c)
        wrong = wrong.double()  # 2, n
        w = torch.ones_like(wrong) if weight is None else weight.expand_as(wrong)
        return self.sign * _ratio_of_row_shares(wrong * w, L * w, column)


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


# ---------------------------------------------------------------- per-entry
# ``swap[k, i, l, c]``: the score of matrix k with entry (i, l) set to c.
# Each function returns the tables of those scores with the entry set to 0
# and to 1, and the look-up that spreads a table over the (K, n, L) entries.
# An entry's flip depends on the counts it sits in and on its own (predicted,
# true) pair only: ``pair = 2 * Y_pred + y_true``, of which there are 4.
_OWN = torch.tensor([0.0, 0.0, 1.0, 1.0], dtype=torch.float64)
_TRUE = torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=torch.float64)


def _pairs(y_true, Y_pred):
    """The entries' (predicted, true) pair, and the pairs' own and true values."""
    device = Y_pred.device
    return Y_pred * 2 + y_true, _OWN.to(device), _TRUE.to(device)


def _entries(table):
    """The look-up of a table that already has one value per entry."""
    return table


def _label_average_swap(average, y_true, Y_pred, weight):
    """Flipping entry (i, l) changes label l's counts only."""
    metric = average.metric
    counts = MultilabelCounts(y_true, Y_pred, weight)
    every = torch.ones_like(counts.tp, dtype=torch.bool)
    terms = metric.terms(counts.tp, counts.pred, counts.true, every)  # K, L, T
    sums = terms.sum(-2)  # K, T
    if weight is None:
        # Unit weights: each label's flips take one of 4 values, (K, L, 4)
        # instead of (K, n, L) closing formulas, then looked up.
        pair, own, true_of = _pairs(y_true, Y_pred)
        tp_out = counts.tp[..., None] - own * true_of  # K, L, 4
        pred_out = counts.pred[..., None] - own
        hit_weight, w = true_of, 1.0
        true = counts.true[:, None].expand_as(tp_out)
        base = (sums[:, None] - terms)[:, :, None]  # K, L, 1, T
    else:
        column = weight[:, None]  # n, 1
        own = Y_pred.double()  # K, n, L
        hit_weight, w = column * y_true, column  # n, L: what a 1 adds to tp
        tp_out = counts.tp[:, None] - own * hit_weight  # K, n, L without (i, l)
        pred_out = counts.pred[:, None] - own * w
        true = counts.true.expand_as(tp_out)
        base = sums[:, None, None] - terms[:, None]  # K, 1->n, L, T
    every = torch.ones_like(tp_out, dtype=torch.bool)
    as_zero = metric.terms(tp_out, pred_out, true, every)
    as_one = metric.terms(tp_out + hit_weight, pred_out + w, true, every)
    both = torch.stack([base + as_zero, base + as_one])  # 2, ..., T
    zero, one = metric._signed(metric.finalize(both))
    if weight is not None:
        return zero, one, _entries  # K, n, L each
    K, n, L = Y_pred.shape
    index = (torch.arange(L, device=Y_pred.device) * 4 + pair).view(K, n * L)

    def look_up(table):  # (K, L, 4) -> (K, n, L)
        return table.reshape(K, L * 4).gather(1, index).view(K, n, L)

    return zero, one, look_up


def _sample_average_swap(average, y_true, Y_pred, weight):
    """Flipping entry (i, l) changes sample i's value only: each row's flips
    take one of 4 values, (K, n, 4) tables, then looked up."""
    metric = average.metric
    K, n, L = Y_pred.shape
    tp = (Y_pred * y_true).sum(-1).double()  # K, n
    pred = Y_pred.sum(-1).double()
    true = y_true.sum(-1).double().expand_as(tp)
    pair, own, true_of = _pairs(y_true, Y_pred)
    tp_out = tp[..., None] - own * true_of  # K, n, 4
    pred_out = pred[..., None] - own
    true_4 = true[..., None].expand_as(tp_out)
    new = torch.stack(
        [
            metric._value(tp_out, pred_out, true_4),
            metric._value(tp_out + true_of, pred_out + 1, true_4),
        ]
    )  # 2, K, n, 4
    old = metric._value(tp, pred, true)  # K, n
    w = torch.ones_like(old[0]) if weight is None else weight
    if average.nan_aware:
        keep_old = ~torch.isnan(old)
        keep_new = ~torch.isnan(new)
    else:
        keep_old = torch.ones_like(old, dtype=torch.bool)
        keep_new = torch.ones_like(new, dtype=torch.bool)
    num = (torch.where(keep_old, old, 0.0) * w).sum(-1)  # K
    den = (keep_old * w).sum(-1)
    num_out = num[:, None] - torch.where(keep_old, old, 0.0) * w  # K, n
    den_out = den[:, None] - keep_old * w
    w_i = w[:, None]
    num_new = num_out[..., None] + torch.where(keep_new, new, 0.0) * w_i
    den_new = den_out[..., None] + keep_new * w_i
    zero, one = metric._signed(num_new / den_new)  # K, n, 4 each

    def look_up(table):  # (K, n, 4) -> (K, n, L)
        return table.gather(2, pair)

    return zero, one, look_up


def _subset_accuracy_swap(metric, y_true, Y_pred, weight):
    """Flipping entry (i, l) changes whether row i is exact only: (K, n, 4)
    tables of the rows' pairs, then looked up."""
    K, n, L = Y_pred.shape
    wrong = (Y_pred != y_true).sum(-1)  # K, n
    pair, own, true_of = _pairs(y_true, Y_pred)
    wrong_out = wrong[..., None] - (own != true_of).long()  # K, n, 4
    exact = torch.stack(
        [(wrong_out + (true_of != 0)) == 0, (wrong_out + (true_of != 1)) == 0]
    ).double()  # 2, K, n, 4
    exact_now = (wrong == 0).double()  # K, n
    w = torch.ones_like(exact_now[0]) if weight is None else weight
    total = exact_now @ w  # K
    changed = total[:, None, None] + (exact - exact_now[..., None]) * w[:, None]
    if metric.normalize:
        changed = changed / w.sum()
    zero, one = metric.sign * changed

    def look_up(table):  # (K, n, 4) -> (K, n, L)
        return table.gather(2, pair)

    return zero, one, look_up


def _hamming_swap(metric, y_true, Y_pred, weight):
    n, L = y_true.shape
    w = torch.ones(n, dtype=torch.float64, device=Y_pred.device)
    if weight is not None:
        w = weight
    wrong = (Y_pred != y_true).double()  # K, n, L
    total = (wrong.sum(-1) @ w)[:, None, None]  # K, 1, 1
    as_value = torch.stack([(y_true != 0).double(), (y_true != 1).double()])
    changed = total + (as_value[:, None] - wrong) * w[:, None]  # 2, K, n, L
    scale = n * L * (w.mean() if weight is not None else 1.0)
    zero, one = metric.sign * changed / scale
    return zero, one, _entries


def multilabel_swap_scores(metric, y_true, Y_pred, weight, flips=False, check=None):
    """``swap[k, i, l, c]`` for a count-based multilabel metric, (K, n, L, 2).

    ``flips=True``: ``swap[..., 1] - swap[..., 0]`` only, (K, n, L), what
    setting each entry to 1 rather than 0 changes (taken on the small
    tables before they are spread over the entries). ``check`` is called on
    the tables before that.
    """
    if isinstance(metric, LabelAverage):
        swap = _label_average_swap
    elif isinstance(metric, SampleAverage):
        swap = _sample_average_swap
    elif isinstance(metric, SubsetAccuracy):
        swap = _subset_accuracy_swap
    else:
        swap = _hamming_swap
    zero, one, look_up = swap(metric, y_true, Y_pred, weight)
    if flips:
        table = one - zero
        if check is not None:
            check(table)
        return look_up(table)
    if check is not None:
        check(torch.stack([zero, one]))
    return torch.stack([look_up(zero), look_up(one)], -1)
