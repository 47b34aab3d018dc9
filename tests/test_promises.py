"""Promises that hold at the edges: odd targets, zero weights, interrupts,
threads, warm starts, what scorers receive and what messages say."""

import threading
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import f1_score, r2_score
from skorch.callbacks import Callback

from sklearn_zopg import PGClassifier, PGRegressor, ZOClassifier, ZORegressor, _threads
from sklearn_zopg._threads import call_threads

CLASSIFIERS = [PGClassifier, ZOClassifier]
REGRESSORS = [PGRegressor, ZORegressor]
ESTIMATORS = CLASSIFIERS + REGRESSORS
FAST = {"max_epochs": 3, "random_state": 0}


def _problem(Estimator, n=240, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    if Estimator in REGRESSORS:
        return X, X[:, 0] + 0.3 * rng.normal(size=n)
    return X, (X[:, 0] + 0.3 * rng.normal(size=n) > 0).astype(int)


def _multilabel(n=240, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, np.stack([X[:, 0] > 0, X[:, 1] > 0.5, X[:, 2] < 0], 1).astype(int)


# ------------------------------------------------------------ targets
@pytest.mark.parametrize("Estimator", CLASSIFIERS)
@pytest.mark.parametrize("values", [(0, 2), (-1, 1)])
def test_multilabel_y_of_other_values_than_0_and_1_is_refused(Estimator, values):
    """type_of_target calls any two-valued integer matrix an indicator;
    casting {0, 2} or {-1, 1} would train on labels that are not there."""
    X, Y = _multilabel()
    Y = np.where(Y == 1, values[1], values[0])
    with pytest.raises(ValueError, match=r"holds the values .* 0 .* and 1 .* only"):
        Estimator(**FAST).fit(X, Y)


@pytest.mark.parametrize("Estimator", CLASSIFIERS)
def test_warm_start_refuses_a_change_of_target_kind(Estimator):
    """Binary y -> a 2-label indicator, 3 labels -> 3 classes: the same
    classes_ but softmax and sigmoids are different models."""
    X, y = _problem(Estimator)
    est = Estimator(warm_start=True, **FAST).fit(X, y)
    Y = np.stack([y, 1 - y], 1)
    with pytest.raises(ValueError, match="same kind of target.*multilabel"):
        est.fit(X, Y)
    X, Y = _multilabel()
    est = Estimator(warm_start=True, **FAST).fit(X, Y)
    with pytest.raises(ValueError, match="same kind of target.*single-label"):
        est.fit(X, Y.argmax(1))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_sparse_column_y_is_taken(Estimator):
    X, y = _problem(Estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConversionWarning)
        est = Estimator(**FAST).fit(X, sp.csr_matrix(y.reshape(-1, 1)))
    assert np.isfinite(est.score(X, y))


@pytest.mark.parametrize("Estimator", CLASSIFIERS)
def test_a_sparse_multilabel_y_is_taken(Estimator):
    X, Y = _multilabel()
    est = Estimator(**FAST).fit(X, sp.csr_matrix(Y))
    assert est.predict(X).shape == Y.shape


# ------------------------------------------------------------ zero weights
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("share", [0.1, 0.005])
def test_zero_weights_fit_as_the_rows_removed(Estimator, share):
    """A 0/1 mask with few ones: batches of zero total weight used to end
    the fit ("returned NaN"); rows of zero weight count nowhere, so the fit
    is the fit on the other rows, prediction for prediction."""
    X, y = _problem(Estimator, n=1000)
    rng = np.random.default_rng(1)
    weight = np.zeros(len(y))
    ones = rng.choice(len(y), size=max(int(share * len(y)), 5), replace=False)
    weight[ones] = 1.0
    if Estimator in CLASSIFIERS:  # both classes among the weighted rows
        weight[np.flatnonzero(y == 0)[:2]] = weight[np.flatnonzero(y == 1)[:2]] = 1
    kept = weight > 0
    settings = dict(batch_size=16, **FAST)
    masked = Estimator(**settings).fit(X, y, sample_weight=weight)
    removed = Estimator(**settings).fit(X[kept], y[kept], sample_weight=weight[kept])
    np.testing.assert_allclose(
        masked.predict(X), removed.predict(X), rtol=1e-9, atol=1e-12
    )


@pytest.mark.parametrize("Estimator", CLASSIFIERS)
def test_zero_weights_with_multilabel_y(Estimator):
    X, Y = _multilabel(n=400)
    weight = (np.arange(len(Y)) % 10 == 0).astype(float)
    est = Estimator(batch_size=16, **FAST).fit(X, Y, sample_weight=weight)
    assert np.isfinite(est.score(X, Y, sample_weight=weight))


# ------------------------------------------------------------ rare classes
@pytest.mark.parametrize(
    "scoring",
    [
        "neg_log_loss",
        "roc_auc_ovr",
        "roc_auc_ovo",
        "roc_auc_ovr_weighted",
        "neg_brier_score",
        "d2_brier_score",
        "d2_log_loss_score",
        "average_precision",
    ],
)
@pytest.mark.parametrize("labels", [None, ["cat", "dog", "eel"]])
def test_zo_multiclass_probability_scorers_with_a_class_rarer_than_batches(
    scoring, labels
):
    """15 rows of a class among 1,500, in 24 batches: most batches lack it."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 4))
    y = (X[:, 0] > 0).astype(int)
    y[:15] = 2
    X[:15, 1] += 3
    if labels is not None:
        y = np.array(labels)[y]
    est = ZOClassifier(scoring=scoring, batch_size=64, max_epochs=2, random_state=0)
    est.fit(X, y)
    assert np.isfinite(est.score(X, y))


def test_zo_multilabel_roc_auc_with_a_label_rarer_than_batches():
    X, Y = _multilabel(n=480)
    Y[:, 2] = 0
    Y[:4, 2] = 1  # in 4 of the 15 batches
    est = ZOClassifier(
        scoring="roc_auc",
        batch_size=32,
        max_epochs=1,
        surrogate_epochs=1,
        random_state=0,
    )
    est.fit(X, Y)
    assert np.isfinite(est.score(X, Y))


# ------------------------------------------------------------ what scorers receive
class Recording:
    """A callable scorer that records the X and y it gets, then scores."""

    def __init__(self, score):
        self.score = score
        self.X, self.y = [], []

    def __call__(self, estimator, X, y):
        self.X.append(X)
        self.y.append(y.copy() if hasattr(y, "copy") else np.array(y))
        return self.score(estimator, X, y)


@pytest.mark.parametrize("Estimator", REGRESSORS)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_regression_scorers_get_the_users_own_y_values(Estimator, early_stopping):
    """Integer targets arrive as they are, never rebuilt from standardized
    ones (6.0 as 5.999999999999999)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = np.round(10 * X[:, 0] + 3 * rng.normal(size=300)).astype(float)
    scorer = Recording(lambda est, X, y: -np.mean(np.abs(est.predict(X) - y)))
    Estimator(scoring=scorer, early_stopping=early_stopping, **FAST).fit(X, y)
    assert len(scorer.y) > 3
    for seen in scorer.y:
        assert np.isin(seen, y).all()
        assert np.array_equal(seen, np.round(seen))


@pytest.mark.parametrize("Estimator", REGRESSORS)
def test_regression_scorers_get_real_rows_and_a_writable_prediction(Estimator):
    """The constant-mean 'unit' score at the start of fit called the scorer
    with an (n, 1) placeholder and a read-only prediction."""
    X, y = _problem(Estimator)

    def clipped_error(est, X, y):
        prediction = est.predict(X)
        np.clip(prediction, -1, 1, out=prediction)  # in place
        return -float(np.mean(np.abs(prediction - y) * (1 + np.abs(X[:, 2]))))

    est = Estimator(scoring=clipped_error, **FAST).fit(X, y)
    assert np.isfinite(est.score(X, y))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_scorers_see_dataframe_rows_in_training_as_in_score(Estimator, early_stopping):
    X, y = _problem(Estimator)
    frame = pd.DataFrame(
        X, columns=["amount", "b", "c", "d"], index=np.arange(len(X)) + 1000
    )
    if Estimator in REGRESSORS:

        def by_amount(est, X, y):
            return -float(np.mean(np.abs(X["amount"]) * np.abs(est.predict(X) - y)))
    else:

        def by_amount(est, X, y):
            return float(np.mean(np.abs(X["amount"]) * (est.predict(X) == y)))

    scorer = Recording(by_amount)
    est = Estimator(scoring=scorer, early_stopping=early_stopping, **FAST)
    est.fit(frame, y)
    assert np.isfinite(est.score(frame, y))
    assert len(scorer.X) > 3
    for seen in scorer.X:
        assert isinstance(seen, pd.DataFrame)
        assert list(seen.columns) == list(frame.columns)
        assert set(seen.index) <= set(frame.index)
        pd.testing.assert_frame_equal(seen, frame.loc[seen.index])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_scorers_see_the_users_own_y_series_in_training(Estimator):
    X, y = _problem(Estimator)
    series = pd.Series(y, index=np.arange(len(y)) + 500, name="target")
    scorer = Recording(
        lambda est, X, y: -float(np.mean(np.abs(est.predict(X) - np.asarray(y))))
    )
    Estimator(scoring=scorer, **FAST).fit(X, series)
    assert len(scorer.y) > 3
    for seen in scorer.y:
        assert isinstance(seen, pd.Series) and seen.name == "target"
        pd.testing.assert_series_equal(seen, series.loc[seen.index])


def test_a_scorer_that_edits_its_prediction_does_not_change_policy_gradient():
    """PG multilabel handed scorers a view of its sampled labels; a scorer
    may edit what predict() returns, as with any sklearn estimator."""
    X, Y = _multilabel()

    def hamming(est, X, Y):
        return -float(np.mean(est.predict(X) != Y))

    def editing(est, X, Y):
        predicted = est.predict(X)
        value = -float(np.mean(predicted != Y))
        predicted[:] = 1 - predicted  # legal: it is the scorer's own array
        Y[:] = 0
        return value

    fits = [
        PGClassifier(scoring=scoring, credit="batch", **FAST).fit(X, Y)
        for scoring in (hamming, editing)
    ]
    np.testing.assert_array_equal(fits[0].predict_proba(X), fits[1].predict_proba(X))


# ------------------------------------------------------------ regressors' units
@pytest.mark.parametrize("Estimator", REGRESSORS)
def test_a_warm_start_continues_in_the_fitted_units(Estimator):
    """New rows of another mean and spread, one epoch at lr=1e-12: the
    predictions barely move (they moved by 0.8 std(y) when the targets were
    standardized afresh)."""
    X, y = _problem(Estimator)
    est = Estimator(warm_start=True, **FAST).fit(X, y)
    before = est.predict(X)
    est.set_params(lr=1e-12, max_epochs=1)
    est.fit(X[:100], 5 + 3 * y[:100])
    np.testing.assert_allclose(est.predict(X), before, rtol=0, atol=1e-6 * np.std(y))


@pytest.mark.parametrize("Estimator", REGRESSORS)
def test_a_warm_start_refuses_a_scorer_of_another_link(Estimator):
    X, y = _problem(Estimator)
    y = np.exp(y)
    est = Estimator(warm_start=True, **FAST).fit(X, y)
    est.set_params(scoring="neg_mean_poisson_deviance")
    with pytest.raises(ValueError, match="scoring=.*needs LogLink"):
        est.fit(X, y)


@pytest.mark.parametrize("Estimator", REGRESSORS)
@pytest.mark.parametrize("factor", [1e-200, 1e160])
def test_targets_at_extreme_scales_fit(Estimator, factor):
    """The scale is computed without under- or overflow, and the scores are
    checked after the division by the constant prediction's score."""
    X, y = _problem(Estimator)
    reference = Estimator(**FAST).fit(X, y)
    scaled = Estimator(**FAST).fit(X, y * factor)
    np.testing.assert_allclose(
        scaled.predict(X) / factor, reference.predict(X), rtol=1e-6, atol=1e-9
    )


@pytest.mark.parametrize("Estimator", REGRESSORS)
def test_a_squared_error_at_a_large_but_representable_scale_fits(Estimator):
    X, y = _problem(Estimator)
    est = Estimator(scoring="neg_mean_squared_error", **FAST).fit(X, 1e51 * y)
    assert r2_score(1e51 * y, est.predict(X)) > 0.3


@pytest.mark.parametrize("Estimator", REGRESSORS)
@pytest.mark.parametrize("factor", [1e-200, 1e160])
def test_a_scale_the_score_cannot_represent_is_named(Estimator, factor):
    X, y = _problem(Estimator)
    with pytest.raises(ValueError, match="standard deviation is .*e[-+]"):
        Estimator(scoring="neg_mean_squared_error", **FAST).fit(X, y * factor)


# ------------------------------------------------------------ messages
def test_messages_show_a_few_items_and_a_count():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    Y = np.zeros((200, 3000), dtype=int)
    Y[:100, 0] = 1
    with pytest.raises(ValueError) as info:
        PGClassifier(**FAST).fit(X, Y)
    assert "(2,999 in all)" in str(info.value) and len(str(info.value)) < 400
    with pytest.raises(ValueError) as info:
        ZORegressor(**FAST).fit(X, np.ones((200, 3000)))
    assert "(3,000 in all)" in str(info.value) and len(str(info.value)) < 400


def test_many_unseen_labels_are_summarized():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2500, 3))
    y = np.arange(2500)
    est = ZOClassifier(
        hidden_layer_sizes=(2,),
        surrogate_epochs=0,
        max_epochs=1,
        n_samples=2,
        decision_offsets=None,  # 2,500 classes: the message is the point here
    ).fit(X, y)
    with pytest.raises(ValueError) as info:
        est.score(X, y + 2500)
    assert "2,500 in all" in str(info.value) and len(str(info.value)) < 400


