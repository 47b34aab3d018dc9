"""Early stopping on the user's score, measured on a held-out validation split."""

import copy

import numpy as np
from sklearn.model_selection import train_test_split

__all__ = ["EarlyStopping", "validation_split"]


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


class EarlyStopping:
    """Scores the model on the validation rows after every epoch.

    Records ``valid_score`` in the skorch history, keeps a copy of the best
    parameters, stops a training phase after ``patience`` epochs in a row
    without an improvement of at least ``tol`` and restores the best
    parameters at the end of each phase (so the score phase starts from the
    best surrogate epoch).

    Parameters
    ----------
    score : callable
        ``score(module) -> float``: the scorer on the validation rows.
    patience : int
    tol : float
    """

    def __init__(self, score, patience, tol):
        self.score = score
        self.patience = patience
        self.tol = tol
        self.best_score = -np.inf
        self.best_state = None
        self.best_epoch = None
        self.stale_epochs = 0

    def start_phase(self):
        self.stale_epochs = 0

    def epoch_end(self, net):
        """Record the epoch's validation score; True when the phase should stop."""
        value = self.score(net.module_)
        net.history.record("valid_score", value)
        # As MLPClassifier: patience counts epochs that do not beat the best
        # by tol; the best parameters are those of the best score itself.
        if value < self.best_score + self.tol:
            self.stale_epochs += 1
        else:
            self.stale_epochs = 0
        if value > self.best_score:
            self.best_score = value
            self.best_state = copy.deepcopy(net.module_.state_dict())
            self.best_epoch = len(net.history)
        net.history.record("valid_score_best", self.best_epoch == len(net.history))
        return self.should_stop()

    def should_stop(self):
        return self.stale_epochs >= self.patience

    def restore_best(self, net):
        if self.best_state is not None:
            net.module_.load_state_dict(self.best_state)
