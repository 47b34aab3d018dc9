"""Baselines: numbers subtracted from rewards to cut the variance of an estimate.

Pure tensor functions. ``rewards`` has shape ``(K,)`` (one per sampled label
vector or perturbation); each function returns a tensor broadcastable to it.
"""

import torch

__all__ = ["centered_ranks", "pg_baseline", "zo_baseline"]


def pg_baseline(kind, rewards, grad_sq_norms=None, greedy_reward=None):
    """Baseline of batch-level policy gradient.

    Parameters
    ----------
    kind : {"none", "mean", "optimal", "loo", "greedy"}
        ``"mean"``: mean of the K rewards. ``"optimal"``: the post's
        ``E[r ||g||^2] / E[||g||^2]`` with ``g`` the gradient of the vector's
        log-probability (``grad_sq_norms``). ``"loo"``: for vector k, the mean
        of the other K-1 rewards (unbiased). ``"greedy"``: the reward of the
        model's current argmax labels (``greedy_reward``).
    rewards : tensor of shape (K,)
    grad_sq_norms : tensor of shape (K,), optional
    greedy_reward : tensor of shape (), optional
    """
    if kind == "none":
        return torch.zeros_like(rewards)
    if kind == "mean":
        return rewards.mean().expand_as(rewards)
    if kind == "optimal":
        total = grad_sq_norms.sum()
        if total == 0:
            return rewards.mean().expand_as(rewards)
        return ((rewards * grad_sq_norms).sum() / total).expand_as(rewards)
    if kind == "loo":
        K = rewards.shape[0]
        if K < 2:
            return torch.zeros_like(rewards)
        return (rewards.sum() - rewards) / (K - 1)
    if kind == "greedy":
        return greedy_reward.expand_as(rewards)
    raise ValueError(f"Unknown policy-gradient baseline {kind!r}.")


def zo_baseline(kind, rewards, direction_sq_norms=None, current_reward=None):
    """Baseline of the zeroth-order estimate.

    ``"current"``: F(theta), the unperturbed model's score. ``"optimal"``:
    ``E[F(theta + eps u) ||u||^2] / E[||u||^2]`` (the post's optimum).
    ``"mean"``: mean of the K perturbed scores.
    """
    if kind == "none":
        return torch.zeros_like(rewards)
    if kind == "current":
        return current_reward.expand_as(rewards)
    if kind == "optimal":
        return (
            (rewards * direction_sq_norms).sum() / direction_sq_norms.sum()
        ).expand_as(rewards)
    if kind == "mean":
        return rewards.mean().expand_as(rewards)
    raise ValueError(f"Unknown zeroth-order baseline {kind!r}.")


def centered_ranks(scores):
    """OpenAI-ES fitness shaping: ranks mapped linearly onto [-0.5, 0.5].

    Ties share their mean rank, so equal scores get equal (possibly zero)
    weight. Invariant to any increasing transformation of the scores.
    """
    K = scores.shape[0]
    if K < 2:
        return torch.zeros_like(scores)
    order = scores.argsort()
    ranks = torch.empty_like(scores)
    ranks[order] = torch.arange(K, dtype=scores.dtype, device=scores.device)
    # average ranks over ties
    unique, inverse = torch.unique(scores, return_inverse=True)
    sums = torch.zeros_like(unique).index_add_(0, inverse, ranks)
    counts = torch.zeros_like(unique).index_add_(0, inverse, torch.ones_like(ranks))
    ranks = (sums / counts)[inverse]
    return ranks / (K - 1) - 0.5
