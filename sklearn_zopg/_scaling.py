"""A warning when the features' scales differ by orders of magnitude.

An MLP trained on raw features whose scales differ that much trains
poorly, whatever its training signal (breast cancer's raw columns, whose
standard deviations span five orders of magnitude, are an example). Scaled
data never warns: every column's standard deviation is then 1 (or 0).
"""

import warnings

import numpy as np
from scipy.sparse import issparse

__all__ = ["SCALE_RATIO", "warn_if_unscaled"]

# Largest ratio of the features' standard deviations that passes silently:
# raw handwritten digits (pixel intensities, 277) pass, raw breast cancer
# (2e5) warns.
SCALE_RATIO = 1e4
# Rows the standard deviations are estimated on (evenly spaced): the check
# costs no more than a copy of that many rows, whatever the data's size.
_ROWS = 10_000


def warn_if_unscaled(X, estimator_name):
    """Warn, naming the fix, when the standard deviations of dense ``X``'s
    non-constant columns differ by more than ``SCALE_RATIO``. Sparse input
    (counts, TF-IDF, one-hot) is not checked."""
    if issparse(X) or X.ndim != 2 or X.shape[0] < 2 or X.shape[1] < 2:
        return
    rows = X[:: max(1, X.shape[0] // _ROWS)]
    std = rows.std(axis=0, dtype=np.float64)
    std = std[std > 0]
    if std.size < 2 or std.max() <= SCALE_RATIO * std.min():
        return
    warnings.warn(
        f"The features' standard deviations range from {std.min():.3g} to "
        f"{std.max():.3g} (a factor of {std.max() / std.min():.0e}): the MLP "
        "trains poorly on features of such different scales. Put a scaler "
        f"before the estimator: make_pipeline(StandardScaler(), "
        f"{estimator_name}(...)).",
        UserWarning,
        stacklevel=4,
    )
