"""Multilabel label scorers counted for K indicator matrices equal sklearn."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import (
    accuracy_score,
    fbeta_score,
    get_scorer,
    hamming_loss,
    jaccard_score,
    make_scorer,
    precision_score,
    recall_score,
)

from sklearn_zopg.rewards import MultilabelReward
from sklearn_zopg.rewards._multilabel import multilabel_metric_for
from sklearn_zopg.rewards._scorer_parts import scorer_parts

MULTILABEL_SCORERS = [
    "accuracy",
    "f1_samples",
    "f1_micro",
    "f1_macro",
    "f1_weighted",
    "precision_samples",
    "recall_samples",
    "precision_macro",
    "recall_micro",
    "jaccard_samples",
    "jaccard_micro",
    "jaccard_macro",
    "jaccard_weighted",
    make_scorer(accuracy_score, normalize=False),
    make_scorer(hamming_loss, greater_is_better=False),
    make_scorer(fbeta_score, beta=2, average="samples"),
    make_scorer(precision_score, average="samples", zero_division=np.nan),
    make_scorer(recall_score, average="macro", zero_division=1),
    make_scorer(jaccard_score, average="samples", zero_division=1),
]


class _Predicts(ClassifierMixin, BaseEstimator):
    def __init__(self, matrix):
        self.matrix = matrix

    @property
    def classes_(self):  # a multilabel MLPClassifier's: the label columns
        return np.arange(self.matrix.shape[1])

    def predict(self, X):
        return self.matrix


@pytest.mark.parametrize("scoring", MULTILABEL_SCORERS, ids=str)
@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 12),
    L=st.integers(2, 5),  # one column is a binary target to sklearn
    K=st.integers(1, 4),
    density=st.sampled_from([0.05, 0.3, 0.7]),
    weighted=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_multilabel_counts_equal_sklearn(scoring, n, L, K, density, weighted, seed):
    """Every average, zero_division, weights with zeros, empty rows and
    columns (density 0.05), K matrices at once."""
    rng = np.random.default_rng(seed)
    y = (rng.random((n, L)) < density).astype(np.int64)
    Y = (rng.random((K, n, L)) < density).astype(np.int64)
    w = rng.choice([0.0, 0.5, 1.0, 2.5], size=n) if weighted else None
    if w is not None and w.sum() == 0:
        w[0] = 1.0
    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    metric = multilabel_metric_for(scorer_parts(scorer), L)
    assert metric is not None
    kw = {} if w is None else {"sample_weight": w}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = np.array(
            [scorer(_Predicts(Yk), np.zeros((n, 1)), y, **kw) for Yk in Y]
        )
        got = metric.score_labels(
            torch.as_tensor(y),
            torch.as_tensor(Y),
            None if w is None else torch.as_tensor(w),
        ).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_scorers_outside_the_count_family_have_no_multilabel_twin():
    assert multilabel_metric_for(scorer_parts(get_scorer("roc_auc")), 3) is None
    assert multilabel_metric_for(scorer_parts(get_scorer("f1")), 3) is None  # binary


def _drawn(rng, true_shape, predicted_shape, density, weighted):
    """A 0/1 truth and prediction of the shapes, and weights (with zeros,
    never all zero) or None."""
    y = torch.as_tensor((rng.random(true_shape) < density).astype(np.int64))
    Y = torch.as_tensor((rng.random(predicted_shape) < density).astype(np.int64))
    w = None
    if weighted:
        w = torch.as_tensor(rng.choice([0.0, 0.5, 1.0, 2.5], size=true_shape[0]))
        if w.sum() == 0:
            w[0] = 1.0
    return y, Y, w


@pytest.mark.parametrize("scoring", MULTILABEL_SCORERS, ids=str)
@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 8),
    L=st.integers(2, 4),
    K=st.integers(1, 3),
    density=st.sampled_from([0.1, 0.5]),
    weighted=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_per_entry_credit_equals_recomputation(
    scoring, n, L, K, density, weighted, seed
):
    """swap[k, i, l, c] is the score of matrix k with entry (i, l) set to c."""
    rng = np.random.default_rng(seed)
    y, Y, w = _drawn(rng, (n, L), (K, n, L), density, weighted)
    reward = MultilabelReward(scoring, L)
    assert reward.count_based
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            swap = reward.swap_scores(y, Y, w)
        except ValueError:  # a NaN score somewhere (zero_division=nan)
            return
        # PG's per-entry credit reads the flips alone, from the small tables
        flips = swap[..., 1] - swap[..., 0]
        torch.testing.assert_close(
            reward.flip_gains(y, Y, w), flips, rtol=0, atol=1e-12
        )
        for k in range(K):
            for i in range(n):
                for label in range(L):
                    for c in (0, 1):
                        Z = Y[k].clone()
                        Z[i, label] = c
                        ref = reward(y, Z[None], w, check=False)[0]
                        assert float(swap[k, i, label, c]) == pytest.approx(
                            float(ref), abs=1e-9, nan_ok=True
                        )


@pytest.mark.parametrize("scoring", MULTILABEL_SCORERS, ids=str)
@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(1, 10),
    L=st.integers(2, 4),
    K=st.integers(1, 4),
    density=st.sampled_from([0.05, 0.5]),
    weighted=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_one_changed_label_scores_as_the_whole_matrix(
    scoring, n, L, K, density, weighted, seed
):
    """score_column (the decision offsets' search) equals scoring the K
    matrices whole."""
    rng = np.random.default_rng(seed)
    y, base, w = _drawn(rng, (n, L), (n, L), density, weighted)
    column = torch.as_tensor((rng.random((K, n)) < 0.5).astype(np.int64))
    c = int(rng.integers(L))
    reward = MultilabelReward(scoring, L)
    Y = base.expand(K, n, L).clone()
    Y[:, :, c] = column
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = reward(y, Y, w, check=False)
        got = reward.score_column(y, base, c, column.bool(), w)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12, equal_nan=True)
