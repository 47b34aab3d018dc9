"""Continuing a fitted model: partial_fit after fit, between pickles and
set_params, the decision rule kept by later calls, and the callbacks and
settings users hand in, kept as they gave them."""

import copy
import pickle
import re
import sys

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.metrics import accuracy_score
from skorch.callbacks import (
    Callback,
    Checkpoint,
    EarlyStopping,
    EpochScoring,
    LoadInitState,
    LRScheduler,
)

from sklearn_zopg import (
    PGClassifier,
    PGRegressor,
    ScoreHistoryDisplay,
    ZOClassifier,
    ZORegressor,
)

ESTIMATORS = [PGClassifier, ZOClassifier, PGRegressor, ZORegressor]
SMALL = dict(max_epochs=2, batch_size=64, random_state=0)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(480, 8, n_informative=5, flip_y=0.05, random_state=3)
    return X, y


def _targets(Estimator, X, y):
    if Estimator in (PGRegressor, ZORegressor):
        return X[:, 0] * 3.0 + X[:, 1] + 10.0
    return y


def _parameters(est):
    return torch.cat([p.detach().ravel() for p in est.net_.module_.parameters()])


def _skops_round_trip(est):
    sio = pytest.importorskip("skops.io")
    data = sio.dumps(est)
    return sio.loads(data, trusted=sio.get_untrusted_types(data=data))


ROUND_TRIPS = {
    "pickle": lambda est: pickle.loads(pickle.dumps(est)),
    "deepcopy": copy.deepcopy,
    "skops": _skops_round_trip,
}


def _continue(est, X, y, changes, round_trip=None):
    """Two partial_fit calls after ``set_params(**changes)``, with the model
    moved by ``round_trip`` before each."""
    est.set_params(**changes)
    for rows in np.array_split(np.arange(len(X)), 2):
        if round_trip is not None:
            est = round_trip(est)
        est.partial_fit(X[rows], y[rows])
    return est


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "fitted, changes",
    [
        (dict(early_stopping=True), dict(early_stopping=False)),
        ({}, dict(batch_size=32)),
        ({}, dict(lr=0.003)),
        ({}, dict(weight_decay=0.5)),
        (dict(surrogate_schedule="alternate", surrogate_epochs=1), {}),
    ],
    ids=["after-early-stopping", "batch_size", "lr", "weight_decay", "alternate"],
)
def test_partial_fit_is_the_same_with_and_without_a_round_trip(
    Estimator, fitted, changes, data
):
    """Each call trains with the current parameters and the fitted state,
    whether or not the model was pickled in between."""
    X, y = data
    y = _targets(Estimator, X, y)
    est = Estimator(**SMALL, **fitted).fit(X, y)
    epochs = est.n_iter_
    direct = _continue(copy.copy(est), X, y, changes)
    moved = _continue(est, X, y, changes, ROUND_TRIPS["pickle"])
    torch.testing.assert_close(_parameters(direct), _parameters(moved), rtol=0, atol=0)
    assert direct.n_iter_ == len(direct.net_.history) == epochs + 2
    if "weight_decay" in changes:
        penalty = dict(direct.net_.callbacks_)["weight_decay"].weight_decay
        assert penalty == changes["weight_decay"]


