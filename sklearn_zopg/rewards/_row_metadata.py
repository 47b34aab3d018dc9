"""The scorer's routed metadata, sliced to the rows each scorer call scores."""

from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _is_arraylike_not_scalar, _num_samples

__all__ = ["RowMetadata"]


class RowMetadata:
    """Metadata routed to a scorer (``set_score_request``) for data of
    ``n_rows`` rows: values with one entry per row (a per-row cost) are
    sliced to the scored rows, as ``cross_validate`` slices them; the others
    (scalars, a fixed array of another length) are passed as they are.

    Parameters
    ----------
    values : dict
        Metadata name to value, as the user passed them.
    n_rows : int or None
        The number of rows of the data they belong to.
    """

    def __init__(self, values, n_rows):
        self.values = values
        self.n_rows = n_rows
        self._bound = {}

    def bound(self, metric):
        """``metric.for_rows`` of all the rows, computed once: a metric
        whose values come from the metadata (per-row costs) binds them for
        the whole data, and each scorer call slices its rows."""
        key = id(metric)
        if key not in self._bound:
            self._bound[key] = (metric, metric.for_rows(self.values, self.n_rows))
        return self._bound[key][1]

    def __bool__(self):
        return bool(self.values)

    def _per_row(self, value):
        return _is_arraylike_not_scalar(value) and _num_samples(value) == self.n_rows

    def of_rows(self, index, n):
        """The metadata of ``n`` scored rows at positions ``index`` of the
        data (None: unknown, allowed only when they are all the rows)."""
        if index is None:
            if n != self.n_rows and any(map(self._per_row, self.values.values())):
                raise ValueError(
                    f"A scorer call on {n} of the {self.n_rows} rows does not "
                    "know which rows it scores, so per-row metadata cannot be "
                    "sliced for it."
                )
            return dict(self.values)
        return {
            name: _safe_indexing(value, index) if self._per_row(value) else value
            for name, value in self.values.items()
        }
