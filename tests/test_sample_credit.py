"""``Reward.sample_credit``: PG's per-sample credit of many classes.

For three classes and more the baseline of each sample is the closing
formula at the expected class counts. It must be free of the sample's own
label (the estimate stays unbiased), equal the exact expectation of the swap
scores where the score is a sum over samples, and track it elsewhere.
"""

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_zopg import make_cost_scorer, make_reward
from sklearn_zopg.pg._gradient import (
    entry_surrogate,
    pg_advantage,
    pg_surrogate,
    sample_entries,
    sample_labels,
)
from sklearn_zopg.rewards._credit import local_advantage

DECOMPOSABLE = ["accuracy", "balanced_accuracy"]
NON_DECOMPOSABLE = [
    "f1_macro",
    "f1_micro",
    "f1_weighted",
    "precision_macro",
    "recall_weighted",
    "jaccard_macro",
    "matthews_corrcoef",
]


@st.composite
def credit_problems(draw, max_classes=6):
    C = draw(st.integers(3, max_classes))
    n = draw(st.integers(1, 12))
    K = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**16))
    weighted = draw(st.booleans())
    gen = torch.Generator().manual_seed(seed)
    y = torch.randint(0, C, (n,), generator=gen)
    proba = (2 * torch.randn(n, C, generator=gen, dtype=torch.float64)).softmax(1)
    Y = torch.multinomial(proba, K, replacement=True, generator=gen).T
    w = None
    if weighted:
        w = torch.tensor([0.5, 1.0, 2.5, 1e-3], dtype=torch.float64)[
            torch.randint(0, 4, (n,), generator=gen)
        ]
    return C, y, Y, proba, w


def exact_credit(reward, y, Y, proba, w):
    return local_advantage(reward.swap_scores(y, Y, w), Y, proba)


@pytest.mark.parametrize("scoring", DECOMPOSABLE + ["cost"])
@settings(max_examples=40, deadline=None)
@given(problem=credit_problems())
def test_credit_of_a_sum_over_samples_is_the_exact_expectation(scoring, problem):
    C, y, Y, proba, w = problem
    if scoring == "cost":
        matrix = np.arange(C * C, dtype=float).reshape(C, C) % 5
        np.fill_diagonal(matrix, 0)
        scoring = make_cost_scorer(matrix, labels=np.arange(C))
    reward = make_reward(scoring, classes=np.arange(C))
    advantage, scores = reward.sample_credit(y, Y, proba, w)
    expected_adv, expected_scores = exact_credit(reward, y, Y, proba, w)
    torch.testing.assert_close(advantage, expected_adv, rtol=0, atol=1e-12)
    torch.testing.assert_close(scores, expected_scores, rtol=0, atol=1e-12)


@pytest.mark.parametrize("scoring", NON_DECOMPOSABLE)
@settings(max_examples=30, deadline=None)
@given(problem=credit_problems(), data=st.data())
def test_baseline_is_free_of_the_samples_own_label(scoring, problem, data):
    C, y, Y, proba, w = problem
    reward = make_reward(scoring, classes=np.arange(C))
    advantage, scores = reward.sample_credit(y, Y, proba, w)
    torch.testing.assert_close(scores, reward(y, Y, w), rtol=0, atol=1e-12)
    baseline = scores[:, None] - advantage
    k = data.draw(st.integers(0, Y.shape[0] - 1))
    i = data.draw(st.integers(0, Y.shape[1] - 1))
    for c in range(C):
        Z = Y.clone()
        Z[k, i] = c
        adv_z, scores_z = reward.sample_credit(y, Z, proba, w)
        baseline_z = scores_z[k] - adv_z[k, i]
        assert abs(float(baseline_z - baseline[k, i])) < 1e-12, (c, k, i)


