"""Failures are loud and leave the estimator as it was."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklearn_zopg import PGClassifier, ZOClassifier

ESTIMATORS = [PGClassifier, ZOClassifier]


class NaNModule(torch.nn.Module):
    """Logits that turn NaN after a few forward passes in training mode."""

    def __init__(self, n_in=6, n_out=3, after=30):
        super().__init__()
        self.fc = torch.nn.Linear(n_in, n_out)
        self.after = after
        self.calls = 0

    def forward(self, X):
        self.calls += self.training
        out = self.fc(X)
        return out * float("nan") if self.calls > self.after else out


class InterruptAt(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_divergence_names_the_epoch(Estimator, small_multiclass):
    X, y = small_multiclass
    est = Estimator(module=NaNModule, max_epochs=50, surrogate_epochs=0)
    with pytest.raises(ValueError, match=r"diverged at epoch \d+"):
        est.fit(X, y)
    assert not hasattr(est, "net_")


class PoisonAfterLastBatch(Callback):
    """Turns a weight to NaN after the optimizer's last step of epoch 1."""

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if training:
            with torch.no_grad():
                next(net.module_.parameters())[0, 0] = float("nan")


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_parameters_gone_nan_stop_the_fit(Estimator, early_stopping, small_multiclass):
    X, y = small_multiclass
    est = Estimator(
        callbacks=[PoisonAfterLastBatch()],
        batch_size=len(y),  # one batch: no later forward sees the NaN
        max_epochs=3,
        surrogate_epochs=0,
        early_stopping=early_stopping,
    )
    with pytest.raises(ValueError, match="diverged at epoch 1"):
        est.fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_failed_fit_leaves_fitted_estimator_untouched(Estimator, small_multiclass):
    X, y = small_multiclass
    est = Estimator(max_epochs=2, random_state=0).fit(X, y)
    before = est.predict_proba(X)
    state = {k: v for k, v in vars(est).items() if k.endswith("_")}
    bad_inputs = [
        (X[:, :4], np.zeros_like(y)),  # resets n_features_in_, then one class
        (np.where(np.eye(len(X), X.shape[1]) > 0, np.nan, X), y),
    ]
    for bad_X, bad_y in bad_inputs:
        with pytest.raises(ValueError):
            est.fit(bad_X, bad_y)
        assert {
            k: v for k, v in vars(est).items() if k.endswith("_")
        }.keys() == state.keys()
        assert est.n_features_in_ == X.shape[1]
        np.testing.assert_array_equal(est.predict_proba(X), before)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_keyboard_interrupt_keeps_a_usable_model(Estimator, small_multiclass):
    X, y = small_multiclass
    est = Estimator(
        max_epochs=50, surrogate_epochs=0, callbacks=[InterruptAt(3)], random_state=0
    )
    est.fit(X, y)
    assert est.n_iter_ == 3
    assert est.predict(X).shape == y.shape


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_object_input_is_refused(Estimator, small_multiclass):
    # Sparse X is taken: tests/test_sparse.py.
    X, y = small_multiclass
    with pytest.raises(ValueError):
        Estimator().fit(np.array([["a"] * X.shape[1]] * len(X), dtype=object), y)


def test_score_with_unseen_labels_is_a_clear_error(small_multiclass):
    X, y = small_multiclass
    est = PGClassifier(max_epochs=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"not seen during fit: \[7\]"):
        est.score(X, np.where(y == 0, 7, y))
    assert np.isfinite(est.score(X, y))
