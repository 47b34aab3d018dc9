"""optimizer_params, and skorch callbacks across the two phases."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sklearn_zopg import PGClassifier, PGRegressor, ZOClassifier, ZORegressor

ESTIMATORS = [PGClassifier, ZOClassifier, PGRegressor, ZORegressor]
FAST = {"max_epochs": 2, "surrogate_epochs": 1, "random_state": 0}


def _problem(Estimator):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    if Estimator in (PGRegressor, ZORegressor):
        return X, X[:, 0] + 0.1 * rng.normal(size=120)
    return X, (X[:, 0] > 0).astype(int)


def _group(est):
    return est.net_.optimizer_.param_groups[0]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "optimizer, params",
    [
        (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
        (torch.optim.Adam, {"betas": (0.8, 0.95)}),
        (torch.optim.AdamW, {"weight_decay": 0.05}),
    ],
)
def test_the_optimizer_gets_its_settings(Estimator, optimizer, params):
    X, y = _problem(Estimator)
    est = Estimator(optimizer=optimizer, optimizer_params=params, **FAST).fit(X, y)
    assert isinstance(est.net_.optimizer_, optimizer)
    for key, value in params.items():
        assert _group(est)[key] == value
    assert _group(est)["lr"] == est.net_.lr  # lr stays the estimator's


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_settings_change_the_fit(Estimator):
    X, y = _problem(Estimator)
    fits = [
        Estimator(optimizer=torch.optim.SGD, optimizer_params=params, **FAST).fit(X, y)
        for params in (None, {"momentum": 0.9})
    ]
    outputs = [
        est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)
        for est in fits
    ]
    assert not np.allclose(*outputs)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"momentun": 0.9}, r"optimizer_params has \['momentun'\], which SGD does not"),
        ({"lr": 0.1}, "pass lr= instead"),
    ],
)
def test_unknown_settings_are_named(params, match):
    X, y = _problem(PGClassifier)
    est = PGClassifier(optimizer=torch.optim.SGD, optimizer_params=params, **FAST)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)
    assert not hasattr(est, "net_")


def test_warm_start_honours_a_change_and_search_clone_work():
    X, y = _problem(ZOClassifier)
    est = ZOClassifier(
        optimizer=torch.optim.SGD,
        optimizer_params={"momentum": 0.5},
        warm_start=True,
        **FAST,
    ).fit(X, y)
    est.set_params(optimizer_params={"momentum": 0.9})
    est.fit(X, y)
    assert _group(est)["momentum"] == 0.9
    assert clone(est).get_params()["optimizer_params"] == {"momentum": 0.9}
    search = GridSearchCV(
        ZOClassifier(optimizer=torch.optim.SGD, **FAST),
        {"optimizer_params": [{"momentum": 0.0}, {"momentum": 0.9}]},
        cv=2,
    ).fit(X, y)
    assert search.best_params_["optimizer_params"]["momentum"] in (0.0, 0.9)


@pytest.mark.parametrize("Estimator", [ZOClassifier, PGRegressor])
def test_an_lr_scheduler_spans_both_phases_and_warm_starts(Estimator):
    """skorch's LRScheduler resumes a scheduler at the epochs already in the
    history; the score phase's fresh optimizer used to lack initial_lr."""
    from skorch.callbacks import LRScheduler
    from torch.optim.lr_scheduler import StepLR

    X, y = _problem(Estimator)
    est = Estimator(
        callbacks=[LRScheduler(StepLR, step_size=4, gamma=0.5)],
        surrogate_epochs=3,
        max_epochs=6,
        warm_start=True,
        random_state=0,
    ).fit(X, y)
    score_lr = est.net_.lr
    assert est.n_iter_ == 9
    assert _group(est)["lr"] < score_lr  # the schedule acted in the score phase
    est.fit(X, y)  # a warm start resumes it again
    assert est.n_iter_ == 15


def test_a_users_early_stopping_in_the_warm_up_ends_that_phase_only():
    """It used to end the whole fit after the warm-up: no score epoch ran."""
    from skorch.callbacks import EarlyStopping

    X, y = _problem(ZOClassifier)
    stop_soon = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0)
    est = ZOClassifier(
        callbacks=[stop_soon], surrogate_epochs=10, max_epochs=10, random_state=0
    ).fit(X, y)
    phases = est.net_.history[:, "phase"]
    assert 0 < phases.count("surrogate") < 10
    assert phases.count("score") >= 1
    assert est.n_iter_ == len(phases)
