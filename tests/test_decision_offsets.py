"""Decision offsets: tuned on the exact score, used by every prediction."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.metrics import f1_score, get_scorer, make_scorer

from sklearn_zopg import PGClassifier, ZOClassifier, make_reward
from sklearn_zopg._offsets import tune_offsets
from sklearn_zopg.rewards import MultilabelReward


def _labels_f1(y, logits, offsets):
    return f1_score(y, (logits + offsets).argmax(1))


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(8, 60),
    seed=st.integers(0, 2**16),
    positive_rate=st.floats(0.05, 0.5),
)
def test_binary_offset_is_the_best_threshold(n, seed, positive_rate):
    """With few rows every flip point is a candidate: the tuned threshold
    scores as the best of an exhaustive search over thresholds, and its
    reported score is sklearn's F1 of the shifted argmax."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < positive_rate).astype(int)
    y[:2] = [0, 1]
    logits = rng.normal(size=(n, 2)) + np.c_[np.zeros(n), y]
    reward = make_reward("f1", classes=np.array([0, 1]))
    offsets, best = tune_offsets(reward, torch.as_tensor(y), torch.as_tensor(logits))
    offsets = offsets.numpy()
    assert offsets[0] == 0
    assert best == pytest.approx(_labels_f1(y, logits, offsets), abs=1e-12)
    margins = logits[:, 1] - logits[:, 0]
    thresholds = np.r_[np.sort(margins) + 1e-9, margins.min() - 1]
    exhaustive = max(f1_score(y, margins > t) for t in thresholds)
    assert best == pytest.approx(exhaustive, abs=1e-12)
    # Never below the untuned argmax, and 0 is kept where nothing gains.
    assert best >= _labels_f1(y, logits, 0) - 1e-12


