"""ZO building blocks: directions, fitness shaping, perturbed evaluation, options."""

import numpy as np
import pytest
import torch

from sklearn_zopg import ZOClassifier
from sklearn_zopg._modules import MLP
from sklearn_zopg._net import Diverged, check_finite
from sklearn_zopg.zo._baselines import centered_ranks
from sklearn_zopg.zo._directions import DIRECTION_KINDS, Directions
from sklearn_zopg.zo._perturbed import PerturbedModule, select_parameters


def _params():
    return [torch.zeros(4, 3, dtype=torch.float64), torch.zeros(5, dtype=torch.float64)]


@pytest.mark.parametrize("kind", DIRECTION_KINDS)
def test_directions_have_zero_mean_identity_covariance(kind):
    torch.manual_seed(0)
    dirs = Directions(kind, 4000, _params())
    U = torch.cat([u.flatten(1) for u in dirs.stacked()], 1)  # K, d
    assert U.mean(0).abs().max() < 0.1
    cov = U.T @ U / len(U)
    assert (cov - torch.eye(17, dtype=cov.dtype)).abs().max() < 0.15
    if kind != "gaussian":
        torch.testing.assert_close(
            dirs.sq_norms(), torch.full((4000,), 17.0, dtype=torch.float64)
        )


@pytest.mark.parametrize("kind", DIRECTION_KINDS)
@pytest.mark.parametrize("store", [True, False])
def test_antithetic_pairs_and_regeneration(kind, store):
    torch.manual_seed(1)
    dirs = Directions(kind, 5, _params(), antithetic=True, store=store)
    assert len(dirs) == 6  # odd K rounded up to pairs
    for k in range(6):  # the same direction every time it is asked for
        for a, b in zip(dirs[k], dirs[k]):
            torch.testing.assert_close(a, b)
    for a, b in zip(dirs[2], dirs[3]):
        torch.testing.assert_close(a, -b)
    assert not torch.equal(dirs[0][0], dirs[2][0])
    coef = torch.arange(6, dtype=torch.float64)
    expected = [sum(c * U[k] for k, c in enumerate(coef)) for U in dirs.stacked()]
    for got, want in zip(dirs.combine(coef), expected):
        torch.testing.assert_close(got, want)
    norms = torch.stack([sum(u.pow(2).sum() for u in dirs[k]) for k in range(6)])
    torch.testing.assert_close(dirs.sq_norms(), norms)


def test_centered_ranks():
    r = centered_ranks(torch.tensor([3.0, 1.0, 2.0, 2.0, 10.0]))
    torch.testing.assert_close(r, torch.tensor([0.25, -0.5, -0.125, -0.125, 0.5]))
    assert float(r.sum()) == pytest.approx(0.0)


@pytest.mark.parametrize(
    "perturb",
    [
        "last",
        None,
        "layers.2",
        ["layers.0.weight"],
        "layers.2.bias",  # shared input, one weight, K biases
        ["layers.0.bias", "layers.4.weight"],
    ],
)
def test_evaluation_modes_agree(perturb):
    torch.manual_seed(2)
    module = MLP(6, 3, (8, 5)).double()
    X = torch.randn(20, 6, dtype=torch.float64)
    params = select_parameters(module, perturb)
    dirs = Directions("gaussian", 4, list(params.values()))
    before = {n: p.detach().clone() for n, p in module.named_parameters()}
    expected = []
    for k in range(4):
        clone = MLP(6, 3, (8, 5)).double()
        clone.load_state_dict(module.state_dict())
        with torch.no_grad():
            for (n, _), u in zip(params.items(), dirs[k]):
                clone.get_parameter(n).add_(0.1 * u)
            expected.append(clone(X))
    expected = torch.stack(expected)
    for mode in ("stacked", "vmap", "loop", "inplace"):
        pm = PerturbedModule(module, params, mode)
        with torch.no_grad():
            out = pm.logits(pm.features(X), dirs, 0.1)
        torch.testing.assert_close(out, expected)
    for n, p in module.named_parameters():
        torch.testing.assert_close(p, before[n])


