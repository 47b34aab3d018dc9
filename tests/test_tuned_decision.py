"""TunedDecisionClassifierCV: one tuned decision offset per class or label."""

import itertools
import pickle

import numpy as np
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, TunedThresholdClassifierCV
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_zopg import (
    TunedDecisionClassifierCV,
    expected_failed_checks,
    make_cost_scorer,
    neg_mean_cost,
)


@parametrize_with_checks(
    [TunedDecisionClassifierCV(LogisticRegression(), cv=3)],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


class GivenProbabilities(ClassifierMixin, BaseEstimator):
    """A fitted classifier whose probabilities are given: row ``i`` of
    ``X`` (its first column, ``i``) gets ``proba[i]``."""

    def __init__(self, proba):
        self.proba = proba

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return self.proba[np.asarray(X)[:, 0].astype(int)]

    def __sklearn_is_fitted__(self):
        return True

    @property
    def classes_(self):
        return np.arange(self.proba.shape[1])


def _brute_force(scorer, proba, y, grid):
    """The best score of ``argmax(log p + offsets)`` over a grid of offsets
    (the first fixed at 0)."""
    log_p = np.log(np.clip(proba, 1e-12, 1))
    best = -np.inf
    for rest in itertools.product(grid, repeat=proba.shape[1] - 1):
        predicted = np.argmax(log_p + np.array([0.0, *rest]), axis=1)
        best = max(best, scorer._score_func(y, predicted, **scorer._kwargs))
    return best


@settings(max_examples=8, deadline=None)
@given(
    n_classes=st.integers(2, 3),
    scoring=st.sampled_from(["balanced_accuracy", "f1_macro", "matthews_corrcoef"]),
    seed=st.integers(0, 2**16),
)
def test_the_offsets_reach_the_optimum_of_a_grid(n_classes, scoring, seed):
    rng = np.random.default_rng(seed)
    n = 40
    proba = rng.dirichlet(np.ones(n_classes), n)
    y = np.array([rng.choice(n_classes, p=p) for p in proba])
    y[:n_classes] = np.arange(n_classes)  # every class present
    X = np.arange(n)[:, None]
    tuned = TunedDecisionClassifierCV(
        GivenProbabilities(proba), scoring=scoring, cv="prefit", refit=False
    ).fit(X, y)
    scorer = get_scorer(scoring)
    grid = np.linspace(-4, 4, 161 if n_classes == 2 else 33)
    best = _brute_force(scorer, proba, y, grid)
    # Two classes: the one offset is searched exactly. Three: coordinate
    # ascent, within the grid's resolution of the grid's best.
    slack = 1e-9 if n_classes == 2 else 0.03
    assert tuned.best_score_ >= best - slack
    assert tuned.best_score_ >= tuned.default_score_
    assert scorer(tuned, X, y) == pytest.approx(tuned.best_score_)


def test_binary_matches_tuned_threshold_classifier_cv_on_the_same_split():
    X, y = make_classification(1500, weights=[0.9], random_state=1)
    common = {"scoring": "f1", "cv": 0.5, "refit": False, "random_state": 0}
    theirs = TunedThresholdClassifierCV(LogisticRegression(), **common).fit(X, y)
    ours = TunedDecisionClassifierCV(LogisticRegression(), **common).fit(X, y)
    # the same rows, the same model: our exact search finds at least the
    # score of its grid of 100 thresholds, and within its resolution
    assert ours.best_score_ >= theirs.best_score_ - 0.005
    threshold = 1 / (1 + np.exp(ours.offsets_[1]))
    probabilities = theirs.estimator_.predict_proba(X)[:, 1]
    between = np.mean(
        (probabilities >= min(threshold, theirs.best_threshold_))
        & (probabilities < max(threshold, theirs.best_threshold_))
    )
    assert between < 0.01  # the thresholds part few rows


def test_a_cost_matrix_starts_from_the_least_expected_cost_rule():
    X, y = make_classification(
        900, n_informative=5, n_classes=3, weights=[0.6, 0.3, 0.1], random_state=0
    )
    costs = np.array([[0, 1, 1], [1, 0, 1], [10, 10, 0]])
    cost = make_cost_scorer(costs, labels=[0, 1, 2])
    proba = LogisticRegression().fit(X, y).predict_proba(X)
    tuned = TunedDecisionClassifierCV(
        GivenProbabilities(proba), scoring=cost, cv="prefit", refit=False
    ).fit(np.arange(len(y))[:, None], y)
    least = np.argmin(proba @ costs, axis=1)
    expected = neg_mean_cost(y, least, cost_matrix=costs, labels=[0, 1, 2])
    assert tuned.default_score_ == pytest.approx(expected)
    assert tuned.best_score_ >= tuned.default_score_


def test_tuning_beats_argmax_held_out_for_balanced_accuracy():
    X, y = make_classification(
        3000, n_informative=5, n_classes=3, weights=[0.75, 0.2, 0.05], random_state=2
    )
    train, test = slice(0, 1500), slice(1500, None)
    plain = LogisticRegression().fit(X[train], y[train])
    tuned = TunedDecisionClassifierCV(LogisticRegression()).fit(X[train], y[train])
    scorer = get_scorer("balanced_accuracy")
    assert scorer(tuned, X[test], y[test]) > scorer(plain, X[test], y[test]) + 0.02
    np.testing.assert_array_equal(
        tuned.predict_proba(X[test]), tuned.estimator_.predict_proba(X[test])
    )


def test_multilabel_one_offset_per_label():
    X, Y = make_multilabel_classification(
        800, n_features=10, n_classes=4, random_state=0
    )
    base = OneVsRestClassifier(LogisticRegression())
    tuned = TunedDecisionClassifierCV(base, scoring="f1_macro", cv=3).fit(X, Y)
    assert tuned.offsets_.shape == (4,) and tuned.predict(X).shape == Y.shape
    assert tuned.best_score_ >= tuned.default_score_


def test_pipeline_search_and_pickle():
    X, y = make_classification(
        600, n_informative=4, n_classes=3, weights=[0.7, 0.2, 0.1], random_state=3
    )
    model = TunedDecisionClassifierCV(
        make_pipeline(StandardScaler(), LogisticRegression()), cv=3
    )
    search = GridSearchCV(
        model, {"estimator__logisticregression__C": [0.1, 1.0]}, cv=2
    ).fit(X, y)
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))


