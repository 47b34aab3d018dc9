"""The reward of multilabel classifiers: scores of K indicator matrices at once.

Same interface as :class:`~sklearn_zopg.rewards.Reward`, with ``y_true`` an
``(n, L)`` 0/1 matrix, predictions ``(K, n, L)`` and logits ``(K, n, L)``
(one per label: the predicted matrix is ``logits > 0``, the probabilities
their sigmoid). Label scorers of the count family are counted
(:mod:`._multilabel`), with per-entry credit; any other scorer is called once
per matrix on an estimator-like holder.
"""

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.utils._available_if import available_if

from ._multilabel import HammingLoss, multilabel_metric_for, multilabel_swap_scores
from ._reward import Reward

__all__ = ["MultilabelReward"]

# Scores of each label's ranking of the rows, undefined for a constant label.
_PER_LABEL_RANKING = (roc_auc_score, average_precision_score)


class _FixedMatrices(ClassifierMixin, BaseEstimator):
    """Estimator-like holder of a multilabel prediction, for calling scorers."""

    def __init__(self, n_labels, matrix=None, logits=None):
        self.n_labels = n_labels
        self.matrix = matrix
        self.logits = logits

    @property
    def classes_(self):  # as a multilabel MLPClassifier: the label columns
        return np.arange(self.n_labels)

    def predict(self, X):
        return np.array(self.matrix)  # the scorer's own, as from an estimator

    def _has_logits(self):
        return self.logits is not None

    @available_if(_has_logits)
    def predict_proba(self, X):
        return 1 / (1 + np.exp(-self.logits))

    @available_if(_has_logits)
    def decision_function(self, X):
        return np.array(self.logits)


