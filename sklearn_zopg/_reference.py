"""The reference a user would otherwise pick: the same MLP, cross-entropy, skorch."""

import numpy as np
import torch
from skorch import NeuralNetClassifier

from ._modules import MLP

__all__ = [
    "as_skorch_input",
    "cross_entropy_net",
    "imbalanced_problem",
]


def imbalanced_problem(n_samples=2000, random_state=0):
    """The project's reference problem: 7% positives, 2% label noise.

    ``make_classification`` with 20 features (5 informative), as used by the
    demo, the tests and the benchmarks, so that their figures compare.
    """
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples=n_samples,
        n_features=20,
        n_informative=5,
        weights=[0.93],
        flip_y=0.02,
        random_state=random_state,
    )


def cross_entropy_net(n_features, n_classes, seed, dtype=torch.float32, **net_params):
    """A skorch ``NeuralNetClassifier`` of our default MLP, seeded.

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
    module = MLP(n_features, n_classes).to(dtype)
    return NeuralNetClassifier(module, **params)


def as_skorch_input(X, y=None):
    """float32 features (and int64 labels) as skorch's classifier expects."""
    X = np.asarray(X, dtype=np.float32)
    return X if y is None else (X, np.asarray(y, dtype=np.int64))
