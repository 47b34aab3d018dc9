"""The public estimators as a user meets them: they optimize, compose and refuse."""

import pickle

import numpy as np
import pytest
import torch
from _reference import as_skorch_input, cross_entropy_net
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import PGClassifier, ZOClassifier

ESTIMATORS = [PGClassifier, ZOClassifier]
requires_cuda = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="CUDA is not available"
)


def cross_entropy_f1(X_train, y_train, X_test, y_test, seed):
    """Same MLP, trained by skorch with cross-entropy, 0.5 threshold."""
    net = cross_entropy_net(X_train.shape[1], 2, seed)
    net.fit(*as_skorch_input(X_train, y_train))
    return f1_score(y_test, net.predict(as_skorch_input(X_test)))


def test_both_optimize_f1_against_cross_entropy_and_constant(imbalanced):
    """Both beat the constant predictor by far and cross-entropy clearly
    (ZO with its default 20-epoch cross-entropy warm start).

    Over six seeds: cross-entropy 0.696, PG 0.720, ZO 0.744 (seed-to-seed
    spread about 0.015), hence margins of 0.01 (PG) and 0.03 (ZO) on 4 seeds.
    """
    X_train, X_test, y_train, y_test = imbalanced
    seeds = [0, 1, 2, 3]
    ce = np.mean([cross_entropy_f1(X_train, y_train, X_test, y_test, s) for s in seeds])
    constant = f1_score(
        y_test,
        DummyClassifier(strategy="constant", constant=1)
        .fit(X_train, y_train)
        .predict(X_test),
    )
    for Estimator in ESTIMATORS:
        ours = np.mean(
            [
                f1_score(
                    y_test,
                    Estimator(scoring="f1", random_state=s)
                    .fit(X_train, y_train)
                    .predict(X_test),
                )
                for s in seeds
            ]
        )
        margin = 0.01 if Estimator is PGClassifier else 0.03
        assert ours > constant + 0.3, (Estimator.__name__, ours, constant)
        assert ours > ce + margin, (Estimator.__name__, ours, ce)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_random_state_makes_fit_reproducible(Estimator, small_multiclass):
    X, y = small_multiclass
    a = Estimator(max_epochs=5, random_state=7).fit(X, y).predict_proba(X)
    b = Estimator(max_epochs=5, random_state=7).fit(X, y).predict_proba(X)
    c = Estimator(max_epochs=5, random_state=8).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_global_torch_rng_untouched(small_multiclass):
    X, y = small_multiclass
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    PGClassifier(max_epochs=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3), expected)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_string_labels_and_three_classes(Estimator, small_multiclass):
    X, y = small_multiclass
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = Estimator(scoring="f1_macro", random_state=0).fit(X, names)
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    assert set(clf.predict(X)) <= set(names)
    assert f1_score(names, clf.predict(X), average="macro") > 0.8
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 3)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert clf.decision_function(X).shape == (300, 3)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_dataframe_input_records_feature_names(Estimator, small_multiclass):
    pd = pytest.importorskip("pandas")
    X, y = small_multiclass
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = Estimator(max_epochs=3, random_state=0).fit(df, y)
    assert list(clf.feature_names_in_) == list(df.columns)
    assert clf.predict(df).shape == (300,)


