"""Clustering comparison scorers counted from stacks of contingency tables."""

import numpy as np
import pytest
import torch
from _credit_checks import assert_baseline_free_of_own_label
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cluster, get_scorer, make_scorer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier, make_reward

COUNTED = [
    ("rand_score", {}),
    ("adjusted_rand_score", {}),
    ("mutual_info_score", {}),
    ("normalized_mutual_info_score", {}),
    ("normalized_mutual_info_score", {"average_method": "geometric"}),
    ("normalized_mutual_info_score", {"average_method": "min"}),
    ("normalized_mutual_info_score", {"average_method": "max"}),
    ("homogeneity_score", {}),
    ("completeness_score", {}),
    ("v_measure_score", {}),
    ("v_measure_score", {"beta": 0.3}),
    ("fowlkes_mallows_score", {}),
]


def _scorer(name, kwargs):
    return make_scorer(getattr(cluster, name), **kwargs)


@pytest.mark.parametrize(
    ("name", "kwargs"), COUNTED, ids=[f"{n}{k or ''}" for n, k in COUNTED]
)
@settings(max_examples=25, deadline=None)
@given(
    n_classes=st.integers(2, 4),
    n=st.integers(1, 25),
    strings=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_counted_scores_and_swaps_equal_sklearn(
    name, kwargs, n_classes, n, strings, seed
):
    rng = np.random.default_rng(seed)
    classes = np.arange(n_classes)
    classes = np.array([f"c{v}" for v in classes]) if strings else classes
    reward = make_reward(_scorer(name, kwargs), classes=classes)
    assert reward.count_based
    metric = getattr(cluster, name)
    y = rng.integers(0, n_classes, n)
    Y = rng.integers(0, n_classes, (4, n))
    Y[0] = y  # perfect agreement
    Y[1] = rng.integers(n_classes)  # a single cluster: the special cases
    expected = [metric(classes[y], classes[row], **kwargs) for row in Y]
    np.testing.assert_allclose(reward(y, Y), expected, rtol=0, atol=1e-12)
    swap = reward.swap_scores(torch.as_tensor(y), torch.as_tensor(Y))
    for _ in range(6):
        k, i, c = rng.integers(4), rng.integers(n), rng.integers(n_classes)
        changed = Y[k].copy()
        changed[i] = c
        value = metric(classes[y], classes[changed], **kwargs)
        assert float(swap[k, i, c]) == pytest.approx(value, abs=1e-12)


@pytest.mark.parametrize("name", ["adjusted_rand_score", "v_measure_score"])
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), data=st.data())
def test_credit_baseline_is_free_of_the_samples_own_label(name, seed, data):
    reward = make_reward(name, classes=np.arange(3))
    assert_baseline_free_of_own_label(reward, seed, data)


def test_options_it_does_not_count_keep_the_scorers_own_path():
    classes = np.arange(3)
    assert not make_reward("adjusted_mutual_info_score", classes=classes).count_based
    odd = make_scorer(cluster.normalized_mutual_info_score, average_method="median")
    assert not make_reward(odd, classes=classes).count_based


def test_weights_get_the_scorers_own_refusal():
    reward = make_reward("adjusted_rand_score", classes=np.arange(3))
    y, Y = np.array([0, 1, 2, 1]), np.array([[0, 1, 1, 2]])
    with pytest.raises(ValueError, match="adjusted_rand_score.*sample_weight"):
        reward.swap_scores(y, Y, np.ones(4))


@pytest.mark.parametrize("make", [PGClassifier, ZOClassifier], ids=["PG", "ZO"])
def test_training_on_the_adjusted_rand_index_matches_logistic_regression(make):
    X, y = make_classification(
        n_samples=1200,
        n_features=12,
        n_informative=6,
        n_classes=4,
        n_clusters_per_class=1,
        random_state=0,
    )
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0, stratify=y)
    scorer = get_scorer("adjusted_rand_score")
    ours = make_pipeline(
        StandardScaler(), make(scoring="adjusted_rand_score", random_state=0)
    ).fit(X_tr, y_tr)
    linear = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_tr, y_tr)
    assert scorer(ours, X_te, y_te) > scorer(linear, X_te, y_te) - 0.02
    assert scorer(ours, X_te, y_te) > 0.3  # far from chance (0)