def test_a_binary_scorer_on_many_classes_is_summarized():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(2500, 3)), np.arange(2500)
    with pytest.raises(ValueError, match="average='binary'") as info:
        ZOClassifier(scoring="f1", **FAST).fit(X, y)
    assert "2,500 in all" in str(info.value) and len(str(info.value)) < 400


@pytest.mark.parametrize("Estimator", REGRESSORS)
def test_a_regressors_module_of_the_wrong_width_is_told_about_outputs(Estimator):
    X, y = _problem(Estimator)
    with pytest.raises(
        ValueError, match=r"return outputs of shape \(n_samples, n_outputs\)"
    ):
        Estimator(module=torch.nn.Linear(4, 3), **FAST).fit(X, y)


# ------------------------------------------------------------ interrupts
class _Interrupting(torch.nn.Module):
    """A linear model that raises KeyboardInterrupt at its n-th training
    forward (inside a perturbed one, for ZO), like a Ctrl-C."""

    def __init__(self, n_features=4, n_classes=2, at=40):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_classes)
        self.at = at
        self.calls = 0

    def forward(self, X):
        if self.training:
            self.calls += 1
            if self.calls == self.at:
                raise KeyboardInterrupt
        return self.linear(X)


class _ParametersAtBatchStart(Callback):
    def on_batch_begin(self, net, training=False, **kwargs):
        if training:
            self.start = {k: v.clone() for k, v in net.module_.state_dict().items()}


