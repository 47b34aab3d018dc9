"""What a fit promises: a complete skorch net, state kept on failure, warm starts
that honour parameters, threads and the global RNG, and errors that name the cause."""

import pickle
import threading

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, f1_score, make_scorer, roc_auc_score
from skorch.callbacks import Callback

from sklearn_zopg import PGClassifier, ZOClassifier

ESTIMATORS = [PGClassifier, ZOClassifier]
FAST = dict(max_epochs=2, surrogate_epochs=1, random_state=0)


class RaiseAtEpoch(Callback):
    """Raises ``error`` at the end of the given epoch (counted over the fit)."""

    def __init__(self, epoch, error=RuntimeError):
        self.epoch = epoch
        self.error = error

    def on_train_begin(self, net, **kwargs):
        self.start_ = getattr(self, "start_", len(net.history))

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) - self.start_ == self.epoch:
            raise self.error("stop here")


def _state(est, X):
    return est.predict_proba(X).copy(), est.n_iter_, len(est.net_.history)


# ------------------------------------------------------------ the skorch net
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_fitted_net_is_a_complete_skorch_net(Estimator, small_multiclass, tmp_path):
    X, y = small_multiclass
    est = Estimator(**FAST).fit(X, y)
    net = est.net_
    np.testing.assert_allclose(net.predict_proba(X), est.predict_proba(X), atol=1e-12)
    # it goes on training on its own, with skorch's inputs: floats, class indices
    y_index = np.searchsorted(est.classes_, y)
    net.partial_fit(X.astype(np.float32), y_index)
    assert len(net.history) == est.n_iter_ + est.max_epochs
    assert set(net.history[:, "phase"]) == {"surrogate", "score"}
    # and saves and loads its parameters
    net.save_params(f_params=tmp_path / "params.pt")
    before = net.predict_proba(X)
    net.partial_fit(X, y_index)
    net.load_params(f_params=tmp_path / "params.pt")
    np.testing.assert_allclose(net.predict_proba(X), before, atol=1e-12)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_history_marks_each_epochs_phase_and_its_rate(Estimator, small_multiclass):
    X, y = small_multiclass
    rates = []

    class RecordRate(Callback):
        def on_epoch_begin(self, net, **kwargs):
            rates.append(net.optimizer_.param_groups[0]["lr"])

    est = Estimator(
        surrogate_epochs=2,
        surrogate_lr=0.05,
        lr=0.002,
        max_epochs=3,
        callbacks=[RecordRate()],
        random_state=0,
    ).fit(X, y)
    assert est.net_.history[:, "phase"] == ["surrogate"] * 2 + ["score"] * 3
    assert rates == [0.05] * 2 + [0.002] * 3


# ------------------------------------------------------------ failures
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_failing_warm_fit_leaves_the_estimator_as_it_was(Estimator, small_multiclass):
    X, y = small_multiclass
    est = Estimator(**FAST, warm_start=True).fit(X, y)
    before = _state(est, X)
    est.set_params(max_epochs=5, callbacks=[RaiseAtEpoch(3)])
    with pytest.raises(RuntimeError, match="stop here"):
        est.fit(X, y)
    after = _state(est, X)
    np.testing.assert_array_equal(after[0], before[0])
    assert after[1:] == before[1:]
    assert est.n_iter_ == len(est.net_.history)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_interrupt_before_training_leaves_the_estimator_as_it_was(
    Estimator, small_multiclass
):
    class Interrupting(torch.nn.Module):
        def __init__(self):
            raise KeyboardInterrupt

    X, y = small_multiclass
    est = Estimator(**FAST).fit(X, y)
    before = _state(est, X)
    est.set_params(module=Interrupting)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X[:, :4], y)
    assert est.n_features_in_ == X.shape[1]
    est.set_params(module=None)
    np.testing.assert_array_equal(est.predict_proba(X), before[0])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_interrupt_in_the_surrogate_phase_ends_the_fit(Estimator, small_multiclass):
    X, y = small_multiclass
    est = Estimator(
        surrogate_epochs=5,
        max_epochs=5,
        callbacks=[RaiseAtEpoch(2, KeyboardInterrupt)],
        random_state=0,
    ).fit(X, y)
    assert est.n_iter_ == 2
    assert est.net_.history[:, "phase"] == ["surrogate", "surrogate"]


# ------------------------------------------------------------ warm start
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_warm_start_honours_changed_parameters(Estimator, small_multiclass):
    X, y = small_multiclass
    est = Estimator(**FAST, warm_start=True).fit(X, y)
    first = est.n_iter_
    est.set_params(max_epochs=4, lr=0.5, batch_size=50).fit(X, y)
    assert est.n_iter_ == first + 4  # no surrogate phase when continuing
    assert est.net_.optimizer_.param_groups[0]["lr"] == 0.5
    assert est.net_.history[-1, "train_batch_count"] == 6  # 300 rows / 50


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(hidden_layer_sizes=(8,)), "hidden_layer_sizes changed"),
        (dict(module=torch.nn.Linear(6, 3)), "module changed"),
    ],
)
def test_warm_start_refuses_what_it_cannot_honour(change, match, small_multiclass):
    X, y = small_multiclass
    est = PGClassifier(**FAST, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match=match):
        est.set_params(**change).fit(X, y)


