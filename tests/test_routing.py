"""Scorer metadata routed as scikit-learn routes it (``set_score_request``).

Every scorer call, in training as in ``score``, receives the requested
metadata sliced to the rows it scores: a scorer given a routed row id checks
that the id, the features and the targets it receives are the same rows.
"""

import pickle

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.metadata_routing import MetadataRequest

from sklearn_zopg import PGClassifier, PGRegressor, ZOClassifier, ZORegressor

ESTIMATORS = [PGClassifier, ZOClassifier, PGRegressor, ZORegressor]
REGRESSORS = (PGRegressor, ZORegressor)


@pytest.fixture(autouse=True)
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _data(Estimator, n=150, multilabel=False):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    X[:, 0] = np.arange(n)  # column 0 is the row id, to check alignment
    if Estimator in REGRESSORS:
        y = X[:, 1] + 0.1 * rng.normal(size=n)
    elif multilabel:
        y = np.column_stack([X[:, 1] > 0, X[:, 2] > 0]).astype(int)
    else:
        y = (X[:, 1] > 0).astype(int)
    return X, y


class AlignedRows:
    """A metric ``f(y_true, y_pred, *, row_id, amount)`` that asserts its
    routed ``row_id`` names the rows it scores (their targets, and the
    ``amount`` routed beside it), and records how many rows each call
    scored. The metric is a function, which ``clone`` shares rather than
    copies, so the calls inside a search's clones are recorded here too."""

    def __init__(self, X, y, regression):
        self.y, self.calls = y, []

        def aligned_rows(y_true, y_pred, *, row_id, amount):
            row_id = np.asarray(row_id)
            assert row_id.shape[0] == len(y_true)
            np.testing.assert_array_equal(np.asarray(y_true), self.y[row_id])
            np.testing.assert_array_equal(np.asarray(amount), 2.0 * row_id)
            self.calls.append(len(row_id))
            if regression:
                return -float(np.mean(np.abs(np.asarray(y_pred) - y_true)))
            return float(np.mean(np.asarray(y_pred) == y_true))

        self.metric = aligned_rows

    def __call__(self, *args, **kwargs):
        return self.metric(*args, **kwargs)


def _scorer(metric):
    metric = getattr(metric, "metric", metric)
    return make_scorer(metric).set_score_request(row_id=True, amount=True)


class ScorerSeesIds:
    """A callable scorer ``(estimator, X, y, *, row_id)`` that requests
    ``row_id`` itself (``get_metadata_routing``) and asserts that the rows
    of ``X`` it gets (column 0 holds each row's id) are the routed ids."""

    def __init__(self):
        self.calls = []

    def get_metadata_routing(self):
        request = MetadataRequest(owner=type(self).__name__)
        request.score.add_request(param="row_id", alias=True)
        return request

    def __call__(self, estimator, X, y, *, row_id):
        np.testing.assert_array_equal(np.asarray(X)[:, 0], row_id)
        self.calls.append(len(row_id))
        return float(np.mean(estimator.predict(X) == y))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_metadata_reach_every_scorer_call_aligned(Estimator, early_stopping):
    X, y = _data(Estimator)
    metric = AlignedRows(X, y, Estimator in REGRESSORS)
    ids = np.arange(len(y))
    est = Estimator(
        scoring=_scorer(metric),
        max_epochs=3,
        batch_size=64,
        early_stopping=early_stopping,
        random_state=0,
    )
    est.fit(X, y, row_id=ids, amount=2.0 * ids)
    sizes = set(metric.calls)
    assert len(metric.calls) >= 3
    assert max(sizes) <= len(y)
    if early_stopping:  # the validation split is scored, on its own rows
        assert round(est.validation_fraction * len(y)) in sizes
    metric.calls.clear()
    score = est.score(X[::2], y[::2], row_id=ids[::2], amount=2.0 * ids[::2])
    assert metric.calls == [len(y[::2])] and np.isfinite(score)


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_metadata_reach_the_offset_tuning_and_multilabel_calls(Estimator):
    X, y = _data(Estimator, multilabel=True)
    metric = AlignedRows(X, y, False)

    def labelwise(y_true, y_pred, **kwargs):  # accuracy of the indicator rows
        return metric(np.asarray(y_true)[:, 0], np.asarray(y_pred)[:, 0], **kwargs)

    metric.y = y[:, 0]
    ids = np.arange(len(y))
    Estimator(
        scoring=_scorer(labelwise),
        max_epochs=2,
        decision_offsets="tuned",
        random_state=0,
    ).fit(X, y, row_id=ids, amount=2.0 * ids)
    assert len(y) in metric.calls  # the offsets are tuned on every row


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_routes_metadata_of_its_chunk(Estimator):
    X, y = _data(Estimator)
    metric = AlignedRows(X, y, Estimator in REGRESSORS)
    est = Estimator(scoring=_scorer(metric), random_state=0, surrogate_epochs=0)
    chunk = slice(50, 150)
    ids = np.arange(len(y))[chunk]
    extra = {} if Estimator in REGRESSORS else {"classes": [0, 1]}
    # The chunk's row ids index the whole data: the metric checks them there.
    for _ in range(2):
        est.partial_fit(X[chunk], y[chunk], row_id=ids, amount=2.0 * ids, **extra)
    assert metric.calls and max(metric.calls) <= 100


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_a_callable_scorer_gets_the_rows_of_x_with_their_metadata(Estimator):
    X, y = _data(Estimator)
    scorer = ScorerSeesIds()
    est = Estimator(scoring=scorer, max_epochs=2, batch_size=64, random_state=0)
    est.fit(X, y, row_id=np.arange(len(y)))
    assert scorer.calls and min(scorer.calls) < len(y)


