"""Class-stratified index batches (the estimators' skorch iterator)."""

import numpy as np
import pytest
import torch
from skorch.dataset import Dataset

from sklearn_zopg import PGClassifier, ZOClassifier
from sklearn_zopg._batches import RowBatches, stratified_batches


def _labels(class_sizes):
    labels = torch.cat([torch.full((m,), c) for c, m in enumerate(class_sizes)])
    return labels[torch.randperm(len(labels))]


@pytest.mark.parametrize(
    "class_sizes, n_batches, expected_batches",
    [
        ((930, 70), 4, 4),
        ((500, 300, 21, 9), 8, 8),
        ((1000, 3), 4, 3),  # two classes: every batch needs the minority
        ((5, 5), 1, 1),
        ((7, 9), 20, 7),
        ((600, 500, 1), 30, 30),  # a singleton does not shrink the epoch
        ((600, 500, 12), 30, 30),
    ],
)
def test_every_row_once_and_every_common_class_in_every_batch(
    class_sizes, n_batches, expected_batches
):
    torch.manual_seed(0)
    labels = _labels(class_sizes)
    batches = stratified_batches(labels, n_batches)
    assert len(batches) == expected_batches
    rows = torch.cat(batches)
    assert sorted(rows.tolist()) == list(range(len(labels)))
    sizes = torch.tensor(class_sizes)
    common = sizes >= len(batches)
    for batch in batches:
        counts = torch.bincount(labels[batch], minlength=len(class_sizes))
        assert (counts[common] >= 1).all()
        assert (counts[~common] <= 1).all()  # rare classes: one row per batch
        # each class in proportion, up to one row
        expected = sizes / len(batches)
        assert ((counts - expected).abs() < 1 + 1e-9).all()


def test_a_singleton_class_keeps_the_number_of_steps_and_the_accuracy():
    """2,000 rows, three classes, one of them a single row, batch_size=32:
    the epoch keeps its 63 steps (it fell to 1 when batches needed every
    class) and the accuracy stays that of the problem without the singleton."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=2000, n_features=8, n_informative=5, n_classes=2, random_state=0
    )
    y_single = y.copy()
    y_single[0] = 2
    common = dict(max_epochs=5, batch_size=32, random_state=0)
    with_singleton = PGClassifier(**common).fit(X, y_single)
    assert with_singleton.net_.history[-1, "train_batch_count"] == 63
    without = PGClassifier(**common).fit(X[1:], y[1:])
    assert with_singleton.score(X[1:], y[1:]) > without.score(X[1:], y[1:]) - 0.03


def test_batches_are_shuffled_and_reproducible():
    labels = torch.tensor([0] * 90 + [1] * 10)

    def draw(seed):
        generator = torch.Generator().manual_seed(seed)
        return [b.tolist() for b in stratified_batches(labels, 5, generator)]

    assert draw(1) == draw(1)
    assert draw(1) != draw(2)


def test_iterator_without_shuffle_slices_in_order():
    batches = list(RowBatches(Dataset(np.arange(10)), batch_size=4, shuffle=False))
    assert [X.tolist() for X, _ in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_iterator_carries_sample_weights_with_their_rows():
    X = {"X": torch.arange(6.0)[:, None], "sample_weight": torch.arange(6.0) * 10}
    dataset = Dataset(X, torch.tensor([0, 1, 0, 1, 0, 1]))
    gen = torch.Generator().manual_seed(0)
    for Xb, yb in RowBatches(dataset, batch_size=2, shuffle=True, generator=gen):
        assert torch.equal(Xb["sample_weight"], Xb["X"][:, 0] * 10)
        assert torch.equal(yb, Xb["X"][:, 0].long() % 2)


def test_roc_auc_trains_when_a_plain_slice_would_miss_the_positives():
    # 10 positives in 290 rows with batch_size=256: an unstratified tail batch
    # of 34 rows often holds no positive (AUC undefined). Stratified batches
    # (here a single batch per class count) always hold both classes.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(290, 4))
    y = np.r_[np.zeros(280, int), np.ones(10, int)]
    X[y == 1] += 1.5
    for seed in range(5):
        clf = ZOClassifier(scoring="roc_auc", max_epochs=3, random_state=seed)
        clf.fit(X, y)
        assert np.isfinite(clf.net_.history[:, "train_score"]).all()
