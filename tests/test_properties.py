"""Property-based: any input ends in a fitted estimator or a clear error."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_zopg import PGClassifier, ZOClassifier

SCORERS = [
    "accuracy",
    "f1",
    "f1_macro",
    "balanced_accuracy",
    "roc_auc",
    "matthews_corrcoef",
    "neg_log_loss",
]
LABEL_SETS = [
    [0, 1],
    [1, 2, 3],
    ["a", "b"],
    ["x", "y", "z"],
    [-1.5, 2.0],
    [True, False],
]


@st.composite
def problems(draw):
    n = draw(st.integers(0, 30))
    d = draw(st.integers(0, 4))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64]))
    labels = draw(st.sampled_from(LABEL_SETS))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    X = rng.normal(size=(n, d)).astype(dtype)
    if n and d and draw(st.booleans()):
        X = X.astype(np.float64)
        X[rng.integers(n), rng.integers(d)] = draw(st.sampled_from([np.nan, np.inf]))
    y = np.asarray(labels, dtype=object)[rng.integers(len(labels), size=n)]
    y = y.astype(type(labels[0]))
    return X, y, draw(st.sampled_from(SCORERS))


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems())
def test_fitted_or_clear_error(Estimator, problem):
    X, y, scoring = problem
    est = Estimator(scoring=scoring, max_epochs=2, surrogate_epochs=1, random_state=0)
    try:
        est.fit(X, y)
    except (ValueError, TypeError) as exc:
        assert str(exc), "errors must say what is wrong"
        assert not hasattr(est, "net_")
        return
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), len(est.classes_))
    assert np.isfinite(proba).all()
    assert set(est.predict(X)) <= set(est.classes_)
