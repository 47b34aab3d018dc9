"""Regression scorers of K prediction vectors at once.

``y`` is ``(n,)`` or ``(n, m)`` and the K predictions ``(K, n)`` or
``(K, n, m)``. Each metric is written as scikit-learn computes it (per
output over the samples, then the uniform average over outputs), in numpy
float64, so that the results equal sklearn's to rounding. Configurations
the formulas do not cover (weighted medians and quantiles, predictions
outside a metric's domain, where sklearn raises) return None from
:meth:`RegressionMetric.applies`, and the scorer is called instead.

:class:`~sklearn_zopg.rewards.RegressionReward` scores ``PGRegressor`` /
``ZORegressor`` with them.
"""

import numpy as np
from sklearn.metrics import (
    d2_absolute_error_score,
    d2_pinball_score,
    explained_variance_score,
    max_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_gamma_deviance,
    mean_pinball_loss,
    mean_poisson_deviance,
    mean_squared_error,
    mean_squared_log_error,
    median_absolute_error,
    r2_score,
    root_mean_squared_error,
    root_mean_squared_log_error,
)

__all__ = ["regression_metric_for"]

_EPS = np.finfo(np.float64).eps


def _per_output(values, weight):
    """Weighted mean over the samples (axis -2 of ``(K, n, m)``): ``(K, m)``."""
    if weight is None:
        return values.mean(-2)
    return np.einsum("knm,n->km", values, weight) / weight.sum()


def _outputs_mean(per_output):
    """sklearn's ``multioutput="uniform_average"``."""
    return per_output.mean(-1)


class RegressionMetric:
    """A regression metric of K prediction arrays ``(K, n, m)``.

    ``terms(y, P)`` gives the per-sample values whose weighted mean over
    samples is the per-output score (``None`` for metrics that are not such
    a mean); ``finalize`` closes it (a square root, ...).
    """

    sign = 1.0
    weighted = True  # the fast path handles sample weights
    decomposable = False  # True: the score is a weighted mean of ``terms``

    def contributions(self, y, P, weight):
        """Each sample's share of the score, ``(K, n)``, summing to it
        (``decomposable`` metrics only)."""
        per_sample = self.terms(y, P).mean(-1)  # uniform average of outputs
        if weight is None:
            return self.sign * per_sample / y.shape[0]
        return self.sign * per_sample * (weight / weight.sum())

    def applies(self, y, P, weight):
        return self.weighted or weight is None

    def score(self, y, P, weight):
        per_output = self.finalize(_per_output(self.terms(y, P), weight))
        return self.sign * _outputs_mean(per_output)

    def finalize(self, per_output):
        return per_output


class AbsoluteError(RegressionMetric):
    decomposable = True

    def terms(self, y, P):
        return np.abs(P - y)


class SquaredError(RegressionMetric):
    def __init__(self, root=False, log=False):
        self.root = root
        self.log = log
        self.decomposable = not root

    def applies(self, y, P, weight):
        return not self.log or ((y > -1).all() and (P > -1).all())

    def terms(self, y, P):
        if self.log:
            y, P = np.log1p(y), np.log1p(P)
        return (y - P) ** 2

    def finalize(self, per_output):
        return np.sqrt(per_output) if self.root else per_output


class AbsolutePercentageError(RegressionMetric):
    decomposable = True

    def terms(self, y, P):
        return np.abs(P - y) / np.maximum(np.abs(y), _EPS)


class Pinball(RegressionMetric):
    decomposable = True

    def __init__(self, alpha=0.5):
        self.alpha = alpha

    def terms(self, y, P):
        diff = y - P
        sign = (diff >= 0).astype(diff.dtype)
        return self.alpha * sign * diff - (1 - self.alpha) * (1 - sign) * diff


class Deviance(RegressionMetric):
    decomposable = True

    """Mean Poisson (power 1) or gamma (power 2) deviance."""

    def __init__(self, power):
        self.power = power

    def applies(self, y, P, weight):
        if y.shape[-1] != 1:  # sklearn's Tweedie deviances: one output only
            return False
        if self.power == 1:
            return (y >= 0).all() and (P > 0).all()
        return (y > 0).all() and (P > 0).all()

    def terms(self, y, P):
        if self.power == 1:
            with np.errstate(divide="ignore", invalid="ignore"):
                ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / P), 0.0)
            return 2 * (ylogy - y + P)
        return 2 * (np.log(P / y) + y / P - 1)


