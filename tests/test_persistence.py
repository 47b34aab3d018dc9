"""Saving fitted estimators: skops.io (the secure format), pickle and joblib."""

import io
import pickle
import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pytest
import torch
from sklearn.datasets import make_multilabel_classification

from sklearn_zopg import PGClassifier, PGRegressor, ZOClassifier, ZORegressor

sio = pytest.importorskip("skops.io")

FAST = dict(max_epochs=2, batch_size=64, random_state=0)


def _models(small_multiclass):
    X, y = small_multiclass
    labels = np.array(["ant", "bee", "cat"])[y]
    X_multi, Y_multi = make_multilabel_classification(
        120, X.shape[1], n_classes=3, random_state=0
    )
    target = np.exp(0.5 * X[:, 0] - X[:, 1])  # positive, for the Poisson deviance
    return {
        "pg_classifier": (PGClassifier(scoring="f1_macro", **FAST).fit(X, labels), X),
        "zo_classifier": (ZOClassifier(scoring="roc_auc_ovr", **FAST).fit(X, y), X),
        "pg_multilabel": (
            PGClassifier(scoring="f1_micro", **FAST).fit(X_multi, Y_multi),
            X_multi,
        ),
        "pg_regressor": (PGRegressor(**FAST).fit(X, target), X),
        "zo_regressor": (
            ZORegressor(scoring="neg_mean_poisson_deviance", **FAST).fit(X, target),
            X,
        ),
    }


def _outputs(est, X):
    """What a loaded model must reproduce: predictions, and probabilities."""
    outputs = [np.asarray(est.predict(X))]
    if hasattr(est, "predict_proba"):
        outputs.append(est.predict_proba(X))
    return outputs


def _walk(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk(item)
    else:
        yield value


def test_skops_round_trip_in_a_fresh_process(small_multiclass, tmp_path):
    models = _models(small_multiclass)
    for name, (est, X) in models.items():
        sio.dump(est, tmp_path / f"{name}.skops")
        np.save(tmp_path / f"{name}_X.npy", X)
        # the types a user must trust: the estimator's class and its optimizer
        assert sio.get_untrusted_types(file=tmp_path / f"{name}.skops") == [
            f"{type(est).__module__}.{type(est).__name__}",
            "torch.optim.adam.Adam",
        ]
    script = textwrap.dedent(
        f"""
        import pathlib, numpy as np, skops.io as sio
        folder = pathlib.Path({str(tmp_path)!r})
        for name in {list(models)!r}:
            path = folder / f"{{name}}.skops"
            est = sio.load(path, trusted=sio.get_untrusted_types(file=path))
            X = np.load(folder / f"{{name}}_X.npy")
            np.save(folder / f"{{name}}_predict.npy", est.predict(X))
            if hasattr(est, "predict_proba"):
                np.save(folder / f"{{name}}_proba.npy", est.predict_proba(X))
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    for name, (est, X) in models.items():
        expected = _outputs(est, X)
        np.testing.assert_array_equal(
            np.load(tmp_path / f"{name}_predict.npy"), expected[0]
        )
        if len(expected) > 1:
            np.testing.assert_array_equal(
                np.load(tmp_path / f"{name}_proba.npy"), expected[1]
            )


def test_fitted_state_holds_no_torch_object_nor_bytes(small_multiclass):
    for est, _ in _models(small_multiclass).values():
        state = est.__getstate__()
        assert "net_" not in state and "net_" in est.__dict__
        leaves = list(_walk(state["_net_state"]))
        assert not any(isinstance(v, (torch.Tensor, torch.nn.Module)) for v in leaves)
        assert not any(isinstance(v, bytes) for v in leaves)


@pytest.mark.parametrize("save", ["pickle", "joblib", "skops"])
def test_loaded_model_continues_training_as_the_original(save, small_multiclass):
    """The optimizer's state, the generators' states, the history and the
    phase come back: a partial_fit after loading is the one the original
    would have run."""
    X, y = small_multiclass
    est = ZOClassifier(scoring="accuracy", surrogate_epochs=1, **FAST).fit(X, y)
    if save == "pickle":
        loaded = pickle.loads(pickle.dumps(est))
    elif save == "joblib":
        buffer = io.BytesIO()
        joblib.dump(est, buffer)
        buffer.seek(0)
        loaded = joblib.load(buffer)
    else:
        data = sio.dumps(est)
        loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    assert list(loaded.net_.history[:, "phase"]) == ["surrogate", "score", "score"]
    for model in (est, loaded):  # the generators' streams continue too
        model.partial_fit(X, y)
    assert loaded.n_iter_ == est.n_iter_ == 4
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


class Tiny(torch.nn.Module):
    def __init__(self, n_features, n_classes, width=8):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(n_features, width),
            torch.nn.Tanh(),
            torch.nn.Linear(width, n_classes),
        )

    def forward(self, X):
        return self.layers(X)


def test_skops_with_a_module_class_of_the_users(small_multiclass):
    X, y = small_multiclass
    est = PGClassifier(module=Tiny, module_params={"width": 4}, **FAST).fit(X, y)
    data = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=data)
    assert f"{__name__}.Tiny" in untrusted
    loaded = sio.loads(data, trusted=untrusted)
    assert isinstance(loaded.net_.module_, Tiny)
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_model_saved_for_cuda_loads_on_the_cpu(small_multiclass):
    X, y = small_multiclass
    est = PGClassifier(**FAST).fit(X, y)
    est.device = "cuda"  # as if fitted on a GPU: its state is the same numpy
    with pytest.warns(UserWarning, match="loaded on the CPU"):
        loaded = pickle.loads(pickle.dumps(est))
    assert next(loaded.net_.module_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