@pytest.mark.parametrize("round_trip", ["deepcopy", "skops"])
def test_the_alternating_schedule_survives_every_copy(round_trip, data):
    X, y = data
    est = ZOClassifier(**SMALL, surrogate_schedule="alternate", surrogate_every=2)
    est.fit(X, y)
    direct = _continue(copy.copy(est), X, y, {})
    moved = _continue(est, X, y, {}, ROUND_TRIPS[round_trip])
    torch.testing.assert_close(_parameters(direct), _parameters(moved), rtol=0, atol=0)
    kinds = [b["step"] for e in moved.net_.history for b in e["batches"]]
    assert kinds == [b["step"] for e in direct.net_.history for b in e["batches"]]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_after_early_stopping_trains_on_every_row(Estimator, data):
    """No row held out, no best epoch reloaded: every call moves the model."""
    X, y = data
    y = _targets(Estimator, X, y)
    est = Estimator(**SMALL, early_stopping=True).fit(X, y)
    est.set_params(early_stopping=False)
    seen = [_parameters(est)]
    for rows in np.array_split(np.arange(len(X)), 3):
        est.partial_fit(X[rows], y[rows])
        seen.append(_parameters(est))
        last = est.net_.history[-1]
        assert "valid_score" not in last
        assert last["train_batch_count"] == -(-len(rows) // SMALL["batch_size"])
    for before, after in zip(seen, seen[1:]):
        assert not torch.equal(before, after)


class FailAtBatch(Callback):
    """Raises at the ``at``-th training batch it sees."""

    def __init__(self, at):
        self.at = at

    def initialize(self):
        self.seen_ = 0
        return self

    def on_batch_end(self, net, training=None, **kwargs):
        if training:
            self.seen_ += 1
            if self.seen_ == self.at:
                raise RuntimeError("failing on purpose")


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_partial_fit_that_raises_leaves_the_model_as_it_was(Estimator, data):
    X, y = data
    y = _targets(Estimator, X, y)
    est = Estimator(**SMALL).fit(X, y)
    before, epochs = _parameters(est), len(est.net_.history)
    est.set_params(callbacks=[FailAtBatch(at=3)])
    with pytest.raises(RuntimeError, match="on purpose"):
        est.partial_fit(X, y)
    torch.testing.assert_close(_parameters(est), before, rtol=0, atol=0)
    assert est.n_iter_ == len(est.net_.history) == epochs


@pytest.mark.parametrize("Estimator", [PGClassifier, PGRegressor])
def test_set_params_applies_at_the_next_partial_fit(Estimator, data):
    """batch_size and callbacks changed between calls are used, as
    MLPClassifier uses its current batch_size."""
    X, y = data
    y = _targets(Estimator, X, y)
    est = Estimator(**SMALL).fit(X, y)
    metric = "r2" if Estimator is PGRegressor else "accuracy"
    probe = EpochScoring(metric, on_train=True, name="probe")
    est.set_params(batch_size=40, callbacks=[probe])
    est.partial_fit(X, y)
    last = est.net_.history[-1]
    assert last["train_batch_count"] == len(X) // 40
    assert "probe" in last


@pytest.mark.parametrize(
    "callback",
    [
        LRScheduler(policy="StepLR", step_size=1, gamma=0.5),
        EpochScoring("accuracy", on_train=True),
        EarlyStopping(monitor="train_loss", patience=50),
    ],
    ids=["LRScheduler", "EpochScoring", "EarlyStopping"],
)
def test_fit_leaves_the_users_callbacks_as_given(callback, data):
    X, y = data
    given = dict(vars(callback))
    unfitted = PGClassifier(**SMALL, callbacks=[callback])
    sio = pytest.importorskip("skops.io")
    trusted_before = set(sio.get_untrusted_types(data=sio.dumps(unfitted)))
    est = unfitted.fit(X, y)
    assert vars(callback).keys() == given.keys()
    assert all(vars(callback)[k] is v for k, v in given.items())
    # the fitted estimator saves with skops, trusting what the unfitted did
    data = sio.dumps(est)
    assert set(sio.get_untrusted_types(data=data)) == trusted_before


def test_regressor_history_holds_scores_in_their_own_units(data):
    X, _ = data
    y = X[:, 0] * 30.0 + 500.0 + np.random.default_rng(0).normal(0, 5, len(X))
    est = ZORegressor(**SMALL, early_stopping=True).fit(X, y)
    display = ScoreHistoryDisplay.from_estimator(est) if _has_matplotlib() else None
    valid = np.array(est.net_.history[:, "valid_score"])
    assert est.best_validation_score_ == pytest.approx(valid.max())
    # the mean absolute error of a model within a few units of the target
    assert -100 < valid.max() < -1
    train = np.array(est.net_.history[:, "train_score"])
    assert np.all(train < -1)
    if display is not None:
        np.testing.assert_allclose(display.valid_score, valid)


def _has_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def test_load_init_state_keeps_both_phases(data, tmp_path):
    X, y = data
    first = ZOClassifier(
        **SMALL,
        surrogate_epochs=2,
        callbacks=[Checkpoint(monitor="train_score_best", dirname=str(tmp_path))],
    ).fit(X, y)
    saved = len(first.net_.history)
    resumed = ZOClassifier(
        **SMALL,
        surrogate_epochs=1,
        callbacks=[LoadInitState(Checkpoint(dirname=str(tmp_path)))],
    ).fit(X, y)
    phases = list(resumed.net_.history[:, "phase"])
    assert len(phases) <= saved + 3
    assert phases[-3:] == ["surrogate", "score", "score"]


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_decision_offsets_attribute_is_the_decision_rule(Estimator, data):
    X, y = data
    est = Estimator(**SMALL, decision_offsets="tuned").fit(X, y)
    est.decision_offsets_ = np.array([0.0, 50.0])
    assert (est.predict(X) == 1).all()
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))
    np.testing.assert_array_equal(
        restored.decision_function(X), est.decision_function(X)
    )