def test_an_interrupt_in_a_perturbed_in_place_forward_restores_the_parameters():
    X, y = _problem(ZOClassifier)
    record = _ParametersAtBatchStart()
    est = ZOClassifier(
        module=_Interrupting,
        memory_efficient=True,
        surrogate_epochs=0,
        callbacks=[record],
        max_epochs=5,
        random_state=0,
    ).fit(X, y)
    # the net's copy of the callback (the parameter stays as given)
    record = next(c for _, c in est.net_.callbacks_ if isinstance(c, type(record)))
    for name, value in est.net_.module_.state_dict().items():
        np.testing.assert_allclose(
            value.numpy(), record.start[name].numpy(), atol=1e-12
        )


def test_the_in_place_mode_restores_the_parameters_on_any_error():
    from sklearn_zopg.zo._directions import Directions
    from sklearn_zopg.zo._perturbed import PerturbedModule, select_parameters

    module = _Interrupting(at=3)
    params = select_parameters(module, None)
    before = {k: v.clone() for k, v in params.items()}
    directions = Directions("gaussian", 8, list(params.values()), store=False)
    with torch.no_grad(), pytest.raises(KeyboardInterrupt):
        PerturbedModule(module, params, "inplace").logits(
            torch.ones(5, 4), directions, 0.1
        )
    for name, value in params.items():
        torch.testing.assert_close(value, before[name], rtol=0, atol=1e-7)