@settings(max_examples=20, deadline=None)
@given(n=st.integers(20, 200), n_classes=st.integers(3, 6), seed=st.integers(0, 999))
def test_multiclass_offsets_never_lose_and_report_the_exact_score(n, n_classes, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    y[:n_classes] = np.arange(n_classes)
    logits = rng.normal(size=(n, n_classes))
    logits[np.arange(n), y] += 0.5
    scorer = get_scorer("balanced_accuracy")
    reward = make_reward(scorer, classes=np.arange(n_classes))
    offsets, best = tune_offsets(reward, torch.as_tensor(y), torch.as_tensor(logits))
    shifted = (logits + offsets.numpy()).argmax(1)
    exact = scorer._score_func(y, shifted)
    assert best == pytest.approx(exact, abs=1e-12)
    assert best >= scorer._score_func(y, logits.argmax(1)) - 1e-12
    assert offsets[0] == 0


def test_weights_tune_as_repeated_rows():
    """Integer weights and repeated rows give the same candidates and
    scores, hence the same offsets."""
    rng = np.random.default_rng(0)
    n = 300
    y = (rng.random(n) < 0.1).astype(int)
    logits = rng.normal(size=(n, 2)) + np.c_[np.zeros(n), y]
    weight = rng.integers(1, 4, n)
    reward = make_reward("f1", classes=np.array([0, 1]))
    weighted, best_w = tune_offsets(
        reward,
        torch.as_tensor(y),
        torch.as_tensor(logits),
        torch.as_tensor(weight, dtype=torch.float64),
    )
    rows = np.repeat(np.arange(n), weight)
    repeated, best_r = tune_offsets(
        reward, torch.as_tensor(y[rows]), torch.as_tensor(logits[rows])
    )
    assert torch.equal(weighted, repeated)
    assert best_w == pytest.approx(best_r, abs=1e-12)


def test_multilabel_offsets_one_per_label():
    rng = np.random.default_rng(1)
    y = (rng.random((200, 4)) < [0.05, 0.2, 0.5, 0.1]).astype(int)
    logits = rng.normal(size=(200, 4)) + 1.5 * y - 1.0
    reward = MultilabelReward("f1_macro", 4)
    offsets, best = tune_offsets(
        reward, torch.as_tensor(y), torch.as_tensor(logits), multilabel=True
    )
    predicted = (logits + offsets.numpy() > 0).astype(int)
    assert best == pytest.approx(f1_score(y, predicted, average="macro"), abs=1e-12)
    assert best > f1_score(y, (logits > 0).astype(int), average="macro")
    assert (offsets != 0).any()


@pytest.fixture(scope="module")
def rare_positives():
    return make_classification(
        n_samples=600,
        n_features=8,
        n_informative=4,
        weights=[0.92],
        flip_y=0.03,
        random_state=5,
    )


def _fit(Estimator, X, y, **params):
    params = {"scoring": "f1", "max_epochs": 15, "random_state": 0, **params}
    if Estimator is ZOClassifier:
        params.setdefault("surrogate_epochs", 5)
    return Estimator(**params).fit(X, y)


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_tuned_offsets_maximize_the_training_score(Estimator, rare_positives):
    """Offsets come after training: the module is the same with and without
    them, and the tuned model's training F1 is at least the untuned one's;
    every prediction method sees the same shifted logits."""
    X, y = rare_positives
    plain = _fit(Estimator, X, y, decision_offsets=None)
    tuned = _fit(Estimator, X, y, decision_offsets="tuned")
    assert np.array_equal(plain.decision_offsets_, np.zeros(2))
    for a, b in zip(plain.net_.module_.parameters(), tuned.net_.module_.parameters()):
        assert torch.equal(a, b)
    assert tuned.score(X, y) >= plain.score(X, y)
    shift = tuned.decision_offsets_[1]
    assert tuned.decision_function(X) == pytest.approx(
        plain.decision_function(X) + shift
    )
    assert np.array_equal(
        tuned.predict(X), tuned.classes_[(tuned.decision_function(X) > 0).astype(int)]
    )
    assert np.array_equal(tuned.predict_proba(X).argmax(1), tuned.predict(X))


def test_auto_tunes_for_zo_only_and_count_based_scorers(rare_positives):
    X, y = rare_positives
    assert np.array_equal(_fit(PGClassifier, X, y).decision_offsets_, np.zeros(2))
    zo = _fit(ZOClassifier, X, y)
    same = _fit(ZOClassifier, X, y, decision_offsets="tuned")
    assert np.array_equal(zo.decision_offsets_, same.decision_offsets_)
    cost = make_scorer(lambda t, p: -np.sum((t == 1) & (p == 0)))  # not counted
    untuned = _fit(ZOClassifier, X, y, scoring=cost)
    assert np.array_equal(untuned.decision_offsets_, np.zeros(2))


def test_offsets_tuned_on_the_validation_split_with_early_stopping(rare_positives):
    """With early stopping the offsets maximize the validation rows' score,
    which best_validation_score_ (before the offsets) cannot exceed."""
    X, y = rare_positives
    est = _fit(ZOClassifier, X, y, early_stopping=True, validation_fraction=0.3)
    net = est.net_
    rows = net.train_split(_training_data(est, X, y))[1]
    features = rows.X["X"] if isinstance(rows.X, dict) else rows.X
    logits = net.logits(features, offsets=False).double()
    logits += torch.as_tensor(est.decision_offsets_)
    valid_f1 = f1_score(rows.y.numpy(), logits.argmax(1).numpy())
    assert valid_f1 >= est.best_validation_score_ - 1e-12


def _training_data(est, X, y):
    from sklearn_zopg._batches import training_dataset

    return training_dataset(
        torch.as_tensor(X, dtype=torch.float64),
        torch.as_tensor(np.searchsorted(est.classes_, y)),
    )


def test_a_scorer_reading_x_gets_the_users_rows_while_tuning(rare_positives):
    """A custom scorer of (estimator, X, y) is called on the tuning rows as
    the user passed them (here, a profit column of X)."""
    X, y = rare_positives
    seen = []

    def profit(estimator, X_rows, y_rows):
        seen.append((X_rows.shape, np.asarray(y_rows).shape))
        predicted = estimator.predict(X_rows)
        return float(np.sum(X_rows[:, 0] * (predicted == y_rows)))

    est = _fit(ZOClassifier, X, y, scoring=profit, decision_offsets="tuned")
    assert est.decision_offsets_.shape == (2,)
    assert (X.shape, y.shape) in seen


def test_multilabel_fit_tunes_one_offset_per_label():
    X, Y = make_multilabel_classification(
        n_samples=300, n_features=10, n_classes=4, random_state=0
    )
    est = ZOClassifier(
        scoring="f1_macro", max_epochs=5, surrogate_epochs=5, random_state=0
    ).fit(X, Y)
    assert est.decision_offsets_.shape == (4,)
    logits = est.decision_function(X)
    assert np.array_equal(est.predict(X), (logits > 0).astype(int))
    plain = ZOClassifier(
        scoring="f1_macro",
        max_epochs=5,
        surrogate_epochs=5,
        random_state=0,
        decision_offsets=None,
    ).fit(X, Y)
    assert est.score(X, Y) >= plain.score(X, Y)


def test_offsets_survive_pickle_and_reach_the_fitted_net(rare_positives):
    """The fitted net predicts as the estimator, also after a round trip."""
    import pickle

    X, y = rare_positives
    est = _fit(ZOClassifier, X, y, decision_offsets="tuned")
    assert est.decision_offsets_[1] != 0  # this problem moves the threshold
    np.testing.assert_array_equal(est.net_.predict_proba(X), est.predict_proba(X))
    loaded = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(loaded.decision_offsets_, est.decision_offsets_)
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    np.testing.assert_array_equal(loaded.net_.predict_proba(X), est.predict_proba(X))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(5, 80),
    n_classes=st.integers(2, 5),
    c=st.integers(1, 4),
    scoring=st.sampled_from(
        [
            "f1_macro",
            "balanced_accuracy",
            "matthews_corrcoef",
            "accuracy",
            "jaccard_weighted",
            "precision_micro",
            "recall_macro",
        ]
    ),
    weighted=st.booleans(),
    seed=st.integers(0, 999),
)
def test_counted_candidates_equal_the_scored_label_vectors(
    n, n_classes, c, scoring, weighted, seed
):
    """The shortcut from per-class counts scores every candidate shift as
    the reward scores the label vectors themselves."""
    from sklearn_zopg._offsets import (
        _candidate_shifts,
        _counted_shift_scores,
        _margins,
        _TopTwo,
    )

    c = min(c, n_classes - 1)
    rng = np.random.default_rng(seed)
    y = torch.as_tensor(rng.integers(0, n_classes, n))
    logits = torch.as_tensor(rng.normal(size=(n, n_classes)).round(1))  # ties
    w = torch.as_tensor(rng.integers(0, 3, n), dtype=torch.float64)
    w[0] = 1.0
    w = w if weighted else None
    reward = make_reward(scoring, classes=np.arange(n_classes))
    margins, others = _margins(logits, c, _TopTwo(logits))
    shifts = _candidate_shifts(margins)
    labels = torch.where(margins[None] + shifts[:, None] > 0, c, others[None])
    expected = torch.as_tensor(reward(y, labels, w, check=False))
    counted = _counted_shift_scores(reward, y, c, margins, others, shifts, w)
    torch.testing.assert_close(counted, expected, rtol=0, atol=1e-12, equal_nan=True)


