"""Early stopping on the user's score, on a held-out validation split."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from sklearn_zopg import PGClassifier, ZOClassifier
from sklearn_zopg._early_stopping import validation_split


def validation_rows(y, fraction, random_state):
    """The rows an estimator with this integer random_state held out: its
    split seed is the second draw of ``RandomState(random_state)``."""
    rng = np.random.RandomState(random_state)
    rng.randint(2**31 - 1)
    return validation_split(y, fraction, int(rng.randint(2**31 - 1)))[1]


@pytest.fixture(scope="module")
def noisy():
    # Few rows, label noise, a 64-unit MLP: training on all epochs over-fits.
    X, y = make_classification(
        n_samples=600,
        n_features=20,
        n_informative=4,
        weights=[0.85],
        flip_y=0.1,
        random_state=3,
    )
    return train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_history_records_validation_and_best_epoch_is_kept(Estimator, noisy):
    X_train, _, y_train, _ = noisy
    clf = Estimator(
        scoring="balanced_accuracy",
        early_stopping=True,
        n_iter_no_change=3,
        max_epochs=60,
        random_state=0,
    ).fit(X_train, y_train)
    valid = clf.net_.history[:, "valid_score"]
    assert len(valid) == clf.n_iter_ < 60 + clf.surrogate_epochs  # stopped early
    # skorch's stopper keeps the best epoch that beat the previous best by tol
    assert clf.best_validation_score_ == pytest.approx(max(valid), abs=1e-4)
    best_flags = clf.net_.history[:, "valid_score_best"]
    assert best_flags[int(np.argmax(valid))]
    # the validation outputs of the last epoch are not kept or pickled
    scoring = dict(clf.net_.callbacks_)["valid_score"]
    assert scoring._batches == []
    assert "_batches" not in scoring.__getstate__()
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict(X_train), clf.predict(X_train))


def test_best_parameters_are_restored(noisy):
    X_train, _, y_train, _ = noisy
    clf = ZOClassifier(
        scoring="roc_auc",
        early_stopping=True,
        validation_fraction=0.3,
        n_iter_no_change=5,
        max_epochs=40,
        random_state=0,
    ).fit(X_train, y_train)
    valid = clf.net_.history[:, "valid_score"]
    assert valid[-1] < clf.best_validation_score_  # the last epoch is not the best
    rows = validation_rows(y_train, 0.3, random_state=0)
    rescored = roc_auc_score(y_train[rows], clf.decision_function(X_train[rows]))
    assert rescored == pytest.approx(clf.best_validation_score_, abs=1e-12)


def test_early_stopping_helps_on_noisy_data(noisy):
    # Without the L2 penalty, the other guard against over-fitting, so that
    # the test measures early stopping alone.
    X_train, X_test, y_train, y_test = noisy
    scores = {}
    for flag in (False, True):
        aucs = []
        for seed in range(3):
            clf = ZOClassifier(scoring="roc_auc", early_stopping=flag, weight_decay=0)
            clf.set_params(random_state=seed).fit(X_train, y_train)
            aucs.append(roc_auc_score(y_test, clf.decision_function(X_test)))
        scores[flag] = np.mean(aucs)
    assert scores[True] > scores[False] + 0.01


def test_too_few_rows_for_a_validation_split_is_a_clear_error():
    X = np.random.default_rng(0).normal(size=(12, 3))
    y = np.array([0] * 11 + [1])
    with pytest.raises(ValueError, match="validation_fraction"):
        PGClassifier(early_stopping=True, max_epochs=2).fit(X, y)


def test_without_early_stopping_nothing_is_held_out(noisy):
    X_train, _, y_train, _ = noisy
    clf = PGClassifier(max_epochs=3, random_state=0).fit(X_train, y_train)
    assert clf.best_validation_score_ is None
    assert "valid_score" not in clf.net_.history[-1]


def test_validation_score_uses_the_sample_weights(noisy):
    X_train, _, y_train, _ = noisy
    weights = np.where(y_train == 1, 5.0, 1.0)
    common = dict(
        scoring="accuracy",
        early_stopping=True,
        validation_fraction=0.3,
        max_epochs=3,
        random_state=0,
    )
    clf = PGClassifier(**common).fit(X_train, y_train, sample_weight=weights)
    rows = validation_rows(y_train, 0.3, random_state=0)
    # The fitted (best) model, scored on the validation rows with their
    # weights, gives the recorded best (unweighted it would differ: 0.70).
    weighted = clf.score(X_train[rows], y_train[rows], sample_weight=weights[rows])
    assert clf.best_validation_score_ == pytest.approx(weighted, abs=1e-12)


def test_warm_start_continues_with_a_fresh_validation_record(noisy):
    X_train, _, y_train, _ = noisy
    clf = ZOClassifier(
        early_stopping=True, n_iter_no_change=2, max_epochs=5, warm_start=True
    )
    clf.set_params(random_state=0).fit(X_train, y_train)
    first = clf.n_iter_
    clf.fit(X_train, y_train)
    assert clf.n_iter_ > first  # same net, more epochs
    best = max(clf.net_.history[first:, "valid_score"])
    assert clf.best_validation_score_ == pytest.approx(best, abs=1e-4)


def test_verbose_log_is_plain_and_shows_the_stopping_epoch(noisy, capsys):
    """Written to a file (here pytest's capture), the table has no ANSI
    colour codes; the row of the epoch at which early stopping fires is
    printed before the reason, and the kept epoch is named once per phase
    with the epochs it discards."""
    X_train, _, y_train, _ = noisy
    clf = PGClassifier(
        scoring="f1",
        early_stopping=True,
        n_iter_no_change=3,
        max_epochs=60,
        verbose=1,
        random_state=0,
    ).fit(X_train, y_train)
    out = capsys.readouterr().out
    assert "\x1b[" not in out
    lines = out.splitlines()
    stop = next(i for i, line in enumerate(lines) if line.startswith("Stopping"))
    last_epoch = len(clf.net_.history)
    assert lines[stop - 1].split()[0] == str(last_epoch)
    kept = [line for line in lines if line.startswith("Keeping the parameters")]
    scores = clf.net_.history[:, "valid_score"]
    best = int(np.argmax(scores)) + 1
    assert kept == [
        line
        for line in kept
        if line.startswith(f"Keeping the parameters of epoch {best} ")
    ]
    assert len(kept) == 1
    assert f"epochs {best + 1}-{last_epoch} " in kept[0] and "discarded" in kept[0]


def test_verbose_2_shows_progress_over_the_whole_fit(noisy, capsys):
    X_train, _, y_train, _ = noisy
    ZOClassifier(surrogate_epochs=3, max_epochs=4, verbose=2, random_state=0).fit(
        X_train, y_train
    )
    lines = [
        line for line in capsys.readouterr().out.splitlines() if line.startswith("[")
    ]
    assert [line.split(" epochs")[0] for line in lines] == [
        f"[{k}/7" for k in range(1, 8)
    ]
    assert "surrogate phase" in lines[0] and "score phase" in lines[-1]
    assert lines[-1].endswith("at most 0.0 s left")
