"""The benchmarks' soft surrogates equal sklearn's metrics on hard inputs."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.metrics import (
    balanced_accuracy_score,
    f1_score,
    fbeta_score,
    jaccard_score,
    matthews_corrcoef,
    roc_auc_score,
)

from sklearn_zopg._surrogates import (
    lovasz_hinge,
    soft_auc,
    soft_balanced_accuracy,
    soft_f1,
    soft_fbeta,
    soft_jaccard,
    soft_macro_f1,
    soft_mcc,
)

SEEDS = range(25)


def hard(seed, n=30, C=2):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, C, n)
    pred = np.where(rng.random(n) < 0.7, y, rng.integers(0, C, n))
    return y, pred


def close(value, expected):
    assert float(value) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_surrogates(seed):
    y, pred = hard(seed)
    p, t = torch.tensor(pred, dtype=torch.float64), torch.tensor(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(soft_fbeta(p, t, 2.0), fbeta_score(y, pred, beta=2, zero_division=0))
        close(soft_jaccard(p, t), jaccard_score(y, pred, zero_division=0))
    # the Lovász hinge at margins 1 (right) or 0 (a mistake) is 1 - Jaccard
    # of the predictions that count those mistakes as flipped
    margins = torch.where(p == t, 2 * t - 1, 0).to(torch.float64)
    flipped = np.where(pred == y, y, 1 - y)
    if y.any() or flipped.any():
        close(lovasz_hinge(margins, t), 1 - jaccard_score(y, flipped))


@pytest.mark.parametrize("seed", SEEDS)
def test_multiclass_surrogates(seed):
    y, pred = hard(seed, C=4)
    onehot = torch.nn.functional.one_hot(torch.tensor(pred), 4).double()
    t = torch.tensor(y)
    close(soft_macro_f1(onehot, t), f1_score(y, pred, average="macro"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(soft_balanced_accuracy(onehot, t), balanced_accuracy_score(y, pred))
    close(soft_mcc(onehot, t), matthews_corrcoef(y, pred))


@pytest.mark.parametrize("average", ["macro", "samples"])
def test_sigmoid_f1_on_hard_multilabel_predictions(average):
    rng = np.random.default_rng(0)
    for _ in range(20):
        Y = (rng.random((12, 4)) < 0.3).astype(int)
        P = (rng.random((12, 4)) < 0.3).astype(int)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = f1_score(Y, P, average=average, zero_division=0)
        close(
            soft_f1(torch.tensor(P, dtype=torch.float64), torch.tensor(Y), average),
            expected,
        )


def test_soft_auc_tends_to_the_auc_of_steep_margins():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 40)
    scores = rng.normal(size=40) + y
    steep = soft_auc(torch.tensor(scores * 1e6), torch.tensor(y))
    close(steep, roc_auc_score(y, scores))