def test_an_unrepresentative_chunk_leaves_the_offsets(data):
    """A chunk of one class only: the offsets stay, accuracy holds."""
    X, y = data
    train, test = slice(0, 360), slice(360, None)
    est = ZOClassifier(**SMALL, decision_offsets="tuned").fit(X[train], y[train])
    offsets, before = est.decision_offsets_.copy(), est.score(X[test], y[test])
    zeros = np.flatnonzero(y[train] == 0)[:40]
    est.partial_fit(X[zeros], y[zeros])
    np.testing.assert_array_equal(est.decision_offsets_, offsets)
    assert accuracy_score(y[test], est.predict(X[test])) > before - 0.05
    assert set(est.predict(X[test])) == {0, 1}


def test_a_chunk_where_a_label_is_always_on_leaves_its_offset():
    X, Y = make_multilabel_classification(400, 8, n_classes=3, random_state=0)
    est = ZOClassifier(**SMALL, scoring="f1_samples", decision_offsets="tuned")
    est.fit(X, Y)
    offsets = est.decision_offsets_.copy()
    rows = np.flatnonzero(Y[:, 0] == 1)[:40]
    est.partial_fit(X[rows], Y[rows])
    assert est.decision_offsets_[0] == offsets[0]
    assert 0 < est.predict(X)[:, 0].mean() < 1


def test_verbose_fit_without_standard_output(data, monkeypatch):
    X, y = data
    monkeypatch.setattr(sys, "stdout", None)
    est = PGClassifier(**SMALL, verbose=1).fit(X, y)
    assert est.n_iter_ == SMALL["max_epochs"]


@pytest.mark.parametrize("on_train", [True, False])
def test_epoch_scoring_takes_probability_scorers(on_train, data):
    X, y = data
    est = PGClassifier(
        **SMALL,
        early_stopping=not on_train,
        callbacks=[EpochScoring("roc_auc", on_train=on_train, name="auc")],
    ).fit(X, y)
    values = np.array(est.net_.history[:, "auc"])
    assert np.all((values > 0.5) & (values <= 1))


@pytest.mark.parametrize(
    "key, names",
    [
        ("module__dropout", "module_params"),
        ("optimizer__momentum", "optimizer_params"),
        ("callbacks__print_log__sink", "callbacks=["),
    ],
)
def test_skorch_style_keys_point_to_their_parameter(key, names):
    with pytest.raises(ValueError, match=rf"{key}.*{re.escape(names)}"):
        PGClassifier().set_params(**{key: 0.5})


@pytest.mark.parametrize(
    "callback",
    [EarlyStopping(monitor="valid_score", lower_is_better=False)],
)
def test_callbacks_watching_validation_need_early_stopping(callback, data):
    X, y = data
    with pytest.raises(ValueError, match="early_stopping=True"):
        PGClassifier(**SMALL, callbacks=[callback]).fit(X, y)


def test_optuna_pruning_without_hold_out_is_refused(data):
    optuna = pytest.importorskip("optuna")
    integration = pytest.importorskip("optuna_integration")
    X, y = data
    trial = optuna.create_study().ask()
    callback = integration.SkorchPruningCallback(trial, "valid_score")
    with pytest.raises(ValueError, match="early_stopping=True"):
        PGClassifier(**SMALL, callbacks=[callback]).fit(X, y)


