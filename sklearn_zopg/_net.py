"""The private skorch net: skorch's loop, history and callbacks; the method's step.

:class:`ScoreNet` is a complete skorch ``NeuralNet``: its training step is
part of its definition (``train_step_single``), so a fitted ``net_`` can go
on training (``partial_fit``), predict, save and load, and pickles no
closure. It trains in one of two phases, a net parameter:

- ``"surrogate"``: skorch's own step, ``criterion`` (cross-entropy) through
  ``get_loss``, weighted by the rows' sample weights;
- ``"score"``: the method's step (:meth:`ScoreNet.score_step`, defined by
  the policy-gradient and zeroth-order subclasses), which leaves the negated
  ascent direction of the user's score in the parameters' ``.grad``.

skorch then steps the optimizer, records the history and runs the
callbacks. The net takes what a skorch net takes: ``X`` a float array or
tensor (or the dict ``{"X": ..., "sample_weight": ...}``) and ``y`` class
indices ``0..C-1``.
"""

import sys
import time
import warnings

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import (
    Callback,
    EpochScoring,
    EpochTimer,
    PassthroughScoring,
    PrintLog,
)
from skorch.utils import TeeGenerator

from ._batches import RowBatches, as_tensors
from ._messages import preview
from ._sparse import density, row_chunks
from ._threads import call_threads

__all__ = [
    "DivergenceCheck",
    "Diverged",
    "ScoreNet",
    "TemperedSoftmax",
    "WeightDecay",
    "check_finite",
]

PREDICT_CHUNK = 8192
PHASES = ("surrogate", "score")


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
            try:
                check_finite(param.detach())
            except Diverged:
                raise diverged(
                    net, f"parameter {name!r} holds NaN or infinity"
                ) from None


class WeightDecay(Callback):
    """L2 penalty: ``grad += weight_decay * theta`` before every optimizer step.

    skorch calls ``on_grad_computed`` between the step's backward pass (or
    the ZO estimate) and the optimizer, in both phases. Ours rather than the
    optimizer's ``weight_decay`` argument so that the penalty is the same
    whatever the ``optimizer``: ``AdamW`` decouples its decay, ``LBFGS`` has
    none. For ``Adam`` it is the same update (tested to 1e-12). Parameters
    the step left without a gradient (those ZO does not perturb) are
    untouched.
    """

    def __init__(self, weight_decay):
        self.weight_decay = weight_decay

    def on_grad_computed(self, net, named_parameters, **kwargs):
        if not self.weight_decay:
            return
        with torch.no_grad():
            for _, param in named_parameters:
                if param.grad is not None:
                    param.grad.add_(param, alpha=self.weight_decay)


class GradientCoverage(Callback):
    """Warns about trainable parameters that get no gradient in a phase
    trained by gradients (the surrogate phase; PG's score phase too), unless
    ZO's score phase perturbs them: a parameter behind a comparison or a
    rounding (a hard gate, a step function) would otherwise keep its initial
    value without a word. The warning names them and the fix (ZO's
    ``perturb``)."""

    def on_train_begin(self, net, **kwargs):
        # Trainable parameters no gradient step has reached yet, by id.
        self.pending_ = {
            id(p): name for name, p in net.module_.named_parameters() if p.requires_grad
        }
        self.steps_ = 0

    def on_grad_computed(self, net, named_parameters, **kwargs):
        if net.step_kind == "surrogate" or net.score_phase_uses_gradients:
            self.steps_ += 1
            if self.pending_:  # nothing left to check once all were reached
                for _, param in named_parameters:
                    if param.grad is not None:
                        self.pending_.pop(id(param), None)

    def on_train_end(self, net, **kwargs):
        if not self.steps_:
            return
        skipped = {id(p) for p in net.zeroth_order_parameters()}
        missing = [name for key, name in self.pending_.items() if key not in skipped]
        if missing:
            warnings.warn(
                f"The module's parameters {preview(missing)} got no gradient "
                f"in the {net.phase} phase (no differentiable path from them to "
                "the output, as behind a comparison or a rounding), so no "
                "phase trains them: they keep their initial values. Train "
                "them by zeroth-order estimates: ZOClassifier or ZORegressor "
                f"with perturb naming them (for example perturb={missing[:1]!r}"
                ', with surrogate_schedule="alternate" training the rest by '
                "gradient throughout).",
                UserWarning,
                stacklevel=2,
            )


