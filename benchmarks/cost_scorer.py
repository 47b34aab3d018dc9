"""A multiclass cost matrix as the score: quality and fit time.

A 3-class problem (50/35/15%) where missing the rare class costs 10 and any
other error 1, scored by ``make_cost_scorer`` (minus the mean cost).

1. Test score, mean ± std over seeds 0-2 (a held-out stratified half,
   standardized features): PG and ZO trained on the cost (PG also with
   ``n_samples="exact"``), against ``LogisticRegression`` plain,
   class-weighted, with the minimum-expected-cost rule on its
   probabilities and with one tuned threshold per class one-vs-rest
   (``_cost_anchors.py``), and PG trained on accuracy.
2. Fit time side by side, best of 2, 2,000 rows, 30 epochs: the same fit
   on MCC (a count-based scorer), on ``make_cost_scorer``, and on the same
   cost written as a plain ``make_scorer`` of a confusion-matrix function
   (called once per label vector), and the same function through
   ``make_confusion_scorer`` (the matrices counted at once), and a
   clustering comparison score (``adjusted_rand_score``, from the same
   stacked tables). Goal: the cost scorer, the confusion scorer and the
   clustering score ≤ 1.5× MCC.

Run: ``python benchmarks/cost_scorer.py``.
"""

import time

import numpy as np
from _cost_anchors import MinimumExpectedCost, ThresholdsOneVsRest
from _held_out import held_out
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, make_scorer

from sklearn_zopg import (
    PGClassifier,
    ZOClassifier,
    make_confusion_scorer,
    make_cost_scorer,
)

COSTS = np.array([[0, 1, 1], [1, 0, 1], [10, 10, 0]])
SCORER = make_cost_scorer(COSTS, labels=[0, 1, 2])


def problem(n_samples):
    return make_classification(
        n_samples=n_samples,
        n_features=10,
        n_informative=5,
        n_classes=3,
        weights=[0.5, 0.35, 0.15],
        class_sep=0.7,
        random_state=0,
    )


def plain_cost(y_true, y_pred):
    cm = confusion_matrix(y_true, y_pred, labels=[0, 1, 2])
    return -float((cm * COSTS).sum() / len(y_true))


def cost_of_matrix(m):
    """Minus the mean cost of confusion matrices (on the last two axes)."""
    return -(m * COSTS).sum((-2, -1)) / m.sum((-2, -1))


def quality():
    X, y = problem(1200)
    methods = {
        "PG, the cost": lambda s: PGClassifier(scoring=SCORER, random_state=s),
        'PG, the cost, n_samples="exact"': lambda s: PGClassifier(
            scoring=SCORER, n_samples="exact", random_state=s
        ),
        "ZO, the cost": lambda s: ZOClassifier(scoring=SCORER, random_state=s),
        "PG, accuracy": lambda s: PGClassifier(random_state=s),
        "LogisticRegression": lambda s: LogisticRegression(),
        'LogisticRegression(class_weight="balanced")': lambda s: LogisticRegression(
            class_weight="balanced"
        ),
        "LogisticRegression, minimum expected cost": lambda s: MinimumExpectedCost(
            LogisticRegression(), COSTS
        ),
        "LogisticRegression, one-vs-rest tuned thresholds": lambda s: (
            ThresholdsOneVsRest(LogisticRegression())
        ),
    }
    print("1. Test score (minus the mean cost), seeds 0-2\n")
    print("| method | test score | fit time (s) |")
    print("|---|---|---|")
    for name, make in methods.items():
        scores, times = held_out(
            lambda s, n, make=make: make(s), X, y, SCORER, range(3)
        )
        print(
            f"| {name} | {np.mean(scores):.3f} ± {np.std(scores):.3f} | "
            f"{np.mean(times):.2f} |",
            flush=True,
        )


def speed():
    X, y = problem(2000)
    scorers = {
        "matthews_corrcoef": "matthews_corrcoef",
        "make_cost_scorer": SCORER,
        "make_scorer(confusion-matrix cost)": make_scorer(plain_cost),
        "make_confusion_scorer(confusion-matrix cost)": make_confusion_scorer(
            cost_of_matrix, labels=[0, 1, 2]
        ),
        "adjusted_rand_score": "adjusted_rand_score",
    }
    print("\n2. Fit time, 2,000 rows, 30 epochs, best of 2 (s)\n")
    print("| estimator | scorer | fit time | / MCC |")
    print("|---|---|---|---|")
    for Estimator in (PGClassifier, ZOClassifier):
        times = {}
        for name, scoring in scorers.items():
            runs = []
            for _ in range(2):
                start = time.perf_counter()
                Estimator(scoring=scoring, max_epochs=30, random_state=0).fit(X, y)
                runs.append(time.perf_counter() - start)
            times[name] = min(runs)
            ratio = times[name] / times["matthews_corrcoef"]
            print(
                f"| {Estimator.__name__} | {name} | {times[name]:.2f} | {ratio:.2f}× |",
                flush=True,
            )


if __name__ == "__main__":
    quality()
    speed()
