"""Sparse rows: scipy matrices as torch CSR tensors, their rows, and a
linear layer that multiplies them without densifying.

A sparse ``X`` (text features, one-hot columns) is kept as one
``torch.sparse_csr_tensor`` on the training device: its memory grows with
the stored values, not with ``n_samples * n_features``. Batches take rows of
it (:func:`take_rows`); the default module's first layer,
:class:`SparseInputLinear`, multiplies a CSR batch by gathering the weight
columns of the stored values and summing them per row, and its backward
pass scatters the rows' gradients back into those columns. Measured in
``benchmarks/speed.py`` (table "sparse first layer") against torch's own
``F.linear`` on a CSR tensor and ``EmbeddingBag``.
"""

import warnings

import numpy as np
import torch
from scipy import sparse
from torch import nn

__all__ = [
    "SPARSE_FORMAT",
    "SparseInputLinear",
    "concat_rows",
    "csr_tensor",
    "density",
    "is_sparse_tensor",
    "probe_rows",
    "row_chunks",
    "sparse_linear",
    "take_rows",
    "to_scipy",
]


def is_sparse_tensor(X):
    """Whether ``X`` is a torch sparse tensor (CSR, or another sparse layout)."""
    return torch.is_tensor(X) and X.layout != torch.strided


def density(X):
    """The share of ``X``'s entries that are stored: 1 for a dense array or
    tensor, ``nnz / (rows * columns)`` for a scipy or torch sparse one."""
    n_entries = X.shape[0] * X.shape[1] if len(X.shape) == 2 else 0
    if not n_entries:
        return 1.0
    if sparse.issparse(X):
        return X.nnz / n_entries
    if is_sparse_tensor(X):
        return X.values().numel() / n_entries
    return 1.0


def _csr(crow, col, values, shape):
    """A CSR tensor from its parts, unchecked (they come from a valid CSR)."""
    with warnings.catch_warnings():
        # torch warns once per process that its CSR support is "beta".
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support")
        return torch.sparse_csr_tensor(
            crow, col, values, size=tuple(shape), check_invariants=False
        )


def csr_tensor(X, device=None, dtype=None):
    """A scipy sparse matrix or array, or a torch sparse tensor, as a torch
    CSR tensor (int64 indices) on ``device``, its values cast to ``dtype``."""
    if torch.is_tensor(X):
        if X.layout != torch.sparse_csr:
            X = X.to_sparse_csr()
        crow, col, values = X.crow_indices(), X.col_indices(), X.values()
    else:
        X = sparse.csr_array(X)
        crow = torch.from_numpy(X.indptr.astype(np.int64))
        col = torch.from_numpy(X.indices.astype(np.int64))
        values = torch.from_numpy(np.array(X.data))
    parts = [crow.long(), col.long(), values if dtype is None else values.to(dtype)]
    if device is not None:
        parts = [part.to(device) for part in parts]
    return _csr(*parts, X.shape)


def take_rows(X, rows):
    """Rows ``rows`` (an index tensor) of the CSR tensor ``X``, in that order."""
    crow, col, values = X.crow_indices(), X.col_indices(), X.values()
    rows = torch.as_tensor(rows, device=crow.device).long()
    starts, lengths = crow[rows], crow[rows + 1] - crow[rows]
    new_crow = torch.zeros(len(rows) + 1, dtype=crow.dtype, device=crow.device)
    torch.cumsum(lengths, 0, out=new_crow[1:])
    # Position of each kept value in X: its row's start plus its rank there.
    offsets = torch.repeat_interleave(starts - new_crow[:-1], lengths)
    positions = torch.arange(len(offsets), device=crow.device) + offsets
    return _csr(new_crow, col[positions], values[positions], (len(rows), X.shape[1]))


def concat_rows(parts):
    """The CSR tensors ``parts`` stacked row-wise (dense tensors: ``cat``)."""
    if not is_sparse_tensor(parts[0]):
        return torch.cat(parts)
    crows, shift = [parts[0].crow_indices()[:1]], 0
    for part in parts:
        crows.append(part.crow_indices()[1:] + shift)
        shift += part.values().numel()
    return _csr(
        torch.cat(crows),
        torch.cat([part.col_indices() for part in parts]),
        torch.cat([part.values() for part in parts]),
        (sum(part.shape[0] for part in parts), parts[0].shape[1]),
    )


