"""Gradient estimators against exact gradients, statistically."""

import itertools

import numpy as np
import pytest
import torch

from sklearn_zopg import make_reward
from sklearn_zopg.pg._baselines import pg_baseline
from sklearn_zopg.pg._gradient import (
    logit_grad_sq_norms,
    pg_advantage,
    pg_surrogate,
    sample_labels,
)
from sklearn_zopg.zo._baselines import zo_baseline
from sklearn_zopg.zo._directions import Directions
from sklearn_zopg.zo._gradient import zo_gradient

N, C = 5, 2
Y_TRUE = torch.tensor([1, 0, 1, 0, 0])


def exact_policy_gradient(logits, reward):
    """grad of E_{Y~p}[r(Y)] by enumerating all C**N label vectors."""
    logits = logits.clone().requires_grad_(True)
    log_p = torch.log_softmax(logits, 1)
    vectors = torch.tensor(list(itertools.product(range(C), repeat=N)))
    scores = reward(Y_TRUE, vectors)
    log_prob = log_p.gather(1, vectors.T).T.sum(1)
    (torch.exp(log_prob) * scores.to(log_p.dtype)).sum().backward()
    return logits.grad


def estimates(logits, reward, credit, K, repeats, seed=0):
    gen = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(repeats):
        x = logits.clone().requires_grad_(True)
        log_p = torch.log_softmax(x, 1)
        labels = sample_labels(log_p, K, generator=gen)
        adv, _ = pg_advantage(
            reward, Y_TRUE, labels, log_p.detach().exp(), credit=credit, baseline="loo"
        )
        pg_surrogate(log_p, labels, adv).backward()
        out.append(-x.grad)  # the surrogate is minus the objective
    return torch.stack(out)


@pytest.fixture(scope="module")
def problem():
    torch.manual_seed(0)
    logits = torch.randn(N, C, dtype=torch.float64)
    reward = make_reward("f1", classes=np.array([0, 1]))
    return logits, reward, exact_policy_gradient(logits, reward)


@pytest.mark.parametrize("credit", ["batch", "sample"])
def test_pg_estimates_are_unbiased(problem, credit):
    logits, reward, exact = problem
    est = estimates(logits, reward, credit, K=8, repeats=3000)
    mean, sem = est.mean(0), est.std(0) / np.sqrt(len(est))
    z = ((mean - exact) / sem).abs()
    assert z.max() < 4.5, (mean, exact, z)
    assert (
        torch.nn.functional.cosine_similarity(mean.flatten(), exact.flatten(), 0) > 0.95
    )


def test_sample_credit_has_lower_variance(problem):
    logits, reward, _ = problem
    batch = estimates(logits, reward, "batch", K=8, repeats=1000).var(0).sum()
    sample = estimates(logits, reward, "sample", K=8, repeats=1000).var(0).sum()
    assert sample < batch / 2, (float(sample), float(batch))


def test_baselines():
    r = torch.tensor([1.0, 2.0, 3.0, 6.0])
    assert torch.equal(pg_baseline("none", r), torch.zeros(4))
    assert torch.allclose(pg_baseline("mean", r), torch.full((4,), 3.0))
    assert torch.allclose(pg_baseline("loo", r), torch.tensor([11, 10, 9, 6]) / 3.0)
    norms = torch.tensor([1.0, 1.0, 1.0, 3.0])
    assert torch.allclose(pg_baseline("optimal", r, norms), torch.full((4,), 24 / 6))
    assert torch.allclose(
        pg_baseline("greedy", r, greedy_reward=torch.tensor(5.0)), torch.full((4,), 5.0)
    )
    assert torch.allclose(zo_baseline("optimal", r, norms), torch.full((4,), 4.0))
    assert torch.allclose(
        zo_baseline("current", r, current_reward=torch.tensor(2.0)),
        torch.full((4,), 2.0),
    )


def test_logit_grad_sq_norms_match_autograd():
    torch.manual_seed(1)
    logits = torch.randn(4, 3, dtype=torch.float64)
    labels = torch.tensor([[0, 2, 1, 1], [2, 2, 0, 1]])
    proba = torch.softmax(logits, 1)
    expected = []
    for row in labels:
        x = logits.clone().requires_grad_(True)
        torch.log_softmax(x, 1).gather(1, row[:, None]).sum().backward()
        expected.append((x.grad**2).sum())
    torch.testing.assert_close(
        logit_grad_sq_norms(proba, labels), torch.stack(expected)
    )


@pytest.mark.parametrize("baseline", ["none", "current", "optimal"])
def test_zo_gradient_matches_smooth_gradient(baseline):
    """On a smooth F, the ZO estimate's mean is grad F (small epsilon)."""
    torch.manual_seed(2)
    A = torch.randn(6, 6, dtype=torch.float64)
    theta = torch.randn(6, dtype=torch.float64)

    def F(t):
        return -((t @ A.T) ** 2).sum(-1) / 10 + t.sum(-1)

    exact = torch.func.grad(F)(theta)
    eps, K = 1e-3, 20000
    directions = Directions("gaussian", K, [theta])
    u = directions.stacked()[0]
    scores = F(theta + eps * u)
    b = zo_baseline(baseline, scores, directions.sq_norms(), F(theta))
    est = zo_gradient(scores - b, directions, eps)[0]
    tol = 0.6 if baseline == "none" else 0.1  # no baseline: F/eps noise
    assert torch.nn.functional.cosine_similarity(est, exact, 0) > 1 - tol


@pytest.mark.parametrize("scoring", ["accuracy", "balanced_accuracy"])
def test_exact_mode_equals_enumerated_gradient(scoring):
    from sklearn_zopg.pg._gradient import exact_surrogate

    torch.manual_seed(3)
    logits = torch.randn(N, C, dtype=torch.float64)
    reward = make_reward(scoring, classes=np.array([0, 1]))
    assert reward.decomposable
    expected = exact_policy_gradient(logits, reward)
    x = logits.clone().requires_grad_(True)
    proba = torch.softmax(x, 1)
    table = reward.swap_scores(Y_TRUE, proba.detach().argmax(1)[None])[0]
    exact_surrogate(proba, table).backward()
    torch.testing.assert_close(-x.grad, expected)


def test_f1_is_not_decomposable():
    assert not make_reward("f1", classes=np.array([0, 1])).decomposable