def test_grid_search_over_baseline_and_n_samples(imbalanced):
    X_train, _, y_train, _ = imbalanced
    search = GridSearchCV(
        PGClassifier(scoring="f1", credit="batch", max_epochs=10, random_state=0),
        {"baseline": ["none", "mean", "optimal"], "n_samples": [4, 16]},
        scoring="f1",
        cv=3,
        n_jobs=2,
    )
    search.fit(X_train, y_train)
    assert len(search.cv_results_["params"]) == 6
    assert search.best_score_ > 0.3


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_pipeline_clone_pickle(Estimator, small_multiclass):
    X, y = small_multiclass
    pipe = make_pipeline(StandardScaler(), Estimator(max_epochs=5, random_state=0))
    pipe.fit(X, y)
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict_proba(X), pipe.predict_proba(X))
    fresh = clone(pipe)
    assert not hasattr(fresh[-1], "net_")
    np.testing.assert_array_equal(fresh.fit(X, y).predict(X), pipe.predict(X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_net_history_and_n_iter(Estimator, small_multiclass):
    X, y = small_multiclass
    clf = Estimator(max_epochs=4, surrogate_epochs=0, random_state=0).fit(X, y)
    assert clf.n_iter_ == 4
    scores = clf.net_.history[:, "train_score"]
    assert len(scores) == 4 and all(np.isfinite(scores))
    clf.set_params(warm_start=True).fit(X, y)
    assert clf.n_iter_ == 8


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_user_module_class_and_instance(Estimator, small_multiclass):
    X, y = small_multiclass

    class Linear(torch.nn.Module):
        def __init__(self, n_in=6, n_out=3):
            super().__init__()
            self.fc = torch.nn.Linear(n_in, n_out)

        def forward(self, X):
            return self.fc(X)

    instance = Linear()
    before = instance.fc.weight.detach().clone()
    for module in (Linear, instance):
        clf = Estimator(module=module, lr=0.05, max_epochs=30, random_state=0)
        clf.fit(X, y)
        assert isinstance(clf.net_.module_, Linear)
        assert (clf.predict(X) == y).mean() > 0.7
    torch.testing.assert_close(instance.fc.weight, before)  # user's copy untouched


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sample_weight_changes_the_objective(Estimator, imbalanced):
    X_train, X_test, y_train, _ = imbalanced
    weight = np.where(y_train == 1, 20.0, 1.0)
    shifts = []
    for seed in range(3):
        plain = Estimator(random_state=seed, max_epochs=30).fit(X_train, y_train)
        weighted = Estimator(random_state=seed, max_epochs=30)
        weighted.fit(X_train, y_train, weight)
        shifts.append(weighted.predict(X_test).mean() - plain.predict(X_test).mean())
    # Weighted accuracy rewards positives 20x: more positive predictions, every seed.
    assert min(shifts) > 0.01, shifts


def test_score_uses_scoring(imbalanced):
    X_train, X_test, y_train, y_test = imbalanced
    clf = PGClassifier(scoring="f1", max_epochs=5, random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) == pytest.approx(
        f1_score(y_test, clf.predict(X_test))
    )


def test_zo_optimizes_roc_auc(imbalanced):
    from sklearn.metrics import roc_auc_score

    X_train, X_test, y_train, y_test = imbalanced
    clf = ZOClassifier(scoring="roc_auc", max_epochs=20, random_state=0)
    clf.fit(X_train, y_train)
    assert roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1]) > 0.8


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_inf_refused(Estimator, bad, small_multiclass):
    X, y = small_multiclass
    X = X.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        Estimator().fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_wrong_feature_count_at_predict(Estimator, small_multiclass):
    X, y = small_multiclass
    clf = Estimator(max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :3])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_unknown_scoring_name(Estimator, small_multiclass):
    X, y = small_multiclass
    with pytest.raises(ValueError, match="not a valid scoring value"):
        Estimator(scoring="f1_typo").fit(X, y)


@pytest.mark.parametrize("scoring", ["roc_auc", "neg_log_loss", "average_precision"])
def test_pg_refuses_probability_scorers(scoring, imbalanced):
    X_train, _, y_train, _ = imbalanced
    with pytest.raises(ValueError, match="samples labels.*ZOClassifier"):
        PGClassifier(scoring=scoring).fit(X_train, y_train)


def test_pg_sample_credit_needs_count_based_scorer(small_multiclass):
    from sklearn.metrics import make_scorer

    X, y = small_multiclass
    custom = make_scorer(lambda t, p: float(np.mean(t == p)))
    with pytest.raises(ValueError, match="credit='sample'"):
        PGClassifier(scoring=custom, credit="sample").fit(X, y)
    PGClassifier(scoring=custom, max_epochs=2).fit(X, y)  # auto -> batch


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_scorer_that_raises_or_returns_nan(Estimator, small_multiclass):
    X, y = small_multiclass

    def raising(est, X, y):
        raise RuntimeError("boom")

    with pytest.raises(ValueError, match="boom"):
        Estimator(scoring=raising, max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        Estimator(scoring=lambda e, X, y: float("nan"), max_epochs=1).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_module_with_wrong_output_width(Estimator, small_multiclass):
    X, y = small_multiclass
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_classes\)"):
        Estimator(module=torch.nn.Linear(6, 2)).fit(X, y)


