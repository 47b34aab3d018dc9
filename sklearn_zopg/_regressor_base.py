"""Shared sklearn regressor: standardized targets, the regression reward, predict."""

import numpy as np
import torch
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._base import BaseScoreEstimator, Targets, dense_targets
from ._links import LINKS, IdentityLink, link_for
from ._messages import CONTINUATIONS, preview
from ._net import RowMSE
from ._scaling import warn_if_unscaled
from ._sparse import SPARSE_FORMAT
from .rewards import RegressionReward

__all__ = ["BaseScoreRegressor"]


class StandardizedReward:
    """The regression reward of a net that predicts standardized targets.

    The module learns ``(link.forward(y) - mean) / scale`` (so that default
    learning rates suit targets in any unit; the link, identity for most
    scorers, keeps predictions in the domain of those defined only for
    positive ones: :mod:`sklearn_zopg._links`). The net's targets are the
    user's own ``y`` values (2-D, float64): the scorer sees them as they are,
    bit for bit, and predictions back in the original units, 1-D when ``y``
    was; only the surrogate phase's squared error reads them standardized
    (:meth:`surrogate_targets`). The scores that train the module are
    divided by ``unit``, the absolute score of the constant mean prediction
    on the training set (1 where that is 0, as for R²): the estimate's size,
    and so the balance with weight decay, does not depend on the target's
    unit, and the reward's checks apply to the divided scores. Everything
    else is the wrapped :class:`~sklearn_zopg.rewards.RegressionReward`'s.
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

    def predictions(self, outputs):
        """The module's outputs ``(..., n, m)`` as predictions, in the target's
        units."""
        values = outputs.detach().double()
        values = values * self.scale.to(values.device) + self.mean.to(values.device)
        values = self.link.predictions(values)
        return values[..., 0] if self.one_d else values

    def surrogate_targets(self, y):
        """The user's targets ``(n, m)`` standardized in the link's space:
        what the module learns in the surrogate phase."""
        linked = self.link.forward(y.double())
        scaled = (linked - self.mean.to(y.device)) / self.scale.to(y.device)
        return scaled

    def _scored_targets(self, y):
        """The user's targets as the scorer takes them (1-D when ``y`` was)."""
        return y[..., 0] if self.one_d else y

    def contributions(self, y_true, outputs, sample_weight=None):
        """Per-sample shares ``(K, n)`` of the training scores."""
        shares = self.reward.contributions(
            self._scored_targets(y_true), self.predictions(outputs), sample_weight
        )
        return shares.to(outputs.device) / self.unit

    def score_logits(self, y_true, outputs, sample_weight=None, *, check=True):
        """Score K models from their outputs ``(K, n, m)`` on one batch."""
        scores = self.reward(
            self._scored_targets(y_true),
            self.predictions(outputs),
            sample_weight,
            check=False,
        )
        scores = scores.to(outputs.device) / self.unit
        if check:
            self.check_summary(*self.summary(scores).tolist())
        return scores


def _mean_and_scale(values, sample_weight):
    """Weighted mean and standard deviation of each column, computed on the
    columns divided by their largest absolute value, so that neither
    underflows nor overflows where the values themselves are representable
    (targets of 1e-200 or 1e160)."""
    peak = np.abs(values).max(axis=0)
    peak = np.where(peak > 0, peak, 1.0)
    unit = values / peak
    mean = np.average(unit, axis=0, weights=sample_weight)
    variance = np.average((unit - mean) ** 2, axis=0, weights=sample_weight)
    return mean * peak, np.sqrt(variance) * peak


def _extreme(scale):
    """Whether a target scale is so large or small that scores built from
    it (squares, products) may overflow or underflow float64."""
    scale = np.asarray(scale, dtype=np.float64)
    return bool(np.any((scale > 1e100) | (scale < 1e-100)))