def test_a_class_absent_from_a_fold_and_bad_settings():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = np.r_[np.zeros(60, int), np.ones(28, int), [2, 2]]
    with pytest.warns(UserWarning, match="least populated class"):
        tuned = TunedDecisionClassifierCV(LogisticRegression(), cv=3).fit(X, y)
    assert np.isfinite(tuned.offsets_).all()
    with pytest.raises(ValueError, match="refit=False keeps the classifier"):
        TunedDecisionClassifierCV(LogisticRegression(), refit=False).fit(X, y)
    with pytest.raises(ValueError, match="one class"):
        TunedDecisionClassifierCV(LogisticRegression()).fit(X, np.zeros(90))


def test_per_row_costs_are_routed_to_the_tuning():
    X, y = make_classification(800, weights=[0.85], random_state=4)
    rng = np.random.default_rng(4)
    costs = np.zeros((800, 2, 2))
    costs[:, 1, 0] = rng.gamma(1.0, 10.0, 800)
    costs[:, 0, 1] = 1.0
    with sklearn.config_context(enable_metadata_routing=True):
        cost = make_cost_scorer(labels=[0, 1]).set_score_request(cost_matrix=True)
        tuned = TunedDecisionClassifierCV(
            LogisticRegression().set_fit_request(sample_weight=False), scoring=cost
        ).fit(X, y, cost_matrix=costs)
        plain = LogisticRegression().fit(X, y)
        assert tuned.best_score_ > tuned.default_score_
        assert cost(tuned, X, y, cost_matrix=costs) > cost(
            plain, X, y, cost_matrix=costs
        )


def test_decision_values_of_a_fold_that_lacks_a_class_stay_finite():
    from sklearn.svm import LinearSVC

    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 3))
    y = np.r_[np.zeros(60, int), np.ones(28, int), [2, 2]]
    with pytest.warns(UserWarning, match="least populated class"):
        tuned = TunedDecisionClassifierCV(
            LinearSVC(), response_method="decision_function", cv=3
        ).fit(X, y)
    assert np.isfinite(tuned.offsets_).all()
    assert np.isfinite(tuned.decision_function(X)).all()
