"""A property-based harness: small random problems of every target type,
any applicable sklearn scorer, random weights (zeros included), arrays or
DataFrames. A fit succeeds or says the real cause; what it returns has the
right shape, dtype and a finite score; torch's global state is untouched."""

import warnings

import numpy as np
import pandas as pd
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import get_scorer, get_scorer_names

from sklearn_zopg import PGClassifier, PGRegressor, ZOClassifier, ZORegressor
from sklearn_zopg.rewards._scorer_parts import scorer_parts

KINDS = ("binary", "multiclass", "multilabel", "regression", "multioutput")
# Words of the messages that blame the training, or a score gone NaN: tiny
# problems of applicable scorers, trained at sane settings, meet neither.
BLAMES_TRAINING = ("diverged", "nan or infinity")


def _family(name):
    module = scorer_parts(get_scorer(name)).score_func.__module__
    if "cluster" in module:
        return "cluster"
    return "regression" if module.endswith("_regression") else "classification"


SCORERS = {
    family: sorted(n for n in get_scorer_names() if _family(n) == family)
    for family in ("classification", "regression", "cluster")
}
SCORERS["scores"] = [
    name
    for name in SCORERS["classification"]
    if set(scorer_parts(get_scorer(name)).response_methods) - {"predict"}
]


@st.composite
def problems(draw):
    kind = draw(st.sampled_from(KINDS))
    n = draw(st.integers(30, 90))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    if kind == "binary":
        y = (X[:, 0] + rng.normal(size=n) > 0).astype(int)
        y[:2] = [0, 1]
    elif kind == "multiclass":  # the last class rare: a row or three
        y = (X[:, 0] > 0).astype(int)
        y[: draw(st.integers(1, 3))] = 2
    elif kind == "multilabel":
        y = np.stack([X[:, 0] > 0, X[:, 1] > 0.8, X[:, 2] < 0], 1).astype(int)
        y[:2] = [[0, 0, 0], [1, 1, 1]]
    else:
        y = X[:, 0] + 0.3 * rng.normal(size=n)
        if kind == "multioutput":
            y = np.stack([y, X[:, 1]], 1)
        if draw(st.booleans()):  # positive targets: the deviances apply
            y = np.exp(y)
    if kind in ("binary", "multiclass") and draw(st.booleans()):
        y = np.array(["no", "yes", "rare"])[y]
    weight = None
    weights = draw(st.sampled_from(["none", "small integers", "sparse mask"]))
    if weights == "small integers":
        weight = rng.integers(0, 3, size=n).astype(float)
    elif weights == "sparse mask":  # most batches weigh nothing
        weight = (rng.random(n) < 0.1).astype(float)
    if weight is not None:
        weight[:2] = 1.0  # every class keeps a weighted row
    if draw(st.booleans()):
        X = pd.DataFrame(X, columns=["a", "b", "c"])
    regression = kind in ("regression", "multioutput")
    if regression:
        family = "regression"
    else:
        family = draw(st.sampled_from(["classification"] * 4 + ["cluster"]))
    if family == "classification" and draw(st.booleans()):
        family = "scores"  # of probabilities or decision values: ZO's own
    scoring = draw(st.sampled_from(SCORERS[family]))
    if regression:
        estimators = [PGRegressor, ZORegressor]
    elif family == "scores":
        estimators = [ZOClassifier]
    else:
        estimators = [PGClassifier, ZOClassifier]
    Estimator = draw(st.sampled_from(estimators))
    return kind, Estimator, scoring, X, y, weight


def _cause_is_named(exc):
    message = str(exc).lower()
    return not any(word in message for word in BLAMES_TRAINING)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(problems())
def test_a_fit_succeeds_or_names_the_cause(problem):
    kind, Estimator, scoring, X, y, weight = problem
    rng_state, threads = torch.get_rng_state(), torch.get_num_threads()
    est = Estimator(
        scoring=scoring,
        hidden_layer_sizes=(8,),
        max_epochs=2,
        surrogate_epochs=1,
        batch_size=16,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            est.fit(X, y, sample_weight=weight)
        except (ValueError, TypeError) as exc:
            assert _cause_is_named(exc), (scoring, kind, str(exc))
            assert not hasattr(est, "net_")
        else:
            prediction = est.predict(X)
            assert prediction.shape == np.shape(y)
            if kind in ("regression", "multioutput"):
                assert prediction.dtype == np.float64
            elif kind == "multilabel":
                assert set(np.unique(prediction)) <= {0, 1}
            else:
                assert prediction.dtype == np.asarray(y).dtype
            try:
                value = est.score(X, y, sample_weight=weight)
            except ValueError as exc:  # the scorer's own refusal of this y
                assert _cause_is_named(exc), (scoring, kind, str(exc))
            else:
                assert np.isfinite(value), (scoring, kind, value)
    assert torch.equal(torch.get_rng_state(), rng_state)
    assert torch.get_num_threads() == threads
