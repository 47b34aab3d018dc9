"""The post's claim, measured: ZO and PG gradients agree."""

import pytest
from sklearn.datasets import make_classification

from sklearn_zopg import PGClassifier, ZOClassifier
from sklearn_zopg.diagnostics import gradient_agreement


@pytest.fixture(scope="module")
def fitted():
    X, y = make_classification(n_samples=256, n_features=5, random_state=0)
    est = PGClassifier(max_epochs=2, hidden_layer_sizes=(8,), random_state=0)
    return est.fit(X, y), X, y


def test_zo_and_pg_point_the_same_way(fitted):
    est, X, y = fitted
    r = gradient_agreement(est, X, y, epsilon=0.1, temperature=0.3)
    assert r["cos_pg_exact"] > 0.95
    assert r["cos_zo_exact"] > 0.85
    assert r["cos_zo_pg"] > 0.85
    assert r["var_zo"] > 0 and r["var_pg"] > 0


def test_more_directions_agree_better(fitted):
    est, X, y = fitted
    few = gradient_agreement(est, X, y, n_directions=20, random_state=1)
    many = gradient_agreement(est, X, y, n_directions=2000, random_state=1)
    assert many["cos_zo_exact"] > few["cos_zo_exact"]


def test_per_sample_credit_is_closer_to_exact(fitted):
    est, X, y = fitted
    batch = gradient_agreement(est, X, y, n_samples=32, credit="batch")
    sample = gradient_agreement(est, X, y, n_samples=32, credit="sample")
    assert sample["var_pg"] < batch["var_pg"]
    assert sample["cos_pg_exact"] >= batch["cos_pg_exact"]


def test_needs_decomposable_score(fitted):
    _, X, y = fitted
    est = ZOClassifier(scoring="f1", max_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="sum over samples"):
        gradient_agreement(est, X, y)
