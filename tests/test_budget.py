"""The training budget: epochs from optimizer steps, and the cosine decay."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from skorch.callbacks import Callback, LRScheduler
from torch.optim.lr_scheduler import StepLR

from sklearn_zopg import PGClassifier, ZOClassifier
from sklearn_zopg._budget import PHASE_BUDGETS, phase_epochs


@given(
    n_rows=st.integers(1, 10**6),
    batch_size=st.integers(1, 4096),
    phase=st.sampled_from(["score", "surrogate"]),
)
def test_auto_epochs_make_the_phase_steps(n_rows, batch_size, phase):
    rows_per_step, most_steps, (least, most) = PHASE_BUDGETS[phase]
    epochs = phase_epochs("auto", n_rows, batch_size, phase)
    assert least <= epochs <= most
    batches = math.ceil(n_rows / batch_size)
    wanted = min(most_steps, n_rows / rows_per_step)
    if least < epochs < most:  # not held by a bound: the steps asked, less
        # than one epoch over
        assert wanted <= epochs * batches < wanted + batches


@given(setting=st.integers(0, 1000), n_rows=st.integers(1, 10**5))
def test_a_number_of_epochs_is_kept(setting, n_rows):
    assert phase_epochs(setting, n_rows, 256, "score") == setting


def test_auto_budget_gives_more_epochs_to_small_data():
    small = phase_epochs("auto", 700, 256, "score")
    large = phase_epochs("auto", 100_000, 256, "score")
    assert small * math.ceil(700 / 256) >= 700  # a step per row
    assert large * math.ceil(100_000 / 256) >= 2000
    assert small > 100 > large


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(int)
    return X, y


class RecordRates(Callback):
    """Each training step's learning rate, and its phase."""

    def initialize(self):
        self.rates = []
        return self

    def on_batch_begin(self, net, training=False, **kwargs):
        if training:
            self.rates.append((net.phase, net.optimizer_.param_groups[0]["lr"]))

    def on_train_end(self, net, **kwargs):
        self.rates.append(("end", net.optimizer_.param_groups[0]["lr"]))


def _rates(est):
    recorder = dict(est.net_.callbacks_)["RecordRates"]
    return recorder.rates


def _recorded_fit(Estimator, callbacks=(), **params):
    """``Estimator(**params)`` fitted on :func:`_data`, recording its rates."""
    X, y = _data()
    callbacks = [*callbacks, RecordRates()]
    return Estimator(random_state=0, callbacks=callbacks, **params).fit(X, y)


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_fit_epochs_follow_the_budget(Estimator):
    X, y = _data()
    est = Estimator(random_state=0, max_epochs="auto", surrogate_epochs=3)
    assert est.fit(X, y).n_iter_ == 3 + phase_epochs("auto", 600, 256, "score")
    held = Estimator(
        random_state=0, max_epochs="auto", surrogate_epochs=0, early_stopping=True
    )
    held.set_params(n_iter_no_change=10_000).fit(X, y)
    assert held.n_iter_ == phase_epochs("auto", 600 - 60, 256, "score")


def test_cosine_decay_over_each_phase():
    X, y = _data()
    est = _recorded_fit(
        ZOClassifier,
        surrogate_epochs=4,
        max_epochs=6,
        surrogate_lr=0.02,
        lr=0.004,
        lr_schedule="cosine",
    )
    rates = _rates(est)
    for phase, base, steps in (("surrogate", 0.02, 12), ("score", 0.004, 18)):
        got = [rate for kind, rate in rates if kind == phase]
        expected = [
            base * (1 + math.cos(math.pi * t / steps)) / 2 for t in range(steps)
        ]
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    # the full rate is restored after each phase: a partial_fit goes on at it
    ends = [rate for kind, rate in rates if kind == "end"]
    assert ends == [0.02, 0.004]
    est.partial_fit(X, y)
    assert _rates(est)[-1] == ("end", 0.004)
    assert [r for k, r in _rates(est)[-4:-1]] == [0.004] * 3


def test_constant_schedule_keeps_the_rate():
    est = _recorded_fit(
        PGClassifier, max_epochs=3, surrogate_epochs=2, lr_schedule="constant"
    )
    assert {rate for kind, rate in _rates(est) if kind != "end"} == {0.01}


def test_a_users_lr_scheduler_sets_the_rate():
    est = _recorded_fit(
        PGClassifier,
        callbacks=[LRScheduler(StepLR, step_size=1, gamma=0.5)],
        max_epochs=3,
        surrogate_epochs=0,
        lr_schedule="cosine",
    )
    score = [rate for kind, rate in _rates(est) if kind == "score"]
    assert score == [0.01] * 3 + [0.005] * 3 + [0.0025] * 3


def test_partial_fit_auto_warm_up_counts_calls():
    """``surrogate_epochs="auto"`` in ``partial_fit``: the first calls train
    on the surrogate, as many as the warm-up takes on chunks of that size."""
    X, y = _data(n=300)
    est = ZOClassifier(random_state=0, surrogate_epochs="auto", max_epochs="auto")
    calls = phase_epochs("auto", 300, 256, "surrogate")
    for _ in range(calls + 2):
        est.partial_fit(X, y, classes=[0, 1])
    phases = [epoch["phase"] for epoch in est.net_.history]
    assert phases == ["surrogate"] * calls + ["score"] * 2