class TemperedSoftmax:
    """``predict_nonlinearity`` of a net: ``softmax(logits / temperature)``.

    Logits are shifted by their row maximum before the division, so that a
    tiny temperature gives a one-hot row, never NaN.
    """

    def __init__(self, temperature=1.0):
        self.temperature = temperature

    def __call__(self, logits):
        logits = logits.double()
        shifted = (logits - logits.max(dim=1, keepdim=True).values) / self.temperature
        return torch.softmax(shifted, dim=1)


class TemperedSigmoid:
    """``predict_nonlinearity`` of a multilabel net: ``sigmoid(logits / T)``
    per label."""

    def __init__(self, temperature=1.0):
        self.temperature = temperature

    def __call__(self, logits):
        return torch.sigmoid(logits.double() / self.temperature)


class RowMSE(torch.nn.MSELoss):
    """Squared error averaged over a row's outputs (the regressors'
    surrogate; ``reduction="none"`` gives one value per row)."""

    def forward(self, input, target):
        loss = super().forward(input, target.to(input.dtype))
        return loss.mean(-1) if self.reduction == "none" else loss


class MultilabelBCE(torch.nn.BCEWithLogitsLoss):
    """Binary cross-entropy per label, averaged over a row's labels (the
    multilabel surrogate; ``reduction="none"`` gives one value per row)."""

    def forward(self, input, target):
        loss = super().forward(input, target.to(input.dtype))
        return loss.mean(-1) if self.reduction == "none" else loss


class ScoreLog(PrintLog):
    """skorch's ``PrintLog`` (the ``verbose=1`` table), with ANSI colours for
    the best scores only when the output is a terminal: a log written to a
    file or a notebook's captured output stays plain text."""

    def on_epoch_end(self, net, **kwargs):
        if self.sink is print and sys.stdout is None:
            return  # nowhere to print (pythonw, a closed standard output)
        super().on_epoch_end(net, **kwargs)

    def format_row(self, row, key, color):
        if not _is_terminal(self.sink):
            row = {**row, key + "_best": False}
        return super().format_row(row, key, color)


class FitProgress(Callback):
    """``verbose=2``: progress over the whole fit, both phases, with the time
    left at the pace so far (skorch's ``ProgressBar`` covers one epoch).

    ``total`` is the number of epochs the fit runs at most (the surrogate's
    and the score phase's); early stopping may end it sooner.
    """

    def __init__(self, total, sink=print):
        self.total = total
        self.sink = sink

    def initialize(self):
        self.start_ = None
        return self

    def on_train_begin(self, net, **kwargs):
        if self.start_ is None:  # the first phase of this fit
            self.start_ = (len(net.history), time.perf_counter())

    def on_epoch_end(self, net, **kwargs):
        first_epoch, started = self.start_
        done = len(net.history) - first_epoch
        elapsed = time.perf_counter() - started
        left = elapsed / done * max(self.total - done, 0)
        phase = net.history[-1].get("phase", "")
        self.sink(
            f"[{done}/{self.total} epochs, {phase} phase] {elapsed:.1f} s "
            f"elapsed, at most {left:.1f} s left"
        )


