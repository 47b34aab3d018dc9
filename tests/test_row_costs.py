"""Per-row costs routed as metadata, scored on the fast path.

The twins of ``neg_mean_cost`` with ``(n, C, C)`` matrices and of empulse's
``cost_loss``/``savings_score`` equal the scorer called on each vector, and
their swap scores equal rescoring the changed vector; estimators trained on
them lower the cost they are scored on.
"""

import pickle

import numpy as np
import pytest
import sklearn
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer
from sklearn.model_selection import cross_validate

from sklearn_zopg import PGClassifier, ZOClassifier, make_cost_scorer, make_reward
from sklearn_zopg.rewards import neg_mean_cost


@pytest.fixture(autouse=True)
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _routed_cost_scorer(labels):
    return make_cost_scorer(labels=labels).set_score_request(cost_matrix=True)


def _empulse_reference(name):
    """empulse's ``cost_loss`` and ``savings_score`` as its documentation
    states them (``C_i`` of the four per-row costs; savings against the
    cheaper of all-0 and all-1), under empulse's module, so the reward
    recognises it as it recognises empulse's own."""

    def costs(y_true, y_pred, tp_cost=0.0, fp_cost=0.0, tn_cost=0.0, fn_cost=0.0):
        y, p = np.asarray(y_true), np.asarray(y_pred)
        return (
            y * (p * tp_cost + (1 - p) * fn_cost)
            + (1 - y) * (p * fp_cost + (1 - p) * tn_cost)
        ).sum()

    def cost_loss(y_true, y_pred, **kw):
        return float(costs(y_true, y_pred, **kw))

    def savings_score(y_true, y_pred, **kw):
        base = min(
            costs(y_true, np.zeros(len(y_true)), **kw),
            costs(y_true, np.ones(len(y_true)), **kw),
        )
        return 1.0 - costs(y_true, y_pred, **kw) / (base or np.finfo(float).eps)

    function = {"cost_loss": cost_loss, "savings_score": savings_score}[name]
    function.__module__ = "empulse.metrics.savings"
    return function


