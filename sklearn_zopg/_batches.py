"""Training data as tensors, and skorch iterators that index them in batches.

The estimators keep the whole training set as tensors on the training device
and hand skorch a :class:`skorch.dataset.Dataset` of them: ``X`` is the
feature tensor, or the dict ``{"X": ..., "sample_weight": ...}`` when
``fit`` got weights (skorch's usual way to carry weights to ``get_loss``),
with the rows' positions in the user's ``X`` under ``"index"``.
The iterators index rows of those tensors directly: skorch's default
``DataLoader`` would collate one row at a time, many times slower for small
models.

Scores such as F1 or ROC AUC are computed per batch: a batch without a
single positive gives a degenerate F1 and an undefined AUC. Training batches
are therefore class-stratified (:func:`stratified_batches`).
"""

import numpy as np
import torch
from scipy.sparse import issparse
from skorch.dataset import Dataset

from ._sparse import csr_tensor, is_sparse_tensor, take_rows

__all__ = [
    "RowBatches",
    "as_tensors",
    "split_rows",
    "strata",
    "stratified_batches",
    "training_dataset",
]


def as_tensors(X, device=None, dtype=None):
    """``X`` (array, tensor or dict of them) as tensors; floats cast to ``dtype``.

    Tensors already on ``device`` with ``dtype`` are not copied. Arrays are
    copied first (read-only arrays and memmaps cannot back a tensor). A
    scipy sparse matrix or array, or a torch sparse tensor, becomes a torch
    CSR tensor (never a dense one).
    """
    if isinstance(X, dict):
        return {
            key: as_tensors(value, device, dtype if key == "X" else None)
            for key, value in X.items()
        }
    if issparse(X) or is_sparse_tensor(X):
        return csr_tensor(X, device, dtype)
    if not torch.is_tensor(X):
        X = torch.as_tensor(np.array(X))
    if dtype is not None and X.is_floating_point():
        X = X.to(dtype)
    return X if device is None else X.to(device)


def training_dataset(X, y, sample_weight=None, index=None):
    """The skorch ``Dataset`` a fit trains on: ``X``, or the dict
    ``{"X", "sample_weight", "index"}`` of the features, the rows' weights
    and their positions in the user's ``X`` (so that a scorer reading ``X``
    gets the user's own rows: :meth:`~sklearn_zopg.Reward.rows`), each key
    present when given."""
    extra = {"sample_weight": sample_weight, "index": index}
    extra = {key: value for key, value in extra.items() if value is not None}
    return Dataset({"X": X, **extra} if extra else X, y)


def split_rows(X, rows):
    """Rows of ``X``, a tensor (dense or CSR) or a dict of tensors."""
    if isinstance(X, dict):
        return {key: split_rows(value, rows) for key, value in X.items()}
    return take_rows(X, rows) if is_sparse_tensor(X) else X[rows]


def strata(y):
    """The class index of each row to stratify on; for a multilabel indicator
    matrix, the row's rarest positive label (``L`` for a row of zeros), so
    that rare labels are spread over the batches too; None for regression
    targets."""
    y = torch.as_tensor(y).cpu()
    if y.is_floating_point():  # regression targets: nothing to stratify on
        return None
    y = y.long()
    if y.ndim == 1:
        return y
    counts = y.sum(0)
    rarity = torch.where(y == 1, counts, torch.iinfo(torch.int64).max)
    return torch.where(y.any(1), rarity.argmin(1), y.shape[1])


def stratified_batches(labels, n_batches, generator=None):
    """Shuffled batches of row indices, every common class in every batch.

    Every class with at least ``n_batches`` rows is spread evenly over the
    batches, so each batch holds it in about its overall proportion. Rarer
    classes are spread one row per batch over randomly chosen batches: one
    singleton class must not shrink the whole epoch to one batch. With two
    classes, though, a batch without the minority class makes F1 degenerate
    and ROC AUC undefined, so fewer (larger) batches are made instead, as
    many as the minority has rows.

    Parameters
    ----------
    labels : tensor of shape (n,)
        Class index of each row (on the CPU).
    n_batches : int
        Number of batches wanted.
    generator : torch.Generator, default=None
        CPU generator for the shuffles (None: torch's global one).

    Returns
    -------
    list of tensors of row indices, in random order.
    """
    counts = torch.bincount(labels)
    present = counts[counts > 0]
    if len(present) == 2:
        n_batches = min(n_batches, int(present.min()))
    n_batches = max(1, n_batches)
    rows, batch_of = [], []
    for c in torch.nonzero(counts).flatten().tolist():
        members = torch.nonzero(labels == c).flatten()
        members = members[torch.randperm(members.numel(), generator=generator)]
        if members.numel() >= n_batches:
            # j-th member -> batch floor(j B / n_c), rotated at random so that
            # the remainders fall on different batches each epoch.
            slot = torch.arange(members.numel()) * n_batches // members.numel()
            offset = int(torch.randint(n_batches, (), generator=generator))
            slot = (slot + offset) % n_batches
        else:
            slot = torch.randperm(n_batches, generator=generator)[: members.numel()]
        rows.append(members)
        batch_of.append(slot)
    rows, batch_of = torch.cat(rows), torch.cat(batch_of)
    order = torch.argsort(batch_of, stable=True)
    sizes = torch.bincount(batch_of, minlength=n_batches).tolist()
    batches = list(rows[order].split(sizes))
    return [batches[b] for b in torch.randperm(n_batches, generator=generator)]


class RowBatches:
    """skorch iterator over a :class:`~skorch.dataset.Dataset` of tensors.

    Yields ``(X_rows, y_rows)`` by indexing the tensors (``X_rows`` a dict
    when the dataset carries sample weights). With ``shuffle`` and labels,
    batches are class-stratified (:func:`stratified_batches`) and hold about
    ``batch_size`` rows; with ``shuffle`` alone (regression targets), as
    many batches, of sizes that differ by one row at most (a last batch of
    one row would leave R² or a correlation undefined); otherwise
    consecutive slices (validation, predict).

    Parameters
    ----------
    dataset : skorch.dataset.Dataset
    batch_size : int
    shuffle : bool, default=False
    generator : torch.Generator, default=None
        CPU generator of the shuffles; the net passes its own, seeded by the
        estimator's ``random_state``.
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None):
        if not hasattr(dataset, "X"):
            raise TypeError(
                "sklearn_zopg's nets train on a skorch Dataset of arrays or "
                f"tensors (X, y); got {type(dataset).__name__}."
            )
        self.X = as_tensors(dataset.X)
        self.y = None if dataset.y is None else as_tensors(dataset.y)
        self.n_rows = len(dataset)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        return -(-self.n_rows // self.batch_size)

    def _batches(self):
        labels = None if self.y is None else strata(self.y)
        if self.shuffle and labels is not None:
            return stratified_batches(labels, len(self), self.generator)
        if self.shuffle:  # batches of equal sizes: no scrap of one row at the end
            order = torch.randperm(self.n_rows, generator=self.generator)
            return order.tensor_split(len(self))
        return torch.arange(self.n_rows).split(self.batch_size)

    def __iter__(self):
        for rows in self._batches():
            X_rows = split_rows(self.X, rows)
            yield X_rows, (None if self.y is None else self.y[rows])
