"""The private skorch net: skorch's loop, history and callbacks, our train step."""

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer, PassthroughScoring, PrintLog

__all__ = ["DivergenceCheck", "Diverged", "ScoreNet", "check_finite"]


class Diverged(ValueError):
    """Raised by a train step that meets NaN or infinity."""


def check_finite(logits):
    """Raise :class:`Diverged` if the module's outputs hold NaN or infinity.

    One float64 sum instead of an element-wise test (3x faster for a ZO
    step's logits): NaN and infinity propagate through it, and finite logits
    cannot overflow it short of about 1e300 (a diverged model anyway).
    """
    if not bool(torch.isfinite(logits.sum(dtype=torch.float64))):
        raise Diverged("the module's logits hold NaN or infinity")


def diverged(net, what):
    """The error that stops a diverging fit, naming the epoch."""
    return ValueError(
        f"Training diverged at epoch {len(net.history)}: {what}. Lower lr (or "
        "epsilon for ZOClassifier)."
    )


class DivergenceCheck(Callback):
    """Stop with a clear error when training produces NaN or infinity.

    The step's loss is checked after every batch and the parameters after
    every epoch; within an epoch, parameters gone NaN show up in the next
    batch's logits (``check_finite`` in the train steps). A model full of NaN
    is never returned as fitted.
    """

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if not training:
            return
        loss = kwargs.get("loss")
        if loss is not None and not bool(torch.isfinite(loss).all()):
            raise diverged(net, f"the loss became {float(loss)}")

    def on_epoch_end(self, net, **kwargs):
        for name, param in net.module_.named_parameters():
            if not bool(torch.isfinite(param).all()):
                raise diverged(net, f"parameter {name!r} holds NaN or infinity")


class ScoreNet(NeuralNet):
    """A skorch ``NeuralNet`` whose ``train_step_single`` is a gradient estimator.

    ``train_step`` (set by the estimator for the length of a fit) takes the
    module and a tensor of row indices, leaves the ascent direction of the
    score in the parameters' ``.grad`` (as the negative of a loss gradient)
    and returns ``{"loss": ..., "score": ..., "score_std": ...}`` (the
    spread of the K sampled scores, when there are any). skorch then steps the
    optimizer, records the history and runs the callbacks.
    """

    train_step_fn = None
    validation = None  # an EarlyStopping, set by the estimator during fit

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        super().on_train_begin(net, X=X, y=y, **kwargs)
        if self.validation is not None:
            self.validation.start_phase()

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        # Stop before a new history row is opened; skorch's partial_fit treats
        # KeyboardInterrupt as the end of training.
        if self.validation is not None and self.validation.should_stop():
            raise KeyboardInterrupt
        super().on_epoch_begin(
            net, dataset_train=dataset_train, dataset_valid=dataset_valid, **kwargs
        )

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        super().on_epoch_end(
            net, dataset_train=dataset_train, dataset_valid=dataset_valid, **kwargs
        )
        if self.validation is not None:
            try:
                self.validation.epoch_end(self)
            except Diverged as exc:
                raise diverged(self, str(exc)) from exc

    def on_train_end(self, net, X=None, y=None, **kwargs):
        super().on_train_end(net, X=X, y=y, **kwargs)
        if self.validation is not None:
            self.validation.restore_best(self)

    @property
    def _default_callbacks(self):
        # PrintLog formats its table every epoch even when verbose=0 (11% of
        # a small ZO fit): it is only added when something will be printed.
        print_log = [("print_log", PrintLog())] if self.verbose else []
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            (
                "train_score",
                PassthroughScoring(
                    name="train_score", on_train=True, lower_is_better=False
                ),
            ),
            (
                "train_score_std",
                PassthroughScoring(name="train_score_std", on_train=True),
            ),
            ("divergence_check", DivergenceCheck()),
            *print_log,
        ]

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        try:
            step = self.train_step_fn(self.module_, batch.to(self.device))
        except Diverged as exc:
            raise diverged(self, str(exc)) from exc
        self.history.record_batch("train_score", float(step["score"]))
        self.history.record_batch("train_score_std", float(step.get("score_std", 0.0)))
        return {"loss": step["loss"], "y_pred": None}