# ------------------------------------------------------------ threads
def fit_threads(module, device):
    return call_threads(module, device, rows=64)


def test_overlapping_fits_in_two_threads_restore_each_threads_count(monkeypatch):
    """torch's intra-op count is per thread: the main thread, whose fit
    ends first, gets the process's count back, and so do the worker and a
    thread started after both."""
    small = torch.nn.Linear(2, 2)
    cpu = torch.device("cpu")
    before = torch.get_num_threads()
    monkeypatch.setattr(_threads, "_PROCESS_THREADS", 2)
    monkeypatch.setattr(_threads, "_ENVIRONMENT_THREADS", False)
    torch.set_num_threads(2)
    entered, main_done = threading.Event(), threading.Event()
    seen = {}

    def worker():
        seen["before"] = torch.get_num_threads()
        with fit_threads(small, cpu):
            entered.set()
            main_done.wait(10)
        seen["after"] = torch.get_num_threads()

    try:
        with fit_threads(small, cpu):
            assert torch.get_num_threads() == 1
            thread = threading.Thread(target=worker)
            thread.start()
            entered.wait(10)
        main_done.set()
        thread.join(10)
        assert torch.get_num_threads() == 2
        # the worker started inside the main thread's scope (so with its
        # one thread) and leaves with the process's count
        assert seen["before"] == 1 and seen["after"] == 2
        later = threading.Thread(
            target=lambda: seen.__setitem__("later", torch.get_num_threads())
        )
        later.start()
        later.join(10)
        assert seen["later"] == 2
    finally:
        torch.set_num_threads(before)


