"""Policy-gradient estimators: pure tensor functions, tested against exact gradients.

- :func:`sample_labels` / :func:`pg_surrogate`: policy gradient (REINFORCE).
- :func:`local_advantage`: per-sample credit from ``Reward.swap_scores``.
- :func:`logit_grad_sq_norms`: ``||grad log p(Y_k)||^2`` in logit space.
"""

import torch

from ._baselines import pg_baseline

__all__ = [
    "exact_surrogate",
    "local_advantage",
    "pg_advantage",
    "logit_grad_sq_norms",
    "pg_surrogate",
    "sample_labels",
]


def sample_labels(log_proba, n_samples, generator=None):
    """Draw ``n_samples`` label vectors from ``p(y|x)``; shape ``(K, n)``."""
    proba = log_proba.detach().exp()
    return torch.multinomial(proba, n_samples, replacement=True, generator=generator).T


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


def local_advantage(swap, labels, proba):
    """Per-sample learning signal: own label's score minus its expectation.

    ``A[k, i] = swap[k, i, y_ki] - sum_c p_i(c) swap[k, i, c]``: the
    score of vector k minus the expected score over sample i's own label with
    the rest of the vector fixed. The subtracted term does not depend on
    ``y_ki``, so the estimate stays unbiased.
    """
    own = swap.gather(2, labels[..., None]).squeeze(-1)
    expected = (swap * proba.detach().to(swap.dtype)[None]).sum(-1)
    return own - expected


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
        Per-sample credit (:func:`local_advantage`) or the vector's score
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
        swap = reward.swap_scores(y_true, labels, sample_weight)
        scores = swap.gather(2, labels[..., None])[:, 0, 0]
        return local_advantage(swap, labels, proba), scores
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
