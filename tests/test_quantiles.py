"""The MLP's optional input map through training quantiles."""

import contextlib

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import QuantileTransformer

from sklearn_zopg import PGClassifier, ZORegressor
from sklearn_zopg._modules import MLP
from sklearn_zopg._quantiles import QuantileInput

WITH_MAP = {"module": MLP, "module_params": {"input_quantiles": 64}}


def _mapped(X, n_quantiles=64):
    X = torch.as_tensor(X, dtype=torch.float64)
    module = QuantileInput(X.shape[1], n_quantiles).double().fit_inputs(X)
    return module, module(X).numpy()


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**31 - 1), power=st.floats(0.5, 4.0))
def test_continuous_columns_map_as_quantile_transformer(seed, power):
    """The knots are the inverted empirical CDF's quantiles; the map is
    sklearn's QuantileTransformer to a normal (which interpolates its knots
    between rows) but at the extremes (there sklearn goes to +-5.2)."""
    rng = np.random.default_rng(seed)
    X = (1 + rng.exponential(size=(500, 3))) ** power  # away from 0: sklearn
    # sends values within 1e-8 of the lowest knot to its bound
    module, got = _mapped(X)
    levels = np.linspace(0, 1, 64)
    knots = np.quantile(X, levels, axis=0, method="inverted_cdf").T
    np.testing.assert_array_equal(module.knots.numpy(), knots)
    expected = QuantileTransformer(
        n_quantiles=64, output_distribution="normal"
    ).fit_transform(X)
    inner = (X > np.quantile(X, 0.05, axis=0)) & (X < np.quantile(X, 0.95, axis=0))
    np.testing.assert_allclose(got[inner], expected[inner], atol=0.1)


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**31 - 1), n_twice=st.integers(1, 50))
def test_a_weight_of_two_maps_as_the_row_twice(seed, n_twice):
    rng = np.random.default_rng(seed)
    X = np.c_[rng.lognormal(size=100), rng.poisson(2.0, size=100)].astype(float)
    weights = np.ones(100)
    weights[:n_twice] = 2
    twice = np.r_[X, X[:n_twice]]
    weighted = QuantileInput(2).double().fit_inputs(torch.as_tensor(X), weights)
    repeated = QuantileInput(2).double().fit_inputs(torch.as_tensor(twice))
    torch.testing.assert_close(weighted.knots, repeated.knots, rtol=0, atol=0)


@settings(deadline=None, max_examples=25)
@given(
    seed=st.integers(0, 2**31 - 1),
    scale=st.floats(1e-3, 1e3),
    shift=st.floats(-1e3, 1e3),
)
def test_a_monotone_transform_in_front_changes_nothing(seed, scale, shift):
    rng = np.random.default_rng(seed)
    X = np.c_[rng.lognormal(size=300), rng.poisson(1.0, size=300)]
    _, plain = _mapped(X)
    _, moved = _mapped(X * scale + shift)
    np.testing.assert_allclose(plain, moved, atol=1e-6)


def test_flags_pass_and_ties_map_to_their_middle():
    rng = np.random.default_rng(0)
    counts = rng.poisson(0.3, size=1000)  # about 74% zeros
    flags = rng.integers(0, 2, size=1000) * 3.0
    module, got = _mapped(np.c_[counts, flags])
    assert module.mapped.tolist() == [True, False]
    np.testing.assert_array_equal(got[:, 1], flags)
    zero = np.unique(got[counts == 0, 0])
    assert zero.size == 1
    # the middle of the zeros' run of quantiles: about the normal's
    # quantile of half their share
    share = np.mean(counts == 0)
    assert (
        abs(zero[0] - torch.distributions.Normal(0, 1).icdf(torch.tensor(share / 2)))
        < 0.1
    )
    # order kept: more counts, a larger value
    order = np.argsort(counts, kind="stable")
    assert np.all(np.diff(got[order, 0]) >= 0)


def test_unfitted_and_sparse_fits_leave_the_input():
    X = torch.rand(20, 3)
    module = QuantileInput(3)
    assert module(X) is X
    module.fit_inputs(X.to_sparse_csr())
    assert not module.mapped.any()


@pytest.mark.parametrize("sparse_input", [False, True])
def test_estimators_fit_the_map_on_dense_rows_only(sparse_input):
    rng = np.random.default_rng(0)
    X = rng.lognormal(size=(200, 4))
    y = (X[:, 0] > np.median(X[:, 0])).astype(int)
    est = PGClassifier(random_state=0, max_epochs=5, **WITH_MAP)
    est.fit(sp.csr_matrix(X) if sparse_input else X, y)
    assert bool(est.net_.module_.inputs.mapped.any()) is not sparse_input


def test_the_map_helps_on_heavy_tailed_inputs():
    """The point of the map: a target that turns on the order of magnitude
    of a heavy-tailed column, standardized in front, is fitted better with
    the map than without (3 seeds, held-out rows)."""
    errors = {}
    for knots in (64, 0):
        runs = []
        for seed in range(3):
            rng = np.random.default_rng(seed)
            X = rng.lognormal(sigma=2.5, size=(900, 3))
            y = np.sin(np.log(X[:, 0])) + 0.1 * rng.normal(size=900)
            X = (X - X.mean(0)) / X.std(0)
            est = ZORegressor(
                scoring="neg_mean_absolute_error",
                module=MLP,
                module_params={"input_quantiles": knots},
                random_state=seed,
            ).fit(X[:600], y[:600])
            runs.append(np.mean(np.abs(est.predict(X[600:]) - y[600:])))
        errors[knots] = np.mean(runs)
    assert errors[64] < 0.7 * errors[0]


def test_mapping_the_rows_once_trains_as_mapping_each_batch(monkeypatch):
    """A fit maps its training rows once and trains with the map passing
    its input on: bit for bit the fit that maps every batch."""
    import sklearn_zopg._base as base

    rng = np.random.default_rng(0)
    X = rng.lognormal(size=(300, 4))
    y = (np.log(X[:, 0]) + rng.normal(size=300) > 0).astype(int)
    fast = PGClassifier(random_state=0, max_epochs=5, **WITH_MAP).fit(X, y)
    monkeypatch.setattr(base, "mapped_rows", lambda module, X: X)
    monkeypatch.setattr(base, "inputs_mapped", lambda module: contextlib.nullcontext())
    slow = PGClassifier(random_state=0, max_epochs=5, **WITH_MAP).fit(X, y)
    np.testing.assert_array_equal(fast.predict_proba(X), slow.predict_proba(X))
    assert not fast.net_.module_.inputs.passthrough


def test_a_model_saved_without_the_map_loads_with_it_off():
    """A fitted MLP state holding no map (the default, or saved before the
    MLP had one) loads into an MLP built with a map, and predicts as the
    module it holds: the map off."""
    rng = np.random.default_rng(0)
    X = rng.lognormal(size=(200, 3))
    y = (X[:, 0] > 1).astype(int)
    plain = PGClassifier(max_epochs=3, random_state=0).fit(X, y)
    state = plain.__getstate__()
    state.update(WITH_MAP)
    loaded = PGClassifier.__new__(PGClassifier)
    loaded.__setstate__(state)
    assert isinstance(loaded.net_.module_.inputs, torch.nn.Identity)
    np.testing.assert_array_equal(loaded.predict_proba(X), plain.predict_proba(X))
