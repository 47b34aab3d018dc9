"""Early stopping on the user's score: a held-out split, its score, skorch's stopper.

Three skorch parts: ``train_split`` (:class:`StratifiedHoldout`), a scoring
callback (:class:`ValidationScore`) and skorch's own
:class:`skorch.callbacks.EarlyStopping`, extended only so that the best
model survives from the surrogate phase into the score phase.
"""

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from skorch.callbacks import Callback
from skorch.callbacks import EarlyStopping as SkorchEarlyStopping
from skorch.dataset import Dataset

from ._batches import split_rows, strata
from ._sparse import concat_rows

__all__ = [
    "BestAcrossPhases",
    "StratifiedHoldout",
    "ValidationScore",
    "validation_split",
]


def validation_split(y_index, fraction, random_state):
    """Stratified ``(train_rows, valid_rows)`` index arrays.

    Raises a ``ValueError`` naming the problem when a class has too few rows
    to appear on both sides.
    """
    rows = np.arange(len(y_index))
    try:
        return train_test_split(
            rows, test_size=fraction, stratify=y_index, random_state=random_state
        )
    except ValueError as exc:
        raise ValueError(
            f"early_stopping=True could not hold out a stratified "
            f"validation_fraction={fraction} of the {len(rows)} training rows "
            f"({exc}). Use more data, a larger validation_fraction, or "
            "early_stopping=False."
        ) from exc


class StratifiedHoldout:
    """skorch ``train_split``: a stratified held-out share of the rows.

    Unlike skorch's ``ValidSplit``, a class too rare to be split gets an
    error that names ``validation_fraction`` and the fixes.
    """

    def __init__(self, fraction, random_state):
        self.fraction = fraction
        self.random_state = random_state

    def __call__(self, dataset, y=None, **fit_params):
        labels = strata(dataset.y)
        labels = np.zeros(len(dataset)) if labels is None else labels.numpy()
        if np.ndim(dataset.y) == 2:  # multilabel: pool the strata of one row
            values, counts = np.unique(labels, return_counts=True)
            labels = np.where(np.isin(labels, values[counts < 2]), -1, labels)
        train, valid = validation_split(labels, self.fraction, self.random_state)
        return tuple(
            Dataset(split_rows(dataset.X, rows), dataset.y[rows])
            for rows in (torch.as_tensor(train), torch.as_tensor(valid))
        )


class ValidationScore(Callback):
    """Records ``valid_score``: ``scoring`` of the model on the held-out rows.

    It scores the logits that skorch's validation step already computed
    (no second forward pass), with the validation rows' sample weights.
    skorch's ``EpochScoring`` would call the scorer on the skorch net, which
    predicts class indices and has no ``classes_``: the user's scorer needs
    the labels, and ``Reward`` scores logits directly.
    """

    def initialize(self):
        self.best_score_ = -np.inf
        self._batches = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self._batches = []

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if not training:
            Xb, yb = batch
            parts = Xb if isinstance(Xb, dict) else {"X": Xb}
            self._batches.append(
                (
                    y_pred.detach(),
                    yb,
                    parts.get("sample_weight"),
                    parts["X"],
                    parts.get("index"),
                )
            )

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        if dataset_valid is None or not self._batches:
            return
        logits, y, w, features, index = (
            None
            if parts[0] is None
            else concat_rows(parts).to(self._batches[0][0].device)
            for parts in zip(*self._batches)
        )
        self._batches = []
        net.check_logits(logits)
        with net.reward.rows(features, index):
            value = net.reported(net.reward.score_logits(y, logits[None], w)[0])
        net.history.record("valid_score", value)
        net.history.record("valid_score_best", value > self.best_score_)
        self.best_score_ = max(self.best_score_, value)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_batches", None)
        return state


class BestAcrossPhases(SkorchEarlyStopping):
    """skorch's ``EarlyStopping`` on ``valid_score`` whose best model carries
    over from one training call to the next.

    The estimators train in two calls, the surrogate phase and then the score
    phase; skorch's stopper would forget the surrogate's best at the second
    call and could return a model worse on validation than one already seen.
    Here patience restarts with each call, but the best score and parameters
    are kept, so the fitted model is the best one seen in the whole fit.
    """

    def on_train_begin(self, net, **kwargs):
        kept = {
            name: self.__dict__[name]
            for name in ("dynamic_threshold_", "best_epoch_", "best_model_weights_")
            if name in self.__dict__
        }
        super().on_train_begin(net, **kwargs)
        if kept.get("best_model_weights_") is not None:
            self.__dict__.update(kept)

    def on_epoch_end(self, net, **kwargs):
        """skorch's, but when it stops the epoch's row of the ``verbose``
        table is printed first (skorch's stop skips the table's callback),
        then the reason."""
        self._held = []
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:
            log = dict(net.callbacks_).get("print_log")
            if log is not None:
                log.on_epoch_end(net, **kwargs)
            raise
        finally:
            held, self._held = self._held, None
            for text, verbose in held:
                super()._sink(text, verbose)

    def on_train_end(self, net, **kwargs):
        """Load the best parameters seen, and say which epoch they are and
        which epochs were discarded."""
        last = net.history[-1, "epoch"]
        if not (
            self.load_best
            and self.best_epoch_ != last
            and self.best_model_weights_ is not None
        ):
            return
        net.module_.load_state_dict(self.best_model_weights_)
        best = net.history[self.best_epoch_ - 1]
        discarded = range(self.best_epoch_ + 1, last + 1)
        phases = sorted({net.history[e - 1].get("phase", "") for e in discarded})
        self._sink(
            f"Keeping the parameters of epoch {self.best_epoch_} "
            f"({best.get('phase', '')} phase), the best {self.monitor} so far "
            f"({best[self.monitor]:.4f}); epochs {discarded[0]}-{discarded[-1]} "
            f"({' and '.join(phases)} phase) did not improve on it by "
            f"tol={self.threshold} and are discarded.",
            verbose=net.verbose,
        )

    def _sink(self, text, verbose):
        held = self.__dict__.get("_held")
        if held is not None:
            held.append((text, verbose))
        else:
            super()._sink(text, verbose)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_held", None)
        return state
