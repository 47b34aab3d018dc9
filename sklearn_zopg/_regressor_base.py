"""Shared sklearn regressor: standardized targets, the regression reward, predict."""

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._base import BaseScoreEstimator, Targets
from ._links import IdentityLink, link_for
from ._net import RowMSE
from .rewards import RegressionReward

__all__ = ["BaseScoreRegressor"]


class StandardizedReward:
    """The regression reward of a net that predicts standardized targets.

    The module learns ``(link.forward(y) - mean) / scale`` (so that default
    learning rates suit targets in any unit; the link, identity for most
    scorers, keeps predictions in the domain of those defined only for
    positive ones: :mod:`sklearn_zopg._links`); the scorer sees targets and
    predictions back in the original units, 1-D when ``y`` was. The scores
    that train the
    module are divided by ``unit``, the absolute score of the constant mean
    prediction on the training set (1 where that is 0, as for R²): the
    estimate's size, and so the balance with weight decay, does not depend
    on the target's unit. Everything else is the wrapped
    :class:`~sklearn_zopg.rewards.RegressionReward`'s.
    """

    multilabel = False

    def __init__(self, reward, mean, scale, one_d, unit=1.0, link=None):
        self.reward = reward
        self.mean = torch.as_tensor(mean, dtype=torch.float64)
        self.scale = torch.as_tensor(scale, dtype=torch.float64)
        self.one_d = one_d
        self.unit = unit
        self.link = IdentityLink() if link is None else link

    def __getattr__(self, name):  # parts, count_based, summary, _name...
        if name == "reward" or "reward" not in self.__dict__:  # unpickling
            raise AttributeError(name)
        return getattr(self.reward, name)

    def _unstandardized(self, values, inverse):
        values = values.double()
        out = values * self.scale.to(values.device) + self.mean.to(values.device)
        out = inverse(out)
        return out[..., 0] if self.one_d else out

    def predictions(self, outputs):
        """The module's outputs ``(..., n, m)`` as predictions, in the target's
        units."""
        return self._unstandardized(outputs.detach(), self.link.predictions)

    def targets(self, y):
        """The net's standardized targets ``(n, m)`` in the target's units."""
        return self._unstandardized(y, self.link.targets)

    def contributions(self, y_true, outputs, sample_weight=None):
        """Per-sample shares ``(K, n)`` of the training scores."""
        shares = self.reward.contributions(
            self.targets(y_true), self.predictions(outputs), sample_weight
        )
        return shares.to(outputs.device) / self.unit

    def score_logits(self, y_true, outputs, sample_weight=None, *, check=True):
        """Score K models from their outputs ``(K, n, m)`` on one batch."""
        scores = self.reward(
            self.targets(y_true), self.predictions(outputs), sample_weight, check=check
        )
        return scores.to(outputs.device) / self.unit


def _mean_and_scale(values, sample_weight):
    """Weighted mean and standard deviation of each column."""
    mean = np.average(values, axis=0, weights=sample_weight)
    variance = np.average((values - mean) ** 2, axis=0, weights=sample_weight)
    return mean, np.sqrt(variance)


class BaseScoreRegressor(RegressorMixin, BaseScoreEstimator):
    """Base of the score-trained regressors. Not for direct use."""

    def _check_reward(self, reward):
        """The regression reward refuses classification scorers itself."""

    def _targets(self, X, y, sample_weight):
        X, y = validate_data(
            self,
            X,
            y,
            multi_output=True,
            y_numeric=True,
            dtype=[np.float64, np.float32],
        )
        if X.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples to learn from; "
                f"got {X.shape[0]} sample."
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        one_d = y.ndim == 1
        y2 = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        mean, scale = _mean_and_scale(y2, sample_weight)
        constant = np.flatnonzero(scale == 0)
        if constant.size:
            raise ValueError(
                f"The target is constant (output(s) {constant.tolist()}): there "
                "is nothing to learn, and scores such as r2 are undefined. "
                "Predict the constant, or check y."
            )
        regression_reward = RegressionReward(self.scoring)
        constant_prediction = np.broadcast_to(mean, y2.shape)
        if one_d:
            y_scored, constant_prediction = y2[:, 0], constant_prediction[:, 0]
        else:
            y_scored = y2
        null = regression_reward(
            y_scored, constant_prediction[None], sample_weight, check=False
        )[0]
        unit = float(abs(null)) if np.isfinite(null) and null != 0 else 1.0
        link = link_for(regression_reward.parts, y2)
        linked = link.forward(y2)  # a monotone map: no column becomes constant
        mean, scale = _mean_and_scale(linked, sample_weight)
        reward = StandardizedReward(regression_reward, mean, scale, one_d, unit, link)
        attributes = {"n_outputs_": y2.shape[1]}
        targets = Targets((linked - mean) / scale, y2.shape[1], reward, attributes)
        return X, targets, sample_weight

    def _check_same_targets(self, targets):
        n_outputs = targets.attributes["n_outputs_"]
        if n_outputs != self.n_outputs_:
            raise ValueError(
                "warm_start=True can only continue a model fitted on as many "
                f"outputs: it was fitted on {self.n_outputs_}, y has {n_outputs}. "
                "Set warm_start=False to start afresh."
            )

    def _best_validation_score(self, net):
        """In the score's own units (the net's history holds ``score / unit``)."""
        value = super()._best_validation_score(net)
        return None if value is None else value * net.reward.unit

    def _output_layer(self, reward):
        """Squared error on the standardized targets; raw outputs."""
        return RowMSE, None

    def predict(self, X):
        """The model's prediction, in the target's units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        outputs = self._logits(X)  # checks that the estimator is fitted
        return self.net_.reward.predictions(outputs).numpy()

    def score(self, X, y, sample_weight=None):
        """The ``scoring`` of this estimator on ``(X, y)``: what fit maximizes.

        Unlike ``RegressorMixin.score`` (R²), this uses the estimator's own
        ``scoring``, so ``GridSearchCV`` without ``scoring=`` selects on the
        score the model was trained for.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        return self._own_score(X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.allow_nan = False
        return tags