def _score_unit(reward, y, mean, scale, sample_weight, perfect):
    """The absolute score of the constant mean prediction (1 where it is 0
    or undefined); an error naming the target's scale where the score
    cannot be represented there: infinite, or unable to tell the constant
    prediction from the targets themselves (``perfect``)."""
    constant = np.tile(mean, (len(y), 1))
    if y.ndim == 1:
        constant = constant[:, 0]
    null = reward(y, constant[None], sample_weight, check=False)[0]
    scale_text = f"the target's standard deviation is {preview(scale.tolist(), 3)}"
    name = reward._name()
    if _extreme(scale) and not np.isfinite(null):
        raise ValueError(
            f"scoring={name} of the constant mean prediction is {null}: {scale_text}, "
            "beyond what the score can represent in float64. Divide y by a "
            "constant (and multiply the predictions back)."
        )
    if _extreme(scale) and null == 0:
        try:
            exact = reward(y, perfect[None], sample_weight, check=False)[0]
        except ValueError:  # the targets lie outside the scorer's domain
            exact = None
        if exact == null:
            raise ValueError(
                f"scoring={name} gives the same score ({null}) to the constant "
                f"mean prediction and to the targets themselves: {scale_text}, "
                "where the score underflows float64 and cannot tell predictions "
                "apart. Multiply y by a constant (and divide the predictions back)."
            )
    return float(abs(null)) if np.isfinite(null) and null != 0 else 1.0