def test_overlapping_real_fits_leave_the_main_threads_count(monkeypatch):
    """The main thread's fit starts a second fit in a worker thread and ends
    while the worker's still runs."""
    X, y = _problem(PGClassifier)
    before = torch.get_num_threads()
    monkeypatch.setattr(_threads, "_PROCESS_THREADS", 2)
    monkeypatch.setattr(_threads, "_ENVIRONMENT_THREADS", False)
    torch.set_num_threads(2)
    started, gate = threading.Event(), threading.Event()
    workers = []

    class HoldToTheEnd(Callback):
        def on_train_begin(self, net, **kwargs):
            started.set()

        def on_train_end(self, net, **kwargs):
            gate.wait(10)

    class StartAWorker(Callback):
        def on_train_begin(self, net, **kwargs):
            worker = threading.Thread(
                target=lambda: PGClassifier(callbacks=[HoldToTheEnd()], **FAST).fit(
                    X, y
                )
            )
            worker.start()
            workers.append(worker)
            started.wait(10)

    try:
        PGClassifier(callbacks=[StartAWorker()], **FAST).fit(X, y)
        assert torch.get_num_threads() == 2
    finally:
        gate.set()
        for worker in workers:
            worker.join(30)
        torch.set_num_threads(before)


def test_f1_of_a_rare_multilabel_fit_stays_useful_with_zero_weights():
    """Zero weights are not a degenerate corner: a half-masked fit learns."""
    X, Y = _multilabel(n=600)
    weight = np.tile([0.0, 1.0], 300)
    est = ZOClassifier(scoring="f1_macro", random_state=0).fit(
        X, Y, sample_weight=weight
    )
    assert f1_score(Y, est.predict(X), average="macro") > 0.6