@pytest.mark.parametrize("scoring", NON_DECOMPOSABLE)
@pytest.mark.parametrize("C", [3, 10, 100])
def test_baseline_tracks_the_exact_expectation(scoring, C):
    gen = torch.Generator().manual_seed(C)
    n, K = 256, 16
    y = torch.randint(0, C, (n,), generator=gen)
    proba = (2 * torch.randn(n, C, generator=gen, dtype=torch.float64)).softmax(1)
    Y = torch.multinomial(proba, K, replacement=True, generator=gen).T
    reward = make_reward(scoring, classes=np.arange(C))
    advantage, _ = reward.sample_credit(y, Y, proba)
    exact, _ = exact_credit(reward, y, Y, proba, None)
    # within 1% of the credit's own scale: the baselines' difference adds
    # less than 1e-4 of the estimate's variance
    assert float((advantage - exact).abs().max()) < 0.01 * float(exact.abs().max())


def _all_vectors(n, C):
    return torch.tensor(list(itertools.product(range(C), repeat=n)))


@pytest.mark.parametrize("scoring", ["f1_macro", "matthews_corrcoef"])
def test_policy_gradient_with_many_class_credit_is_unbiased(scoring):
    """Three classes, four samples: the estimate's mean against the exact
    gradient of the expected score, by enumerating all 81 label vectors."""
    n, C = 4, 3
    y = torch.tensor([0, 1, 2, 1])
    reward = make_reward(scoring, classes=np.arange(C))
    logits = torch.randn(
        n, C, dtype=torch.float64, generator=torch.Generator().manual_seed(1)
    )

    exact_logits = logits.clone().requires_grad_(True)
    log_p = torch.log_softmax(exact_logits, 1)
    vectors = _all_vectors(n, C)
    log_prob = log_p.gather(1, vectors.T).T.sum(1)
    (torch.exp(log_prob) * reward(y, vectors)).sum().backward()
    exact = exact_logits.grad

    gen = torch.Generator().manual_seed(0)
    estimates = []
    for _ in range(3000):
        x = logits.clone().requires_grad_(True)
        log_p = torch.log_softmax(x, 1)
        labels = sample_labels(log_p, 8, generator=gen)
        adv, _ = pg_advantage(reward, y, labels, log_p.detach().exp())
        pg_surrogate(log_p, labels, adv).backward()
        estimates.append(-x.grad)
    estimates = torch.stack(estimates)
    mean, sem = estimates.mean(0), estimates.std(0) / np.sqrt(len(estimates))
    z = ((mean - exact) / sem).abs()
    assert z.max() < 4.5, (mean, exact, z)


def test_numpy_in_numpy_out():
    reward = make_reward("f1_macro", classes=np.arange(3))
    proba = np.full((4, 3), 1 / 3)
    advantage, scores = reward.sample_credit(
        np.array([0, 1, 2, 1]), np.array([[0, 1, 2, 2], [1, 1, 0, 2]]), proba
    )
    assert isinstance(advantage, np.ndarray) and advantage.shape == (2, 4)
    assert isinstance(scores, np.ndarray) and scores.shape == (2,)


@pytest.mark.parametrize("per_vector", [False, True])
def test_entry_surrogate_equals_the_gathered_surrogate(per_vector):
    """The two-way decisions' loss from two weighted sums has the loss and
    the gradient of :func:`pg_surrogate`."""
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(40, dtype=torch.float64, generator=gen, requires_grad=True)
    two_way = torch.stack([torch.zeros_like(logits), logits], -1)
    log_proba = torch.log_softmax(two_way, 1)
    labels = sample_entries(log_proba.exp(), 6, generator=gen)
    advantage = torch.randn(6, 1 if per_vector else 40, dtype=torch.float64)
    losses = [f(log_proba, labels, advantage) for f in (pg_surrogate, entry_surrogate)]
    grads = [torch.autograd.grad(loss, logits, retain_graph=True)[0] for loss in losses]
    torch.testing.assert_close(losses[0], losses[1], rtol=0, atol=1e-12)
    torch.testing.assert_close(grads[0], grads[1], rtol=0, atol=1e-12)


def test_entries_are_drawn_with_their_probabilities():
    proba = torch.tensor([[0.9, 0.1], [0.5, 0.5], [0.02, 0.98]], dtype=torch.float64)
    draws = sample_entries(proba, 20_000, generator=torch.Generator().manual_seed(0))
    share = draws.double().mean(0)
    sem = torch.sqrt(proba[:, 1] * proba[:, 0] / 20_000)
    assert ((share - proba[:, 1]).abs() < 4.5 * sem).all(), share
