"""Reward engine benchmark: sklearn scorer calls vs make_reward, and PG variance.

Prints four tables:
1. time per label vector, sklearn scorer (one call per vector, public API)
   vs ``make_reward`` (count-based, K vectors at once), K=32, n=256 and 4096;
2. the same per model for the scorers of probabilities and decision values
   (K models' logits at once), two and four classes;
3. a ZO fit on each of those scorers against the same fit on F1;
4. variance of the policy-gradient estimate on F1 (fixed MLP and batch),
   credit="batch" (LOO baseline) vs credit="sample", same K.

Run: ``python benchmarks/rewards.py``. Ratios are measured side by side in one
run; absolute times depend on the machine.
"""

import platform
import time

import numpy as np
import torch
from sklearn.metrics import fbeta_score, get_scorer, make_scorer

from sklearn_zopg import make_reward
from sklearn_zopg._modules import MLP
from sklearn_zopg.pg._gradient import pg_advantage, pg_surrogate, sample_labels
from sklearn_zopg.rewards._reward import _FixedOutputs

SCORERS = {
    "accuracy": "accuracy",
    "f1": "f1",
    "f1_macro": "f1_macro",
    "balanced_accuracy": "balanced_accuracy",
    "matthews_corrcoef": "matthews_corrcoef",
    "make_scorer(fbeta, beta=2)": make_scorer(fbeta_score, beta=2),
    "positive_likelihood_ratio": "positive_likelihood_ratio",
    "neg_negative_likelihood_ratio": "neg_negative_likelihood_ratio",
    "adjusted_rand_score": "adjusted_rand_score",
    "normalized_mutual_info_score": "normalized_mutual_info_score",
    "v_measure_score": "v_measure_score",
    "fowlkes_mallows_score": "fowlkes_mallows_score",
}
K = 32


