"""Sparse X end to end: every estimator, method setting and pipeline users build."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification, make_regression
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_zopg import (
    PGClassifier,
    PGRegressor,
    SparseInputLinear,
    ZOClassifier,
    ZORegressor,
)
from sklearn_zopg._sparse import (
    concat_rows,
    csr_tensor,
    row_chunks,
    sparse_linear,
    take_rows,
    to_scipy,
)

FORMATS = [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.csr_array, sp.coo_array]


def _sparse_problem(n=300, n_features=40, random_state=0):
    """A binary problem whose features are mostly zeros (about 70%)."""
    X, y = make_classification(
        n_samples=n,
        n_features=n_features,
        n_informative=6,
        random_state=random_state,
    )
    X[np.abs(X) < 1] = 0
    return X, y


def _outputs(est, X):
    out = [est.predict(X), est.predict_proba(X) if hasattr(est, "classes_") else 0]
    if hasattr(est, "decision_function"):
        out.append(est.decision_function(X))
    return out


def _assert_same_fits(est, X_dense, X_sparse, y, **fit_params):
    """A fit on sparse X equals the fit on the same X dense, seed for seed."""
    est.fit(X_sparse, y, **fit_params)
    sparse_out = _outputs(est, X_sparse)
    sparse_score = est.score(X_sparse, y)
    est.fit(X_dense, y, **fit_params)
    for a, b in zip(sparse_out, _outputs(est, X_dense)):
        np.testing.assert_allclose(
            np.asarray(a, float), np.asarray(b, float), atol=1e-8
        )
    assert sparse_score == pytest.approx(est.score(X_dense, y), abs=1e-9)


@pytest.mark.parametrize("to_sparse", FORMATS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "est",
    [
        PGClassifier(scoring="f1", max_epochs=3, random_state=0),
        ZOClassifier(scoring="f1", max_epochs=3, surrogate_epochs=2, random_state=0),
    ],
    ids=["PG", "ZO"],
)
def test_every_sparse_format_trains_as_the_dense_matrix(est, to_sparse):
    X, y = _sparse_problem()
    _assert_same_fits(est, X, to_sparse(X), y)


@pytest.mark.parametrize(
    "settings_",
    [
        {"perturb": "last"},
        {"perturb": None},
        {"perturb": None, "batched": True},
        {"perturb": None, "batched": False},
        {"perturb": None, "memory_efficient": True},
        {"perturb": "layers.0"},
        {"perturb": lambda name, p: name.endswith("bias")},
        {"perturb": "auto", "scoring": "roc_auc"},
    ],
    ids=lambda s: repr(s)[:40],
)
def test_zo_takes_sparse_input_under_every_perturb_setting(settings_):
    """Perturbations of the first layer multiply the sparse batch in every
    evaluation mode (stacked, vmap falling back to the loop, loop, in place)."""
    X, y = _sparse_problem()
    params = {"scoring": "f1", "max_epochs": 2, "random_state": 0, **settings_}
    _assert_same_fits(ZOClassifier(**params), X, sp.csr_matrix(X), y)


@pytest.mark.parametrize(
    "est",
    [
        PGClassifier(max_epochs=3, surrogate_epochs=2, random_state=0),
        ZOClassifier(max_epochs=3, random_state=0),
    ],
    ids=["PG", "ZO"],
)
def test_sparse_early_stopping_and_weights_train_as_dense(est):
    X, y = _sparse_problem(n=400)
    weights = np.random.default_rng(0).uniform(0, 2, len(y))
    weights[:20] = 0
    est.set_params(early_stopping=True, n_iter_no_change=2)
    _assert_same_fits(est, X, sp.csr_matrix(X), y, sample_weight=weights)
    assert est.best_validation_score_ is not None


@pytest.mark.parametrize("Estimator", [PGRegressor, ZORegressor])
def test_regressors_take_sparse_input(Estimator):
    X, y = make_regression(n_samples=300, n_features=30, random_state=0)
    X[np.abs(X) < 1] = 0
    est = Estimator(max_epochs=3, surrogate_epochs=2, random_state=0)
    _assert_same_fits(est, X, sp.csc_matrix(X), y)


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_multilabel_y_with_sparse_x(Estimator):
    X, y = _sparse_problem()
    Y = np.c_[y, X[:, 0] > 0, X[:, 1] < 0].astype(int)
    _assert_same_fits(Estimator(max_epochs=3, random_state=0), X, sp.csr_array(X), Y)


def test_the_scorer_gets_the_users_sparse_rows_in_their_format():
    """A scorer reading X gets the rows of the user's sparse matrix, in the
    format the user passed (COO cannot be indexed: its rows come back as
    COO)."""
    X, y = _sparse_problem()
    X_user = sp.coo_matrix(X)
    seen = []

    def scorer(est, X_rows, y_rows):
        seen.append((type(X_rows), X_rows.shape[0], X_rows.nnz))
        return f1_score(y_rows, est.predict(X_rows))

    PGClassifier(scoring=scorer, max_epochs=1, n_samples=2, random_state=0).fit(
        X_user, y
    )
    assert seen and all(kind is sp.coo_matrix for kind, _, _ in seen)
    assert sum(n for _, n, _ in seen[:2]) <= len(y)


def _corpus(n=240, random_state=0):
    """Short documents of three topics, a background vocabulary shared."""
    rng = np.random.default_rng(random_state)
    background = [f"w{i}" for i in range(200)]
    topics = [[f"t{c}_{i}" for i in range(15)] for c in range(3)]
    y = rng.choice(3, size=n, p=[0.5, 0.35, 0.15])
    docs = []
    for label in y:
        words = list(rng.choice(background, size=rng.integers(5, 20)))
        words += list(rng.choice(topics[label], size=rng.integers(1, 4)))
        docs.append(" ".join(words))
    return np.array(docs), y


@pytest.mark.parametrize(
    "vectorizer",
    [TfidfVectorizer(), HashingVectorizer(n_features=2**18)],
    ids=["tfidf", "hashing-2^18"],
)
@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_text_pipelines_in_grid_search(Estimator, vectorizer):
    docs, y = _corpus()
    est = Estimator(scoring="f1_macro", max_epochs=8, random_state=0)
    pipe = make_pipeline(vectorizer, est)
    search = GridSearchCV(
        pipe, {Estimator.__name__.lower() + "__lr": [0.01, 0.03]}, cv=2
    ).fit(docs, y)
    # Topic words separate the classes: far above the 1/3 of chance.
    assert search.best_score_ > 0.6
    assert search.predict(docs[:5]).shape == (5,)


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_column_transformer_with_sparse_one_hot_in_grid_search(Estimator):
    rng = np.random.default_rng(0)
    n = 300
    color = rng.choice(["red", "green", "blue", "grey"], n)
    size = rng.normal(size=n)
    y = ((color == "red") | (size > 1)).astype(int)
    X = np.empty((n, 2), dtype=object)
    X[:, 0], X[:, 1] = color, size
    features = ColumnTransformer(
        [
            ("color", OneHotEncoder(sparse_output=True), [0]),
            ("size", StandardScaler(), [1]),
        ],
        sparse_threshold=1.0,
    )
    assert sp.issparse(features.fit_transform(X))
    pipe = make_pipeline(features, Estimator(scoring="f1", random_state=0))
    search = GridSearchCV(pipe, {Estimator.__name__.lower() + "__lr": [0.03]}, cv=2)
    assert search.fit(X, y).best_score_ > 0.8


class _LinearModule(torch.nn.Module):
    def __init__(self, n_features, n_classes):
        super().__init__()
        self.linear = SparseInputLinear(n_features, n_classes)

    def forward(self, X):
        return self.linear(X)


class _DenseOnlyModule(torch.nn.Module):
    def __init__(self, n_features, n_classes):
        super().__init__()
        self.norm = torch.nn.LayerNorm(n_features)
        self.linear = torch.nn.Linear(n_features, n_classes)

    def forward(self, X):
        return self.linear(self.norm(X))


@pytest.mark.parametrize("Estimator", [PGClassifier, ZOClassifier])
def test_a_users_module_gets_sparse_batches(Estimator):
    X, y = _sparse_problem()
    est = Estimator(module=_LinearModule, max_epochs=3, random_state=0)
    _assert_same_fits(est, X, sp.csr_matrix(X), y)


@pytest.mark.parametrize("Estimator", [PGClassifier, ZORegressor])
def test_a_module_that_cannot_take_sparse_batches_is_named(Estimator):
    X, y = _sparse_problem()
    est = Estimator(module=_DenseOnlyModule, max_epochs=1)
    with pytest.raises(TypeError, match="SparseInputLinear.*to_dense"):
        est.fit(sp.csr_matrix(X), y)
    est.fit(X, y)  # the same module takes dense X


def test_a_module_fitted_on_dense_x_continues_on_sparse_x():
    X, y = _sparse_problem()
    est = ZOClassifier(max_epochs=2, warm_start=True, random_state=0).fit(X, y)
    first = est.n_iter_
    est.fit(sp.csr_matrix(X), y)
    assert est.n_iter_ == first + 2


@settings(max_examples=40, deadline=None)
@given(
    shape=st.tuples(st.integers(0, 12), st.integers(1, 9)),
    density=st.floats(0, 1),
    seed=st.integers(0, 2**16),
)
def test_sparse_rows_and_products_match_dense(shape, density, seed):
    rng = np.random.default_rng(seed)
    X = sp.random(*shape, density=density, format="csr", random_state=seed)
    dense = torch.as_tensor(X.toarray())
    T = csr_tensor(X)
    rows = torch.as_tensor(rng.integers(0, max(shape[0], 1), size=shape[0] // 2 + 1))
    if shape[0]:
        np.testing.assert_array_equal(
            to_scipy(take_rows(T, rows)).toarray(), dense[rows].numpy()
        )
    joined = concat_rows(row_chunks(T, 5) or [T])
    np.testing.assert_array_equal(to_scipy(joined).toarray(), X.toarray())
    weight = torch.randn(3, shape[1], dtype=torch.float64, requires_grad=True)
    bias = torch.randn(3, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(shape[0], 3, dtype=torch.float64)
    grads = []
    for inputs in (T, dense):
        out = sparse_linear(inputs, weight, bias)
        (out * upstream).sum().backward()
        grads.append((out.detach(), weight.grad.clone(), bias.grad.clone()))
        weight.grad = bias.grad = None
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


PEAK_MEMORY_SCRIPT = textwrap.dedent(
    """
    def peak_rss():  # bytes: VmHWM is this process's own (ru_maxrss keeps a fork's)
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1]) * 1024
    import numpy as np, scipy.sparse as sp
    from sklearn_zopg import {name}
    n, d = 50_000, 2**18
    rng = np.random.default_rng(0)
    columns = rng.integers(0, d, size=(n, 30))
    indptr = np.arange(0, n * 30 + 1, 30)
    X = sp.csr_matrix((rng.random(n * 30), columns.ravel(), indptr), shape=(n, d))
    y = (columns < d // 2).sum(1) > 15
    est = {name}(max_epochs=1, surrogate_epochs=1, batch_size=5000,
                 hidden_layer_sizes=(16,), random_state=0).fit(X, y)
    est.predict(X[:1000])
    print(peak_rss())
    """
)


@pytest.mark.parametrize("name", ["PGClassifier", "ZOClassifier"])
def test_peak_memory_on_hashed_features_follows_the_stored_values(name):
    """50,000 x 2^18 hashed features: about 100 GB dense in float64; the fit
    stays under 1.5 GB of peak RSS (torch itself takes ~0.3 GB)."""
    out = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY_SCRIPT.format(name=name)],
        capture_output=True,
        text=True,
        check=True,
    )
    peak = int(out.stdout.split()[-1])
    assert peak < 1.5 * 2**30, peak / 2**30


def test_sparse_f1_scorer_of_the_users_own_works_with_sparse_rows():
    X, y = _sparse_problem()
    scorer = make_scorer(f1_score)
    est = ZOClassifier(scoring=scorer, max_epochs=2, random_state=0)
    _assert_same_fits(est, X, sp.csr_matrix(X), y)
