"""Regression scorers of K prediction arrays at once equal sklearn."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    d2_pinball_score,
    get_scorer,
    get_scorer_names,
    make_scorer,
    mean_pinball_loss,
)

from sklearn_zopg.rewards import RegressionReward
from sklearn_zopg.rewards._regression_reward import _FixedPredictions
from sklearn_zopg.rewards._scorer_parts import scorer_parts

REGRESSION_SCORERS = [
    name
    for name in get_scorer_names()
    if scorer_parts(get_scorer(name)).is_regression_metric
] + [
    make_scorer(mean_pinball_loss, alpha=0.9, greater_is_better=False),
    make_scorer(d2_pinball_score, alpha=0.2),
]


@pytest.mark.parametrize("scoring", REGRESSION_SCORERS, ids=str)
@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 12),
    m=st.integers(0, 3),  # 0: a 1-D target
    K=st.integers(1, 4),
    positive=st.booleans(),
    ties=st.booleans(),
    weighted=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_regression_scores_equal_sklearn(
    scoring, n, m, K, positive, ties, weighted, seed
):
    """Every regression scorer, 1-D and multi-output targets, weights with
    zeros, positive targets (deviances, log errors), tied values (medians,
    quantiles, constant targets). Where sklearn refuses, so does the reward."""
    rng = np.random.default_rng(seed)
    shape = (n,) if m == 0 else (n, m)
    y = rng.normal(size=shape) * 3
    P = y + rng.normal(size=(K, *shape))
    if positive:
        y, P = np.abs(y) + 0.1, np.abs(P) + 0.1
    if ties:
        y, P = np.round(y), np.round(P)
    w = rng.choice([0.0, 0.5, 1.0, 2.5], size=n) if weighted else None
    if w is not None and w.sum() == 0:
        w[0] = 1.0
    reward = RegressionReward(scoring)
    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    kw = {} if w is None else {"sample_weight": w}
    X = np.zeros((n, 1))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = np.array([scorer(_FixedPredictions(Pk), X, y, **kw) for Pk in P])
    except (ValueError, TypeError):
        with pytest.raises(ValueError):
            reward(y, P, w)
        return
    if not np.isfinite(expected).all():
        with pytest.raises(ValueError, match="NaN"):
            reward(y, P, w)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = reward(y, P, w)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_every_regression_scorer_has_a_vectorized_twin():
    for scoring in REGRESSION_SCORERS:
        assert RegressionReward(scoring).vectorized, scoring


@pytest.mark.parametrize("scoring", ["f1", "roc_auc", "accuracy"])
def test_classification_scorers_are_refused(scoring):
    with pytest.raises(ValueError, match="classification metric"):
        RegressionReward(scoring)


@pytest.mark.parametrize("scoring", REGRESSION_SCORERS, ids=str)
def test_the_fast_path_serves_ordinary_batches(scoring, monkeypatch):
    """No scorer call for an unweighted batch of positive single-output
    targets (within every metric's domain), and the same values."""
    rng = np.random.default_rng(0)
    y = np.abs(rng.normal(size=50)) + 0.1
    P = np.abs(y + rng.normal(size=(4, 50))) + 0.1
    reward = RegressionReward(scoring)
    expected = reward(y, P)
    monkeypatch.setattr(
        reward, "_call", lambda *a: pytest.fail("the scorer was called")
    )
    np.testing.assert_array_equal(reward(y, P), expected)