class MultilabelReward(Reward):
    """The user's score of multilabel indicator matrices, greater is better.

    Parameters
    ----------
    scoring : str or callable
        As for :class:`Reward`.
    n_labels : int
        The number of label columns ``L``.
    """

    multilabel = True

    def __init__(self, scoring, n_labels):
        super().__init__(scoring)
        self.classes = np.arange(n_labels)
        self._metric = None
        if self.parts is not None and not self.needs_scores:
            self._metric = multilabel_metric_for(self.parts, n_labels)
        self.count_based = self._metric is not None
        # The Hamming loss is a sum over entries: PG's n_samples="exact".
        self.decomposable = isinstance(self._metric, HammingLoss)
        self._logits_metric = None

    def _choose_path(self):
        """Paths are chosen in ``__init__`` (the multiclass ones do not apply)."""

    def __call__(self, y_true, Y_pred, sample_weight=None, *, check=True):
        """Score each of the K matrices ``Y_pred`` (K, n, L) against ``y_true``."""
        self._refuse_scores_scorer()
        y, Y, w, as_numpy = self._matrices(y_true, Y_pred, sample_weight)
        if self.count_based:
            out = self._metric.score_labels(y, Y, w)
            return self._checked(out, as_numpy, check)
        holder = _FixedMatrices(len(self.classes))
        values = []
        w_np = None if w is None else w.cpu().numpy()
        for matrix in Y.cpu().numpy():
            holder.matrix = matrix
            values.append(self._call(holder, y.cpu().numpy(), w_np))
        out = torch.tensor(values, dtype=torch.float64, device=Y.device)
        return self._checked(out, as_numpy)

    def swap_scores(self, y_true, Y_pred, sample_weight=None):
        """Score of every matrix with one entry set to 0 and to 1.

        Returns
        -------
        swap : ndarray or tensor of shape (K, n, L, 2)
            ``swap[k, i, l, c]``: the score of ``Y_pred[k]`` with entry
            ``(i, l)`` set to ``c``.
        """
        self._refuse_unless_counted()
        y, Y, w, as_numpy = self._matrices(y_true, Y_pred, sample_weight)
        out = multilabel_swap_scores(self._metric, y, Y, w, check=self._checked_table)
        return out.cpu().numpy() if as_numpy else out

    def score_column(self, y_true, base, c, column, sample_weight=None):
        """Scores of the K matrices equal to ``base`` (n, L) but for label
        ``c``, which is each row of ``column`` (K, n): a count-based scorer
        counts only the changed label (O(K n), not O(K n L)); any other is
        called on the K matrices.

        Returns
        -------
        scores : tensor of shape (K,)
        """
        if not self.count_based:
            Y = base.expand(column.shape[0], *base.shape).clone()
            Y[:, :, c] = column
            return self(y_true, Y, sample_weight, check=False)
        y, Y, w, _ = self._matrices(y_true, base[None], sample_weight)
        column = torch.as_tensor(column, device=Y.device).long()
        return self._metric.score_column(y, Y[0], c, column, w)

    def _refuse_unless_counted(self):
        if not self.count_based:
            raise ValueError(
                f"Per-entry credit needs a count-based scorer; {self._name()} is "
                "scored by calling it. Use credit='batch'."
            )

    def flip_gains(self, y_true, Y_pred, sample_weight=None):
        """What setting each entry to 1 rather than 0 changes in the score.

        ``swap_scores(...)[..., 1] - swap_scores(...)[..., 0]``, computed
        before the small tables are spread over the entries.

        Returns
        -------
        gains : ndarray or tensor of shape (K, n, L)
        """
        self._refuse_unless_counted()
        y, Y, w, as_numpy = self._matrices(y_true, Y_pred, sample_weight)
        out = multilabel_swap_scores(
            self._metric, y, Y, w, flips=True, check=self._checked_table
        )
        return out.cpu().numpy() if as_numpy else out

    def _checked_table(self, table):
        self.check_summary(*self.summary(table).tolist())

    def score_logits(self, y_true, logits, sample_weight=None, *, check=True):
        """Score K models from their logits (K, n, L) on one batch."""
        if not self.needs_scores and self.parts is not None:
            return self(y_true, (logits > 0).long(), sample_weight, check=check)
        y, _, w, _ = self._matrices(y_true, (logits > 0).long(), sample_weight)
        y_np = y.cpu().numpy()
        w_np = None if w is None else w.cpu().numpy()
        columns = self._defined_columns(y_np)
        values = []
        all_logits = logits.detach().double().cpu().numpy()[..., columns]
        for k, k_logits in enumerate(all_logits):
            holder = _FixedMatrices(len(columns), (k_logits > 0).astype(int))
            holder.logits = k_logits
            values.append(self._call(holder, y_np[:, columns], w_np, model=k))
        out = torch.tensor(values, dtype=torch.float64)
        return self._checked(out, False).to(logits.device)

    def _defined_columns(self, y):
        """The label columns a batch scores: for the per-label ranking
        scores (ROC AUC, average precision), undefined on a label that is
        constant in the batch (a rare label absent from it), those labels
        are left out, as sklearn's averages leave out undefined terms; all
        columns otherwise, or when every one is constant."""
        columns = np.arange(y.shape[1])
        if self.parts is None or self.parts.score_func not in _PER_LABEL_RANKING:
            return columns
        defined = y.min(0) != y.max(0)
        return columns[defined] if defined.any() else columns

    def _matrices(self, y_true, Y_pred, sample_weight):
        as_numpy = not torch.is_tensor(Y_pred)
        Y = torch.as_tensor(np.asarray(Y_pred) if as_numpy else Y_pred).long()
        if Y.ndim == 2:
            Y = Y[None]
        y = torch.as_tensor(y_true, device=Y.device).long()
        w = None
        if sample_weight is not None:
            w = torch.as_tensor(sample_weight, device=Y.device).to(torch.float64)
        L = len(self.classes)
        if y.ndim != 2 or y.shape[1] != L or Y.shape[2] != L:
            raise ValueError(
                f"Multilabel scores need y_true of shape (n, {L}) and predictions "
                f"(K, n, {L}); got {tuple(y.shape)} and {tuple(Y.shape)}."
            )
        if Y.shape[1] != y.shape[0] or (w is not None and w.shape != y.shape[:1]):
            raise ValueError(
                f"y_true has {y.shape[0]} rows, the predictions {Y.shape[1]} and "
                f"sample_weight {None if w is None else tuple(w.shape)}: they must "
                "agree."
            )
        return y, Y, w, as_numpy
