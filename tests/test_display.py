"""ScoreHistoryDisplay: the training curve, drawn with the Agg backend."""

import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sklearn_zopg import PGClassifier, ScoreHistoryDisplay, ZOClassifier

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=300, weights=[0.8], random_state=0)


def test_both_phases_and_the_spread_are_drawn(data):
    X, y = data
    est = ZOClassifier(
        scoring="f1", surrogate_epochs=4, max_epochs=6, random_state=0
    ).fit(X, y)
    display = ScoreHistoryDisplay.from_estimator(est)
    history = est.net_.history
    line = display.lines_["train"]
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 11))
    np.testing.assert_allclose(line.get_ydata(), history[:, "train_score"])
    labels = display.ax_.get_legend_handles_labels()[1]
    assert "surrogate phase (cross-entropy)" in labels
    assert "± spread of the sampled scores" in labels
    assert "valid" not in display.lines_ and display.kept_epoch is None
    assert display.figure_ is display.ax_.figure


def test_validation_curve_and_kept_epoch_with_early_stopping(data):
    import matplotlib.pyplot as plt

    X, y = data
    est = PGClassifier(
        scoring="f1", early_stopping=True, n_iter_no_change=3, random_state=0
    ).fit(X, y)
    _, ax = plt.subplots()
    display = ScoreHistoryDisplay.from_estimator(est, ax=ax, name="PG")
    assert display.ax_ is ax and ax.get_title() == "PG"
    valid = est.net_.history[:, "valid_score"]
    np.testing.assert_allclose(display.lines_["valid"].get_ydata(), valid)
    assert valid[display.kept_epoch - 1] == est.best_validation_score_
    plt.close("all")


def test_unfitted_estimator_and_missing_matplotlib(data, monkeypatch):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ScoreHistoryDisplay.from_estimator(ZOClassifier())
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="requires matplotlib"):
        ScoreHistoryDisplay.from_estimator(ZOClassifier())


@pytest.mark.parametrize(
    "scoring, title",
    [
        ("f1", "PGClassifier, f1"),
        (None, "PGClassifier, f1_score(pos_label=0)"),
        ("loss", "PGClassifier, −hamming_loss()"),
    ],
)
def test_the_title_names_the_scorer(scoring, title, data):
    from sklearn.metrics import f1_score, hamming_loss, make_scorer

    X, y = data
    scorers = {
        None: make_scorer(f1_score, pos_label=0),
        "loss": make_scorer(hamming_loss, greater_is_better=False),
    }
    est = PGClassifier(
        scoring=scorers.get(scoring, scoring), max_epochs=2, random_state=0
    ).fit(X, y)
    display = ScoreHistoryDisplay.from_estimator(est)
    assert display.ax_.get_title() == title
