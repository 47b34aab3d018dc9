"""Soft surrogates of scores: the anchors users train on instead of the score.

Each is a few lines of torch computing the score from probabilities (or
margins) instead of 0/1 predictions, so that it has a gradient; on hard
0/1 inputs each equals scikit-learn's metric (``tests/test_surrogates.py``).
The quality benchmarks train the same MLP on ``1 - score`` as the strongest
anchors of PG and ZO. Not part of the public API.

- :func:`soft_fbeta`: soft-F-beta (binary); :func:`soft_f1`: sigmoidF1
  (Bénédict et al. 2021) of multilabel outputs, macro or samples.
- :func:`soft_macro_f1`, :func:`soft_balanced_accuracy`, :func:`soft_mcc`:
  multiclass, from the soft confusion matrix ``Y^T P``.
- :func:`soft_jaccard` and :func:`lovasz_hinge` (Berman et al. 2018) for the
  binary Jaccard index; :func:`soft_auc`: the pairwise sigmoid (soft
  Wilcoxon-Mann-Whitney) AUC.
"""

import torch

__all__ = [
    "lovasz_hinge",
    "soft_auc",
    "soft_balanced_accuracy",
    "soft_f1",
    "soft_fbeta",
    "soft_jaccard",
    "soft_macro_f1",
    "soft_mcc",
]


def _ratio(num, den):
    """``num / den``, 0 where ``den`` is 0 (sklearn's zero_division=0)."""
    return torch.where(den > 0, num / den.clamp_min(1e-12), torch.zeros_like(num))


def soft_fbeta(p, y, beta=1.0):
    """F-beta of the positive class with probabilities ``p`` (n,) for 0/1 ``y``."""
    tp = (p * y).sum()
    b2 = beta * beta
    return _ratio((1 + b2) * tp, b2 * y.sum() + p.sum())


def soft_jaccard(p, y):
    """Jaccard index of the positive class, soft counts."""
    tp = (p * y).sum()
    return _ratio(tp, p.sum() + y.sum() - tp)


def soft_f1(proba, target, average="macro"):
    """F1 of multilabel soft counts ``proba`` (n, L): per label (``"macro"``,
    the mean of the labels' F1) or per row (``"samples"``)."""
    axis = 0 if average == "macro" else 1
    tp = (proba * target).sum(axis)
    return _ratio(2 * tp, proba.sum(axis) + target.sum(axis)).mean()


def _soft_confusion(proba, y):
    """Soft confusion counts of ``proba`` (n, C) against class indices ``y``."""
    onehot = torch.nn.functional.one_hot(y, proba.shape[1]).to(proba.dtype)
    tp = (proba * onehot).sum(0)
    return tp, proba.sum(0), onehot.sum(0)


def soft_macro_f1(proba, y):
    """Macro F1 over the classes present (in ``y`` or predicted)."""
    tp, pred, true = _soft_confusion(proba, y)
    present = (pred + true) > 0
    return _ratio(2 * tp, pred + true)[present].mean()


def soft_balanced_accuracy(proba, y):
    """Mean recall over the classes present in ``y``."""
    tp, _, true = _soft_confusion(proba, y)
    return (tp / true.clamp_min(1e-12))[true > 0].mean()


def soft_mcc(proba, y):
    """Matthews correlation of the soft confusion matrix (multiclass form)."""
    tp, pred, true = _soft_confusion(proba, y)
    n = true.sum()
    cov = tp.sum() * n - (true * pred).sum()
    var = (n * n - (pred * pred).sum()) * (n * n - (true * true).sum())
    return _ratio(cov, var.clamp_min(0).sqrt())


def lovasz_hinge(margins, y):
    """Lovász hinge: the Lovász extension of the Jaccard loss ``1 - J`` of
    the positive class, applied to the hinge errors ``1 - margin * sign``."""
    signs = 2 * y.to(margins.dtype) - 1
    errors = 1 - margins * signs
    errors_sorted, order = errors.sort(descending=True)
    gt = y[order].to(margins.dtype)
    positives = gt.sum()
    intersection = positives - gt.cumsum(0)
    union = positives + (1 - gt).cumsum(0)
    jaccard = 1 - intersection / union
    gradient = torch.cat([jaccard[:1], jaccard[1:] - jaccard[:-1]])
    return (torch.relu(errors_sorted) * gradient).sum()


def soft_auc(margins, y):
    """The share of (positive, negative) pairs ordered right, each pair's
    step replaced by ``sigmoid(margin_pos - margin_neg)``."""
    y = y.bool()
    diff = margins[y][:, None] - margins[~y][None, :]
    return torch.sigmoid(diff).mean()