def _is_terminal(sink):
    """Whether ``sink`` (``print`` or another callable) writes to a tty."""
    stream = sys.stdout if sink is print else getattr(sink, "__self__", None)
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class ScoreNet(NeuralNet):
    """A skorch ``NeuralNet`` that trains a classifier on the user's score.

    Parameters
    ----------
    module : torch.nn.Module
        Returns logits ``(n, n_classes)``.
    reward : sklearn_zopg.Reward
        The user's scorer, on class indices.
    phase : {"surrogate", "score"}, default="score"
        Which step trains: cross-entropy or the method's.
    seed : int, default=0
        Seeds the net's two generators: one for the batches' shuffles, one
        for the step's own draws (label samples or directions), so that the
        latter do not depend on how many rows the shuffles used.
    **kwargs
        skorch ``NeuralNet`` parameters.
    """

    # Whether the score phase's step computes gradients (PG) or writes an
    # estimate into the perturbed parameters' .grad only (ZO).
    score_phase_uses_gradients = True

    def __init__(
        self,
        module,
        *args,
        reward=None,
        phase="score",
        seed=0,
        schedule="before",
        surrogate_every=1,
        surrogate_lr=None,
        **kwargs,
    ):
        super().__init__(module, *args, **kwargs)
        self.reward = reward
        self.phase = phase
        self.seed = seed
        self.schedule = schedule
        self.surrogate_every = surrogate_every
        self.surrogate_lr = surrogate_lr

    # ------------------------------------------------------------ set-up
    @property
    def _default_callbacks(self):
        # PrintLog formats its table every epoch even when verbose=0 (11% of
        # a small ZO fit): it is only added when something will be printed.
        print_log = [("print_log", ScoreLog())] if self.verbose else []
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
            ("gradient_coverage", GradientCoverage()),
            *print_log,
        ]

    def initialize(self):
        super().initialize()
        self.__dict__.pop("generators_", None)
        return self

    def generator(self, purpose):
        """The net's generator for ``"batches"`` (CPU) or ``"step"`` (device).

        Created from ``seed`` on first use; not pickled (a generator is
        training state tied to a device): an unpickled net draws afresh.
        """
        generators = self.__dict__.setdefault("generators_", {})
        if purpose not in generators:
            device = "cpu" if purpose == "batches" else self.device
            offset = 0 if purpose == "batches" else 1
            generators[purpose] = torch.Generator(device=device).manual_seed(
                self.seed + offset
            )
        return generators[purpose]

    def zeroth_order_parameters(self):
        """The parameters the score phase trains without their gradient."""
        return []

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's loop; ``interrupted_`` tells whether it ended by a
        ``KeyboardInterrupt`` (the user's, or an early stopping's) rather
        than after all its epochs, however many epochs a callback loaded
        into the history (``LoadInitState``)."""
        self.interrupted_ = False
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt:
            self.interrupted_ = True
            raise

    @property
    def classes_(self):
        """The training targets' classes, ``0 .. n_outputs - 1``, as skorch's
        ``NeuralNetClassifier`` has them (what sklearn's scorers read in a
        skorch ``EpochScoring``); none for the regressors' nets."""
        if hasattr(self.reward, "predictions"):
            raise AttributeError("a regression net has no classes_")
        return np.arange(len(self.reward.classes))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        regression = hasattr(self.reward, "predictions")
        tags.estimator_type = "regressor" if regression else "classifier"
        return tags

    def get_iterator(self, dataset, training=False):
        iterator = super().get_iterator(dataset, training=training)
        if training and isinstance(iterator, RowBatches):
            iterator.generator = self.generator("batches")
        return iterator

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("generators_", None)
        # Made afresh on the next surrogate step (its momenta restart).
        state.pop("alternate_optimizer_", None)
        return state

    # ------------------------------------------------------------ forward
    def _module_input(self, x):
        """``x`` as a tensor on the net's device, in the module's dtype."""
        param = next(self.module_.parameters(), None)
        return as_tensors(x, self.device, None if param is None else param.dtype)

    def infer(self, x, **fit_params):
        """The module's logits for ``x`` (a tensor, array, or the training dict)."""
        if isinstance(x, dict):
            x = x["X"]
        return self.module_(self._module_input(x), **fit_params)

    def evaluation_step(self, batch, training=False):
        """skorch's step, plus the fitted ``decision_offsets_`` when set:
        ``forward``, ``predict`` and ``predict_proba`` of the net see the
        classifier's decision rule."""
        return self._with_offsets(super().evaluation_step(batch, training))

    def _with_offsets(self, logits):
        offsets = self.__dict__.get("decision_offsets_")
        if offsets is None:
            return logits
        return logits + offsets.to(device=logits.device, dtype=logits.dtype)

    def logits(self, X, offsets=True):
        """Logits of ``X`` in eval mode, without gradients, in chunks: the
        inference path of predict and diagnostics (callers that need finite
        logits check them with :meth:`check_logits`). ``offsets=False``: the
        module's own logits, without ``decision_offsets_``."""
        X = as_tensors(X["X"] if isinstance(X, dict) else X)
        step = self.evaluation_step if offsets else super().evaluation_step
        rows = min(X.shape[0], PREDICT_CHUNK)
        device = torch.device(self.device)
        with call_threads(self.module_, device, rows, X.shape[1], density(X)):
            chunks = [step((part, None)) for part in row_chunks(X, PREDICT_CHUNK)]
            return torch.cat(chunks) if chunks else step((X, None))

    def predict(self, X):
        """What a skorch ``EpochScoring`` scorer compares with the data's
        ``y``: class indices (``0 .. n_classes - 1``, the training targets'
        coding), the 0/1 matrix ``logits > 0`` for multilabel ``y``, or the
        regressors' predictions in the target's units. It goes through
        ``forward_iter``, so that such a callback scores the step's cached
        outputs."""
        outputs = torch.cat([out.cpu() for out in self.forward_iter(X)])
        if hasattr(self.reward, "predictions"):  # the regressors'
            return self.reward.predictions(outputs).numpy()
        if self.reward.multilabel:
            return (outputs > 0).long().numpy()
        return outputs.argmax(dim=1).numpy()

    def _wants_train_outputs(self):
        """Whether a callback scores the training batches' outputs (skorch's
        ``EpochScoring(on_train=True)``; our own pass the step's score)."""
        return any(
            isinstance(cb, EpochScoring)
            and cb.on_train
            and not isinstance(cb, PassthroughScoring)
            for _, cb in self.callbacks_
        )

    def reported(self, score):
        """A training score as the history records it: in the scorer's own
        units (the regressors train on scores divided by a ``unit``)."""
        return float(score) * float(getattr(self.reward, "unit", 1.0))

    def check_logits(self, logits):
        """Raise the divergence error if ``logits`` hold NaN or infinity."""
        try:
            check_finite(logits)
        except Diverged as exc:
            raise diverged(self, str(exc)) from exc

    # ------------------------------------------------------------ training
    def get_loss(self, y_pred, y_true, X=None, training=False):
        """``criterion`` per row (``reduction="none"``) against the reward's
        ``surrogate_targets`` (the class indices; the regressors' targets
        standardized), averaged with the rows' sample weights when the data
        carries them."""
        y_true = self.reward.surrogate_targets(y_true)
        per_row = super().get_loss(y_pred, y_true, X=X, training=training)
        if per_row.ndim == 0:
            return per_row
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        stakes = self.reward.surrogate_weights(y_true) if training else None
        if stakes is not None:
            stakes = stakes.to(per_row)
            weight = stakes if weight is None else weight.to(per_row) * stakes
        if weight is None:
            return per_row.mean()
        weight = weight.to(per_row)
        return (per_row * weight).sum() / weight.sum()

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        super().on_epoch_begin(
            net, dataset_train=dataset_train, dataset_valid=dataset_valid, **kwargs
        )
        self.history.record("phase", self.phase)

    @property
    def step_kind(self):
        """``"surrogate"`` or ``"score"``: what the current training step
        follows. In the score phase of the ``"alternate"`` schedule, every
        ``surrogate_every + 1``-th step is a surrogate step."""
        return self.__dict__.get("step_kind_", self.phase)

    def _next_step_kind(self):
        if self.phase != "score" or self.schedule != "alternate":
            return self.phase
        count = self.__dict__.get("score_phase_steps_", 0)
        self.score_phase_steps_ = count + 1
        turn = count % (self.surrogate_every + 1) == self.surrogate_every
        return "surrogate" if turn else "score"

    def initialize_alternate_optimizer(self):
        """The optimizer of the ``"alternate"`` schedule's surrogate steps:
        the net's optimizer class on every trainable parameter, at
        ``surrogate_lr`` (``lr`` if None), with momenta of its own (the
        score steps' optimizer keeps its own too)."""
        named = self.get_all_learnable_params()
        args, kwargs = self.get_params_for_optimizer("optimizer", named)
        kwargs["lr"] = self.surrogate_lr or self.lr
        # Kept out of skorch's registry: skorch steps every registered
        # optimizer at every step.
        self.__dict__["alternate_optimizer_"] = self.optimizer(*args, **kwargs)
        self.score_phase_steps_ = 0
        return self

    def train_step(self, batch, **fit_params):
        """skorch's step; in the ``"alternate"`` schedule's surrogate steps,
        stepped by :meth:`initialize_alternate_optimizer`'s optimizer (as
        skorch advises for several optimizers), the callbacks notified of
        the gradients as in any step."""
        self.step_kind_ = self._next_step_kind()
        if self.step_kind_ == "score" or self.phase == "surrogate":
            return super().train_step(batch, **fit_params)
        if "alternate_optimizer_" not in self.__dict__:
            self.initialize_alternate_optimizer()
        optimizer = self.alternate_optimizer_
        # A schedule of the score steps' lr (an LRScheduler) scales the
        # surrogate steps' lr alike.
        scale = self.optimizer_.param_groups[0]["lr"] / self.lr
        for group in optimizer.param_groups:
            group["lr"] = (self.surrogate_lr or self.lr) * scale
        accumulator = self.get_train_step_accumulator()

        def step_fn():
            optimizer.zero_grad()
            self._zero_grad_optimizer()
            step = self.train_step_single(batch, **fit_params)
            accumulator.store_step(step)
            self.notify(
                "on_grad_computed",
                named_parameters=TeeGenerator(self.get_all_learnable_params()),
                batch=batch,
                training=True,
            )
            return step["loss"]

        optimizer.step(step_fn)
        optimizer.zero_grad()  # nothing left for the score steps' optimizer
        return accumulator.get_step()

    def train_step_single(self, batch, **fit_params):
        if self.phase not in PHASES:
            raise ValueError(f"phase must be one of {PHASES}; got {self.phase!r}.")
        self._set_training(True)
        Xi, yi = batch
        X = as_tensors(Xi, self.device)
        y = as_tensors(yi, self.device)
        if not y.is_floating_point():  # class indices; regression keeps floats
            y = y.long()
        parts = X if isinstance(X, dict) else {"X": X}
        weight, index, features = (
            parts.get(k) for k in ("sample_weight", "index", "X")
        )
        kind = self.step_kind
        self.history.record_batch("step", kind)
        if kind == "surrogate":
            with self.reward.rows(features, index):  # the rows' costs
                step = super().train_step_single((X, y), **fit_params)
            logits = step["y_pred"].detach()
            self.check_logits(logits)
            with torch.no_grad(), self.reward.rows(features, index):
                score = self.reward.score_logits(y, logits[None], weight)[0]
            step = {"loss": step["loss"], "score": score, "y_pred": logits}
        else:
            try:
                with self.reward.rows(features, index):
                    step = self.score_step(self._module_input(features), y, weight)
            except Diverged as exc:
                raise diverged(self, str(exc)) from exc
        self.history.record_batch("train_score", self.reported(step["score"]))
        self.history.record_batch(
            "train_score_std", abs(self.reported(step.get("score_std", 0.0)))
        )
        outputs = None
        if self._wants_train_outputs():  # the batch's outputs before the update
            outputs = step.get("y_pred")
            if outputs is None:
                with torch.no_grad():
                    outputs = self.infer(features)
        return {"loss": step["loss"], "y_pred": outputs}

    def score_step(self, X, y, sample_weight):
        """One step of the method on a batch (subclasses).

        Leaves minus the estimated ascent direction of the score in the
        trained parameters' ``.grad`` and returns ``{"loss", "score"}`` (and
        ``"score_std"``, the spread of the K sampled scores).
        """
        raise NotImplementedError
