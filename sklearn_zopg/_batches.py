"""skorch ``iterator_train``: shuffled, class-stratified batches of row indices.

Scores such as F1 or ROC AUC are computed per batch: a batch without a
single positive gives a degenerate F1 and an undefined AUC. Batches are
therefore stratified: every class is spread evenly over the batches, so
each batch holds every class in about its overall proportion. When a class
has fewer rows than there would be batches, fewer (larger) batches are made,
so that each still holds at least one row of every class.
"""

import torch

__all__ = ["IndexBatches", "stratified_batches"]


def stratified_batches(labels, n_batches):
    """Shuffled batches of row indices, each holding every class.

    Parameters
    ----------
    labels : tensor of shape (n,)
        Class index of each row (on the CPU).
    n_batches : int
        At most this many batches; fewer when a class has fewer rows.

    Returns
    -------
    list of tensors of row indices, in random order. Uses torch's global
    generator (forked and seeded by the estimators for the length of fit).
    """
    counts = torch.bincount(labels)
    present = counts[counts > 0]
    n_batches = max(1, min(n_batches, int(present.min())))
    rows, batch_of = [], []
    for c in torch.nonzero(counts).flatten().tolist():
        members = torch.nonzero(labels == c).flatten()
        members = members[torch.randperm(members.numel())]
        # j-th member -> batch floor(j B / n_c): every batch gets one if n_c >= B;
        # a random rotation spreads the remainders over the batches.
        slot = torch.arange(members.numel()) * n_batches // members.numel()
        offset = int(torch.randint(n_batches, ()))
        rows.append(members)
        batch_of.append((slot + offset) % n_batches)
    rows, batch_of = torch.cat(rows), torch.cat(batch_of)
    order = torch.argsort(batch_of, stable=True)
    sizes = torch.bincount(batch_of, minlength=n_batches).tolist()
    batches = list(rows[order].split(sizes))
    return [batches[b] for b in torch.randperm(n_batches).tolist()]


class IndexBatches:
    """skorch ``iterator_train`` yielding batches of row indices.

    The rows themselves stay on the training device inside the train step;
    only indices are batched. With ``shuffle`` and labels (the dataset's
    ``y``), batches are class-stratified (see :func:`stratified_batches`) and
    hold about ``batch_size`` rows; without labels, plain shuffled slices.
    """

    def __init__(self, dataset, batch_size, shuffle=True):
        self.n_rows = len(dataset)
        y = getattr(dataset, "y", None)
        self.labels = None if y is None else torch.as_tensor(y).long().cpu()
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return -(-self.n_rows // self.batch_size)

    def __iter__(self):
        if self.shuffle and self.labels is not None:
            yield from stratified_batches(self.labels, len(self))
            return
        order = (
            torch.randperm(self.n_rows) if self.shuffle else torch.arange(self.n_rows)
        )
        yield from order.split(self.batch_size)
