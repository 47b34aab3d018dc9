"""scikit-learn's estimator checks over both public estimators, with defaults."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_zopg import (
    PGClassifier,
    PGRegressor,
    ZOClassifier,
    ZORegressor,
    expected_failed_checks,
)


@parametrize_with_checks(
    [PGClassifier(), ZOClassifier(), PGRegressor(), ZORegressor()],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_no_tag_skips_checks():
    for est in (PGClassifier(), ZOClassifier()):
        tags = est.__sklearn_tags__()
        assert not tags.non_deterministic
        assert not tags.classifier_tags.poor_score


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_sample_weight_matches_repetition(Estimator):
    """Weight w on a row trains like w copies of it, in distribution over seeds.

    Positives get weight 5 (or 5 copies) under scoring="accuracy": both push
    the predicted-positive rate on held-out data well above the unweighted
    fit's, and by the same amount.
    """
    X, y = make_classification(
        n_samples=400,
        n_features=5,
        weights=[0.85],
        flip_y=0.1,
        class_sep=0.5,
        random_state=3,
    )
    X_test = X[200:]
    X, y = X[:200], y[:200]
    weight = np.where(y == 1, 5.0, 1.0)
    X_rep = np.repeat(X, weight.astype(int), axis=0)
    y_rep = np.repeat(y, weight.astype(int))

    def positive_rate(fit_args, seed):
        est = Estimator(max_epochs=40, random_state=seed, batch_size=64)
        return est.fit(*fit_args).predict(X_test).mean()

    seeds = range(5)
    weighted = np.array([positive_rate((X, y, weight), s) for s in seeds])
    repeated = np.array([positive_rate((X_rep, y_rep), s) for s in seeds])
    plain = np.array([positive_rate((X, y), s) for s in seeds])
    effect = repeated.mean() - plain.mean()
    assert effect > 0.05, (weighted, repeated, plain)
    assert abs(weighted.mean() - repeated.mean()) < 0.35 * effect, (
        weighted,
        repeated,
        plain,
    )
