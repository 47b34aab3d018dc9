"""Diagnostics: do the zeroth-order and policy gradients point the same way?

The post's main claim: as epsilon and the temperature go to 0, the
zeroth-order gradient of the argmax score becomes the policy gradient. This
module measures it on a fitted estimator and a batch.
"""

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ._batches import as_tensors
from ._sparse import SPARSE_FORMAT
from .pg._gradient import exact_surrogate, pg_advantage, pg_surrogate, sample_labels
from .rewards import make_reward
from .zo._directions import Directions
from .zo._perturbed import PerturbedModule, select_parameters

__all__ = ["gradient_agreement"]


def _flat(tensors):
    return torch.cat([t.reshape(-1) for t in tensors])


def _cosine(a, b):
    return float(torch.nn.functional.cosine_similarity(a, b, dim=0))


def gradient_agreement(
    estimator,
    X,
    y,
    *,
    epsilon=0.05,
    temperature=1.0,
    n_directions=2000,
    n_samples=256,
    credit="batch",
    sample_weight=None,
    random_state=0,
):
    """Cosines between the ZO, PG and exact policy gradients of a fitted model.

    All three are gradients of the estimator's ``scoring`` with respect to
    all trainable parameters of ``estimator.net_.module_``, on the batch
    ``(X, y)``:

    - ``exact``: the policy gradient of ``E_{y~softmax(f/T)}[score]``,
      summed exactly over classes (needs a score that is a sum over samples,
      such as accuracy or balanced accuracy);
    - ``pg``: its REINFORCE estimate from ``n_samples`` label vectors
      (``credit="batch"``: the post's estimator, with the mean baseline;
      ``"sample"``: per-sample credit);
    - ``zo``: the zeroth-order estimate of the gradient of the *argmax*
      score from ``n_directions`` antithetic Gaussian directions of scale
      ``epsilon``.

    Parameters
    ----------
    estimator : PGClassifier or ZOClassifier, fitted
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Labels among ``estimator.classes_``.
    epsilon : float, default=0.05
        ZO perturbation scale.
    temperature : float, default=1.0
        Policy temperature T of the PG and exact gradients.
    n_directions : int, default=2000
        ZO directions (K).
    n_samples : int, default=256
        PG label vectors.
    credit : {"batch", "sample"}, default="batch"
        Credit assignment of the PG estimate.
    sample_weight : array-like of shape (n_samples,), default=None
    random_state : int, RandomState instance or None, default=0

    Returns
    -------
    result : dict
        ``cos_zo_exact``, ``cos_pg_exact``, ``cos_zo_pg`` (cosine
        similarities) and ``var_zo``, ``var_pg`` (total variance of a
        single-direction / single-vector estimate, i.e. the trace of its
        covariance).
    """
    check_is_fitted(estimator)
    if getattr(estimator, "_multilabel", False):
        raise ValueError(
            "gradient_agreement compares single-label policies (a softmax over "
            "classes); the estimator was fitted on multilabel y."
        )
    X = validate_data(
        estimator,
        X,
        reset=False,
        accept_sparse=SPARSE_FORMAT,
        dtype=[np.float64, np.float32],
    )
    net = estimator.net_
    module = net.module_
    param = next(module.parameters())
    Xt = as_tensors(X, param.device, param.dtype)
    index = np.searchsorted(estimator.classes_, np.asarray(y))
    yt = torch.as_tensor(index, device=param.device)
    wt = None
    if sample_weight is not None:
        wt = as_tensors(np.asarray(sample_weight, dtype=np.float64), param.device)
    reward = make_reward(estimator.scoring, classes=estimator.classes_)
    if not reward.decomposable:
        raise ValueError(
            "gradient_agreement needs a score that is a sum over samples (accuracy, "
            f"balanced_accuracy) for its exact reference; got {reward._name()}."
        )
    params = select_parameters(module, None)
    seed = int(check_random_state(random_state).randint(2**31 - 1))
    was_training = module.training
    module.eval()
    try:
        with torch.random.fork_rng(
            devices=[param.device.index or 0] if param.is_cuda else []
        ):
            torch.manual_seed(seed)
            exact = _exact(module, params, Xt, yt, wt, reward, temperature)
            pg, var_pg = _pg(
                module, params, Xt, yt, wt, reward, temperature, n_samples, credit
            )
            own = net.logits(Xt, offsets=False)  # the module's, as ZO perturbs it
            current = reward.score_logits(yt, own[None], wt)[0]
            zo, var_zo = _zo(
                module, params, Xt, yt, wt, reward, epsilon, n_directions, current
            )
    finally:
        module.train(was_training)
    return {
        "cos_zo_exact": _cosine(zo, exact),
        "cos_pg_exact": _cosine(pg, exact),
        "cos_zo_pg": _cosine(zo, pg),
        "var_zo": var_zo,
        "var_pg": var_pg,
    }


def _grad_of(loss, params):
    grads = torch.autograd.grad(loss, list(params.values()), retain_graph=True)
    return -_flat(grads)  # surrogates are minus the objective


def _exact(module, params, X, y, w, reward, temperature):
    proba = torch.softmax(module(X) / temperature, 1)
    table = reward.swap_scores(y, proba.detach().argmax(1)[None], w)[0]
    return _grad_of(exact_surrogate(proba, table), params)


def _pg(module, params, X, y, w, reward, temperature, n_samples, credit):
    log_proba = torch.log_softmax(module(X) / temperature, 1)
    labels = sample_labels(log_proba, n_samples)
    advantage, _ = pg_advantage(
        reward, y, labels, log_proba.detach().exp(), w, credit=credit, baseline="mean"
    )
    singles = torch.stack(
        [
            _grad_of(
                pg_surrogate(log_proba, labels[k : k + 1], advantage[k : k + 1]), params
            )
            for k in range(n_samples)
        ]
    )
    return singles.mean(0), float(singles.var(0).sum())


def _zo(module, params, X, y, w, reward, epsilon, n_directions, current):
    with torch.no_grad():
        directions = Directions("gaussian", n_directions, list(params.values()), True)
        perturbed = PerturbedModule(module, params, "loop")
        scores = reward.score_logits(y, perturbed.logits(X, directions, epsilon), w)
        U = directions.matrix()
        singles = ((scores - current) / epsilon).to(U.dtype)[:, None] * U
    return singles.mean(0), float(singles.var(0).sum())
