"""GridSearchCV over our estimators on a real dask.distributed cluster."""

import pickle
import types

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sklearn_zopg import PGClassifier, ZOClassifier

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