def test_offsets_for_a_thousand_classes():
    """The search over 1,000 classes counts its candidates (no (K, C, C)
    confusion matrices, no pass over the whole logits per class): it ends
    in seconds and never loses."""
    rng = np.random.default_rng(0)
    n = C = 1000
    y = torch.arange(n)
    logits = torch.as_tensor(rng.normal(size=(n, C)))
    reward = make_reward("accuracy", classes=np.arange(C))
    offsets, best = tune_offsets(reward, y, logits)
    assert best >= float((logits.argmax(1) == y).double().mean())


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 999), n_classes=st.integers(2, 6))
def test_top_two_repair_equals_a_fresh_top_two(seed, n_classes):
    from sklearn_zopg._offsets import _TopTwo

    rng = np.random.default_rng(seed)
    shifted = torch.as_tensor(rng.normal(size=(40, n_classes)))
    top = _TopTwo(shifted)
    for _ in range(10):
        c = int(rng.integers(0, n_classes))
        shifted[:, c] += float(rng.normal(scale=2))
        top.update(shifted, c)
        values, _ = shifted.topk(2, dim=1)
        torch.testing.assert_close(top.values, values, rtol=0, atol=0)
        for k in range(n_classes):
            rest = shifted.clone()
            rest[:, k] = -torch.inf
            expected, _ = rest.max(dim=1)
            torch.testing.assert_close(top.other_best(k)[0], expected, rtol=0, atol=0)
