"""The reward engine: fast path equals sklearn, credit equals recomputation."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    f1_score,
    fbeta_score,
    get_scorer,
    jaccard_score,
    log_loss,
    make_scorer,
    precision_score,
    recall_score,
    roc_auc_score,
    top_k_accuracy_score,
)

from sklearn_zopg import make_reward
from sklearn_zopg.rewards._reward import _FixedOutputs

FAST_SCORERS = [
    "accuracy",
    "balanced_accuracy",
    "matthews_corrcoef",
    "f1",
    "precision",
    "recall",
    "jaccard",
    "f1_macro",
    "f1_micro",
    "f1_weighted",
    "precision_macro",
    "recall_weighted",
    "jaccard_macro",
    "jaccard_micro",
    "jaccard_weighted",
    make_scorer(accuracy_score, normalize=False),
    make_scorer(fbeta_score, beta=2),
    make_scorer(fbeta_score, beta=0.5, average="weighted", zero_division=np.nan),
    make_scorer(f1_score, average="macro", zero_division=1),
    make_scorer(f1_score, average="weighted", zero_division=np.nan),
    make_scorer(precision_score, average="macro", zero_division=np.nan),
    make_scorer(recall_score, average="micro", labels=[1]),
    make_scorer(precision_score, average="macro", labels=[0, 2]),
    make_scorer(jaccard_score, average="weighted", zero_division=1),
    make_scorer(f1_score, pos_label=0, zero_division=1),
    "positive_likelihood_ratio",
    "neg_negative_likelihood_ratio",
]


def sklearn_scores(scoring, classes, y, Y, w):
    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    holder = _FixedOutputs(np.asarray(classes))
    X = np.zeros((len(y), 1))
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in Y:
            holder.labels = row
            kw = {} if w is None else {"sample_weight": w}
            out.append(scorer(holder, X, np.asarray(classes)[y], **kw))
    return np.array(out)


@st.composite
def label_problems(draw):
    C = draw(st.integers(2, 4))
    n = draw(st.integers(1, 10))
    K = draw(st.integers(1, 4))
    labels = st.integers(0, C - 1)
    y = np.array(draw(st.lists(labels, min_size=n, max_size=n)))
    Y = np.array(
        draw(st.lists(st.lists(labels, min_size=n, max_size=n), min_size=K, max_size=K))
    )
    weighted = draw(st.booleans())
    w = None
    if weighted:
        w = np.array(
            draw(
                st.lists(
                    st.sampled_from([0.0, 0.5, 1.0, 2.5, 1e-3]), min_size=n, max_size=n
                )
            )
        )
        if not w.any():
            w[0] = 1.0
    return C, y, Y, w


@pytest.mark.parametrize("scoring", FAST_SCORERS, ids=str)
# 20 problems for each of the 27 scorers: the reference calls sklearn once
# per label vector, the suite's largest single cost at 40.
@settings(max_examples=20, deadline=None)
@given(problem=label_problems(), strings=st.booleans())
def test_fast_path_equals_sklearn(scoring, problem, strings):
    C, y, Y, w = problem
    classes = np.array(["ant", "bee", "cat", "dog"][:C]) if strings else np.arange(C)
    try:
        expected = sklearn_scores(scoring, classes, y, Y, w)
    except (ValueError, TypeError):  # sklearn refuses the call: so must we
        with pytest.raises(ValueError):
            make_reward(scoring, classes=classes)(y, Y, w)
        return
    try:
        reward = make_reward(scoring, classes=classes)
    except ValueError:  # binary average on 3+ classes, pos_label not a class
        return
    if not reward.count_based:
        # labels=[0, 2] with 2 classes; or integer labels with string classes
        assert isinstance(scoring, object)
        return
    if not np.isfinite(expected).all():
        with pytest.raises(ValueError, match="NaN"):
            reward(y, Y, w)
        return
    np.testing.assert_allclose(reward(y, Y, w), expected, rtol=0, atol=1e-12)

    try:
        credit = reward.swap_scores(y, Y, w)
    except ValueError as exc:
        # the likelihood ratios are 0/0 once a change leaves no positive (or
        # no negative) anywhere; the other scorers are defined everywhere
        assert "likelihood" in str(scoring) and "NaN" in str(exc)
        return
    assert credit.shape == (Y.shape[0], Y.shape[1], C)
    for k in range(Y.shape[0]):
        for i in range(Y.shape[1]):
            for c in range(C):
                Z = Y[k].copy()
                Z[i] = c
                ref = sklearn_scores(scoring, classes, y, Z[None], w)[0]
                if np.isfinite(ref):
                    assert credit[k, i, c] == pytest.approx(ref, abs=1e-9)


@pytest.mark.parametrize("scoring", ["f1", "f1_macro", "accuracy", "matthews_corrcoef"])
def test_degenerate_vectors(scoring):
    classes = np.array([0, 1])
    y = np.array([1, 1, 1, 1])
    Y = np.array([[0, 0, 0, 0], [1, 1, 1, 1], [0, 1, 0, 1]])
    reward = make_reward(scoring, classes=classes)
    np.testing.assert_allclose(
        reward(y, Y), sklearn_scores(scoring, classes, y, Y, None), atol=1e-12
    )


def test_generic_path_unchanged():
    custom = make_scorer(lambda t, p: float(np.mean(t == p)) ** 2)
    reward = make_reward(custom, classes=np.array([0, 1]))
    assert not reward.count_based
    y = np.array([0, 1, 1, 0])
    Y = np.array([[0, 1, 1, 0], [1, 1, 1, 0]])
    np.testing.assert_allclose(reward(y, Y), [1.0, 0.5625])
    with pytest.raises(ValueError, match="count-based"):
        reward.swap_scores(y, Y)


def test_neg_scorer_keeps_sign():
    reward = make_reward("neg_mean_absolute_error", classes=np.array([0, 1, 2]))
    out = reward(np.array([0, 2]), np.array([[0, 0]]))
    np.testing.assert_allclose(out, [-1.0])


def test_torch_in_torch_out():
    reward = make_reward("f1", classes=np.array([0, 1]))
    y = torch.tensor([0, 1, 1])
    Y = torch.tensor([[0, 1, 1], [1, 1, 0]])
    out = reward(y, Y)
    assert torch.is_tensor(out) and out.dtype == torch.float64
    np.testing.assert_allclose(out.numpy(), [1.0, 0.5])
    assert torch.is_tensor(reward.swap_scores(y, Y))


def test_classes_none_means_integer_labels():
    reward = make_reward("f1")
    np.testing.assert_allclose(reward(np.array([0, 1]), np.array([[0, 1]])), [1.0])
    assert reward.count_based


@pytest.mark.parametrize(
    "scoring", ["roc_auc", "neg_log_loss", "average_precision", "neg_brier_score"]
)
def test_probability_scorers_refused_for_labels(scoring):
    reward = make_reward(scoring, classes=np.array([0, 1]))
    with pytest.raises(ValueError, match="ZOClassifier"):
        reward(np.array([0, 1]), np.array([[0, 1]]))


def test_probability_scorer_scores_logits():
    reward = make_reward("roc_auc", classes=np.array([0, 1]))
    logits = torch.tensor([[[0.0, 1.0], [0.0, -1.0]], [[0.0, -1.0], [0.0, 1.0]]])
    np.testing.assert_allclose(
        reward.score_logits(torch.tensor([1, 0]), logits), [1, 0]
    )


@pytest.mark.parametrize("n_classes", [2, 3])
def test_label_scorers_score_the_argmax_of_logits_ties_included(n_classes):
    # Rounded logits tie often; the two-class shortcut must break ties as
    # argmax (and predict) do: the first class.
    rng = np.random.default_rng(0)
    logits = torch.as_tensor(rng.integers(-1, 2, size=(8, 50, n_classes)) * 1.0)
    y = torch.as_tensor(rng.integers(0, n_classes, size=50))
    reward = make_reward("f1_macro", classes=np.arange(n_classes))
    torch.testing.assert_close(
        reward.score_logits(y, logits), reward(y, logits.argmax(-1)), rtol=0, atol=0
    )


def test_top_k_reads_scores_not_labels():
    reward = make_reward(
        make_scorer(top_k_accuracy_score, k=1, response_method="predict_proba"),
        classes=np.array([0, 1, 2]),
    )
    assert not reward.count_based and reward.needs_scores


def test_binary_average_with_three_classes_is_a_clear_error():
    with pytest.raises(ValueError, match="average='binary'.*3"):
        make_reward("f1", classes=np.array([0, 1, 2]))


def test_pos_label_not_a_class_is_a_clear_error():
    with pytest.raises(ValueError, match="pos_label=1"):
        make_reward("f1", classes=np.array(["no", "yes"]))


def test_unknown_scoring_name():
    with pytest.raises(ValueError, match="not a valid scoring value"):
        make_reward("f2_typo")


def test_scorer_that_raises_or_returns_nan():
    def raising(est, X, y):
        raise RuntimeError("boom")

    def nan(est, X, y):
        return float("nan")

    y, Y = np.array([0, 1]), np.array([[0, 1]])
    with pytest.raises(ValueError, match="raised RuntimeError: boom"):
        make_reward(raising, classes=np.array([0, 1]))(y, Y)
    with pytest.raises(ValueError, match="NaN"):
        make_reward(nan, classes=np.array([0, 1]))(y, Y)


def test_fast_is_much_faster_than_sklearn():
    """Not a timing test: a count of scorer calls, via the generic fallback."""
    calls = []

    def counting(est, X, y):
        calls.append(1)
        return 0.0

    reward = make_reward(counting, classes=np.array([0, 1]))
    reward(np.zeros(5, int), np.zeros((7, 5), int))
    assert len(calls) == 7


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 40),
    K=st.integers(1, 4),
    ties=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_fast_roc_auc_equals_sklearn(n, K, ties, seed):
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    y[0], y[1] = 0, 1
    logits = rng.normal(size=(K, n, 2))
    if ties:
        logits = np.round(logits, 0)
    reward = make_reward("roc_auc", classes=np.array(["neg", "pos"]))
    assert reward.vectorized
    out = reward.score_logits(torch.as_tensor(y), torch.as_tensor(logits))
    expected = [roc_auc_score(y, row[:, 1] - row[:, 0]) for row in logits]
    np.testing.assert_allclose(out.numpy(), expected, rtol=0, atol=1e-12)
    # weighted: the sklearn call path, same values for unit weights
    weighted = reward.score_logits(
        torch.as_tensor(y), torch.as_tensor(logits), torch.ones(n, dtype=torch.float64)
    )
    np.testing.assert_allclose(weighted.numpy(), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("scoring", FAST_SCORERS, ids=str)
@pytest.mark.parametrize("C", [2, 3, 12])
def test_unweighted_credit_by_label_pair_equals_per_sample_credit(scoring, C):
    # Without weights the credit is computed once per (predicted, true) pair
    # and looked up (C * C < n), or from two changes per (vector, class)
    # (C = 12: many classes); with unit weights, once per sample. They must
    # agree.
    rng = np.random.default_rng(C)
    y = rng.integers(0, C, 40)
    Y = rng.integers(0, C, (5, 40))
    try:
        reward = make_reward(scoring, classes=np.arange(C))
    except ValueError:  # binary average on 3 classes
        return
    if not reward.count_based or not reward._metric.takes_weights:
        return  # (the likelihood ratios refuse weights, unit ones too)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            by_pair = reward.swap_scores(y, Y)
        except ValueError:  # NaN scores (zero_division=nan)
            return
        per_sample = reward.swap_scores(y, Y, np.ones(40))
    np.testing.assert_allclose(by_pair, per_sample, rtol=0, atol=1e-12)


def test_sklearn_scorer_internals_read_in_one_place_are_still_there():
    """``rewards/_scorer_parts.py`` reads scikit-learn's private scorer
    attributes. If a release renames or reshapes them, this fails loudly:
    otherwise every scorer would silently lose its count-based path."""
    from sklearn.metrics._scorer import _BaseScorer

    from sklearn_zopg.rewards._scorer_parts import scorer_parts

    f1 = get_scorer("f1")
    assert isinstance(f1, _BaseScorer)
    for name in ("_score_func", "_kwargs", "_sign", "_response_method"):
        assert hasattr(f1, name), name
    loss = scorer_parts(make_scorer(fbeta_score, beta=2, greater_is_better=False))
    assert loss.score_func is fbeta_score
    assert loss.kwargs == {"beta": 2}
    assert loss.sign == -1.0
    assert loss.response_methods == ("predict",)
    auc = scorer_parts(get_scorer("roc_auc")).response_methods
    assert set(auc) == {"decision_function", "predict_proba"}
    assert scorer_parts(get_scorer("neg_log_loss")).response_methods == (
        "predict_proba",
    )
    assert scorer_parts(get_scorer("r2")).is_regression_metric
    assert not scorer_parts(f1).is_regression_metric
    assert scorer_parts(lambda estimator, X, y: 0.0) is None
    for name in [s for s in FAST_SCORERS if isinstance(s, str)]:
        assert make_reward(name, classes=np.array([0, 1])).count_based, name


def test_a_callable_of_unknown_form_scores_whole_models_with_their_logits():
    def margin_auc(estimator, X, y):
        from sklearn.metrics import roc_auc_score

        return roc_auc_score(y, estimator.decision_function(X))

    reward = make_reward(margin_auc, classes=np.array([0, 1]))
    y = torch.tensor([0, 1, 0, 1])
    logits = torch.tensor([[[0.0, 1.0], [0.0, 2.0], [0.0, 3.0], [0.0, 4.0]]])
    assert float(reward.score_logits(y, logits)[0]) == 0.75


VECTORIZED_LOGITS_SCORERS = [
    "neg_log_loss",
    "neg_brier_score",
    "d2_log_loss_score",
    "d2_brier_score",
    "roc_auc",
    "roc_auc_ovr",
    "roc_auc_ovr_weighted",
    "roc_auc_ovo",
    "roc_auc_ovo_weighted",
    "average_precision",
    "top_k_accuracy",
    make_scorer(log_loss, greater_is_better=False, response_method="predict_proba"),
    make_scorer(
        log_loss,
        greater_is_better=False,
        response_method="predict_proba",
        normalize=False,
    ),
    make_scorer(
        average_precision_score,
        response_method="predict_proba",
        average="weighted",
    ),
    make_scorer(
        average_precision_score, response_method="decision_function", average="micro"
    ),
    make_scorer(top_k_accuracy_score, k=1, response_method="decision_function"),
    make_scorer(
        top_k_accuracy_score, k=3, normalize=False, response_method="predict_proba"
    ),
    make_scorer(top_k_accuracy_score, k=1, response_method="predict_proba"),
]


@pytest.mark.parametrize("scoring", VECTORIZED_LOGITS_SCORERS, ids=str)
@settings(max_examples=40, deadline=None)
@given(
    C=st.integers(2, 4),
    n=st.integers(4, 30),
    K=st.integers(1, 4),
    scale=st.sampled_from([0.0, 0.3, 1.0, 40.0]),
    rounded=st.booleans(),
    weighted=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_vectorized_scorers_of_logits_equal_sklearn(
    scoring, C, n, K, scale, rounded, weighted, seed
):
    """K models' log loss, Brier, D², ROC AUC, average precision or top-k
    accuracy at once equals the scorer called once per model, with weights,
    ties (scale 0: all equal; rounded logits), confident models (scale 40:
    probabilities clipped at eps, margins beyond [0, 1]), margins inside
    [0, 1] (scale 0.3) and every class count. Where the scorer refuses the
    call (one-vs-one with weights), the reward raises too."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.arange(C), rng.integers(0, C, n - C)]  # every class present
    logits = rng.normal(size=(K, n, C)) * scale
    if rounded:
        logits = np.round(logits, 1)
    w = rng.choice([0.0, 0.5, 1.0, 2.5], size=n) if weighted else None
    if w is not None and w.sum() == 0:
        w[0] = 1.0
    classes = np.arange(C) + (seed % 2 if C > 2 else 0)  # labels from 0 or 1
    reward = make_reward(scoring, classes=classes)
    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    kw = {} if w is None else {"sample_weight": w}
    X = np.zeros((n, 1))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = [
                scorer(_FixedOutputs(classes, lk.argmax(1), lk), X, classes[y], **kw)
                for lk in logits
            ]
    except ValueError:
        with pytest.raises(ValueError):
            reward.score_logits(y, torch.as_tensor(logits), w)
        return
    if not np.isfinite(expected).all():  # no positive weight in some class
        return
    assert reward.vectorized
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the vectorized path is silent
        got = reward.score_logits(
            torch.as_tensor(y),
            torch.as_tensor(logits),
            None if w is None else torch.as_tensor(w),
        ).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_every_classification_scorer_but_clustering_and_samples_is_vectorized():
    """The names of sklearn.metrics.get_scorer_names() that score a binary or
    multiclass classifier all have an exact vectorized twin, except the
    clustering comparisons (rand, mutual information...), the multilabel
    ``*_samples`` forms and the ``average='binary'`` ones on 3 classes."""
    from sklearn.metrics import get_scorer_names

    from sklearn_zopg.rewards._scorer_parts import scorer_parts

    for C in (2, 3):
        for name in get_scorer_names():
            parts = scorer_parts(get_scorer(name))
            module = parts.score_func.__module__
            if parts.is_regression_metric or "cluster" in module:
                continue
            if name.endswith("_samples"):
                continue
            if C > 2 and name in ("f1", "precision", "recall", "jaccard"):
                continue
            if C > 2 and name in (
                "roc_auc",
                "positive_likelihood_ratio",
                "neg_negative_likelihood_ratio",
            ):
                continue  # binary only: sklearn refuses 3 classes
            assert make_reward(name, classes=np.arange(C)).vectorized, (name, C)


