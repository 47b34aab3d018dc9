"""Policy-gradient estimators: pure tensor functions, tested against exact gradients.

- :func:`sample_labels` / :func:`pg_surrogate`: policy gradient (REINFORCE).
- :func:`pg_advantage`: the learning signal of each sampled label.
- :func:`logit_grad_sq_norms`: ``||grad log p(Y_k)||^2`` in logit space.
"""

import torch

from ._baselines import pg_baseline

__all__ = [
    "entry_surrogate",
    "exact_surrogate",
    "pg_advantage",
    "logit_grad_sq_norms",
    "pg_surrogate",
    "sample_entries",
    "sample_labels",
]


def sample_labels(log_proba, n_samples, generator=None):
    """Draw ``n_samples`` label vectors from ``p(y|x)``; shape ``(K, n)``."""
    proba = log_proba.detach().exp()
    return torch.multinomial(proba, n_samples, replacement=True, generator=generator).T


def sample_entries(proba, n_samples, generator=None):
    """Draw ``n_samples`` vectors of two-way decisions, shape ``(K, n)``.

    ``proba`` is ``(n, 2)``: :func:`sample_labels` in distribution, one
    uniform number per decision instead of a multinomial draw (5x faster on
    the ``n * L`` entries of a multilabel batch).
    """
    one = proba[:, 1].detach()
    shape = (n_samples, one.shape[0])
    # float32 draws (2^-24 apart) are enough for a threshold, and 1.5x faster
    u = torch.rand(shape, generator=generator, device=one.device)
    return (u < one).long()


def entry_surrogate(log_proba, labels, advantage):
    """:func:`pg_surrogate` of two-way decisions, from two weighted sums.

    ``-(1/K) sum_i (a1_i log p_i(1) + a0_i log p_i(0))`` with ``a1`` the
    advantages summed over the vectors that drew a 1 and ``a0`` over those
    that drew a 0: the same loss and gradient without a ``(K, n)`` gather
    (nor its scatter in the backward pass) over the ``n * L`` entries of a
    multilabel batch.
    """
    advantage = advantage.detach().to(log_proba.dtype)
    drawn_one = (advantage * labels).sum(0)
    drawn_zero = advantage.sum(0) - drawn_one
    K = labels.shape[0]
    return -(drawn_one * log_proba[:, 1] + drawn_zero * log_proba[:, 0]).sum() / K


def pg_surrogate(log_proba, labels, advantage):
    """Surrogate loss whose gradient is minus the REINFORCE estimate.

    ``-(1/K) sum_k sum_i A[k, i] log p(labels[k, i] | x_i)``, with the
    advantage ``A`` (reward minus baseline) held constant.

    Parameters
    ----------
    log_proba : tensor of shape (n, C)
        ``log softmax(f(x) / T)``, differentiable.
    labels : tensor of shape (K, n)
        Sampled class indices.
    advantage : tensor of shape (K, n) or (K, 1)
    """
    chosen = log_proba.gather(1, labels.T).T  # K, n
    advantage = advantage.detach().to(log_proba.dtype)
    return -(advantage * chosen).sum(1).mean()


def pg_advantage(
    reward,
    y_true,
    labels,
    proba,
    sample_weight=None,
    *,
    credit="sample",
    baseline="mean",
    greedy_reward=None,
):
    """Learning signal of each sampled label, and the vectors' scores.

    Parameters
    ----------
    reward : Reward
    y_true : tensor of shape (n,)
    labels : tensor of shape (K, n)
        Sampled class indices.
    proba : tensor of shape (n, C)
        The policy's probabilities (no gradient needed).
    sample_weight : tensor of shape (n,), optional
    credit : {"sample", "batch"}
        Per-sample credit (``reward.sample_credit``) or the vector's score
        minus ``baseline`` for every sample.
    baseline : str
        See :func:`pg_baseline` (``credit="batch"`` only).
    greedy_reward : tensor of shape (), optional
        Score of the argmax labels, for ``baseline="greedy"``.

    Returns
    -------
    advantage : tensor of shape (K, n) or (K, 1)
    scores : tensor of shape (K,)
    """
    if credit == "sample":
        return reward.sample_credit(y_true, labels, proba, sample_weight)
    scores = reward(y_true, labels, sample_weight)
    norms = logit_grad_sq_norms(proba, labels) if baseline == "optimal" else None
    b = pg_baseline(baseline, scores, norms, greedy_reward)
    return (scores - b)[:, None], scores


def exact_surrogate(proba, swap):
    """Minus the expected score, exactly, for a score that is a sum over samples.

    ``swap[i, c]`` is the score with sample i's label set to c (the
    others fixed at any labels). For a decomposable score,
    ``sum_i sum_c p_i(c) swap[i, c]`` differs from the expected
    score by a constant, so its gradient is the exact policy gradient: zero
    variance, no sampling.
    """
    return -(proba * swap.detach().to(proba.dtype)).sum()


def logit_grad_sq_norms(proba, labels):
    """``||e_y - p||^2`` summed over a vector's samples, shape ``(K,)``.

    The squared gradient norm of ``log p(Y_k)`` with respect to the logits
    (exact, up to a factor that cancels, for the last linear layer per sample).
    """
    onehot = torch.nn.functional.one_hot(labels, proba.shape[1]).to(proba.dtype)
    return ((onehot - proba.detach()[None]) ** 2).sum((1, 2))