def _check_twin(reward, metadata, y, Y, generic):
    """The twin's scores and swap scores against ``generic(y, p, **metadata)``."""
    n = len(y)
    with reward.scored_data(np.zeros((n, 1)), None, metadata):
        with reward.rows(None, np.arange(n)):
            scores = reward(y, Y)
            swap = reward.swap_scores(torch.as_tensor(y), torch.as_tensor(Y))
    for k in range(len(Y)):
        assert scores[k] == pytest.approx(
            generic(y, Y[k], **metadata), rel=1e-12, abs=1e-9
        )
    rng = np.random.default_rng(n)
    for _ in range(3):
        i, c = int(rng.integers(n)), int(rng.integers(2))
        changed = Y[0].copy()
        changed[i] = c
        expected = generic(y, changed, **metadata)
        assert float(swap[0, i, c]) == pytest.approx(expected, rel=1e-12, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    n_labels=st.integers(2, 4),
    n=st.integers(1, 30),
    strings=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_per_row_matrices_are_scored_exactly(n_labels, n, strings, seed):
    rng = np.random.default_rng(seed)
    labels = rng.permutation(n_labels)
    labels = np.array([f"c{v}" for v in labels]) if strings else labels
    classes = np.sort(labels)
    reward = make_reward(_routed_cost_scorer(labels), classes=classes)
    assert reward.count_based and reward.decomposable
    matrices = rng.gamma(1.0, 5.0, (n, n_labels, n_labels))
    y = rng.integers(0, n_labels, n)
    Y = rng.integers(0, n_labels, (3, n))

    def generic(y, p, cost_matrix):
        return neg_mean_cost(
            classes[y], classes[p], cost_matrix=cost_matrix, labels=labels
        )

    _check_twin(reward, {"cost_matrix": matrices}, y, Y, generic)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(["cost_loss", "savings_score"]),
    n=st.integers(1, 30),
    scalar_fp=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_empulse_costs_and_savings_are_scored_exactly(name, n, scalar_fp, seed):
    rng = np.random.default_rng(seed)
    function = _empulse_reference(name)
    sign = {"cost_loss": False, "savings_score": True}[name]
    scorer = make_scorer(function, greater_is_better=sign, fp_cost=3.0)
    scorer = scorer.set_score_request(fn_cost=True, tp_cost=True)
    reward = make_reward(scorer, classes=np.array([0, 1]))
    assert reward.count_based
    metadata = {"fn_cost": rng.gamma(1.0, 10.0, n), "tp_cost": rng.random(n)}
    if not scalar_fp:
        metadata["fp_cost"] = rng.gamma(1.0, 2.0, n)
    y = rng.integers(0, 2, n)
    Y = rng.integers(0, 2, (3, n))

    def generic(y, p, **kw):
        value = function(y, p, **{"fp_cost": 3.0, **kw})
        return value if sign else -value

    _check_twin(reward, metadata, y, Y, generic)


def test_the_twins_equal_empulse_itself():
    metrics = pytest.importorskip("empulse.metrics")
    rng = np.random.default_rng(0)
    n = 200
    y, Y = rng.integers(0, 2, n), rng.integers(0, 2, (4, n))
    costs = {"fp_cost": rng.gamma(1.0, 2.0, n), "fn_cost": rng.gamma(1.0, 9.0, n)}
    for function, sign in [(metrics.savings_score, True), (metrics.cost_loss, False)]:
        scorer = make_scorer(function, greater_is_better=sign)
        reward = make_reward(
            scorer.set_score_request(fp_cost=True, fn_cost=True),
            classes=np.array([0, 1]),
        )
        assert reward.count_based

        def generic(y, p, **kw):
            value = function(y, p, **kw)  # noqa: B023
            return value if sign else -value  # noqa: B023

        _check_twin(reward, costs, y, Y, generic)


def test_a_missing_request_names_the_fix():
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match=r"set_score_request\(cost_matrix=True\)"):
        PGClassifier(scoring=make_cost_scorer(labels=[0, 1]), max_epochs=1).fit(X, y)
    scorer = _routed_cost_scorer([0, 1])
    with pytest.raises(ValueError, match=r"one per row of X: \(40, 2, 2\)"):
        PGClassifier(scoring=scorer, max_epochs=1).fit(
            X, y, cost_matrix=np.ones((39, 2, 2))
        )


