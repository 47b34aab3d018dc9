"""The zeroth-order gradient estimate, a pure tensor function."""

__all__ = ["zo_gradient"]


def zo_gradient(weights, directions, epsilon):
    """Zeroth-order ascent direction ``sum_k w_k u_k / (eps K)``.

    Parameters
    ----------
    weights : tensor of shape (K,)
        ``F(theta + eps u_k) - b`` (or fitness-shaped scores).
    directions : Directions
        The K directions (stored or regenerated, see ``_directions``).
    epsilon : float

    Returns
    -------
    list of tensors, one per perturbed parameter.
    """
    return directions.combine(weights / (epsilon * len(directions)))
