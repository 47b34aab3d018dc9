"""ZORegressor: any regression scorer, standardized targets, sklearn habits."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.metrics import (
    mean_absolute_error,
    median_absolute_error,
    r2_score,
)
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import ZORegressor


def heavy_tailed(seed, n=1500, d=8):
    """A linear signal plus Student-t (1.5 degrees of freedom) noise:
    squared error chases the outliers, absolute errors do not."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 2 * rng.standard_t(1.5, size=n)
    return X, y


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    y = X @ rng.normal(size=5) + 0.1 * rng.normal(size=200)
    return X, y


def test_fit_predict_score_in_the_targets_units(small):
    """Targets a million times larger give the same fit, scaled: the module
    learns standardized targets, the scorer sees the original units."""
    X, y = small
    reg = ZORegressor(max_epochs=5, random_state=0).fit(X, y)
    big = ZORegressor(max_epochs=5, random_state=0).fit(X, y * 1e6 + 3e6)
    np.testing.assert_allclose(big.predict(X), reg.predict(X) * 1e6 + 3e6, rtol=1e-6)
    assert reg.predict(X).shape == y.shape and reg.n_outputs_ == 1
    assert reg.score(X, y) == pytest.approx(-mean_absolute_error(y, reg.predict(X)))
    assert r2_score(y, reg.predict(X)) > 0.9


def test_multi_output_targets(small):
    X, y = small
    Y = np.stack([y, -2 * y + 1], 1)
    reg = ZORegressor(scoring="r2", max_epochs=5, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == Y.shape and reg.n_outputs_ == 2
    assert reg.score(X, Y) == pytest.approx(r2_score(Y, reg.predict(X)))


@pytest.mark.parametrize(
    "scoring, metric",
    [
        ("neg_mean_absolute_error", mean_absolute_error),
        ("neg_median_absolute_error", median_absolute_error),
    ],
)
def test_training_on_the_score_beats_its_squared_error_warm_start(scoring, metric):
    """Heavy-tailed noise, three seeds measured (test MAE 4.15/5.52/4.14 after
    the squared-error warm start, 3.89/5.04/4.01 trained on MAE; median
    absolute error 2.23/2.24/2.13 and 2.03/1.76/1.89): asserted on one seed."""
    X, y = heavy_tailed(1)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=1)
    warm = ZORegressor(surrogate_epochs=20, max_epochs=1, lr=1e-12, random_state=1)
    warm.fit(X_tr, y_tr)
    reg = ZORegressor(scoring=scoring, random_state=1).fit(X_tr, y_tr)
    before = metric(y_te, warm.predict(X_te))
    after = metric(y_te, reg.predict(X_te))
    assert after < 0.95 * before, (after, before)


def test_clone_pickle_pipeline_grid_search_and_transformed_target(small):
    X, y = small
    est = ZORegressor(max_epochs=2, random_state=0)
    fitted = clone(est).fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    pipe = make_pipeline(StandardScaler(), clone(est)).fit(X, y)
    assert pipe.predict(X).shape == y.shape
    grid = GridSearchCV(clone(est), {"lr": [0.01, 0.003]}, cv=2).fit(X, y)
    assert grid.best_estimator_.predict(X).shape == y.shape
    positive = np.exp(y / 4)
    ttr = TransformedTargetRegressor(clone(est), func=np.log, inverse_func=np.exp)
    assert (ttr.fit(X, positive).predict(X) > 0).all()


def test_regression_errors_name_the_problem(small):
    X, y = small
    with pytest.raises(ValueError, match="classification metric"):
        ZORegressor(scoring="f1").fit(X, y)
    with pytest.raises(ValueError, match="constant"):
        ZORegressor().fit(X, np.full(len(y), 3.0))
    bad = y.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ZORegressor().fit(X, bad)


def test_r2_on_sklearns_regression_check_data():
    """Replacement of check_regressors_train (an expected failure: score()
    is the estimator's own scoring, not R²): on that check's data, defaults
    and max_epochs=5, R² of the predictions exceeds 0.5."""
    from sklearn.datasets import make_regression

    X, y = make_regression(
        n_samples=200,
        n_features=10,
        n_informative=1,
        bias=5.0,
        noise=20,
        random_state=42,
    )
    X = StandardScaler().fit_transform(X)
    y = StandardScaler().fit_transform(y[:, None])[:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = ZORegressor(max_epochs=5, random_state=0).fit(X, y)
    assert r2_score(y, reg.predict(X)) > 0.5
