"""The L2 penalty (weight decay), added to any train step's gradient."""

import torch

__all__ = ["with_weight_decay"]


def with_weight_decay(step, weight_decay):
    """``step`` followed by ``grad += weight_decay * theta`` on trained parameters.

    The step leaves the negated ascent direction (or a loss gradient) in
    ``.grad``; adding ``weight_decay * theta`` descends ``0.5 * weight_decay *
    ||theta||^2`` too, whatever the optimizer (as ``torch.optim.Adam``'s own
    ``weight_decay``). Parameters the step left without a gradient (those ZO
    does not perturb) are untouched.
    """
    if not weight_decay:
        return step

    def decayed(module, rows):
        out = step(module, rows)
        with torch.no_grad():
            for param in module.parameters():
                if param.grad is not None:
                    param.grad.add_(param, alpha=weight_decay)
        return out

    return decayed
