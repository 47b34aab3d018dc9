"""Class-stratified index batches (the estimators' skorch iterator)."""

import numpy as np
import pytest
import torch
from skorch.dataset import Dataset

from sklearn_zopg import ZOClassifier
from sklearn_zopg._batches import IndexBatches, stratified_batches


@pytest.mark.parametrize(
    "class_sizes, n_batches",
    [((930, 70), 4), ((500, 300, 21, 9), 8), ((1000, 3), 4), ((5, 5), 1), ((7, 9), 20)],
)
def test_every_row_once_and_every_class_in_every_batch(class_sizes, n_batches):
    torch.manual_seed(0)
    labels = torch.cat([torch.full((m,), c) for c, m in enumerate(class_sizes)])
    labels = labels[torch.randperm(len(labels))]
    batches = stratified_batches(labels, n_batches)
    assert len(batches) == min(n_batches, min(class_sizes))
    rows = torch.cat(batches)
    assert sorted(rows.tolist()) == list(range(len(labels)))
    for batch in batches:
        counts = torch.bincount(labels[batch], minlength=len(class_sizes))
        assert (counts >= 1).all()
        # each class in proportion, up to one row
        expected = torch.tensor(class_sizes) / len(batches)
        assert ((counts - expected).abs() < 1 + 1e-9).all()


def test_batches_are_shuffled_and_reproducible():
    labels = torch.tensor([0] * 90 + [1] * 10)

    def draw(seed):
        torch.manual_seed(seed)
        return [b.tolist() for b in stratified_batches(labels, 5)]

    assert draw(1) == draw(1)
    assert draw(1) != draw(2)


def test_iterator_without_labels_slices_in_order():
    batches = list(IndexBatches(Dataset(np.arange(10)), batch_size=4, shuffle=False))
    assert [b.tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


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