def test_binary_scorer_on_multiclass_is_clear(small_multiclass):
    X, y = small_multiclass
    with pytest.raises(ValueError, match="f1_macro"):
        PGClassifier(scoring="f1").fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available")
def test_cuda_requested_without_cuda(small_multiclass):
    X, y = small_multiclass
    with pytest.raises(ValueError, match="CUDA is not available"):
        PGClassifier(device="cuda").fit(X, y)


# ---------------------------------------------------------------- GPU


@requires_cuda
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_cuda_fit_predict_and_cpu_unpickle(Estimator, imbalanced):
    X_train, X_test, y_train, y_test = imbalanced
    clf = Estimator(scoring="f1", device="cuda", random_state=0).fit(X_train, y_train)
    assert next(clf.net_.module_.parameters()).is_cuda
    assert f1_score(y_test, clf.predict(X_test)) > 0.5
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict(X_test), clf.predict(X_test))


_LOAD_ON_CPU = """
import os, pickle, sys
import numpy as np
import torch
assert not torch.cuda.is_available()
est = pickle.load(open(sys.argv[1], "rb"))
X = np.load(sys.argv[2])
assert not next(est.net_.module_.parameters()).is_cuda
np.save(sys.argv[3], est.predict_proba(X))
"""


@requires_cuda
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_cuda_model_loads_on_a_cpu_only_machine(Estimator, imbalanced, tmp_path):
    """A model fitted on the GPU, pickled, predicts the same on a machine
    without CUDA (a fresh process with no visible GPU)."""
    import os
    import subprocess
    import sys

    X_train, X_test, y_train, _ = imbalanced
    clf = Estimator(scoring="f1", device="cuda", max_epochs=5, random_state=0)
    clf.fit(X_train, y_train)
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(clf))
    np.save(tmp_path / "X.npy", X_test)
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    subprocess.run(
        [
            sys.executable,
            "-c",
            _LOAD_ON_CPU,
            str(tmp_path / "model.pkl"),
            str(tmp_path / "X.npy"),
            str(tmp_path / "proba.npy"),
        ],
        env=env,
        check=True,
    )
    on_cpu = np.load(tmp_path / "proba.npy")
    np.testing.assert_allclose(on_cpu, clf.predict_proba(X_test), atol=1e-5)


@pytest.mark.parametrize("baseline", ["none", "mean", "optimal", "loo", "greedy"])
def test_pg_every_baseline_learns(baseline, small_multiclass):
    X, y = small_multiclass
    clf = PGClassifier(credit="batch", baseline=baseline, max_epochs=30)
    accuracy = np.mean(
        [clf.set_params(random_state=s).fit(X, y).score(X, y) for s in range(3)]
    )
    # Chance is 1/3. Without a baseline the estimate is far noisier: it learns,
    # but slowly; the self-critical (greedy) one varies more across seeds.
    assert accuracy > {"none": 0.38, "greedy": 0.7}.get(baseline, 0.85)


@pytest.mark.parametrize("baseline", ["none", "current", "optimal", "mean"])
def test_zo_every_baseline_learns(baseline, small_multiclass):
    X, y = small_multiclass
    clf = ZOClassifier(baseline=baseline, lr=0.03, max_epochs=30, random_state=0)
    assert (clf.fit(X, y).predict(X) == y).mean() > (0.5 if baseline == "none" else 0.7)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_surrogate_phase_precedes_score_phase(Estimator, small_multiclass):
    X, y = small_multiclass
    clf = Estimator(surrogate_epochs=3, max_epochs=4, random_state=0).fit(X, y)
    assert clf.n_iter_ == 7
    assert len(clf.net_.history[:, "train_score"]) == 7
    plain = Estimator(surrogate_epochs=0, max_epochs=4, random_state=0).fit(X, y)
    assert plain.n_iter_ == 4
    assert not np.array_equal(clf.predict_proba(X), plain.predict_proba(X))
    # warm_start continues the score phase only
    clf.set_params(warm_start=True).fit(X, y)
    assert clf.n_iter_ == 11


