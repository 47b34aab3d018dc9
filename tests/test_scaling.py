"""The warning for features of very different scales: on raw data whose
scales differ by orders of magnitude, never on scaled data."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

from sklearn_zopg import PGClassifier, PGRegressor, ZOClassifier, ZORegressor
from sklearn_zopg._scaling import warn_if_unscaled

FAST = dict(max_epochs=1, random_state=0)


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_raw_breast_cancer_warns_and_names_the_fix(Estimator):
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.warns(UserWarning, match=r"make_pipeline\(StandardScaler\(\)"):
        Estimator(**FAST).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        make_pipeline(StandardScaler(), Estimator(**FAST)).fit(X, y)


@pytest.mark.parametrize("Estimator", [PGRegressor, ZORegressor])
def test_regressors_warn_too(Estimator):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * [1e-3, 1.0, 1e3]
    with pytest.warns(UserWarning, match="standard deviations range"):
        Estimator(**FAST).fit(X, X[:, 1])


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    log_scales=st.lists(st.floats(-6, 6), min_size=2, max_size=8),
    scaler=st.sampled_from([StandardScaler, MinMaxScaler, RobustScaler]),
)
def test_scaled_data_never_warns(seed, log_scales, scaler):
    """Whatever the raw scales, after a scaler the check stays silent."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, len(log_scales))) * 10.0 ** np.array(log_scales)
    X[:, 0] = rng.exponential(size=60)  # a skewed column
    scaled = scaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warn_if_unscaled(scaled, "PGClassifier")


def test_silent_on_unscaled_data_of_similar_scales_and_on_sparse_input():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warn_if_unscaled(load_digits().data, "PGClassifier")  # pixels 0-16
        warn_if_unscaled(make_classification(random_state=0)[0], "PGClassifier")
        wide = sp.random(50, 30, density=0.1, random_state=0) * 1e6
        warn_if_unscaled(sp.hstack([wide, sp.eye(50, 5)]).tocsr(), "PGClassifier")


def test_partial_fit_checks_the_first_chunk_only():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3)) * [1e-3, 1.0, 1e3]
    y = (X[:, 1] > 0).astype(int)
    est = ZOClassifier(random_state=0)
    with pytest.warns(UserWarning, match="standard deviations range"):
        est.partial_fit(X, y, classes=[0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        est.partial_fit(X, y)
