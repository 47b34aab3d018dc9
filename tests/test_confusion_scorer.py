"""make_confusion_scorer: any function of the confusion matrix, counted inside."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from _credit_checks import assert_baseline_free_of_own_label
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, confusion_matrix
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import (
    PGClassifier,
    ZOClassifier,
    confusion_score,
    make_confusion_scorer,
    make_reward,
)


def quadratic_kappa(m):
    """Cohen's kappa with quadratic weights, on the last two axes."""
    n = m.shape[-1]
    weights = (np.arange(n)[:, None] - np.arange(n)) ** 2.0
    total = m.sum((-2, -1))[..., None, None]
    expected = m.sum(-1)[..., :, None] * m.sum(-2)[..., None, :] / total
    return 1 - (weights * m).sum((-2, -1)) / (weights * expected).sum((-2, -1))


def first_class_recall_times_accuracy(m):
    """A function of one 2-D matrix only (``np.diag``): called per matrix."""
    diag = np.diag(m)
    return diag[0] / max(m[0].sum(), 1.0) * diag.sum() / m.sum()


FUNCTIONS = [quadratic_kappa, first_class_recall_times_accuracy]


@pytest.mark.parametrize("func", FUNCTIONS, ids=lambda f: f.__name__)
@settings(max_examples=40, deadline=None)
@given(
    n_labels=st.integers(2, 4),
    n=st.integers(4, 30),
    strings=st.booleans(),
    weighted=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_counted_scores_and_swaps_equal_the_confusion_matrix(
    func, n_labels, n, strings, weighted, seed
):
    rng = np.random.default_rng(seed)
    labels = rng.permutation(n_labels)  # rows in an order of their own
    labels = np.array([f"c{v}" for v in labels]) if strings else labels
    scorer = make_confusion_scorer(func, labels=labels)
    classes = np.sort(labels)
    reward = make_reward(scorer, classes=classes)
    assert reward.count_based
    assert reward._metric.batched == (func is quadratic_kappa)
    y = rng.integers(0, n_labels, n)
    y[:n_labels] = np.arange(n_labels)  # every class present: kappa defined
    Y = rng.integers(0, n_labels, (3, n))
    w = rng.choice([0.5, 1.0, 2.5], n) if weighted else None

    def reference(row):
        cm = confusion_matrix(classes[y], classes[row], labels=labels, sample_weight=w)
        return float(func(cm.astype(float)))

    with np.errstate(all="ignore"):
        expected = [reference(row) for row in Y]
    if not np.isfinite(expected).all():
        return
    np.testing.assert_allclose(reward(y, Y, w), expected, rtol=0, atol=1e-12)
    swap = reward.swap_scores(torch.as_tensor(y), torch.as_tensor(Y), w)
    for _ in range(5):
        k, i, c = rng.integers(3), rng.integers(n), rng.integers(n_labels)
        changed = Y[k].copy()
        changed[i] = c
        with np.errstate(all="ignore"):
            value = reference(changed)
        if np.isfinite(value):
            assert float(swap[k, i, c]) == pytest.approx(value, abs=1e-12)


def test_the_kappa_equals_sklearns_weighted_kappa():
    rng = np.random.default_rng(0)
    y, Y = rng.integers(0, 4, 60), rng.integers(0, 4, (5, 60))
    w = rng.random(60)
    reward = make_reward(make_confusion_scorer(quadratic_kappa, labels=range(4)))
    expected = [
        cohen_kappa_score(y, row, weights="quadratic", sample_weight=w) for row in Y
    ]
    np.testing.assert_allclose(reward(y, Y, w), expected, rtol=0, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**16), weighted=st.booleans(), data=st.data())
def test_credit_baseline_is_free_of_the_samples_own_label(seed, weighted, data):
    reward = make_reward(make_confusion_scorer(quadratic_kappa, labels=range(3)))
    assert_baseline_free_of_own_label(reward, seed, data, weighted)


def test_an_ordinary_scorer_outside_the_library_that_pickles():
    X, y = make_classification(n_samples=200, n_classes=3, n_informative=4)
    scorer = make_confusion_scorer(quadratic_kappa, labels=[0, 1, 2])
    scores = cross_val_score(LogisticRegression(), X, y, scoring=scorer, cv=3)
    assert (scores <= 1).all()
    model = LogisticRegression().fit(X, y)
    restored = pickle.loads(pickle.dumps(scorer))
    assert restored(model, X, y) == pytest.approx(scorer(model, X, y))
    expected = cohen_kappa_score(y, model.predict(X), weights="quadratic")
    assert scorer(model, X, y) == pytest.approx(expected, abs=1e-12)


