"""A property of per-sample credit shared by the tests of several scorers."""

import torch
from hypothesis import strategies as st


def assert_baseline_free_of_own_label(reward, seed, data, weighted=False):
    """``Reward.sample_credit``'s baseline of sample ``i`` in vector ``k``
    (score minus advantage) does not move when ``Y[k, i]`` takes any class:
    the condition for an unbiased policy gradient."""
    gen = torch.Generator().manual_seed(seed)
    n, C, K = 12, 3, 4
    y = torch.arange(n) % C
    proba = torch.randn(n, C, generator=gen, dtype=torch.float64).softmax(1)
    Y = torch.multinomial(proba, K, replacement=True, generator=gen).T
    w = torch.rand(n, generator=gen, dtype=torch.float64) + 0.5 if weighted else None
    advantage, scores = reward.sample_credit(y, Y, proba, w)
    k, i = data.draw(st.integers(0, K - 1)), data.draw(st.integers(0, n - 1))
    baseline = scores[k] - advantage[k, i]
    for c in range(C):
        Z = Y.clone()
        Z[k, i] = c
        adv_z, scores_z = reward.sample_credit(y, Z, proba, w)
        assert abs(float(scores_z[k] - adv_z[k, i] - baseline)) < 1e-12
