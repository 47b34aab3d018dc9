"""The reference a user would otherwise pick: the same MLP, cross-entropy, skorch."""

import numpy as np
import torch
from skorch import NeuralNetClassifier

from sklearn_zopg._modules import MLP

__all__ = [
    "as_skorch_input",
    "cross_entropy_net",
    "imbalanced_problem",
    "imbalanced_problem_params",
    "rare_labels_problem",
    "rare_labels_with_posterior",
]


def imbalanced_problem(n_samples=2000, random_state=0):
    """The project's reference problem: 7% positives, 2% label noise.

    ``make_classification`` with 20 features (5 informative), as used by the
    demo, the tests and the benchmarks, so that their figures compare.
    """
    from sklearn.datasets import make_classification

    return make_classification(**imbalanced_problem_params(n_samples, random_state))


def imbalanced_problem_params(n_samples=2000, random_state=0):
    """``make_classification``'s parameters of :func:`imbalanced_problem`."""
    return dict(
        n_samples=n_samples,
        n_features=20,
        n_informative=5,
        weights=[0.93],
        flip_y=0.02,
        random_state=random_state,
    )


def rare_labels_problem(n_samples=1500, n_features=10, n_labels=4, random_state=0):
    """The project's multilabel problem: labels of 8% positives each.

    Noisy linear scores thresholded at their 92nd percentile, so that
    cross-entropy's 0.5 threshold hardly ever predicts a label; used by the
    tests, the multilabel benchmark and the gallery, so that their figures
    compare.
    """
    X, Y, _ = rare_labels_with_posterior(n_samples, n_features, n_labels, random_state)
    return X, Y


def rare_labels_with_posterior(
    n_samples=1500, n_features=10, n_labels=4, random_state=0
):
    """:func:`rare_labels_problem` and each entry's true probability
    ``P(Y_il = 1 | x_i)``: the labels are independent given ``x``, each
    ``x w_l + 0.6 e > t_l`` with ``e`` standard normal."""
    from scipy.stats import norm

    rng = np.random.default_rng(random_state)
    X = rng.normal(size=(n_samples, n_features))
    mean = X @ rng.normal(size=(n_features, n_labels)) / np.sqrt(n_features)
    Z = mean + 0.6 * rng.normal(size=(n_samples, n_labels))
    threshold = np.quantile(Z, 0.92, axis=0)
    return X, (Z > threshold).astype(int), norm.sf((threshold - mean) / 0.6)


def cross_entropy_net(
    n_features,
    n_classes,
    seed,
    dtype=torch.float32,
    hidden_layer_sizes=(64,),
    **net_params,
):
    """A skorch ``NeuralNetClassifier`` of our default MLP (or one of
    ``hidden_layer_sizes``), seeded.

    Trained with cross-entropy and the same optimizer, learning rate, epochs
    and batch size as our estimators' defaults; predicts the argmax (0.5
    threshold for two classes). Feed it ``X`` of ``dtype`` and int64 ``y``.
    """
    torch.manual_seed(seed)
    params = dict(
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=0.01,
        max_epochs=100,
        batch_size=256,
        train_split=None,
        verbose=0,
    )
    params.update(net_params)
    module = MLP(n_features, n_classes, hidden_layer_sizes).to(dtype)
    return NeuralNetClassifier(module, **params)


def as_skorch_input(X, y=None):
    """float32 features (and int64 labels) as skorch's classifier expects."""
    X = np.asarray(X, dtype=np.float32)
    return X if y is None else (X, np.asarray(y, dtype=np.int64))
