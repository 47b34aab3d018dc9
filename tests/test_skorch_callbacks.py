"""skorch's own callbacks across the surrogate and score phases, warm starts
and early stopping, as in skorch."""

import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score, make_scorer
from skorch.callbacks import (
    Callback,
    Checkpoint,
    EarlyStopping,
    EpochScoring,
    GradientNormClipping,
    LoadInitState,
    LRScheduler,
    ProgressBar,
)

from sklearn_zopg import PGClassifier, PGRegressor, ZOClassifier, ZORegressor

CLASSIFIERS = [PGClassifier, ZOClassifier]
TWO_PHASES = dict(surrogate_epochs=2, max_epochs=3, random_state=0)


@pytest.fixture(scope="module")
def binary():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 4))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)


def _flat(net):
    return torch.cat([p.detach().flatten() for p in net.module_.parameters()])


@pytest.mark.parametrize("Estimator", CLASSIFIERS)
def test_epoch_scoring_on_train_and_valid_with_string_and_callable(Estimator, binary):
    X, y = binary
    callbacks = [
        EpochScoring("f1", on_train=True, name="train_f1", lower_is_better=False),
        EpochScoring("f1", name="valid_f1", lower_is_better=False),
        EpochScoring(make_scorer(f1_score), name="valid_f1_callable"),
    ]
    est = Estimator(
        scoring="f1",
        callbacks=callbacks,
        early_stopping=True,
        warm_start=True,
        n_iter_no_change=50,
        **TWO_PHASES,
    ).fit(X, y)
    est.fit(X, y)  # a warm start: the score phase again
    history = est.net_.history
    assert est.n_iter_ == len(history) == 2 + 3 + 3
    # The validation scorers see the held-out rows as our own valid_score.
    np.testing.assert_allclose(history[:, "valid_f1"], history[:, "valid_score"])
    np.testing.assert_allclose(history[:, "valid_f1_callable"], history[:, "valid_f1"])
    train_f1 = np.array(history[:, "train_f1"])
    assert np.all((0 <= train_f1) & (train_f1 <= 1)) and train_f1[-1] > 0.7


def test_epoch_scoring_on_regressor_predictions(binary):
    X, _ = binary
    y = 3 * X[:, 0] + 10
    est = PGRegressor(
        callbacks=[EpochScoring("r2", on_train=True, name="train_r2")],
        surrogate_epochs=40,
        max_epochs=1,
        random_state=0,
    ).fit(X, y)
    # in the target's units (standardized outputs against y would score < 0)
    assert est.net_.history[-1, "train_r2"] > 0.8


def test_validation_scoring_without_a_holdout_is_refused(binary):
    X, y = binary
    est = PGClassifier(callbacks=[EpochScoring("f1", name="valid_f1")])
    with pytest.raises(ValueError, match=r"EpochScoring\('valid_f1'\).*record nothing"):
        est.fit(X, y)


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("restart", [False, True])
def test_lr_scheduler_in_both_phases_and_warm_starts(binary, early_stopping, restart):
    """skorch resumes a scheduler at the history's epoch count; each phase
    starts from its own lr on a fresh optimizer and follows the schedule
    from there. ``last_epoch=-1`` restarts it at each phase exactly."""
    from torch.optim.lr_scheduler import StepLR

    X, y = binary
    kwargs = {"last_epoch": -1} if restart else {}
    est = ZOClassifier(
        callbacks=[LRScheduler(StepLR, step_size=1, gamma=0.5, **kwargs)],
        surrogate_lr=0.04,
        lr=0.004,
        early_stopping=early_stopping,
        n_iter_no_change=50,
        warm_start=True,
        **TWO_PHASES,
    ).fit(X, y)
    est.fit(X, y)  # a warm start: a third phase
    lrs = np.array(est.net_.history[:, "event_lr"])
    assert est.net_.history[:, "phase"] == ["surrogate"] * 2 + ["score"] * 6
    phases = [lrs[:2], lrs[2:5], lrs[5:]]
    for phase, own_lr in zip(phases, [0.04, 0.004, 0.004]):
        np.testing.assert_allclose(phase[1:] / phase[:-1], 0.5)  # the schedule
        if restart:
            assert phase[0] == pytest.approx(own_lr)
        else:
            assert phase[0] <= own_lr


