"""Baselines: numbers subtracted from rewards to cut the variance of an estimate.

Pure tensor functions. ``rewards`` has shape ``(K,)`` (one per sampled label
vector or perturbation); each function returns a tensor broadcastable to it.
"""

import torch

__all__ = ["pg_baseline"]


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
