"""PGClassifier: policy gradient (REINFORCE) on the model's own label distribution."""

from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval, StrOptions

from .._base import BaseScoreClassifier
from .._docs import (
    CLASSIFIER_ATTRIBUTES,
    decision_offsets_parameter,
    shared_parameters,
)
from ._net import PGNet

__all__ = ["PGClassifier"]


class PGClassifier(BaseScoreClassifier):
    __doc__ = f"""Classifier trained by policy gradient to maximize any label scorer.

    The model defines ``p(y|x) = softmax(f(x) / temperature)``. Each step
    draws ``n_samples`` label vectors for the batch from ``p``, scores them
    with ``scoring`` and follows the REINFORCE estimate [2]_ of the gradient
    of the expected score, ``E[(r - b) grad log p(y|x)]``, through a
    surrogate loss and the torch ``optimizer``. Predictions are the argmax
    labels.

    Parameters
    ----------
    {
        shared_parameters(
            lr=0.01,
            surrogate_epochs=0,
            surrogate_lr=None,
            weight_decay=0.003,
            loss_meaning="the surrogate loss whose gradient is minus the "
            "REINFORCE estimate",
        )
    }

    n_samples : int or "exact", default=16
        Label vectors drawn per batch (K). ``"exact"``: no sampling; the
        expected score is summed over every class of every sample, which is
        exact (zero variance) for scores that are sums over samples
        (accuracy, balanced accuracy) and refused for others.

    baseline : {{"none", "mean", "optimal", "loo", "greedy"}}, default="mean"
        Baseline of ``credit="batch"``: none, the mean of the K scores, the
        optimal ``E[r ||g||^2] / E[||g||^2]`` with ``g`` the log-probability
        gradient in logit space, leave-one-out (unbiased), or the score of the
        current argmax labels (self-critical). Ignored by ``credit="sample"``,
        which has its own per-sample baseline.

    credit : {{"auto", "sample", "batch"}}, default="auto"
        ``"batch"``: every sample of a vector gets that vector's score minus
        the baseline. ``"sample"``: sample ``i`` gets the score of its drawn
        label minus the expected score over its own label with the rest of
        the vector fixed (unbiased, far lower variance for scores such as F1
        that are not sums over samples; needs a count-based scorer).
        ``"auto"`` is ``"sample"`` when ``scoring`` is count-based, else
        ``"batch"``.

    temperature : float, default=1.0
        Softmax temperature ``T`` of the policy. ``predict_proba`` uses the
        temperature the model was fitted with (changing it afterwards has no
        effect until the next fit).

    {
        decision_offsets_parameter(
            "does not tune: tuned on the training rows, PG's offsets helped on some "
            "text tasks and cost on a 3-class balanced accuracy task of the "
            'benchmarks, so they are left to ``"tuned"``'
        )
    }

    Attributes
    ----------
    {CLASSIFIER_ATTRIBUTES}

    See Also
    --------
    ZOClassifier : Zeroth-order training, also for probability scorers.

    Notes
    -----
    Scorers on probabilities (``"roc_auc"``, ``"neg_log_loss"``...) cannot be
    used: the method samples labels. ``fit`` raises a ``ValueError`` pointing
    to :class:`ZOClassifier`.

    What to tune: ``lr`` first (the estimate is noisier than a
    cross-entropy gradient: lower it if ``train_score`` oscillates);
    ``weight_decay`` or ``early_stopping`` when the training score runs far
    ahead of the validation score; ``n_samples`` when ``train_score_std`` is
    large. ``credit="sample"`` (the default for count-based scorers) is the
    low-variance choice for scores such as F1 [3]_; the baselines matter
    only with ``credit="batch"``, where ``"loo"`` [4]_ and ``"greedy"`` [5]_
    are the usual strong choices. Measured figures: the benchmarks page of
    the documentation.

    References
    ----------
    .. [1] Su, J. (2020). "Policy gradient and zeroth-order optimization:
       different roads to the same place" (in Chinese), blog post on
       kexue.fm. The source of the method and of the hybrid training.
    .. [2] Williams, R. J. (1992). "Simple statistical gradient-following
       algorithms for connectionist reinforcement learning". Machine
       Learning, 8, 229-256.
    .. [3] Per-sample credit from confusion counts: a local expectation of
       each sample's own label, unbiased since it does not depend on that
       label; see the user guide.
    .. [4] Kool, W., van Hoof, H. and Welling, M. (2019). "Buy 4 REINFORCE
       samples, get a baseline for free!". ICLR workshop DeepRLStructPred.
    .. [5] Rennie, S. J., Marcheret, E., Mroueh, Y., Ross, J. and Goel, V.
       (2017). "Self-critical sequence training for image captioning". CVPR.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_zopg import PGClassifier
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> clf = PGClassifier(scoring="f1", max_epochs=20, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    _net_class = PGNet
    _method_parameters = ("n_samples", "baseline", "credit", "temperature")

    _parameter_constraints = {
        **BaseScoreClassifier._parameter_constraints,
        "n_samples": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"exact"}),
        ],
        "baseline": [StrOptions({"none", "mean", "optimal", "loo", "greedy"})],
        "credit": [StrOptions({"auto", "sample", "batch"})],
        "temperature": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        *,
        scoring="accuracy",
        module=None,
        module_params=None,
        hidden_layer_sizes=(64,),
        optimizer=torch.optim.Adam,
        optimizer_params=None,
        lr=0.01,
        max_epochs=100,
        batch_size=256,
        device="cpu",
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
        surrogate_epochs=0,
        surrogate_lr=None,
        surrogate_schedule="before",
        surrogate_every=1,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        weight_decay=0.003,
        lr_schedule="constant",
        n_samples=16,
        baseline="mean",
        credit="auto",
        temperature=1.0,
        decision_offsets="auto",
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
        self.temperature = temperature
        self.decision_offsets = decision_offsets

    def _proba_temperature(self):
        return self.temperature

    def _check_reward(self, reward):
        super()._check_reward(reward)
        reward._refuse_scores_scorer()
        if self.n_samples == "exact" and not reward.decomposable:
            raise ValueError(
                f"n_samples='exact' needs a score that is a sum over samples "
                f"(accuracy, balanced_accuracy); scoring={reward._name()} is not. "
                "Use an integer n_samples."
            )
        if self.credit == "sample" and not reward.count_based:
            raise ValueError(
                f"credit='sample' needs a count-based scorer (accuracy, balanced "
                f"accuracy, precision, recall, F-beta, Jaccard, MCC); "
                f"scoring={reward._name()} is not one. Use credit='batch'."
            )