def test_a_long_structure_change_is_named_briefly(data):
    X, y = data
    est = PGClassifier(**SMALL, hidden_layer_sizes=[2]).fit(X[:64], y[:64])
    est.set_params(hidden_layer_sizes=[3] * 5000, warm_start=True)
    with pytest.raises(ValueError, match="hidden_layer_sizes changed") as error:
        est.fit(X, y)
    assert len(str(error.value)) < 500


def test_a_schedule_scales_the_alternating_surrogate_steps(data):
    """An LRScheduler's factor applies to the interleaved surrogate steps too."""
    X, y = data
    est = ZOClassifier(
        **{**SMALL, "max_epochs": 3},
        lr=0.01,
        surrogate_lr=0.02,
        surrogate_epochs=0,
        surrogate_schedule="alternate",
        callbacks=[LRScheduler(policy="StepLR", step_size=1, gamma=0.5)],
    ).fit(X, y)
    last_epoch_lr = est.net_.history[-1, "event_lr"]
    assert last_epoch_lr < 0.01
    surrogate_lr = est.net_.alternate_optimizer_.param_groups[0]["lr"]
    assert surrogate_lr == pytest.approx(0.02 * last_epoch_lr / 0.01)


class _WithBuffer(torch.nn.Module):
    def __init__(self, n_features, n_classes, width=5):
        super().__init__()
        self.width = width
        self.body = torch.nn.Sequential(torch.nn.Linear(n_features, width))
        self.out = torch.nn.Linear(width, n_classes)
        self.register_buffer("scale", torch.full((1,), 2.0))
        self.register_buffer("cache", torch.zeros(1), persistent=False)

    def forward(self, X):
        return self.out(torch.relu(self.body(X))) * self.scale


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_an_estimator_given_a_module_instance_saves_with_skops(Estimator, data):
    X, y = data
    est = Estimator(**SMALL, module=_WithBuffer(X.shape[1], 2, width=4)).fit(X, y)
    sio = pytest.importorskip("skops.io")
    saved = sio.dumps(est)
    types = set(sio.get_untrusted_types(data=saved))
    assert {f"{__name__}._WithBuffer", "torch.nn.modules.linear.Linear"} <= types
    loaded = sio.loads(saved, trusted=sorted(types))
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    assert loaded.module.width == 4 and "cache" not in loaded.module.state_dict()
    # the loaded model continues as the original does
    for model in (est, loaded):
        model.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            dict(optimizer=torch.optim.SGD, optimizer_params={"momentum": 0.9}),
            {"momentum": 0.9},
        ),
        (dict(optimizer_params={"betas": (0.5, 0.9)}), {"betas": (0.5, 0.9)}),
    ],
    ids=["another optimizer", "its settings"],
)
def test_a_changed_optimizer_applies_at_the_next_partial_fit(changes, expected, data):
    """Another optimizer starts afresh (momenta do not transfer between
    optimizers); changed settings apply to the carried-over state."""
    X, y = data
    est = PGClassifier(**SMALL).fit(X, y)
    direct = _continue(copy.copy(est), X, y, changes)
    moved = _continue(est, X, y, changes, ROUND_TRIPS["pickle"])
    torch.testing.assert_close(_parameters(direct), _parameters(moved), rtol=0, atol=0)
    optimizer = direct.net_.optimizer_
    assert isinstance(optimizer, changes.get("optimizer", torch.optim.Adam))
    for key, value in expected.items():
        assert optimizer.param_groups[0][key] == value


@pytest.mark.parametrize("Estimator", [PGClassifier, ZORegressor])
def test_a_changed_scoring_trains_the_next_partial_fit(Estimator, data):
    X, y = data
    y = _targets(Estimator, X, y)
    scoring = "balanced_accuracy" if Estimator is PGClassifier else "r2"
    est = Estimator(**SMALL).fit(X, y)
    direct = _continue(copy.copy(est), X, y, dict(scoring=scoring))
    moved = _continue(est, X, y, dict(scoring=scoring), ROUND_TRIPS["pickle"])
    torch.testing.assert_close(_parameters(direct), _parameters(moved), rtol=0, atol=0)
    assert direct.net_.reward.scoring == scoring
