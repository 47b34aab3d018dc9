"""The MLP's optional input map (``input_quantiles``): each numeric column
through its training quantiles onto a standard normal's.

Real tables hold heavy-tailed columns (counts, amounts, durations): after
a ``StandardScaler`` most of their rows sit bunched near zero and a few far
out, which an MLP resolves poorly while gradient boosting, splitting on
ranks, does not care. Mapping each column through its empirical quantiles
(as ``sklearn.preprocessing.QuantileTransformer(output_distribution=
"normal")`` does, a monotone piecewise-linear map) spreads them as ranks
do. Columns of at most two distinct values (one-hot codes, flags) pass
unchanged. The knots are buffers of the module: they move with it to a
device, save and load with it, and a user's scaler in front changes
nothing (the map is invariant to monotone transforms).
"""

import contextlib
import math

import torch
from torch import nn

from ._sparse import is_sparse_tensor

__all__ = ["QuantileInput", "input_map", "inputs_mapped", "mapped_rows"]

# Rows the knots are taken from: evenly spaced ones above this.
MAX_ROWS = 20_000
# Rows mapped at once by mapped_rows.
CHUNK_ROWS = 8192


def _interpolate(x, knots, values, right):
    """Per column ``j``, ``x[:, j]`` linearly interpolated between
    ``knots[j]`` (ascending) and ``values``, clamped at the ends; at a run
    of equal knots, its last value (``right``) or its first."""
    n_knots = knots.shape[1]
    columns = x.T.contiguous()
    upper = torch.searchsorted(knots, columns, right=right).clamp(1, n_knots - 1)
    lower = upper - 1
    k0, k1 = knots.gather(1, lower), knots.gather(1, upper)
    width = k1 - k0
    flat = width <= 0  # a run of equal knots at an end: its last or first value
    t = (columns - k0) / torch.where(flat, torch.ones_like(width), width)
    t = torch.where(flat, torch.full_like(t, float(right)), t).clamp(0, 1)
    return (values[lower] + t * (values[upper] - values[lower])).T


class QuantileInput(nn.Module):
    """Maps each fitted column through its quantiles onto a standard normal's.

    Parameters
    ----------
    n_features : int
        Input width.
    n_quantiles : int, default=64
        Knots per column.

    Notes
    -----
    Identity until :meth:`fit_inputs` has seen the training rows. A value
    shared by many rows (a count of zero) maps to the middle of its run of
    quantiles, as ``QuantileTransformer`` maps it. The training extremes
    and values beyond them map to the normal's quantiles of half a row in
    from each end (+-3.3 standard deviations at 1,000 rows;
    ``QuantileTransformer`` sends them to +-5.2).
    """

    def __init__(self, n_features, n_quantiles=64):
        super().__init__()
        self.register_buffer("knots", torch.zeros(n_features, n_quantiles))
        self.register_buffer("mapped", torch.zeros(n_features, dtype=torch.bool))
        self.register_buffer("levels", torch.linspace(0, 1, n_quantiles))
        # the probabilities the ends map to: half a row's weight in from 0, 1
        self.register_buffer("edge", torch.tensor(0.5))

    @torch.no_grad()
    def fit_inputs(self, X, sample_weight=None):
        """Take the knots from ``X``, a dense tensor of training rows (evenly
        spaced rows of it above 20,000), weighted by ``sample_weight``; a
        sparse ``X`` leaves the map off.

        Knot ``q`` is the first value whose share of the weight, counted
        from the lowest, reaches ``q`` (the inverted empirical CDF): a row
        of weight 2 counts as the row twice."""
        if is_sparse_tensor(X) or X.shape[0] < 3:
            return self
        step = max(1, math.ceil(X.shape[0] / MAX_ROWS))
        rows = X[::step].to(self.knots.dtype)
        weights = torch.ones(rows.shape[0], dtype=torch.float64, device=rows.device)
        if sample_weight is not None:
            weights = torch.as_tensor(sample_weight, dtype=torch.float64)[::step]
            weights = weights.to(rows.device)
        order = rows.argsort(dim=0, stable=True)
        shares = weights[order].cumsum(0)
        shares = (shares / shares[-1]).T.contiguous()
        wanted = self.levels.to(torch.float64).expand(rows.shape[1], -1)
        first = torch.searchsorted(shares, wanted.contiguous() - 1e-12)
        first = first.clamp(max=rows.shape[0] - 1)
        self.knots.copy_(rows.gather(0, order).T.gather(1, first))
        self.edge.fill_(0.5 / float(weights.sum()))  # half a row in from the ends
        self.mapped.copy_(
            torch.tensor(
                [torch.unique(column).numel() > 2 for column in rows.T],
                dtype=torch.bool,
                device=rows.device,
            )
        )
        return self

    passthrough = False  # set by inputs_mapped, never saved

    def forward(self, X):
        if self.passthrough or not bool(self.mapped.any()):
            return X
        if is_sparse_tensor(X):
            X = X.to_dense()
        knots, mapped = self.knots[self.mapped], self.mapped
        columns = X[:, mapped]
        # the middle of a run of equal knots, as QuantileTransformer maps it
        level = 0.5 * (
            _interpolate(columns, knots, self.levels, right=True)
            + _interpolate(columns, knots, self.levels, right=False)
        )
        out = X.clone()
        out[:, mapped] = torch.special.ndtri(level.clamp(self.edge, 1 - self.edge))
        return out


def input_map(module):
    """The fitted :class:`QuantileInput` that ``module`` applies first (an
    MLP's ``inputs``), or None."""
    first = getattr(module, "inputs", None)
    if isinstance(first, QuantileInput) and bool(first.mapped.any()):
        return first
    return None


@torch.no_grad()
def mapped_rows(module, X):
    """``X`` (a tensor of rows) through ``module``'s input map, once: a fit
    trains on these within :func:`inputs_mapped` instead of mapping every
    batch again (the map's search costs a step's worth on each batch)."""
    first = input_map(module)
    if first is None or is_sparse_tensor(X):
        return X
    return torch.cat([first(rows) for rows in X.split(CHUNK_ROWS)])


@contextlib.contextmanager
def inputs_mapped(module):
    """Within this block ``module``'s input map passes its input on: the
    rows it gets went through :func:`mapped_rows`."""
    first = input_map(module)
    if first is None:
        yield
        return
    first.passthrough = True
    try:
        yield
    finally:
        first.passthrough = False
