"""The regressors' output links: predictions kept in the scorer's domain.

Some regression scorers are defined only for positive predictions: the
Poisson, gamma and Tweedie (any power but 0) deviances need ``y_pred > 0``, the
squared log errors ``y_pred > -1``. A module's raw outputs, and the perturbed
or sampled outputs that train it, can fall anywhere, so for those scorers
the module works in the scorer's own log space: it learns
``log(y + offset)`` (``log1p(y)`` for the squared log errors, where the
surrogate's squared error there *is* the score) and predicts ``exp`` (or
``expm1``) of its output, which the scorer always accepts.
"""

import numpy as np
import torch
from sklearn.metrics import (
    d2_tweedie_score,
    mean_gamma_deviance,
    mean_poisson_deviance,
    mean_squared_log_error,
    mean_tweedie_deviance,
    root_mean_squared_log_error,
)

__all__ = ["LINKS", "IdentityLink", "Log1pLink", "LogLink", "link_for"]


def _log(values):
    return torch.log(values) if torch.is_tensor(values) else np.log(values)


def _log1p(values):
    return torch.log1p(values) if torch.is_tensor(values) else np.log1p(values)


class IdentityLink:
    """Outputs are predictions (every scorer without a domain)."""

    def forward(self, y):
        """Targets (numpy or a tensor) in the module's space."""
        return y

    def accepts(self, y):
        """Whether :meth:`forward` is finite on every target of ``y``."""
        return True

    def predictions(self, values):
        """The module's outputs (a tensor) as predictions."""
        return values

    def targets(self, values):
        """:meth:`forward`'s values (a tensor) as the original targets."""
        return values


class Log1pLink(IdentityLink):
    """``log1p`` space: predictions ``expm1(output) > -1`` (held above -1
    where ``expm1`` rounds to it)."""

    def forward(self, y):
        return _log1p(y)

    def accepts(self, y):
        return bool(np.all(y > -1))

    def predictions(self, values):
        return torch.expm1(values).clamp(min=-1 + torch.finfo(values.dtype).eps)

    def targets(self, values):
        return torch.expm1(values)


class LogLink(IdentityLink):
    """Log space: predictions ``exp(output) > 0`` (held above 0 where ``exp``
    underflows); the module learns ``log(y + offset)``, ``offset`` positive
    where ``y`` holds zeros (half the smallest positive target), 0
    otherwise."""

    def __init__(self, offset=0.0):
        self.offset = offset

    def forward(self, y):
        return _log(y + self.offset)

    def accepts(self, y):
        return bool(np.all(y + self.offset > 0))

    def predictions(self, values):
        return torch.exp(values).clamp(min=torch.finfo(values.dtype).tiny)

    def targets(self, values):
        return (torch.exp(values) - self.offset).clamp(min=0)


def _power(parts):
    """The Tweedie power of a deviance scorer, or None for other scorers."""
    func, kw = parts.score_func, parts.kwargs
    if func is mean_poisson_deviance:
        return 1.0
    if func is mean_gamma_deviance:
        return 2.0
    if func in (mean_tweedie_deviance, d2_tweedie_score):
        return float(kw.get("power", 0.0))
    return None


def link_for(parts, y):
    """The link of a scorer (``ScorerParts``, or None for callables we cannot
    read) and training targets ``y`` (2-D).

    The log link is used for the Tweedie deviances but the normal one (power
    0; sklearn needs positive predictions for every other power) when ``y``
    is non-negative, ``log1p`` for the squared log errors when ``y > -1``;
    targets outside those domains are left to the scorer, which refuses them
    with its own message.
    """
    if parts is None:
        return IdentityLink()
    if parts.score_func in (mean_squared_log_error, root_mean_squared_log_error):
        return Log1pLink() if np.all(y > -1) else IdentityLink()
    power = _power(parts)
    if power is None or power == 0 or np.any(y < 0):
        return IdentityLink()
    positive = y[y > 0]
    if positive.size == 0:
        return IdentityLink()
    offset = 0.0 if positive.size == y.size else 0.5 * float(positive.min())
    return LogLink(offset)


# The links by name, as a saved model's state names them.
LINKS = {link.__name__: link for link in (IdentityLink, Log1pLink, LogLink)}
