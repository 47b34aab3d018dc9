"""Per-sample credit from a table of swap scores."""

__all__ = ["local_advantage"]


def local_advantage(swap, labels, proba):
    """Per-sample learning signal: own label's score minus its expectation.

    ``A[k, i] = swap[k, i, y_ki] - sum_c p_i(c) swap[k, i, c]``: the
    score of vector k minus the expected score over sample i's own label with
    the rest of the vector fixed. The subtracted term does not depend on
    ``y_ki``, so the estimate stays unbiased.

    Returns
    -------
    advantage : tensor of shape (K, n)
    scores : tensor of shape (K,)
        ``swap[k, i, y_ki]``, the same for every ``i``.
    """
    own = swap.gather(2, labels[..., None]).squeeze(-1)
    expected = (swap * proba.detach().to(swap.dtype)[None]).sum(-1)
    return own - expected, own[:, 0]