def test_last_layer_split_computes_head_once():
    module = MLP(6, 3, (8,)).double()
    pm = PerturbedModule(module, select_parameters(module, "last"))
    assert pm.head is not None and len(pm.head) == 2  # Linear + ReLU
    mapped = MLP(6, 3, (8,), input_quantiles=16).double()
    pm = PerturbedModule(mapped, select_parameters(mapped, "last"))
    assert len(pm.head) == 3  # the input map, then Linear + ReLU


def test_perturb_selects_nothing_is_a_clear_error():
    with pytest.raises(ValueError, match="selects no trainable parameter"):
        select_parameters(MLP(3, 2), "nope")


@pytest.mark.parametrize(
    "options",
    [
        {"direction": "rademacher"},
        {"direction": "sphere"},
        {"antithetic": False},
        {"fitness": "centered_ranks"},
        {"perturb": None},
        {"perturb": lambda name, p: name.endswith("bias")},
        {"memory_efficient": True},
        {"batched": False},
    ],
    ids=str,
)
def test_zo_options_learn(options, small_multiclass):
    X, y = small_multiclass
    clf = ZOClassifier(max_epochs=30, lr=0.03, random_state=0, **options)
    assert (clf.fit(X, y).predict(X) == y).mean() > 0.7


def test_zo_evaluation_modes_give_identical_fits(small_multiclass):
    X, y = small_multiclass
    fits = [
        ZOClassifier(max_epochs=3, random_state=0, perturb=None, batched=batched)
        .fit(X, y)
        .predict_proba(X)
        for batched in (True, False, "auto")  # vmap, loop, stacked weights
    ]
    np.testing.assert_allclose(fits[0], fits[1], atol=1e-10)
    np.testing.assert_allclose(fits[0], fits[2], atol=1e-10)


def test_auto_mode_choice():
    module = MLP(6, 3, (8,)).double()
    assert PerturbedModule(module, select_parameters(module, None)).mode == "stacked"
    conv = torch.nn.Sequential(torch.nn.Conv1d(1, 2, 3), torch.nn.Flatten())
    assert PerturbedModule(conv, select_parameters(conv, None)).mode == "vmap"
    big = MLP(200, 2, (200,)).double()
    assert PerturbedModule(big, select_parameters(big, None)).mode == "loop"


def test_unperturbed_parameters_stay_fixed_in_the_score_phase(small_multiclass):
    X, y = small_multiclass
    clf = ZOClassifier(max_epochs=3, surrogate_epochs=0, perturb="layers.2")
    clf.fit(X, y)
    first = clf.net_.module_.layers[0].weight.detach().clone()
    clf.set_params(warm_start=True).fit(X, y)
    torch.testing.assert_close(clf.net_.module_.layers[0].weight, first)


@pytest.mark.parametrize(
    "bad", [float("nan"), float("inf"), -float("inf"), "both infinities"]
)
def test_check_finite_catches_nan_and_infinity(bad):
    logits = torch.zeros(3, 4, 2, dtype=torch.float32)
    check_finite(logits)  # finite: silent
    if bad == "both infinities":  # their sum is NaN, still caught
        logits[0, 0, 0], logits[1, 2, 1] = float("inf"), -float("inf")
    else:
        logits[1, 2, 1] = bad
    with pytest.raises(Diverged, match="NaN or infinity"):
        check_finite(logits)


def test_stored_directions_are_views_of_one_matrix():
    dirs = Directions("gaussian", 6, _params(), antithetic=True)
    U = dirs.matrix()
    assert U.shape == (6, 17)
    torch.testing.assert_close(U[1], -U[0])
    stacked = torch.cat([u.flatten(1) for u in dirs.stacked()], 1)
    torch.testing.assert_close(stacked, U, rtol=0, atol=0)
    coef = torch.arange(6, dtype=torch.float64)
    combined = torch.cat([c.flatten() for c in dirs.combine(coef)])
    torch.testing.assert_close(combined, coef @ U)


