"""ZORegressor: zeroth-order estimates of any regression score's gradient."""

import torch

from .._base import BaseScoreEstimator
from .._docs import regressor_parameters
from .._regressor_base import BaseScoreRegressor
from ._classifier import ZOClassifier
from ._net import ZONet

__all__ = ["ZORegressor"]

_PARAMETERS = regressor_parameters(
    lr=0.003,
    surrogate_epochs=20,
    surrogate_lr=0.01,
    weight_decay=0.01,
    loss_meaning="minus the score of the current (unperturbed) model on the "
    "batch, divided by the absolute score of the constant mean prediction",
)


class ZORegressor(BaseScoreRegressor):
    __doc__ = f"""Regressor trained by zeroth-order gradient estimates of any scorer.

    The machinery of :class:`ZOClassifier` on a regression module: each step
    scores the ``n_samples`` perturbed models' predictions on the batch with
    ``scoring`` (any regression scorer, or a ``make_scorer`` cost) and hands
    the estimate to the torch ``optimizer``. The module learns standardized
    targets ``(y - mean) / std`` (so the default learning rates suit targets
    in any unit); the scorer and ``predict`` see the original units.

    Parameters
    ----------
    {_PARAMETERS}

    n_samples, epsilon, baseline, direction, antithetic, fitness, perturb, \
batched, memory_efficient
        As for :class:`ZOClassifier`; epsilon perturbs the parameters of a
        module whose outputs are standardized targets.

    Attributes
    ----------
    n_outputs_ : int
        Number of target columns (1 for a 1-D ``y``).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    net_ : skorch.NeuralNet
        The trained skorch net (on standardized targets).

    n_iter_ : int
        Number of epochs run, both phases.

    best_validation_score_ : float or None
        The best ``valid_score`` of the last fit with ``early_stopping``.

    See Also
    --------
    ZOClassifier : The same method for classification.

    Notes
    -----
    The surrogate phase trains squared error on the standardized targets;
    the score phase then trains the output layer (``perturb="last"``) on the
    score itself, which matters where the two disagree: absolute or
    percentage errors, quantiles (pinball), asymmetric costs.

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
    >>> from sklearn_zopg import ZORegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    >>> reg = ZORegressor(max_epochs=5, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _net_class = ZONet
    _method_parameters = ZOClassifier._method_parameters
    _parameter_constraints = {
        **ZOClassifier._parameter_constraints,
        # Numbers only: no "auto" (a weight decay scaled with the data was
        # level with the fixed one at 6,000-20,000 rows for the regressors).
        "lr": BaseScoreEstimator._parameter_constraints["lr"],
        "weight_decay": BaseScoreEstimator._parameter_constraints["weight_decay"],
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
        epsilon=0.1,
        baseline="current",
        direction="gaussian",
        antithetic=True,
        fitness="raw",
        perturb="last",
        batched="auto",
        memory_efficient=False,
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
        self.epsilon = epsilon
        self.baseline = baseline
        self.direction = direction
        self.antithetic = antithetic
        self.fitness = fitness
        self.perturb = perturb
        self.batched = batched
        self.memory_efficient = memory_efficient
