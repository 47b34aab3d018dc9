"""PGRegressor: policy gradient on a Gaussian policy over predictions."""

from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval, StrOptions

from .._base import BaseScoreEstimator
from .._docs import regressor_parameters
from .._regressor_base import BaseScoreRegressor
from ._regression_net import PGRegressionNet

__all__ = ["PGRegressor"]

_PARAMETERS = regressor_parameters(
    lr=0.003,
    surrogate_epochs=20,
    surrogate_lr=0.01,
    weight_decay=0.01,
    loss_meaning="the policy-gradient surrogate loss",
)


class PGRegressor(BaseScoreRegressor):
    __doc__ = f"""Regressor trained by policy gradient on any regression scorer.

    The module's output is the mean of a Gaussian policy
    ``y ~ N(f(x), sigma^2)`` over (standardized) predictions. Each step draws
    ``n_samples`` prediction arrays, scores them with ``scoring`` and follows
    the REINFORCE estimate. For scores that are means over samples (absolute,
    squared, percentage and log errors, pinball, deviances), each sample is
    credited with its own term against the mean of the other draws at that
    sample, so the estimate's variance does not grow with the batch; for the
    others (R², explained variance, median absolute error, D²), the whole
    array's score minus ``baseline``. ``predict`` returns the mean ``f(x)``.

    Parameters
    ----------
    {_PARAMETERS}

    n_samples : int, default=16
        Prediction arrays sampled per step (K).

    baseline : {{"none", "mean", "optimal", "loo", "greedy"}}, default="loo"
        Subtracted from each array's score with batch credit: ``"loo"`` the
        mean of the other K - 1, ``"greedy"`` the score of the mean
        prediction ``f(x)``, ``"optimal"`` the post's weighted mean.

    credit : {{"auto", "sample", "batch"}}, default="auto"
        ``"sample"``: per-sample credit (scores that are means over samples
        only); ``"batch"``: the array's score minus ``baseline``; ``"auto"``:
        per-sample credit where the score allows it.

    sigma : float, default=0.1
        Standard deviation of the policy, in units of the target's standard
        deviation (the module learns standardized targets).

    Attributes
    ----------
    n_outputs_ : int
        Number of target columns (1 for a 1-D ``y``).

    n_features_in_ : int
        Number of features seen during fit.

    net_ : skorch.NeuralNet
        The trained skorch net (on standardized targets).

    n_iter_ : int
        Number of epochs run, both phases.

    best_validation_score_ : float or None
        The best ``valid_score`` of the last fit with ``early_stopping``.

    See Also
    --------
    ZORegressor : Zeroth-order training of a regressor.

    Notes
    -----
    Scorers defined only for positive predictions (Poisson, gamma and
    Tweedie deviances, squared log errors) train the module in log space and
    predict ``exp`` (``expm1``) of its output, always inside their domain.

    References
    ----------
    .. [1] Su, J. (2020). "Policy gradient and zeroth-order optimization:
       different roads to the same place" (in Chinese), blog post on
       kexue.fm. The source of the method and of the hybrid training.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn_zopg import PGRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    >>> reg = PGRegressor(max_epochs=5, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _net_class = PGRegressionNet
    _method_parameters = ("n_samples", "baseline", "credit", "sigma")

    _parameter_constraints = {
        **BaseScoreEstimator._parameter_constraints,
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "baseline": [StrOptions({"none", "mean", "optimal", "loo", "greedy"})],
        "credit": [StrOptions({"auto", "sample", "batch"})],
        "sigma": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        *,
        scoring="neg_mean_absolute_error",
        module=None,
        module_params=None,
        hidden_layer_sizes=(64,),
        optimizer=torch.optim.Adam,
        optimizer_params=None,
        lr=0.003,
        max_epochs=100,
        batch_size=256,
        device="cpu",
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
        surrogate_epochs=20,
        surrogate_lr=0.01,
        surrogate_schedule="before",
        surrogate_every=1,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        weight_decay=0.01,
        lr_schedule="constant",
        n_samples=16,
        baseline="loo",
        credit="auto",
        sigma=0.1,
    ):
        super().__init__(
            scoring=scoring,
            module=module,
            module_params=module_params,
            hidden_layer_sizes=hidden_layer_sizes,
            optimizer=optimizer,
            optimizer_params=optimizer_params,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            device=device,
            random_state=random_state,
            verbose=verbose,
            callbacks=callbacks,
            warm_start=warm_start,
            surrogate_epochs=surrogate_epochs,
            surrogate_lr=surrogate_lr,
            surrogate_schedule=surrogate_schedule,
            surrogate_every=surrogate_every,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            weight_decay=weight_decay,
            lr_schedule=lr_schedule,
        )
        self.n_samples = n_samples
        self.baseline = baseline
        self.credit = credit
        self.sigma = sigma

    def _check_reward(self, reward):
        if self.credit == "sample" and not reward.decomposable:
            raise ValueError(
                f"credit='sample' needs a score that is a mean over samples "
                f"(absolute, squared, percentage or log errors, pinball, "
                f"deviances); scoring={reward._name()} is not. Use credit='batch'."
            )