def test_warm_start_with_other_features_or_classes_is_a_clear_error(small_multiclass):
    X, y = small_multiclass
    est = ZOClassifier(**FAST, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="n_features_in_=6 features; X has 4"):
        est.fit(X[:, :4], y)
    with pytest.raises(ValueError, match="same classes"):
        est.fit(X, np.where(y == 2, 1, y))
    assert est.n_features_in_ == 6


# ------------------------------------------------------------ threads, RNG
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_threads_give_the_sequential_fit_and_leave_the_global_rng(
    Estimator, small_multiclass
):
    X, y = small_multiclass
    sequential = Estimator(**FAST).fit(X, y).predict_proba(X)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    fits = [Estimator(**FAST) for _ in range(4)]
    threads = [threading.Thread(target=f.fit, args=(X, y)) for f in fits]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert torch.equal(torch.rand(3), expected)
    for f in fits:
        np.testing.assert_array_equal(f.predict_proba(X), sequential)


def test_a_dropout_module_is_reproducible_and_leaves_the_global_rng(small_multiclass):
    X, y = small_multiclass
    module = torch.nn.Sequential(
        torch.nn.Linear(6, 16), torch.nn.Dropout(0.5), torch.nn.Linear(16, 3)
    )
    torch.manual_seed(5)
    expected = torch.rand(2)
    torch.manual_seed(5)
    a = PGClassifier(module=module, **FAST).fit(X, y).predict_proba(X)
    assert torch.equal(torch.rand(2), expected)
    b = PGClassifier(module=module, **FAST).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------ temperature
def test_predict_proba_uses_the_fitted_temperature(small_multiclass):
    X, y = small_multiclass
    est = PGClassifier(temperature=2.0, **FAST).fit(X, y)
    proba = est.predict_proba(X)
    est.set_params(temperature=1e-300)
    np.testing.assert_array_equal(est.predict_proba(X), proba)
    assert (est.classes_[proba.argmax(1)] == est.predict(X)).all()


def test_tiny_temperature_gives_one_hot_rows_or_a_clear_error(small_multiclass):
    X, y = small_multiclass
    est = PGClassifier(temperature=1e-3, **FAST).fit(X * 1e3, y)
    proba = est.predict_proba(X * 1e6)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(1), 1)
    assert (est.classes_[proba.argmax(1)] == est.predict(X * 1e6)).all()
    with pytest.raises(ValueError, match="temperature=1e-310 is too small"):
        PGClassifier(temperature=1e-310, **FAST).fit(X, y)


# ------------------------------------------------------------ parameters
@pytest.mark.parametrize(
    "params, error, match",
    [
        (dict(hidden_layer_sizes=(0,)), ValueError, "positive integers"),
        (dict(hidden_layer_sizes=(-3,)), ValueError, "positive integers"),
        (dict(hidden_layer_sizes=(2.5,)), ValueError, "positive integers"),
        (dict(hidden_layer_sizes=("wide",)), ValueError, "positive integers"),
        (dict(optimizer=int), TypeError, "torch.optim.Optimizer subclass"),
        (dict(callbacks=["print"]), TypeError, "skorch callbacks"),
        (dict(module_params={"width": 3}), ValueError, "module_params is only used"),
        (dict(device="meta"), ValueError, "cannot train a model"),
        (dict(device="banana"), ValueError, "not a torch device"),
        (dict(module=int), TypeError, "torch.nn.Module"),
    ],
)
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_invalid_parameters_are_named(Estimator, params, error, match):
    X, y = np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2
    with pytest.raises(error, match=match):
        Estimator(**params, max_epochs=1).fit(X, y)


@pytest.mark.parametrize(
    "scoring", ["r2", "neg_mean_squared_error", "neg_mean_absolute_percentage_error"]
)
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_regression_scorers_are_refused(Estimator, scoring):
    X, y = np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 3
    with pytest.raises(ValueError, match="regression metric"):
        Estimator(scoring=scoring, max_epochs=1).fit(X, y)


# ------------------------------------------------------------ scorer forms
def test_zo_takes_a_callable_that_reads_probabilities(imbalanced):
    X_train, X_test, y_train, y_test = imbalanced

    def auc(estimator, X, y):
        return roc_auc_score(y, estimator.predict_proba(X)[:, 1])

    def margin_auc(estimator, X, y):
        return roc_auc_score(y, estimator.decision_function(X))

    for scoring in (auc, margin_auc):
        est = ZOClassifier(scoring=scoring, max_epochs=3, random_state=0)
        est.fit(X_train, y_train)
        assert roc_auc_score(y_test, est.decision_function(X_test)) > 0.8