class BaseScoreRegressor(RegressorMixin, BaseScoreEstimator):
    """Base of the score-trained regressors. Not for direct use."""

    _module_outputs = "outputs"

    def _check_reward(self, reward):
        """The regression reward refuses classification scorers itself."""

    def _targets(self, X, y, sample_weight, chunk=None, metadata=None):
        """Validated ``X``, the :class:`Targets` of ``y``, the weights.

        ``chunk``: None for ``fit``, else the :class:`Chunk` of a
        ``partial_fit`` call. The first call fixes the standardization, the
        link and the score's unit from its rows; later calls keep them.
        ``metadata``: the scorer's routed metadata, for scoring the unit."""
        continuing = chunk is not None and not chunk.first
        X_user, y_user = X, dense_targets(y)
        X, y = validate_data(
            self,
            X,
            dense_targets(y),
            multi_output=True,
            y_numeric=True,
            accept_sparse=SPARSE_FORMAT,
            dtype=[np.float64, np.float32],
            reset=not continuing,
        )
        if not continuing:
            warn_if_unscaled(X, type(self).__name__)
        if X.shape[0] < 2 and not continuing:
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
        attributes = {"n_outputs_": y2.shape[1]}
        if continuing:
            fitted = self.net_.reward
            if fitted.mean.numel() == y2.shape[1]:  # else refused as a change
                self._fitted_standardization(
                    fitted, RegressionReward(self.scoring), y2, "partial_fit"
                )
            return X, Targets(y2, y2.shape[1], fitted, attributes), sample_weight
        raw_mean, raw_scale = _mean_and_scale(y2, sample_weight)
        constant = np.flatnonzero(raw_scale == 0)
        if constant.size:
            raise ValueError(
                f"The target is constant (output(s) {preview(constant)}): there "
                "is nothing to learn, and scores such as r2 are undefined. "
                "Predict the constant, or check y."
            )
        regression_reward = RegressionReward(self.scoring)
        fitted = self._continued_reward(y2)
        if fitted is None:
            weighted = y2 if sample_weight is None else y2[sample_weight > 0]
            link = link_for(regression_reward.parts, weighted)
            # a monotone map: no column becomes constant
            mean, scale = _mean_and_scale(link.forward(y2), sample_weight)
        else:
            link, mean, scale = self._fitted_standardization(
                fitted, regression_reward, y2, "warm_start"
            )
        perfect = link.predictions(torch.as_tensor(np.array(link.forward(y2)))).numpy()
        with (
            regression_reward.scored_data(X_user, y_user, metadata),
            regression_reward.rows(X, np.arange(len(y2))),
        ):
            unit = _score_unit(
                regression_reward,
                y2[:, 0] if one_d else y2,
                raw_mean,
                raw_scale,
                sample_weight,
                perfect[:, 0] if one_d else perfect,
            )
        reward = StandardizedReward(regression_reward, mean, scale, one_d, unit, link)
        return X, Targets(y2, y2.shape[1], reward, attributes), sample_weight

    def _continued_reward(self, y2):
        """The fitted reward a warm start continues on targets ``y2``, or
        None (a change of the number of outputs is refused later, by
        ``_check_same_targets``)."""
        if self.warm_start and hasattr(self, "net_"):
            fitted = self.net_.reward
            if fitted.mean.numel() == y2.shape[1]:
                return fitted
        return None

    def _fitted_standardization(self, fitted, regression_reward, y2, by):
        """A warm start (or a later ``partial_fit``) continues in the fitted
        link and units: the module's outputs mean what they meant. A scorer
        that needs another link, or targets outside the fitted link's
        domain, are refused."""
        how, fix = CONTINUATIONS[by]
        link = fitted.link
        wanted = link_for(regression_reward.parts, y2)
        if type(wanted) is not type(link):
            raise ValueError(
                f"{how} continues the module in its fitted output space "
                f"({type(link).__name__}, chosen for scoring="
                f"{fitted.reward._name()}), but scoring="
                f"{regression_reward._name()} needs {type(wanted).__name__}. Keep "
                f"the scoring, or: {fix}"
            )
        if not link.accepts(y2):
            raise ValueError(
                f"{how} continues the module in its fitted output space "
                f"({type(link).__name__}), whose domain this y leaves (smallest "
                f"value {y2.min():.6g}). {fix}"
            )
        return link, fitted.mean.numpy(), fitted.scale.numpy()

    def _reward_state(self, reward):
        """The fitted standardization, link and unit, as plain values."""
        return {
            "mean": reward.mean.numpy(),
            "scale": reward.scale.numpy(),
            "one_d": reward.one_d,
            "unit": float(reward.unit),
            "link": type(reward.link).__name__,
            "link_params": dict(vars(reward.link)),
        }

    def _restored_reward(self, state):
        link = LINKS[state["link"]](**state["link_params"])
        return StandardizedReward(
            RegressionReward(self.scoring),
            state["mean"],
            state["scale"],
            state["one_d"],
            state["unit"],
            link,
        )

    def _n_module_outputs(self):
        return self.n_outputs_

    def _check_same_targets(self, targets, by="warm_start"):
        how, fix = CONTINUATIONS[by]
        n_outputs = targets.attributes["n_outputs_"]
        if n_outputs != self.n_outputs_:
            raise ValueError(
                f"{how} can only continue a model fitted on as many outputs: it "
                f"was fitted on {self.n_outputs_}, y has {n_outputs}. {fix}"
            )

    def _output_layer(self, reward):
        """Squared error on the standardized targets; raw outputs."""
        return RowMSE, None

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, **params):
        """Train one pass over ``(X, y)``, continuing the fitted model.

        As ``MLPRegressor.partial_fit``: data too large for memory trains
        chunk by chunk, and dask-ml's ``Incremental`` wrapper calls it on
        each block of a dask array. The first call (on an unfitted
        estimator) builds the module and fixes, from its rows, the target's
        standardization, the link and the score's unit (and
        ``weight_decay="auto"``); later calls keep them, so the first chunk
        should be a fair sample of the targets. The first
        ``surrogate_epochs`` calls of a module built this way train on the
        squared-error surrogate (at ``surrogate_lr``), later calls on
        ``scoring`` (at ``lr``); a ``partial_fit`` after ``fit`` continues on
        the score. The optimizer and its state carry over between calls;
        ``n_iter_`` and ``net_.history`` count one epoch per call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data, with the features of the first call.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets, with the outputs of the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, as in ``fit``.
        **params : dict
            Metadata for ``scoring``, routed to it as in ``fit``.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.

        Raises
        ------
        ValueError
            For ``early_stopping=True`` (a call holds no rows out), and a
            later call whose features or outputs differ from the first
            one's, or whose targets leave the fitted link's domain.
        """
        return self._restoring_on_error(self._partial_fit, X, y, sample_weight, params)

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

    def score(self, X, y, sample_weight=None, **params):
        """The ``scoring`` of this estimator on ``(X, y)``: what fit maximizes.

        Unlike ``RegressorMixin.score`` (R²), this uses the estimator's own
        ``scoring``, so ``GridSearchCV`` without ``scoring=`` selects on the
        score the model was trained for.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
        **params : dict
            Metadata for ``scoring``, routed to it as in ``fit``.

        Returns
        -------
        score : float
        """
        return self._own_score(X, y, sample_weight, params)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
