"""A parameter behind a hard gate gets no gradient: never a silent failure."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from skorch.callbacks import Callback

from sklearn_zopg import PGClassifier, PGRegressor, ZOClassifier


class HardGate(torch.nn.Module):
    """Features multiplied by ``g > 0``: ``g`` has no gradient."""

    def __init__(self, n_features, n_classes):
        super().__init__()
        self.g = torch.nn.Parameter(torch.full((n_features,), 0.5))
        self.out = torch.nn.Linear(n_features, n_classes)

    def forward(self, x):
        return self.out(x * (self.g > 0).to(x.dtype))


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=300, n_features=6, random_state=0)


@pytest.mark.parametrize(
    "est",
    [
        PGClassifier(module=HardGate, max_epochs=2, random_state=0),
        ZOClassifier(module=HardGate, surrogate_epochs=2, max_epochs=2),
    ],
    ids=["PG", "ZO surrogate"],
)
def test_a_parameter_without_gradient_is_named_with_the_fix(est, data):
    X, y = data
    with pytest.warns(UserWarning, match=r"\['g'\] got no gradient.*perturb=\['g'\]"):
        est.fit(X, y)
    assert torch.equal(est.net_.module_.g, torch.full((6,), 0.5, dtype=torch.float64))


def test_no_warning_when_zo_perturbs_it_and_it_moves(data):
    X, y = data
    est = ZOClassifier(
        module=HardGate, surrogate_epochs=2, max_epochs=5, perturb="g", random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        est.fit(X, y)
    assert not torch.equal(
        est.net_.module_.g, torch.full((6,), 0.5, dtype=torch.float64)
    )


@pytest.mark.parametrize(
    "est",
    [
        PGClassifier(max_epochs=2),
        ZOClassifier(max_epochs=2, surrogate_epochs=2),
        ZOClassifier(max_epochs=2, surrogate_epochs=0),  # frozen by design
        PGRegressor(max_epochs=2),
    ],
)
def test_default_modules_never_warn(est, data):
    X, y = data
    y = y.astype(float) if isinstance(est, PGRegressor) else y
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        est.fit(np.asarray(X), y)


class InitialParameters(Callback):
    """Keeps the module's parameters as training begins."""

    def on_train_begin(self, net, **kwargs):
        self.initial_ = {k: v.clone() for k, v in net.module_.state_dict().items()}


def test_alternate_trains_the_gate_by_zo_and_the_rest_by_gradient(data):
    X, y = data
    initial = InitialParameters()
    est = ZOClassifier(
        module=HardGate,
        perturb="g",
        surrogate_schedule="alternate",
        surrogate_epochs=0,  # only the interleaved surrogate steps train the rest
        max_epochs=5,
        callbacks=[initial],
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        est.fit(X, y)
    final = est.net_.module_.state_dict()
    initial = next(c for _, c in est.net_.callbacks_ if isinstance(c, type(initial)))
    assert all(not torch.equal(initial.initial_[k], final[k]) for k in final)
    kinds = {b["step"] for epoch in est.net_.history for b in epoch["batches"]}
    assert kinds == {"score", "surrogate"}
