"""How PG's per-sample credit of many classes was chosen: the exact
expectation of the swap scores against the closing formula at the expected
counts (``Reward.sample_credit``), in test score and fit time.

Both baselines are free of the sample's own label, so both estimates are
unbiased; they differ in variance only, and in cost: the exact one
evaluates the closing formula ``K * n * C`` times a step, the other
``K * n`` times. PGClassifier with its defaults on multiclass tasks (digits,
generated 3- and 6-class problems behind a ``StandardScaler``, a
stratified 50/50 split; the multiclass text tasks of ``text_quality.py``),
over a range of seeds, once with each baseline.

Run: ``python benchmarks/credit_choice.py [first_seed] [end_seed]``
(0 3 and 3 6).
"""

import sys
import time

import numpy as np
from _held_out import held_out
from sklearn.datasets import load_digits, make_classification
from sklearn.metrics import get_scorer
from text_quality import text_splits

from sklearn_zopg import PGClassifier
from sklearn_zopg.rewards._credit import local_advantage
from sklearn_zopg.rewards._reward import Reward

MEAN_FIELD = Reward.sample_credit


def exact_credit(reward, y_true, Y_pred, proba, sample_weight=None):
    """The exact conditional expectation: every class's swap score."""
    swap = reward.swap_scores(y_true, Y_pred, sample_weight)
    return local_advantage(swap, Y_pred, proba)


CREDITS = {"exact expectation": exact_credit, "expected counts": MEAN_FIELD}


def tabular_tasks():
    digits = load_digits()
    X3, y3 = make_classification(
        n_samples=2000,
        n_features=20,
        n_informative=6,
        n_classes=3,
        weights=[0.8, 0.15, 0.05],
        flip_y=0.02,
        random_state=1,
    )
    X6, y6 = make_classification(
        n_samples=3000,
        n_features=20,
        n_informative=8,
        n_classes=6,
        weights=[0.4, 0.25, 0.15, 0.1, 0.06, 0.04],
        flip_y=0.02,
        random_state=5,
    )
    for scoring in ("f1_macro", "matthews_corrcoef"):
        yield "digits, 10 classes", scoring, digits.data, digits.target
    for scoring in ("balanced_accuracy", "f1_macro"):
        yield "imbalanced 3 classes", scoring, X3, y3
    for scoring in ("f1_macro", "matthews_corrcoef"):
        yield "imbalanced 6 classes", scoring, X6, y6


def text_runs(name, scoring, seeds):
    scores, times = [], []
    for seed, X_tr, X_te, y_tr, y_te in text_splits(name, seeds):
        model = PGClassifier(scoring=scoring, random_state=seed)
        start = time.perf_counter()
        model.fit(X_tr, y_tr)
        times.append(time.perf_counter() - start)
        scores.append(get_scorer(scoring)(model, X_te, y_te))
    return scores, times


def main(first=0, end=3):
    seeds = range(first, end)
    print(f"Mean ± std test score over seeds {first}-{end - 1}; fit time ratio\n")
    print(
        "| task | scorer | " + " | ".join(CREDITS) + " | fit time, expected counts "
        "/ exact |"
    )
    print("|---|---|---|---|---|")
    runs = [
        (
            title,
            scoring,
            lambda s=scoring, X=X, y=y: held_out(
                lambda seed, n: PGClassifier(scoring=s, random_state=seed),
                X,
                y,
                get_scorer(s),
                seeds,
            ),
        )
        for title, scoring, X, y in tabular_tasks()
    ]
    runs += [
        (f"text: {name}", scoring, lambda n=name, s=scoring: text_runs(n, s, seeds))
        for name, scoring in (("news", "f1_macro"), ("tickets", "balanced_accuracy"))
    ]
    for title, scoring, run in runs:
        cells, total = [], []
        for credit in CREDITS.values():
            Reward.sample_credit = credit
            try:
                scores, times = run()
            finally:
                Reward.sample_credit = MEAN_FIELD
            cells.append(f"{np.mean(scores):.3f} ± {np.std(scores):.3f}")
            total.append(sum(times))
        print(
            f"| {title} | {scoring} | {' | '.join(cells)} | "
            f"{total[1] / total[0]:.2f}× |",
            flush=True,
        )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
