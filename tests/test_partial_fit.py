"""partial_fit: MLPClassifier's semantics, and calls that add up to fit."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import make_multilabel_classification, make_regression

from sklearn_zopg import PGClassifier, PGRegressor, ZOClassifier, ZORegressor

CLASSIFIERS = [PGClassifier, ZOClassifier]
REGRESSORS = [PGRegressor, ZORegressor]
FAST = dict(batch_size=64, random_state=0)


def _chunks(n_rows, n_chunks):
    return np.array_split(np.arange(n_rows), n_chunks)


@pytest.fixture(scope="module")
def labelled(small_multiclass):
    X, y = small_multiclass
    return X, np.array(["ant", "bee", "cat"])[y]


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(200, 5, noise=3.0, random_state=0)
    return X, y


@pytest.mark.parametrize("cls", CLASSIFIERS + REGRESSORS)
@pytest.mark.parametrize("surrogate_epochs", [0, 2])
def test_calls_add_up_to_fit(cls, surrogate_epochs, labelled, regression):
    """``surrogate_epochs + max_epochs`` calls on the whole data train the
    model ``fit`` trains: the same phases, learning rates, optimizer state
    and draws, so the same parameters."""
    classifier = cls in CLASSIFIERS
    X, y = labelled if classifier else regression
    scoring = "f1_macro" if classifier else "neg_mean_absolute_error"
    # decision offsets aside: partial_fit averages those of its calls
    offsets = {"decision_offsets": None} if classifier else {}
    est = cls(
        scoring=scoring,
        max_epochs=3,
        surrogate_epochs=surrogate_epochs,
        **offsets,
        **FAST,
    )
    fitted = clone(est).fit(X, y)
    incremental = clone(est)
    extra = {"classes": np.unique(y)} if classifier else {}
    for _ in range(surrogate_epochs + 3):
        incremental.partial_fit(X, y, **extra)
    assert incremental.n_iter_ == fitted.n_iter_ == surrogate_epochs + 3
    phases = list(incremental.net_.history[:, "phase"])
    assert phases == ["surrogate"] * surrogate_epochs + ["score"] * 3
    assert phases == list(fitted.net_.history[:, "phase"])
    np.testing.assert_allclose(
        incremental.predict(X) if not classifier else incremental.predict_proba(X),
        fitted.predict(X) if not classifier else fitted.predict_proba(X),
        rtol=1e-10,
        atol=1e-12,
    )


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_string_labels_chunks_missing_classes(cls, labelled):
    X, y = labelled
    est = cls(scoring="f1_macro", **FAST)
    for rows in _chunks(len(y), 6):
        keep = rows[y[rows] != "cat"] if rows[0] == 0 else rows  # no "cat" first
        est.partial_fit(X[keep], y[keep], classes=["cat", "bee", "ant"])
    assert est.n_iter_ == 6 == len(est.net_.history)
    assert list(est.classes_) == ["ant", "bee", "cat"]
    assert set(est.predict(X)) <= {"ant", "bee", "cat"}


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_first_call_needs_classes(cls, labelled):
    X, y = labelled
    est = cls(**FAST)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        est.partial_fit(X, y)
    assert not hasattr(est, "n_features_in_")  # a failed call leaves no trace


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_refused_changes_are_named(cls, labelled):
    X, y = labelled
    est = cls(**FAST).partial_fit(X, y, classes=np.unique(y))
    with pytest.raises(ValueError, match="labels that are not in classes: \\['dog'\\]"):
        est.partial_fit(X[:4], np.array(["dog", "ant", "bee", "cat"]))
    with pytest.raises(ValueError, match="partial_fit cannot change them"):
        est.partial_fit(X, y, classes=["ant", "bee"])
    with pytest.raises(ValueError, match="X has 5 features"):
        est.partial_fit(X[:, :5], y)
    with pytest.raises(ValueError, match="partial_fit can only continue a model"):
        est.partial_fit(X, np.column_stack([y == "ant", y == "bee"]).astype(int))
    assert est.n_iter_ == 1  # the refused calls trained nothing
    with pytest.raises(ValueError, match="fewer than 2 classes"):
        cls(**FAST).partial_fit(X, y, classes=["ant"])


@pytest.mark.parametrize("cls", CLASSIFIERS + REGRESSORS)
def test_early_stopping_is_refused(cls, regression):
    X, y = regression
    extra = {"classes": [0, 1]} if cls in CLASSIFIERS else {}
    target = (y > 0).astype(int) if cls in CLASSIFIERS else y
    with pytest.raises(ValueError, match="does not support early_stopping=True"):
        cls(early_stopping=True, **FAST).partial_fit(X, target, **extra)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_multilabel_chunks_with_constant_columns(cls):
    X, Y = make_multilabel_classification(120, 6, n_classes=3, random_state=0)
    Y[:60, 2] = 0  # the first chunk never shows label 2
    est = cls(scoring="f1_micro", **FAST)
    est.partial_fit(X[:60], Y[:60]).partial_fit(X[60:], Y[60:])
    assert est.n_iter_ == 2
    assert est.predict(X).shape == Y.shape


@pytest.mark.parametrize("cls", CLASSIFIERS + REGRESSORS)
def test_zero_weights_are_the_rows_removed(cls, labelled, regression):
    classifier = cls in CLASSIFIERS
    X, y = labelled if classifier else regression
    extra = {"classes": np.unique(y)} if classifier else {}
    weight = np.ones(len(y))
    weight[::3] = 0.0
    keep = weight > 0
    weighted, removed = cls(**FAST), cls(**FAST)
    for _ in range(2):
        weighted.partial_fit(X, y, sample_weight=weight, **extra)
        removed.partial_fit(X[keep], y[keep], **extra)
    output = "predict_proba" if classifier else "predict"
    np.testing.assert_allclose(
        getattr(weighted, output)(X), getattr(removed, output)(X), rtol=1e-10
    )


@pytest.mark.parametrize("cls", REGRESSORS)
def test_regressor_keeps_the_first_calls_standardization(cls, regression):
    X, y = regression
    est = cls(**FAST).partial_fit(X[:100], y[:100])
    mean, scale = est.net_.reward.mean.clone(), est.net_.reward.scale.clone()
    est.partial_fit(X[100:], 10 * y[100:] + 500)
    assert est.n_iter_ == 2
    np.testing.assert_array_equal(est.net_.reward.mean, mean)
    np.testing.assert_array_equal(est.net_.reward.scale, scale)
    with pytest.raises(ValueError, match="as many outputs"):
        est.partial_fit(X, np.column_stack([y, y]))


def test_regressor_chunk_of_one_row_and_constant_targets(regression):
    X, y = regression
    est = PGRegressor(**FAST).partial_fit(X[:50], y[:50])
    est.partial_fit(X[50:51], y[50:51]).partial_fit(X[51:60], np.full(9, 3.0))
    assert est.n_iter_ == 3


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_partial_fit_after_fit_continues_on_the_score(cls, labelled):
    X, y = labelled
    est = cls(scoring="f1_macro", max_epochs=2, surrogate_epochs=1, **FAST).fit(X, y)
    before = est.predict_proba(X)
    est.partial_fit(X, y)  # classes known from fit
    assert est.n_iter_ == 4
    assert est.net_.history[-1, "phase"] == "score"
    assert not np.allclose(before, est.predict_proba(X))


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_sparse_chunks(cls, labelled):
    X, y = labelled
    X = sparse.csr_matrix(np.where(np.abs(X) > 1, X, 0.0))
    est = cls(scoring="accuracy", **FAST)
    for rows in _chunks(len(y), 3):
        est.partial_fit(X[rows], y[rows], classes=np.unique(y))
    assert est.score(X, y) > 0.5


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_passes_over_chunks_learn(cls, labelled):
    """Passes over chunks raise the score well above chance."""
    X, y = labelled
    est = cls(scoring="accuracy", lr=0.01, **FAST)
    for _ in range(15):
        for rows in _chunks(len(y), 4):
            est.partial_fit(X[rows], y[rows], classes=np.unique(y))
    assert est.score(X, y) > 0.7


def test_data_dependent_weight_decay_is_fixed_at_the_first_call(labelled):
    """ZO's weight_decay="auto" depends on the rows: the first call's count
    fixes it, and it does not change with later chunks."""
    X, y = labelled
    X, y = np.tile(X, (5, 1)), np.tile(y, 5)  # 1,500 rows
    est = ZOClassifier(**FAST).partial_fit(X[:1200], y[:1200], classes=np.unique(y))
    penalty = dict(est.net_.callbacks_)["weight_decay"].weight_decay
    assert penalty == pytest.approx(0.01 * np.sqrt(1000 / 1200))
    est.partial_fit(X[:100], y[:100]).partial_fit(X, y)
    assert dict(est.net_.callbacks_)["weight_decay"].weight_decay == penalty