def row_chunks(X, size):
    """``X`` in consecutive chunks of ``size`` rows (a dense or CSR tensor)."""
    if not is_sparse_tensor(X):
        return list(X.split(size))
    return [
        take_rows(X, torch.arange(start, min(start + size, X.shape[0])))
        for start in range(0, X.shape[0], size)
    ]


def to_scipy(X):
    """A torch CSR tensor as a scipy ``csr_array`` on the host (a copy)."""
    X = X.detach().cpu()
    return sparse.csr_array(
        (
            X.values().numpy().copy(),
            X.col_indices().numpy().copy(),
            X.crow_indices().numpy().copy(),
        ),
        shape=tuple(X.shape),
    )


class _SparseLinear(torch.autograd.Function):
    """``X @ weight.T`` for a CSR ``X``.

    Forward: each row sums the weight columns of its stored values, scaled
    by them (``embedding_bag`` over ``weight.T``, 15x faster than torch's
    CSR product here). Backward: only the columns of features present in the
    batch have a nonzero gradient; it is summed compactly, one contiguous
    row per distinct feature, then written into those columns. No gradient
    for ``X`` (the data).
    """

    @staticmethod
    def forward(ctx, X, weight):
        crow, col, values = X.crow_indices(), X.col_indices(), X.values()
        values = values.to(weight.dtype)
        ctx.save_for_backward(crow, col, values)
        ctx.n_features = X.shape[1]
        if not X.shape[0]:
            return weight.new_zeros(0, weight.shape[0])
        return torch.nn.functional.embedding_bag(
            col, weight.T, crow[:-1], mode="sum", per_sample_weights=values
        )

    @staticmethod
    def backward(ctx, grad_out):
        crow, col, values = ctx.saved_tensors
        row_of = torch.repeat_interleave(
            torch.arange(len(crow) - 1, device=crow.device), crow.diff()
        )
        features, position = torch.unique(col, return_inverse=True)
        compact = grad_out.new_zeros(len(features), grad_out.shape[1])
        compact.index_add_(0, position, grad_out[row_of] * values[:, None])
        grad_weight = grad_out.new_zeros(grad_out.shape[1], ctx.n_features)
        return None, grad_weight.index_copy_(1, features, compact.T)


def sparse_linear(X, weight, bias=None):
    """``X @ weight.T + bias``, for a dense or a sparse ``X`` (CSR, or a
    layout torch converts to CSR); differentiable in ``weight`` and ``bias``."""
    if not is_sparse_tensor(X):
        return torch.nn.functional.linear(X, weight, bias)
    if X.layout != torch.sparse_csr:
        X = csr_tensor(X)
    out = _SparseLinear.apply(X, weight)
    return out if bias is None else out + bias


class SparseInputLinear(nn.Linear):
    """``nn.Linear`` that also takes a sparse batch.

    The first layer of the default module: a dense input is multiplied as
    by ``nn.Linear``; a torch sparse CSR tensor (what the estimators hand a
    module when ``X`` is a scipy sparse matrix) is multiplied without being
    made dense, in time and memory proportional to its stored values. Its
    parameters, initialization and ``state_dict`` are those of ``nn.Linear``,
    so a module fitted on dense input continues on sparse input and back.
    Use it as the first layer of a module of your own to take sparse ``X``.

    Parameters
    ----------
    in_features, out_features, bias, device, dtype
        As for ``torch.nn.Linear``.

    Examples
    --------
    >>> import torch
    >>> from sklearn_zopg import SparseInputLinear
    >>> layer = SparseInputLinear(1000, 4)
    >>> X = (torch.rand(8, 1000) > 0.99).float().to_sparse_csr()
    >>> layer(X).shape
    torch.Size([8, 4])
    """

    def forward(self, input):
        return sparse_linear(input, self.weight, self.bias)


# The format validate_data converts any sparse X to (CSR: rows are batches).
SPARSE_FORMAT = "csr"


def probe_rows(X, device, dtype):
    """Two rows of zeros of ``X``'s width and kind (dense, or CSR when ``X``
    is sparse), to check a module's output before training."""
    if sparse.issparse(X):
        return csr_tensor(sparse.csr_array((2, X.shape[1])), device, dtype)
    return torch.zeros(2, X.shape[1], device=device, dtype=dtype)