def test_greater_is_better_false_flips_the_sign():
    y, p = np.array([0, 1, 2, 2]), np.array([0, 2, 2, 1])
    loss = make_confusion_scorer(
        quadratic_kappa, labels=[0, 1, 2], greater_is_better=False
    )
    model = LogisticRegression().fit(np.eye(4)[:, :3], y)
    value = confusion_score(
        y, model.predict(np.eye(4)[:, :3]), func=quadratic_kappa, labels=[0, 1, 2]
    )
    assert loss(model, np.eye(4)[:, :3], y) == pytest.approx(-value)
    reward = make_reward(loss, classes=np.arange(3))
    assert reward(y, p[None])[0] == pytest.approx(
        -float(quadratic_kappa(confusion_matrix(y, p).astype(float)))
    )


@pytest.mark.parametrize(
    "func, labels, error, match",
    [
        (quadratic_kappa, [0, 0], ValueError, "distinct classes"),
        (quadratic_kappa, [1], ValueError, "at least 2"),
        ("kappa", [0, 1], TypeError, "function of the confusion matrix"),
    ],
)
def test_bad_arguments_are_refused(func, labels, error, match):
    with pytest.raises(error, match=match):
        make_confusion_scorer(func, labels=labels)


def test_labels_that_leave_classes_out_keep_the_scorers_own_path():
    """sklearn drops samples of classes outside ``labels``: the scorer's own
    call is then the reference, and the reward calls it."""
    scorer = make_confusion_scorer(quadratic_kappa, labels=[0, 1])
    reward = make_reward(scorer, classes=np.arange(3))
    assert not reward.count_based


@pytest.fixture(scope="module")
def ordinal_problem():
    """Three ordered grades: a far miss costs 4 times a near one in kappa."""
    X, y = make_classification(
        n_samples=1200,
        n_features=10,
        n_informative=5,
        n_classes=3,
        weights=[0.55, 0.3, 0.15],
        class_sep=0.8,
        random_state=0,
    )
    return train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)


@pytest.mark.parametrize(
    "make",
    [
        lambda s: PGClassifier(scoring=s, random_state=0),
        lambda s: ZOClassifier(scoring=s, random_state=0),
    ],
    ids=["PG", "ZO"],
)
def test_training_on_the_kappa_beats_logistic_regression(make, ordinal_problem):
    X_tr, X_te, y_tr, y_te = ordinal_problem
    scorer = make_confusion_scorer(quadratic_kappa, labels=[0, 1, 2])
    ours = make_pipeline(StandardScaler(), make(scorer)).fit(X_tr, y_tr)
    linear = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_tr, y_tr)
    assert scorer(ours, X_te, y_te) > scorer(linear, X_te, y_te) + 0.02


def test_pg_on_the_kappa_beats_the_same_mlp_on_cross_entropy(ordinal_problem):
    X_tr, X_te, y_tr, y_te = ordinal_problem
    scorer = make_confusion_scorer(quadratic_kappa, labels=[0, 1, 2])
    ours = make_pipeline(
        StandardScaler(), PGClassifier(scoring=scorer, random_state=0)
    ).fit(X_tr, y_tr)
    mlp = make_pipeline(
        StandardScaler(), MLPClassifier((64,), max_iter=300, random_state=0)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not converged at max_iter
        mlp.fit(X_tr, y_tr)
    assert scorer(ours, X_te, y_te) > scorer(mlp, X_te, y_te) + 0.02


def test_grid_search_and_pickle_of_a_kappa_trained_model(ordinal_problem):
    X_tr, X_te, y_tr, _ = ordinal_problem
    scorer = make_confusion_scorer(quadratic_kappa, labels=[0, 1, 2])
    grid = GridSearchCV(
        PGClassifier(scoring=scorer, max_epochs=5, random_state=0),
        {"n_samples": [8, 16]},
        cv=2,
    ).fit(X_tr, y_tr)
    restored = pickle.loads(pickle.dumps(grid.best_estimator_))
    np.testing.assert_array_equal(restored.predict(X_te), grid.predict(X_te))
