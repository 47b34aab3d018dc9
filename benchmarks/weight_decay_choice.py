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

from _held_out import choice_table
from sklearn.datasets import make_classification

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


def zo(weight_decay):
    return lambda scoring, seed, n: ZOClassifier(
        scoring=scoring, weight_decay=weight_decay(n), random_state=seed
    )


METHODS = {
    "fixed 0.01": zo(lambda n: 0.01),
    "0.01 sqrt(1000/n) (auto)": zo(lambda n: "auto"),
    "10/n": zo(lambda n: 10 / n),
}

if __name__ == "__main__":
    choice_table(tasks(), METHODS, *(int(a) for a in sys.argv[1:]))