@pytest.mark.parametrize("Estimator", CLASSIFIERS)
def test_users_early_stopping_in_the_score_phase_stops_the_fit(Estimator, binary):
    X, y = binary
    stopper = EarlyStopping(
        monitor="valid_score", lower_is_better=False, patience=1, threshold=1.0
    )
    est = Estimator(
        callbacks=[stopper],
        early_stopping=True,
        surrogate_epochs=3,
        max_epochs=20,
        random_state=0,
    ).fit(X, y)
    phases = est.net_.history[:, "phase"]
    # patience 1 with an unreachable threshold: each phase stops at its second
    # epoch, and the fit says so in n_iter_
    assert phases == ["surrogate"] * 2 + ["score"] * 2
    assert est.n_iter_ == 4


def test_progress_bar_through_both_phases(binary, capsys):
    X, y = binary
    est = ZOClassifier(
        callbacks=[ProgressBar(postfix_keys=["train_loss"])], **TWO_PHASES
    ).fit(X, y)
    assert est.n_iter_ == 5
    assert capsys.readouterr().err.count("0/1 [") >= 5  # tqdm's bar each epoch


def test_gradient_norm_clipping_bounds_each_step(binary):
    """The clip acts on the method's estimate as on a backward gradient: with
    plain SGD, each step moves the parameters by at most lr * the clip."""
    X, y = binary
    clip, lr = 1e-3, 1.0
    est = PGClassifier(
        optimizer=torch.optim.SGD,
        lr=lr,
        surrogate_lr=lr,
        batch_size=512,  # one step an epoch
        callbacks=[GradientNormClipping(gradient_clip_value=clip)],
        **TWO_PHASES,
    ).fit(X, y)
    initial = PGClassifier(
        optimizer=torch.optim.SGD,
        lr=1e-300,
        batch_size=512,
        max_epochs=1,
        random_state=0,
    ).fit(X, y)
    moved = float(torch.linalg.vector_norm(_flat(est.net_) - _flat(initial.net_)))
    assert 0 < moved <= 5 * lr * clip * (1 + 1e-9)  # 5 steps in all


def test_checkpoint_and_load_init_state_resume_a_fit(binary, tmp_path):
    X, y = binary
    checkpoint = Checkpoint(monitor="valid_score_best", dirname=str(tmp_path))
    first = ZOClassifier(
        callbacks=[checkpoint], early_stopping=True, n_iter_no_change=50, **TWO_PHASES
    ).fit(X, y)
    assert (tmp_path / "params.pt").exists() and (tmp_path / "history.json").exists()
    saved_epochs = 1 + max(  # the history as it was at the last checkpoint
        i for i, epoch in enumerate(first.net_.history) if epoch["event_cp"]
    )
    snapshot = Snapshot()
    resumed = ZOClassifier(
        callbacks=[LoadInitState(Checkpoint(dirname=str(tmp_path))), snapshot],
        surrogate_epochs=0,
        max_epochs=1,
        random_state=1,
    ).fit(X, y)
    # the saved history comes back, and training starts from the saved
    # parameters (and optimizer state, its lr included, as in skorch)
    assert resumed.n_iter_ == saved_epochs + 1
    assert (
        resumed.net_.history[:saved_epochs, "valid_score"]
        == (first.net_.history[:saved_epochs, "valid_score"])
    )
    probe = ZOClassifier(max_epochs=1, random_state=0).fit(X, y)
    probe.net_.load_params(checkpoint=Checkpoint(dirname=str(tmp_path)))
    snapshot = next(c for _, c in resumed.net_.callbacks_ if isinstance(c, Snapshot))
    torch.testing.assert_close(snapshot.parameters_, _flat(probe.net_))


class Snapshot(Callback):
    """The module's parameters as the training call begins."""

    def on_train_begin(self, net, **kwargs):
        self.parameters_ = _flat(net).clone()


@pytest.mark.parametrize("Estimator", [PGClassifier, ZORegressor])
def test_optuna_pruning_across_phases(Estimator, binary):
    optuna = pytest.importorskip("optuna")
    integration = pytest.importorskip("optuna_integration")
    X, y = binary
    if Estimator is ZORegressor:
        y = X[:, 0] * 2.0
    lrs = [0.03, 1e-7]

    def objective(trial):
        lr = lrs[trial.number]
        est = Estimator(
            lr=lr,
            surrogate_lr=lr,
            early_stopping=True,
            n_iter_no_change=50,
            callbacks=[integration.SkorchPruningCallback(trial, "valid_score")],
            **TWO_PHASES,
        ).fit(X, y)
        return est.best_validation_score_

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize",
        pruner=optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=2),
    )
    study.optimize(objective, n_trials=2)
    complete, stalled = study.trials
    assert complete.state == optuna.trial.TrialState.COMPLETE
    # one report per epoch of both phases
    assert sorted(complete.intermediate_values) == list(range(5))
    assert stalled.state == optuna.trial.TrialState.PRUNED