def _exposure_table(n, seed):
    """Loans whose missed default costs its exposure (column 0, skewed) and
    whose refusal costs a tenth of it; defaults follow column 1."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    exposure = np.exp(1.5 * X[:, 0])
    y = (X[:, 1] + 0.8 * rng.normal(size=n) > 1.0).astype(int)
    costs = np.zeros((n, 2, 2))
    costs[:, 1, 0] = exposure
    costs[:, 0, 1] = 0.15 * exposure
    return X, y, costs


@pytest.mark.parametrize(
    "make",
    [
        lambda s: PGClassifier(scoring=s, random_state=0),
        lambda s: PGClassifier(scoring=s, n_samples="exact", random_state=0),
        lambda s: ZOClassifier(scoring=s, random_state=0),
    ],
    ids=["PG", "PG exact", "ZO"],
)
def test_training_on_per_row_costs_beats_training_on_accuracy(make):
    X, y, costs = _exposure_table(2000, 0)
    X_te, y_te, costs_te = _exposure_table(2000, 1)
    scorer = _routed_cost_scorer([0, 1])
    ours = make(scorer).fit(X, y, cost_matrix=costs)
    assert ours.net_.reward.count_based
    plain = LogisticRegression().fit(X, y)
    ours_cost = ours.score(X_te, y_te, cost_matrix=costs_te)
    plain_cost = scorer(plain, X_te, y_te, cost_matrix=costs_te)
    assert ours_cost > plain_cost + 0.05 * abs(plain_cost)


def test_cross_validate_and_pickle_of_a_per_row_cost_model():
    X, y, costs = _exposure_table(300, 2)
    scorer = _routed_cost_scorer([0, 1])
    est = ZOClassifier(scoring=scorer, max_epochs=3, random_state=0)
    result = cross_validate(
        est, X, y, cv=3, scoring=scorer, params={"cost_matrix": costs}
    )
    assert np.isfinite(result["test_score"]).all()
    fitted = pickle.loads(pickle.dumps(est.fit(X, y, cost_matrix=costs)))
    restored = pickle.loads(pickle.dumps(scorer))
    assert restored(fitted, X, y, cost_matrix=costs) == fitted.score(
        X, y, cost_matrix=costs
    )


def test_zo_trains_on_an_expected_cost_of_probabilities_with_routed_costs():
    """A scorer of probabilities (empulse's expected cost, written out) with
    per-row costs goes through the general path, each perturbed model
    scored with its rows' costs; PG refuses it with its usual message."""
    X, y, costs = _exposure_table(1500, 3)
    X_te, y_te, costs_te = _exposure_table(1500, 4)
    seen = []

    def expected_cost(y_true, proba, *, fn_cost, fp_cost):
        seen.append(len(fn_cost))
        p = np.asarray(proba)[:, 1] if np.ndim(proba) == 2 else np.asarray(proba)
        return float(np.mean(y_true * (1 - p) * fn_cost + (1 - y_true) * p * fp_cost))

    scorer = make_scorer(
        expected_cost, greater_is_better=False, response_method="predict_proba"
    ).set_score_request(fn_cost=True, fp_cost=True)
    metadata = {"fn_cost": costs[:, 1, 0], "fp_cost": costs[:, 0, 1]}
    ours = ZOClassifier(scoring=scorer, max_epochs=20, random_state=0)
    ours.fit(X, y, **metadata)
    assert seen and max(seen) < len(y)  # batches, with their rows' costs
    test = {"fn_cost": costs_te[:, 1, 0], "fp_cost": costs_te[:, 0, 1]}
    plain = LogisticRegression().fit(X, y)
    assert ours.score(X_te, y_te, **test) > scorer(plain, X_te, y_te, **test)
    with pytest.raises(ValueError, match="ZOClassifier"):
        PGClassifier(scoring=scorer, max_epochs=1).fit(X, y, **metadata)


def test_the_surrogate_weighs_each_row_by_what_its_error_costs():
    """Cost-proportionate weighting: binary rows weigh their own
    misclassification cost (scaled to mean 1); other scores weigh none."""
    rng = np.random.default_rng(5)
    n = 50
    matrices = rng.gamma(1.0, 3.0, (n, 2, 2))
    y = rng.integers(0, 2, n)
    reward = make_reward(_routed_cost_scorer([0, 1]), classes=np.array([0, 1]))
    with reward.scored_data(np.zeros((n, 1)), None, {"cost_matrix": matrices}):
        with reward.rows(None, np.arange(n)):
            weights = reward.surrogate_weights(torch.as_tensor(y)).numpy()
    rows = np.arange(n)
    stakes = np.maximum(matrices[rows, y, 1 - y] - matrices[rows, y, y], 0)
    np.testing.assert_allclose(weights, stakes / stakes.mean())
    assert make_reward("f1", classes=np.array([0, 1])).surrogate_weights(y) is None


def test_a_cost_weighted_warm_up_lowers_the_cost_of_its_decisions():
    """The surrogate phase alone (ZO with no score epochs to speak of):
    weighting its cross-entropy by each row's stakes gives decisions of
    lower cost than the plain cross-entropy's, on the same rows."""
    X, y, costs = _exposure_table(2000, 6)
    X_te, y_te, costs_te = _exposure_table(2000, 7)
    scorer = _routed_cost_scorer([0, 1])
    warm = ZOClassifier(
        scoring=scorer,
        surrogate_epochs=30,
        max_epochs=1,
        lr=1e-9,  # the score epoch moves nothing
        decision_offsets=None,
        random_state=0,
    ).fit(X, y, cost_matrix=costs)
    plain = ZOClassifier(
        scoring="accuracy",
        surrogate_epochs=30,
        max_epochs=1,
        lr=1e-9,
        decision_offsets=None,
        random_state=0,
    ).fit(X, y)
    weighted_cost = warm.score(X_te, y_te, cost_matrix=costs_te)
    plain_cost = scorer(plain, X_te, y_te, cost_matrix=costs_te)
    assert weighted_cost > plain_cost + 0.05 * abs(plain_cost)
