"""make_cost_scorer: an ordinary sklearn scorer, counted exactly inside."""

import pickle

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier, make_cost_scorer, make_reward


def _reference(matrix, labels, y, p, w):
    """Minus the mean cost from sklearn's confusion matrix."""
    cm = confusion_matrix(y, p, labels=labels, sample_weight=w)
    total = len(y) if w is None else np.sum(w)
    return -float((cm * matrix).sum() / total)


@settings(max_examples=60, deadline=None)
@given(
    n_labels=st.integers(2, 5),
    n=st.integers(1, 40),
    strings=st.booleans(),
    weighted=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_counted_cost_and_swaps_equal_the_confusion_matrix(
    n_labels, n, strings, weighted, seed
):
    rng = np.random.default_rng(seed)
    labels = rng.permutation(n_labels)  # rows in an order of their own
    labels = np.array([f"c{v}" for v in labels]) if strings else labels
    matrix = rng.integers(0, 10, (n_labels, n_labels)).astype(float)
    scorer = make_cost_scorer(matrix, labels=labels)
    classes = np.sort(labels)  # the estimator's order
    reward = make_reward(scorer, classes=classes)
    assert reward.count_based and reward.decomposable
    y = rng.integers(0, n_labels, n)
    Y = rng.integers(0, n_labels, (3, n))
    w = rng.integers(0, 3, n).astype(float) if weighted else None
    if w is not None:
        w[0] = 1.0
    scores = reward(y, Y, w)
    for k in range(3):
        expected = _reference(matrix, labels, classes[y], classes[Y[k]], w)
        assert scores[k] == pytest.approx(expected, abs=1e-12)
    swap = reward.swap_scores(torch.as_tensor(y), torch.as_tensor(Y), w)
    i, c = int(rng.integers(n)), int(rng.integers(n_labels))
    changed = Y[1].copy()
    changed[i] = c
    expected = _reference(matrix, labels, classes[y], classes[changed], w)
    assert float(swap[1, i, c]) == pytest.approx(expected, abs=1e-12)


def test_an_ordinary_scorer_outside_the_library():
    X, y = make_classification(n_samples=200, n_classes=3, n_informative=4)
    scorer = make_cost_scorer([[0, 1, 5], [1, 0, 5], [10, 10, 0]], labels=[0, 1, 2])
    scores = cross_val_score(LogisticRegression(), X, y, scoring=scorer, cv=3)
    assert (scores <= 0).all()
    assert pickle.loads(pickle.dumps(scorer))(
        LogisticRegression().fit(X, y), X, y
    ) == pytest.approx(scorer(LogisticRegression().fit(X, y), X, y))


@pytest.mark.parametrize(
    "matrix, labels, match",
    [
        ([[0, 1], [1, 0]], [0, 1, 2], "one row and one column per label"),
        ([[0, 1], [1, 0]], [1, 1], "distinct classes"),
        ([[0, np.nan], [1, 0]], [0, 1], "finite"),
    ],
)
def test_bad_cost_matrices_are_refused(matrix, labels, match):
    with pytest.raises(ValueError, match=match):
        make_cost_scorer(matrix, labels=labels)


def test_a_class_missing_from_the_labels_is_named():
    X, y = make_classification(n_samples=100, n_classes=3, n_informative=4)
    scorer = make_cost_scorer([[0, 1], [1, 0]], labels=[0, 1])
    with pytest.raises(ValueError, match=r"not in the cost matrix's labels.*2"):
        PGClassifier(scoring=scorer, max_epochs=1).fit(X, y)


@pytest.fixture(scope="module")
def costly_third_class():
    """Missing class 2 costs 10, every other error 1."""
    X, y = make_classification(
        n_samples=1200,
        n_features=10,
        n_informative=5,
        n_classes=3,
        weights=[0.5, 0.35, 0.15],
        class_sep=0.7,
        random_state=0,
    )
    matrix = np.array([[0, 1, 1], [1, 0, 1], [10, 10, 0]])
    return train_test_split(X, y, test_size=0.5, stratify=y, random_state=0), matrix


@pytest.mark.parametrize(
    "make",
    [
        lambda s: PGClassifier(scoring=s, random_state=0),
        lambda s: PGClassifier(scoring=s, n_samples="exact", random_state=0),
        lambda s: ZOClassifier(scoring=s, random_state=0),
    ],
    ids=["PG", "PG exact", "ZO"],
)
def test_training_on_the_cost_beats_class_weighted_cross_entropy(
    make, costly_third_class
):
    (X_tr, X_te, y_tr, y_te), matrix = costly_third_class
    scorer = make_cost_scorer(matrix, labels=[0, 1, 2])
    ours = make_pipeline(StandardScaler(), make(scorer)).fit(X_tr, y_tr)
    weighted = make_pipeline(
        StandardScaler(), LogisticRegression(class_weight="balanced")
    ).fit(X_tr, y_tr)
    assert scorer(ours, X_te, y_te) > scorer(weighted, X_te, y_te) + 0.02


def test_grid_search_and_pickle_of_a_cost_trained_model(costly_third_class):
    (X_tr, X_te, y_tr, _), matrix = costly_third_class
    scorer = make_cost_scorer(matrix, labels=[0, 1, 2])
    grid = GridSearchCV(
        PGClassifier(scoring=scorer, max_epochs=5, random_state=0),
        {"lr": [0.01, 0.003]},
        cv=2,
    ).fit(X_tr, y_tr)
    restored = pickle.loads(pickle.dumps(grid.best_estimator_))
    np.testing.assert_array_equal(restored.predict(X_te), grid.predict(X_te))
