"""Random sequences of fit / warm fit / failing fit / set_params / predict /
pickle keep the estimator's invariants (hypothesis stateful testing)."""

import pickle

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from skorch.callbacks import Callback

from sklearn_zopg import PGClassifier, ZOClassifier

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 4))
Y = (X[:, 0] + 0.5 * RNG.normal(size=60) > 0).astype(int)


class Fails(Callback):
    """Raises at the end of the first epoch: a fit that fails midway."""

    def on_epoch_end(self, net, **kwargs):
        raise RuntimeError("fails midway")


class EstimatorStates(RuleBasedStateMachine):
    @initialize(Estimator=st.sampled_from([PGClassifier, ZOClassifier]))
    def make(self, Estimator):
        self.est = Estimator(max_epochs=1, surrogate_epochs=1, random_state=0)
        self.fitted = False
        self.rng_state = torch.random.get_rng_state()

    def _proba(self):
        return self.est.predict_proba(X)

    @rule(warm=st.booleans(), epochs=st.integers(1, 2))
    def fit(self, warm, epochs):
        self.est.set_params(warm_start=warm, max_epochs=epochs, callbacks=None)
        self.est.fit(X, Y)
        self.fitted = True

    @precondition(lambda self: self.fitted)
    @rule(warm=st.booleans())
    def failing_fit(self, warm):
        before = self._proba(), self.est.n_iter_
        self.est.set_params(warm_start=warm, callbacks=[Fails()])
        with pytest.raises(RuntimeError, match="fails midway"):
            self.est.fit(X, Y)
        self.est.set_params(callbacks=None)
        np.testing.assert_array_equal(self._proba(), before[0])
        assert self.est.n_iter_ == before[1]

    @rule(lr=st.sampled_from([0.001, 0.01, 0.1]), batch_size=st.integers(16, 64))
    def set_params(self, lr, batch_size):
        before = self._proba() if self.fitted else None
        self.est.set_params(lr=lr, batch_size=batch_size)
        if self.fitted:  # parameters act at the next fit, not on the model
            np.testing.assert_array_equal(self._proba(), before)

    @precondition(lambda self: self.fitted)
    @rule()
    def pickle_roundtrip(self):
        restored = pickle.loads(pickle.dumps(self.est))
        np.testing.assert_array_equal(restored.predict_proba(X), self._proba())
        np.testing.assert_array_equal(restored.predict(X), self.est.predict(X))
        self.est = restored

    @invariant()
    def history_matches_n_iter(self):
        if self.fitted:
            assert self.est.n_iter_ == len(self.est.net_.history)
            proba = self._proba()
            assert np.isfinite(proba).all()
            predicted = self.est.classes_[proba.argmax(1)]
            np.testing.assert_array_equal(predicted, self.est.predict(X))

    @invariant()
    def global_rng_untouched(self):
        assert torch.equal(torch.random.get_rng_state(), self.rng_state)


EstimatorStates.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
test_estimator_states = EstimatorStates.TestCase