@pytest.mark.parametrize("mode", ["stacked", "vmap"])
def test_batched_modes_in_groups_give_the_same_logits(mode, monkeypatch):
    """With a small memory budget the K perturbed models are evaluated a
    group at a time (memory bounded at any K), with the same logits."""
    from sklearn_zopg.zo import _perturbed

    torch.manual_seed(0)
    module = MLP(5, 3, (16,)).double()
    X = torch.randn(50, 5, dtype=torch.float64)
    params = select_parameters(module, None)
    directions = Directions(
        "gaussian", 30, list(params.values()), True, generator=torch.Generator()
    )
    perturbed = PerturbedModule(module, params, mode)
    # bytes of one model's widest activations, its direction and its
    # perturbed parameters
    n_params = sum(p.numel() for p in params.values())
    per_model = 2 * 50 * 16 * 8 + 2 * n_params * 8
    with torch.no_grad():  # as in the ZO step
        whole = perturbed.logits(perturbed.features(X), directions, 0.1)
        monkeypatch.setattr(_perturbed, "BATCHED_MEMORY_BUDGET", 7 * per_model)
        assert perturbed._group_size(X) == 7
        grouped = perturbed.logits(perturbed.features(X), directions, 0.1)
    np.testing.assert_allclose(grouped.numpy(), whole.numpy(), rtol=0, atol=1e-12)
    assert [len(g) for g in directions.chunks(7)] == [7, 7, 7, 7, 2]


@pytest.mark.parametrize("mode", ["stacked", "vmap", "loop"])
def test_directions_beyond_the_budget_are_regenerated_with_the_same_estimate(
    mode, monkeypatch
):
    """K directions over many parameters are not stored beyond the budget
    (memory bounded at any K, the loop included): each group, or each
    direction, is regenerated from its seed, and the logits and the estimate
    are those of the same regenerated directions evaluated whole."""
    from sklearn_zopg.zo import _directions, _perturbed

    torch.manual_seed(0)
    module = MLP(5, 3, (16,)).double()
    X = torch.randn(50, 5, dtype=torch.float64)
    params = select_parameters(module, None)
    tensors = list(params.values())
    n_params = sum(p.numel() for p in tensors)
    monkeypatch.setattr(_directions, "STORED_DIRECTIONS_BUDGET", 4 * n_params * 8)
    directions = Directions(
        "gaussian", 30, tensors, True, generator=torch.Generator().manual_seed(3)
    )
    assert directions._matrix is None  # 30 directions exceed 4 directions' bytes
    reference = Directions("gaussian", 30, tensors, True, store=False)
    reference.seeds = directions.seeds
    perturbed = PerturbedModule(module, params, mode)
    monkeypatch.setattr(
        _perturbed, "BATCHED_MEMORY_BUDGET", 6 * (2 * 50 * 16 * 8 + 2 * n_params * 8)
    )
    with torch.no_grad():
        grouped = perturbed.logits(X, directions, 0.1)
        whole = torch.stack(
            [
                PerturbedModule(module, params, "loop").logits(
                    X, _One(reference, k), 0.1
                )[0]
                for k in range(30)
            ]
        )
    np.testing.assert_allclose(grouped.numpy(), whole.numpy(), rtol=0, atol=1e-12)
    weights = torch.linspace(-1, 1, 30, dtype=torch.float64)
    for got, expected in zip(directions.combine(weights), reference.combine(weights)):
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=0, atol=1e-12)


class _One:
    """Direction k of a Directions, as a set of one."""

    def __init__(self, directions, k):
        self.directions, self.k = directions, k

    def __len__(self):
        return 1

    def __getitem__(self, j):
        return self.directions[self.k]


@pytest.mark.parametrize(
    "scoring, layers, lr",
    [
        ("roc_auc", "all", 0.001),
        ("average_precision", "all", 0.001),
        ("f1", "last", 0.003),
        ("neg_log_loss", "last", 0.003),
    ],
)
def test_perturb_auto_moves_every_layer_for_ranking_scorers(scoring, layers, lr):
    from sklearn.datasets import make_classification

    X, y = make_classification(200, n_features=5, random_state=0)
    clf = ZOClassifier(scoring=scoring, max_epochs=2, random_state=0).fit(X, y)
    module = clf.net_.module_
    expected = (
        dict(module.named_parameters())
        if layers == "all"
        else select_parameters(module, "last")
    )
    assert list(clf.net_._perturbed().params) == list(expected)
    assert clf.net_.lr == lr
    # An explicit choice wins over "auto", and lr follows the layers.
    last = clf.set_params(perturb="last").fit(X, y)
    assert list(last.net_._perturbed().params) == list(
        select_parameters(module, "last")
    )
    assert last.net_.lr == 0.003
