"""The private skorch net: skorch's loop, history and callbacks, our train step."""

import torch
from skorch import NeuralNet
from skorch.callbacks import EpochTimer, PassthroughScoring, PrintLog

__all__ = ["IndexBatches", "ScoreNet"]


class IndexBatches:
    """skorch ``iterator_train``: shuffled batches of row indices.

    The rows themselves stay on the training device inside the train step;
    only indices are batched. Shuffling uses torch's global generator, which
    the estimator forks and seeds for the duration of ``fit``.
    """

    def __init__(self, dataset, batch_size, shuffle=True):
        self.n_rows = len(dataset)
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return -(-self.n_rows // self.batch_size)

    def __iter__(self):
        order = (
            torch.randperm(self.n_rows) if self.shuffle else torch.arange(self.n_rows)
        )
        yield from order.split(self.batch_size)


class ScoreNet(NeuralNet):
    """A skorch ``NeuralNet`` whose ``train_step_single`` is a gradient estimator.

    ``train_step`` (set by the estimator for the length of a fit) takes the
    module and a tensor of row indices, leaves the ascent direction of the
    score in the parameters' ``.grad`` (as the negative of a loss gradient)
    and returns ``{"loss": ..., "score": ...}``. skorch then steps the
    optimizer, records the history and runs the callbacks.
    """

    train_step_fn = None

    @property
    def _default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            (
                "train_score",
                PassthroughScoring(
                    name="train_score", on_train=True, lower_is_better=False
                ),
            ),
            ("print_log", PrintLog()),
        ]

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        step = self.train_step_fn(self.module_, batch.to(self.device))
        self.history.record_batch("train_score", float(step["score"]))
        return {"loss": step["loss"], "y_pred": None}