@pytest.mark.parametrize("Estimator", [PGClassifier, ZORegressor])
def test_searches_route_metadata_to_fit_and_to_the_search_scorer(Estimator):
    X, y = _data(Estimator, n=120)
    metric = AlignedRows(X, y, Estimator in REGRESSORS)
    scorer = _scorer(metric)
    ids = np.arange(len(y))
    est = Estimator(scoring=scorer, max_epochs=2, batch_size=32, random_state=0)
    search = GridSearchCV(est, {"lr": [0.01, 0.03]}, scoring=scorer, cv=2)
    search.fit(X, y, row_id=ids, amount=2.0 * ids)
    assert np.isfinite(search.best_score_)
    # the folds' training calls (batches of 32 or fewer) and test calls (60)
    assert min(metric.calls) < 60 and 60 in metric.calls
    metric.calls.clear()
    result = cross_validate(
        make_pipeline(StandardScaler(), est),
        X,
        y,
        cv=3,
        params={"row_id": ids, "amount": 2.0 * ids},
    )  # scoring=None: the pipeline's score, the estimator's own scorer
    assert np.isfinite(result["test_score"]).all() and 40 in metric.calls


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_metadata_nobody_requested_raise_sklearns_errors(Estimator):
    X, y = _data(Estimator, n=40)
    scoring = "neg_mean_absolute_error" if Estimator in REGRESSORS else "accuracy"
    est = Estimator(scoring=scoring, max_epochs=1)
    with pytest.raises(TypeError, match="not routed to any object"):
        est.fit(X, y, amount=np.ones(40))
    with sklearn.config_context(enable_metadata_routing=False):
        with pytest.raises(ValueError, match="enable_metadata_routing=True"):
            est.fit(X, y, amount=np.ones(40))
        est.fit(X, y)
        with pytest.raises(ValueError, match="enable_metadata_routing=True"):
            est.score(X, y, amount=np.ones(40))


def test_get_metadata_routing_reports_the_scorers_requests():
    X, y = _data(PGClassifier)
    scorer = _scorer(AlignedRows(X, y, False))
    routing = PGClassifier(scoring=scorer).get_metadata_routing()
    for method in ("fit", "partial_fit", "score"):
        assert routing.consumes(method, ["row_id", "amount", "other"]) == {
            "row_id",
            "amount",
        }
    assert (
        PGClassifier(scoring="f1").get_metadata_routing().consumes("fit", ["row_id"])
        == set()
    )


def test_sample_weight_still_reaches_the_scorer_with_routing_enabled():
    X, y = _data(PGClassifier)
    weights = []

    def weighted(y_true, y_pred, sample_weight=None):
        weights.append(sample_weight)
        return float(np.average(y_true == y_pred, weights=sample_weight))

    w = np.linspace(0.5, 2.0, len(y))
    PGClassifier(scoring=make_scorer(weighted), max_epochs=1, random_state=0).fit(
        X, y, sample_weight=w
    )
    assert weights and all(np.isin(s, w).all() for s in weights)


def amount_weighted_accuracy(y_true, y_pred, *, row_id, amount):
    """A module-level metric with metadata (a closure does not pickle)."""
    return float(np.average(np.asarray(y_true) == y_pred, weights=1.0 + amount))


def test_clone_pickle_and_continued_training_keep_the_requests():
    X, y = _data(ZOClassifier)
    ids = np.arange(len(y))
    est = ZOClassifier(
        scoring=_scorer(amount_weighted_accuracy), max_epochs=2, random_state=0
    )
    est.fit(X, y, row_id=ids, amount=2.0 * ids)
    for copy in (clone(est), pickle.loads(pickle.dumps(est))):
        assert copy.get_metadata_routing().consumes("fit", ["row_id"]) == {"row_id"}
    restored = pickle.loads(pickle.dumps(est))
    restored.partial_fit(X, y, row_id=ids, amount=2.0 * ids)
    est.partial_fit(X, y, row_id=ids, amount=2.0 * ids)
    np.testing.assert_array_equal(restored.predict_proba(X), est.predict_proba(X))
