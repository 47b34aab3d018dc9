"""Callable scorers that read X get the scored rows during training."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score

from sklearn_zopg import PGClassifier, PGRegressor, ZOClassifier, ZORegressor


class RowsSeen:
    """A scorer ``(estimator, X, y)`` that reads ``X``: accuracy weighted by
    a per-row amount (column 0), recording the rows it was given."""

    def __init__(self, regression=False):
        self.regression = regression
        self.seen = []

    def __call__(self, estimator, X, y):
        self.seen.append(np.array(X, copy=True))
        amount = np.abs(X[:, 0])
        prediction = estimator.predict(X)
        if self.regression:
            return -float(np.sum(amount * np.abs(prediction - y)) / len(y))
        return float(np.sum(amount * (prediction == y)) / len(y))


@pytest.mark.parametrize(
    "Estimator", [PGClassifier, ZOClassifier, PGRegressor, ZORegressor]
)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_callable_scorer_reads_the_training_rows(Estimator, early_stopping):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    regression = Estimator in (PGRegressor, ZORegressor)
    y = X[:, 1] if regression else (X[:, 1] > 0).astype(int)
    scorer = RowsSeen(regression)
    Estimator(
        scoring=scorer,
        max_epochs=2,
        early_stopping=early_stopping,
        random_state=0,
    ).fit(X, y)
    training_rows = {tuple(row) for row in X}
    during_fit = [seen for seen in scorer.seen if seen.shape[1] == X.shape[1]]
    assert len(during_fit) >= 2  # the training batches (and the validation split)
    for seen in during_fit:
        assert {tuple(row) for row in seen} <= training_rows


def test_a_scorer_reading_x_trains_on_its_own_score():
    """Only rows with a large amount (column 0) count: training on the score
    that reads them beats training on plain accuracy, on that score."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1200, 4))
    big = np.abs(X[:, 0]) > 1.0
    # Among the big rows the label follows column 1, elsewhere column 2.
    y = np.where(big, X[:, 1] > 0, X[:, 2] > 0).astype(int)
    y ^= rng.random(1200) < 0.05

    def amount_weighted(estimator, X, y):
        weight = np.abs(X[:, 0]) > 1.0
        return accuracy_score(y, estimator.predict(X), sample_weight=weight + 1e-3)

    train, test = slice(0, 600), slice(600, None)
    scores = {}
    for name, scoring in (("own", amount_weighted), ("accuracy", "accuracy")):
        model = ZOClassifier(
            scoring=scoring, hidden_layer_sizes=(), surrogate_epochs=0, random_state=0
        )
        model.fit(X[train], y[train])
        scores[name] = amount_weighted(model, X[test], y[test])
    assert scores["own"] > scores["accuracy"] + 0.05