def test_brier_with_string_classes_keeps_the_scorers_own_path():
    reward = make_reward("neg_brier_score", classes=np.array(["no", "yes"]))
    assert not reward.vectorized


@pytest.mark.parametrize(
    "scoring, labelled",
    [
        ("neg_log_loss", lambda y, p: -log_loss(y, p, labels=[0, 1, 2])),
        ("neg_brier_score", lambda y, p: -brier_score_loss(y, p, labels=[0, 1, 2])),
        (
            "roc_auc_ovr",  # the present classes' one-vs-rest AUCs, averaged
            lambda y, p: np.mean([roc_auc_score(y == c, p[:, c]) for c in (0, 1)]),
        ),
        (
            "roc_auc_ovr_weighted",
            lambda y, p: np.average(
                [roc_auc_score(y == c, p[:, c]) for c in (0, 1)],
                weights=[np.mean(y == 0), np.mean(y == 1)],
            ),
        ),
        (
            "roc_auc_ovo",  # the one pair of present classes
            lambda y, p: np.mean(
                [
                    roc_auc_score(y[y < 2] == 0, p[y < 2, 0]),
                    roc_auc_score(y[y < 2] == 1, p[y < 2, 1]),
                ]
            ),
        ),
    ],
)
def test_a_class_missing_from_the_batch_is_scored_as_the_fitted_classes_say(
    scoring, labelled
):
    """A multiclass batch without a rare class: the scorer itself refuses
    it (it encodes the classes present), the reward scores it as the metric
    with labels= the fitted classes, or leaves the absent class out of its
    average, never an error."""
    from sklearn_zopg.rewards._probabilistic import softmax

    reward = make_reward(scoring, classes=np.arange(3))
    rng = np.random.default_rng(0)
    y = np.array([0, 1, 0, 1, 1, 0, 0, 1])  # class 2 absent
    logits = torch.as_tensor(rng.normal(size=(2, len(y), 3)))
    holder = _FixedOutputs(np.arange(3), logits[0].numpy().argmax(1), logits[0].numpy())
    with pytest.raises(ValueError):
        get_scorer(scoring)(holder, np.zeros((len(y), 1)), y)
    scores = reward.score_logits(torch.as_tensor(y), logits).numpy()
    expected = [labelled(y, softmax(k.numpy())) for k in logits]
    np.testing.assert_allclose(scores, expected, rtol=1e-12)


def test_unchecked_scores_are_left_to_the_callers_one_check():
    """check=False returns NaN scores as they are (the ZO step then checks
    them with its other numbers in one fetch); the summary raises the same
    errors as the checked call."""
    reward = make_reward(
        make_scorer(f1_score, zero_division=np.nan), classes=np.array([0, 1])
    )
    y, Y = torch.tensor([0, 0]), torch.tensor([[0, 0], [0, 1]])
    out = reward(y, Y, check=False)  # no positive anywhere in row 0: NaN
    assert torch.isnan(out[0]) and out[1] == 0
    with pytest.raises(ValueError, match="NaN"):
        reward(y, Y)
    with pytest.raises(ValueError, match="NaN"):
        reward.check_summary(*reward.summary(out).tolist())
    with pytest.raises(ValueError, match="1e\\+200 in absolute value"):
        reward.check_summary(
            *reward.summary(torch.tensor([1.0, -1e200], dtype=torch.float64)).tolist()
        )
    reward.check_summary(*reward.summary(torch.tensor([0.5, -2.0])).tolist())
