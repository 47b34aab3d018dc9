"""How ``ZOClassifier(weight_decay="auto")`` was chosen: larger data.

Four generated tasks of 2,000-10,000 training rows (a held-out stratified
half, standardized features); mean test score over a range of seeds of ZO
with a fixed ``weight_decay=0.01`` (the earlier default, chosen on the
1,000-row tasks of ``quality.py``), ``0.01 * sqrt(1000 / n)`` (the
``"auto"`` rule; 0.01 up to 1,000 rows) and ``10 / n``.

Run: ``python benchmarks/weight_decay_choice.py [first_seed] [end_seed]``
(0 3 chose the rule; 3 6 confirmed it on fresh seeds).
"""

import sys

import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_zopg import ZOClassifier


def tasks():
    X, y = make_classification(
        20000,
        30,
        n_informative=10,
        weights=[0.93],
        flip_y=0.02,
        class_sep=0.8,
        random_state=11,
    )
    yield "20,000 rows, 7% positives", "f1", X, y
    X, y = make_classification(
        6000,
        20,
        n_informative=6,
        n_classes=3,
        weights=[0.8, 0.15, 0.05],
        flip_y=0.02,
        random_state=5,
    )
    yield "6,000 rows, 3 classes", "balanced_accuracy", X, y
    X, y = make_classification(
        8000, 20, n_informative=5, weights=[0.85], flip_y=0.03, random_state=13
    )
    yield "8,000 rows, 15% positives", "matthews_corrcoef", X, y
    X, y = make_classification(
        4000,
        25,
        n_informative=8,
        weights=[0.95],
        flip_y=0.01,
        class_sep=1.0,
        random_state=17,
    )
    yield "4,000 rows, 5% positives", "f1", X, y


RULES = {
    "fixed 0.01": lambda n: 0.01,
    "0.01 sqrt(1000/n) (auto)": lambda n: "auto",
    "10/n": lambda n: 10 / n,
}


def main(first=0, end=3):
    print(f"Mean test score over seeds {first}-{end - 1}\n")
    print("| task | scorer | " + " | ".join(RULES) + " |")
    print("|---|---|" + "---|" * len(RULES))
    for title, scoring, X, y in tasks():
        scorer = get_scorer(scoring)
        row = []
        for rule in RULES.values():
            scores = []
            for seed in range(first, end):
                X_tr, X_te, y_tr, y_te = train_test_split(
                    X, y, test_size=0.5, stratify=y, random_state=seed
                )
                model = ZOClassifier(
                    scoring=scoring, weight_decay=rule(len(y_tr)), random_state=seed
                )
                model = make_pipeline(StandardScaler(), model).fit(X_tr, y_tr)
                scores.append(scorer(model, X_te, y_te))
            row.append(f"{np.mean(scores):.3f}")
        print(f"| {title} | {scoring} | " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