class _AdamWithDecay(torch.optim.Adam):
    """Adam with torch's own (coupled) weight decay of 0.05."""

    def __init__(self, params, lr=1e-3):
        super().__init__(params, lr=lr, weight_decay=0.05)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_weight_decay_is_the_optimizers_l2_penalty(Estimator, small_multiclass):
    # Both phases: the surrogate's cross-entropy gradient and the score's
    # estimate get weight_decay * theta, exactly as Adam(weight_decay=) adds it.
    X, y = small_multiclass
    params = dict(surrogate_epochs=2, max_epochs=3, random_state=0)
    ours = Estimator(weight_decay=0.05, **params).fit(X, y)
    torchs = Estimator(weight_decay=0, optimizer=_AdamWithDecay, **params).fit(X, y)
    np.testing.assert_allclose(
        ours.predict_proba(X), torchs.predict_proba(X), rtol=0, atol=1e-12
    )
    plain = Estimator(weight_decay=0, **params).fit(X, y)
    assert not np.allclose(ours.predict_proba(X), plain.predict_proba(X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_weight_decay_shrinks_the_weights(Estimator, small_multiclass):
    X, y = small_multiclass

    def norm(weight_decay):
        clf = Estimator(weight_decay=weight_decay, max_epochs=30, random_state=0)
        params = clf.fit(X, y).net_.module_.parameters()
        return float(torch.cat([p.detach().flatten() for p in params]).norm())

    assert norm(0.3) < 0.8 * norm(0.0)


def test_zo_weight_decay_leaves_unperturbed_layers_alone(small_multiclass):
    X, y = small_multiclass
    fits = [
        ZOClassifier(
            weight_decay=wd, surrogate_epochs=0, max_epochs=5, random_state=0
        ).fit(X, y)
        for wd in (0.0, 0.5)
    ]
    hidden = [dict(f.net_.module_.named_parameters()) for f in fits]
    for name in hidden[0]:
        same = torch.equal(hidden[0][name], hidden[1][name])
        assert same == (not name.startswith("layers.2")), name


@pytest.mark.parametrize("n_rows", [100, 1000, 4000])
def test_zo_weight_decay_auto_weakens_with_the_data(n_rows):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_rows, 3))
    y = (X[:, 0] > 0).astype(int)

    def applied(**params):
        clf = ZOClassifier(max_epochs=1, surrogate_epochs=1, **params).fit(X, y)
        return dict(clf.net_.callbacks_)["weight_decay"].weight_decay

    assert applied() == pytest.approx(0.01 * np.sqrt(1000 / max(n_rows, 1000)))
    assert applied(weight_decay=0.02) == 0.02  # a number is used as given
    with pytest.raises(ValueError, match="weight_decay"):
        ZOClassifier(weight_decay="large").fit(X, y)


def test_pg_exact_mode(small_multiclass):
    X, y = small_multiclass
    clf = PGClassifier(n_samples="exact", max_epochs=30, random_state=0).fit(X, y)
    assert (clf.predict(X) == y).mean() > 0.8
    with pytest.raises(ValueError, match="sum over samples"):
        PGClassifier(n_samples="exact", scoring="f1_macro").fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_verbose_prints_an_epoch_table(Estimator, small_multiclass, capsys):
    X, y = small_multiclass
    Estimator(max_epochs=3, surrogate_epochs=0, verbose=1, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert "train_score" in out and "train_score_std" in out and "dur" in out
    assert len([line for line in out.splitlines() if line.strip()[:1].isdigit()]) == 3
    # verbose=0: silent, and no table is formatted at all
    quiet = Estimator(max_epochs=3, surrogate_epochs=0, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""
    assert "print_log" not in dict(quiet.net_.callbacks_)
    assert len(quiet.net_.history) == 3


def test_progress_bar_callback(small_multiclass):
    from skorch.callbacks import ProgressBar

    X, y = small_multiclass
    clf = PGClassifier(max_epochs=2, callbacks=[ProgressBar()], random_state=0)
    assert clf.fit(X, y).n_iter_ == 2
