"""Baselines: numbers subtracted from rewards to cut the variance of an estimate.

Pure tensor functions. ``rewards`` has shape ``(K,)`` (one per sampled label
vector or perturbation); each function returns a tensor broadcastable to it.
"""

import torch

__all__ = ["centered_ranks", "zo_baseline"]


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
