"""Default torch modules, and building the module an estimator trains."""

import copy
import inspect
import math

import numpy as np
import torch
from scipy.sparse import issparse
from torch import nn

from ._quantiles import MAX_ROWS as QUANTILE_ROWS
from ._quantiles import QuantileInput
from ._sparse import SparseInputLinear, is_sparse_tensor

__all__ = ["MLP", "build_module", "check_module_output"]

# Arguments a module class gets from the data when its __init__ names them.
DATA_ARGUMENTS = ("n_features", "n_classes")


class MLP(nn.Module):
    """The default module: a multilayer perceptron returning class logits
    (or regression outputs).

    Takes a dense batch or a torch sparse CSR batch (its first linear layer
    is a :class:`~sklearn_zopg.SparseInputLinear`). The estimators build
    ``MLP(n_features, n_outputs, hidden_layer_sizes)``; pass ``module=MLP``
    with ``module_params`` to set its arguments yourself
    (``{"input_quantiles": 64}`` maps heavy-tailed columns first).

    Parameters
    ----------
    n_features : int
        Input width.
    n_classes : int
        Output width (one logit per class).
    hidden_layer_sizes : sequence of int, default=(64,)
        Widths of the hidden ReLU layers.
    input_quantiles : int, default=0
        Knots of a map of each numeric input column through its training
        quantiles onto a standard normal's (as ``QuantileTransformer``),
        taken by the estimators from the training rows: heavy-tailed
        columns spread out as ranks do. Columns of at most two values and
        sparse input pass unchanged. 0: no map. It pays on real tables of
        counts and amounts and costs a little on Gaussian or bounded columns
        (pixels): see the user guide, "Choosing a module".

    Examples
    --------
    >>> from sklearn_zopg import MLP, ZOClassifier
    >>> clf = ZOClassifier(
    ...     module=MLP,
    ...     module_params={"hidden_layer_sizes": (128, 64), "input_quantiles": 64},
    ... )
    """

    def __init__(
        self, n_features, n_classes, hidden_layer_sizes=(64,), input_quantiles=0
    ):
        super().__init__()
        widths = [n_features, *hidden_layer_sizes, n_classes]
        layers = []
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            # The first layer also multiplies a sparse batch (SparseInputLinear).
            linear = nn.Linear if layers else SparseInputLinear
            layers += [linear(fan_in, fan_out), nn.ReLU()]
        # the input map first (an identity of no buffers when off)
        self.inputs = (
            QuantileInput(n_features, input_quantiles)
            if input_quantiles
            else nn.Identity()
        )
        self.layers = nn.Sequential(*layers[:-1])

    def forward(self, X):
        return self.layers(self.inputs(X))


def _data_arguments(module_class, n_features, n_classes, given):
    """``n_features``/``n_classes`` for a class whose ``__init__`` names them."""
    try:
        accepted = inspect.signature(module_class).parameters
    except (TypeError, ValueError):
        return {}
    values = {"n_features": n_features, "n_classes": n_classes}
    return {
        name: values[name]
        for name in DATA_ARGUMENTS
        if name in accepted and name not in given
    }


def fit_inputs(module, X, sample_weight=None):
    """Fit the input maps of ``module`` (its
    :class:`~sklearn_zopg._quantiles.QuantileInput` parts) on the training
    rows ``X`` (an array; a sparse matrix leaves them off), weighted by
    ``sample_weight``."""
    parts = [p for p in module.modules() if isinstance(p, QuantileInput)]
    if not parts or issparse(X):
        return
    step = max(1, math.ceil(X.shape[0] / QUANTILE_ROWS))
    knots = parts[0].knots
    rows = torch.as_tensor(np.asarray(X[::step]), device=knots.device)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)[::step]
    for part in parts:
        part.fit_inputs(rows.to(knots.dtype), sample_weight)


def build_module(module, module_params, n_features, n_classes, hidden_layer_sizes):
    """The torch module an estimator trains: ours, or the user's (copied).

    A module class is instantiated with ``module_params``, plus
    ``n_features`` and ``n_classes`` when its ``__init__`` takes arguments of
    those names and ``module_params`` does not set them.
    """
    if module is None:
        return MLP(n_features, n_classes, tuple(hidden_layer_sizes))
    if isinstance(module, nn.Module):
        return copy.deepcopy(module)
    params = dict(module_params or {})
    params.update(_data_arguments(module, n_features, n_classes, params))
    try:
        return module(**params)
    except TypeError as exc:
        raise TypeError(
            f"Could not build module={module.__name__} with module_params="
            f"{module_params!r} ({exc}). A module class gets module_params as "
            f"keyword arguments, plus {' and '.join(DATA_ARGUMENTS)} (the input "
            "width and the number of classes) when its __init__ names them."
        ) from exc


def check_module_output(module, X_probe, n_classes, outputs="logits"):
    """Run the module on a few rows; clear errors for a wrong width or output.

    ``outputs`` names what the module returns in the message: ``"logits"``
    (one per class or label) for the classifiers, ``"outputs"`` (one per
    target) for the regressors.
    """
    n_features = X_probe.shape[1]
    was_training = module.training
    module.eval()  # no dropout draws from torch's global generator
    try:
        with torch.no_grad():
            out = module(X_probe)
    except (RuntimeError, NotImplementedError, TypeError) as exc:
        if is_sparse_tensor(X_probe):
            raise TypeError(
                "X is sparse, and the module failed on a sparse batch (a "
                f"torch.sparse_csr_tensor of {n_features} columns): {exc}. A "
                "module for sparse X must take such a batch in forward: make "
                "its first layer sklearn_zopg.SparseInputLinear (or nn.Linear, "
                "slower), or call X.to_dense() there; or densify X before the "
                "estimator if it fits in memory."
            ) from exc
        if not isinstance(exc, RuntimeError):
            raise
        raise ValueError(
            f"The module failed on input of n_features_in_={n_features} features "
            f"({exc}). Its input width must match the data's number of columns."
        ) from exc
    finally:
        module.train(was_training)
    expected = (X_probe.shape[0], n_classes)
    if not torch.is_tensor(out) or tuple(out.shape) != expected:
        shape = tuple(out.shape) if torch.is_tensor(out) else type(out).__name__
        width = "n_classes" if outputs == "logits" else "n_outputs"
        raise ValueError(
            f"The module must return {outputs} of shape (n_samples, {width}) = "
            f"{expected}; it returned {shape}."
        )