@pytest.mark.parametrize("metric", [f1_score, accuracy_score, lambda y_true, y: 1.0])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_plain_metric_function_is_pointed_to_make_scorer(Estimator, metric):
    X, y = np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2
    with pytest.raises(TypeError, match="make_scorer"):
        Estimator(scoring=metric, max_epochs=1).fit(X, y)


def test_a_huge_score_is_named_not_called_divergence(small_multiclass):
    X, y = small_multiclass
    huge = make_scorer(lambda y_true, y_pred: 1e308 * accuracy_score(y_true, y_pred))
    for Estimator in ESTIMATORS:
        with pytest.raises(ValueError, match="Rescale the scorer"):
            Estimator(scoring=huge, **FAST).fit(X, y)


# ------------------------------------------------------------ user modules
class WidthAware(torch.nn.Module):
    def __init__(self, n_features, n_classes, width=8):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(n_features, width), torch.nn.ReLU()
        )
        self.out = torch.nn.Linear(width, n_classes)

    def forward(self, X):
        return self.out(self.net(X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_module_class_gets_the_data_widths_it_asks_for(Estimator, small_multiclass):
    X, y = small_multiclass
    est = Estimator(module=WidthAware, module_params={"width": 5}, **FAST).fit(X, y)
    assert est.net_.module_.out.in_features == 5
    assert est.predict_proba(X).shape == (len(X), 3)


def test_a_module_of_the_wrong_input_width_names_n_features_in(small_multiclass):
    X, y = small_multiclass
    with pytest.raises(ValueError, match="n_features_in_=6"):
        PGClassifier(module=torch.nn.Linear(4, 3), **FAST).fit(X, y)


def test_pickled_estimator_predicts_the_same(small_multiclass):
    X, y = small_multiclass
    est = ZOClassifier(**FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict_proba(X), est.predict_proba(X))


# ------------------------------------------------------------ threads
@pytest.fixture
def thread_counts(monkeypatch):
    """``set_counts(current, torch_default)``: torch's count now, and the
    count the package takes for torch's own; torch's count restored after."""
    from sklearn_zopg import _threads

    before = torch.get_num_threads()

    def set_counts(current, torch_default):
        monkeypatch.setattr(_threads, "_PROCESS_THREADS", torch_default)
        monkeypatch.setattr(_threads, "_ENVIRONMENT_THREADS", False)
        torch.set_num_threads(current)

    yield set_counts
    torch.set_num_threads(before)


class RecordThreads(Callback):
    """Appends the intra-op thread count at each epoch to ``seen``."""

    def __init__(self, seen):
        self.seen = seen

    def on_epoch_begin(self, net, **kwargs):
        self.seen.append(torch.get_num_threads())


def test_small_cpu_fits_use_one_thread_and_restore_the_setting(
    small_multiclass, thread_counts, monkeypatch
):
    from sklearn_zopg import _threads

    X, y = small_multiclass
    seen = []
    thread_counts(2, 2)
    PGClassifier(callbacks=[RecordThreads(seen)], **FAST).fit(X, y)
    assert seen and set(seen) == {1}
    assert torch.get_num_threads() == 2
    seen.clear()
    # more work per batch than the rule's bound: torch's setting
    parameters = 6 * 64 + 64 + 64 * 3 + 3
    bound = min(256, len(X)) * parameters - 1
    monkeypatch.setattr(_threads, "SINGLE_THREAD_MAX_WORK", bound)
    PGClassifier(callbacks=[RecordThreads(seen)], **FAST).fit(X, y)
    assert set(seen) == {2}


def test_inference_of_little_work_uses_one_thread(small_multiclass, thread_counts):
    X, y = small_multiclass
    seen = []

    class Recording(torch.nn.Module):
        def __init__(self, n_features, n_classes):
            super().__init__()
            self.linear = torch.nn.Linear(n_features, n_classes)

        def forward(self, X):
            seen.append(torch.get_num_threads())
            return self.linear(X)

    thread_counts(2, 2)
    est = PGClassifier(module=Recording, **FAST).fit(X, y)
    seen.clear()
    est.predict_proba(X)
    est.score(X, y)
    assert seen and set(seen) == {1}
    assert torch.get_num_threads() == 2


def test_a_thread_count_the_user_set_is_kept(small_multiclass, thread_counts):
    X, y = small_multiclass
    seen = []
    thread_counts(2, 3)  # not torch's count: the user's
    PGClassifier(callbacks=[RecordThreads(seen)], **FAST).fit(X, y)
    assert set(seen) == {2}
