"""Reward engine benchmark: sklearn scorer calls vs make_reward, and PG variance.

Prints two tables:
1. time per label vector, sklearn scorer (one call per vector, public API)
   vs ``make_reward`` (count-based, K vectors at once), K=32, n=256 and 4096;
2. variance of the policy-gradient estimate on F1 (fixed MLP and batch),
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


PROBABILITY_SCORERS = ["neg_log_loss", "neg_brier_score"]


def probability_table():
    """Scorers of probabilities: K models' logits scored at once vs the
    scorer called once per model (the ZO step's scoring)."""
    rng = np.random.default_rng(0)
    classes = np.array([0, 1])
    print(f"\nTime per model, K={K} models' logits per call (best of repeats)\n")
    print("| scorer | n | sklearn µs/model | make_reward µs/model | ratio |")
    print("|---|---|---|---|---|")
    for scoring in PROBABILITY_SCORERS:
        scorer = get_scorer(scoring)
        reward = make_reward(scoring, classes=classes)
        assert reward._proba_metric is not None
        for n in (256, 4096):
            y = np.r_[0, 1, (rng.random(n - 2) < 0.1).astype(int)]
            logits = rng.normal(size=(K, n, 2))
            y_t, L_t = torch.as_tensor(y), torch.as_tensor(logits)
            X = np.zeros((n, 1))

            def with_sklearn():
                for lk in logits:
                    scorer(_FixedOutputs(classes, lk.argmax(1), lk), X, y)

            t_sk = best_time(with_sklearn, 3) / K
            t_ours = best_time(lambda: reward.score_logits(y_t, L_t), 30) / K
            print(
                f"| {scoring} | {n} | {t_sk * 1e6:.0f} | {t_ours * 1e6:.2f} | "
                f"{t_sk / t_ours:.0f}× |"
            )


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
    probability_table()
    variance_table()
