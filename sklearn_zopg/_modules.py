"""Default torch modules."""

import copy

import torch
from torch import nn

__all__ = ["MLP"]


class MLP(nn.Module):
    """A multilayer perceptron returning class logits.

    Parameters
    ----------
    n_features : int
        Input width.
    n_classes : int
        Output width (one logit per class).
    hidden_layer_sizes : sequence of int, default=(64,)
        Widths of the hidden ReLU layers.
    """

    def __init__(self, n_features, n_classes, hidden_layer_sizes=(64,)):
        super().__init__()
        widths = [n_features, *hidden_layer_sizes]
        layers = []
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        layers.append(nn.Linear(widths[-1], n_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        return self.layers(X)


def build_module(module, module_params, n_features, n_classes, hidden_layer_sizes):
    """The torch module an estimator trains: ours, or the user's (copied)."""
    if module is None:
        return MLP(n_features, n_classes, tuple(hidden_layer_sizes))
    if isinstance(module, nn.Module):
        return copy.deepcopy(module)
    if isinstance(module, type) and issubclass(module, nn.Module):
        return module(**(module_params or {}))
    raise TypeError(
        "module must be None, a torch.nn.Module subclass or a torch.nn.Module "
        f"instance; got {module!r}."
    )


def check_output_width(module, X_probe, n_classes):
    """Raise a ValueError if the module's output is not (n, n_classes) logits."""
    with torch.no_grad():
        out = module(X_probe)
    expected = (X_probe.shape[0], n_classes)
    if not torch.is_tensor(out) or tuple(out.shape) != expected:
        shape = tuple(out.shape) if torch.is_tensor(out) else type(out).__name__
        raise ValueError(
            f"The module must return logits of shape (n_samples, n_classes) = "
            f"{expected}; it returned {shape}."
        )
