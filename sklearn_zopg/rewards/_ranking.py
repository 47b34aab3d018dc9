"""Binary ROC AUC of many score vectors at once (Mann-Whitney, ties halved).

Equals ``sklearn.metrics.roc_auc_score`` (the area under the trapezoidal ROC
curve) for unweighted binary labels: the probability that a positive scores
above a negative, ties counting one half.
"""

import torch
from sklearn.metrics import roc_auc_score

__all__ = ["binary_roc_auc", "is_plain_roc_auc"]


def is_plain_roc_auc(score_func, kwargs):
    """Whether a scorer is ``roc_auc_score`` with no options that change it."""
    return score_func is roc_auc_score and not kwargs


def binary_roc_auc(y_true, scores):
    """AUC of each row of ``scores`` (K, n) against 0/1 labels ``y_true`` (n,).

    Both classes must be present. Returns a float64 tensor of shape (K,).
    """
    positive = y_true.bool()
    n_pos = int(positive.sum())
    n_neg = y_true.shape[0] - n_pos
    negatives = scores[:, ~positive].contiguous().sort(dim=1).values
    positives = scores[:, positive].contiguous()
    below = torch.searchsorted(negatives, positives, right=False)
    not_above = torch.searchsorted(negatives, positives, right=True)
    wins = (below + not_above).sum(1).to(torch.float64) / 2
    return wins / (n_pos * n_neg)