class MedianAbsoluteError(RegressionMetric):
    weighted = False  # sklearn's weighted percentile: the scorer is called

    def score(self, y, P, weight):
        return self.sign * _outputs_mean(np.median(np.abs(P - y), axis=-2))


class MaxError(RegressionMetric):
    weighted = False  # max_error takes no sample_weight: the scorer refuses

    def applies(self, y, P, weight):
        return weight is None and y.shape[-1] == 1  # sklearn: single output

    def score(self, y, P, weight):
        return self.sign * np.abs(P - y).max(axis=(-2, -1))


class R2(RegressionMetric):
    """``r2_score``, or ``explained_variance_score`` (``centered``)."""

    def __init__(self, centered=False):
        self.centered = centered

    def applies(self, y, P, weight):
        # r2 of fewer than two samples is NaN in sklearn (refused by the reward)
        return self.centered or y.shape[0] >= 2

    def score(self, y, P, weight):
        residual = y - P  # K, n, m
        if self.centered:
            residual = residual - _per_output(residual, weight)[:, None, :]
        numerator = _per_output(residual**2, weight)
        spread = y - _per_output(y[None], weight)[0]
        denominator = _per_output(spread[None] ** 2, weight)  # 1, m
        # force_finite: a constant target scores 1 if predicted exactly, else 0
        nonzero = denominator != 0
        safe = np.where(nonzero, denominator, 1.0)
        value = np.where(
            nonzero, 1 - numerator / safe, np.where(numerator == 0, 1.0, 0.0)
        )
        return self.sign * _outputs_mean(value)


class D2Pinball(RegressionMetric):
    """``d2_pinball_score`` (and ``d2_absolute_error_score``, alpha 0.5):
    ``1 - pinball(P) / pinball(the alpha-quantile of y)``."""

    weighted = False  # sklearn's weighted percentile: the scorer is called

    def __init__(self, alpha=0.5):
        self.pinball = Pinball(alpha)

    def applies(self, y, P, weight):
        return weight is None and y.shape[0] >= 2

    def score(self, y, P, weight):
        # sklearn's _weighted_percentile(average=True) at unit weights
        quantile = np.percentile(
            y, q=self.pinball.alpha * 100, axis=0, method="averaged_inverted_cdf"
        )
        numerator = _per_output(self.pinball.terms(y, P), None)
        null = np.broadcast_to(quantile, y.shape)[None]
        denominator = _per_output(self.pinball.terms(y, null), None)
        nonzero = denominator != 0
        safe = np.where(nonzero, denominator, 1.0)
        value = np.where(
            nonzero, 1 - numerator / safe, np.where(numerator == 0, 1.0, 0.0)
        )
        return self.sign * _outputs_mean(value)


def _build(func, kw):
    if kw.get("multioutput", "uniform_average") != "uniform_average":
        return None
    kw = {k: v for k, v in kw.items() if k != "multioutput"}
    simple = {
        mean_absolute_error: AbsoluteError,
        mean_absolute_percentage_error: AbsolutePercentageError,
        median_absolute_error: MedianAbsoluteError,
        max_error: MaxError,
    }
    if func in simple and not kw:
        return simple[func]()
    squared = {
        mean_squared_error: (False, False),
        root_mean_squared_error: (True, False),
        mean_squared_log_error: (False, True),
        root_mean_squared_log_error: (True, True),
    }
    if func in squared and not kw:
        return SquaredError(*squared[func])
    if func is mean_poisson_deviance and not kw:
        return Deviance(1)
    if func is mean_gamma_deviance and not kw:
        return Deviance(2)
    if func in (r2_score, explained_variance_score) and not set(kw) - {"force_finite"}:
        if not kw.get("force_finite", True):
            return None
        return R2(centered=func is explained_variance_score)
    if func is mean_pinball_loss and set(kw) <= {"alpha"}:
        return Pinball(float(kw.get("alpha", 0.5)))
    if func is d2_pinball_score and set(kw) <= {"alpha"}:
        return D2Pinball(float(kw.get("alpha", 0.5)))
    if func is d2_absolute_error_score and not kw:
        return D2Pinball(0.5)
    return None


def regression_metric_for(parts):
    """The vectorized twin of a regression scorer (``ScorerParts``), or None."""
    metric = _build(parts.score_func, dict(parts.kwargs))
    if metric is not None:
        metric.sign = float(parts.sign)
    return metric