def best_time(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def timing_table():
    rng = np.random.default_rng(0)
    classes = np.array([0, 1])
    print(f"Time per label vector, K={K} vectors per call (best of repeats)\n")
    print("| scorer | n | sklearn µs/vector | make_reward µs/vector | ratio |")
    print("|---|---|---|---|---|")
    for name, scoring in SCORERS.items():
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
        reward = make_reward(scoring, classes=classes)
        assert reward.count_based
        for n in (256, 4096):
            y = (rng.random(n) < 0.1).astype(int)
            Y = (rng.random((K, n)) < 0.15).astype(int)
            y_t, Y_t = torch.as_tensor(y), torch.as_tensor(Y)
            holder = _FixedOutputs(classes)
            X = np.zeros((n, 1))

            def with_sklearn():
                for row in Y:
                    holder.labels = row
                    scorer(holder, X, y)

            t_sk = best_time(with_sklearn, 3) / K
            t_ours = best_time(lambda: reward(y_t, Y_t), 30) / K
            print(
                f"| {name} | {n} | {t_sk * 1e6:.0f} | {t_ours * 1e6:.2f} | "
                f"{t_sk / t_ours:.0f}× |"
            )


LOGITS_SCORERS = [
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
]


def logits_table():
    """Scorers of whole models (probabilities, decision values): K models'
    logits scored at once vs the scorer called once per model (the ZO step's
    scoring), two classes and four (roc_auc is binary only)."""
    rng = np.random.default_rng(0)
    print(f"\nTime per model, K={K} models' logits per call (best of repeats)\n")
    print("| scorer | classes | n | sklearn µs/model | make_reward µs/model | ratio |")
    print("|---|---|---|---|---|---|")
    for scoring in LOGITS_SCORERS:
        scorer = get_scorer(scoring)
        for C in (2, 4):
            if scoring == "roc_auc" and C > 2:
                continue
            classes = np.arange(C)
            reward = make_reward(scoring, classes=classes)
            assert reward.vectorized
            for n in (256, 4096):
                y = np.r_[np.arange(C), rng.integers(0, C, n - C)]
                logits = rng.normal(size=(K, n, C))
                y_t, L_t = torch.as_tensor(y), torch.as_tensor(logits)
                X = np.zeros((n, 1))

                def with_sklearn():
                    for lk in logits:
                        scorer(_FixedOutputs(classes, lk.argmax(1), lk), X, y)

                t_sk = best_time(with_sklearn, 2) / K
                t_ours = best_time(lambda: reward.score_logits(y_t, L_t), 10) / K
                print(
                    f"| {scoring} | {C} | {n} | {t_sk * 1e6:.0f} | "
                    f"{t_ours * 1e6:.2f} | {t_sk / t_ours:.0f}× |"
                )


def regression_table():
    """Regression scorers: K prediction vectors scored at once vs the scorer
    called once per vector."""
    from sklearn.metrics import get_scorer_names

    from sklearn_zopg.rewards import RegressionReward
    from sklearn_zopg.rewards._regression_reward import _FixedPredictions
    from sklearn_zopg.rewards._scorer_parts import scorer_parts

    rng = np.random.default_rng(0)
    names = [
        name
        for name in get_scorer_names()
        if scorer_parts(get_scorer(name)).is_regression_metric
    ]
    print(f"\nTime per prediction vector, K={K} per call (best of repeats)\n")
    print("| scorer | n | sklearn µs/vector | reward µs/vector | ratio |")
    print("|---|---|---|---|---|")
    for scoring in names:
        scorer = get_scorer(scoring)
        reward = RegressionReward(scoring)
        assert reward.vectorized
        for n in (256, 4096):
            y = np.abs(rng.normal(size=n)) + 0.1
            P = np.abs(y + rng.normal(size=(K, n))) + 0.1
            X = np.zeros((n, 1))

            def with_sklearn():
                for p in P:
                    scorer(_FixedPredictions(p), X, y)

            t_sk = best_time(with_sklearn, 2) / K
            t_ours = best_time(lambda: reward(y, P), 10) / K
            print(
                f"| {scoring} | {n} | {t_sk * 1e6:.0f} | {t_ours * 1e6:.2f} | "
                f"{t_sk / t_ours:.0f}× |"
            )


def zo_fit_table():
    """A ZO fit (defaults) on each scorer of whole models against the same
    fit on F1 (binary) or f1_macro (four classes): 1,500 rows, 20 features."""
    from sklearn.datasets import make_classification

    from sklearn_zopg import ZOClassifier

    print("\nZO fit time on each scorer / on F1, 1,500 rows (best of 2)\n")
    print("| scorer | classes | fit s | / F1 fit |")
    print("|---|---|---|---|")
    for C, reference in ((2, "f1"), (4, "f1_macro")):
        X, y = make_classification(
            1500, 20, n_informative=8, n_classes=C, random_state=0
        )
        X = X.astype(np.float32)

        def fit_time(scoring):
            est = ZOClassifier(scoring=scoring, random_state=0)
            return best_time(lambda: est.fit(X, y), 2)

        base = fit_time(reference)
        print(f"| {reference} | {C} | {base:.2f} | 1.00× |")
        for scoring in LOGITS_SCORERS:
            if scoring == "roc_auc" and C > 2:
                continue
            t = fit_time(scoring)
            print(f"| {scoring} | {C} | {t:.2f} | {t / base:.2f}× |")


def gradient_samples(module, X, y, reward, credit, repeats, seed):
    torch.manual_seed(seed)
    grads = []
    for _ in range(repeats):
        module.zero_grad()
        log_p = torch.log_softmax(module(X), 1)
        labels = sample_labels(log_p, K)
        adv, _ = pg_advantage(
            reward, y, labels, log_p.detach().exp(), credit=credit, baseline="loo"
        )
        pg_surrogate(log_p, labels, adv).backward()
        grads.append(torch.cat([p.grad.flatten() for p in module.parameters()]))
    return torch.stack(grads)


def variance_table():
    torch.manual_seed(0)
    n, d = 256, 20
    X = torch.randn(n, d, dtype=torch.float64)
    y = (X[:, 0] + 0.5 * torch.randn(n, dtype=torch.float64) > 1.4).long()
    module = MLP(d, 2).double()
    reward = make_reward("f1", classes=np.array([0, 1]))
    print(
        f"\nPG gradient on F1: fixed 64-unit MLP, batch n={n} "
        f"({int(y.sum())} positives), K={K}, 300 estimates each\n"
    )
    print("| credit | total variance | mean cosine to the mean gradient | ratio |")
    print("|---|---|---|---|")
    results = {}
    for credit in ("batch", "sample"):
        g = gradient_samples(module, X, y, reward, credit, 300, seed=1)
        results[credit] = g
    reference = results["sample"].mean(0)
    base = results["batch"].var(0).sum()
    for credit, g in results.items():
        var = g.var(0).sum()
        cos = torch.nn.functional.cosine_similarity(g, reference[None], 1).mean()
        print(f"| {credit} | {var:.4g} | {cos:.3f} | {base / var:.1f}× |")


if __name__ == "__main__":
    print(
        f"Machine: {platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} torch threads, torch {torch.__version__}\n"
    )
    timing_table()
    logits_table()
    regression_table()
    zo_fit_table()
    variance_table()
