"""Our estimators on a real dask.distributed cluster: GridSearchCV on joblib's
dask backend, and dask-ml's Incremental, IncrementalSearchCV and ParallelPostFit."""

import pickle
import types

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sklearn_zopg import PGClassifier, ZOClassifier, ZORegressor

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def test_grid_search_on_dask_matches_local(client, small_multiclass):
    X, y = small_multiclass
    grid = {"baseline": ["mean", "loo"], "n_samples": [4, 8]}

    def search():
        est = PGClassifier(
            scoring="f1_macro", credit="batch", max_epochs=5, random_state=0
        )
        return GridSearchCV(est, grid, cv=2, n_jobs=-1).fit(X, y)

    with joblib.parallel_config(backend="dask"):
        remote = search()
    local = search()
    assert len(client.scheduler_info()["workers"]) == 2
    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert remote.best_params_ == local.best_params_


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_unfitted_and_fitted_pickle_without_global_state(Estimator, small_multiclass):
    X, y = small_multiclass
    est = Estimator(max_epochs=2, random_state=0)
    clone = pickle.loads(pickle.dumps(est))
    assert clone.get_params() == est.get_params()
    est.fit(X, y)
    state = est.net_.__getstate__()
    # no closure (a function holding training data) is part of the net
    assert not any(isinstance(v, types.FunctionType) for v in state.values())
    assert "generators_" not in state  # training-time state is not pickled
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))


# ------------------------------------------------------------------ dask-ml
@pytest.fixture(scope="module")
def blocks():
    """A problem of 1,600 rows in 8 dask blocks, and its numpy copy."""
    from sklearn.datasets import make_classification

    da = pytest.importorskip("dask.array")
    X, y = make_classification(1600, 8, n_informative=5, weights=[0.8], random_state=0)
    return X, y, da.from_array(X, chunks=200), da.from_array(y, chunks=200)


def _in_memory_passes(est, X, y, passes, **fit_params):
    for _ in range(passes):
        for rows in np.array_split(np.arange(len(y)), 8):
            est.partial_fit(X[rows], y[rows], **fit_params)
    return est


@pytest.mark.parametrize("Estimator", [PGClassifier, ZORegressor])
def test_incremental_matches_in_memory_passes(client, blocks, Estimator):
    wrappers = pytest.importorskip("dask_ml.wrappers")
    da = pytest.importorskip("dask.array")
    X, y, X_blocks, _ = blocks
    if Estimator is PGClassifier:
        est, fit_params, target = (
            PGClassifier(scoring="f1", random_state=0),
            {"classes": [0, 1]},
            y,
        )
        chance = 2 * np.mean(y) / (1 + np.mean(y))  # F1 of predicting all 1
    else:
        est = ZORegressor(scoring="neg_mean_absolute_error", random_state=0)
        fit_params, target = {}, X[:, :3] @ np.array([1.0, -2.0, 0.5])
        chance = -np.mean(np.abs(target - np.median(target)))
    wrapped = wrappers.Incremental(est, shuffle_blocks=False)
    for _ in range(3):
        wrapped.partial_fit(X_blocks, da.from_array(target, chunks=200), **fit_params)
    remote = wrapped.estimator_
    local = _in_memory_passes(Estimator(**est.get_params()), X, target, 3, **fit_params)
    assert remote.n_iter_ == local.n_iter_ == 24
    # The model moves between worker processes with its optimizer's and its
    # generators' states: the same passes give the same model.
    assert remote.score(X, target) == pytest.approx(local.score(X, target), abs=1e-9)
    assert remote.score(X, target) > chance + 0.1


def test_incremental_search_over_lr_and_n_samples(client, blocks):
    model_selection = pytest.importorskip("dask_ml.model_selection")
    _, _, X_blocks, y_blocks = blocks
    search = model_selection.IncrementalSearchCV(
        PGClassifier(scoring="f1", random_state=0),
        {"lr": [0.01, 0.1], "n_samples": [4, 16]},
        n_initial_parameters="grid",
        max_iter=4,
        decay_rate=None,
        random_state=0,
    )
    search.fit(X_blocks, y_blocks, classes=[0, 1])
    results = search.cv_results_
    assert len(results["params"]) == 4
    assert search.best_params_ in list(results["params"])
    assert search.best_score_ == max(results["test_score"]) > 0.5
    assert search.best_estimator_.n_iter_ == max(results["partial_fit_calls"])


def test_parallel_post_fit_predicts_as_in_memory(client, blocks):
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y, X_blocks, _ = blocks
    est = PGClassifier(scoring="f1", max_epochs=5, random_state=0).fit(X, y)
    wrapped = wrappers.ParallelPostFit(est)
    np.testing.assert_array_equal(wrapped.predict(X_blocks).compute(), est.predict(X))
    np.testing.assert_allclose(
        wrapped.predict_proba(X_blocks).compute(), est.predict_proba(X)
    )
