"""Costs of predicted labels, fixed or per row, scored from the labels in ``O(K n)``.

A cost scorer is an affine function of the total cost
``sum_i w_i C_i[y_i, p_i]``, where ``C_i`` is a cost matrix that may differ
row by row (a loan's exposure, a customer's value) and reaches the scorer as
routed metadata (``set_score_request``). The affine map's two constants
depend on the true labels and the costs only, never on the predictions, so
every label vector is scored in ``O(n)``, and changing one sample's label
changes its own term only: PG's per-sample credit is exact and
``n_samples="exact"`` applies, as for a fixed matrix.

Scorers with a twin here:

- :func:`~sklearn_zopg.neg_mean_cost` (``make_cost_scorer``): minus the mean
  cost, with a fixed ``(C, C)`` matrix or a routed ``(n, C, C)`` one;
- empulse's ``cost_loss`` (total or mean cost) and ``savings_score`` (``1 -
  cost / cost of the better constant prediction``), binary, with ``tp_cost``,
  ``fp_cost``, ``tn_cost`` and ``fn_cost`` as scalars or per-row arrays.
"""

import numpy as np
import torch

from ._cost import label_positions, neg_mean_cost, per_row_matrix

__all__ = ["ConfusionCost", "cost_metric_for"]

_BINARY_COSTS = ("tp_cost", "fp_cost", "tn_cost", "fn_cost")
_EMPULSE = "empulse.metrics"
_TINY = float(np.finfo(float).eps)


class ConfusionCost:
    """A cost scorer as ``offset + factor * sum_i w_i C_i[y_i, p_i]``.

    It has the interface of the count-based metrics
    (:class:`~sklearn_zopg.rewards._counts.CountMetric`) that the reward
    uses for label vectors, without their per-class counts.

    Parameters
    ----------
    matrix : ndarray of shape (C, C) or (n, C, C), or None
        The costs in the reward's class order (row: true class); None until
        the routed metadata of a batch bind them (:meth:`for_rows`).
    form : {"mean", "total", "normalized", "savings"}
        ``"mean"``: minus the weighted mean cost (``neg_mean_cost``);
        ``"total"`` and ``"normalized"``: the total and the mean cost
        (``cost_loss``); ``"savings"``: one minus the cost over that of the
        better constant prediction (``savings_score``).
    bind : object or None
        ``bind.matrix(metadata, n)``: the costs of a batch from its routed
        metadata (and the scorer's fixed keywords), for scorers whose costs
        come per row.
    """

    sign = 1.0
    decomposable = True
    from_counts = False
    needs_counts = False
    takes_weights = True

    def __init__(self, matrix=None, form="mean", bind=None):
        self.matrix = None if matrix is None else torch.as_tensor(matrix).double()
        self.form = form
        self.bind = bind

    @property
    def reads_metadata(self):
        """Whether a batch's routed metadata give the costs."""
        return self.bind is not None

    def for_rows(self, metadata, n):
        """This metric with the costs of the ``n`` rows being scored."""
        if self.bind is None:
            return self
        bound = ConfusionCost(self.bind.matrix(metadata, n), self.form)
        bound.sign, bound.takes_weights = self.sign, self.takes_weights
        return bound

    def _signed(self, value):
        return value if self.sign == 1.0 else self.sign * value

    def rows(self, index):
        """This metric for the rows ``index`` of its per-row costs."""
        if self.matrix is None or self.matrix.ndim == 2:
            return self
        index = torch.as_tensor(index, device=self.matrix.device).long()
        part = ConfusionCost(self.matrix[index], self.form)
        part.sign, part.takes_weights = self.sign, self.takes_weights
        return part

    # ------------------------------------------------------------ the costs
    def _true_costs(self, y_true):
        """``(n, C)``: each row's cost of predicting each class."""
        matrix = self.matrix.to(y_true.device)
        if matrix.ndim == 2:
            return matrix[y_true]
        rows = torch.arange(y_true.shape[0], device=y_true.device)
        return matrix[rows, y_true]

    def _costs(self, y_true, Y_pred):
        """``(K, n)``: the cost of each sampled label."""
        return self._true_costs(y_true).T.gather(0, Y_pred)

    def _affine(self, y_true, weight):
        """``(offset, factor)`` of the loss ``offset + factor * total``."""
        if self.form == "mean":
            return 0.0, -1.0 / weight.sum()
        if self.form == "total":
            return 0.0, 1.0
        if self.form == "normalized":
            return 0.0, 1.0 / y_true.shape[0]
        # savings: against the cheaper of predicting every row as one class
        baseline = self._true_costs(y_true).sum(0).min()
        baseline = torch.where(baseline == 0, _TINY, baseline)
        return 1.0, -1.0 / baseline

    @staticmethod
    def _weights(y_true, weight):
        if weight is None:
            n, device = y_true.shape[0], y_true.device
            return torch.ones(n, dtype=torch.float64, device=device)
        return weight

    def row_stakes(self, y_true):
        """``(n,)``: what each row's costliest error costs beyond its right
        answer (binary: the cost of its misclassification), the weights
        that make a cross-entropy cost-proportionate."""
        true_costs = self._true_costs(y_true)
        right = true_costs.gather(1, y_true[:, None])[:, 0]
        return (true_costs.max(1).values - right).clamp_min(0)

    # ------------------------------------------------------------ scoring
    def _totals(self, y_true, Y_pred, weight):
        return (self._costs(y_true, Y_pred) * weight).sum(1)

    def score_labels(self, y_true, Y_pred, weight, n_classes):
        weight = self._weights(y_true, weight)
        offset, factor = self._affine(y_true, weight)
        return self._signed(offset + factor * self._totals(y_true, Y_pred, weight))

    def swap_scores(self, counts, y_true, Y_pred, weight):
        """The changed totals, then the affine map (not the score plus a
        change, which cancels badly when the scale is extreme)."""
        weight = self._weights(y_true, weight)
        offset, factor = self._affine(y_true, weight)
        old = self._costs(y_true, Y_pred)  # (K, n)
        new = self._true_costs(y_true)  # (n, C)
        change = (new[None] - old[..., None]) * weight[None, :, None]
        totals = self._totals(y_true, Y_pred, weight)[:, None, None] + change
        return self._signed(offset + factor * totals)

    def swap_scores_unweighted(self, counts, y_true, Y_pred):
        return self.swap_scores(counts, y_true, Y_pred, None)

    swap_scores_by_class = swap_scores_unweighted

    def mean_field_credit(self, counts, y_true, Y_pred, weight, proba):
        """A sample's expected cost against its drawn one (the exact
        expectation: a cost is a sum over samples)."""
        weight = self._weights(y_true, weight)
        scores = self.score_labels(y_true, Y_pred, weight, None)
        _, factor = self._affine(y_true, weight)
        true_costs = self._true_costs(y_true)
        expected = (proba.to(torch.float64) * true_costs).sum(1)
        gain = (self._costs(y_true, Y_pred) - expected[None]) * (factor * weight)
        return self._signed(gain), scores


