"""How error messages show collections: the first few items and a count."""

import numpy as np

__all__ = ["CONTINUATIONS", "preview"]

# How a refused continuation is named, and its way out: a warm start of
# fit, or a later call of partial_fit.
CONTINUATIONS = {
    "warm_start": ("warm_start=True", "Set warm_start=False to start afresh."),
    "partial_fit": ("partial_fit", "Call fit to start afresh."),
}

# Items an error message lists before it summarizes the rest as a count.
PREVIEW_ITEMS = 5


def preview(items, limit=PREVIEW_ITEMS):
    """``items`` as a short list: all of them when there are at most
    ``limit``, else the first ``limit`` and how many there are in all.

    >>> preview([0, 1, 2])
    '[0, 1, 2]'
    >>> preview(range(2500))
    '[0, 1, 2, 3, 4, ...] (2,500 in all)'
    """
    if isinstance(items, np.ndarray):
        items = items.tolist()
    items = list(items)
    if len(items) <= limit:
        return repr(items)
    shown = ", ".join(repr(item) for item in items[:limit])
    return f"[{shown}, ...] ({len(items):,} in all)"
