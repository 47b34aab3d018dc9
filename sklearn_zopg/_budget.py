"""The training budget: epochs counted from optimizer steps, and the
learning rate's decay over a phase.

A fixed number of epochs trains a 700-row table for a few hundred steps and
a 100,000-row one for tens of thousands. ``max_epochs="auto"`` and
``surrogate_epochs="auto"`` instead give each phase a number of optimizer
steps (``PHASE_BUDGETS``: one per training row, or per 4 rows, up to a
cap), in as many epochs as that takes within bounds: small data gets more
passes, large data fewer. The cosine decay (:class:`CosineDecay`) takes
each phase's rate to zero over its steps.
"""

import math

from skorch.callbacks import Callback, LRScheduler

__all__ = ["CosineDecay", "phase_epochs"]

# Under "auto", each phase takes one optimizer step per this many training
# rows, up to a number of steps, in a number of epochs within bounds.
PHASE_BUDGETS = {
    # phase: (rows per step, most steps, (least epochs, most epochs))
    "score": (1, 2000, (5, 250)),
    "surrogate": (4, 400, (1, 40)),
}


def phase_epochs(setting, n_rows, batch_size, phase):
    """The epochs of ``phase`` (``"score"`` or ``"surrogate"``): ``setting``
    itself when it is a number, else (``"auto"``) the epochs that make
    about the phase's steps on ``n_rows`` training rows, within its bounds."""
    if setting != "auto":
        return setting
    rows_per_step, most_steps, (least, most) = PHASE_BUDGETS[phase]
    steps = min(most_steps, n_rows / rows_per_step)
    batches = max(1, math.ceil(n_rows / batch_size))
    return int(min(most, max(least, math.ceil(steps / batches))))


def user_schedules(callbacks):
    """Whether ``callbacks`` (a net's ``callbacks_``) hold a skorch
    ``LRScheduler``: the user's schedule then sets the rate, not ours."""
    return any(isinstance(callback, LRScheduler) for _, callback in callbacks)


class CosineDecay(Callback):
    """The learning rate of each parameter group decays from its value at
    the start of a phase to zero over the phase's steps,
    ``lr * (1 + cos(pi * t / steps)) / 2`` at step ``t``, and is restored at
    the phase's end (a later ``partial_fit`` goes on at the full rate).

    Off (the rate stays) until :meth:`plan` names the phase's steps: a
    ``fit`` plans each phase; ``partial_fit`` calls do not, since the length
    of the training is not known.
    """

    def __init__(self):
        self.steps = None

    def plan(self, steps):
        """Decay over ``steps`` optimizer steps of the next phase (None: off)."""
        self.steps = steps

    def on_train_begin(self, net, **kwargs):
        self.base_ = [group["lr"] for group in net.optimizer_.param_groups]
        self.step_ = 0

    def on_batch_begin(self, net, training=False, **kwargs):
        if not training or not self.steps:
            return
        factor = 0.5 * (1 + math.cos(math.pi * min(self.step_ / self.steps, 1.0)))
        for group, base in zip(net.optimizer_.param_groups, self.base_):
            group["lr"] = base * factor
        self.step_ += 1

    def on_train_end(self, net, **kwargs):
        if self.steps:
            for group, base in zip(net.optimizer_.param_groups, self.base_):
                group["lr"] = base
        self.steps = None
