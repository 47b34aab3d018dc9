"""A scorer reads the model it scores through ``estimator.net_``: during a
ZO fit each perturbed model in turn, so that a cost of the parameters (the
features a hard gate keeps) enters the estimates as the predictions do."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, mean_absolute_error

from sklearn_zopg import PGClassifier, ZOClassifier, ZORegressor


class HardGate(torch.nn.Module):
    """A linear model of ``X * (gate > 0)``."""

    def __init__(self, n_features, n_classes, gate_init=0.05):
        super().__init__()
        self.gate = torch.nn.Parameter(torch.full((n_features,), gate_init))
        self.out = torch.nn.Linear(n_features, n_classes)

    def forward(self, x):
        return self.out(x * (self.gate > 0).to(x.dtype))


def _data(n=400, n_features=8, n_informative=2, seed=0):
    X, y = make_classification(
        n,
        n_features,
        n_informative=n_informative,
        n_redundant=0,
        shuffle=False,  # the informative features come first
        random_state=seed,
    )
    return X.astype(np.float32), y


def _zo(scoring, **params):
    settings = dict(
        module=HardGate,
        perturb="gate",
        surrogate_schedule="alternate",
        surrogate_epochs=2,
        max_epochs=3,
        n_samples=6,
        epsilon=0.5,
        batch_size=100,
        random_state=0,
    )
    return ZOClassifier(scoring=scoring, **{**settings, **params})


class Recorder:
    """A scorer of F1 that records, at each call, the gate it reads and
    whether the module it reads predicts the labels it is scoring."""

    def __init__(self):
        self.gates, self.agree = [], []

    def __call__(self, estimator, X, y):
        module = estimator.net_.module_
        self.gates.append(module.gate.detach().clone())
        with torch.no_grad():
            rows = torch.as_tensor(X, dtype=module.gate.dtype)
            own = module(rows).argmax(1).numpy()
        self.agree.append(np.mean(own == estimator.predict(X)))
        return f1_score(y, estimator.predict(X))


def test_the_scorer_reads_each_perturbed_model_it_scores():
    X, y = _data()
    recorder = Recorder()
    est = _zo(recorder).fit(X, y)
    score_calls = len(recorder.agree)
    # 12 steps, every other one a score step of 6 perturbed models and the
    # current one, each surrogate step scored once.
    assert score_calls == 6 * (6 + 1) + (2 * 4 + 6)
    # Every model read predicts the labels it is scored on ...
    assert min(recorder.agree) == 1.0
    # ... and they differ: the K perturbed gates and the current one.
    distinct = {tuple(g.tolist()) for g in recorder.gates}
    assert len(distinct) > score_calls / 2
    # After the fit, the net read is the fitted one.
    assert recorder(est, X, y) == est.score(X, y)


def test_reading_the_model_leaves_it_exactly_as_it_was():
    """Putting a model in a perturbed state for a call and back is exact: a
    fit whose scorer reads the net ends bit for bit where one that does not
    read it ends."""
    X, y = _data()

    def plain(estimator, X, y):
        return f1_score(y, estimator.predict(X))

    def reading(estimator, X, y):
        estimator.net_.module_.gate.sum()
        return f1_score(y, estimator.predict(X))

    a, b = _zo(plain).fit(X, y), _zo(reading).fit(X, y)
    for p, q in zip(a.net_.module_.parameters(), b.net_.module_.parameters()):
        assert torch.equal(p, q)


def _kept(estimator):
    return int((estimator.net_.module_.gate > 0).sum())


def test_a_cost_per_feature_closes_the_gates_of_noise_features():
    X, y = _data(n=600, n_features=10, n_informative=2)

    def f1_minus_cost(estimator, X, y):
        return f1_score(y, estimator.predict(X)) - 0.05 * _kept(estimator)

    est = _zo(f1_minus_cost, max_epochs=15, lr=0.1).fit(X, y)
    gate = est.net_.module_.gate.detach().numpy()
    strongest = np.abs(LogisticRegression().fit(X, y).coef_[0]).argmax()
    assert gate[strongest] > 0  # the feature that carries the signal stays
    assert (gate[2:] > 0).sum() <= 2  # most noise features are dropped
    free = _zo(lambda e, X, y: f1_score(y, e.predict(X)), max_epochs=15, lr=0.1)
    assert _kept(free.fit(X, y)) > _kept(est)  # the cost is what closes them


def test_pg_scorer_reads_the_current_policy():
    X, y = _data()
    nets = []

    def scorer(estimator, X, y):
        nets.append(estimator.net_)
        return f1_score(y, estimator.predict(X))

    est = PGClassifier(scoring=scorer, max_epochs=2, random_state=0).fit(X, y)
    assert nets and all(net is est.net_ for net in nets)


def test_the_net_read_during_fit_is_not_pickled_with_the_reward():
    X, y = _data()
    est = _zo(Recorder()).fit(X, y)
    reward = est.net_.reward
    assert "_net" not in pickle.loads(pickle.dumps(reward)).__dict__
    with reward.scored_net(est.net_):
        assert "_net" not in pickle.loads(pickle.dumps(reward)).__dict__


def test_zo_regressor_scorer_reads_the_perturbed_models():
    X, y = make_regression(200, 4, noise=1.0, random_state=0)
    weights = []

    def scorer(estimator, X, y):
        net = getattr(estimator, "net_", None)  # None before the model exists
        if net is not None:
            weights.append(float(net.module_.layers[-1].weight.detach().sum()))
        return -mean_absolute_error(y, estimator.predict(X))

    est = ZORegressor(
        scoring=scorer, surrogate_epochs=1, max_epochs=2, n_samples=4, random_state=0
    ).fit(X, y)
    score_steps = 2  # one batch an epoch: each scores 4 perturbed and the current
    assert len(set(weights)) >= score_steps * 4
    assert scorer(est, X, y) == est.score(X, y)


def test_reading_the_net_before_the_regressor_has_one_names_the_fix():
    X, y = make_regression(50, 3, random_state=0)

    def scorer(estimator, X, y):
        return -float(estimator.net_.module_.layers[-1].weight.abs().sum())

    with pytest.raises(ValueError, match=r"net_.*getattr\(estimator, 'net_', None\)"):
        ZORegressor(scoring=scorer, max_epochs=1).fit(X, y)