# ---------------------------------------------------------------- builders
def _positions(labels, classes):
    try:
        return label_positions(np.asarray(labels), np.asarray(classes), "classes")
    except ValueError:
        return None


def _neg_mean_cost_metric(kw, classes):
    """``make_cost_scorer``'s twin: a fixed matrix, or one routed per row."""
    if not set(kw) <= {"cost_matrix", "labels"} or "labels" not in kw:
        return None
    labels = np.asarray(kw["labels"])
    positions = _positions(labels, classes)
    if positions is None:  # the scorer's own call raises
        return None

    if "cost_matrix" in kw:
        fixed = np.asarray(kw["cost_matrix"], dtype=np.float64)
        return ConfusionCost(fixed[np.ix_(positions, positions)], "mean")
    return ConfusionCost(None, "mean", _RoutedMatrices(labels, positions))


class _RoutedMatrices:
    """``neg_mean_cost``'s routed ``cost_matrix`` of a batch, in the
    reward's class order."""

    def __init__(self, labels, positions):
        self.labels, self.positions = labels, positions

    def matrix(self, metadata, n):
        matrix = per_row_matrix(metadata, self.labels, n)
        return matrix[..., self.positions, :][..., self.positions]


def _is_empulse(func, name):
    module = getattr(func, "__module__", "") or ""
    return module.startswith(_EMPULSE) and getattr(func, "__name__", "") == name


class _BinaryCosts:
    """empulse's four costs of a batch as ``(n, 2, 2)`` matrices (row: true
    class 0/1, column: predicted), from the scorer's fixed keywords and the
    routed metadata, scalars broadcast to every row."""

    def __init__(self, fixed):
        self.fixed = fixed

    def matrix(self, metadata, n):
        unknown = set(metadata) - set(_BINARY_COSTS)
        if unknown:
            raise ValueError(
                f"The scorer got metadata it does not take: {sorted(unknown)}; "
                f"its costs are {', '.join(_BINARY_COSTS)}."
            )
        values = {name: 0.0 for name in _BINARY_COSTS} | self.fixed | metadata
        tp, fp, tn, fn = (
            np.broadcast_to(np.asarray(values[name], dtype=np.float64), (n,))
            for name in _BINARY_COSTS
        )
        return np.stack([np.stack([tn, fp], -1), np.stack([fn, tp], -1)], 1)


def _empulse_metric(func, kw, classes):
    """The twin of empulse's ``cost_loss`` and ``savings_score`` on the 0/1
    labels those take (other labels: their own call decides)."""
    if not _is_empulse(func, "cost_loss") and not _is_empulse(func, "savings_score"):
        return None
    if sorted(np.asarray(classes).tolist()) != [0, 1]:
        return None
    keys = set(kw) - {"check_input"}
    if _is_empulse(func, "cost_loss") and keys <= {*_BINARY_COSTS, "normalize"}:
        form = "normalized" if kw.get("normalize", False) else "total"
    elif _is_empulse(func, "savings_score") and keys <= {*_BINARY_COSTS, "baseline"}:
        if not (isinstance(kw.get("baseline"), str) or "baseline" not in kw):
            return None
        if kw.get("baseline", "zero_one") != "zero_one":
            return None
        form = "savings"
    else:
        return None
    fixed = {name: kw[name] for name in _BINARY_COSTS if name in kw}
    metric = ConfusionCost(None, form, _BinaryCosts(fixed))
    metric.takes_weights = False  # empulse's metrics take no sample_weight
    return metric


def cost_metric_for(func, kw, classes):
    """The :class:`ConfusionCost` twin of ``func(**kw)``, or None."""
    if func is neg_mean_cost:
        return _neg_mean_cost_metric(kw, classes)
    return _empulse_metric(func, kw, classes)
