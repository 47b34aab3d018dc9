"""Scorers defined only for positive predictions: the regressors' links."""

import numpy as np
import pytest
import torch
from sklearn.dummy import DummyRegressor
from sklearn.metrics import get_scorer, make_scorer, mean_tweedie_deviance

from sklearn_zopg import PGRegressor, ZORegressor
from sklearn_zopg._links import IdentityLink, Log1pLink, LogLink, link_for
from sklearn_zopg.rewards._scorer_parts import scorer_parts

TWEEDIE = make_scorer(mean_tweedie_deviance, power=1.5, greater_is_better=False)


def _parts(scoring):
    return scorer_parts(get_scorer(scoring) if isinstance(scoring, str) else scoring)


def counts(seed=0, n=400):
    """Poisson counts (a third of them zeros) of a log-linear rate."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, rng.poisson(np.exp(0.6 * X[:, 0] - 0.5 * X[:, 1])).astype(float)


@pytest.mark.parametrize(
    "scoring, y, expected",
    [
        ("neg_mean_poisson_deviance", [0.0, 1.0, 3.0], LogLink),
        ("neg_mean_gamma_deviance", [0.5, 1.0, 3.0], LogLink),
        (TWEEDIE, [0.0, 2.0], LogLink),
        ("neg_mean_squared_log_error", [0.0, 2.0], Log1pLink),
        ("neg_root_mean_squared_log_error", [0.0, 2.0], Log1pLink),
        ("neg_mean_absolute_error", [-1.0, 2.0], IdentityLink),
        (make_scorer(mean_tweedie_deviance, power=0), [0.0, 2.0], IdentityLink),
        (make_scorer(mean_tweedie_deviance, power=-1), [0.5, 2.0], LogLink),
        # Targets outside the scorer's domain: the scorer says so itself.
        ("neg_mean_poisson_deviance", [-1.0, 2.0], IdentityLink),
        ("neg_mean_squared_log_error", [-2.0, 2.0], IdentityLink),
    ],
)
def test_link_for_scorer_and_targets(scoring, y, expected):
    y = np.asarray(y)[:, None]
    assert type(link_for(_parts(scoring), y)) is expected


@pytest.mark.parametrize("link", [LogLink(0.5), LogLink(0.0), Log1pLink()])
def test_links_invert_on_targets_and_keep_predictions_in_domain(link):
    y = np.array([0.0, 0.25, 1.0, 7.0, 300.0])
    if isinstance(link, LogLink) and link.offset == 0:
        y = y[1:]
    back = link.targets(torch.as_tensor(link.forward(y)))
    np.testing.assert_allclose(back.numpy(), y, rtol=1e-12, atol=1e-12)
    assert (back >= 0).all()  # a zero count stays a valid Poisson target
    wild = torch.tensor([-1e4, -50.0, -3.0, 0.0, 3.0], dtype=torch.float64)
    floor = -1 if isinstance(link, Log1pLink) else 0
    assert (link.predictions(wild) > floor).all()


@pytest.mark.parametrize("Estimator", [PGRegressor, ZORegressor])
@pytest.mark.parametrize(
    "scoring",
    [
        "neg_mean_poisson_deviance",
        TWEEDIE,
        "neg_mean_squared_log_error",
        "neg_root_mean_squared_log_error",
    ],
    ids=str,
)
def test_positive_domain_scorers_train_on_counts(Estimator, scoring):
    X, y = counts()
    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    model = Estimator(scoring=scoring, max_epochs=30, random_state=0).fit(X, y)
    prediction = model.predict(X)
    floor = -1 if "log_error" in str(scoring) else 0  # the scorer's domain
    assert prediction.shape == y.shape and (prediction > floor).all()
    X_test, y_test = counts(seed=1)
    mean = DummyRegressor().fit(X, y)
    assert model.score(X_test, y_test) > scorer(mean, X_test, y_test) + 0.1 * abs(
        scorer(mean, X_test, y_test)
    )


@pytest.mark.parametrize("Estimator", [PGRegressor, ZORegressor])
def test_gamma_deviance_on_positive_targets(Estimator):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 3))
    y = rng.gamma(2.0, np.exp(0.5 * X[:, 0] - 0.4 * X[:, 1]) / 2.0)
    model = Estimator(scoring="neg_mean_gamma_deviance", max_epochs=20, random_state=0)
    prediction = model.fit(X, y).predict(X)
    assert prediction.shape == y.shape and (prediction > 0).all()
    mean = DummyRegressor().fit(X, y)
    scorer = get_scorer("neg_mean_gamma_deviance")
    assert model.score(X, y) > scorer(mean, X, y)
