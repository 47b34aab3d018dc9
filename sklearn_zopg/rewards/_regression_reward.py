"""The reward of regressors: a regression scorer of K prediction arrays at once.

Same interface as :class:`~sklearn_zopg.rewards.Reward`: ``reward(y_true,
P, sample_weight)`` scores each of the K prediction arrays ``P`` ``(K, n)``
or ``(K, n, m)`` against ``y_true`` ``(n,)`` or ``(n, m)``, through the
exact vectorized twin of the metric (:mod:`._regression`) where there is
one, or by calling the scorer once per array.
"""

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin

from ._regression import regression_metric_for
from ._reward import Reward

__all__ = ["RegressionReward"]

_CLASSIFICATION_MODULES = (
    "sklearn.metrics._classification",
    "sklearn.metrics._ranking",
)


class _FixedPredictions(RegressorMixin, BaseEstimator):
    """Estimator-like holder of given predictions, for calling scorers."""

    def __init__(self, predictions=None):
        self.predictions = predictions

    def predict(self, X):
        return np.array(self.predictions)  # the scorer's own, writable


class RegressionReward(Reward):
    """The user's regression score of prediction arrays, greater is better.

    Parameters
    ----------
    scoring : str or callable
        A regression scorer name, a ``make_scorer`` object or a callable
        ``scorer(estimator, X, y)``. Classification scorers are refused.
    """

    def __init__(self, scoring):
        super().__init__(scoring)
        parts = self.parts
        if parts is not None and (
            self.needs_scores
            or getattr(parts.score_func, "__module__", "") in _CLASSIFICATION_MODULES
        ):
            raise ValueError(
                f"scoring={self._name()} is a classification metric "
                f"({parts.score_func.__name__}); a regressor predicts numbers. Use "
                "a regression scorer such as 'neg_mean_absolute_error' or 'r2'."
            )
        self._metric = None if parts is None else regression_metric_for(parts)
        self.count_based = False

    def _choose_path(self):
        """Paths are chosen in ``__init__`` (the classifiers' do not apply)."""

    @property
    def vectorized(self):
        return self._metric is not None

    @property
    def decomposable(self):
        """True when the score is a weighted mean over samples (MAE, squared
        error, MAPE, pinball, deviances): :meth:`contributions` exists."""
        return self._metric is not None and self._metric.decomposable

    def contributions(self, y_true, P, sample_weight=None):
        """Each sample's share of each array's score, ``(K, n)``: the
        per-sample credit of policy gradient (unchecked; the score is)."""
        as_numpy = not torch.is_tensor(P)
        device = None if as_numpy else P.device
        y, P, w, _ = self._arrays(y_true, P, sample_weight)
        out = torch.as_tensor(self._metric.contributions(y, P, w), device=device)
        return out.cpu().numpy() if as_numpy else out

    def __call__(self, y_true, P, sample_weight=None, *, check=True):
        """Score each prediction array ``P[k]`` against ``y_true``.

        Returns
        -------
        scores : ndarray or tensor of shape (K,)
            A tensor (on ``P``'s device) when ``P`` is a tensor.
        """
        as_numpy = not torch.is_tensor(P)
        device = None if as_numpy else P.device
        y, P, w, single = self._arrays(y_true, P, sample_weight)
        if self._metric is not None and self._metric.applies(y, P, w):
            values = self._metric.score(y, P, w)
        else:
            holder = _FixedPredictions()
            y_call = y[:, 0] if single else y
            values = []
            for k, k_pred in enumerate(P):
                holder.predictions = k_pred[:, 0] if single else k_pred
                values.append(self._call(holder, y_call, w, model=k))
        out = torch.as_tensor(np.asarray(values, dtype=np.float64), device=device)
        return self._checked(out, as_numpy, check)

    def _arrays(self, y_true, P, sample_weight):
        """float64 numpy ``y`` (n, m), ``P`` (K, n, m), weights; whether 1-D."""

        def as_array(a):
            return (
                (a.detach().cpu() if torch.is_tensor(a) else a) if a is not None else a
            )

        y = np.asarray(as_array(y_true), dtype=np.float64)
        P = np.asarray(as_array(P), dtype=np.float64)
        single = y.ndim == 1
        if single:
            y = y[:, None]
        if P.ndim == y.ndim and single:  # (K, n) for a 1-D target
            P = P[..., None]
        elif P.ndim == 2:  # one array (n, m)
            P = P[None]
        w = sample_weight
        if w is not None:
            w = np.asarray(as_array(w), dtype=np.float64)
        if P.shape[1:] != y.shape or (w is not None and w.shape != y.shape[:1]):
            raise ValueError(
                f"y_true has shape {y.shape[:1] if single else y.shape}, the "
                f"predictions {P.shape} and sample_weight "
                f"{None if w is None else w.shape}: they must agree."
            )
        return y, P, w, single
